"""Goods receipts (Products → *Goods receipts*, *Nhập hàng*): the deliveries received,
newest first, searchable, with their lines; **New goods receipt** receives a delivery of
many SKUs at once: scan each item (a barcode scanner types the code and Enter: +1 on its
line) or search by name or SKU, type quantities and unit costs, Save (Ctrl+S). Saving is
one transaction (`services.goods_receipts.receive_goods`) on the database worker; the
labels of what came in can be printed next. What was paid to the supplier with the
delivery is the whole cost unless typed otherwise: the rest is owed to it (Products →
*Suppliers*). How it was paid is asked, not assumed (the way used last on this PC comes
preselected; *Not paid yet* leaves it all owed); cash beyond what the drawer should hold
today is pointed out before saving. `20*` before a code receives 20 of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QSettings, QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_date, format_datetime, shop_tz
from primedist.core.money import format_number, parse_money
from primedist.core.product_codes import split_times
from primedist.core.text import fold
from primedist.domain.enums import PaymentMethod, Role
from primedist.domain.goods_receipt import MAX_RECEIPT_LINES, MAX_RECEIPT_QUANTITY
from primedist.domain.supplier import SUPPLIER_PAYMENT_METHODS
from primedist.errors import NotFound, PrimedistError
from primedist.services import goods_receipts as svc
from primedist.services import supplier_returns
from primedist.services.context import ServiceContext
from primedist.services.end_of_day import drawer_cash_now
from primedist.services.purchase_orders import (
    OrderRow,
    ToReceive,
    open_orders,
    starting_costs,
    to_receive,
)
from primedist.services.sale_lookup import VariantHit
from primedist.services.supplier_returns import ReturnRow, receipt_returns
from primedist.services.suppliers import (
    SupplierRow,
    get_supplier,
    looks_like_code,
    supplier_id_by_name,
)
from primedist.ui.action_row import WholeActionRow
from primedist.ui.export_right import gate_export
from primedist.ui.file_dialogs import IMPORT, ask_open_file
from primedist.ui.formatting import money_text
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import (
    NARROW_LIST_STYLE,
    ElidedTips,
    EmptyHint,
    SpareWidth,
    alive,
    ask_reason,
    ask_save_path,
    count_text,
    export_finished,
    push_button,
    short_list,
)
from primedist.ui.messages import error_text
from primedist.ui.money_form import MUTED, MoneyEdit
from primedist.ui.ops import Op, report_in
from primedist.ui.orders.sale import PickList, SearchField
from primedist.ui.sub_tabs import SearchedRowsFollow, TablePlace, mark_search
from primedist.ui.widgets import set_style_property

if TYPE_CHECKING:
    from primedist.ui.products.supplier_return import SupplierReturnDialog

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: The receipts' search keeps this much, whatever the buttons beside it take.
SEARCH_MIN_WIDTH = 240
#: A list's supplier column at its narrowest in a narrow window (~20 letters whole).
SUPPLIER_NARROW = 170
PROBLEM = QColor("#B91C1C")
LINK = QColor("#2563EB")
#: A quantity above what the purchase order still awaits (saved all the same).
OVER = QColor("#B45309")
#: The draft's columns; quantity and unit cost are typed in place.
DRAFT_COLUMNS = ("sku", "name", "available", "quantity", "unit_cost", "amount")
QTY, COST = DRAFT_COLUMNS.index("quantity"), DRAFT_COLUMNS.index("unit_cost")
#: The payment's "Not paid yet" choice: nothing paid with the delivery, all of it owed.
NOT_PAID = "not_paid"
#: ui.ini: how a supplier was last paid with a receipt on this PC (preselected next time).
METHOD_KEY = "goods_receipts/payment_method"
#: The payment method left unchosen at Save.
MISSING_STYLE = 'QComboBox[invalid="true"] { border: 1px solid #DC2626; background: #FEF2F2; }'


def _awaited(to_come: Iterable[ToReceive]) -> dict[int, int]:
    """{variant id: units still to come} of an order's lines."""
    return {t.hit.variant_id: t.quantity for t in to_come}


def _money(amount: int | None) -> str:
    """Every amount of this screen in the app's one form (`money_text`)."""
    return "" if amount is None else money_text(amount)


def _num(n: int) -> str:
    return format_number(n, current_language())


def fill_methods(combo: QComboBox) -> None:
    """The ways a supplier is paid, in `combo` (their names follow the language)."""
    if combo.count() == 0:
        for method in SUPPLIER_PAYMENT_METHODS:
            combo.addItem("", method.value)
    for i, method in enumerate(SUPPLIER_PAYMENT_METHODS):
        combo.setItemText(i, enum_label(method))


def method_combo(name: str) -> QComboBox:
    """A combo of the ways a supplier is paid (cash first), named `name`."""
    combo = QComboBox()
    combo.setObjectName(name)
    fill_methods(combo)
    return combo


def chosen_method(combo: QComboBox) -> PaymentMethod:
    return PaymentMethod(combo.currentData() or PaymentMethod.CASH.value)


