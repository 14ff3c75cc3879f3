"""Money entry and small money forms: the app's money field (`MoneyEdit`: the sale
screen, the goods receipt, the end of day, Settings' level prices, vouchers, rank thresholds
and points rules), and, shared by the suppliers' and the customers' accounts, a dialog
whose Save runs a service on the database worker (`FormDialog`), its foot (`form_foot`),
the payment fields (what is owed, the amount, how, a note, what is owed after:
`payment_fields`), the fields of a balance changed by hand (`adjust_fields`), reading an
amount typed (`parse_amount`) and a cancelled entry's cell (`strike`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFocusEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.money import format_number, parse_money
from primedist.services.context import ServiceContext
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import alive
from primedist.ui.messages import say
from primedist.ui.ops import Op, report_in
from primedist.ui.widgets import set_style_property

#: A cancelled document: greyed.
MUTED = QColor("#98A2B3")


def parse_amount(text: str) -> int | None:
    """The amount of money typed (0 when nothing is); None when it is not one."""
    text = text.strip()
    try:
        return parse_money(text, current_language()) if text else 0
    except ValueError:
        return None


class MoneyEdit(QLineEdit):
    """A money field: `120000`, `120.000`, `120,000`, `120k` and `0,12tr` all mean
    120.000 đ (`parse_money`); what is not money is marked red, and leaving the field
    (or a switch of language) writes the amount out in full."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText("0")
        #: The language the text was written in: a switch re-writes it in the new one.
        self._lang = current_language()
        self.textChanged.connect(self._mark)

    def amount(self) -> int | None:
        """The amount typed (None when empty); ValueError when it is not money."""
        text = self.text().strip()
        return parse_money(text, current_language()) if text else None

    def refuse(self, label: QLabel, make: Callable[[str], str]) -> None:
        """Say in `label`, as a refusal, that this box holds no amount (`make(typed)`: the
        page's own words, made again at a switch of language), and put the cursor here."""
        typed = self.text().strip()
        say(label, lambda: make(typed), error=True)
        self.setFocus()
        self.selectAll()

    def set_amount(self, amount: int | None) -> None:
        """Show an amount (None: empty), written out as leaving the field writes it."""
        self.setText("" if amount is None else format_number(amount, current_language()))

    def _valid(self) -> bool:
        try:
            self.amount()
        except ValueError:
            return False
        return True

    def _mark(self) -> None:
        self._lang = current_language()
        bad = not self._valid()
        if bool(self.property("invalid")) != bad:
            set_style_property(self, "invalid", bad)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        try:
            value = self.amount()
        except ValueError:
            value = None
        if value is not None:
            self.setText(format_number(value, current_language()))
        super().focusOutEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        # "2.000.000" must not stay in the old language's form after a switch (English
        # would read it as something else): read it as written, write it in the new one.
        if event.type() == QEvent.Type.LanguageChange and self._lang != current_language():
            old, self._lang = self._lang, current_language()
            text = self.text().strip()
            try:
                value = parse_money(text, old) if text else None
            except ValueError:
                value = None  # not money: left as typed (and marked)
            if value is not None:
                self.setText(format_number(value, self._lang))
            else:
                self._mark()
        super().changeEvent(event)


def strike(cell: QTableWidgetItem, tip: str) -> None:
    """A cancelled document's cell: struck out, greyed, why on hover."""
    font = cell.font()
    font.setStrikeOut(True)
    cell.setFont(font)
    cell.setForeground(MUTED)
    cell.setToolTip(tip)


def form_foot(dialog: Any, layout: QVBoxLayout) -> tuple[QLabel, Any, Any]:
    """A form dialog's foot: its status line (hidden until a problem is said) and Save /
    Cancel, wired to `dialog.save` and `dialog.reject`."""
    status = QLabel()
    status.setTextFormat(Qt.TextFormat.PlainText)
    status.setObjectName("formProblem")
    status.setWordWrap(True)
    status.hide()
    layout.addWidget(status)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    save.setObjectName("primaryButton")
    buttons.accepted.connect(dialog.save)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return status, save, buttons.button(QDialogButtonBox.StandardButton.Cancel)


