"""Goods of a goods receipt sent back to the supplier (Products → Goods receipts → *Return
to supplier…*, *Trả hàng nhập*): the receipt's lines with what came in and what went back
already; how many of each go back now is typed in place (**Return all** fills every
line's maximum), with why. The value of the goods going back comes off what the shop owes
the supplier, less any money the supplier gives back for them; a line under it says what
the shop will owe the supplier after, and the money that comes back. Saving is one
transaction (`services.supplier_returns.return_to_supplier`) on the database worker; a
refusal (stock sold since, …) is said in the dialog, which stays open.
"""

from __future__ import annotations

import re

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_number, parse_money
from primedist.services import goods_receipts as receipts_svc
from primedist.services import supplier_returns as svc
from primedist.services import suppliers as suppliers_svc
from primedist.services.context import ServiceContext
from primedist.ui.formatting import money_text
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import alive, push_button
from primedist.ui.money_form import MUTED
from primedist.ui.ops import Op, report_in
from primedist.ui.products.receipts import (
    PROBLEM,
    RIGHT,
    chosen_method,
    fill_methods,
    method_combo,
    row_table,
)

#: The table's columns; only how many go back is typed.
RETURN_COLUMNS = ("sku", "name", "received", "returned", "unit_cost", "to_return")
TO_RETURN = RETURN_COLUMNS.index("to_return")
#: A whole number of units as typed: digits, maybe grouped by thousands (1.200 or 1,200).
_WHOLE = re.compile(r"\d+|\d{1,3}(?:[.,]\d{3})+")


def _money(amount: int | None) -> str:
    return "" if amount is None else money_text(amount)  # as the goods receipts show it


def _num(n: int) -> str:
    return format_number(n, current_language())


