"""The Account tab of the customer detail (*Công nợ*): what the customer owes for sales on
account (`services.customer_account`), the sales, refunds and payments behind it, and
**Receive payment…** (`ReceivePaymentDialog`, *phiếu thu*) and **Cancel payment…** (a
payment entered by mistake, with a reason; the owner or a manager only).

Reads run on the UI thread like the rest of the detail; writes on the database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.messages import reread
from primedist.core.money import format_money
from primedist.domain.enums import PaymentMethod, Role
from primedist.domain.supplier import MAX_PAYMENT
from primedist.errors import PrimedistError, ValidationError
from primedist.printing.documents import account_reminder
from primedist.services import customer_account as svc
from primedist.services.context import ServiceContext
from primedist.services.customer_account import AccountEntry, Balance
from primedist.services.order_edit import EDITED_REASON
from primedist.ui.customers.loyalty_panel import run_inline
from primedist.ui.formatting import when_text
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import alive, ask_reason, count_text
from primedist.ui.messages import error_text, localize
from primedist.ui.money_form import (
    MUTED,
    FormDialog,
    adjust_fields,
    form_foot,
    parse_amount,
    payment_fields,
    strike,
)
from primedist.ui.ops import Op, report_in
from primedist.ui.printing.actions import document_language
from primedist.ui.widgets import align_headers

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: What the customer owes (the figure).
OWED = QColor("#B91C1C")
#: Paid in advance (the shop owes the customer).
ADVANCE = QColor("#047857")
#: The entries table's columns.
COLUMNS = ("when", "document", "what", "amount", "by", "note")


def _money(amount: int) -> str:
    return format_money(amount, current_language())


def _signed(amount: int) -> str:
    """+ when it raises what is owed, − when it lowers it."""
    return ("+" if amount > 0 else "−") + _money(abs(amount))


def _button(name: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton()
    button.setObjectName(name)
    button.setAutoDefault(False)  # Enter in the table never presses it
    button.clicked.connect(lambda _checked=False: slot())
    return button


def cancel_reason_text(reason: str | None) -> str:
    """Why a payment was cancelled: in the reader's language when the app wrote it (an
    edit of its sale: `order_edit.EDITED_REASON`), else as typed."""
    if not reason:
        return ""
    found = reread(reason, EDITED_REASON.template)
    return localize(found) if found is not None else reason


def can_cancel_payments(ctx: ServiceContext) -> bool:
    """Cancelling a payment takes the owner or a manager (the service refuses the others)."""
    return ctx.actor.role in (Role.OWNER, Role.MANAGER)


class ReceivePaymentDialog(FormDialog):
    """Money a customer pays towards what they owe: the amount (all of it, at first), how,
    a note; what is owed after it, as typed. Emits `received(AccountEntry)` and closes once
    the service recorded it; a refusal (more than is owed…) is said in `status` and the
    dialog stays open."""

    received = Signal(object)

    def __init__(
        self, ctx: ServiceContext, customer_id: int, name: str, owed: int,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(ctx, "receivePaymentDialog", 480, parent)
        self.customer_id, self.name, self.owed = customer_id, name, owed
        method = QComboBox()
        method.setObjectName("paymentMethod")
        for choice in svc.PAYMENT_METHODS:
            method.addItem("", choice.value)
        fields = payment_fields(self.column, method, owed=owed, max_note=svc.MAX_NOTE)
        self.owed_label, self.amount, self.method = fields.owed, fields.amount, fields.method
        self.note, self.after, self.captions = fields.note, fields.after, fields.captions
        self.status, self.save_button, self.cancel_button = form_foot(self, self.column)
        self.amount.textChanged.connect(lambda _t: self._update())
        self.retranslate()

    def retranslate(self) -> None:
        if self.name:
            title = self.tr("Receive payment from %1").replace("%1", self.name)
        else:
            title = self.tr("Receive payment")
        self.setWindowTitle(title)
        self.title.setText(title)
        self.captions["owed"].setText(self.tr("Owes now"))
        self.captions["amount"].setText(self.tr("&Amount received"))
        self.captions["method"].setText(self.tr("&Method"))
        self.captions["note"].setText(self.tr("&Note"))
        self.amount.setPlaceholderText(self.tr("e.g. 500.000"))
        self.note.setPlaceholderText(self.tr("optional: transfer reference, who paid…"))
        for i, method in enumerate(svc.PAYMENT_METHODS):
            self.method.setItemText(i, enum_label(method))
        self.save_button.setText(self.tr("Save"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._update()

    def amount_value(self) -> int | None:
        """The amount typed; None when it is not an amount of money."""
        return parse_amount(self.amount.text())

    def method_value(self) -> PaymentMethod:
        return PaymentMethod(self.method.currentData() or PaymentMethod.CASH.value)

    def problem_text(self) -> str:
        """Why Save is disabled ('' when it is not; more than is owed is the service's to
        refuse, naming what is owed)."""
        amount = self.amount_value()
        if amount is None:
            return self.tr("Type the amount received as an amount of money, e.g. 500.000.")
        if not 0 < amount <= MAX_PAYMENT:
            return self.tr("The amount received must be 1 to %1.").replace(
                "%1", _money(MAX_PAYMENT))  # fmt: skip
        return ""

    def _update(self) -> None:
        self.owed_label.setText(_money(self.owed))
        amount = self.amount_value()
        if not amount or amount < 0:
            self.after.setText("")
        elif amount > self.owed:
            self.after.setText(self.tr("That is %1 more than is owed.").replace(
                "%1", _money(amount - self.owed)))  # fmt: skip
        else:
            self.after.setText(self.tr("Owes after: %1").replace("%1", _money(self.owed - amount)))
        self.show_problem(self.problem_text(), typed=bool(self.amount.text().strip()))

    def save(self) -> None:
        amount = self.amount_value()
        if self._busy or amount is None or self.problem_text():
            return
        ctx, cid = self.ctx, self.customer_id
        method, note = self.method_value(), self.note.text()
        self.run_save(
            lambda: svc.receive_payment(ctx, cid, amount, method, note),
            self.tr("Receiving the payment"),
            self._saved,
        )

    def _saved(self, entry: AccountEntry) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.received.emit(entry)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        super()._failed(exc)
        if alive(self) and isinstance(exc, ValidationError) and exc.field == "amount":
            self.amount.setFocus()
            self.amount.selectAll()


class AdjustBalanceDialog(FormDialog):
    """What a customer owes changed by hand: up (a debt from before the app) or down (an
    amount written off), by an amount, with why. Emits `adjusted(AccountEntry)` and closes
    once the service recorded it (the owner or a manager)."""

    adjusted = Signal(object)

    def __init__(
        self, ctx: ServiceContext, customer_id: int, name: str, owed: int,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(ctx, "customerAdjustDialog", 520, parent)
        self.customer_id, self.name, self.owed = customer_id, name, owed
        self.fields = adjust_fields(self.column, max_note=svc.MAX_NOTE, on_change=self._update)
        self.amount, self.reason = self.fields.amount, self.fields.reason
        self.status, self.save_button, self.cancel_button = form_foot(self, self.column)
        self.retranslate()

    def retranslate(self) -> None:
        title = self.tr("Adjust what %1 owes").replace("%1", self.name)
        self.setWindowTitle(title)
        self.title.setText(title)
        f = self.fields
        f.captions["owed"].setText(self.tr("Owes now"))
        f.captions["direction"].setText(self.tr("&Change"))
        f.captions["amount"].setText(self.tr("&Amount"))
        f.captions["reason"].setText(self.tr("&Reason"))
        f.direction.setItemText(0, self.tr("Owes more (e.g. a debt from before the app)"))
        f.direction.setItemText(1, self.tr("Owes less (e.g. an amount written off)"))
        self.amount.setPlaceholderText(self.tr("e.g. 500.000"))
        self.reason.setPlaceholderText(self.tr("required: e.g. debt from the notebook"))
        self.save_button.setText(self.tr("Save"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._update()

    def problem_text(self) -> str:
        change = self.fields.change()
        if change is None:
            return self.tr("Type the amount as an amount of money, e.g. 500.000.")
        if not 0 < abs(change) <= svc.MAX_ADJUSTMENT:
            return self.tr("The amount must be 1 to %1.").replace(
                "%1", _money(svc.MAX_ADJUSTMENT))  # fmt: skip
        if not self.reason.text().strip():
            return self.tr("Say why the balance changes.")
        return ""

    def _update(self) -> None:
        self.fields.owed.setText(_money(self.owed))
        change = self.fields.change()
        self.fields.after.setText("" if change is None else self.tr("Owes after: %1").replace(
            "%1", _money(self.owed + change)))  # fmt: skip
        self.show_problem(self.problem_text(), typed=bool(self.amount.text().strip()))

    def save(self) -> None:
        change = self.fields.change()
        if self._busy or change is None or self.problem_text():
            return
        ctx, cid, reason = self.ctx, self.customer_id, self.reason.text()
        self.run_save(
            lambda: svc.adjust_balance(ctx, cid, change, reason),
            self.tr("Adjusting the balance"),
            self._saved,
        )

    def _saved(self, entry: AccountEntry) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = False
        self.adjusted.emit(entry)
        self.accept()


class AccountPanel(QWidget):
    """What the customer owes, its entries (newest first), Receive payment… and Cancel
    payment…. `reload()` reads it (the detail calls it with the rest of the customer)."""

    #: A payment was received or cancelled (the panel already shows it).
    changed = Signal()
    #: A sale (or its refund) was double-clicked: its order id.
    openOrder = Signal(int)

    def __init__(self, ctx: ServiceContext, customer_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("accountPanel")
        self.ctx, self.customer_id = ctx, customer_id
        #: The customer's name (the payment dialog's title); the detail sets it.
        self.customer_name = ""
        self.balance: Balance | None = None
        self.entries: list[AccountEntry] = []
        self.busy = False
        self.dialog: ReceivePaymentDialog | None = None
        #: The payment just received here: only its receipt opens the cash drawer (once).
        self.drawer_payment: int | None = None
        self.dialog_adjust: AdjustBalanceDialog | None = None
        self.cancel_box: QInputDialog | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        figure = QVBoxLayout()
        figure.setSpacing(2)
        self.owed_caption = QLabel()
        self.owed_caption.setObjectName("muted")
        self.owed_value = QLabel()
        self.owed_value.setObjectName("accountOwed")
        font = self.owed_value.font()
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.owed_value.setFont(font)
        self.owed_value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.owed_detail = QLabel()
        self.owed_detail.setObjectName("muted")
        for w in (self.owed_caption, self.owed_value, self.owed_detail):
            figure.addWidget(w)
        top.addLayout(figure, 1)
        self.receive_button = _button("primaryButton", self.receive_payment)
        self.adjust_button = _button("adjustBalanceButton", self.adjust_balance)
        self.print_button = _button("printPaymentButton", lambda: self.print_payment())
        self.cancel_button = _button("dangerButton", self.ask_cancel_payment)
        self.remind_button = _button("remindButton", self.copy_reminder)
        layout.addLayout(top)
        # The actions under the figure, the everyday ones first; the reminder at the right.
        actions = QHBoxLayout()
        for button in (self.receive_button, self.adjust_button, self.print_button,
                       self.cancel_button):  # fmt: skip
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.remind_button)
        layout.addLayout(actions)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("muted")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("accountEntries")
        align_headers(self.table, (COLUMNS.index("amount"),))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("note"), QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.empty = QLabel()
        self.empty.setObjectName("muted")
        self.empty.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.hint)
        self._retranslate()

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.receive_button.setText(self.tr("Receive payment…"))
        self.adjust_button.setText(self.tr("Adjust…"))
        self.remind_button.setText(self.tr("Copy reminder"))
        self.print_button.setText(self.tr("Print receipt"))
        self.remind_button.setToolTip(self.tr(
            "Copy a message saying what the customer owes (the sales and what is paid), to "
            "paste into the chat with them (Zalo, Messenger…)"))  # fmt: skip
        self.cancel_button.setText(self.tr("Cancel payment…"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Date"), self.tr("Document"), self.tr("What"), self.tr("Amount"),
             self.tr("By"), self.tr("Note")]
        )  # fmt: skip
        self.empty.setText(self.tr(
            "No sales on account yet. A sale paid “On account” in Create order is owed here "
            "until the customer pays it."))  # fmt: skip
        self.hint.setText(self.tr("Double-click a sale to open its order."))
        self._update_buttons()

    def what_text(self, entry: AccountEntry) -> str:
        if entry.kind == "sale":
            return self.tr("Sale on account")
        if entry.kind == "refund":
            return self.tr("Refund")
        if entry.kind == "adjustment":
            return self.tr("Adjustment")
        if entry.method is None:
            return self.tr("Payment")
        return self.tr("Payment (%1)").replace("%1", enum_label(entry.method).lower())

    def cancelled_text(self, entry: AccountEntry) -> str:
        when = when_text(entry.cancelled_at) if entry.cancelled_at else ""
        return self.tr("Cancelled %1: %2").replace("%1", when).replace(
            "%2", cancel_reason_text(entry.cancel_reason))  # fmt: skip

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read the balance and the entries again and show them."""
        try:
            balance = svc.get_balance(self.ctx, self.customer_id)
            entries = svc.account_entries(self.ctx, self.customer_id)
        except PrimedistError as exc:
            self.show_message(error_text(exc))
            return
        self.balance, self.entries = balance, entries
        self.table.clearSelection()  # the rows may have moved: nothing cancelled by mistake
        self._fill()

    def owed_texts(self) -> tuple[str, str]:
        """The figure's caption and value: Owes / Paid in advance / Owes nothing."""
        b = self.balance
        if b is None or b.owed == 0:
            return self.tr("Owes nothing"), ""
        if b.owed < 0:
            return self.tr("Paid in advance"), _money(-b.owed)
        return self.tr("Owes"), _money(b.owed)

    def _fill(self) -> None:
        b = self.balance
        caption, value = self.owed_texts()
        self.owed_caption.setText(caption)
        self.owed_value.setText(value)
        self.owed_value.setVisible(bool(value))
        colour = ADVANCE if b is not None and b.owed < 0 else OWED
        self.owed_value.setStyleSheet(f"color: {colour.name()};")
        parts = []
        if b is not None and (b.orders or b.paid or b.adjusted):
            parts = [count_text(b.orders, self.tr("%n sale on account"),
                                self.tr("%n sales on account")),
                     self.tr("sold %1").replace("%1", _money(b.sold)),
                     self.tr("paid %1").replace("%1", _money(b.paid))]  # fmt: skip
        if b is not None and b.adjusted:
            parts.append(self.tr("adjusted %1").replace("%1", _signed(b.adjusted)))
        self.owed_detail.setText(" · ".join(parts))
        self.owed_detail.setVisible(bool(parts))
        self._fill_table()
        self._update_buttons()

    def _fill_table(self) -> None:
        table = self.table
        table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            note = e.note
            if not e.standing:
                cancelled = self.tr("Cancelled: %1").replace(
                    "%1", cancel_reason_text(e.cancel_reason))  # fmt: skip
                note = f"{cancelled} · {note}" if note else cancelled
            cells = (when_text(e.when), e.reference, self.what_text(e), _signed(e.amount), e.by,
                     note)  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, e.entity_id)
                if COLUMNS[col] == "amount":
                    item.setTextAlignment(RIGHT)
                if not e.standing and COLUMNS[col] == "note":  # the reason stays readable
                    item.setForeground(MUTED)
                    item.setToolTip(self.cancelled_text(e))
                elif not e.standing:
                    strike(item, self.cancelled_text(e))
                elif note:  # the note column is narrow: the whole row says it on hover
                    item.setToolTip(note)
                table.setItem(row, col, item)
        empty = not self.entries
        table.setVisible(not empty)
        self.hint.setVisible(not empty)
        self.empty.setVisible(empty)

    def current_entry(self) -> AccountEntry | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _update_buttons(self) -> None:
        owed = self.balance.owed if self.balance is not None else 0
        self.receive_button.setEnabled(not self.busy and owed > 0)
        self.remind_button.setEnabled(owed > 0)
        self.adjust_button.setEnabled(not self.busy and can_cancel_payments(self.ctx))
        self.adjust_button.setToolTip(
            self.tr("Change what the customer owes by hand: a debt from before the app, an "
                    "amount written off (with the reason)")
            if can_cancel_payments(self.ctx)
            else self.tr("Only the owner or a manager adjusts what a customer owes."))  # fmt: skip
        if self.balance is not None and owed <= 0:
            self.receive_button.setToolTip(self.tr("The customer owes nothing: there is "
                                                   "nothing to receive."))  # fmt: skip
        else:
            self.receive_button.setToolTip(
                self.tr("Record money the customer paid towards what they owe (a receipt)")
            )
        entry = self.current_entry()
        payment = entry is not None and entry.kind == "payment" and entry.standing
        chosen = entry is not None and entry.kind == "payment"
        self.print_button.setEnabled(not self.busy and chosen)
        self.print_button.setToolTip(
            self.tr("Print the selected payment's receipt (phiếu thu) for the customer")
            if chosen else self.tr("Select a payment to print its receipt"))  # fmt: skip
        allowed = can_cancel_payments(self.ctx)
        self.cancel_button.setEnabled(not self.busy and allowed and payment)
        if not allowed:
            tip = self.tr("Only the owner or a manager cancels a payment.")
        elif payment:
            tip = self.tr("Cancel the selected payment (entered by mistake): what it paid is "
                          "owed again")  # fmt: skip
        else:
            tip = self.tr("Select a payment to cancel it")
        self.cancel_button.setToolTip(tip)

    def _double_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self.entries) and self.entries[row].kind in ("sale", "refund"):
            self.openOrder.emit(self.entries[row].entity_id)

    # ------------------------------------------------------------------ writing

    def receive_payment(self) -> ReceivePaymentDialog | None:
        """Open the payment dialog (what is owed, at first); None when nothing is owed."""
        b = self.balance
        if self.busy or b is None or b.owed <= 0:
            return None
        dialog = ReceivePaymentDialog(self.ctx, self.customer_id, self.customer_name, b.owed,
                                      parent=self)  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.received.connect(self._received)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _received(self, entry: AccountEntry) -> None:
        if not alive(self):
            return
        self.drawer_payment = entry.entity_id
        self.reload()
        self.show_message(self.tr("%1 received (%2).").replace(
            "%1", _money(-entry.amount)).replace("%2", entry.reference))  # fmt: skip
        self.changed.emit()

    def adjust_balance(self) -> AdjustBalanceDialog | None:
        """Open the adjustment dialog; None for those who may not adjust."""
        if self.busy or not can_cancel_payments(self.ctx):
            return None
        owed = self.balance.owed if self.balance is not None else 0
        dialog = AdjustBalanceDialog(self.ctx, self.customer_id, self.customer_name, owed,
                                     parent=self)  # fmt: skip
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.adjusted.connect(self._adjusted)
        self.dialog_adjust = dialog
        dialog.open()
        return dialog

    def _adjusted(self, entry: AccountEntry) -> None:
        if not alive(self):
            return
        self.reload()
        self.show_message(self.tr("%1 saved: %2.").replace("%1", entry.reference).replace(
            "%2", _signed(entry.amount)))  # fmt: skip
        self.changed.emit()

    def ask_cancel_payment(self) -> QInputDialog | None:
        """Ask why, then cancel the selected payment."""
        entry = self.current_entry()
        if (self.busy or entry is None or entry.kind != "payment" or not entry.standing
                or not can_cancel_payments(self.ctx)):  # fmt: skip
            return None
        self.cancel_box = ask_reason(
            self, self.tr("Cancel %1").replace("%1", entry.reference),
            self.tr("%1 will no longer count as paid: the customer owes it again. Why is it "
                    "cancelled?").replace("%1", _money(-entry.amount)),
            lambda text: self.cancel_payment(entry, text))  # fmt: skip
        return self.cancel_box

    def cancel_payment(self, entry: AccountEntry, reason: str) -> None:
        if self.busy:
            return
        ctx, payment_id = self.ctx, entry.entity_id
        self.busy = True
        self._update_buttons()
        self.show_message("")

        def done(_r: object) -> None:
            self.reload()
            self.show_message(self.tr("%1 cancelled: %2 is owed again.").replace(
                "%1", entry.reference).replace("%2", _money(-entry.amount)))  # fmt: skip
            self.changed.emit()

        run_inline(self, self.tr("Cancelling the payment"),
                   lambda: svc.cancel_payment(ctx, payment_id, reason), self.message, done,
                   self._settled)  # fmt: skip

    def print_payment(self, pdf: Path | None = None) -> None:
        """The selected payment's receipt on the receipt's printer (or into `pdf`), in the
        background."""
        from primedist.ui.printing.jobs import print_customer_payment

        entry = self.current_entry()
        if entry is None or entry.kind != "payment":
            return
        ctx, payment_id, lang = self.ctx, entry.entity_id, document_language()
        # The cash of the payment just taken goes into the till; a reprint opens nothing.
        drawer = payment_id == self.drawer_payment
        self.drawer_payment = None
        self.show_message(self.tr("Printing…"))
        code = entry.reference

        def printed(result: Any) -> None:
            if alive(self):
                self.show_message(self.tr("Printed %1 to %2.").replace("%1", code)
                                  .replace("%2", result.where))  # fmt: skip

        def failed(exc: BaseException) -> None:
            if alive(self):
                report_in(self.message, self, exc)
                self.message.setVisible(bool(self.message.text()))

        Op(self, lambda _job: print_customer_payment(ctx, payment_id, pdf=pdf, lang=lang,
                                                     open_drawer=drawer),
           title=self.tr("Printing the receipt"), network=True).success(printed).failure(
            failed).run()  # fmt: skip

    def copy_reminder(self) -> None:
        """What the customer owes as a chat message, on the clipboard."""
        try:
            text = account_reminder(self.ctx, self.customer_id, lang=document_language())
        except PrimedistError as exc:
            self.show_message(error_text(exc))
            return
        QGuiApplication.clipboard().setText(text)
        self.show_message(self.tr("Copied: paste it into the chat with the customer."))

    def _settled(self) -> None:
        self.busy = False
        self._update_buttons()
        self.message.setVisible(bool(self.message.text()))  # a refusal, said by run_inline
