"""Ship the selected orders with the shop's carrier in one go (Orders tab → Ship…).

The dialog checks every selected order off the UI thread (`plan_shipments`: can the
carrier take it, where is it on GHN's map) and lists them: ready, or why not. **Create
shipments** queues the ready ones (`ship_planned`) and then sends them to the carrier;
offline they wait in the outbox. A row that needs attention opens its order on a
double-click, to be shipped by hand (the address picker there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.carriers.base import RequiredNote
from primedist.core.money import format_number, parse_money
from primedist.errors import Cancelled, PrimedistError
from primedist.services import bulk_shipping as bulk
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import count_text
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Op
from primedist.ui.orders.shipment import (
    fill_label_printers,
    remember_label_printer,
    required_note_box,
)
from primedist.ui.printing.carrier_labels import (
    CarrierLabels,
    LabelsOutcome,
    left_out_lines,
    outcome_text,
)
from primedist.ui.widgets import WrapDelegate


def _error(exc: BaseException) -> str:
    return error_text(exc) if isinstance(exc, PrimedistError) else repr(exc)


ORDER_COLUMN, RECIPIENT_COLUMN, PLACE_COLUMN, WEIGHT_COLUMN, STATE_COLUMN = range(5)
#: The colour of a row's state that needs the owner (the app's warning red).
PROBLEM_COLOUR = "#b42318"
#: Before a weight counted partly at the default item weight.
ESTIMATE = "≈"


class BulkShipDialog(QDialog):
    """Ship several orders; `openOrder(order_id)` for a row double-clicked, `changed`
    after shipments were created."""

    openOrder = Signal(int)
    changed = Signal()
    #: After each plan or creation shown (tests wait for it).
    settled = Signal()

    def __init__(self, ctx: ServiceContext, order_ids: Sequence[int],
                 parent: QWidget | None = None, *,
                 factory: svc.CarrierFactory = svc.carrier_for) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.order_ids = list(order_ids)
        self.factory = factory
        self.planned: list[bulk.PlannedShipment] = []
        #: The table is being filled: its itemChanged is not the owner typing.
        self._filling = False
        self.created: dict[int, svc.ShipmentView] = {}
        self.refused: dict[int, str] = {}
        self._busy = False
        self._job: Op[object] | None = None
        self.setObjectName("bulkShipDialog")
        self.setWindowTitle(self.tr("Ship with carrier"))
        self.resize(940, 540)  # five columns: the state keeps room for a reason
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.account = QComboBox()
        self.account.setObjectName("carrierAccount")
        form.addRow(self.tr("Carrier account"), self.account)
        self.required_note = required_note_box()
        form.addRow(self.tr("Before paying"), self.required_note)
        layout.addLayout(form)
        hint = QLabel(self.tr("Weight: the products' own (500 g for an item with none) until you "
                              "type the parcel's (double-click it); cash on delivery for COD "
                              "orders."))  # fmt: skip
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self._build_table(), 1)
        self.summary = QLabel()
        self.summary.setObjectName("bulkShipSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        self.label_button = QPushButton(self.tr("Print labels"))
        self.label_button.setObjectName("printButton")
        self.label_button.setAutoDefault(False)
        self.label_button.clicked.connect(self.print_labels)
        self.printer = QComboBox()
        self.printer.setObjectName("labelPrinter")
        self.printer.setToolTip(self.tr("Where the carrier's labels go"))
        fill_label_printers(ctx, self.printer)
        self.printer.setItemText(0, self.tr("Open them as one PDF"))
        self.printer.currentIndexChanged.connect(
            lambda _i: remember_label_printer(ctx, self.printer))  # fmt: skip
        self.labels = CarrierLabels(self, ctx, report=False, factory=factory)
        self.labels.done.connect(self._labels_done)
        self.labels.failed.connect(self._labels_failed)
        buttons.addWidget(self.label_button)
        buttons.addWidget(self.printer)
        buttons.addStretch(1)
        self.create_button = QPushButton()
        self.create_button.setObjectName("primaryButton")
        self.create_button.setAutoDefault(False)
        self.create_button.clicked.connect(self.create_shipments)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.create_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self._show_label_buttons()
        self._fill_accounts()

    def _build_table(self) -> QTableWidget:
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("bulkShipTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Order"), self.tr("Recipient"), self.tr("Deliver to"), self.tr("Weight (g)"),
             self.tr("State")]
        )  # fmt: skip
        # Only a ready row's weight is editable (its item's flags); a double-click elsewhere
        # opens the order.
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)  # fmt: skip
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setItemDelegate(WrapDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PLACE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(STATE_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_args: self._fit_rows())
        self.table.cellDoubleClicked.connect(self._open_row)
        self.table.itemChanged.connect(self._weight_typed)
        return self.table

    # ------------------------------------------------------------------ planning

    def _fill_accounts(self) -> None:
        try:
            accounts = svc.list_accounts(self.ctx)
        except PrimedistError as exc:
            self._say(error_text(exc), problem=True)
            accounts = []
        for account in accounts:
            if account.status == "active":
                name = svc.CARRIER_NAMES.get(account.carrier, account.carrier)
                self.account.addItem(f"{account.name} ({name})", account.id)
        self._show_create_text()
        if self.account.count() == 0:
            self._say(self.tr("Add a GHN or J&T Express account in Settings → Logistics first."),
                      problem=True)  # fmt: skip
            self.create_button.setEnabled(False)
            return
        self.account.currentIndexChanged.connect(lambda _i: self.plan())
        self.plan()

    def plan(self) -> None:
        """Check the orders for the chosen account (off the UI thread)."""
        account = self.account.currentData()
        if account is None or self._busy:
            return
        ctx, ids, factory = self.ctx, self.order_ids, self.factory
        self._set_busy(True)
        self._say(self.tr("Checking %1 orders…").replace("%1", self._count(len(ids))))
        op: Op[object] = Op(
            self, lambda job: bulk.plan_shipments(ctx, ids, int(account), factory=factory,
                                                  progress=job.progress),
            network=True, title=self.tr("Checking orders to ship"),
        )  # fmt: skip
        op.success(self._show_plan).failure(self._plan_failed).with_progress()
        self._job = op
        op.run()

    def _show_plan(self, planned: object) -> None:
        assert isinstance(planned, list)
        self.planned = planned
        self._set_busy(False)
        self._fill_table()
        self.settled.emit()

    def _plan_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.planned = []
        self._fill_table()
        text = _error(exc)
        self._say(self.tr("The orders could not be checked: %1").replace("%1", text),
                  problem=True)  # fmt: skip
        self.settled.emit()

    # ------------------------------------------------------------------ the table

    def _fill_table(self) -> None:
        self._filling = True
        self.table.setRowCount(len(self.planned))
        for row, plan in enumerate(self.planned):
            state, problem = self._state(plan)
            cells = (plan.external_id, plan.recipient, plan.place, self._weight_text(plan), state)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                editable = column == WEIGHT_COLUMN and plan in self.ready()
                if not editable:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == WEIGHT_COLUMN:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                    item.setToolTip(self._weight_tip(plan) if editable else "")
                if column == STATE_COLUMN and problem:
                    item.setForeground(QBrush(QColor(PROBLEM_COLOUR)))
                self.table.setItem(row, column, item)
        self._filling = False
        self._fit_rows()
        # The columns sized to their contents settle at the next layout: fit again then.
        QTimer.singleShot(0, self._fit_rows)
        self._show_summary()

    def _fit_rows(self) -> None:
        if shiboken6.isValid(self):
            self.table.resizeRowsToContents()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_rows()

    def _state(self, plan: bulk.PlannedShipment) -> tuple[str, bool]:
        """The row's state text and whether it needs the owner."""
        if plan.order_id in self.created:
            view = self.created[plan.order_id]
            if view.carrier_order_code:
                return self.tr("Shipment %1 created").replace("%1", view.carrier_order_code), False
            return self.tr("Waiting to be sent"), False
        if plan.order_id in self.refused:
            return self.refused[plan.order_id], True
        if plan.problem:
            return localize(plan.problem), True
        return self.tr("Ready"), False

    def ready(self) -> list[bulk.PlannedShipment]:
        """The planned orders still to ship."""
        return [
            p
            for p in self.planned
            if p.ready and p.order_id not in self.created and p.order_id not in self.refused
        ]

    def _show_summary(self) -> None:
        ready = len(self.ready())
        attention = sum(1 for p in self.planned if not p.ready) + len(self.refused)
        parts = []
        if self.created:
            parts.append(count_text(len(self.created), self.tr("%n shipment created"),
                                    self.tr("%n shipments created")))  # fmt: skip
        if ready:
            parts.append(self.tr("%n ready").replace("%n", self._count(ready)))
        if attention:
            parts.append(
                count_text(
                    attention,
                    self.tr("%n needs attention (double-click it to ship it from the order)"),
                    self.tr("%n need attention (double-click one to ship it from the order)"),
                )
            )
        self._say("; ".join(parts) if parts else self.tr("Nothing to ship."))
        self._show_create_text()

    def _show_create_text(self) -> None:
        n = len(self.ready())
        self.create_button.setText(
            count_text(n, self.tr("Create %n shipment"), self.tr("Create %n shipments"))
            if n else self.tr("Create shipments"))  # fmt: skip
        self.create_button.setEnabled(n > 0 and not self._busy)

    def _open_row(self, row: int, column: int) -> None:
        item = self.table.item(row, column)
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEditable:
            return  # the weight being typed
        if 0 <= row < len(self.planned) and not self._busy:
            self.openOrder.emit(self.planned[row].order_id)

    @staticmethod
    def _weight_text(plan: bulk.PlannedShipment) -> str:
        """The parcel's grams; "≈ 1.500" while some item's weight is only the default."""
        if plan.draft is None:
            return ""
        grams = format_number(plan.draft.parcel.weight_g, current_language())
        return f"{ESTIMATE} {grams}" if plan.draft.unweighed_items else grams

    def _weight_tip(self, plan: bulk.PlannedShipment) -> str:
        typing = self.tr("Double-click to type the parcel's weight")
        unweighed = plan.draft.unweighed_items if plan.draft is not None else 0
        if not unweighed:
            return typing
        estimate = count_text(
            unweighed,
            self.tr("An estimate: %n item has no weight in its product (500 g counted)."),
            self.tr("An estimate: %n items have no weight in their products (500 g each "
                    "counted)."),
        )  # fmt: skip
        return f"{estimate}\n{typing}"

    def _weight_typed(self, item: QTableWidgetItem) -> None:
        """A weight typed in a ready row: the row's shipment weighs that (the service is
        chosen again); anything else puts the weight back and says why."""
        row = item.row()
        if self._filling or item.column() != WEIGHT_COLUMN or not 0 <= row < len(self.planned):
            return
        plan = self.planned[row]
        try:
            grams = parse_money(item.text().replace(ESTIMATE, "").strip(), current_language())
        except ValueError:
            self._say(self.tr("“%1” is not a weight in grams.").replace("%1", item.text()),
                      problem=True)  # fmt: skip
        else:
            try:
                self.planned[row] = bulk.with_weight(plan, grams)
            except PrimedistError as exc:
                self._say(error_text(exc), problem=True)
            else:
                self._show_summary()
        self._filling = True
        item.setText(self._weight_text(self.planned[row]))
        self._filling = False

    # ------------------------------------------------------------------ creating

    def create_shipments(self) -> None:
        """Queue the ready orders, then send them to the carrier."""
        ready = self.ready()
        if not ready or self._busy:
            return
        note = RequiredNote(self.required_note.currentData())
        plans = [replace(p, draft=replace(p.draft, required_note=note)) if p.draft else p
                 for p in ready]  # fmt: skip
        ctx = self.ctx
        self._set_busy(True)
        self._say(self.tr("Creating shipments…"))
        op: Op[object] = Op(self, lambda job: bulk.ship_planned(ctx, plans, progress=job.progress),
                            engine=ctx.engine, title=self.tr("Creating shipments"))  # fmt: skip
        op.success(self._queued).failure(self._create_failed).with_progress()
        self._job = op
        op.run()

    def _queued(self, report: object) -> None:
        assert isinstance(report, bulk.BulkShipReport)
        self.created.update((v.order_id, v) for v in report.created)
        self.refused.update((order_id, localize(why)) for order_id, _ext, why in report.refused)
        self._fill_table()
        self.changed.emit()
        if not report.created:
            self._set_busy(False)
            self.settled.emit()
            return
        ctx, factory = self.ctx, self.factory
        op: Op[object] = Op(self, lambda _job: svc.deliver_carrier_outbox(ctx, factory=factory),
                            network=True)  # fmt: skip
        op.success(self._sent).failure(self._send_failed).finally_(self._sending_done)
        op.run()

    def _sent(self, report: object) -> None:
        assert isinstance(report, svc.CarrierDeliveryReport)
        self._reload_created()
        self._fill_table()
        if report.offline or report.retrying:
            self._say(
                self.summary.text()
                + " — "
                + self.tr(
                    "the carrier cannot be reached: they are sent when the connection is back."
                )
            )
        elif report.failed:
            self._say(self.tr("The carrier refused: %1").replace("%1", "; ".join(report.messages)),
                      problem=True)  # fmt: skip

    def _send_failed(self, exc: BaseException) -> None:
        text = _error(exc)
        self._say(self.tr("The shipments wait to be sent: %1").replace("%1", text), problem=True)

    def _sending_done(self) -> None:
        if shiboken6.isValid(self):
            self._set_busy(False)
            self._show_create_text()
            self._show_label_buttons()
            self.changed.emit()
            self.settled.emit()

    def _reload_created(self) -> None:
        """The created shipments as they are now (codes from the carrier, or refused)."""
        for order_id in list(self.created):
            try:
                views = svc.order_shipments(self.ctx, order_id)
            except PrimedistError:
                continue
            mine = next((v for v in views if v.id == self.created[order_id].id), None)
            if mine is None:
                continue
            if mine.status == "failed":
                del self.created[order_id]
                self.refused[order_id] = self.tr("Refused: %1").replace("%1", mine.last_error or "")
            else:
                self.created[order_id] = mine

    def _create_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        text = _error(exc)
        self._say(text, problem=True)
        self.settled.emit()

    # ------------------------------------------------------------------ labels

    def labelled(self) -> list[svc.ShipmentView]:
        """The created shipments the carrier has (they have a label)."""
        return [v for v in self.created.values() if v.carrier_order_code]

    def _show_label_buttons(self) -> None:
        shown = bool(self.labelled())
        self.label_button.setVisible(shown)
        self.printer.setVisible(shown)
        self.label_button.setEnabled(shown and not self._busy)

    def print_labels(self) -> None:
        """Every created shipment's label as one document, in the list's order: to the
        chosen printer (one job), or opened in the PDF viewer. A label that cannot be had
        is named with why; the others are in it."""
        shipped = {v.order_id for v in self.labelled()}
        ids = [p.order_id for p in self.planned if p.order_id in shipped]
        if not ids or self._busy:
            return
        self._set_busy(True)
        self.label_button.setEnabled(False)
        self._say(self.tr("Printing labels…"))
        self.labels.print_labels(ids, str(self.printer.currentData() or ""))

    def _labels_done(self, outcome: LabelsOutcome) -> None:
        said = outcome_text(outcome)
        if outcome.result.left_out:
            said += " " + self.tr("Not in it: %1").replace(
                "%1", "; ".join(left_out_lines(outcome.result)))  # fmt: skip
        self._say(said, problem=bool(outcome.result.left_out))
        self._labels_finished()

    def _labels_failed(self, exc: BaseException) -> None:
        cancelled = isinstance(exc, Cancelled)  # nothing printed, nothing to say
        self._say("" if cancelled else _error(exc), problem=not cancelled)
        self._labels_finished()

    def _labels_finished(self) -> None:
        if shiboken6.isValid(self):
            self._set_busy(False)
            self._show_label_buttons()
            self.settled.emit()

    # ------------------------------------------------------------------ helpers

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.account.setEnabled(not busy)
        self._show_create_text()

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.summary.setText(text)
        self.summary.setObjectName("errorText" if problem else "bulkShipSummary")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)

    @staticmethod
    def _count(n: int) -> str:
        return format_number(n, current_language())

    def reject(self) -> None:
        """Close; a check still running is cancelled (queued shipments stay queued)."""
        if self._job is not None:
            self._job.job.progress.cancel()
        super().reject()