class FormDialog(QDialog):
    """A small form on the database worker: `save` runs the service, `_update` says what
    is wrong (and enables Save); a refusal is said in `status` and the dialog stays open."""

    status: QLabel
    save_button: Any

    def __init__(self, ctx: ServiceContext, name: str, width: int,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName(name)
        self.ctx = ctx
        self._busy = False
        self.setMinimumWidth(width)
        # The dialog's column: its title (`title`), then what the subclass adds.
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(18, 14, 18, 14)
        self.column.setSpacing(10)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setObjectName("sectionTitle")
        self.column.addWidget(self.title)

    def retranslate(self) -> None:
        raise NotImplementedError

    def _update(self) -> None:
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_problem(self, problem: str, *, typed: bool) -> None:
        """Say what is wrong once something is typed; Save only when nothing is and
        nothing is being saved."""
        shown = problem if typed else ""
        self.status.setText(shown)
        self.status.setVisible(bool(shown))
        self.save_button.setEnabled(not problem and not self._busy)

    def run_save(self, work: Callable[[], object], title: str,
                 done: Callable[[Any], None]) -> None:  # fmt: skip
        """Run the service call `work` on the database worker (Save off meanwhile); `done`
        gets what it returns, a refusal is said in `status`."""
        self._busy = True
        self._update()
        Op(self, lambda _job: work(), engine=self.ctx.engine, title=title).success(
            done).failure(self._failed).run()  # fmt: skip

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self._busy = False
        self._update()
        report_in(self.status, self, exc)
        self.status.setVisible(bool(self.status.text()))


@dataclass(frozen=True)
class PaymentFields:
    """A payment's fields in a form: `captions` by key (owed, amount, method, note)."""

    owed: QLabel
    amount: QLineEdit
    method: QComboBox
    note: QLineEdit
    after: QLabel
    captions: dict[str, QLabel]


def payment_fields(
    layout: QVBoxLayout, method: QComboBox, *, owed: int, max_note: int
) -> PaymentFields:
    """Add the rows of a payment to `layout`: what is owed now, the amount (all of it, at
    first; the field has the focus), how it is paid (`method`), a note, and a line under
    them for what is owed after it."""
    owed_label = QLabel()
    owed_label.setObjectName("paymentOwed")
    amount = QLineEdit()
    amount.setObjectName("paymentAmount")
    amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    amount.setMaximumWidth(220)
    if owed > 0:
        amount.setText(format_number(owed, current_language()))
    note = QLineEdit()
    note.setObjectName("paymentNote")
    note.setMaxLength(max_note)
    after = QLabel()
    after.setObjectName("paymentAfter")
    captions = {k: QLabel() for k in ("owed", "amount", "method", "note")}
    form = QFormLayout()
    for key, widget in (("owed", owed_label), ("amount", amount), ("method", method),
                        ("note", note)):  # fmt: skip
        captions[key].setBuddy(widget)
        form.addRow(captions[key], widget)
    form.addRow("", after)
    layout.addLayout(form)
    amount.setFocus()
    amount.selectAll()
    return PaymentFields(owed_label, amount, method, note, after, captions)


@dataclass(frozen=True)
class AdjustFields:
    """A balance changed by hand: up or down (`direction` 0 / 1), by an amount, with why;
    `captions` by key (owed, direction, amount, reason)."""

    owed: QLabel
    direction: QComboBox
    amount: QLineEdit
    reason: QLineEdit
    after: QLabel
    captions: dict[str, QLabel]

    def change(self) -> int | None:
        """The signed change typed (+ owes more); None when the amount is not money."""
        amount = parse_amount(self.amount.text())
        if amount is None:
            return None
        return -amount if self.direction.currentIndex() == 1 else amount


def adjust_fields(layout: QVBoxLayout, *, max_note: int, on_change: Callable[[], None]
                  ) -> AdjustFields:  # fmt: skip
    """Add the rows of a balance change to `layout` (the amount has the focus); any edit
    calls `on_change`."""
    owed = QLabel()
    direction = QComboBox()
    direction.setObjectName("adjustDirection")
    direction.addItems(["", ""])
    amount = QLineEdit()
    amount.setObjectName("adjustAmount")
    amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    amount.setMaximumWidth(220)
    reason = QLineEdit()
    reason.setObjectName("adjustReason")
    reason.setMaxLength(max_note)
    after = QLabel()
    after.setObjectName("adjustAfter")
    captions = {k: QLabel() for k in ("owed", "direction", "amount", "reason")}
    form = QFormLayout()
    for key, widget in (("owed", owed), ("direction", direction), ("amount", amount),
                        ("reason", reason)):  # fmt: skip
        captions[key].setBuddy(widget)
        form.addRow(captions[key], widget)
    form.addRow("", after)
    layout.addLayout(form)
    for edit in (amount, reason):
        edit.textChanged.connect(lambda _t: on_change())
    direction.currentIndexChanged.connect(lambda _i: on_change())
    amount.setFocus()
    return AdjustFields(owed, direction, amount, reason, after, captions)