def _prefs(ctx: ServiceContext) -> QSettings | None:
    if ctx.settings is None:
        return None
    return QSettings(str(ctx.settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)


def remembered_method(ctx: ServiceContext) -> PaymentMethod | None:
    """How a supplier was last paid with a receipt on this PC (None: never yet)."""
    prefs = _prefs(ctx)
    value = str(prefs.value(METHOD_KEY, "")) if prefs is not None else ""
    return next((m for m in SUPPLIER_PAYMENT_METHODS if m.value == value), None)


def remember_method(ctx: ServiceContext, method: PaymentMethod) -> None:
    prefs = _prefs(ctx)
    if prefs is not None:
        prefs.setValue(METHOD_KEY, method.value)
        prefs.sync()


def _supplier_named(ctx: ServiceContext, text: str) -> SupplierRow | None:
    """The supplier `text` names — its code or its name, found as Save finds it, archived
    or not —, None when there is none."""
    try:
        return get_supplier(ctx, supplier_id_by_name(ctx, text))
    except NotFound:
        return None


class SupplierCompleter(QCompleter):
    """Offers the suppliers whose name holds every word typed, accents and case aside
    (`duc minh` offers "Công ty TNHH May mặc Đức Minh"): Qt's own filter compares accents,
    so a name typed without them offered nothing and was saved as a second supplier."""

    def __init__(self, names: Sequence[str], field: QLineEdit) -> None:
        super().__init__(QStringListModel(field), field)
        self.names = [(fold(name), name) for name in names]
        # Filtered here: the popup shows what `offer` hands it.
        self.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        field.textEdited.connect(self.offer)

    def matches(self, text: str) -> list[str]:
        """The names holding every folded word of `text`, in the order given."""
        words = fold(text).split()
        if not words:
            return []
        return [name for folded, name in self.names if all(w in folded for w in words)]

    def offer(self, text: str) -> None:
        names = self.matches(text)
        model = self.model()
        assert isinstance(model, QStringListModel)
        model.setStringList(names)
        popup = self.popup()
        if names and popup is not None:
            # As wide as the longest name: a long company name was cut ("Công ty TNHH May
            # m…"). A minimum width, as the field's own complete() (after this) sizes it
            # again to the field.
            popup.setMinimumWidth(self._popup_width(popup))
            self.complete()
        elif popup is not None:
            popup.hide()

    def _popup_width(self, popup: QAbstractItemView) -> int:
        """The width the names offered need, within the field's screen."""
        model = popup.model()
        widest = max((popup.sizeHintForIndex(model.index(r, 0)).width()
                      for r in range(model.rowCount())), default=0)  # fmt: skip
        widest += 2 * popup.frameWidth() + 8  # the frame, a little room at the end
        if model.rowCount() > self.maxVisibleItems():
            widest += popup.verticalScrollBar().sizeHint().width()
        return min(widest, self.widget().screen().availableGeometry().width())


def link_cell(cell: QTableWidgetItem) -> None:
    """`cell` drawn as a link (blue, underlined): a click on it opens what it names."""
    font = cell.font()
    font.setUnderline(True)
    cell.setFont(font)
    cell.setForeground(LINK)


def spare_supplier_width(table: QTableWidget, columns: Sequence[str],
                         narrow: Sequence[str]) -> SpareWidth:  # fmt: skip
    """The list's supplier column takes the width the others leave; short of it (1024 px)
    it and the `narrow` columns give some up (down to `SUPPLIER_NARROW`, and their
    titles), a cut cell shown whole on hover. Call `size_to_contents` once filled."""
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(False)
    supplier = columns.index("supplier")
    floors = {columns.index(c): 0 for c in narrow}  # down to their titles
    spare = SpareWidth(table, supplier, {**floors, supplier: SUPPLIER_NARROW})
    table.setStyleSheet(NARROW_LIST_STYLE)
    table.setItemDelegate(ElidedTips(table))
    return spare


def row_table(columns: int, stretch: int, *, editable: bool = False) -> QTableWidget:
    """A table of whole-row single selection, columns sized to their contents but the
    `stretch` one; cells edited in place when `editable`; Tab goes past it."""
    table = QTableWidget(0, columns)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    edit = QAbstractItemView.EditTrigger
    table.setEditTriggers(edit.AllEditTriggers if editable else edit.NoEditTriggers)
    # Tab leaves the table for the next field or button (arrows move along the rows); while
    # a cell is edited, Tab still goes on to the next cell.
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


@dataclass(frozen=True)
class DraftLine:
    hit: VariantHit
    quantity: int = 1
    #: The unit cost typed (None = not given); `cost_text` keeps what was typed.
    unit_cost: int | None = None
    cost_text: str = ""
    cost_ok: bool = True
    #: The cost was filled in (the last one charged), not typed: a cost that comes with
    #: the order or a delivery list replaces it.
    cost_filled: bool = False

    @property
    def amount(self) -> int | None:
        return None if self.unit_cost is None else self.quantity * self.unit_cost


class GoodsReceiptDialog(QDialog):
    """A new goods receipt. Emits `received(ReceiptRow, {variant id: quantity})` once saved,
    then `labelsRequested({variant id: quantity})` when labels were asked for. The amount
    paid to the supplier follows the cost until it is typed; less leaves the rest owed.

    Against a purchase order (`order`), the supplier is the order's and the lines start
    as what is still to come of it (`to_come`): the owner lowers what did not come."""

    received = Signal(object, object)
    labelsRequested = Signal(object)
    #: A receipt started without an order offers the supplier's open orders to receive.
    offers_orders = True

    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, supplier: str = "",
        order: OrderRow | None = None, to_come: Sequence[ToReceive] = (),
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("goodsReceiptDialog")
        self.ctx = ctx
        self.order = order
        #: The open purchase orders of the supplier typed (offered in `order_choice`).
        self.open_orders: list[OrderRow] = []
        #: {variant id: unit cost} the order expected: a line with no cost given costs
        #: that once saved (`receive_goods`), so it shows it.
        self.order_costs: dict[int, int] = {}
        #: {variant id: units} the order still awaits: a line above it is pointed out (the
        #: supplier sent too many, or a count was typed twice), not refused.
        self.awaited: dict[int, int] = _awaited(to_come) if order is not None else {}
        self.lines: list[DraftLine] = []
        #: The lines as they were before the order chosen in `order_choice` added its own
        #: (None: none chosen), and as they were once it had: leaving the order puts the
        #: first back, asking (`order_box`) when they no longer are the second.
        self._before_order: list[DraftLine] | None = None
        self._as_loaded: tuple[object, ...] = ()
        self.order_box: QMessageBox | None = None
        #: The supplier typed, as last looked up: (text, the supplier or None).
        self.named: tuple[str, SupplierRow | None] | None = None
        self._lookups = 0
        self._busy = False
        self._filling = False
        #: The amount paid was typed (it no longer follows the cost).
        self._paid_by_hand = False
        #: Units a scan or a pick adds: "20*" typed before the code makes it 20.
        self._times = 1
        #: Asks whether to pay cash the drawer does not hold (see `_drawer_read`).
        self.drawer_box: QMessageBox | None = None
        self.cash_anyway: QPushButton | None = None
        self.resize(980, 620)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_head())
        self.popup = PickList(self)
        self.popup.picked.connect(lambda hit: self.add(hit, self._times))
        # With the field empty: +/− change the selected line's quantity, ↑/↓ move along
        # the lines, Delete removes one (as on the sale screen).
        self.search = SearchField("receiptSearch", self.popup, line_keys=True)
        self.search.submitted.connect(self._entered)
        # Typing (a scanner's next code) drops the old matches: Enter looks the new code up.
        self.search.textEdited.connect(lambda _t: self.popup.hide())
        self.search.stepQuantity.connect(self.step_quantity)
        self.search.moveLine.connect(self._move_selection)
        self.search.removeLine.connect(self.remove_current)
        layout.addWidget(self.search)
        layout.addWidget(self._build_table(), 1)
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setObjectName("formProblem")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        layout.addLayout(self._build_foot())
        # Enter presses no button (none is the default): Enter in the supplier, the note or
        # a cell must not remove a line, add items nor save the receipt unasked.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        #: Asks whether to close and lose the lines (Esc, Cancel) — see `reject`.
        self.discard_box: QMessageBox | None = None
        save_keys = QShortcut(QKeySequence("Ctrl+S"), self)
        save_keys.activated.connect(self.save)
        self.supplier.setText(order.supplier if order is not None else supplier)
        self.supplier.setReadOnly(order is not None)
        self._load_order_costs()
        self.retranslate()
        self.prefill([(t.hit, t.quantity, t.unit_cost) for t in to_come])
        self._refresh()
        self.search.setFocus()
        self.mark_opened()
        Op(self, lambda _job: svc.known_suppliers(ctx)).success(self._suppliers_loaded).run()
        if order is None and self.offers_orders:
            self.supplier.editingFinished.connect(self.look_for_orders)
            self.look_for_orders()

    def _suppliers_loaded(self, names: list[str]) -> None:
        """The suppliers, offered as the name is typed (any of its words, accents and
        case aside)."""
        if not alive(self):
            return
        self.supplier.setCompleter(SupplierCompleter(names, self.supplier))
        self._show_supplier_note()  # a name typed before they came

    def _show_debt(self) -> None:
        """Look up the supplier typed (off the UI thread; an older answer is dropped)."""
        self._lookups += 1
        ticket, text = self._lookups, " ".join(self.supplier.text().split())
        if not text:
            self._show_named(text, None, ticket)
            return
        ctx = self.ctx
        Op(self, lambda _job: _supplier_named(ctx, text)).success(
            lambda found: self._show_named(text, found, ticket)).run()  # fmt: skip

    def _show_named(self, text: str, found: SupplierRow | None, ticket: int) -> None:
        if ticket != self._lookups or not alive(self):
            return
        self.named = (text, found) if text else None
        self._show_supplier_note()

    def _show_supplier_note(self) -> None:
        """The note under the supplier's field (its line is kept while it says nothing)."""
        self.supplier_debt.setText(self.supplier_text())

    def supplier_text(self) -> str:
        """Under the supplier's field: what the supplier typed is owed now (its name too when
        typed by its code), that it is archived, that no supplier has the code typed, or
        that a new supplier will be added."""
        if self.named is None:
            return ""
        text, found = self.named
        if found is None:
            if looks_like_code(text):  # Save refuses it: a typo is not a new supplier
                return self.tr("There is no supplier %1").replace("%1", text)
            near = self.near_suppliers(text)
            if near:  # most likely a known one typed short: say so before a second is added
                return self.tr("Did you mean %1? As typed, a new supplier will be added.").replace(
                    "%1", near[0])  # fmt: skip
            return self.new_supplier_text()
        if not found.is_active:
            return self.tr("%1 is archived: restore it on the Suppliers page first").replace(
                "%1", f"{found.name} ({found.code})")  # fmt: skip
        if found.debt < 0:
            owed = self.tr("Paid in advance: %1").replace("%1", _money(-found.debt))
        else:
            owed = self.tr("Owed now: %1").replace("%1", _money(found.debt))
        return f"{found.name} · {owed}" if looks_like_code(text) else owed

    def new_supplier_text(self) -> str:
        return self.tr("New supplier: added when the receipt is saved")

    def near_suppliers(self, text: str) -> list[str]:
        """The known suppliers whose name holds every word of `text` (the latest first)."""
        completer = self.supplier.completer()
        return completer.matches(text) if isinstance(completer, SupplierCompleter) else []

    # Building -----------------------------------------------------------------------------
    def _build_head(self) -> QFormLayout:
        form = QFormLayout()
        self.supplier = QLineEdit()
        self.supplier.setObjectName("receiptSupplier")
        self.supplier.setMaxLength(svc.MAX_SUPPLIER)
        self.supplier.textChanged.connect(lambda _t: self._refresh())
        self.supplier_debt = QLabel()
        self.supplier_debt.setObjectName("receiptSupplierDebt")
        self.supplier.textChanged.connect(lambda _t: self._show_debt())
        self.note = QLineEdit()
        self.note.setObjectName("receiptNote")
        self.note.setMaxLength(svc.MAX_NOTE)
        self.supplier_label, self.note_label = QLabel(), QLabel()
        self.supplier_label.setBuddy(self.supplier)
        self.note_label.setBuddy(self.note)
        # The note on a line of its own under the field, wrapped: beside it, "Did you mean
        # … a new supplier will be added" left the field ~120 px wide (at 1366 px as at
        # 1024). The line is there while empty: a note coming as a supplier is picked
        # moved the scan field down under the owner's click.
        self.supplier_debt.setWordWrap(True)
        self.supplier_debt.setMinimumHeight(self.supplier_debt.fontMetrics().height())
        supplier_column = QVBoxLayout()
        supplier_column.setSpacing(2)
        supplier_column.addWidget(self.supplier)
        supplier_column.addWidget(self.supplier_debt)
        form.addRow(self.supplier_label, supplier_column)
        form.addRow(self.note_label, self.note)
        #: The supplier's open purchase orders, to receive against (shown when it has some).
        self.order_choice = QComboBox()
        self.order_choice.setObjectName("receiptOrderChoice")
        self.order_choice.activated.connect(self._order_chosen)
        self.order_choice_label = QLabel()
        self.order_choice_label.setBuddy(self.order_choice)
        form.addRow(self.order_choice_label, self.order_choice)
        # Always there on a new receipt (disabled until the supplier has open orders): shown
        # only once a supplier was picked, it pushed the scan field down under the click.
        form.setRowVisible(self.order_choice, self.order is None and self.offers_orders)
        self.order_choice.setEnabled(False)
        #: The purchase order the goods were ordered with (shown when there is one).
        self.order_label = QLabel()
        self.order_label.setObjectName("receiptOrder")
        self.order_label.setWordWrap(True)
        form.addRow(self.order_label)
        self.order_label.setVisible(self.order is not None)
        self.head_form = form
        return form

    def _build_table(self) -> QTableWidget:
        table = self.table = row_table(len(DRAFT_COLUMNS), DRAFT_COLUMNS.index("name"),
                                       editable=True)  # fmt: skip
        table.setObjectName("receiptLines")
        table.itemChanged.connect(self._cell_edited)
        return table

    def _build_foot(self) -> QVBoxLayout:
        foot = QVBoxLayout()
        row = self.tools_row = QHBoxLayout()
        self.remove_button = push_button("receiptRemoveLine", self.remove_current)
        self.import_button = push_button("receiptImport", self.import_lines)
        self.totals = QLabel()
        self.totals.setObjectName("receiptTotals")
        row.addWidget(self.remove_button)
        row.addWidget(self.import_button)
        row.addWidget(self.totals, 1)
        # Under the totals: what was paid to the supplier, how, what is left owed.
        pay = self.pay_row = QHBoxLayout()
        self.paid_label = QLabel()
        # "5000000" typed shows as 5.000.000 once left, as the other amounts of money do.
        self.paid = MoneyEdit("receiptPaid")
        self.paid.setMaximumWidth(180)
        self.paid.textEdited.connect(self._paid_edited)
        self.paid_label.setBuddy(self.paid)
        self.method = method_combo("receiptMethod")
        # Asked, not assumed: cash paid here leaves the drawer (End of day). The way used
        # last on this PC comes preselected; "Not paid yet" leaves it all owed.
        self.method.addItem("", NOT_PAID)
        remembered = remembered_method(self.ctx)
        self.method.setCurrentIndex(
            -1 if remembered is None else self.method.findData(remembered.value)
        )
        self.method.setStyleSheet(MISSING_STYLE)
        self.method.currentIndexChanged.connect(self._method_chosen)
        self.owed = QLabel()
        self.owed.setObjectName("receiptOwed")
        self.labels_check = QCheckBox()
        self.labels_check.setObjectName("receiptLabels")
        self.save_button = push_button("primaryButton", self.save)
        self.cancel_button = push_button("receiptCancel", self.reject)
        pay.addWidget(self.paid_label)
        pay.addWidget(self.paid)
        pay.addWidget(self.method)
        pay.addWidget(self.owed, 1)
        pay.addWidget(self.labels_check)
        pay.addWidget(self.save_button)
        pay.addWidget(self.cancel_button)
        foot.addLayout(row)
        foot.addLayout(pay)
        return foot

    # Text ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        order = self.order
        self.setWindowTitle(self.tr("Receive the goods of %1").replace("%1", order.code)
                            if order is not None else self.tr("New goods receipt"))  # fmt: skip
        if order is not None:
            # A quantity of 0 is refused: a line that did not come is removed.
            self.order_label.setText(self.tr(
                "Against purchase order %1: the lines are what is still to come. Lower what "
                "came short; remove a line that did not come at all.").replace(
                "%1", order.code))  # fmt: skip
        self.supplier_label.setText(self.tr("&Supplier"))
        self.note_label.setText(self.tr("&Note"))
        self.order_choice_label.setText(self.tr("Against &order"))
        self.order_choice.setToolTip(self.tr(
            "The supplier's purchase orders still awaiting goods: receive this delivery "
            "against one (its lines added, what came counted on the order)"))  # fmt: skip
        self.supplier.setPlaceholderText(self.tr("optional: who delivered"))
        self.note.setPlaceholderText(self.tr("optional: delivery note number…"))
        self.search.setPlaceholderText(self.tr(
            "Scan a barcode, or type a SKU or product name and press Enter (20* before it: "
            "20 units)"))  # fmt: skip
        self.table.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Available"), self.tr("Quantity"),
            self.tr("Unit cost"), self.tr("Amount"),
        ])  # fmt: skip
        self.remove_button.setText(self.tr("Remove line"))
        self.import_button.setText(self.tr("Import lines…"))
        self.import_button.setToolTip(self.tr(
            "Add the lines of a supplier's list (.xlsx or .csv with the columns sku, "
            "quantity and, optionally, unit_cost)"))  # fmt: skip
        self.paid_label.setText(self.tr("&Paid to supplier"))
        self.paid.setToolTip(self.tr(
            "Paid to the supplier with this delivery (the whole cost unless you type less): "
            "the rest is owed to it (Products → Suppliers). Without a supplier nothing is "
            "paid."))  # fmt: skip
        self.method.setToolTip(self.tr(
            "How the supplier was paid: cash from the drawer comes off End of day's cash; "
            "Not paid yet leaves it all owed to the supplier"))  # fmt: skip
        fill_methods(self.method)
        self.method.setItemText(0, self.tr("Cash from the drawer"))
        self.method.setItemText(self.method.findData(NOT_PAID), self.tr("Not paid yet (owe it)"))
        self.method.setPlaceholderText(self.tr("How was it paid?"))
        self.labels_check.setText(self.tr("Print barcode labels after saving"))
        self.save_button.setText(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Receive the goods (Ctrl+S)"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._show_supplier_note()
        self._refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # Finding products ---------------------------------------------------------------------
    def _entered(self, text: str) -> None:
        # "20*code": 20 of what the code names; "20*" alone: the selected line's quantity.
        quantity, text = split_times(text)
        self._times = 1
        if quantity is not None:
            if not 0 < quantity <= MAX_RECEIPT_QUANTITY:
                self.show_problem(self.tr("Type 1 to %1 before the *.").replace(
                    "%1", _num(MAX_RECEIPT_QUANTITY)))  # fmt: skip
                self.search.selectAll()
                return
            if not text:  # "20*" alone: the selected line (the one scanned last) gets 20
                self.set_current_quantity(quantity)
                return
            self._times = quantity
        if not text:
            return
        try:
            hit = svc.find_variant(self.ctx, text)
            hits = [] if hit is not None else svc.search_variants(self.ctx, text)
        except PrimedistError as exc:
            self.show_problem(error_text(exc))
            return
        if hit is not None:
            self.add(hit, self._times)
            return
        rows = [(self._hit_text(h), h) for h in hits]
        self.popup.show_rows(
            self.search, rows, self.tr("No product matches “%1”").replace("%1", text)
        )
        if not rows:  # selected: the next scan replaces the unknown code, not types after it
            self.search.selectAll()

    def _hit_text(self, hit: VariantHit) -> str:
        name = f"{hit.product_name} — {hit.variant_name}" if hit.variant_name else hit.product_name
        stock = self.tr("%1 available").replace("%1", _num(hit.available))
        return f"{name}   ·   {hit.sku}   ·   {stock}"

    def add(self, hit: object, quantity: int = 1) -> None:
        """`quantity` more of `hit` (one a scan): on its line, or a new line; the search
        is cleared."""
        assert isinstance(hit, VariantHit)
        self.search.clear()
        self.popup.hide()
        self._times = 1
        for row, line in enumerate(self.lines):
            if line.hit.variant_id == hit.variant_id:
                self.lines[row] = replace(line, quantity=min(line.quantity + quantity,
                                                             MAX_RECEIPT_QUANTITY))  # fmt: skip
                break
        else:
            if len(self.lines) >= MAX_RECEIPT_LINES:
                self.show_problem(self.tr("A receipt takes at most %1 lines.").replace(
                    "%1", _num(MAX_RECEIPT_LINES)))  # fmt: skip
                return
            self.lines.append(replace(self._new_line(hit), quantity=quantity))
            row = len(self.lines) - 1
        self._fill()
        self.table.selectRow(row)  # scrolls to it
        self.search.setFocus()

    def _new_line(self, hit: VariantHit) -> DraftLine:
        """A line of `hit` at the cost a purchase order line starts at (the last charged,
        else the product's cost), so goods are not received at 0 when the column is skipped;
        against an order its expected cost comes first (`_at_order_cost`)."""
        line = DraftLine(hit)
        if hit.variant_id in self.order_costs:
            return line
        try:
            cost = starting_costs(self.ctx, [hit.variant_id]).get(hit.variant_id)
        except PrimedistError:  # no cost filled in: the owner types it
            return line
        if cost is None:
            return line
        return replace(self._with_cost(line, str(cost)), cost_filled=True)

    def prefill(self, lines: Iterable[tuple[VariantHit, int, int | None]]) -> str:
        """Add these (variant, quantity, unit cost) lines, all or none: a quantity is added
        to the line of its variant already there, at the same unit cost. A different cost,
        or one given on one side only, is refused as the delivery list's reader refuses a
        SKU's two rows (the units there would be re-priced), and so is more than
        `MAX_RECEIPT_QUANTITY` in all. Returns why nothing was added ('' once added)."""
        merged = list(self.lines)
        at = {line.hit.variant_id: i for i, line in enumerate(merged)}
        for hit, quantity, cost in lines:
            i = at.get(hit.variant_id)
            if i is None:
                line = DraftLine(hit, quantity)
                at[hit.variant_id] = len(merged)
                merged.append(self._with_cost(line, str(cost)) if cost is not None else line)
                continue
            refusal = self._clash(merged[i], quantity, cost)
            if refusal:
                self._refresh()
                self.show_problem(refusal)
                return refusal
            if merged[i].cost_filled and cost is not None:
                merged[i] = self._with_cost(merged[i], str(cost))
            merged[i] = replace(merged[i], quantity=merged[i].quantity + quantity)
        self.lines = merged
        self._fill()
        return ""

    def _clash(self, line: DraftLine, quantity: int, cost: int | None) -> str:
        """Why `quantity` more at `cost` cannot join `line` ('' when it can). Against an
        order a cost not given is the order's (as saving takes it)."""
        sku, expected = line.hit.sku, self.order_costs.get(line.hit.variant_id)
        total = line.quantity + quantity
        if total > MAX_RECEIPT_QUANTITY:
            return self.tr("SKU %1: %2 in all is more than %3. Nothing was added.").replace(
                "%1", sku).replace("%2", _num(total)).replace(
                "%3", _num(MAX_RECEIPT_QUANTITY))  # fmt: skip
        given = cost if cost is not None else expected
        if line.cost_filled:  # not typed: what comes replaces it (or joins at it)
            clash = False
        elif not line.cost_ok:  # what was typed is no amount: fine while no cost comes along
            clash = cost is not None
        else:
            typed = line.unit_cost if line.unit_cost is not None else expected
            if (typed is None) != (given is None):
                return self.tr("SKU %1 is on the receipt already and comes again with a unit "
                               "cost on one only: give it on both or on neither. Nothing was "
                               "added.").replace("%1", sku)  # fmt: skip
            clash = typed != given
        if clash:
            return self.tr("SKU %1 is on the receipt already at a unit cost of %2 and comes "
                           "again at %3: give one. Nothing was added.").replace(
                "%1", sku).replace("%2", line.cost_text or _money(expected)).replace(
                "%3", _money(given))  # fmt: skip
        return ""

    # Receiving against an order ----------------------------------------------------------
    def look_for_orders(self) -> None:
        """Offer the open purchase orders of the supplier typed (none: the choice hidden)."""
        name = " ".join(self.supplier.text().split())
        if not name:
            self._show_orders(name, [])
            return
        ctx = self.ctx
        Op(self, lambda _job: open_orders(ctx, name)).success(
            lambda rows: self._show_orders(name, rows)).run()  # fmt: skip

    def _show_orders(self, name: str, rows: list[OrderRow]) -> None:
        if not alive(self) or self.order is not None:
            return
        if name != " ".join(self.supplier.text().split()):
            return  # typed on since: the newer look-up answers
        self.open_orders = rows
        self.order_choice.clear()
        if not rows:
            self.order_choice.addItem(self.tr("No purchase order awaits goods from this "
                                              "supplier") if name else
                                      self.tr("Not against an order"), None)  # fmt: skip
        else:
            self.order_choice.addItem(self.tr("Not against an order"), None)
        for row in rows:
            text = self.tr("%1 · %2 units to come").replace("%1", row.code).replace(
                "%2", _num(row.awaited_units))  # fmt: skip
            if row.expected_on is not None:
                text += " · " + self.tr("expected %1").replace(
                    "%1", format_date(row.expected_on, current_language()))  # fmt: skip
            self.order_choice.addItem(text, row.id)
        self.order_choice.setEnabled(bool(rows))

    def _order_chosen(self, index: int) -> None:
        """Against the order chosen: its supplier fixed and what is still to come of it
        added to the lines; "not against an order" (or another order) takes its lines off
        again — asking first when they were changed — and frees the supplier."""
        order_id = self.order_choice.itemData(index)
        if order_id == (self.order.id if self.order is not None else None):
            return
        if self.order is not None and self._lines_key() != self._as_loaded:
            self._ask_leave_order(order_id)
            return
        self._switch_order(order_id)

    def _switch_order(self, order_id: int | None) -> None:
        if order_id is None:
            self._leave_order()
            return
        ctx = self.ctx
        Op(self, lambda _job: to_receive(ctx, int(order_id))).success(
            lambda got: self._order_loaded(*got)).failure(self._failed).run()  # fmt: skip

    def _lines_key(self) -> tuple[object, ...]:
        return tuple((ln.hit.variant_id, ln.quantity, ln.cost_text) for ln in self.lines)

    def _leave_order(self) -> None:
        """Not against the order any more: the lines as they were before it came in."""
        if self._before_order is not None:
            self.lines, self._before_order = list(self._before_order), None
        self.awaited = {}
        self._set_order(None)
        self._fill()

    def _ask_leave_order(self, order_id: int | None) -> None:
        """The order's lines were changed: ask before they go (the choice stays on the
        order meanwhile, and on No)."""
        assert self.order is not None
        self._show_choice()
        buttons = QMessageBox.StandardButton
        text = self.tr("Take the lines of %1 off the receipt? What you changed on them is "
                       "lost.").replace("%1", self.order.code)  # fmt: skip
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(), text,
                          buttons.Yes | buttons.No, self)  # fmt: skip
        box.setObjectName("leaveOrder")
        box.setDefaultButton(buttons.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._leave_answered(box, order_id))
        self.order_box = box
        box.open()

    def _leave_answered(self, box: QMessageBox, order_id: int | None) -> None:
        if alive(self) and box.clickedButton() is box.button(QMessageBox.StandardButton.Yes):
            index = self.order_choice.findData(order_id) if order_id is not None else 0
            self.order_choice.setCurrentIndex(max(index, 0))
            self._switch_order(order_id)

    def _show_choice(self) -> None:
        """`order_choice` on the order the receipt is against (or on none)."""
        index = self.order_choice.findData(self.order.id) if self.order is not None else 0
        self.order_choice.setCurrentIndex(max(index, 0))

    def _order_loaded(self, order: OrderRow, to_come: list[ToReceive]) -> None:
        """The order's lines join those typed before it was chosen (another order's make
        way). All or none: when they cannot join (a SKU typed at another cost), the receipt
        stays as it was, not against the order, and says why."""
        if not alive(self):
            return
        kept, kept_costs = self.lines, self.order_costs
        before = list(self._before_order if self._before_order is not None else self.lines)
        self.lines = list(before)
        # What the order expects, known now (the whole list follows): a line typed without
        # a cost takes it, as saving does, and meets the order's line at the same cost.
        self.order_costs = {t.hit.variant_id: t.unit_cost for t in to_come
                            if t.unit_cost is not None}  # fmt: skip
        refusal = self.prefill([(t.hit, t.quantity, t.unit_cost) for t in to_come])
        if refusal:
            self.lines, self.order_costs = kept, kept_costs
            self._fill()
            self._show_choice()
            self.show_problem(self.tr("%1 was not chosen: %2").replace(
                "%1", order.code).replace("%2", refusal))  # fmt: skip
            return
        self._before_order = before
        self.awaited = _awaited(to_come)
        self._set_order(order)
        self._fill()  # the lines above what the order awaits marked
        self._as_loaded = self._lines_key()

    def _set_order(self, order: OrderRow | None) -> None:
        self.order = order
        self.supplier.setReadOnly(order is not None)
        self.order_label.setVisible(order is not None)
        self._load_order_costs()
        self.retranslate()

    def _load_order_costs(self) -> None:
        self.order_costs = {}
        if self.order is None:
            return
        ctx, order_id = self.ctx, self.order.id
        Op(self, lambda _job: svc.expected_costs(ctx, order_id)).success(
            lambda costs: self._order_costs_loaded(order_id, costs)).run()  # fmt: skip

    def _order_costs_loaded(self, order_id: int, costs: dict[int, int]) -> None:
        if not alive(self) or self.order is None or self.order.id != order_id:
            return
        self.order_costs = costs
        self._fill()

    def _at_order_cost(self, line: DraftLine) -> DraftLine:
        """`line` at the order's expected cost when none is typed (as saving does)."""
        cost = self.order_costs.get(line.hit.variant_id)
        typed = line.unit_cost is not None and not line.cost_filled
        if cost is None or typed or not line.cost_ok:
            return line
        return self._with_cost(line, str(cost))

    def import_lines(self) -> None:
        path = ask_open_file(
            self, self.ctx, IMPORT, self.tr("Import the lines of a delivery"),
            self.tr("Spreadsheets (*.xlsx *.csv *.txt)"),
        )  # fmt: skip
        if path is not None:
            self.import_from(path)

    def import_from(self, path: Path) -> None:
        """Add the file's lines (quantities added to lines already there; a cost in the
        file replaces the one typed)."""
        ctx = self.ctx
        self._busy = True
        self._refresh()
        Op(self, lambda _job: svc.read_receipt_file(ctx, path), engine=ctx.engine,
           title=self.tr("Reading the delivery list")).success(self._imported).failure(
            self._failed).run()  # fmt: skip

    def _imported(self, read: list[svc.FileLine]) -> None:
        if not alive(self):
            return
        self._busy = False
        self.prefill([(got.hit, got.quantity, got.unit_cost) for got in read])

    def set_current_quantity(self, quantity: int) -> None:
        """ "20*" and Enter: the selected line's quantity is 20 (the field cleared)."""
        row = self.table.currentRow()
        if not 0 <= row < len(self.lines):
            self.show_problem(self.tr("Scan the product first, then type 20* and Enter to "
                                      "make it 20."))  # fmt: skip
            self.search.selectAll()
            return
        self.search.clear()
        self.lines[row] = replace(self.lines[row], quantity=quantity)
        self._fill()
        self.table.selectRow(row)

    def step_quantity(self, delta: int) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.lines):
            quantity = max(1, min(self.lines[row].quantity + delta, MAX_RECEIPT_QUANTITY))
            self.lines[row] = replace(self.lines[row], quantity=quantity)
            self._fill()
            self.table.selectRow(row)

    def _move_selection(self, delta: int) -> None:
        if self.lines:
            row = max(0, min(self.table.currentRow() + delta, len(self.lines) - 1))
            self.table.selectRow(row)

    def remove_current(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.lines):
            del self.lines[row]
            self._fill()

    # Lines --------------------------------------------------------------------------------
    def _fill(self) -> None:
        self.lines = [self._at_order_cost(line) for line in self.lines]
        self._filling = True
        table = self.table
        table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            hit = line.hit
            name = (
                f"{hit.product_name} — {hit.variant_name}" if hit.variant_name else hit.product_name
            )
            cells: list[Any] = [hit.sku, name, _num(hit.available), line.quantity,
                                line.cost_text, _money(line.amount)]  # fmt: skip
            for col, value in enumerate(cells):
                cell = QTableWidgetItem()
                if col == QTY:
                    cell.setData(Qt.ItemDataRole.EditRole, value)
                else:
                    cell.setText(str(value))
                if col not in (QTY, COST):
                    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col >= DRAFT_COLUMNS.index("available"):
                    cell.setTextAlignment(RIGHT)
                if col == COST and not line.cost_ok:
                    cell.setForeground(PROBLEM)
                if col == QTY and self.over_by(line):
                    self._mark_over(cell, line)
                table.setItem(row, col, cell)
        self._filling = False
        self._refresh()

    def over_by(self, line: DraftLine) -> int:
        """How many units of `line` the order does not await (0 off an order)."""
        awaited = self.awaited.get(line.hit.variant_id)
        return 0 if awaited is None else max(line.quantity - awaited, 0)

    def _mark_over(self, cell: QTableWidgetItem, line: DraftLine) -> None:
        assert self.order is not None
        cell.setForeground(OVER)
        cell.setToolTip(self.tr("%1 still awaits %2 of it: %3 more than that came.").replace(
            "%1", self.order.code).replace("%2", _num(self.awaited[line.hit.variant_id])).replace(
            "%3", _num(self.over_by(line))))  # fmt: skip

    def over_text(self) -> str:
        """The totals' " · N units more than DHN… still awaits" ('' when none is over)."""
        over = sum(self.over_by(line) for line in self.lines)
        if not over or self.order is None:
            return ""
        return " · " + self.tr("%1 more than %2 still awaits").replace(
            "%1", count_text(over, self.tr("%n unit"), self.tr("%n units"))).replace(
            "%2", self.order.code)  # fmt: skip

    def _cell_edited(self, cell: QTableWidgetItem) -> None:
        if self._filling or not 0 <= cell.row() < len(self.lines):
            return
        line = self.lines[cell.row()]
        if cell.column() == QTY:
            value = int(cell.data(Qt.ItemDataRole.EditRole) or 0)
            self.lines[cell.row()] = replace(line, quantity=value)
        elif cell.column() == COST:
            self.lines[cell.row()] = self._with_cost(line, cell.text())
        else:
            return
        self._fill()

    @staticmethod
    def _with_cost(line: DraftLine, text: str) -> DraftLine:
        text = text.strip()
        try:
            cost = parse_money(text, current_language()) if text else None
        except ValueError:
            return replace(line, unit_cost=None, cost_text=text, cost_ok=False, cost_filled=False)
        if cost is not None and cost < 0:
            return replace(line, unit_cost=None, cost_text=text, cost_ok=False, cost_filled=False)
        # Shown as the amount beside it is ("45.000 ₫"); typed again, that reads back.
        shown = "" if cost is None else _money(cost)
        return replace(line, unit_cost=cost, cost_text=shown, cost_ok=True, cost_filled=False)

    def set_quantity(self, row: int, quantity: int) -> None:
        item = self.table.item(row, QTY)
        assert item is not None
        item.setData(Qt.ItemDataRole.EditRole, quantity)

    def set_cost(self, row: int, text: str) -> None:
        item = self.table.item(row, COST)
        assert item is not None
        item.setText(text)

    def problem_text(self) -> str:
        """Why Save is disabled ('' when the receipt can be saved)."""
        if not self.lines:
            return self.tr("Scan or search the products that came in.")
        problem = self.lines_problem()
        if problem:
            return problem
        paid, cost = self.paid_amount(), self.total_cost()
        if paid is None:
            return self.tr("Type the amount paid to the supplier as an amount of money, "
                           "e.g. 45.000.")  # fmt: skip
        if not 0 <= paid <= cost:
            return self.tr("The amount paid to the supplier must be 0 to the receipt's cost "
                           "(%1).").replace("%1", _money(cost))  # fmt: skip
        return ""

    def lines_problem(self) -> str:
        """The first line with a quantity or cost that cannot be saved ('' when none)."""
        for n, line in enumerate(self.lines, 1):
            if not 0 < line.quantity <= MAX_RECEIPT_QUANTITY:
                return self.tr("Line %1: the quantity must be 1 to %2.").replace(
                    "%1", str(n)).replace("%2", _num(MAX_RECEIPT_QUANTITY))  # fmt: skip
            if not line.cost_ok:
                return self.tr("Line %1: type the unit cost as an amount of money, e.g. 45.000.") \
                    .replace("%1", str(n))  # fmt: skip
        return ""

    def total_cost(self) -> int:
        return sum(line.amount or 0 for line in self.lines)

    def paid_amount(self) -> int | None:
        """Paid to the supplier: the cost until an amount is typed (nothing typed: 0);
        None when what is typed is not an amount of money. Nothing without a supplier:
        the money would be on no one's account nor in End of day's cash."""
        if not self.supplier.text().strip():
            return 0
        if not self._paid_by_hand:
            return self.total_cost()
        text = self.paid.text().strip()
        try:
            return parse_money(text, current_language()) if text else 0
        except ValueError:
            return None

    def _paid_edited(self, _text: str) -> None:
        self._paid_by_hand = True
        self._refresh()

    def _method_chosen(self, _index: int) -> None:
        """ "Not paid yet": nothing paid, the field at 0; a way of paying after it: the
        amount follows the cost again."""
        if self.method.currentData() == NOT_PAID:
            self._paid_by_hand = True
            self.paid.setText("0")
        elif self._paid_by_hand and not self.paid.isEnabled():
            self._paid_by_hand = False
        self._refresh()

    def paying(self) -> bool:
        """Money goes to the supplier with the delivery (a supplier named, more than 0)."""
        paid = self.paid_amount()
        return bool(self.supplier.text().strip()) and paid is not None and paid > 0

    def method_missing(self) -> bool:
        """Something is paid but how has not been chosen (Save asks for it)."""
        return self.paying() and self.method.currentData() in (None, NOT_PAID)

    def method_text(self) -> str:
        return self.tr("Choose how the supplier was paid (cash from the drawer, bank "
                       "transfer…), or Not paid yet.")  # fmt: skip

    def set_paid(self, text: str) -> None:
        """Type `text` as the amount paid (as the user would)."""
        self.paid.setText(text)
        self._paid_edited(text)

    def _refresh(self) -> None:
        units = sum(line.quantity for line in self.lines)
        cost = self.total_cost()
        self.totals.setText(
            count_text(len(self.lines), self.tr("%n line"), self.tr("%n lines")) + " · "
            + count_text(units, self.tr("%n unit"), self.tr("%n units")) + " · "
            + self.tr("cost %1").replace("%1", _money(cost)) + self.over_text()
        )  # fmt: skip
        named = bool(self.supplier.text().strip())
        not_paid = self.method.currentData() == NOT_PAID
        self.paid.setEnabled(named and not not_paid)
        if not named:  # nothing is paid to no one; naming one starts from the cost again
            self._paid_by_hand = False
        if not self._paid_by_hand:
            shown = format_number(cost if named else 0, current_language())
            if self.paid.text() != shown:
                self.paid.setText(shown)
        paid = self.paid_amount()
        owed = cost - paid if named and paid is not None and 0 <= paid < cost else 0
        self.owed.setText(self.tr("Owed: %1").replace("%1", _money(owed)) if owed else "")
        # Nothing typed as paid: no way of paying to choose (but back from "Not paid yet").
        self.method.setEnabled(named and (bool(paid) or not_paid))
        if not self.method_missing():
            set_style_property(self.method, "invalid", False)
        problem = self.problem_text()
        if not problem and self.method.property("invalid"):
            problem_shown = self.method_text()
        else:
            problem_shown = problem
        self.show_problem(problem_shown if self.lines else "")
        self.save_button.setEnabled(not problem and not self._busy)
        self.remove_button.setEnabled(bool(self.lines) and not self._busy)
        self.import_button.setEnabled(not self._busy)

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    # Saving -------------------------------------------------------------------------------
    def draft(self) -> svc.ReceiptDraft:
        return svc.ReceiptDraft(
            [svc.ReceiptLine(ln.hit.variant_id, ln.quantity, ln.unit_cost) for ln in self.lines],
            supplier=self.supplier.text(), note=self.note.text(),
            paid=self.paid_amount() if self._paid_by_hand and self.supplier.text().strip()
            else None,
            method=self.chosen_method(),
            purchase_order_id=self.order.id if self.order is not None else None,
        )  # fmt: skip

    def chosen_method(self) -> PaymentMethod:
        """The way chosen (cash when none is: then nothing is paid, `method_missing`)."""
        data = self.method.currentData()
        return PaymentMethod.CASH if data in (None, NOT_PAID) else PaymentMethod(data)

    def save(self) -> None:
        if self._busy or self.problem_text():
            return
        if self.method_missing():  # asked, not assumed: the field marked, said why
            set_style_property(self.method, "invalid", True)
            self._refresh()
            self.method.setFocus()
            return
        if self.paying() and self.method.currentData() == PaymentMethod.CASH.value:
            self._check_drawer()
            return
        self._save_now()

    def _check_drawer(self) -> None:
        """Cash paid beyond what the drawer should hold today: asked first (`_drawer_read`)."""
        ctx, paid = self.ctx, self.paid_amount() or 0
        self._busy = True
        self._refresh()
        Op(self, lambda _job: drawer_cash_now(ctx)).success(
            lambda cash: self._drawer_read(cash, paid)).failure(self._failed).run()  # fmt: skip

    def _drawer_read(self, cash: int | None, paid: int) -> None:
        if not alive(self):
            return
        self._busy = False
        self._refresh()
        if cash is None or paid <= cash:  # None: a user who does not see the day's cash
            self._save_now()
            return
        text = self.tr("The drawer holds about %1 today; paying %2 in cash takes it below "
                       "zero. Pay by transfer or another way?").replace(
            "%1", _money(cash)).replace("%2", _money(paid))  # fmt: skip
        box = QMessageBox(QMessageBox.Icon.Warning, self.windowTitle(), text,
                          QMessageBox.StandardButton.NoButton, self)  # fmt: skip
        box.setObjectName("drawerShort")
        self.cash_anyway = box.addButton(self.tr("Pay in cash anyway"),
                                         QMessageBox.ButtonRole.AcceptRole)  # fmt: skip
        change = box.addButton(self.tr("Choose another way"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(change)
        box.setEscapeButton(change)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._drawer_answered(box))
        self.drawer_box = box
        box.open()

    def _drawer_answered(self, box: QMessageBox) -> None:
        if not alive(self):
            return
        if box.clickedButton() is self.cash_anyway:
            self._save_now()
        else:
            self.method.setFocus()

    def _save_now(self) -> None:
        if self._busy or self.problem_text():
            return
        ctx, draft = self.ctx, self.draft()
        if self.paying():  # the way chosen comes preselected next time, on this PC
            remember_method(ctx, draft.method)
        quantities = {ln.hit.variant_id: ln.quantity for ln in self.lines}
        labels = self.labels_check.isChecked()
        self._busy = True
        self._refresh()
        Op(self, lambda _job: svc.receive_goods(ctx, draft), engine=ctx.engine,
           title=self.tr("Receiving goods")).success(
            lambda row: self._saved(row, quantities, labels)
        ).failure(self._failed).run()  # fmt: skip

    def _saved(self, row: svc.ReceiptRow, quantities: dict[int, int], labels: bool) -> None:
        if not shiboken6.isValid(self):
            return
        self.received.emit(row, quantities)
        self.accept()
        if labels:
            self.labelsRequested.emit(quantities)

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self._busy = False
        self._refresh()
        report_in(self.problem, self, exc)
        self.problem.setVisible(bool(self.problem.text()))

    # Closing ------------------------------------------------------------------------------
    def draft_state(self) -> tuple[object, ...]:
        """What closing unsaved would lose: the lines, the texts typed, the amount paid."""
        lines = tuple((ln.hit.variant_id, ln.quantity, ln.cost_text) for ln in self.lines)
        paid = self.paid.text() if self._paid_by_hand else None
        return lines, self.supplier.text().strip(), self.note.text().strip(), paid

    def mark_opened(self) -> None:
        """What the dialog opened with (an order's lines, a supplier chosen): closing
        loses nothing until it changes."""
        self._opened = self.draft_state()

    def has_unsaved(self) -> bool:
        return self.draft_state() != self._opened

    def discard_text(self) -> str:
        if not self.lines:
            return self.tr("Discard what you typed on this receipt?")
        return count_text(len(self.lines), self.tr("Discard this receipt's %n line?"),
                          self.tr("Discard this receipt's %n lines?"))  # fmt: skip

    def reject(self) -> None:
        """Esc, Cancel, the window's ×: asks first when lines were scanned or text typed
        (as the sale screen does); the question is `discard_box`."""
        if not self.has_unsaved():
            super().reject()
            return
        asking = self.discard_box
        if asking is not None and alive(asking) and asking.isVisible():
            return  # asked already
        buttons = QMessageBox.StandardButton
        box = QMessageBox(QMessageBox.Icon.Question, self.windowTitle(), self.discard_text(),
                          buttons.Yes | buttons.No, self)  # fmt: skip
        box.setObjectName("discardDraft")
        box.setDefaultButton(buttons.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: self._discard_answered(box))
        self.discard_box = box
        box.open()

    def _discard_answered(self, box: QMessageBox) -> None:
        if alive(self) and box.clickedButton() is box.button(QMessageBox.StandardButton.Yes):
            super().reject()


class GoodsReceiptsPage(SearchedRowsFollow, QWidget):
    """The receipts list (newest first, search), the selected one's lines (and the goods
    of it returned to the supplier), New goods receipt, Return to supplier…, Cancel
    receipt… and Print labels of a receipt."""

    #: Print labels for these variants (variant id → copies).
    labelsRequested = Signal(object)
    #: A receipt was saved, cancelled or goods of it went back to the supplier: stock and
    #: what is owed to suppliers changed (the products list and Suppliers page refresh).
    stockChanged = Signal()
    #: Open this purchase order (its id and code) on the Purchase orders page: its cell
    #: clicked, or Enter on a receipt made against one.
    orderRequested = Signal(int, str)

    COLUMNS = ("code", "date", "supplier", "order", "lines", "units", "cost", "paid", "by")

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("goodsReceiptsPage")
        self.ctx = ctx
        self.rows: list[svc.ReceiptRow] = []
        self.lines: list[svc.ReceiptLineRow] = []
        #: The selected receipt's returns to the supplier (loaded with its lines).
        self.returns: list[ReturnRow] = []
        #: What the selected receipt's supplier is owed now (read with its lines when the
        #: receipt left some unpaid; None otherwise).
        self.supplier_debt: int | None = None
        self.dialog: GoodsReceiptDialog | None = None
        self.return_dialog: SupplierReturnDialog | None = None
        #: The receipt to select once the list is read again (None: the newest).
        self._keep: int | None = None
        #: The search of the last read (what a read for a change made elsewhere runs).
        self._searched = ""
        self.last_export: Any = None
        self.cancel_box: QInputDialog | None = None
        self._ticket = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("receiptsSearch")
        self.search.setClearButtonEnabled(True)
        mark_search(self.search)  # Ctrl+F
        self.search.returnPressed.connect(self.refresh)
        self.search.textChanged.connect(lambda text: self.refresh() if not text else None)
        # Room to type a code or a supplier's name, whatever the buttons beside it need.
        self.search.setMinimumWidth(SEARCH_MIN_WIDTH)
        self.count = QLabel()
        self.count.setObjectName("muted")
        #: What was done last (printed, a return recorded …), on a line of its own under the
        #: buttons; worded again in a new language (`_status_of`).
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.status.hide()
        self._status_of: Callable[[], str] | None = None
        self.labels_button = push_button("receiptLabelsButton", self.print_labels)
        # Cancel ▾: the receipt, or one of its standing returns to the supplier.
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName("receiptCancelButton")
        self.cancel_menu = QMenu(self.cancel_button)
        self.cancel_receipt_action = self.cancel_menu.addAction("", lambda: self.ask_cancel())
        #: One "Cancel the return TH…" a standing return of the selected receipt.
        self.cancel_return_actions: list[QAction] = []
        self.cancel_button.setMenu(self.cancel_menu)
        self.return_button = push_button("receiptReturnButton", self.return_goods)
        self.export_button = push_button("receiptsExportButton", self.export)
        self.print_button = QPushButton()
        self.print_button.setObjectName("receiptPrintButton")
        self.print_menu = QMenu(self.print_button)
        self.print_action = self.print_menu.addAction("", lambda: self.print_receipt())
        self.pdf_action = self.print_menu.addAction("", self.save_pdf)
        #: One "Print return TH…" a return of the selected receipt (rebuilt with its lines).
        self.return_actions: list[QAction] = []
        self.print_button.setMenu(self.print_menu)
        self.new_button = push_button("addProductButton", self.new_receipt)
        # Short of room (1024 px), the least used buttons go into More: the search and
        # its count were overlapped; New goods receipt stays.
        actions = self.actions_row = WholeActionRow()
        actions.add_stretch()
        for button in (self.return_button, self.cancel_button, self.print_button,
                       self.labels_button, self.export_button):  # fmt: skip
            actions.add(button)
        actions.add_more()
        actions.add(self.new_button)
        actions.set_overflow_order((self.export_button, self.labels_button, self.print_button,
                                    self.cancel_button, self.return_button))  # fmt: skip
        top.addWidget(self.search, 1)
        top.addWidget(self.count)
        top.addWidget(actions)
        layout.addLayout(top)
        layout.addWidget(self.status)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("formProblem")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.table = row_table(len(self.COLUMNS), self.COLUMNS.index("supplier"))
        self.table.setObjectName("receiptsTable")
        self.spare = spare_supplier_width(self.table, self.COLUMNS, ("lines", "units", "by"))
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.cellClicked.connect(self._cell_clicked)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            enter = QShortcut(QKeySequence(key), self.table)
            enter.setContext(Qt.ShortcutContext.WidgetShortcut)
            enter.activated.connect(self.open_order)
        layout.addWidget(self.table, 3)
        #: The list was read once: before, an empty table is no news (no hint).
        self.listed = False
        self.empty_hint = EmptyHint(self.table, self.empty_texts,
                                    lambda: bool(self.search.text().strip()))  # fmt: skip
        self.lines_title = QLabel()
        self.lines_title.setTextFormat(Qt.TextFormat.PlainText)
        self.lines_title.setObjectName("sectionTitle")
        # Its returns, what is unpaid and the supplier's debt now: on a 1024-pixel window
        # one line cut the debt's amount ("Hiện còn nợ nhà cung cấp: 9.5").
        self.lines_title.setWordWrap(True)
        layout.addWidget(self.lines_title)
        self.lines_table = row_table(6, 1)
        self.lines_table.setObjectName("receiptLinesTable")
        layout.addWidget(self.lines_table, 2)
        self.retranslate()
        self.refresh()

    def empty_texts(self) -> tuple[str, str]:
        if not self.listed:
            return "", ""
        return (
            self.tr("No goods receipts match the search."),
            self.tr("No goods receipts yet: when a delivery comes in, record it with New "
                    "goods receipt; its goods go into stock at their cost."),
        )  # fmt: skip

    def retranslate(self) -> None:
        self.empty_hint.update_hint()
        self.search.setPlaceholderText(self.tr("Search by code, supplier, note or SKU"))
        self.labels_button.setText(self.tr("Print labels"))
        self.labels_button.setToolTip(
            self.tr("Print barcode labels for the selected receipt's goods")
        )
        self.new_button.setText(self.tr("New goods receipt"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._retranslate_cancel_receipt()
        self.return_button.setText(self.tr("Return to supplier…"))
        self.return_button.setToolTip(
            self.tr("Send goods of the selected receipt back to the supplier (faulty, wrong, "
                    "too many): they leave stock and the shop owes the supplier less"))  # fmt: skip
        self.cancel_button.setToolTip(
            self.tr("Cancel the selected receipt (entered by mistake): its goods are taken "
                    "back out of stock"))  # fmt: skip
        self.export_button.setText(self.tr("Export"))
        self.print_button.setText(self.tr("Print"))
        self.print_action.setText(self.tr("Print the goods receipt"))
        self.pdf_action.setText(self.tr("Save as PDF…"))
        self.print_button.setToolTip(
            self.tr("The selected receipt as a document to sign (on the invoice's printer "
                    "and paper)"))  # fmt: skip
        self.export_button.setToolTip(
            self.tr("Export the lines of the receipts listed (every one that matches the "
                    "search) to Excel"))  # fmt: skip
        gate_export(self.export_button, self.ctx)
        self.table.setHorizontalHeaderLabels([
            self.tr("Code"), self.tr("Received"), self.tr("Supplier"), self.tr("PO"),
            self.tr("Lines"), self.tr("Units"), self.tr("Cost"), self.tr("Paid"),
            self.tr("Received by"),
        ])  # fmt: skip
        self.lines_table.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Quantity"), self.tr("Returned"),
            self.tr("Unit cost"), self.tr("Amount"),
        ])  # fmt: skip
        self._show_rows()
        self._show_lines()
        self.say(self._status_of)

    def say(self, text_of: Callable[[], str] | None) -> None:
        """Show what `text_of` words (None: nothing) under the buttons, and word it again
        when the language changes."""
        self._status_of = text_of
        text = text_of() if text_of is not None else ""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # Reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the receipts again (for the search typed), on the database worker."""
        self.message.hide()
        self._read(self.search.text())

    def _read(self, text: str, place: TablePlace | None = None, keep: int | None = None) -> None:
        ctx = self.ctx
        self._searched = text
        self._ticket += 1
        ticket = self._ticket
        Op(self, lambda _job: svc.list_receipts(ctx, text)).success(
            lambda rows: self._loaded(rows, ticket, place, keep)).run()  # fmt: skip

    def _loaded(self, rows: list[svc.ReceiptRow], ticket: int, place: TablePlace | None = None,
                following: int | None = None) -> None:  # fmt: skip
        """The receipts read; `place` and `following` (the receipt selected) when read
        again for a change made elsewhere: the receipt an action asked for (`_keep`) still
        wins, and is left for that action's own read."""
        if not alive(self) or ticket != self._ticket:
            return
        ids = [row.id for row in rows]
        keep = self._keep if self._keep is not None else following
        if place is None:
            self._keep = None
        current = self.current()
        if place is None or keep not in ids or current is None or current.id != keep:
            # (Else its lines and returns stay shown until they are read again.)
            self.lines = []
            self.returns = []
            self.supplier_debt = None
            self._fill_return_actions()
        self.rows = rows
        self._show_rows()
        self.listed = True
        self.empty_hint.update_hint()
        if rows:
            self.table.selectRow(ids.index(keep) if keep in ids else 0)
        if place is not None:
            place.restore(self.table, ids)
        self._show_lines()
        self._selected()  # the lines of the row selected now (it may not have changed)

    def _show_rows(self) -> None:
        tz, lang = shop_tz(), current_language()
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            # A receipt naming no supplier was paid in full: it has no account to owe on.
            paid = _money(row.paid) if row.supplier_id is not None else ""
            cells = (row.code, format_datetime(row.created_at, tz, lang), row.supplier,
                     row.order_code, _num(row.lines), _num(row.units), _money(row.total_cost),
                     paid, row.received_by)  # fmt: skip
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if self.COLUMNS[c] in ("lines", "units", "cost", "paid"):
                    cell.setTextAlignment(RIGHT)
                if row.cancelled_at is not None:  # struck out, greyed, the reason on hover
                    font = cell.font()
                    font.setStrikeOut(True)
                    cell.setFont(font)
                    cell.setForeground(MUTED)
                    cell.setToolTip(self.cancelled_text(row))
                elif c == 0 and row.note:
                    cell.setToolTip(row.note)
                elif self.COLUMNS[c] == "paid" and row.owed:
                    cell.setToolTip(self.owed_text(row))
                elif self.COLUMNS[c] == "order" and row.order_id is not None:
                    link_cell(cell)
                    cell.setToolTip(self.tr("Open %1 (click, or Enter on the receipt)")
                                    .replace("%1", row.order_code))  # fmt: skip
                self.table.setItem(r, c, cell)
        self.spare.size_to_contents()
        shown = len(self.rows)
        text = count_text(shown, self.tr("%n receipt"), self.tr("%n receipts"))
        if shown >= svc.LIST_LIMIT:
            text = self.tr("the newest %1").replace("%1", text)
        self.count.setText(text)
        self._update_buttons()
        gate_export(self.export_button, self.ctx, bool(self.rows))  # the right "Export data"

    def _cell_clicked(self, row: int, column: int) -> None:
        if self.COLUMNS[column] == "order" and 0 <= row < len(self.rows):
            self.open_order(self.rows[row])

    def open_order(self, receipt: svc.ReceiptRow | None = None) -> None:
        """The purchase order `receipt` (else the selected one) was made against, on the
        Purchase orders page (nothing for a receipt made without one)."""
        receipt = receipt or self.current()
        if receipt is not None and receipt.order_id is not None:
            self.orderRequested.emit(receipt.order_id, receipt.order_code)

    def _update_buttons(self) -> None:
        current = self.current()
        self.labels_button.setEnabled(current is not None)
        self.print_button.setEnabled(current is not None)
        standing = current is not None and current.cancelled_at is None
        self.cancel_button.setEnabled(standing)
        self.return_button.setEnabled(standing)
        self.cancel_receipt_action.setEnabled(
            standing and not self.standing_returns() and self.may_cancel(current)
        )
        self._retranslate_cancel_receipt()

    def standing_returns(self) -> list[ReturnRow]:
        """The selected receipt's returns that count (not cancelled)."""
        return [back for back in self.returns if back.cancelled_at is None]

    def may_cancel(self, record: svc.ReceiptRow | ReturnRow | None) -> bool:
        """Cancelling a receipt that carries a payment, or a return that carries money given
        back, cancels that money too: the owner's or a manager's call, as cancelling a
        payment is (the service refuses the others)."""
        if record is None or self.ctx.actor.role in (Role.OWNER, Role.MANAGER):
            return True
        return not (record.refund if isinstance(record, ReturnRow) else record.paid)

    def _retranslate_cancel_receipt(self) -> None:
        """A receipt with standing returns is cancelled once they are, one that carries a
        payment by the owner or a manager: the entry says so."""
        if self.standing_returns():
            text = self.tr("Cancel the receipt (cancel its returns first)…")
        elif not self.may_cancel(self.current()):
            text = self.tr("Cancel the receipt (the owner or a manager: its payment is "
                           "cancelled with it)…")  # fmt: skip
        else:
            text = self.tr("Cancel the receipt…")
        self.cancel_receipt_action.setText(text)

    def owed_text(self, row: svc.ReceiptRow) -> str:
        """What the delivery left unpaid when it came (payments since are not on it)."""
        return self.tr("%1 unpaid at delivery").replace("%1", _money(row.owed))

    def debt_now_text(self, debt: int) -> str:
        """The supplier's balance now, every payment counted."""
        if debt < 0:
            return self.tr("Paid to the supplier in advance now: %1").replace(
                "%1", _money(-debt))  # fmt: skip
        return self.tr("Owed to the supplier now: %1").replace("%1", _money(debt))

    def cancelled_text(self, row: svc.ReceiptRow) -> str:
        when = format_datetime(row.cancelled_at, shop_tz(), current_language()) \
            if row.cancelled_at else ""  # fmt: skip
        return self.tr("Cancelled %1: %2").replace("%1", when).replace("%2", row.cancel_reason)

    def current(self) -> svc.ReceiptRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selected(self) -> None:
        self._update_buttons()
        receipt = self.current()
        if receipt is None:
            return
        ctx, receipt_id, unpaid = self.ctx, receipt.id, bool(receipt.owed)
        # Beside what it left unpaid, what the supplier is owed now: paid since or not.
        Op(self, lambda _job: (svc.receipt_lines(ctx, receipt_id),
                               receipt_returns(ctx, receipt_id),
                               svc.get_receipt(ctx, receipt_id).supplier_debt if unpaid
                               else None)).success(
            lambda got: self._lines_loaded(receipt_id, *got)).run()  # fmt: skip

    def _lines_loaded(self, receipt_id: int, lines: list[svc.ReceiptLineRow],
                      returns: list[ReturnRow] | None = None,
                      supplier_debt: int | None = None) -> None:  # fmt: skip
        current = self.current()
        if not alive(self) or current is None or current.id != receipt_id:
            return
        self.lines = lines
        self.returns = returns or []
        self.supplier_debt = supplier_debt
        self._fill_return_actions()
        self._show_lines()

    def _fill_return_actions(self) -> None:
        for action in self.return_actions:
            self.print_menu.removeAction(action)
            action.deleteLater()
        self.return_actions = []
        if self.returns:
            self.return_actions.append(self.print_menu.addSeparator())
        for back in self.returns:
            action = self.print_menu.addAction(
                self.tr("Print the return %1 (goods sent back)").replace("%1", back.code),
                self._print_return_of(back.id))  # fmt: skip
            self.return_actions.append(action)
        self._fill_cancel_actions()

    def _fill_cancel_actions(self) -> None:
        """Cancel ▾: the receipt, then one "Cancel the return TH…" a standing return."""
        for action in self.cancel_return_actions:
            self.cancel_menu.removeAction(action)
            action.deleteLater()
        self.cancel_return_actions = []
        standing = self.standing_returns()
        if standing:
            self.cancel_return_actions.append(self.cancel_menu.addSeparator())
        for back in standing:
            if self.may_cancel(back):
                text = self.tr("Cancel the return %1 (%2 back)…")
            else:
                text = self.tr("Cancel the return %1 (%2 back; the owner or a manager: money "
                               "came back with it)…")  # fmt: skip
            action = self.cancel_menu.addAction(
                text.replace("%1", back.code).replace("%2", _money(back.total)),
                self._ask_cancel_return_of(back))  # fmt: skip
            action.setEnabled(self.may_cancel(back))
            self.cancel_return_actions.append(action)
        self._retranslate_cancel_receipt()
        self._update_buttons()

    def _ask_cancel_return_of(self, back: ReturnRow) -> Callable[..., None]:
        def slot(*_args: object) -> None:
            self.ask_cancel_return(back)

        return slot

    def ask_cancel_return(self, back: ReturnRow) -> QInputDialog | None:
        """Ask why, then cancel a return to the supplier entered by mistake."""
        if not self.may_cancel(back):
            self._refuse(self.tr("Money came back with %1: only the owner or a manager may "
                                 "cancel it.").replace("%1", back.code))  # fmt: skip
            return None
        self.cancel_box = ask_reason(
            self, self.tr("Cancel %1").replace("%1", back.code),
            self.tr("Its goods come back into stock and it no longer counts in what is owed "
                    "to the supplier. Why is it cancelled?"),
            lambda text: self.cancel_return(back, text))  # fmt: skip
        return self.cancel_box

    def cancel_return(self, back: ReturnRow, reason: str) -> None:
        ctx, return_id = self.ctx, back.id
        Op(self, lambda _job: supplier_returns.cancel_return(ctx, return_id, reason),
           title=self.tr("Cancelling the return")).success(
            self._return_cancelled).failure(self._cancel_failed).run()  # fmt: skip

    def _return_cancelled(self, row: ReturnRow) -> None:
        self._return_changed(row, lambda: self.tr(
            "%1 cancelled: its goods are back in stock").replace("%1", row.code))  # fmt: skip

    def _return_changed(self, row: ReturnRow, said: Callable[[], str]) -> None:
        """Goods went back or came back: `said` by the list, which (with what is owed) and
        its lines are read again, the same receipt selected; the products and the suppliers
        follow."""
        if not alive(self):
            return
        self.message.hide()
        self.say(said)
        self._keep = row.receipt_id
        self.refresh()
        self.stockChanged.emit()

    def _print_return_of(self, return_id: int) -> Callable[..., None]:
        """The menu action's slot (whatever `triggered` passes, it prints, never to a PDF)."""

        def slot(*_args: object) -> None:
            self.print_return(return_id)

        return slot

    def print_return(self, return_id: int, pdf: Path | None = None) -> None:
        """Goods sent back to the supplier (phiếu trả hàng) on the invoice's printer, or
        into `pdf`; in the background."""
        from primedist.ui.printing.jobs import print_supplier_return

        ctx, lang = self.ctx, current_language()
        self.say(lambda: self.tr("Printing…"))
        Op(self, lambda _job: print_supplier_return(ctx, return_id, pdf=pdf, lang=lang),
           title=self.tr("Printing the return"), network=True).success(
            self._printed).failure(self._cancel_failed).run()  # fmt: skip

    def returns_text(self) -> str:
        """The selected receipt's standing returns to the supplier, in short ('' when
        none; cancelled ones do not count)."""
        returns = self.standing_returns()
        if not returns:
            return ""
        count = count_text(len(returns), self.tr("%n return"), self.tr("%n returns"))
        codes = short_list([back.code for back in returns])
        total = sum(back.total for back in returns)
        refund = sum(back.refund for back in returns)
        if refund:
            text = self.tr("%1 (%2): %3 back, %4 of it refunded").replace(
                "%4", _money(refund))  # fmt: skip
        else:
            text = self.tr("%1 (%2): %3 back")
        return text.replace("%1", count).replace("%2", codes).replace("%3", _money(total))

    def _show_lines(self) -> None:
        receipt = self.current()
        title = self.tr("Lines of %1").replace("%1", receipt.code) if receipt else ""
        if receipt and receipt.order_code:
            title += " · " + self.tr("against %1").replace("%1", receipt.order_code)
        if receipt and receipt.note:
            title += f" · {receipt.note}"
        returns = self.returns_text() if receipt else ""
        if returns:
            title += " · " + returns
        if receipt and receipt.owed:
            title += " · " + self.owed_text(receipt)
            if self.supplier_debt is not None:
                title += " · " + self.debt_now_text(self.supplier_debt)
        if receipt and receipt.cancelled_at is not None:
            title += " · " + self.cancelled_text(receipt)
        self.lines_title.setText(title)
        self.lines_table.setRowCount(len(self.lines))
        for r, line in enumerate(self.lines):
            name = (
                f"{line.product_name} — {line.variant_name}"
                if line.variant_name
                else line.product_name
            )
            cells = (
                line.sku,
                name,
                _num(line.quantity),
                _num(line.returned) if line.returned else "",
                _money(line.unit_cost),
                _money(line.amount),
            )
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if c >= 2:
                    cell.setTextAlignment(RIGHT)
                self.lines_table.setItem(r, c, cell)

    # Actions ------------------------------------------------------------------------------
    def new_receipt(self, supplier: str = "") -> GoodsReceiptDialog:
        dialog = self.dialog = GoodsReceiptDialog(self.ctx, parent=self, supplier=supplier)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.received.connect(lambda _row, _q: self._received())
        dialog.labelsRequested.connect(self.labelsRequested.emit)
        dialog.open()
        return dialog

    def return_goods(self) -> SupplierReturnDialog | None:
        """Send goods of the selected receipt back to its supplier (a dialog)."""
        from primedist.ui.products.supplier_return import SupplierReturnDialog

        receipt = self.current()
        if receipt is None or receipt.cancelled_at is not None:
            return None
        dialog = self.return_dialog = SupplierReturnDialog(self.ctx, receipt, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.returned.connect(lambda row: self._returned(row))
        dialog.open()
        return dialog

    def _returned(self, row: ReturnRow) -> None:
        self._return_changed(row, lambda: self.tr("%1 recorded: %2 back to the supplier").replace(
            "%1", row.code).replace("%2", _money(row.total)))  # fmt: skip

    def print_receipt(self, pdf: Path | None = None) -> None:
        """The selected receipt on the invoice's printer (Settings → Printers & templates),
        or into `pdf`; in the background."""
        receipt = self.current()
        if receipt is None:
            return
        from primedist.ui.printing.jobs import print_goods_receipt

        ctx, lang = self.ctx, current_language()
        self.say(lambda: self.tr("Printing…"))
        Op(self, lambda _job: print_goods_receipt(ctx, receipt.id, pdf=pdf, lang=lang),
           title=self.tr("Printing the goods receipt"), network=True).success(
            self._printed).failure(self._cancel_failed).run()  # fmt: skip

    def save_pdf(self) -> None:
        receipt = self.current()
        if receipt is None:
            return
        path = ask_save_path(self, self.tr("Save the goods receipt as PDF"), self._folder(),
                             f"{receipt.code}.pdf", self.ctx)  # fmt: skip
        if path is not None:
            self.print_receipt(path)

    def _folder(self) -> Path:
        return self.ctx.settings.export_dir if self.ctx.settings else Path.home()

    def _printed(self, result: Any) -> None:
        if alive(self):
            self.say(lambda: self.tr("Printed to %1").replace("%1", result.where))

    def export(self) -> None:
        path = ask_save_path(self, self.tr("Export goods receipts"), self._folder(),
                             "goods-receipts.xlsx", self.ctx)  # fmt: skip
        if path is not None:
            self.export_to(path)

    def export_to(self, target: Path) -> None:
        """The lines of every receipt matching the search, newest first, in the background."""
        ctx, search, lang = self.ctx, self.search.text(), current_language()
        Op(self, lambda job: svc.export_receipts(ctx, target, search=search, lang=lang,
                                                  progress=job.progress),
           title=self.tr("Exporting goods receipts")).with_progress(beside=True).success(
            self._exported).run()  # fmt: skip

    def _exported(self, report: Any) -> None:
        if not alive(self):
            return
        self.last_export = report
        export_finished(self, count_text(report.rows, self.tr("%n line"), self.tr("%n lines")),
                        report.path)  # fmt: skip

    def ask_cancel(self) -> QInputDialog | None:
        """Ask why, then cancel the selected receipt."""
        receipt = self.current()
        if receipt is None or receipt.cancelled_at is not None:
            return None
        if self.standing_returns():  # refused by the service: say why before asking
            self.message.setText(self.tr("Goods of %1 went back to the supplier: cancel its "
                                         "returns first (Cancel ▾).").replace(
                "%1", receipt.code))  # fmt: skip
            self.message.show()
            return None
        if not self.may_cancel(receipt):
            self._refuse(self.tr("%1 was paid to the supplier with %2: only the owner or a "
                                 "manager may cancel it.").replace("%1", _money(receipt.paid))
                         .replace("%2", receipt.code))  # fmt: skip
            return None
        if receipt.paid:  # its payment goes with it: say what money that is
            question = self.tr(
                "Its goods will be taken back out of stock, and the %1 paid to the supplier "
                "with it is cancelled too: if that money was paid, the supplier owes it back "
                "to the shop. Why is it cancelled?"
            ).replace("%1", _money(receipt.paid))
        else:
            question = self.tr("Its goods will be taken back out of stock. Why is it cancelled?")
        self.cancel_box = ask_reason(
            self, self.tr("Cancel %1").replace("%1", receipt.code), question,
            lambda text: self.cancel(receipt.id, text))  # fmt: skip
        return self.cancel_box

    def _refuse(self, text: str) -> None:
        """Said above the list, before anything is asked."""
        self.message.setText(text)
        self.message.show()

    def cancel(self, receipt_id: int, reason: str) -> None:
        ctx = self.ctx
        Op(self, lambda _job: svc.cancel_receipt(ctx, receipt_id, reason),
           title=self.tr("Cancelling the receipt")).success(
            lambda _row: self._received()).failure(self._cancel_failed).run()  # fmt: skip

    def _cancel_failed(self, exc: BaseException) -> None:
        """Said above the list (a line sold since names its SKU; a printer problem)."""
        if alive(self):
            self.say(None)
            report_in(self.message, self, exc)
            self.message.setVisible(bool(self.message.text()))

    def _received(self) -> None:
        self.search.clear()
        self.refresh()
        self.stockChanged.emit()

    def print_labels(self) -> None:
        """Labels for the selected receipt's goods: as many as came in of each."""
        copies: dict[int, int] = {}
        for line in self.lines:
            if line.variant_id is not None:
                copies[line.variant_id] = copies.get(line.variant_id, 0) + line.quantity
        if copies:
            self.labelsRequested.emit(copies)
