"""Shipping an own order (counter / phone / chat) with the shop's GHN or J&T account.

`ShipmentsPanel` sits on the order detail: the order's shipments (carrier, tracking code,
status, fee), **Ship with carrier…**, **Cancel shipment** and **Print label**.
`ShipmentDialog` fills a shipment from the order (recipient, COD, insurance, weight) and
the address picker (GHN's lists), or the address's names for a carrier that takes names
(J&T: no GHN account needed); it lists the carrier's services and quotes the fee live (off
the UI thread). **Create** queues the shipment in the outbox (it works offline: the order shows
"waiting to be sent") and the panel sends it at once when the carrier can be reached.

The label is the carrier's file: a PDF goes straight to the chosen system printer through
CUPS (Qt cannot draw a PDF without the QtPdf add-on); an HTML label, or a PDF with no
printer chosen, is opened with the system's viewer.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.carriers.base import (
    MAX_COD,
    MAX_INSURANCE,
    MAX_SIDE_CM,
    MAX_WEIGHT_G,
    Address,
    NotSupported,
    Parcel,
    Place,
    RequiredNote,
    ServiceOption,
)
from primedist.core.money import format_money
from primedist.domain.enums import OrderSource, OrderStatus, OutboxStatus
from primedist.domain.order import Order
from primedist.errors import PrimedistError, ValidationError
from primedist.printing import cups
from primedist.printing.errors import PrinterRejected, PrintError
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from primedist.services.shipping import ShipmentDraft, ShipmentView
from primedist.ui.errors import box_text
from primedist.ui.i18n import current_language
from primedist.ui.labels import status_word
from primedist.ui.list_tools import count_text
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Op, failure_text
from primedist.ui.orders.address_picker import AddressPicker, PlaceNames
from primedist.ui.printing import render
from primedist.ui.widgets import WrapDelegate, rows_height

LABEL_PRINTER_KEY = "shipping/label_printer"
QUOTE_DELAY_MS = 350
#: Shipment statuses shown in the app's words (the carrier's own labels otherwise).
WAITING = "queued"
FAILED = "failed"


def print_pdf_file(path: Path, printer: str, title: str = "") -> None:
    """Send a PDF file to a system printer as it is (CUPS takes PDF jobs)."""
    render.check_printer(printer)
    lib = cups._libcups()
    if lib is None:
        raise PrintError(
            "This computer has no CUPS to print a PDF with: open the label and print it "
            "from the PDF viewer.", printer=printer,
        )  # fmt: skip
    lib.cupsPrintFile.restype = ctypes.c_int
    lib.cupsPrintFile.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                                  ctypes.c_int, ctypes.c_void_p]  # fmt: skip
    job = lib.cupsPrintFile(printer.encode(), str(path).encode(),
                            (title or path.name).encode(), 0, None)  # fmt: skip
    if job == 0:
        lib.cupsLastErrorString.restype = ctypes.c_char_p
        reason = (lib.cupsLastErrorString() or b"").decode(errors="replace")
        raise PrinterRejected(f"The printer {printer!r} did not take the label: {reason}.",
                              printer=printer)  # fmt: skip


def open_file(path: Path) -> None:
    """Open a file with the system's viewer."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _prefs(ctx: ServiceContext) -> QSettings | None:
    if ctx.settings is None:
        return None
    return QSettings(str(ctx.settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)


def fill_label_printers(ctx: ServiceContext, combo: QComboBox) -> None:
    """The system's printers after a first empty entry (its text, "Open the label file", is
    set by the caller), the one used last on this computer chosen."""
    combo.addItem("", "")
    for name in render.available_printers():
        combo.addItem(name, name)
    combo.setCurrentIndex(max(0, combo.findData(label_printer(ctx))))


def label_printer(ctx: ServiceContext) -> str:
    """The printer chosen for the carriers' labels on this computer ("": open the file)."""
    prefs = _prefs(ctx)
    return str(prefs.value(LABEL_PRINTER_KEY, "")) if prefs is not None else ""


def remember_label_printer(ctx: ServiceContext, combo: QComboBox) -> None:
    prefs = _prefs(ctx)
    if prefs is not None:
        prefs.setValue(LABEL_PRINTER_KEY, combo.currentData() or "")
        prefs.sync()


def required_note_box() -> QComboBox:
    """What the recipient may do before paying (GHN's `required_note`), as data."""
    box = QComboBox()
    box.setObjectName("requiredNote")
    look = QCoreApplication.translate("ShipmentDialog", "Recipient may look, not try")
    try_on = QCoreApplication.translate("ShipmentDialog", "Recipient may try the goods")
    no_view = QCoreApplication.translate("ShipmentDialog", "No viewing before paying")
    notes = ((look, RequiredNote.VIEW), (try_on, RequiredNote.TRY),
             (no_view, RequiredNote.NO_VIEW))  # fmt: skip
    for text, value in notes:
        box.addItem(text, value.value)
    return box


def shippable(order: Order) -> bool:
    """An own order that has not left yet (the carrier's services are for these)."""
    return OrderSource(order.source) in svc.OWN_SOURCES and order.status in (
        OrderStatus.PENDING, OrderStatus.CONFIRMED)  # fmt: skip


#: The shipments table's columns (the carrier is in the code's tooltip: the card is narrow).
CODE_COLUMN, STATUS_COLUMN, FEE_COLUMN = range(3)
#: Between a figure and its currency: the fee never wraps onto two lines.
NBSP = "\u00a0"


def _money(amount: int) -> str:
    return format_money(amount, current_language())


def _form_labels(form: QFormLayout) -> list[QWidget]:
    labels = (form.itemAt(row, QFormLayout.ItemRole.LabelRole) for row in range(form.rowCount()))
    widgets = (item.widget() for item in labels if item is not None)
    return [widget for widget in widgets if widget is not None]


def _align_captions(captions: list[QWidget]) -> None:
    """One caption width for the form's three blocks (recipient, address, parcel), so
    their fields start at one edge."""
    width = max(caption.sizeHint().width() for caption in captions)
    for caption in captions:
        caption.setMinimumWidth(width)


def _spin(maximum: int, suffix: str, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, maximum)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    box.setGroupSeparatorShown(True)
    box.setAlignment(Qt.AlignmentFlag.AlignRight)
    return box


# --------------------------------------------------------------------------- dialog


class ShipmentDialog(QDialog):
    """Create a shipment for one order; emits `created(ShipmentView)` once it is queued."""

    created = Signal(object)
    #: After each fee answer (the text shown), for tests and the status line.
    quoted = Signal(str)

    def __init__(self, ctx: ServiceContext, order_id: int, parent: QWidget | None = None, *,
                 factory: svc.CarrierFactory = svc.carrier_for) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.order_id = order_id
        self.factory = factory
        # Answers that come back after a newer question are dropped; the services and the
        # fee are asked apart (a fee asked meanwhile must not drop the services' answer).
        self._services_asked = 0
        self._fee_asked = 0
        self._creating = False
        self._filled_from: ShipmentDraft | None = None
        #: Each account's carrier ("ghn" / "jnt"): a J&T one is given names, not the picker.
        self._carriers: dict[int, str] = {}
        #: The order's province, district and ward: the picker starts from them (loaded
        #: when a GHN account is first chosen: a J&T-only shop has no GHN lists).
        self._order_places = ("", "", "")
        self._picker_loaded = False
        self.services: list[ServiceOption] = []
        self.setObjectName("shipmentDialog")
        self.setWindowTitle(self.tr("Ship with carrier"))
        self.resize(560, 640)
        self.quote_timer = QTimer(self)
        self.quote_timer.setSingleShot(True)
        self.quote_timer.setInterval(QUOTE_DELAY_MS)
        self.quote_timer.timeout.connect(self.quote)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.account = QComboBox()
        self.account.setObjectName("carrierAccount")
        form.addRow(self.tr("Carrier account"), self.account)
        self.to_name, self.to_phone, self.to_address = QLineEdit(), QLineEdit(), QLineEdit()
        form.addRow(self.tr("Recipient"), self.to_name)
        form.addRow(self.tr("Phone"), self.to_phone)
        form.addRow(self.tr("Street address"), self.to_address)
        layout.addLayout(form)
        self.picker = AddressPicker(ctx, self, loader=self._load_places)
        layout.addWidget(self.picker)
        self.place_names = PlaceNames(self)
        self.place_names.hide()
        layout.addWidget(self.place_names)
        parcel = self._build_parcel()
        layout.addLayout(parcel)
        _align_captions([*_form_labels(form), *self.picker.captions.values(),
                         *self.place_names.captions.values(), *_form_labels(parcel)])  # fmt: skip
        self.fee = QLabel()
        self.fee.setObjectName("shipmentFee")
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("errorText")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.fee)
        layout.addWidget(self.message)
        layout.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.create_button = QPushButton(self.tr("Create shipment"))
        self.create_button.setObjectName("primaryButton")
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.create_shipment)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self._fill_from_order()
        self._connect_changes()
        if self._by_names():  # no picker to wait for: its services now
            self._address_changed()

    def _build_parcel(self) -> QFormLayout:
        form = QFormLayout()
        self.service = QComboBox()
        self.service.setObjectName("carrierService")
        form.addRow(self.tr("Service"), self.service)
        self.weight = _spin(MAX_WEIGHT_G * 2, " g", 100)
        self.weight.setToolTip(self.tr("Filled with the goods' weight from the products "
                                       "(500 g for an item with none); type the parcel's own "
                                       "if you weighed it."))  # fmt: skip
        form.addRow(self.tr("Weight"), self.weight)
        # Under the weight, only while it is partly a guess (its own row: never widens the form).
        self.weight_hint = QLabel()
        self.weight_hint.setObjectName("muted")
        self.weight_hint.setWordWrap(True)
        form.addRow("", self.weight_hint)
        self._parcel_form = form
        form.setRowVisible(self.weight_hint, False)
        size = QHBoxLayout()
        self.length_cm, self.width_cm, self.height_cm = (
            _spin(MAX_SIDE_CM * 2, " cm") for _ in range(3)
        )
        for box in (self.length_cm, self.width_cm, self.height_cm):
            size.addWidget(box)
        form.addRow(self.tr("Size (L × W × H)"), size)
        currency = format_money(0, current_language()).removeprefix("0")  # " ₫" / " VND"
        self.cod = _spin(MAX_COD * 10, currency, 1_000)
        self.insurance = _spin(MAX_INSURANCE * 10, currency, 1_000)
        form.addRow(self.tr("Cash on delivery"), self.cod)
        form.addRow(self.tr("Insured value"), self.insurance)
        self.required_note = required_note_box()
        form.addRow(self.tr("Before paying"), self.required_note)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("A note for the carrier (optional)"))
        form.addRow(self.tr("Note"), self.note)
        return form

    # ------------------------------------------------------------------ filling

    def _fill_from_order(self) -> None:
        try:
            accounts = svc.list_accounts(self.ctx)
        except PrimedistError as exc:
            self._show_message(error_text(exc))
            accounts = []
        for account in accounts:
            name = svc.CARRIER_NAMES.get(account.carrier, account.carrier)
            self.account.addItem(f"{account.name} ({name})", account.id)
            self._carriers[account.id] = account.carrier
        if not accounts:
            self._show_message(self.tr("Add a GHN or J&T Express account in Settings → "
                                       "Logistics first."))  # fmt: skip
            self.create_button.setEnabled(False)
            return
        draft = svc.draft_for_order(self.ctx, self.order_id, int(self.account.currentData()))
        self._filled_from = draft
        to, parcel = draft.to, draft.parcel
        self.to_name.setText(to.name)
        self.to_phone.setText(to.phone)
        self.to_address.setText(to.address)
        # A figure past a box's top (ten times the carrier's limit) shows as the top: it is
        # refused all the same, and Qt's int cannot hold some (a COD of 3 billion đồng).
        self.weight.setValue(min(parcel.weight_g, self.weight.maximum()))
        self._show_estimate(draft.unweighed_items)
        for box, value in ((self.length_cm, parcel.length_cm), (self.width_cm, parcel.width_cm),
                           (self.height_cm, parcel.height_cm), (self.cod, parcel.cod_amount),
                           (self.insurance, parcel.insurance_value)):  # fmt: skip
            box.setValue(min(value, box.maximum()))
        self._order_places = (to.province_name, to.district_name, to.ward_name)
        self.place_names.set_names(*self._order_places)
        self._show_address_fields()

    def _by_names(self) -> bool:
        """The chosen account's carrier takes the address as names (J&T)."""
        account = self.account.currentData()
        return account is not None and svc.takes_place_names(self._carriers.get(int(account), ""))

    def _show_address_fields(self) -> None:
        """The names for a carrier taking names, else GHN's picker (loaded the first time).
        Going to names after picking, the picked (GHN's) names are kept."""
        by_names = self._by_names()
        choice = self.picker.choice()
        if by_names and not self.picker.isHidden() and choice.complete:
            self.place_names.set_names(choice.province_name, choice.district_name,
                                       choice.ward_name)  # fmt: skip
        self.picker.setHidden(by_names)
        self.place_names.setHidden(not by_names)
        if not by_names and not self._picker_loaded:
            self._picker_loaded = True
            self.picker.load(*self._order_places)

    def _account_changed(self) -> None:
        self._show_address_fields()
        self._address_changed()

    def _show_estimate(self, unweighed: int) -> None:
        """Beside a weight counted partly at 500 g an item: how many items it guessed."""
        self.weight_hint.setText(count_text(
            unweighed,
            self.tr("≈ %n item without a weight counted at 500 g"),
            self.tr("≈ %n items without a weight counted at 500 g each"),
        ))  # fmt: skip
        self._parcel_form.setRowVisible(self.weight_hint, unweighed > 0)

    def _weight_typed(self) -> None:
        self._parcel_form.setRowVisible(self.weight_hint, False)  # the owner's figure now

    def _connect_changes(self) -> None:
        self.picker.changed.connect(self._address_changed)
        self.place_names.changed.connect(self._changed)
        self.account.currentIndexChanged.connect(self._account_changed)
        for box in (self.weight, self.length_cm, self.width_cm, self.height_cm, self.cod,
                    self.insurance):  # fmt: skip
            box.valueChanged.connect(self._changed)
        self.weight.valueChanged.connect(self._weight_typed)
        self.service.currentIndexChanged.connect(self._changed)
        self.required_note.currentIndexChanged.connect(self._changed)

    def _load_places(self, ctx: ServiceContext, level: str, parent: str) -> list[Place]:
        return svc.address_places(ctx, level, parent, factory=self.factory)

    # ------------------------------------------------------------------ the draft

    def draft(self) -> ShipmentDraft:
        """The shipment as the form says now (not checked)."""
        to = self._place(Address(name=self.to_name.text().strip(),
                                 phone=self.to_phone.text().strip(),
                                 address=self.to_address.text().strip(), ward_code="",
                                 district_id=0))  # fmt: skip
        parcel = Parcel(weight_g=self.weight.value(), length_cm=self.length_cm.value(),
                        width_cm=self.width_cm.value(), height_cm=self.height_cm.value(),
                        cod_amount=self.cod.value(),
                        insurance_value=self.insurance.value())  # fmt: skip
        service = self.services[self.service.currentIndex()] if self.services and \
            self.service.currentIndex() >= 0 else None  # fmt: skip
        base = self._filled_from
        return ShipmentDraft(
            account_id=int(self.account.currentData() or 0), to=to, parcel=parcel,
            service_id=service.service_id if service else None,
            service_type_id=service.service_type_id if service else None,
            required_note=RequiredNote(self.required_note.currentData()),
            note=self.note.text().strip(),
            # The order as the form was filled: an edit meanwhile refuses the shipment.
            order_updated_at=base.order_updated_at if base else None,
            order_cod=base.order_cod if base else None,
            goods_weight_g=base.goods_weight_g if base else None,
        )  # fmt: skip

    def _place(self, to: Address) -> Address:
        """`to` placed: by the typed names (a carrier taking names), else by the picker's
        district id and ward code."""
        if self._by_names():
            province, district, ward = self.place_names.names()
            return replace(to, province_name=province, district_name=district, ward_name=ward)
        choice = self.picker.choice()
        return replace(to, ward_code=choice.ward_code or "", district_id=choice.district_id or 0,
                       ward_name=choice.ward_name, district_name=choice.district_name,
                       province_name=choice.province_name)  # fmt: skip

    def _address_changed(self) -> None:
        """New district or account: the services change (a live call), then the fee. A
        carrier taking names has the same services everywhere: asked at once."""
        self._services_asked += 1
        self.services = []
        self.service.clear()
        choice = self.picker.choice()
        account = self.account.currentData()
        by_names = self._by_names()
        if account is None or (choice.district_id is None and not by_names):
            self._changed()
            return
        asked, ctx, factory = self._services_asked, self.ctx, self.factory
        district, account_id = 0 if by_names else choice.district_id or 0, int(account)
        Op(self, lambda _job: svc.available_services(ctx, account_id, district, factory=factory),
           network=True).success(
            lambda found: self._show_services(asked, found)
        ).failure(lambda exc: self._services_failed(asked, exc)).run()  # fmt: skip

    def _show_services(self, asked: int, found: list[ServiceOption]) -> None:
        if asked != self._services_asked:
            return
        self.services = list(found)
        self.service.blockSignals(True)
        for option in self.services:
            self.service.addItem(option.name, option.service_id)
        self.service.setCurrentIndex(0 if self.services else -1)
        self.service.blockSignals(False)
        self._changed()

    def _services_failed(self, asked: int, exc: BaseException) -> None:
        if asked == self._services_asked:
            self._fee_asked += 1  # a fee asked meanwhile (without a service) is moot
            self._show_no_fee(exc)

    def _changed(self) -> None:
        self.message.hide()
        self.quote_timer.start()

    def quote(self) -> None:
        """Ask the carrier for the fee of the form as it is (stale answers are dropped)."""
        self._fee_asked += 1
        draft = self.draft()
        if self._by_names():
            if not draft.to.province_name or not draft.to.ward_name:
                self._set_fee(self.tr("Type the province and ward to see the fee."))
                return
        elif not draft.to.district_id or not draft.to.ward_code:
            self._set_fee(self.tr("Pick the district and ward to see the fee."))
            return
        problems = draft.parcel.problems()
        if problems:
            self._set_fee(localize(next(iter(problems.values()))))
            return
        asked, ctx, factory = self._fee_asked, self.ctx, self.factory
        self.fee.setText(self.tr("Asking the carrier for the fee…"))
        Op(self, lambda _job: svc.quote_fee(ctx, draft, factory=factory), network=True).success(
            lambda quote: self._quoted(asked, quote.total)
        ).failure(lambda exc: self._quote_failed(asked, exc)).run()  # fmt: skip

    def _quoted(self, asked: int, total: int) -> None:
        if asked == self._fee_asked:
            self._set_fee(self.tr("Shipping fee: %1").replace("%1", _money(total)))

    def _quote_failed(self, asked: int, exc: BaseException) -> None:
        if asked == self._fee_asked:
            self._show_no_fee(exc)

    def _show_no_fee(self, exc: BaseException) -> None:
        if isinstance(exc, NotSupported):  # a carrier that quotes no fee (J&T): its words
            self._set_fee(failure_text(self, exc))
            return
        self._set_fee(self.tr("No fee quote: %1").replace("%1", failure_text(self, exc)))

    def _set_fee(self, text: str) -> None:
        self.fee.setText(text)
        self.quoted.emit(text)

    # ------------------------------------------------------------------ create

    def create_shipment(self) -> None:
        """Check the form, then queue the shipment (the outbox sends it)."""
        if self._creating:
            return
        draft = self.draft()
        account = self.account.currentData()
        try:
            svc.check_draft(draft, self._carriers.get(int(account or 0), ""))
        except ValidationError as exc:
            self._show_message(error_text(exc))
            self._focus_field(exc.field)
            return
        self._creating = True
        self.create_button.setEnabled(False)
        ctx, order_id = self.ctx, self.order_id
        Op(self, lambda _job: svc.request_shipment(ctx, order_id, draft), engine=ctx.engine,
           title=self.tr("Creating the shipment")).success(self._created).failure(
            self._create_failed).run()  # fmt: skip

    def _created(self, view: ShipmentView) -> None:
        self._creating = False
        self.created.emit(view)
        self.accept()

    def _create_failed(self, exc: BaseException) -> None:
        self._creating = False
        self.create_button.setEnabled(True)
        self._show_message(failure_text(self, exc))

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _first_unpicked_level(self) -> QWidget:
        choice = self.picker.choice()
        picked = {"province": bool(choice.province_name), "district": bool(choice.district_id),
                  "ward": bool(choice.ward_code)}  # fmt: skip
        combos = self.picker.combos
        return next((combos[lv] for lv in ("province", "district", "ward")
                     if not picked[lv] and combos[lv].isEnabled()), combos["ward"])  # fmt: skip

    def _focus_field(self, name: str | None) -> None:
        widgets: dict[str, QWidget] = {
            "weight_g": self.weight, "length_cm": self.length_cm, "width_cm": self.width_cm,
            "height_cm": self.height_cm, "cod_amount": self.cod, "insurance_value": self.insurance,
            "to_name": self.to_name, "to_phone": self.to_phone, "to_address": self.to_address,
            "to_ward_code": self._first_unpicked_level(),
            "to_province_name": self.place_names.fields["province"],
            "to_ward_name": self.place_names.fields["ward"],
        }  # fmt: skip
        widget = widgets.get(name or "")
        if widget is not None:
            widget.setFocus()


