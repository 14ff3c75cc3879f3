"""The return dialog: how many of each line come back, why, and how much is refunded.

In exchange mode (*đổi hàng*) it is the first step of an exchange: what comes back, why
and what it is worth; OK hands that on (`exchange_start`) to the exchange sale screen,
which saves the return and the new sale together."""

from __future__ import annotations

from dataclasses import dataclass, field

import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_money, format_number, parse_money
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.domain.order import OrderLine
from primedist.services.context import ServiceContext
from primedist.services.orders import (
    OrderDetail,
    ReturnResult,
    points_back,
    points_taken_back,
    return_order,
    suggested_refund,
)
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.ops import Op
from primedist.ui.widgets import align_headers

#: Columns of the lines table: the quantities returned, then how many go back to stock.
QTY_COLUMN = 4
STOCK_COLUMN = 5
#: The spin box columns' widths (the box and a little air around it); Back to stock's
#: a little narrower, leaving the product names room at the dialog's smallest.
COLUMN_WIDTHS = {QTY_COLUMN: 130, STOCK_COLUMN: 116}
#: The table shows this many lines at most without scrolling (the dialog grows to fit).
ROWS_SHOWN = 6
ROW_HEIGHT = 38
#: How a counter sale's refund can go back (not COD nor on account: those are no money
#: handed over at the counter).
REFUND_WAYS = (PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD,
               PaymentMethod.E_WALLET, PaymentMethod.OTHER)  # fmt: skip


@dataclass(frozen=True)
class ExchangeStart:
    """What comes back, chosen in the return dialog: the rest is the new sale."""

    order_id: int
    number: str
    customer_id: int | None
    reason: str
    #: What the returned items are worth to the customer (the refund).
    credit: int
    #: {order line id: quantity coming back}.
    returned: dict[int, int] = field(default_factory=dict)
    #: {order line id: how many of its returned units go back on sale} (the rest are
    #: written off; a line left out: all of them back).
    back_to_stock: dict[int, int] = field(default_factory=dict)