def units_typed(value: object) -> int | None:
    """The units in a "to return" cell (nothing: 0); None when not a whole number ≥ 0."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    text = "".join(str(value if value is not None else "").split())
    if not text:
        return 0
    return int(re.sub(r"[.,]", "", text)) if _WHOLE.fullmatch(text) else None


def left_of(line: receipts_svc.ReceiptLineRow) -> int:
    """How many of a receipt line can still go back (none once its product was deleted)."""
    return max(line.quantity - line.returned, 0) if line.variant_id is not None else 0


class SupplierReturnDialog(QDialog):
    """Goods of one standing receipt sent back to its supplier. Emits `returned(ReturnRow)`
    and closes once the service recorded the return; a refused save is said in `status`
    and the dialog stays open."""

    returned = Signal(object)

    def __init__(
        self, ctx: ServiceContext, receipt: receipts_svc.ReceiptRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supplierReturnDialog")
        self.ctx = ctx
        self.receipt = receipt
        self.lines: list[receipts_svc.ReceiptLineRow] = []
        #: What the shop owes the receipt's supplier now (None: no supplier, or not read yet).
        self.owed: int | None = None
        self.loaded = False
        self._busy = False
        self._filling = False
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        table = self.table = row_table(len(RETURN_COLUMNS), RETURN_COLUMNS.index("name"),
                                       editable=True)  # fmt: skip
        table.setObjectName("returnLines")
        table.itemChanged.connect(self._cell_edited)
        layout.addWidget(table, 1)
        row = QHBoxLayout()
        self.all_button = push_button("returnAllButton", self.return_all)
        self.value = QLabel()
        self.value.setObjectName("returnValue")
        self.value.setAlignment(RIGHT)
        row.addWidget(self.all_button)
        row.addWidget(self.value, 1)
        layout.addLayout(row)
        self.after = QLabel()
        self.after.setObjectName("returnAfter")
        self.after.setAlignment(RIGHT)
        layout.addWidget(self.after)
        layout.addLayout(self._build_form())
        self.status = QLabel()
        self.status.setObjectName("formProblem")
        self.status.setWordWrap(True)
        self.status.hide()
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setObjectName("primaryButton")
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.retranslate()
        receipt_id, supplier_id = receipt.id, receipt.supplier_id

        def read(_job: object) -> tuple[list[receipts_svc.ReceiptLineRow], int | None]:
            lines = receipts_svc.receipt_lines(ctx, receipt_id)
            if supplier_id is None:
                return lines, None
            return lines, suppliers_svc.get_supplier(ctx, supplier_id).debt

        Op(self, read).success(lambda got: self._lines_loaded(*got)).failure(
            self._failed).run()  # fmt: skip

    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        self.reason = QLineEdit()
        self.reason.setObjectName("returnReason")
        self.reason.setMaxLength(svc.MAX_REASON)
        self.reason.textChanged.connect(lambda _t: self._update())
        self.refund = QLineEdit()
        self.refund.setObjectName("returnRefund")
        self.refund.setAlignment(RIGHT)
        self.refund.setMaximumWidth(200)
        self.refund.textChanged.connect(lambda _t: self._update())
        self.method = method_combo("returnMethod")
        self.method.currentIndexChanged.connect(lambda _i: self._update())  # the line under
        money = QHBoxLayout()
        money.addWidget(self.refund)
        money.addWidget(self.method)
        money.addStretch(1)
        self.reason_label, self.refund_label = QLabel(), QLabel()
        self.reason_label.setBuddy(self.reason)
        self.refund_label.setBuddy(self.refund)
        form.addRow(self.reason_label, self.reason)
        form.addRow(self.refund_label, money)
        return form

    # Text ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        code, supplier = self.receipt.code, self.receipt.supplier
        if supplier:
            title = self.tr("Return goods of %1 to the supplier %2").replace(
                "%1", code).replace("%2", supplier)  # fmt: skip
        else:
            title = self.tr("Return goods of %1 to the supplier").replace("%1", code)
        self.setWindowTitle(title)
        self.title.setText(title)
        self.table.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Received"), self.tr("Returned already"),
            self.tr("Unit cost"), self.tr("To return"),
        ])  # fmt: skip
        self.all_button.setText(self.tr("Return all"))
        self.all_button.setToolTip(self.tr("Send back everything of the receipt that can "
                                           "still go back"))  # fmt: skip
        self.reason_label.setText(self.tr("&Reason"))
        self.reason.setPlaceholderText(self.tr("required: faulty, wrong size, too many…"))
        self.refund_label.setText(self.tr("&Money given back"))
        self.refund.setPlaceholderText("0")
        self.refund.setToolTip(self.tr(
            "Money the supplier gives back for these goods now. 0: their value comes off "
            "what the shop owes the supplier instead"))  # fmt: skip
        self.method.setToolTip(self.tr("How the supplier gave the money back"))
        fill_methods(self.method)
        self.save_button.setText(self.tr("Save"))
        self.save_button.setToolTip(self.tr("Take the goods out of stock and record the return"))
        self.cancel_button.setText(self.tr("Cancel"))
        if self.loaded:
            self._fill()
        else:
            self._update()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # Lines --------------------------------------------------------------------------------
    def _lines_loaded(self, lines: list[receipts_svc.ReceiptLineRow], owed: int | None) -> None:
        if not alive(self):
            return
        self.lines, self.owed = lines, owed
        self.loaded = True
        self._fill()

    def _fill(self) -> None:
        """The lines in the table, keeping what is typed in "to return"."""
        typed = [self.typed(r) for r in range(self.table.rowCount())]
        self._filling = True
        table = self.table
        table.setRowCount(len(self.lines))
        for row, line in enumerate(self.lines):
            name = (
                f"{line.product_name} — {line.variant_name}"
                if line.variant_name
                else line.product_name
            )
            back = _num(line.returned) if line.returned else ""
            cells = (line.sku, name, _num(line.quantity), back, _money(line.unit_cost))
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col >= RETURN_COLUMNS.index("received"):
                    cell.setTextAlignment(RIGHT)
                table.setItem(row, col, cell)
            cell = QTableWidgetItem()
            cell.setData(Qt.ItemDataRole.EditRole, typed[row] if row < len(typed) else 0)
            cell.setTextAlignment(RIGHT)
            if left_of(line) == 0:  # nothing left to go back: greyed, not editable
                cell.setData(Qt.ItemDataRole.EditRole, 0)
                cell.setFlags(cell.flags() & ~(Qt.ItemFlag.ItemIsEditable
                                               | Qt.ItemFlag.ItemIsEnabled))  # fmt: skip
                cell.setForeground(MUTED)
                cell.setToolTip(self._none_left_text(line))
            else:
                cell.setToolTip(self.tr("At most %1").replace("%1", _num(left_of(line))))
            table.setItem(row, TO_RETURN, cell)
        self._filling = False
        self._update()

    def _none_left_text(self, line: receipts_svc.ReceiptLineRow) -> str:
        if line.variant_id is None:
            return self.tr("Its product was deleted since: nothing of it can go back")
        return self.tr("All of it went back already")

    def _cell_edited(self, cell: QTableWidgetItem) -> None:
        if self._filling or cell.column() != TO_RETURN:
            return
        bad = self.units(cell.row()) is None or self._above(cell.row())
        self._filling = True
        cell.setForeground(PROBLEM if bad else self.table.palette().text())
        self._filling = False
        self._update()

    def typed(self, row: int) -> object:
        """What is in the row's "to return" cell (a number, or text as typed)."""
        item = self.table.item(row, TO_RETURN)
        return item.data(Qt.ItemDataRole.EditRole) if item is not None else 0

    def units(self, row: int) -> int | None:
        """How many of the row's line go back; None when what is typed is not a number."""
        return units_typed(self.typed(row))

    def _above(self, row: int) -> bool:
        units = self.units(row)
        return units is not None and units > left_of(self.lines[row])

    def set_quantity(self, row: int, quantity: int | str) -> None:
        """Type `quantity` as how many of the row's line go back (as the user would)."""
        item = self.table.item(row, TO_RETURN)
        assert item is not None
        if isinstance(quantity, int):
            item.setData(Qt.ItemDataRole.EditRole, quantity)
        else:
            item.setText(quantity)

    def return_all(self) -> None:
        """Every line's maximum (what came in less what went back already)."""
        self._filling = True
        for row, line in enumerate(self.lines):
            item = self.table.item(row, TO_RETURN)
            if item is not None and left_of(line):
                item.setData(Qt.ItemDataRole.EditRole, left_of(line))
                item.setForeground(self.table.palette().text())
        self._filling = False
        self._update()

    def quantities(self) -> dict[int, int]:
        """Receipt line id → units going back (the lines with some)."""
        found = {}
        for row, line in enumerate(self.lines):
            units = self.units(row)
            if units:
                found[line.id] = units
        return found

    def value_back(self) -> int:
        """The cost of the goods going back (Σ units × unit cost; lines typed wrong left out)."""
        return sum(
            units * (line.unit_cost or 0)
            for row, line in enumerate(self.lines)
            if (units := self.units(row)) and units <= left_of(line)
        )

    def refund_value(self) -> int | None:
        """The money given back typed (nothing: 0); None when not an amount of money."""
        text = self.refund.text().strip()
        try:
            return parse_money(text, current_language()) if text else 0
        except ValueError:
            return None

    # Checking -----------------------------------------------------------------------------
    def problem_text(self) -> str:
        """Why Save is disabled ('' when the return can be saved)."""
        if not self.loaded:
            return self.tr("Reading the receipt's lines…")
        for row, line in enumerate(self.lines):
            units = self.units(row)
            if units is None:
                return self.tr("%1: type how many go back as a whole number, e.g. 2.").replace(
                    "%1", line.sku)  # fmt: skip
            if units > left_of(line):
                if left_of(line) == 0:
                    return self.tr("%1: nothing of it can go back.").replace("%1", line.sku)
                return self.tr("%1: at most %2 can go back (%3 came in, %4 went back "
                               "already).").replace("%1", line.sku).replace(
                    "%2", _num(left_of(line))).replace("%3", _num(line.quantity)).replace(
                    "%4", _num(line.returned))  # fmt: skip
        if not self.quantities():
            return self.tr("Type how many of which lines go back (or Return all).")
        if not self.reason.text().strip():
            return self.tr("Say why the goods go back to the supplier.")
        refund = self.refund_value()
        if refund is None:
            return self.tr("Type the money given back as an amount of money, e.g. 45.000.")
        value = self.value_back()
        if not 0 <= refund <= value:
            return self.tr("The money given back must be 0 to the value of the goods going "
                           "back (%1).").replace("%1", _money(value))  # fmt: skip
        return ""

    def value_text(self) -> str:
        value = self.value_back()
        text = self.tr("Value of the goods going back: %1").replace("%1", _money(value))
        refund = self.refund_value() or 0
        if self.receipt.supplier_id is not None and value and 0 <= refund < value:
            text += " · " + self.tr("%1 comes off what the shop owes the supplier").replace(
                "%1", _money(value - refund))  # fmt: skip
        return text

    def after_text(self) -> str:
        """What the shop will owe the supplier once the goods are back (their value less the
        money given back comes off), and the money that comes back; '' while nothing valid
        goes back, or without a supplier."""
        value, refund = self.value_back(), self.refund_value()
        if self.owed is None or not value or refund is None or not 0 <= refund <= value:
            return ""
        after = self.owed - (value - refund)
        if after < 0:
            text = self.tr("Owed to the supplier after the return: %1 (%2 paid in "
                           "advance)").replace("%1", _money(0)).replace(
                "%2", _money(-after))  # fmt: skip
        else:
            text = self.tr("Owed to the supplier after the return: %1").replace(
                "%1", _money(after))  # fmt: skip
        if refund:
            method = enum_label(chosen_method(self.method)).lower()
            text += " · " + self.tr("%1 comes back (%2)").replace("%1", _money(refund)).replace(
                "%2", method)  # fmt: skip
        return text

    def _update(self) -> None:
        self.value.setText(self.value_text())
        self.after.setText(self.after_text())
        refund = self.refund_value()
        self.method.setEnabled(bool(refund))
        self.all_button.setEnabled(any(left_of(ln) for ln in self.lines) and not self._busy)
        problem = self.problem_text() if self.loaded else ""
        self.status.setText(problem)
        self.status.setVisible(bool(problem))
        self.save_button.setEnabled(self.loaded and not problem and not self._busy)

    # Saving -------------------------------------------------------------------------------
    def draft(self) -> svc.ReturnDraft:
        return svc.ReturnDraft(self.receipt.id, self.quantities(), self.reason.text(),
                               refund=self.refund_value() or 0,
                               method=chosen_method(self.method))  # fmt: skip

    def save(self) -> None:
        if self._busy or self.problem_text():
            return
        ctx, draft = self.ctx, self.draft()
        self._busy = True
        self._update()
        Op(self, lambda _job: svc.return_to_supplier(ctx, draft), engine=ctx.engine,
           title=self.tr("Returning goods to the supplier")).success(self._saved).failure(
            self._failed).run()  # fmt: skip

    def _saved(self, row: svc.ReturnRow) -> None:
        if not shiboken6.isValid(self):
            return
        self.returned.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self._busy = False
        self._update()
        report_in(self.status, self, exc)
        self.status.setVisible(bool(self.status.text()))