# --------------------------------------------------------------------------- panel


class ShipmentsPanel(QFrame):
    """The order's shipments on the order detail; `changed` after any action."""

    changed = Signal()
    #: A line for the user ("Label sent to …"), also shown in the panel.
    notice = Signal(str)

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None, *,
                 factory: svc.CarrierFactory = svc.carrier_for) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.factory = factory
        self.order: Order | None = None
        self.shipments: list[ShipmentView] = []
        self.dialog: ShipmentDialog | None = None
        self._busy = False
        #: The shipment whose action was just asked for: what a send's outcome is told of.
        self._watched: int | None = None
        #: Asked before a cancel (tests answer it).
        self.confirm_cancel: Callable[[ShipmentView], bool] = self._ask_cancel
        self.setObjectName("detailCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.track_button = QPushButton()  # a link beside the title: the rows below are full
        self.track_button.setObjectName("linkButton")
        self.track_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.track_button.clicked.connect(self.update_tracking)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addStretch(1)
        title_row.addWidget(self.track_button)
        layout.addLayout(title_row)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("shipmentsTable")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(STATUS_COLUMN, QHeaderView.ResizeMode.Stretch)  # it wraps
        # The fee is short ("22,795 ₫"): one line, as wide as it is (never "₫" alone below).
        header.setSectionResizeMode(FEE_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setWordWrap(True)
        self.table.setItemDelegate(WrapDelegate(self.table))
        header.sectionResized.connect(lambda *_args: self._fit_rows())
        self.table.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table)
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addLayout(self._build_buttons())
        self._retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self.reload()  # the status words
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.title.setText(self.tr("Shipments"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Tracking code"), self.tr("Status"), self.tr("Fee")]
        )
        self.ship_button.setText(self.tr("Ship with carrier…"))
        self.cancel_button.setText(self.tr("Cancel shipment"))
        self.track_button.setText(self.tr("Update tracking"))
        self.track_button.setToolTip(
            self.tr("Ask the carrier where the parcel is now (also done every %1 minutes).")
            .replace("%1", str(svc.POLL_MINUTES)))  # fmt: skip
        self.label_button.setText(self.tr("Print label"))
        self.printer.setToolTip(self.tr("Where the carrier's label goes"))
        self.printer.setItemText(0, self.tr("Open the label file"))

    def _build_buttons(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        top, bottom = QHBoxLayout(), QHBoxLayout()
        self.ship_button = QPushButton()
        self.ship_button.setObjectName("actionButton")
        self.ship_button.clicked.connect(self.open_dialog)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("dangerButton")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.label_button = QPushButton()
        self.label_button.setObjectName("printButton")
        self.label_button.clicked.connect(self.print_label)
        self.printer = QComboBox()
        self.printer.setObjectName("labelPrinter")
        for button in (self.ship_button, self.cancel_button, self.track_button,
                       self.label_button):  # fmt: skip
            button.setAutoDefault(False)
        top.addWidget(self.ship_button)
        top.addWidget(self.cancel_button)
        bottom.addWidget(self.label_button)
        bottom.addWidget(self.printer, 1)
        rows.addLayout(top)
        rows.addLayout(bottom)
        self._fill_printers()
        self.printer.currentIndexChanged.connect(self._remember_printer)
        return rows

    def _fill_printers(self) -> None:
        fill_label_printers(self.ctx, self.printer)

    def _remember_printer(self) -> None:
        remember_label_printer(self.ctx, self.printer)

    # ------------------------------------------------------------------ showing

    def show_order(self, order: Order) -> None:
        """Show this order's shipments (called by the detail on every refresh)."""
        self.order = order
        self.reload()
        # Only where a parcel can still go, or went: not on a sale completed at the counter.
        self.setVisible(bool(self.shipments) or shippable(order))

    def reload(self) -> None:
        if self.order is None or self.order.id is None:
            return
        try:
            self.shipments = svc.order_shipments(self.ctx, self.order.id)
        except PrimedistError as exc:
            self._say(error_text(exc))
            self.shipments = []
        selected = self.selected()
        self.table.setRowCount(len(self.shipments))
        for row, ship in enumerate(self.shipments):
            carrier = svc.CARRIER_NAMES.get(ship.carrier, ship.carrier)
            # Until the carrier has it there is no code: the carrier's name stands there.
            cells = (ship.carrier_order_code or carrier, self.status_text(ship),
                     _money(ship.fee).replace(" ", NBSP) if ship.fee else "")  # fmt: skip
            tips = (carrier, ship.last_error or ship.status, "")
            for col, (text, tip) in enumerate(zip(cells, tips, strict=True)):
                item = QTableWidgetItem(text)
                item.setToolTip(tip)
                self.table.setItem(row, col, item)
        self._fit_rows()
        keep = next((i for i, s in enumerate(self.shipments)
                     if selected and s.id == selected.id), 0)  # fmt: skip
        if self.shipments:
            self.table.selectRow(keep)
        self.table.setVisible(bool(self.shipments))
        self._update_buttons()

    def _fit_rows(self) -> None:
        """Rows as tall as their wrapped text; the table as tall as its rows (no blank band
        under a single shipment), scrolling past 130 px."""
        self.table.resizeRowsToContents()
        self.table.setFixedHeight(min(130, rows_height(self.table)))

    def status_text(self, ship: ShipmentView) -> str:
        if ship.status == WAITING:
            return self.tr("Waiting to be sent")
        if ship.status == FAILED:
            return self.tr("Refused: %1").replace("%1", ship.last_error or "")
        return status_word(ship.status)

    def selected(self) -> ShipmentView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.shipments):
            return None
        return self.shipments[rows[0].row()]

    def _update_buttons(self) -> None:
        ship = self.selected()
        live = any(s.open for s in self.shipments)
        idle = not self._busy
        self.ship_button.setEnabled(
            idle and self.order is not None and shippable(self.order) and not live
        )
        self.cancel_button.setEnabled(idle and ship is not None and ship.cancellable)
        # (A disabled link reads like a label: shown only when there is a parcel to track.)
        self.track_button.setVisible(any(s.trackable for s in self.shipments))
        self.track_button.setEnabled(idle)
        self.label_button.setEnabled(idle and ship is not None and ship.open
                                     and bool(ship.carrier_order_code))  # fmt: skip

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.notice.emit(text)

    # ------------------------------------------------------------------ actions

    def open_dialog(self) -> None:
        if self.order is None or self.order.id is None:
            return
        dialog = ShipmentDialog(self.ctx, self.order.id, self, factory=self.factory)
        dialog.created.connect(self._created)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def _created(self, view: ShipmentView) -> None:
        # The order's number: the shipment's own client code means nothing to the shop.
        number = self.order.external_id if self.order is not None else view.client_order_code
        self._say(self.tr("The shipment of order %1 is waiting to be sent.").replace(
            "%1", number))  # fmt: skip
        self._after_change()
        self._watched = view.id
        self.send_now()

    def _after_change(self) -> None:
        if shiboken6.isValid(self):
            self.reload()
            self.changed.emit()

    def send_now(self) -> None:
        """Deliver the waiting shipment actions now (the scheduler retries what fails),
        then say how the action on `_watched` went (other orders' are theirs to show)."""
        ctx, factory = self.ctx, self.factory
        Op(
            self, lambda _job: svc.deliver_carrier_outbox(ctx, factory=factory), network=True
        ).success(self._sent).failure(lambda exc: self._say(failure_text(self, exc))).run()

    def _sent(self, report: svc.CarrierDeliveryReport) -> None:
        self._after_change()  # this order's shipments as they are now
        ship = next((s for s in self.shipments if s.id == self._watched), None)
        text = self.outcome_text(ship, report.offline) if ship is not None else None
        if text:
            self._say(text)

    def outcome_text(self, ship: ShipmentView, offline: bool) -> str | None:
        """How the shipment's latest action went, in words (None: nothing to tell)."""
        cancel = ship.action_kind == "shipment.cancel"
        error = localize(ship.last_error or "")
        if ship.action_status in (OutboxStatus.PENDING, OutboxStatus.IN_PROGRESS):
            if offline:
                return self.tr("The carrier cannot be reached: it is sent when the connection "
                               "is back.")  # fmt: skip
            if not error:
                return self.tr("Not sent yet: it is tried again in a moment.")
            return self.tr("Not sent yet (%1): it is tried again in a moment.").replace(
                "%1", error)  # fmt: skip
        if ship.action_status == OutboxStatus.FAILED:
            if cancel:
                return self.tr("The carrier refused to cancel the shipment: %1").replace(
                    "%1", error)  # fmt: skip
            return self.tr("The carrier refused the shipment: %1").replace("%1", error)
        if ship.status == "cancel":
            return self.tr("The shipment is cancelled.")
        if not cancel and ship.carrier_order_code:
            return self.tr("Sent to the carrier: the tracking code is in the list.")
        return None

    def _ask_cancel(self, ship: ShipmentView) -> bool:
        code = ship.carrier_order_code or ship.client_order_code
        question = self.tr("Cancel shipment %1 with the carrier?").replace("%1", code)
        answer = QMessageBox.question(self, self.tr("Cancel shipment"), box_text(question))
        return answer == QMessageBox.StandardButton.Yes

    def cancel_selected(self) -> None:
        ship = self.selected()
        if ship is None or self._busy or not self.confirm_cancel(ship):
            return
        ctx = self.ctx
        self._watched = ship.id
        self._run(lambda: svc.request_cancel(ctx, ship.id), lambda _view: self.send_now())

    def update_tracking(self) -> None:
        """Read this order's open shipments from the carrier now."""
        if self.order is None or self.order.id is None or self._busy:
            return
        ctx, factory, order_id = self.ctx, self.factory, self.order.id
        self._run(lambda: svc.poll_shipments(ctx, factory=factory, order_id=order_id),
                  self._tracked, network=True)  # fmt: skip

    def _tracked(self, report: object) -> None:
        assert isinstance(report, svc.PollReport)
        if report.errors:
            self._say(self.tr("The carrier did not answer: %1").replace(
                "%1", "; ".join(report.errors)))  # fmt: skip
        elif report.changed:
            self._say(self.tr("Tracking updated."))
        else:
            self._say(self.tr("No news from the carrier since the last check."))

    def print_label(self) -> None:
        """Fetch the label (once), then print it or open it."""
        ship = self.selected()
        if ship is None or self._busy:
            return
        printer = str(self.printer.currentData() or "")
        ctx, factory = self.ctx, self.factory

        def work() -> tuple[Path, bool]:
            path = svc.label_file(ctx, ship.id, factory=factory)
            if printer and path.suffix == ".pdf":
                print_pdf_file(path, printer, title=ship.carrier_order_code or "")
                return path, True
            return path, False

        self._run(work, self._label_done, network=True)

    def _label_done(self, result: object) -> None:
        assert isinstance(result, tuple)
        path, printed = result
        if printed:
            self._say(self.tr("Label sent to %1.").replace("%1", self.printer.currentText()))
        else:
            open_file(path)
            # The file's name: its folder is the app's own, and a long path only wraps.
            self._say(self.tr("Label opened: %1").replace("%1", path.name))

    def _run(self, work: Callable[[], object], done: Callable[[object], None], *,
             network: bool = False) -> None:  # fmt: skip
        self._busy = True
        self._update_buttons()
        Op(
            self, lambda _job: work(), engine=None if network else self.ctx.engine, network=network
        ).success(done).failure(lambda exc: self._say(failure_text(self, exc))).finally_(
            self._idle
        ).run()

    def _idle(self) -> None:
        self._busy = False
        self._after_change()