def _cell(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _left(line: OrderLine) -> int:
    return line.quantity - line.returned_quantity


class ReturnDialog(QDialog):
    """Return some or all items of a completed order, with the refund."""

    def __init__(
        self, ctx: ServiceContext, detail: OrderDetail, parent: QWidget | None = None, *,
        exchange: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.ctx = ctx
        self.detail = detail
        self.exchange = exchange
        #: Exchange mode, once OK worked: what comes back (the sale screen does the rest).
        self.exchange_start: ExchangeStart | None = None
        self.order = detail.order
        self.lines = detail.lines
        #: Order line id → its "Return qty" spin box.
        self.spins: dict[int, QSpinBox] = {}
        #: Order line id → its "Back to stock" spin box (stock-tracked lines only); the
        #: ids set by hand (the others follow the quantity returned and the reason: a
        #: defective item is not put back on sale).
        self.restock: dict[int, QSpinBox] = {}
        self._restock_by_hand: set[int] = set()
        self._keep_restock = False
        #: The restock boxes are being set by the dialog, not by the user.
        self._setting_restock = False
        #: What the service did, once OK worked.
        self.outcome: ReturnResult | None = None
        self._refund_by_hand = False
        self._busy = False
        self.setObjectName("returnDialog")
        self.setMinimumWidth(720)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setObjectName("sectionTitle")
        self.intro = QLabel()
        self.intro.setObjectName("muted")
        self.intro.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(self._build_table_bar())
        layout.addWidget(self._build_table())
        layout.addLayout(self._build_form())
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setObjectName("formProblem")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        layout.addWidget(self._build_buttons())
        self._set_tab_order()
        self._retranslate()
        self._update()
        first = next((s for s in self.spins.values() if s.isEnabled()), None)
        if first is not None:
            first.setFocus()

    # ------------------------------------------------------------------ building

    def _build_table_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.lines_title = QLabel()
        self.lines_title.setObjectName("fieldCaption")
        self.everything_button = QPushButton()
        self.everything_button.setObjectName("actionButton")
        self.everything_button.setAutoDefault(False)
        self.everything_button.clicked.connect(self.return_everything)
        bar.addWidget(self.lines_title)
        bar.addStretch(1)
        bar.addWidget(self.everything_button)
        return bar

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(len(self.lines), STOCK_COLUMN + 1)
        table.setObjectName("returnLines")
        align_headers(table, right=(2, 3, QTY_COLUMN, STOCK_COLUMN))
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        table.setTabKeyNavigation(False)  # Tab moves between the spin boxes, not the cells
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        lang = current_language()
        for row, line in enumerate(self.lines):
            name = line.product_name + (f" · {line.variant_name}" if line.variant_name else "")
            table.setItem(row, 0, _cell(name))
            table.setItem(row, 1, _cell(line.sku or ""))
            table.setItem(row, 2, _cell(format_money(line.unit_price, lang), right=True))
            table.setItem(row, 3, _cell(self._sold_text(line), right=True))
            table.setCellWidget(row, QTY_COLUMN, self._spin_cell(line))
            table.setCellWidget(row, STOCK_COLUMN, self._restock_cell(line))
        for column, width in COLUMN_WIDTHS.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            table.setColumnWidth(column, width)
        # Every line shown up to ROWS_SHOWN (a scroll bar beyond): the header, the rows
        # and the frame.
        rows_shown = min(max(len(self.lines), 2), ROWS_SHOWN)
        table.setMinimumHeight(42 + ROW_HEIGHT * rows_shown)
        self.table = table
        return table

    def _spin_cell(self, line: OrderLine) -> QWidget:
        """The spin box of a line, with a little air around it in its cell."""
        cell = QWidget()
        layout = QHBoxLayout(cell)
        layout.setContentsMargins(8, 3, 8, 3)
        layout.addWidget(self._spin_for(line))
        return cell

    def _spin_for(self, line: OrderLine) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName("returnQty")
        spin.setRange(0, max(_left(line), 0))
        spin.setEnabled(_left(line) > 0)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight)
        spin.setMinimumWidth(90)
        line_id = line.id or 0
        spin.valueChanged.connect(lambda _v: self._quantity_changed(line_id))
        self.spins[line_id] = spin
        return spin

    def _restock_cell(self, line: OrderLine) -> QWidget:
        """The line's "Back to stock" box: how many of the units returned go back on sale
        (0 to the quantity returned); a dash for a line without stock (no product of its
        own), whose units have no shelf to go back to."""
        cell = QWidget()
        layout = QHBoxLayout(cell)
        layout.setContentsMargins(8, 3, 8, 3)
        box = QSpinBox()
        box.setObjectName("backToStock")
        box.setAlignment(Qt.AlignmentFlag.AlignRight)
        box.setMinimumWidth(90)
        box.setRange(0, 0)
        box.setEnabled(False)
        layout.addWidget(box)
        if line.variant_id is None:
            box.setSpecialValueText("—")
            return cell
        line_id = line.id or 0
        box.valueChanged.connect(lambda _v: self._restock_edited(line_id))
        self.restock[line_id] = box
        return cell

    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        self.reason = QComboBox()
        self.reason.setObjectName("returnReason")
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason.addItems(["", "", "", ""])  # texts set by _retranslate
        self.reason.setCurrentIndex(0)
        self.reason.editTextChanged.connect(lambda _t: self._reason_changed())
        self.refund = QLineEdit()
        self.refund.setObjectName("refundAmount")
        self.refund.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.refund.setMaximumWidth(220)
        self.refund.textEdited.connect(self._refund_edited)
        self.suggested = QLabel()
        self.suggested.setObjectName("muted")
        self.use_suggested = QPushButton()
        self.use_suggested.setObjectName("linkButton")
        self.use_suggested.setAutoDefault(False)
        self.use_suggested.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.use_suggested.clicked.connect(self._back_to_suggested)
        refund_row = QHBoxLayout()
        # Its own spacing: in a form whose two spacings differ, a row inherits none (the
        # suggestion touched the box).
        refund_row.setSpacing(10)
        refund_row.addWidget(self.refund)
        refund_row.addWidget(self.suggested, 1)
        refund_row.addWidget(self.use_suggested)
        self.reason_caption, self.refund_caption = QLabel(), QLabel()
        self.reason_caption.setBuddy(self.reason)
        self.refund_caption.setBuddy(self.refund)
        form.addRow(self.reason_caption, self.reason)
        form.addRow(self.refund_caption, refund_row)
        # A counter sale's money may go back another way than it came (cash for a transfer):
        # End of day then takes a cash refund out of the drawer.
        self.refund_way = QComboBox()
        self.refund_way.setObjectName("refundMethod")
        self.refund_way.setMaximumWidth(220)  # as wide as the refund above it
        self.refund_way_caption = QLabel()
        self.refund_way_caption.setBuddy(self.refund_way)
        for way in self._refund_ways():
            self.refund_way.addItem("", None if way == self.order.payment_method else way)
        if self.refund_way.count():
            form.addRow(self.refund_way_caption, self.refund_way)
        # The order was paid partly with points: their share comes back with the items.
        self.points_back = QLabel()
        self.points_back.setObjectName("pointsBack")
        self.points_back.setWordWrap(True)
        form.addRow("", self.points_back)
        # The points the order earned shrink with its refund: the ledger takes their share back.
        self.points_taken = QLabel()
        self.points_taken.setObjectName("pointsTakenBack")
        self.points_taken.setWordWrap(True)
        form.addRow("", self.points_taken)
        return form

    def _build_buttons(self) -> QDialogButtonBox:
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("primaryButton")
        self.cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        return self.buttons

    def _set_tab_order(self) -> None:
        # Line by line: how many come back, then how many of them go back on sale.
        chain: list[QWidget] = [self.everything_button]
        for line_id, spin in self.spins.items():
            chain += [spin] + ([self.restock[line_id]] if line_id in self.restock else [])
        chain += [self.reason, self.refund]
        chain += [self.refund_way] if self.refund_way.count() else []
        chain += [self.ok, self.cancel]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)

    # ------------------------------------------------------------------ texts

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()

    def _fit_height(self) -> None:
        """At least as tall as the contents at this width. Qt's own minimum leaves out the
        wrapped labels' extra lines (the intro, the points lines): short by them, the
        table was squeezed under the reason field."""
        layout = self.layout()
        if layout is not None:
            layout.activate()
            need = layout.totalMinimumHeightForWidth(self.width())
            if need != self.minimumHeight():
                self.setMinimumHeight(need)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._update()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        number = self.order.external_id
        if self.exchange:
            title = self.tr("Exchange items of order %1")
            intro = self.tr(
                "Choose what comes back and what it is worth; next, the items the customer "
                "takes instead. Nothing is saved until the exchange sale is."
            )
        else:
            title = self.tr("Return items of order %1")
            intro = self.tr(
                "Back to stock: how many of the items returned can be sold again; the others "
                "(defective) are written off. The refund is recorded on the order. When every "
                "item is back the order becomes Returned."
            )
        self.setWindowTitle(title.replace("%1", number))
        self.title.setText(title.replace("%1", number))
        self.intro.setText(intro)
        self.lines_title.setText(self.tr("Items"))
        self.everything_button.setText(self.tr("Return everything"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Product"), self.tr("SKU"), self.tr("Unit price"), self.tr("Can return"),
             self.tr("Return qty"), self.tr("Back to stock")]
        )  # fmt: skip
        for box in self.restock.values():
            box.setToolTip(self.tr("How many of the items returned can be sold again; the "
                                   "others are written off, not put back in stock."))  # fmt: skip
        for row, line in enumerate(self.lines):
            item = self.table.item(row, 3)
            if item is not None:
                item.setText(self._sold_text(line))
        self._retranslate_reasons()
        self.reason_caption.setText(self.tr("&Reason"))
        self.refund_caption.setText(self.tr("&Worth") if self.exchange else self.tr("Re&fund"))
        self.use_suggested.setText(self.tr("Use suggested"))
        self.refund_way_caption.setText(self.tr("Refund &by"))
        for i in range(self.refund_way.count()):
            self.refund_way.setItemText(i, enum_label(self.refund_way.itemData(i)
                                                      or self.order.payment_method))  # fmt: skip
        self.ok.setText(self.tr("Next: new items") if self.exchange
                        else self.tr("Return and refund"))  # fmt: skip
        self.cancel.setText(self.tr("Cancel"))

    def _retranslate_reasons(self) -> None:
        reasons = ["", self.tr("Defective"), self.tr("Wrong item"),
                   self.tr("Customer changed their mind")]  # fmt: skip
        typed = self.reason.currentText()
        # Back to stock stays as it is: the reason kept is in the language it was typed in.
        self._keep_restock = True
        for i, text in enumerate(reasons):
            self.reason.setItemText(i, text)
        self.reason.setEditText(typed)
        self._keep_restock = False
        edit = self.reason.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(self.tr("Choose or type why the items come back"))

    def _sold_text(self, line: OrderLine) -> str:
        lang = current_language()
        left = format_number(_left(line), lang)
        if not line.returned_quantity:
            return left
        done = format_number(line.returned_quantity, lang)
        return self.tr("%1 (%2 already returned)").replace("%1", left).replace("%2", done)

    # ------------------------------------------------------------------ state

    def _refund_ways(self) -> list[PaymentMethod]:
        """How the refund can go back, the way the order was paid first: a counter sale's
        (none for an exchange, whose credit pays the new sale, nor for other orders)."""
        paid = self.order.payment_method
        if self.exchange or self.order.source != OrderSource.COUNTER or paid not in REFUND_WAYS:
            return []
        return [paid, *(way for way in REFUND_WAYS if way != paid)]

    def refund_method(self) -> PaymentMethod | None:
        """The way chosen when not the order's own (None: as it was paid)."""
        way = self.refund_way.currentData() if self.refund_way.count() else None
        return PaymentMethod(way) if way else None

    def quantities(self) -> dict[int, int]:
        """{order line id: quantity to return} for the lines with a quantity."""
        return {line_id: spin.value() for line_id, spin in self.spins.items() if spin.value()}

    def suggested_amount(self) -> int:
        return suggested_refund(self.order, self.lines, self.quantities(),
                                paid=self.detail.paid_towards)  # fmt: skip

    def max_refund(self) -> int:
        return self.order.total - self.order.refunded_amount

    def reason_text(self) -> str:
        return self.reason.currentText().strip()

    def refund_amount(self) -> int | None:
        """The refund typed or suggested; None when it is not an amount."""
        try:
            return parse_money(self.refund.text(), current_language())
        except ValueError:
            return None

    def points_taken_back(self) -> int:
        """The earned points this return takes back, by the refund as it will be saved (a
        refund not yet right counts as the suggested one, or as far as it may go)."""
        if not self.quantities():
            return 0
        amount = self.refund_amount()
        refund = self.suggested_amount() if amount is None else amount
        refund = min(max(refund, 0), self.max_refund())
        return points_taken_back(self.order, self.lines, self.quantities(), refund)

    def back_to_stock(self) -> dict[int, int]:
        """{order line id: units going back on sale} for the stock-tracked lines returned
        (the rest of their units are written off)."""
        return {line_id: self.restock[line_id].value()
                for line_id in self.quantities() if line_id in self.restock}  # fmt: skip

    def is_defective(self) -> bool:
        """The reason is the list's "Defective" (typed or chosen)."""
        return self.reason_text().casefold() == self.tr("Defective").casefold()

    def _quantity_changed(self, line_id: int) -> None:
        self._follow(line_id)
        self._update()

    def _follow(self, line_id: int) -> None:
        """The line's Back to stock as the quantity returned allows (never more), and when
        not set by hand as the reason says: all of it, none of a defective item."""
        box = self.restock.get(line_id)
        if box is None:
            return
        returned = self.spins[line_id].value()
        self._setting_restock = True
        box.setMaximum(returned)  # clamps a value set by hand above it
        if line_id not in self._restock_by_hand:
            box.setValue(0 if self.is_defective() else returned)
        box.setEnabled(returned > 0)
        self._setting_restock = False

    def _restock_edited(self, line_id: int) -> None:
        if not self._setting_restock:
            self._restock_by_hand.add(line_id)
            self._update()

    def _reason_changed(self) -> None:
        """Back to stock not set by hand follows the reason: a defective item stays off sale."""
        if not self._keep_restock:
            for line_id in self.restock:
                self._follow(line_id)
        self._update()

    def return_everything(self) -> None:
        for spin in self.spins.values():
            spin.setValue(spin.maximum())

    def _refund_edited(self, _text: str) -> None:
        self._refund_by_hand = True
        self._update()

    def _back_to_suggested(self) -> None:
        self._refund_by_hand = False
        self._update()

    def problem_text(self) -> str:
        """Why OK is disabled, in words ('' when the return can be made)."""
        if not self.quantities():
            return self.tr("Choose at least one item to return.")
        amount = self.refund_amount()
        if amount is None:
            return self.tr("Type the refund as an amount of money, e.g. 150.000.")
        if amount < 0 or amount > self.max_refund():
            limit = format_money(self.max_refund(), current_language())
            return self.tr("The refund must be between 0 and %1.").replace("%1", limit)
        if not self.reason_text():
            return self.tr("Say why the items come back.")
        return ""

    def _update(self) -> None:
        lang = current_language()
        suggested = self.suggested_amount()
        if not self._refund_by_hand:
            text = format_money(suggested, lang)
            if self.refund.text() != text:
                self.refund.setText(text)
        self.suggested.setText(
            self.tr("suggested %1, at most %2")
            .replace("%1", format_money(suggested, lang))
            .replace("%2", format_money(self.max_refund(), lang))
        )
        self.use_suggested.setVisible(self._refund_by_hand)
        points = points_back(self.order, self.lines, self.quantities())
        self.points_back.setText(
            self.tr("%1 points paid on the order go back to the customer.")
            .replace("%1", format_number(points, lang))
        )  # fmt: skip
        self.points_back.setVisible(points > 0)
        taken = self.points_taken_back()
        self.points_taken.setText(
            self.tr("%1 points earned on the returned items are taken back from the customer.")
            .replace("%1", format_number(taken, lang))
        )  # fmt: skip
        self.points_taken.setVisible(taken > 0)
        problem = self.problem_text()
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.ok.setEnabled(not problem and not self._busy)
        self._fit_height()

    # ------------------------------------------------------------------ OK

    def submit(self) -> None:
        """Return the chosen quantities and record the refund (in the background)."""
        amount = self.refund_amount()
        if self._busy or self.problem_text() or amount is None:
            return
        quantities, reason = self.quantities(), self.reason_text()
        order_id, method = self.order.id or 0, self.refund_method()
        back = self.back_to_stock()
        if self.exchange:
            self.exchange_start = ExchangeStart(order_id, self.order.external_id,
                                                self.order.customer_id, reason, amount,
                                                quantities, back)  # fmt: skip
            self.accept()
            return
        self._busy = True
        self._update()

        def work(_job: object) -> ReturnResult:
            return return_order(self.ctx, order_id, quantities, reason=reason,
                                refund_amount=amount, method=method,
                                back_to_stock=back)  # fmt: skip

        Op(self, work, engine=self.ctx.engine, title=self.tr("Returning items")).success(
            self._done
        ).finally_(self._idle).run()

    def _done(self, result: ReturnResult) -> None:
        if shiboken6.isValid(self):
            self.outcome = result
            self.accept()

    def _idle(self) -> None:
        if shiboken6.isValid(self):
            self._busy = False
            self._update()
