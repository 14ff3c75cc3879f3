"""The exchange sale (*đổi hàng*): the sale screen for what a customer takes instead of the
items they brought back (chosen first in the return dialog, Order detail → *Exchange…*).

The customer is the old sale's; the totals add the returned items' credit and what the
customer pays (or is given back); Save makes the return and the sale in one transaction
(`services/exchange.py`), prints the receipt when asked, and closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import shiboken6
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QWidget

from primedist.domain.enums import PaymentMethod
from primedist.printing.content import Payment
from primedist.printing.model import DocumentType
from primedist.services.context import ServiceContext
from primedist.services.exchange import (
    ExchangeDraft,
    ExchangeQuote,
    exchange_order,
    quote_exchange,
)
from primedist.services.orders import CreatedOrder, OrderDetail, OrderDraft, Quote
from primedist.services.sale_lookup import get_customer
from primedist.ui.orders.returns import ExchangeStart, ReturnDialog
from primedist.ui.orders.sale import SaleDialog, minus_text, money_text
from primedist.ui.printing.actions import OrderPrinter


class ExchangeSaleDialog(SaleDialog):
    """The sale screen in exchange mode (see the module docstring)."""

    #: Saved: what the cashier reads once this screen has closed (the new order and what
    #: changes hands: the change due, what to give back).
    savedText = Signal(str)

    TOTAL_KEYS = (*SaleDialog.TOTAL_KEYS[:6], "credit", "to_pay", *SaleDialog.TOTAL_KEYS[6:])

    def __init__(
        self, ctx: ServiceContext, start: ExchangeStart, parent: QWidget | None = None
    ) -> None:
        self.start = start
        #: The exchange as last priced (None until priced or when it cannot be).
        self.exchange_quote: ExchangeQuote | None = None
        super().__init__(ctx, parent)
        self.setObjectName("exchangeDialog")
        if parent is not None:  # this screen closes once saved: its receipt prints from there
            self.printer = OrderPrinter(parent, ctx)
        self.total_values["to_pay"].setObjectName("toPayLabel")
        for button in self.type_buttons.values():
            button.setEnabled(False)  # an exchange is made at the counter
        self.exchange_button.hide()
        for widget in (self.customer_search, self.new_customer_button):
            widget.setEnabled(False)  # the customer is the old sale's
        if start.customer_id is not None:
            self.set_customer(get_customer(ctx, start.customer_id))
        self.requote()

    # ------------------------------------------------------------------ texts

    def retranslate(self) -> None:
        super().retranslate()
        self.setWindowTitle(
            QCoreApplication.translate("orders", "Exchange for order %1").replace(
                "%1", self.start.number)
        )  # fmt: skip
        self.total_captions["credit"].setToolTip(self.windowTitle())

    def _retranslate_totals(self) -> None:
        super()._retranslate_totals()
        self.total_captions["credit"].setText(
            QCoreApplication.translate("orders", "Returned items")
        )
        self._show_to_pay()

    def _show_customer(self) -> None:
        super()._show_customer()
        self.walk_in_button.setVisible(False)

    def _points_balance(self) -> int:
        """The customer's points as the return leaves them (the exchange's quote reads
        them): what the new sale may redeem."""
        priced = self.exchange_quote
        if priced is not None and priced.points_balance is not None:
            return priced.points_balance
        return super()._points_balance()

    # ------------------------------------------------------------------ pricing

    def _exchange(self, draft: OrderDraft) -> ExchangeDraft:
        start = self.start
        return ExchangeDraft(start.order_id, start.returned, start.reason, draft, start.credit,
                             back_to_stock=start.back_to_stock)  # fmt: skip

    def _price(self, draft: OrderDraft) -> Quote:
        priced = quote_exchange(self.ctx, self._exchange(draft))
        self.exchange_quote = priced
        # The screen shows the exchange's problems and change (on what is paid, not the total).
        return replace(priced.quote, problems=priced.problems, change_due=priced.change_due)

    def _show_quote(self) -> None:
        super()._show_quote()
        self._show_customer()  # its points as the return leaves them
        self._show_to_pay()

    def _show_to_pay(self) -> None:
        """The credit and what changes hands (pay or give back); off the debt instead when
        the old sale was on account and nothing of it was paid (`_all_off_account`)."""
        priced = self.exchange_quote if self.quote is not None else None
        credit = self.start.credit if priced is None else priced.credit
        self.total_values["credit"].setText(minus_text(credit))
        caption, value = self.total_captions["to_pay"], self.total_values["to_pay"]
        if priced is not None and _all_off_account(priced):
            caption.setText(QCoreApplication.translate("orders", "Off what they owe"))
            value.setText(minus_text(credit))
        elif priced is not None and priced.to_pay < 0:
            caption.setText(QCoreApplication.translate("orders", "Give back"))
            value.setText(money_text(-priced.to_pay))
        else:
            caption.setText(QCoreApplication.translate("orders", "To pay"))
            value.setText("—" if priced is None else money_text(priced.to_pay))

    # ------------------------------------------------------------------ saving

    def _store(self, draft: OrderDraft, allow_negative_stock: bool) -> CreatedOrder:
        done = exchange_order(self.ctx, self._exchange(draft),
                              allow_negative_stock=allow_negative_stock)  # fmt: skip
        return done.created

    def _saved(self, created: CreatedOrder) -> None:
        """Saved: tell the order detail, print the receipt when asked, close."""
        self.last_created = created
        self._loaded = None
        self.savedText.emit(self.saved_text(created))
        self.orderCreated.emit(created.id)
        if self.print_receipt.isChecked():
            priced = self.exchange_quote
            paid = priced.to_pay if priced is not None else created.total
            cash = None if created.change_due is None else paid + created.change_due
            # The till opens only when cash changes hands: paid, or given back.
            self.printer.print([created.id], DocumentType.RECEIPT, payment=Payment(cash),
                               open_drawer=self.payment.currentData() == PaymentMethod.CASH
                               and paid != 0)  # fmt: skip
        self.accept()

    def saved_text(self, created: CreatedOrder) -> str:
        """The saved line, "Exchange DH… saved", with what changes hands (as a sale says)."""
        priced = self.exchange_quote
        if priced is not None and _all_off_account(priced):
            text = QCoreApplication.translate(
                "orders", "Exchange %1 saved — %2 off what they owe"
            ).replace("%2", money_text(priced.credit))
        elif priced is not None and priced.to_pay < 0:
            text = QCoreApplication.translate("orders", "Exchange %1 saved — give back %2").replace(
                "%2", money_text(-priced.to_pay)
            )
        elif created.change_due is not None:
            text = QCoreApplication.translate(
                "orders", "Exchange %1 saved — change due %2"
            ).replace("%2", money_text(created.change_due))
        else:
            paid = priced.to_pay if priced is not None else created.total
            text = QCoreApplication.translate("orders", "Exchange %1 saved — paid %2").replace(
                "%2", money_text(paid)
            )
        return text.replace("%1", created.external_id)


def _all_off_account(priced: ExchangeQuote) -> bool:
    """The old sale was on account and its whole credit comes off what is owed: nothing
    changes hands for it (else what was paid with it pays for the new sale: To pay)."""
    return priced.off_account and priced.owed_off == priced.credit


def open_exchange(
    parent: QWidget, ctx: ServiceContext, detail: OrderDetail, on_saved: Callable[[int], object],
    on_saved_text: Callable[[str], object] | None = None,
) -> ReturnDialog:  # fmt: skip
    """Start an exchange of `detail`'s order: the return dialog (what comes back), then the
    exchange sale screen, both children of `parent`; `on_saved(new order id)` once saved
    (and `on_saved_text(what the cashier reads)`)."""
    returns = ReturnDialog(ctx, detail, parent, exchange=True)

    def sell(start: ExchangeStart | None) -> None:
        if start is None or not shiboken6.isValid(parent):
            return
        screen = ExchangeSaleDialog(ctx, start, parent)
        screen.orderCreated.connect(on_saved)
        if on_saved_text is not None:
            screen.savedText.connect(on_saved_text)
        screen.finished.connect(screen.deleteLater)
        screen.open()

    returns.accepted.connect(lambda: sell(returns.exchange_start))
    returns.finished.connect(returns.deleteLater)
    returns.open()
    return returns
