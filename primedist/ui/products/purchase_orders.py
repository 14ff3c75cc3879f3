"""Purchase orders (Products → *Purchase orders*, *Đặt hàng nhập*): what was ordered from
suppliers, the open ones first by default, with their lines (ordered, received, still to
come). **New purchase order** is the goods receipt's line editor without the payment: scan
or search the products, type quantities and expected costs, or **Add what is low on
stock** (the supplier's SKUs low now, `services.purchase_orders.suggested_lines`).
**Receive goods…** opens a goods receipt against the selected order, its lines what is
still to come; **Close…** ends an order partly received, **Cancel order…** one nothing
came of; **Print** gives the order to send to the supplier.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_date, format_datetime, shop_tz, to_local
from primedist.domain.purchase_order import OPEN_STATES, PurchaseOrderState
from primedist.services import purchase_orders as po
from primedist.services.context import ServiceContext
from primedist.ui.action_row import WholeActionRow
from primedist.ui.export_right import gate_export
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import (
    EmptyHint,
    alive,
    ask_reason,
    ask_save_path,
    count_text,
    export_finished,
    push_button,
    short_list,
)
from primedist.ui.money_form import MUTED
from primedist.ui.ops import Op, report_in
from primedist.ui.products.receipts import (
    PROBLEM,
    RIGHT,
    SEARCH_MIN_WIDTH,
    GoodsReceiptDialog,
    _money,
    _num,
    row_table,
    spare_supplier_width,
)
from primedist.ui.sub_tabs import SearchedRowsFollow, TablePlace, mark_search

#: Room a window's title bar takes besides its title (icon, minimise, maximise, close).
TITLE_BAR_ROOM = 180
#: The list's columns that give up width in a narrow window, down to their titles.
NARROW_COLUMNS = ("lines", "units", "received", "by")
#: The state filter's choices: open ones (the default), all, then each state.
STATE_CHOICES: tuple[str, ...] = ("open", "", *(s.value for s in PurchaseOrderState))


def _day(day: date | None) -> str:
    return "" if day is None else format_date(day, current_language())


class PurchaseOrderDialog(GoodsReceiptDialog):
    """A new purchase order (its lines `lines` when ordering another's again), or one
    changed (`editing`, its lines `lines`) before goods came: the receipt's line editor
    (scan, search, import a list) with the expected day and no payment. Emits
    `ordered(OrderRow)` once saved."""

    ordered = Signal(object)
    offers_orders = False

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None,
                 supplier: str = "", editing: po.OrderRow | None = None,
                 lines: Sequence[po.ToReceive] = ()) -> None:  # fmt: skip
        self.editing = editing
        super().__init__(ctx, parent, editing.supplier if editing else supplier)
        self.setObjectName("purchaseOrderDialog")
        for widget in (self.paid_label, self.paid, self.method, self.owed, self.labels_check):
            widget.hide()
        if editing is not None:
            self.note.setText(editing.note)
            if editing.expected_on is not None:
                day = editing.expected_on
                self.expected.setDate(QDate(day.year, day.month, day.day))
                self.expected_check.setChecked(True)
        if lines:  # the order's lines (changing it), or another's (ordering them again)
            self.prefill([(t.hit, t.quantity, t.unit_cost) for t in lines])
        if not self.supplier.text().strip():  # an order needs one: asked first, not a scan
            self.supplier.setFocus()
        self.mark_opened()

    def _build_head(self) -> QFormLayout:
        form = super()._build_head()
        self.expected_check = QCheckBox()
        self.expected_check.setObjectName("orderExpectedCheck")
        self.expected = QDateEdit()
        self.expected.setObjectName("orderExpected")
        self.expected.setCalendarPopup(True)
        self.expected.setDisplayFormat("dd/MM/yyyy")
        soon = to_local(self.ctx.clock.now(), shop_tz()).date() + timedelta(days=3)
        self.expected.setDate(QDate(soon.year, soon.month, soon.day))
        self.expected.setEnabled(False)
        self.expected_check.toggled.connect(self.expected.setEnabled)
        day_row = QHBoxLayout()
        day_row.addWidget(self.expected)
        day_row.addStretch(1)
        form.addRow(self.expected_check, day_row)
        return form

    def _build_foot(self) -> QVBoxLayout:
        foot = super()._build_foot()
        self.suggest_button = push_button("orderSuggest", self.add_suggested)
        self.tools_row.insertWidget(0, self.suggest_button)
        self.pay_row.insertStretch(0, 1)  # no payment: Save and Cancel on the right
        return foot

    def retranslate(self) -> None:
        super().retranslate()
        editing = self.editing
        self.setWindowTitle(self.tr("Change %1").replace("%1", editing.code) if editing
                            else self.tr("New purchase order"))  # fmt: skip
        self.supplier.setPlaceholderText(self.tr("who the goods are ordered from"))
        self.note.setPlaceholderText(self.tr("optional: terms, delivery, contact…"))
        self.expected_check.setText(self.tr("&Expected on"))
        self.suggest_button.setText(self.tr("Add what is low on stock"))
        self.suggest_button.setToolTip(self.tr(
            "Add the supplier's products that are low on stock now: each brought up to twice "
            "its low-stock level, less what is on order already, at the last cost it "
            "charged"))  # fmt: skip
        self.import_button.setToolTip(self.tr(
            "Add the lines of a list (.xlsx or .csv with the columns sku, quantity and, "
            "optionally, unit_cost)"))  # fmt: skip
        self.save_button.setToolTip(self.tr("Save the order (Ctrl+S)"))

    def new_supplier_text(self) -> str:
        return self.tr("New supplier: added when the order is saved")

    def draft_state(self) -> tuple[object, ...]:
        return *super().draft_state(), self.expected_on()

    def discard_text(self) -> str:
        if self.editing is not None:
            return self.tr("Discard your changes to %1?").replace("%1", self.editing.code)
        if not self.lines:
            return self.tr("Discard what you typed on this order?")
        return count_text(len(self.lines), self.tr("Discard this order's %n line?"),
                          self.tr("Discard this order's %n lines?"))  # fmt: skip

    def problem_text(self) -> str:
        if not self.lines:
            return self.tr("Scan or search the products to order.")
        problem = self.lines_problem()
        if problem:
            return problem
        if not self.supplier.text().strip():
            return self.tr("Name the supplier the goods are ordered from.")
        return ""

    def expected_on(self) -> date | None:
        if not self.expected_check.isChecked():
            return None
        day = self.expected.date()
        return date(day.year(), day.month(), day.day())

    def order_draft(self) -> po.OrderDraft:
        return po.OrderDraft(
            self.supplier.text(),
            [po.OrderLine(ln.hit.variant_id, ln.quantity, ln.unit_cost) for ln in self.lines],
            expected_on=self.expected_on(), note=self.note.text(),
        )  # fmt: skip

    def add_suggested(self) -> None:
        """Add the supplier's products low on stock (what to order, at what cost)."""
        name = self.supplier.text().strip()
        if not name:
            self.show_problem(self.tr("Name the supplier first: its products low on stock "
                                      "are added."))  # fmt: skip
            return
        ctx = self.ctx
        Op(self, lambda _job: po.suggested_lines(ctx, name)).success(
            lambda got: self._suggested(name, got)).failure(self._failed).run()  # fmt: skip

    def _suggested(self, name: str, got: list[po.Suggestion]) -> None:
        if not alive(self):
            return
        self.prefill([(s.hit, s.quantity, s.unit_cost) for s in got])
        if not got:
            self.show_problem(
                self.tr(
                    "None of the products %1 delivered is low on stock (or "
                    "what is low is on order already)."
                ).replace("%1", name)
            )

    def save(self) -> None:
        if self._busy or self.problem_text():
            return
        ctx, draft, editing = self.ctx, self.order_draft(), self.editing
        self._busy = True
        self._refresh()
        Op(self, lambda _job: po.update_order(ctx, editing.id, draft) if editing
           else po.create_order(ctx, draft), engine=ctx.engine,
           title=self.tr("Saving the order")).success(self._ordered).failure(
            self._failed).run()  # fmt: skip

    def _ordered(self, row: po.OrderRow) -> None:
        if not alive(self):
            return
        self.ordered.emit(row)
        self.accept()


class PurchaseOrdersPage(SearchedRowsFollow, QWidget):
    """The orders (newest first; open ones by default), the selected one's lines, New
    purchase order, Receive goods…, Close…, Cancel order… and Print."""

    #: Goods were received against an order: stock and what is owed changed.
    stockChanged = Signal()
    #: Print labels for these variants (variant id → copies), after a receipt.
    labelsRequested = Signal(object)

    COLUMNS = ("code", "date", "supplier", "expected", "lines", "units", "received", "cost",
               "state", "by")  # fmt: skip

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("purchaseOrdersPage")
        self.ctx = ctx
        self.rows: list[po.OrderRow] = []
        self.lines: list[po.OrderLineRow] = []
        #: The receipts made against the selected order: (code, when, cancelled).
        self.receipts: list[tuple[str, Any, bool]] = []
        self.dialog: PurchaseOrderDialog | None = None
        self.receipt_dialog: GoodsReceiptDialog | None = None
        self.reason_box: QInputDialog | None = None
        self.last_export: Any = None
        self._keep: int | None = None
        #: The search of the last read (what a read for a change made elsewhere runs).
        self._searched = ""
        self._ticket = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(self._build_top())
        layout.addWidget(self.status)
        self.message = QLabel()
        self.message.setObjectName("formProblem")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.table = row_table(len(self.COLUMNS), self.COLUMNS.index("supplier"))
        self.table.setObjectName("purchaseOrdersTable")
        # The supplier takes the width the others leave; short of it (1024 px) who
        # ordered gives up width for it (the supplier's name was cut beside it).
        self.spare = spare_supplier_width(self.table, self.COLUMNS, NARROW_COLUMNS)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.doubleClicked.connect(lambda _index: self.receive())
        layout.addWidget(self.table, 3)
        #: The list was read once: before, an empty table is no news (no hint).
        self.listed = False
        self.empty_hint = EmptyHint(self.table, self.empty_texts,
                                    lambda: bool(self.search.text().strip()))  # fmt: skip
        self.lines_title = QLabel()
        self.lines_title.setObjectName("sectionTitle")
        self.lines_title.setWordWrap(True)
        self.again_button = push_button("orderAgainButton", self.order_again)
        lines_head = QHBoxLayout()
        lines_head.addWidget(self.lines_title, 1)
        lines_head.addWidget(self.again_button)
        layout.addLayout(lines_head)
        self.lines_table = row_table(7, 1)
        self.lines_table.setObjectName("purchaseOrderLinesTable")
        layout.addWidget(self.lines_table, 2)
        self.retranslate()
        self.refresh()

    def _build_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("purchaseOrdersSearch")
        self.search.setClearButtonEnabled(True)
        mark_search(self.search)  # Ctrl+F
        self.search.returnPressed.connect(self.refresh)
        self.search.textChanged.connect(lambda text: self.refresh() if not text else None)
        # Room to type a code or a supplier's name, whatever the buttons beside it need.
        self.search.setMinimumWidth(SEARCH_MIN_WIDTH)
        self.state = QComboBox()
        self.state.setObjectName("purchaseOrdersState")
        for value in STATE_CHOICES:
            self.state.addItem("", value)
        # As wide as its longest state in the language shown: never cut ("Open (awaiting go").
        self.state.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.state.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.state.currentIndexChanged.connect(lambda _i: self.refresh())
        self.count = QLabel()
        self.count.setObjectName("muted")
        #: What was done last (saved, printed, copied …), on a line of its own under the
        #: buttons: in the row it took the search's and the state's room.
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.status.hide()
        self.receive_button = push_button("orderReceiveButton", self.receive)
        self.edit_button = push_button("orderEditButton", self.edit_order)
        self.export_button = push_button("ordersExportButton", self.export)
        self.close_button = push_button("orderCloseButton", lambda: self.ask_reason("close"))
        self.cancel_button = push_button("orderCancelButton", lambda: self.ask_reason("cancel"))
        self.print_button = QPushButton()
        self.print_button.setObjectName("orderPrintButton")
        menu = QMenu(self.print_button)
        self.print_action = menu.addAction("", lambda: self.print_order())
        self.pdf_action = menu.addAction("", self.save_pdf)
        self.text_action = menu.addAction("", self.copy_text)
        self.print_button.setMenu(menu)
        self.new_button = push_button("addProductButton", self.new_order)
        # Short of room (1024 px), the least used buttons go into More, never the search
        # nor the state cut ("Đang chờ hàng v"); New purchase order stays.
        actions = self.actions_row = WholeActionRow()
        actions.add_stretch()
        for button in (self.edit_button, self.cancel_button, self.close_button,
                       self.print_button, self.export_button, self.receive_button):  # fmt: skip
            actions.add(button)
        actions.add_more()
        actions.add(self.new_button)
        actions.set_overflow_order((self.export_button, self.edit_button, self.cancel_button,
                                    self.close_button, self.print_button,
                                    self.receive_button))  # fmt: skip
        top.addWidget(self.search, 1)
        top.addWidget(self.state)
        top.addWidget(self.count)
        top.addWidget(actions)
        return top

    def empty_texts(self) -> tuple[str, str]:
        """Nothing found, or nothing in the state chosen (the open orders by default)."""
        if not self.listed:
            return "", ""
        if self.state.currentData() == "open":
            nothing = self.tr("No purchase orders awaiting goods: order goods from a "
                              "supplier with New purchase order.")  # fmt: skip
        elif not self.state.currentData():
            nothing = self.tr("No purchase orders yet: order goods from a supplier with New "
                              "purchase order.")  # fmt: skip
        else:
            nothing = self.tr("No purchase orders in this state.")
        return self.tr("No purchase orders match the search."), nothing

    def retranslate(self) -> None:
        self.empty_hint.update_hint()
        self.search.setPlaceholderText(self.tr("Search by code, supplier, note or SKU"))
        names = (self.tr("Open (awaiting goods)"), self.tr("All orders"))
        for i, value in enumerate(STATE_CHOICES):
            self.state.setItemText(i, names[i] if i < len(names) else enum_label(value))
        self.new_button.setText(self.tr("New purchase order"))
        self.receive_button.setText(self.tr("Receive goods…"))
        self.receive_button.setToolTip(self.tr(
            "A goods receipt against the selected order: its lines are what is still to "
            "come (double-click an order does the same)"))  # fmt: skip
        self.edit_button.setText(self.tr("Change…"))
        self.edit_button.setToolTip(self.tr(
            "Change the selected order (supplier, lines, expected day, note) before any of "
            "it comes"))  # fmt: skip
        self.close_button.setText(self.tr("Close…"))
        self.again_button.setText(self.tr("Order again…"))
        self.again_button.setToolTip(self.tr(
            "A new order of the same goods from the same supplier: the selected order's "
            "lines as they were ordered, to change before saving"))  # fmt: skip
        self.close_button.setToolTip(self.tr(
            "End the selected order, partly received: the rest will not come"))  # fmt: skip
        self.cancel_button.setText(self.tr("Cancel order…"))
        self.cancel_button.setToolTip(self.tr("Cancel the selected order (nothing of it came)"))
        self.print_button.setText(self.tr("Print"))
        self.print_button.setToolTip(self.tr(
            "The selected order as a document to send to the supplier (on the invoice's "
            "printer and paper)"))  # fmt: skip
        self.export_button.setText(self.tr("Export"))
        self.export_button.setToolTip(self.tr(
            "Export the lines of the orders listed (every one that matches the state and "
            "the search) to Excel"))  # fmt: skip
        gate_export(self.export_button, self.ctx)
        self.print_action.setText(self.tr("Print the purchase order"))
        self.pdf_action.setText(self.tr("Save as PDF…"))
        self.text_action.setText(self.tr("Copy as text (to send by Zalo, Messenger…)"))
        self.table.setHorizontalHeaderLabels([
            self.tr("Code"), self.tr("Ordered"), self.tr("Supplier"), self.tr("Expected"),
            self.tr("Lines"), self.tr("Units"), self.tr("Received"), self.tr("Cost"),
            self.tr("State"), self.tr("Ordered by"),
        ])  # fmt: skip
        self.lines_table.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Qty ordered"), self.tr("Received"),
            self.tr("To come"), self.tr("Unit cost"), self.tr("Amount"),
        ])  # fmt: skip
        self._show_rows()
        self._show_lines()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def say(self, text: str) -> None:
        """`text` under the buttons ('' hides the line)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    # Reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the orders again (search and state), on the database worker."""
        self.message.hide()
        self._read(self.search.text())

    def _read(self, text: str, place: TablePlace | None = None, keep: int | None = None) -> None:
        ctx, state = self.ctx, self.state.currentData() or None
        self._searched = text
        self._ticket += 1
        ticket = self._ticket
        Op(self, lambda _job: po.list_orders(ctx, text, state)).success(
            lambda rows: self._loaded(rows, ticket, place, keep)).run()  # fmt: skip

    def _loaded(self, rows: list[po.OrderRow], ticket: int, place: TablePlace | None = None,
                following: int | None = None) -> None:  # fmt: skip
        """The orders read; `place` and `following` (the order selected) when read again
        for a change made elsewhere: the order an action asked for (`_keep`) still wins,
        and is left for that action's own read."""
        if not alive(self) or ticket != self._ticket:
            return
        ids = [row.id for row in rows]
        keep = self._keep if self._keep is not None else following
        if place is None:
            self._keep = None
        current = self.current()
        if place is None or keep not in ids or current is None or current.id != keep:
            self.lines, self.receipts = [], []  # else shown until the order's are read again
        self.rows = rows
        self._show_rows()
        self.listed = True
        self.empty_hint.update_hint()
        if rows:
            self.table.selectRow(ids.index(keep) if keep in ids else 0)
        if place is not None:
            place.restore(self.table, ids)
        self._show_lines()
        self._selected()

    def _show_rows(self) -> None:
        tz, lang = shop_tz(), current_language()
        today = to_local(self.ctx.clock.now(), tz).date()
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            received = f"{_num(row.received_units)}/{_num(row.units)}"
            cells = (row.code, format_datetime(row.created_at, tz, lang), row.supplier,
                     _day(row.expected_on), _num(row.lines), _num(row.units), received,
                     _money(row.total_cost), enum_label(row.state), row.ordered_by)  # fmt: skip
            late = row.expected_on is not None and row.expected_on < today \
                and row.state in OPEN_STATES  # fmt: skip
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                column = self.COLUMNS[c]
                if column in ("lines", "units", "received", "cost"):
                    cell.setTextAlignment(RIGHT)
                if row.state == PurchaseOrderState.CANCELLED:
                    font = cell.font()
                    font.setStrikeOut(True)
                    cell.setFont(font)
                    cell.setForeground(MUTED)
                elif column == "expected" and late:
                    cell.setForeground(PROBLEM)
                    cell.setToolTip(self.tr("Expected on %1: not all of it came").replace(
                        "%1", _day(row.expected_on)))  # fmt: skip
                if column == "code" and row.note:
                    cell.setToolTip(row.note)
                self.table.setItem(r, c, cell)
        self.spare.size_to_contents()
        text = count_text(len(self.rows), self.tr("%n order"), self.tr("%n orders"))
        if len(self.rows) >= po.LIST_LIMIT:
            text = self.tr("the newest %1").replace("%1", text)
        self.count.setText(text)
        self._update_buttons()
        gate_export(self.export_button, self.ctx, bool(self.rows))  # the right "Export data"

    def _update_buttons(self) -> None:
        current = self.current()
        state = current.state if current is not None else None
        self.receive_button.setEnabled(state in OPEN_STATES)
        self.close_button.setEnabled(current is not None and current.can_close())
        self.cancel_button.setEnabled(current is not None and current.can_cancel())
        self.edit_button.setEnabled(current is not None and current.can_cancel())
        self.print_button.setEnabled(current is not None)
        self.again_button.setEnabled(current is not None)

    def current(self) -> po.OrderRow | None:
        row = self.table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _selected(self) -> None:
        self._update_buttons()
        order = self.current()
        if order is None:
            return
        ctx, order_id = self.ctx, order.id
        Op(self, lambda _job: (po.order_lines(ctx, order_id), po.order_receipts(ctx, order_id))
           ).success(lambda got: self._lines_loaded(order_id, *got)).run()  # fmt: skip

    def _lines_loaded(self, order_id: int, lines: list[po.OrderLineRow],
                      receipts: list[tuple[str, Any, bool]]) -> None:  # fmt: skip
        current = self.current()
        if not alive(self) or current is None or current.id != order_id:
            return
        self.lines, self.receipts = lines, receipts
        self._show_lines()

    def title_text(self, order: po.OrderRow) -> str:
        """The lines' title: the order, its note, its receipts, why it ended."""
        parts = [self.tr("Lines of %1").replace("%1", order.code)]
        if order.note:
            parts.append(order.note)
        standing = [code for code, _at, cancelled in self.receipts if not cancelled]
        if standing:
            parts.append(self.tr("received with %1").replace("%1", short_list(standing)))
        reason = order.cancel_reason or order.close_reason
        if order.state in (PurchaseOrderState.CANCELLED, PurchaseOrderState.CLOSED) and reason:
            parts.append(f"{enum_label(order.state)}: {reason}")
        return " · ".join(parts)

    def _show_lines(self) -> None:
        order = self.current()
        self.lines_title.setText(self.title_text(order) if order is not None else "")
        self.lines_table.setRowCount(len(self.lines))
        for r, line in enumerate(self.lines):
            name = f"{line.product_name} — {line.variant_name}" if line.variant_name \
                else line.product_name  # fmt: skip
            cells = (line.sku, name, _num(line.quantity), self.came_text(line),
                     _num(line.remaining) if line.remaining else "", _money(line.unit_cost),
                     _money(line.amount))  # fmt: skip
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if c >= 2:
                    cell.setTextAlignment(RIGHT)
                self.lines_table.setItem(r, c, cell)

    def came_text(self, line: po.OrderLineRow) -> str:
        """What came of a line: up to what it ordered (as the order's totals count it),
        then what came beyond it, e.g. "5 (2 over)", and what went back to the supplier
        since, "5 · 2 returned"."""
        text = _num(line.received)
        if line.over:
            text = self.tr("%1 (%2 over)").replace("%1", text).replace("%2", _num(line.over))
        if line.returned:
            text += " · " + self.tr("%1 returned").replace("%1", _num(line.returned))
        return text

    def show_order(self, order_id: int, code: str) -> None:
        """Find the order `code` (whatever its state) and select it: what a receipt made
        against it opens."""
        self.state.blockSignals(True)  # one read, below
        self.state.setCurrentIndex(STATE_CHOICES.index(""))
        self.state.blockSignals(False)
        self.search.setText(code)
        self._keep = order_id
        self.refresh()

    # Actions ------------------------------------------------------------------------------
    def new_order(self, supplier: str = "") -> PurchaseOrderDialog:
        dialog = self.dialog = PurchaseOrderDialog(self.ctx, parent=self, supplier=supplier)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.ordered.connect(self._ordered)
        dialog.open()
        return dialog

    def edit_order(self) -> None:
        """Change the selected order (nothing of it came yet) in the order dialog."""
        order = self.current()
        if order is None or not order.can_cancel():
            return
        ctx, order_id = self.ctx, order.id
        Op(self, lambda _job: po.to_receive(ctx, order_id)).success(
            lambda got: self._open_editor(*got)).failure(self._failed).run()  # fmt: skip

    def order_products(self, product_ids: list[int]) -> None:
        """A new order of those products (what of them is low; see `products_to_order`)."""
        ctx = self.ctx
        Op(self, lambda _job: po.products_to_order(ctx, product_ids)).success(
            self._open_products_order).failure(self._failed).run()  # fmt: skip

    def _open_products_order(self, got: po.ProductsToOrder) -> None:
        if not alive(self):
            return
        lines = [po.ToReceive(s.hit, s.quantity, s.unit_cost) for s in got.lines]
        dialog = self.dialog = PurchaseOrderDialog(self.ctx, parent=self, supplier=got.supplier,
                                                   lines=lines)  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.ordered.connect(self._ordered)
        dialog.open()
        if lines and not got.low:
            dialog.show_problem(self.tr("None of these products is low on stock (or what is "
                                        "low is on order already): one of each is added, "
                                        "change the quantities."))  # fmt: skip

    def order_again(self) -> None:
        """A new order from the selected one's supplier, its lines as they were ordered."""
        order = self.current()
        if order is None:
            return
        ctx, order_id = self.ctx, order.id
        Op(self, lambda _job: po.order_again(ctx, order_id)).success(
            lambda got: self._open_editor(*got, copy=True)).failure(self._failed).run()  # fmt: skip

    def _open_editor(self, order: po.OrderRow, lines: list[po.ToReceive],
                     copy: bool = False) -> None:  # fmt: skip
        if not alive(self):
            return
        dialog = self.dialog = PurchaseOrderDialog(
            self.ctx, parent=self, supplier=order.supplier, lines=lines,
            editing=None if copy else order)  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.ordered.connect(self._ordered)
        dialog.open()

    def _ordered(self, row: po.OrderRow) -> None:
        if not alive(self):
            return
        self.say(self.tr("%1 saved").replace("%1", row.code))
        self._keep = row.id
        self.search.clear()
        self.refresh()

    def receive(self) -> None:
        """A goods receipt against the selected order (what is still to come of it)."""
        order = self.current()
        if order is None or order.state not in OPEN_STATES:
            return
        ctx, order_id = self.ctx, order.id
        Op(self, lambda _job: po.to_receive(ctx, order_id)).success(
            lambda got: self._open_receipt(*got)).failure(self._failed).run()  # fmt: skip

    def _open_receipt(self, order: po.OrderRow, to_come: list[po.ToReceive]) -> None:
        if not alive(self):
            return
        dialog = GoodsReceiptDialog(self.ctx, parent=self, order=order, to_come=to_come)
        self.receipt_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.received.connect(lambda row, _q: self._received(order.id, row.code))
        dialog.labelsRequested.connect(self.labelsRequested.emit)
        dialog.open()

    def _received(self, order_id: int, code: str) -> None:
        if not alive(self):
            return
        self.say(self.tr("%1 received").replace("%1", code))
        self._keep = order_id
        self.refresh()
        self.stockChanged.emit()

    def ask_reason(self, action: str) -> QInputDialog | None:
        """Ask why, then close (`close`) or cancel (`cancel`) the selected order."""
        order = self.current()
        if order is None or not (order.can_close() if action == "close" else order.can_cancel()):
            return None
        if action == "close":
            title = self.tr("Close %1").replace("%1", order.code)
            question = self.tr("%1 units will not come. Why?").replace(
                "%1", _num(order.awaited_units))  # fmt: skip
        else:
            title = self.tr("Cancel %1").replace("%1", order.code)
            question = self.tr("Why is the order cancelled?")
        box = self.reason_box = ask_reason(
            self, title, question, lambda text: self.end_order(order.id, action, text)
        )
        # As wide as its title and the title bar's buttons: "Kết thúc DHN000001" was cut
        # to "Kết thúc… N000001" in a box as narrow as its question.
        box.setMinimumWidth(box.fontMetrics().horizontalAdvance(title) + TITLE_BAR_ROOM)
        return box

    def end_order(self, order_id: int, action: str, reason: str) -> None:
        ctx = self.ctx
        end = po.close_order if action == "close" else po.cancel_order
        self._keep = order_id
        Op(self, lambda _job: end(ctx, order_id, reason)).success(
            lambda _row: self.refresh()).failure(self._failed).run()  # fmt: skip

    def print_order(self, pdf: Path | None = None) -> None:
        """The selected order on the invoice's printer, or into `pdf`; in the background."""
        order = self.current()
        if order is None:
            return
        from primedist.ui.printing.jobs import print_purchase_order

        ctx, lang = self.ctx, current_language()
        self.say(self.tr("Printing…"))
        Op(self, lambda _job: print_purchase_order(ctx, order.id, pdf=pdf, lang=lang),
           title=self.tr("Printing the purchase order"), network=True).success(
            self._printed).failure(self._failed).run()  # fmt: skip

    def copy_text(self) -> None:
        """The selected order as plain text on the clipboard, to paste into the chat with
        the supplier."""
        order = self.current()
        if order is None:
            return
        ctx, lang, order_id, code = self.ctx, current_language(), order.id, order.code
        Op(self, lambda _job: po.order_text(ctx, order_id, lang=lang)).success(
            lambda text: self._copied(code, text)).failure(self._failed).run()  # fmt: skip

    def _copied(self, code: str, text: str) -> None:
        if not alive(self):
            return
        QGuiApplication.clipboard().setText(text)
        self.say(self.tr("%1 copied: paste it into the chat with the supplier")
                            .replace("%1", code))  # fmt: skip

    def save_pdf(self) -> None:
        order = self.current()
        if order is None:
            return
        path = ask_save_path(self, self.tr("Save the purchase order as PDF"), self._folder(),
                             f"{order.code}.pdf", self.ctx)  # fmt: skip
        if path is not None:
            self.print_order(path)

    def _folder(self) -> Path:
        return self.ctx.settings.export_dir if self.ctx.settings else Path.home()

    def _printed(self, result: Any) -> None:
        if alive(self):
            self.say(self.tr("Printed to %1").replace("%1", result.where))

    def export(self) -> None:
        path = ask_save_path(self, self.tr("Export purchase orders"), self._folder(),
                             "purchase-orders.xlsx", self.ctx)  # fmt: skip
        if path is not None:
            self.export_to(path)

    def export_to(self, target: Path) -> None:
        """The lines of every order the list's state and search match, in the background."""
        ctx, search, lang = self.ctx, self.search.text(), current_language()
        state = self.state.currentData() or None
        Op(self, lambda job: po.export_orders(ctx, target, search=search, state=state,
                                              lang=lang, progress=job.progress),
           title=self.tr("Exporting purchase orders")).with_progress(beside=True).success(
            self._exported).failure(self._failed).run()  # fmt: skip

    def _exported(self, report: Any) -> None:
        if not alive(self):
            return
        self.last_export = report
        export_finished(self, count_text(report.rows, self.tr("%n line"), self.tr("%n lines")),
                        report.path)  # fmt: skip

    def _failed(self, exc: BaseException) -> None:
        """Said above the list (an order that changed meanwhile; a printer problem)."""
        if alive(self):
            self.say("")
            report_in(self.message, self, exc)
            self.message.setVisible(bool(self.message.text()))
