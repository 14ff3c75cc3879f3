"""Suppliers (Products → *Suppliers*, *Nhà cung cấp*): who goods come from, and what the
shop owes them. The list (search, only those owed money, the archived ones) shows what
each delivered and was paid; under it the selected one's details and account: each goods
receipt (what the shop came to owe) and payment, with the balance after it. **New
supplier** and **Edit…** open `SupplierDialog`, **Pay…** `PaymentDialog` (money paid
against the balance); a payment entered by mistake is cancelled with a reason, and any
payment prints as a voucher (*phiếu chi*) on the till's printer. Every read and write
runs on the database worker (`Op`); `changed` tells the other pages of a write.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.domain.supplier import MAX_PAYMENT
from primedist.errors import ValidationError
from primedist.services import suppliers as svc
from primedist.services.context import ServiceContext
from primedist.ui.customers.account_panel import can_cancel_payments
from primedist.ui.export_right import gate_export
from primedist.ui.file_dialogs import IMPORT, ask_open_file
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
)
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
from primedist.ui.products.receipts import (
    PROBLEM,
    RIGHT,
    chosen_method,
    fill_methods,
    method_combo,
    row_table,
)
from primedist.ui.sub_tabs import TablePlace, in_the_way
from primedist.ui.widgets import SearchBox, align_headers

#: The account entries of goods sent back (the return, the money given back for it).
RETURN_KINDS = ("return", "refund")
#: A balance paid in advance (the supplier owes the shop goods).
ADVANCE = QColor("#047857")


def _money(amount: int) -> str:
    return format_money(amount, current_language())


def _signed(amount: int) -> str:
    """An adjustment total: blank when none, + when it raised what is owed."""
    if not amount:
        return ""
    return ("+" if amount > 0 else "−") + _money(abs(amount))


# --------------------------------------------------------------------------- dialogs


class SupplierDialog(FormDialog):
    """A new supplier (`row` None) or a supplier's name and contact details edited.
    Emits `saved(SupplierRow)` and closes once the service saved it; a refused save is
    said in `status` and the dialog stays open."""

    saved = Signal(object)

    def __init__(
        self, ctx: ServiceContext, row: svc.SupplierRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, "supplierDialog", 560, parent)
        self.row = row
        layout = self.column
        form = QFormLayout()
        self.name = self._field("supplierName", svc.MAX_NAME)
        self.phone = self._field("supplierPhone", 20)
        self.email = self._field("supplierEmail", 120)
        self.address = self._field("supplierAddress", 255)
        self.tax_code = self._field("supplierTaxCode", 20)
        self.note = self._field("supplierNote", svc.MAX_NOTE)
        self.fields = {"name": self.name, "phone": self.phone, "email": self.email,
                       "address": self.address, "tax_code": self.tax_code,
                       "note": self.note}  # fmt: skip
        self.captions = {key: QLabel() for key in self.fields}
        for key, edit in self.fields.items():
            self.captions[key].setBuddy(edit)
            form.addRow(self.captions[key], edit)
        layout.addLayout(form)
        self.status, self.save_button, self.cancel_button = form_foot(self, layout)
        if row is not None:
            for key, edit in self.fields.items():
                edit.setText(getattr(row, key))
        self.name.textChanged.connect(lambda _t: self._update())
        self.retranslate()
        self.name.setFocus()

    @staticmethod
    def _field(name: str, limit: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setMaxLength(limit)
        return edit

    def retranslate(self) -> None:
        if self.row is None:
            title = self.tr("New supplier")
        else:
            title = self.tr("Edit supplier %1").replace("%1", self.row.code)
        self.setWindowTitle(title)
        self.title.setText(title)
        self.captions["name"].setText(self.tr("&Name"))
        self.captions["phone"].setText(self.tr("&Phone"))
        self.captions["email"].setText(self.tr("&Email"))
        self.captions["address"].setText(self.tr("&Address"))
        self.captions["tax_code"].setText(self.tr("&Tax code"))
        self.captions["note"].setText(self.tr("N&ote"))
        self.name.setPlaceholderText(self.tr("required: the company or person goods come from"))
        self.tax_code.setPlaceholderText(self.tr("optional, e.g. 0101234567"))
        self.save_button.setText(self.tr("Save"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._update()

    def _update(self) -> None:
        self.save_button.setEnabled(bool(self.name.text().strip()) and not self._busy)

    def draft(self) -> svc.SupplierDraft:
        return svc.SupplierDraft(
            self.name.text(), phone=self.phone.text(), email=self.email.text(),
            address=self.address.text(), tax_code=self.tax_code.text(), note=self.note.text(),
        )  # fmt: skip

    def save(self) -> None:
        if self._busy or not self.name.text().strip():
            return
        ctx, draft, row = self.ctx, self.draft(), self.row

        def work(_job: object) -> svc.SupplierRow:
            if row is None:
                return svc.create_supplier(ctx, draft)
            return svc.update_supplier(ctx, row.id, draft)

        self.run_save(lambda: work(None), self.tr("Saving the supplier"), self._saved)

    def _saved(self, row: svc.SupplierRow) -> None:
        if not shiboken6.isValid(self):
            return
        self.saved.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        super()._failed(exc)
        if alive(self) and isinstance(exc, ValidationError) and exc.field in self.fields:
            self.fields[exc.field].setFocus()


class PaymentDialog(FormDialog):
    """Money paid to a supplier against what the shop owes it: the amount (what is owed,
    at first), how, a note; what is owed after it, as typed. Emits `paid(LedgerEntry)`
    and closes once the service recorded it."""

    paid = Signal(object)

    def __init__(
        self, ctx: ServiceContext, row: svc.SupplierRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, "supplierPaymentDialog", 520, parent)
        self.row = row
        fields = payment_fields(self.column, method_combo("paymentMethod"), owed=row.debt,
                                max_note=svc.MAX_NOTE)  # fmt: skip
        self.owed, self.amount, self.method = fields.owed, fields.amount, fields.method
        self.note, self.after, self.captions = fields.note, fields.after, fields.captions
        self.status, self.save_button, self.cancel_button = form_foot(self, self.column)
        self.amount.textChanged.connect(lambda _t: self._update())
        self.retranslate()

    def retranslate(self) -> None:
        row = self.row
        title = self.tr("Pay %1").replace("%1", f"{row.name} ({row.code})")
        self.setWindowTitle(title)
        self.title.setText(title)
        self.captions["owed"].setText(self.tr("Owed now"))
        self.captions["amount"].setText(self.tr("&Amount paid"))
        self.captions["method"].setText(self.tr("&Method"))
        self.captions["note"].setText(self.tr("&Note"))
        self.amount.setPlaceholderText(self.tr("e.g. 500.000"))
        self.note.setPlaceholderText(self.tr("optional: transfer reference, who was paid…"))
        fill_methods(self.method)
        self.save_button.setText(self.tr("Save"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._update()

    def balance_text(self, balance: int) -> str:
        if balance < 0:
            return self.tr("%1 paid in advance").replace("%1", _money(-balance))
        return _money(balance)

    def amount_value(self) -> int | None:
        """The amount typed; None when it is not an amount of money."""
        return parse_amount(self.amount.text())

    def problem_text(self) -> str:
        """Why Save is disabled ('' when the payment can be saved)."""
        amount = self.amount_value()
        if amount is None:
            return self.tr("Type the amount paid as an amount of money, e.g. 500.000.")
        if not 0 < amount <= MAX_PAYMENT:
            return self.tr("The amount paid must be 1 to %1.").replace("%1", _money(MAX_PAYMENT))
        return ""

    def _update(self) -> None:
        self.owed.setText(self.balance_text(self.row.debt))
        amount = self.amount_value()
        if amount is None:
            self.after.setText("")
        else:
            after = self.row.debt - amount
            if after < 0:
                text = self.tr("Owed after: %1 (%2 paid in advance)").replace(
                    "%1", _money(0)).replace("%2", _money(-after))  # fmt: skip
            else:
                text = self.tr("Owed after: %1").replace("%1", _money(after))
            self.after.setText(text)
        self.show_problem(self.problem_text(), typed=bool(self.amount.text().strip()))

    def save(self) -> None:
        amount = self.amount_value()
        if self._busy or amount is None or self.problem_text():
            return
        ctx, supplier_id = self.ctx, self.row.id
        method, note = chosen_method(self.method), self.note.text()
        self.run_save(
            lambda: svc.pay_supplier(ctx, supplier_id, amount, method, note),
            self.tr("Paying the supplier"),
            self._saved,
        )

    def _saved(self, entry: svc.LedgerEntry) -> None:
        if not shiboken6.isValid(self):
            return
        self.paid.emit(entry)
        self.accept()


class AdjustDialog(FormDialog):
    """What the shop owes a supplier changed by hand: up (a debt from before the app, a
    charge agreed) or down (a discount granted, a correction), by an amount, with why.
    Emits `adjusted(LedgerEntry)` and closes once the service recorded it."""

    adjusted = Signal(object)

    def __init__(
        self, ctx: ServiceContext, row: svc.SupplierRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, "supplierAdjustDialog", 520, parent)
        self.row = row
        fields = adjust_fields(self.column, max_note=svc.MAX_NOTE, on_change=self._update)
        self.fields_ = fields
        self.owed, self.direction, self.amount = fields.owed, fields.direction, fields.amount
        self.reason, self.after, self.captions = fields.reason, fields.after, fields.captions
        self.status, self.save_button, self.cancel_button = form_foot(self, self.column)
        self.retranslate()

    def retranslate(self) -> None:
        row = self.row
        title = self.tr("Adjust what is owed to %1").replace("%1", f"{row.name} ({row.code})")
        self.setWindowTitle(title)
        self.title.setText(title)
        self.captions["owed"].setText(self.tr("Owed now"))
        self.captions["direction"].setText(self.tr("&Change"))
        self.captions["amount"].setText(self.tr("&Amount"))
        self.captions["reason"].setText(self.tr("&Reason"))
        self.direction.setItemText(0, self.tr("The shop owes more (e.g. a debt from before)"))
        self.direction.setItemText(1, self.tr("The shop owes less (e.g. a discount granted)"))
        self.amount.setPlaceholderText(self.tr("e.g. 500.000"))
        self.reason.setPlaceholderText(self.tr("required: e.g. debt brought over on 01/12"))
        self.save_button.setText(self.tr("Save"))
        self.cancel_button.setText(self.tr("Cancel"))
        self._update()

    def change(self) -> int | None:
        """The signed change typed (+ owes more); None when the amount is not money."""
        return self.fields_.change()

    def problem_text(self) -> str:
        change = self.change()
        if change is None:
            return self.tr("Type the amount as an amount of money, e.g. 500.000.")
        if not 0 < abs(change) <= MAX_PAYMENT:
            return self.tr("The amount must be 1 to %1.").replace("%1", _money(MAX_PAYMENT))
        if not self.reason.text().strip():
            return self.tr("Say why the balance changes.")
        return ""

    def _update(self) -> None:
        self.owed.setText(_balance(self.row.debt))
        change = self.change()
        after = None if change is None else self.row.debt + change
        text = "" if after is None else self.tr("Owed after: %1").replace("%1", _balance(after))
        self.after.setText(text)
        self.show_problem(self.problem_text(), typed=bool(self.amount.text().strip()))

    def save(self) -> None:
        change = self.change()
        if self._busy or change is None or self.problem_text():
            return
        ctx, supplier_id, reason = self.ctx, self.row.id, self.reason.text()
        self.run_save(
            lambda: svc.adjust_balance(ctx, supplier_id, change, reason),
            self.tr("Adjusting the balance"),
            self._saved,
        )

    def _saved(self, entry: svc.LedgerEntry) -> None:
        if not shiboken6.isValid(self):
            return
        self.adjusted.emit(entry)
        self.accept()


def _balance(balance: int) -> str:
    """What is owed, or paid in advance when below zero."""
    if balance < 0:
        return QCoreApplication.translate("SuppliersPage", "%1 in advance").replace(
            "%1", _money(-balance))  # fmt: skip
    return _money(balance)


# --------------------------------------------------------------------------- the page


class SuppliersPage(QWidget):
    """The suppliers (search, only those owed money, archived), what the shop owes them in
    all, the selected one's details and account; New supplier, Edit…, Pay…, Archive /
    Restore, Print voucher, Cancel payment… and Export…."""

    #: A supplier or a payment was written (other pages may refresh).
    changed = Signal()
    #: Open a new goods receipt from this supplier (its name).
    receiveRequested = Signal(str)
    #: New purchase order to this supplier (its name).
    orderRequested = Signal(str)

    COLUMNS = ("code", "name", "phone", "receipts", "bought", "paid", "adjusted", "owed",
               "last_delivery")  # fmt: skip
    LEDGER_COLUMNS = ("date", "document", "what", "increase", "decrease", "balance", "note", "by")
    PRODUCT_COLUMNS = ("sku", "name", "units", "last_cost", "last_received")

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suppliersPage")
        self.ctx = ctx
        self.rows: list[svc.SupplierRow] = []
        self.ledger: list[svc.LedgerEntry] = []
        #: The supplier whose account `ledger` is.
        self.ledger_id: int | None = None
        self.total = 0
        self.dialog: QDialog | None = None
        self.cancel_box: QInputDialog | None = None
        self.last_export: Any = None
        self.last_import: svc.SupplierImport | None = None
        #: What the selected supplier delivered, one row a SKU.
        self.products: list[svc.SuppliedProduct] = []
        self.import_box: QMessageBox | None = None
        self._ticket = 0
        self._ledger_ticket = 0
        #: Read again for a change made elsewhere: (the supplier whose account showed, where
        #: it was scrolled, the line selected) to put back once the account is read again.
        self._ledger_place: tuple[int | None, TablePlace, tuple[str, int] | None] | None = None
        #: The supplier to select once the list is read again (one just created).
        self._select_id: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(self._build_top())
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("formProblem")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        #: What was done that is no problem (a voucher printed).
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.status.hide()
        layout.addWidget(self.status)
        self.table = row_table(len(self.COLUMNS), self.COLUMNS.index("name"))
        self.table.setObjectName("suppliersTable")
        align_headers(self.table, right=[self.COLUMNS.index(c) for c in
                                         ("receipts", "bought", "paid", "owed")])  # fmt: skip
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _item: self.edit_supplier())
        layout.addWidget(self.table, 3)
        #: The list was read once: before, an empty table is no news (no hint).
        self.listed = False
        self.empty_hint = EmptyHint(self.table, self.empty_texts, self.narrowed)
        layout.addLayout(self._build_details())
        self.ledger_table = row_table(len(self.LEDGER_COLUMNS), self.LEDGER_COLUMNS.index("note"))
        self.ledger_table.setObjectName("supplierLedger")
        align_headers(self.ledger_table, right=[self.LEDGER_COLUMNS.index(c) for c in
                                                ("increase", "decrease", "balance")])  # fmt: skip
        self.ledger_table.itemSelectionChanged.connect(self._update_buttons)
        self.products_table = row_table(len(self.PRODUCT_COLUMNS),
                                        self.PRODUCT_COLUMNS.index("name"))  # fmt: skip
        self.products_table.setObjectName("supplierProducts")
        align_headers(self.products_table, right=[self.PRODUCT_COLUMNS.index(c) for c in
                                                  ("units", "last_cost")])  # fmt: skip
        # The selected supplier's account, and what it delivered (to order again).
        self.lower_tabs = QTabWidget()
        self.lower_tabs.setObjectName("supplierTabs")
        self.lower_tabs.setDocumentMode(True)
        self.lower_tabs.addTab(self.ledger_table, "")
        self.lower_tabs.addTab(self.products_table, "")
        layout.addWidget(self.lower_tabs, 2)
        self.retranslate()
        self.refresh()

    def _build_top(self) -> QVBoxLayout:
        """Search and filters with the totals, then the buttons: what the supplier's
        records take (new, edit, archive, import, export) on the left, its money and goods
        (receive, pay, adjust) on the right."""
        self.search = SearchBox()
        self.search.setObjectName("suppliersSearch")
        self.search.setMinimumWidth(300)
        self.search.searchChanged.connect(lambda _text: self.refresh())
        self.owing_check = QCheckBox()
        self.owing_check.setObjectName("suppliersOwing")
        self.owing_check.toggled.connect(lambda _on: self.refresh())
        self.archived_check = QCheckBox()
        self.archived_check.setObjectName("suppliersArchived")
        self.archived_check.toggled.connect(lambda _on: self.refresh())
        self.count = QLabel()
        self.count.setObjectName("muted")
        self.owed_label = QLabel()
        self.owed_label.setObjectName("suppliersOwed")
        bold = self.owed_label.font()
        bold.setBold(True)
        self.owed_label.setFont(bold)
        self.new_button = push_button("addProductButton", self.new_supplier)
        self.edit_button = push_button("supplierEditButton", self.edit_supplier)
        self.pay_button = push_button("supplierPayButton", self.pay)
        self.receive_button = push_button("supplierReceiveButton", self.receive_goods)
        self.order_button = push_button("supplierOrderButton", self.order_goods)
        self.adjust_button = push_button("supplierAdjustButton", self.adjust)
        self.archive_button = push_button("supplierArchiveButton", self.toggle_archived)
        self.export_button = push_button("suppliersExportButton", self.export)
        self.import_button = push_button("suppliersImportButton", self.import_file)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.owing_check)
        filters.addWidget(self.archived_check)
        filters.addWidget(self.count)
        filters.addStretch(1)
        filters.addWidget(self.owed_label)
        buttons = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.archive_button,
                       self.import_button, self.export_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.order_button, self.receive_button, self.pay_button,
                       self.adjust_button):  # fmt: skip
            buttons.addWidget(button)
        top = QVBoxLayout()
        top.addLayout(filters)
        top.addLayout(buttons)
        return top

    def _build_details(self) -> QVBoxLayout:
        box = QVBoxLayout()
        head = QHBoxLayout()
        self.details_title = QLabel()
        self.details_title.setTextFormat(Qt.TextFormat.PlainText)
        self.details_title.setObjectName("sectionTitle")
        self.cancel_payment_button = push_button("supplierCancelPayment", self.ask_cancel_payment)
        self.print_payment_button = push_button("supplierPrintPayment",
                                                lambda: self.print_payment())  # fmt: skip
        head.addWidget(self.details_title, 1)
        head.addWidget(self.print_payment_button)
        head.addWidget(self.cancel_payment_button)
        self.details = QLabel()
        self.details.setTextFormat(Qt.TextFormat.PlainText)
        self.details.setObjectName("supplierDetails")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addLayout(head)
        box.addWidget(self.details)
        return box

    # Text ---------------------------------------------------------------------------------
    def empty_texts(self) -> tuple[str, str]:
        if not self.listed:
            return "", ""
        return (
            self.tr("No suppliers match the search and the filters."),
            self.tr("No suppliers yet: add the ones you buy from with New supplier, or "
                    "import a file."),
        )  # fmt: skip

    def narrowed(self) -> bool:
        return bool(self.search.text().strip()) or self.owing_check.isChecked() or (
            self.archived_check.isChecked())  # fmt: skip

    def retranslate(self) -> None:
        self.empty_hint.update_hint()
        self.search.setPlaceholderText(self.tr("Search by code, name, phone, email or tax code"))
        self.owing_check.setText(self.tr("Only those owed money"))
        self.owing_check.setToolTip(self.tr("Only the suppliers the shop still owes money"))
        self.archived_check.setText(self.tr("Archived"))
        self.archived_check.setToolTip(
            self.tr("Show the archived suppliers (goods no longer come from them)")
        )
        self.new_button.setText(self.tr("New supplier"))
        self.edit_button.setText(self.tr("Edit…"))
        self.edit_button.setToolTip(self.tr("Change the selected supplier's name and details"))
        self.pay_button.setText(self.tr("Pay…"))
        self.pay_button.setToolTip(self.tr("Record money paid to the selected supplier"))
        self.adjust_button.setText(self.tr("Adjust…"))
        self.adjust_button.setToolTip(self.tr(
            "Change what the shop owes the selected supplier by hand: a debt from before the "
            "app, a discount granted, a correction"))  # fmt: skip
        self.order_button.setText(self.tr("New purchase order"))
        self.order_button.setToolTip(self.tr("Order goods from the selected supplier "
                                             "(Purchase orders)"))  # fmt: skip
        self.receive_button.setText(self.tr("New goods receipt"))
        self.receive_button.setToolTip(self.tr("Receive a delivery from the selected supplier "
                                               "(Goods receipts)"))  # fmt: skip
        self.import_button.setText(self.tr("Import…"))
        self.import_button.setToolTip(self.tr(
            "Add suppliers from a .xlsx or .csv file (columns name, phone, email, address, "
            "tax_code, note, opening_debt), or update those there already"))  # fmt: skip
        self.export_button.setText(self.tr("Export…"))
        self.export_button.setToolTip(
            self.tr("Export the suppliers listed (every one that matches the search and "
                    "filters) to Excel"))  # fmt: skip
        gate_export(self.export_button, self.ctx)
        self.print_payment_button.setText(self.tr("Print voucher"))
        self._update_cancel_button(self.current_entry())
        self._update_print_button(self.current_entry())
        self.table.setHorizontalHeaderLabels([
            self.tr("Code"), self.tr("Supplier"), self.tr("Phone"), self.tr("Receipts"),
            self.tr("Bought"), self.tr("Paid"), self.tr("Adjusted"), self.tr("Owed"),
            self.tr("Last delivery"),
        ])  # fmt: skip
        self.ledger_table.setHorizontalHeaderLabels([
            self.tr("Date"), self.tr("Document"), self.tr("What"), self.tr("Owed more"),
            self.tr("Owed less"), self.tr("Balance"), self.tr("Note"), self.tr("By"),
        ])  # fmt: skip
        self.products_table.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Units received"),
            self.tr("Last unit cost"), self.tr("Last received"),
        ])  # fmt: skip
        self.lower_tabs.setTabText(0, self.tr("Account"))
        self.lower_tabs.setTabText(1, self.tr("Products supplied"))
        self.lower_tabs.setTabToolTip(1, self.tr(
            "What the supplier delivered, the most recent first: units received (less those "
            "sent back), the last unit cost, when it last came"))  # fmt: skip
        self._show_products()
        self._show_rows()
        self._show_details()
        self._show_ledger()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def balance_text(self, balance: int) -> str:
        """What is owed; a negative balance as paid in advance."""
        if balance < 0:
            return self.tr("%1 in advance").replace("%1", _money(-balance))
        return _money(balance)

    def cancelled_text(self, entry: svc.LedgerEntry) -> str:
        when = format_datetime(entry.cancelled_at, shop_tz(), current_language()) \
            if entry.cancelled_at else ""  # fmt: skip
        return self.tr("Cancelled %1: %2").replace("%1", when).replace("%2", entry.cancel_reason)

    # Reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the suppliers again (for the search and filters), and what is owed in all,
        on the database worker."""
        self.message.hide()
        self._read()

    def follow_changes(self, *, arriving: bool = False) -> bool:
        """Changed elsewhere (`SubTabsPage.follow_changes`): the suppliers, what is owed
        and the selected one's account read again in place — the supplier and the account
        line selected and the rows on screen kept, a problem shown left —; not while a
        dialog of the page shows, a menu is open or a mouse button held (False: ask again
        later)."""
        if in_the_way(self, arriving=arriving):
            return False
        entry = self.current_entry()
        self._ledger_place = (
            self.ledger_id, TablePlace.of(self.ledger_table, self._ledger_keys()),
            (entry.kind, entry.record_id) if entry is not None else None,
        )  # fmt: skip
        self._read(TablePlace.of(self.table, [row.id for row in self.rows]))
        return True

    def _ledger_keys(self) -> list[tuple[str, int]]:
        return [(entry.kind, entry.record_id) for entry in self.ledger]

    def _read(self, place: TablePlace | None = None) -> None:
        ctx, text = self.ctx, self.search.text()
        archived, owing = self.archived_check.isChecked(), self.owing_check.isChecked()
        self._ticket += 1
        ticket = self._ticket
        if place is None:
            self._ledger_place = None

        def work(_job: object) -> tuple[list[svc.SupplierRow], int]:
            rows = svc.list_suppliers(ctx, text, archived=archived, owing=owing)
            return rows, svc.total_owed(ctx)

        Op(self, work).success(lambda got: self._loaded(got[0], got[1], ticket, place)).run()

    def _loaded(self, rows: list[svc.SupplierRow], total: int, ticket: int,
                place: TablePlace | None = None) -> None:  # fmt: skip
        """The suppliers read (`place`: read again in place for a change made elsewhere)."""
        if not alive(self) or ticket != self._ticket:
            return
        current = self.current()
        keep = self._select_id if self._select_id is not None else (current.id if current else None)
        self._select_id = None
        self.rows, self.total = rows, total
        self.table.blockSignals(True)  # one selection change below, not one per row
        try:
            self._show_rows()
            self.listed = True
            self.empty_hint.update_hint()
            at = next((i for i, row in enumerate(rows) if row.id == keep), 0)
            if rows:
                self.table.selectRow(at)
            else:
                self.table.clearSelection()
            if place is not None:
                place.restore(self.table, [row.id for row in rows])
        finally:
            self.table.blockSignals(False)
        self._selected()

    def _show_rows(self) -> None:
        tz, lang = shop_tz(), current_language()
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            last = format_datetime(row.last_delivery, tz, lang) if row.last_delivery else ""
            cells = (row.code, row.name, row.phone, format_number(row.receipts, lang),
                     _money(row.bought), _money(row.paid), _signed(row.adjusted),
                     self.balance_text(row.debt), last)  # fmt: skip
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                column = self.COLUMNS[c]
                if column in ("receipts", "bought", "paid", "adjusted", "owed"):
                    cell.setTextAlignment(RIGHT)
                if column == "owed" and row.debt > 0:
                    cell.setForeground(PROBLEM)
                elif column == "owed" and row.debt < 0:
                    cell.setForeground(ADVANCE)
                    cell.setToolTip(self.tr("Paid in advance: the next deliveries are paid "
                                            "for already"))  # fmt: skip
                elif c == 1 and row.note:
                    cell.setToolTip(row.note)
                if not row.is_active:
                    cell.setForeground(MUTED)
                self.table.setItem(r, c, cell)
        text = count_text(len(self.rows), self.tr("%n supplier"), self.tr("%n suppliers"))
        if len(self.rows) >= svc.LIST_LIMIT:
            text = self.tr("the first %1").replace("%1", text)
        self.count.setText(text)
        self.owed_label.setText(self.tr("Owed to suppliers: %1").replace("%1", _money(self.total)))
        self._update_buttons()

    def current(self) -> svc.SupplierRow | None:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self.rows[row] if selected and 0 <= row < len(self.rows) else None

    def current_entry(self) -> svc.LedgerEntry | None:
        row = self.ledger_table.currentRow()
        selected = self.ledger_table.selectionModel().hasSelection()
        return self.ledger[row] if selected and 0 <= row < len(self.ledger) else None

    def _update_buttons(self) -> None:
        supplier = self.current()
        for button in (self.edit_button, self.pay_button, self.adjust_button,
                       self.archive_button):  # fmt: skip
            button.setEnabled(supplier is not None)
        manager = can_cancel_payments(self.ctx)  # writing a debt up or off: as for customers
        self.adjust_button.setEnabled(supplier is not None and manager)
        if not manager:
            self.adjust_button.setToolTip(
                self.tr("Only the owner or a manager adjusts what the shop owes a supplier.")
            )
        archived = supplier is not None and not supplier.is_active
        self.receive_button.setEnabled(supplier is not None and supplier.is_active)
        self.order_button.setEnabled(supplier is not None and supplier.is_active)
        self.archive_button.setText(self.tr("Restore") if archived else self.tr("Archive"))
        self.archive_button.setToolTip(
            self.tr("Deliveries can come from the selected supplier again") if archived
            else self.tr("Goods no longer come from the selected supplier: the goods "
                         "receipt screen stops offering it (its documents stay)"))  # fmt: skip
        gate_export(self.export_button, self.ctx, bool(self.rows))  # the right "Export data"
        self._update_cancel_button(self.current_entry())
        self._update_print_button(self.current_entry())

    def _update_print_button(self, entry: svc.LedgerEntry | None) -> None:
        """Print voucher for a payment of the account (a cancelled one prints marked so)."""
        chosen = entry is not None and entry.kind == "payment"
        self.print_payment_button.setEnabled(chosen)
        self.print_payment_button.setToolTip(
            self.tr("Print the selected payment's voucher (phiếu chi), for the supplier to "
                    "sign for the money")
            if chosen else self.tr("Select a payment to print its voucher"))  # fmt: skip

    def _update_cancel_button(self, entry: svc.LedgerEntry | None) -> None:
        """Cancel payment… for a payment of the account, Cancel return… for goods sent back
        (the return or its refund)."""
        button = self.cancel_payment_button
        manager = can_cancel_payments(self.ctx)
        if entry is not None and entry.kind in RETURN_KINDS:
            button.setText(self.tr("Cancel return…"))
            money_back = self._refunded(entry.record_id)
            button.setEnabled(entry.counts and (manager or not money_back))
            button.setToolTip(
                self.tr("Money came back with this return: only the owner or a manager "
                        "cancels it.") if money_back and not manager
                else self.tr("Cancel the selected return (entered by mistake): its goods "
                             "come back into stock"))  # fmt: skip
            return
        button.setText(self.tr("Cancel payment…"))
        standing = entry is not None and entry.kind == "payment" and entry.counts
        button.setEnabled(standing and entry is not None and not entry.receipt_code and manager)
        if not manager:
            tip = self.tr("Only the owner or a manager cancels a payment.")
        elif standing and entry is not None and entry.receipt_code:
            tip = self.tr("Paid with goods receipt %1: cancel the receipt instead (Goods "
                          "receipts page)").replace("%1", entry.receipt_code)  # fmt: skip
        else:
            tip = self.tr("Cancel the selected payment (entered by mistake)")
        button.setToolTip(tip)

    def _refunded(self, return_id: int) -> bool:
        """The return's refund stands: cancelling the return cancels money too."""
        return any(e.kind == "refund" and e.record_id == return_id and e.counts
                   for e in self.ledger)  # fmt: skip

    def _selected(self) -> None:
        supplier = self.current()
        if supplier is None or supplier.id != self.ledger_id:
            self.ledger, self.ledger_id = [], None
            self.products = []
            self._show_ledger()
            self._show_products()
        self._show_details()
        self._update_buttons()
        self._ledger_ticket += 1
        if supplier is None:
            return
        ctx, ticket, supplier_id = self.ctx, self._ledger_ticket, supplier.id
        Op(self, lambda _job: (svc.supplier_ledger(ctx, supplier_id),
                               svc.supplied_products(ctx, supplier_id))).success(
            lambda got: self._ledger_loaded(supplier_id, *got, ticket=ticket)).failure(
            self._failed).run()  # fmt: skip

    def _ledger_loaded(self, supplier_id: int, entries: list[svc.LedgerEntry],
                       products: list[svc.SuppliedProduct], *, ticket: int) -> None:  # fmt: skip
        if not alive(self) or ticket != self._ledger_ticket:
            return
        self.ledger, self.ledger_id, self.products = entries, supplier_id, products
        self.ledger_table.clearSelection()  # the rows may have moved: nothing to cancel by mistake
        self._show_ledger()
        self._show_products()
        kept, self._ledger_place = self._ledger_place, None
        if kept is not None and kept[0] == supplier_id:
            # Read again for a change made elsewhere: the same line (by what it is, not
            # where it was) selected again, the same lines on screen.
            keys = self._ledger_keys()
            if kept[2] in keys:
                self.ledger_table.selectRow(keys.index(kept[2]))
            kept[1].restore(self.ledger_table, keys)

    def _show_products(self) -> None:
        tz, lang = shop_tz(), current_language()
        table = self.products_table
        table.setRowCount(len(self.products))
        for r, item in enumerate(self.products):
            name = item.product_name + (f" — {item.variant_name}" if item.variant_name else "")
            cost = "" if item.last_cost is None else _money(item.last_cost)
            cells = (item.sku, name, format_number(item.units, lang), cost,
                     format_datetime(item.last_received, tz, lang))  # fmt: skip
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if self.PRODUCT_COLUMNS[c] in ("units", "last_cost"):
                    cell.setTextAlignment(RIGHT)
                table.setItem(r, c, cell)

    def _show_details(self) -> None:
        supplier = self.current()
        if supplier is None:
            self.details_title.setText("")
            self.details.setText("")
            return
        title = f"{supplier.code} · {supplier.name}"
        if not supplier.is_active:
            title += " · " + self.tr("archived")
        self.details_title.setText(title)
        parts = [
            caption.replace("%1", value)
            for caption, value in (
                (self.tr("Phone: %1"), supplier.phone),
                (self.tr("Email: %1"), supplier.email),
                (self.tr("Address: %1"), supplier.address),
                (self.tr("Tax code: %1"), supplier.tax_code),
                (self.tr("Note: %1"), supplier.note),
            )
            if value
        ]
        self.details.setText(
            "   ·   ".join(parts) if parts else self.tr("No contact details: Edit… adds them.")
        )

    def _what(self, entry: svc.LedgerEntry) -> str:
        if entry.kind == "receipt":
            return self.tr("Goods receipt")
        if entry.kind == "adjustment":
            return self.tr("Balance adjusted")
        if entry.kind == "return":
            return self.tr("Goods sent back from %1").replace("%1", entry.receipt_code)
        if entry.kind == "refund":
            return self.tr("Money given back (%1)").replace("%1", enum_label(entry.method).lower())
        text = self.tr("Payment (%1)").replace("%1", enum_label(entry.method).lower())
        if entry.receipt_code:
            text += " · " + self.tr("with %1").replace("%1", entry.receipt_code)
        return text

    def _show_ledger(self) -> None:
        tz, lang = shop_tz(), current_language()
        table = self.ledger_table
        table.setRowCount(len(self.ledger))
        for r, entry in enumerate(self.ledger):
            more = entry.change > 0
            note = entry.note
            if entry.kind == "adjustment" and note == svc.OPENING_REASON:
                note = self.tr("Opening balance (imported)")
            if not entry.counts:
                cancelled = self.cancelled_text(entry)
                note = f"{note} · {cancelled}" if note else cancelled
            cells = (format_datetime(entry.at, tz, lang), entry.code, self._what(entry),
                     _money(entry.amount) if more else "",
                     "" if more else _money(entry.amount),
                     self.balance_text(entry.balance), note, entry.by)  # fmt: skip
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if self.LEDGER_COLUMNS[c] in ("increase", "decrease", "balance"):
                    cell.setTextAlignment(RIGHT)
                if not entry.counts:
                    strike(cell, self.cancelled_text(entry))
                elif self.LEDGER_COLUMNS[c] == "balance" and entry.balance < 0:
                    cell.setForeground(ADVANCE)
                table.setItem(r, c, cell)
        self._update_buttons()

    # Writing ------------------------------------------------------------------------------
    def _open(self, dialog: QDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def receive_goods(self) -> None:
        supplier = self.current()
        if supplier is not None and supplier.is_active:
            self.receiveRequested.emit(supplier.name)

    def order_goods(self) -> None:
        supplier = self.current()
        if supplier is not None and supplier.is_active:
            self.orderRequested.emit(supplier.name)

    def new_supplier(self) -> SupplierDialog:
        dialog = SupplierDialog(self.ctx, None, parent=self)
        dialog.saved.connect(self._created)
        self._open(dialog)
        return dialog

    def edit_supplier(self) -> QDialog | None:
        return self._for_current(lambda row: SupplierDialog(self.ctx, row, parent=self), "saved")

    def adjust(self) -> QDialog | None:
        return self._for_current(lambda row: AdjustDialog(self.ctx, row, parent=self),
                                 "adjusted")  # fmt: skip

    def pay(self) -> QDialog | None:
        return self._for_current(lambda row: PaymentDialog(self.ctx, row, parent=self), "paid")

    def _for_current(self, make: Callable[[svc.SupplierRow], QDialog], done: str) -> QDialog | None:
        """A dialog about the selected supplier; the list and account are read again once
        its `done` signal says it wrote."""
        supplier = self.current()
        if supplier is None:
            return None
        dialog = make(supplier)
        getattr(dialog, done).connect(lambda _result: self._written())
        self._open(dialog)
        return dialog

    def _created(self, row: svc.SupplierRow) -> None:
        """Show the new supplier: the search and filters cleared, it selected."""
        if not alive(self):
            return
        for widget in (self.search, self.owing_check, self.archived_check):
            widget.blockSignals(True)
        self.search.clear()
        self.owing_check.setChecked(False)
        self.archived_check.setChecked(False)
        for widget in (self.search, self.owing_check, self.archived_check):
            widget.blockSignals(False)
        self._select_id = row.id
        self._written()

    def toggle_archived(self) -> None:
        """Archive the selected supplier, or restore it when it is archived."""
        supplier = self.current()
        if supplier is None:
            return
        ctx, supplier_id, active = self.ctx, supplier.id, not supplier.is_active
        title = self.tr("Restoring the supplier") if active else self.tr("Archiving the supplier")
        Op(self, lambda _job: svc.set_supplier_active(ctx, supplier_id, active),
           engine=ctx.engine, title=title).success(lambda _row: self._written()).failure(
            self._failed).run()  # fmt: skip

    def ask_cancel_payment(self) -> QInputDialog | None:
        """Ask why, then cancel the selected payment (or return: `ask_cancel_return`)."""
        entry = self.current_entry()
        if entry is not None and entry.kind in RETURN_KINDS and entry.counts:
            return self.ask_cancel_return(entry)
        if entry is None or entry.kind != "payment" or not entry.counts or entry.receipt_code:
            return None
        self.cancel_box = ask_reason(
            self, self.tr("Cancel %1").replace("%1", entry.code),
            self.tr("%1 will no longer count as paid: the supplier is owed it again. Why is "
                    "it cancelled?").replace("%1", _money(entry.amount)),
            lambda text: self.cancel_payment(entry.record_id, text))  # fmt: skip
        return self.cancel_box

    def ask_cancel_return(self, entry: svc.LedgerEntry) -> QInputDialog:
        """Ask why, then cancel the return of the selected entry (goods back in stock)."""
        self.cancel_box = ask_reason(
            self, self.tr("Cancel %1").replace("%1", entry.code),
            self.tr("Its goods come back into stock and it no longer counts in what is owed. "
                    "Why is it cancelled?"),
            lambda text: self.cancel_return(entry.record_id, text))  # fmt: skip
        return self.cancel_box

    def cancel_return(self, return_id: int, reason: str) -> None:
        from primedist.services.supplier_returns import cancel_return

        ctx = self.ctx
        Op(self, lambda _job: cancel_return(ctx, return_id, reason), engine=ctx.engine,
           title=self.tr("Cancelling the return")).success(
            lambda _row: self._written()).failure(self._failed).run()  # fmt: skip

    def cancel_payment(self, payment_id: int, reason: str) -> None:
        ctx = self.ctx
        Op(self, lambda _job: svc.cancel_payment(ctx, payment_id, reason), engine=ctx.engine,
           title=self.tr("Cancelling the payment")).success(
            lambda _none: self._written()).failure(self._failed).run()  # fmt: skip

    def print_payment(self, pdf: Path | None = None) -> None:
        """The selected payment's voucher (phiếu chi) on the receipt's printer (or into
        `pdf`), in the background. Never the cash drawer: the money was paid already."""
        from primedist.ui.printing.jobs import print_supplier_payment

        entry = self.current_entry()
        if entry is None or entry.kind != "payment":
            return
        ctx, payment_id, lang, code = self.ctx, entry.record_id, document_language(), entry.code
        self.message.hide()
        self.say(self.tr("Printing…"))

        def printed(result: Any) -> None:
            if alive(self):
                self.say(self.tr("Printed %1 to %2.").replace("%1", code)
                         .replace("%2", result.where))  # fmt: skip

        def failed(exc: BaseException) -> None:
            if alive(self):
                self.say("")
                self._failed(exc)

        Op(self, lambda _job: print_supplier_payment(ctx, payment_id, pdf=pdf, lang=lang),
           title=self.tr("Printing the voucher"), network=True).success(printed).failure(
            failed).run()  # fmt: skip

    def say(self, text: str) -> None:
        """What was done (no problem) under the buttons; '' hides it."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def _written(self) -> None:
        if not alive(self):
            return
        self.say("")  # a voucher printed before is old news
        self.refresh()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        """Said above the list."""
        if alive(self):
            report_in(self.message, self, exc)
            self.message.setVisible(bool(self.message.text()))

    # Import -------------------------------------------------------------------------------
    def import_file(self) -> None:
        path = ask_open_file(
            self, self.ctx, IMPORT, self.tr("Import suppliers"),
            self.tr("Spreadsheets (*.xlsx *.csv *.txt)"),
        )  # fmt: skip
        if path is not None:
            self.import_from(path)

    def import_from(self, path: Path) -> None:
        """Read the file in the background; a bad row is said above the list (nothing
        imported), the counts in a box once done."""
        ctx = self.ctx
        self.message.setText("")
        self.message.hide()
        Op(self, lambda _job: svc.import_suppliers(ctx, path),
           title=self.tr("Importing suppliers")).success(
            self._imported).failure(self._failed).run()  # fmt: skip

    def _imported(self, report: svc.SupplierImport) -> None:
        if not alive(self):
            return
        self.last_import = report
        text = (self.tr("%1 rows: %2 new, %3 updated, %4 unchanged.")
                .replace("%1", format_number(report.rows, current_language()))
                .replace("%2", format_number(report.created, current_language()))
                .replace("%3", format_number(report.updated, current_language()))
                .replace("%4", format_number(report.unchanged, current_language())))  # fmt: skip
        if report.opening_debts:
            text += " " + self.tr("Opening debts: %1 (%2).").replace(
                "%1", format_number(report.opening_debts, current_language())).replace(
                "%2", _money(report.opening_total))  # fmt: skip
        if report.opening_skipped:
            text += " " + self.tr("%1 opening debts not applied: those suppliers were there "
                                  "already (Adjust… changes what is owed).").replace(
                "%1", format_number(report.opening_skipped, current_language()))  # fmt: skip
        box = self.import_box = QMessageBox(QMessageBox.Icon.Information,
                                            self.tr("Suppliers imported"), text,
                                            QMessageBox.StandardButton.Ok, self)  # fmt: skip
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self._written()

    # Export -------------------------------------------------------------------------------
    def export(self) -> None:
        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        path = ask_save_path(self, self.tr("Export suppliers"), folder, "suppliers.xlsx", self.ctx)
        if path is not None:
            self.export_to(path)

    def export_to(self, target: Path) -> None:
        """Every supplier matching the search and filters, in the background."""
        ctx, search, lang = self.ctx, self.search.text(), current_language()
        archived, owing = self.archived_check.isChecked(), self.owing_check.isChecked()
        Op(self, lambda job: svc.export_suppliers(ctx, target, search=search, archived=archived,
                                                   owing=owing, lang=lang,
                                                   progress=job.progress),
           title=self.tr("Exporting suppliers")).with_progress(beside=True).success(
            self._exported).failure(self._failed).run()  # fmt: skip

    def _exported(self, report: Any) -> None:
        if not alive(self):
            return
        self.last_export = report
        export_finished(self, count_text(report.rows, self.tr("%n supplier"),
                                         self.tr("%n suppliers")), report.path)  # fmt: skip
