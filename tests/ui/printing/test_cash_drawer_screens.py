"""Which screens open the cash drawer (ESC/POS receipt printer set to kick it): the counter
sale just saved in cash, and an exchange where cash changes hands; never a sale paid by
bank transfer, an exchange where nothing is paid or given back, or a reprint from the
order detail. Driven with the real widgets, the kicks read from a fake network printer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from primedist.domain.enums import PaymentMethod
from primedist.printing.model import DocumentType, parse_host_port
from primedist.printing.store import load_profile, save_profile
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft, create_order
from primedist.services.sale_lookup import variant_hits
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.exchange import ExchangeSaleDialog
from primedist.ui.orders.sale import PAYMENT_METHODS, SaleDialog
from tests.factories import make_customers, make_product
from tests.printing.support import Capture, decode_escpos

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def printer(shop_ctx: ServiceContext) -> Iterator[Capture]:
    """The receipt's ESC/POS printer, set to open the drawer for a sale."""
    capture = Capture()
    profile = load_profile(shop_ctx, DocumentType.RECEIPT)
    target = parse_host_port(f"127.0.0.1:{capture.port}")
    save_profile(shop_ctx, replace(profile, target=target, open_drawer=True, preview=False))
    yield capture
    capture.close()


def sell(qtbot, ctx: ServiceContext, method: PaymentMethod, *, paid_now: str = "",
         customer_id: int | None = None) -> SaleDialog:  # fmt: skip
    """A counter sale of one candle, paid by `method` (cash: no amount typed; on account:
    `paid_now` typed), receipt on."""
    make_product(ctx.engine, "Nến thơm tinh dầu", [("NEN-01", 45_000, 20)],
                 barcodes=["893001"])  # fmt: skip
    sale = SaleDialog(ctx, customer_id=customer_id)
    qtbot.addWidget(sale)
    sale.show()
    sale.print_receipt.setChecked(True)
    qtbot.keyClicks(sale.product_search, "893001")
    qtbot.keyClick(sale.product_search, Qt.Key.Key_Return)
    sale.payment.setCurrentIndex(PAYMENT_METHODS.index(method))
    sale.paid_now.setText(paid_now)
    qtbot.waitUntil(lambda: sale.save_button.isEnabled())
    with qtbot.waitSignal(sale.printer.printed, timeout=20_000):
        sale.save()
    return sale


def test_a_cash_sale_opens_the_drawer(qtbot, shop_ctx, printer):
    sell(qtbot, shop_ctx, PaymentMethod.CASH)
    assert decode_escpos(printer.wait(1)[0]).drawer_kicks == 1


@pytest.mark.parametrize(("paid_now", "kicks"), [("20000", 1), ("", 0)])
def test_a_sale_on_account_opens_it_when_cash_is_paid_now(qtbot, shop_ctx, printer, paid_now,
                                                          kicks):  # fmt: skip
    (hoa,) = make_customers(shop_ctx.engine, 1, names=["Nguyễn Thị Hòa"])
    sell(qtbot, shop_ctx, PaymentMethod.ON_ACCOUNT, paid_now=paid_now, customer_id=hoa)
    assert decode_escpos(printer.wait(1)[0]).drawer_kicks == kicks


def test_a_bank_transfer_sale_and_a_reprint_do_not(qtbot, shop_ctx, printer):
    sale = sell(qtbot, shop_ctx, PaymentMethod.BANK_TRANSFER)
    created = sale.last_created
    assert created is not None
    detail = OrderDetailDialog(shop_ctx, created.id)
    qtbot.addWidget(detail)
    detail.show()
    with qtbot.waitSignal(detail.printer.printed, timeout=20_000):
        detail.printer.print([created.id], DocumentType.RECEIPT)  # Print → Receipt
    assert [decode_escpos(job).drawer_kicks for job in printer.wait(2)] == [0, 0]


@pytest.mark.parametrize(("price", "kicks"), [(299_000, 1), (259_000, 0)])
def test_an_exchange_opens_it_when_cash_changes_hands(qtbot, shop_ctx, printer, price, kicks):
    """A dearer size: the customer pays the difference in cash; the same price: nothing
    changes hands."""
    small, large = make_product(shop_ctx.engine, "Áo sơ mi",
                                [("SM-S", 259_000, 5), ("SM-L", price, 5)])  # fmt: skip
    old = create_order(shop_ctx, OrderDraft(lines=(DraftLine(small, 1),)))
    detail = OrderDetailDialog(shop_ctx, old.id)
    qtbot.addWidget(detail)
    detail.show()
    detail.exchange_button.click()
    returns = detail.return_dialog
    next(iter(returns.spins.values())).setValue(1)
    returns.reason.setEditText("Đổi size")
    returns.ok.click()
    screen = detail.findChild(ExchangeSaleDialog)
    assert screen is not None
    screen.add_product(variant_hits(shop_ctx, [large])[0])
    screen.payment.setCurrentIndex(PAYMENT_METHODS.index(PaymentMethod.CASH))
    screen.print_receipt.setChecked(True)
    screen.requote()
    with qtbot.waitSignal(screen.printer.printed, timeout=20_000):
        screen.save()
    assert decode_escpos(printer.wait(1)[0]).drawer_kicks == kicks


def test_a_payment_just_received_opens_it_once_a_reprint_never(qtbot, shop_ctx, printer):
    """The account panel's Print receipt: the cash just taken goes into the till; printing
    that receipt again, or an older payment's, opens nothing."""
    from primedist.services import customer_account as account
    from tests.printing.test_customer_payment_print import owing
    from tests.ui.customers.test_detail_account import open_detail, row_of

    cid = owing(shop_ctx)
    old = account.receive_payment(shop_ctx, cid, 10_000, PaymentMethod.CASH)
    panel = open_detail(qtbot, shop_ctx, cid).account_panel
    new = account.receive_payment(shop_ctx, cid, 20_000, PaymentMethod.CASH)
    panel._received(new)  # what the Receive payment dialog reports
    qtbot.waitUntil(lambda: panel.table.rowCount() > 0 and not panel.busy, timeout=20_000)
    for entry in (new, new, old):
        panel.table.selectRow(row_of(panel, entry.reference))
        panel.print_payment()
        qtbot.waitUntil(lambda: panel.message.text().startswith("Printed"), timeout=20_000)
        panel.show_message("")
    assert [decode_escpos(job).drawer_kicks for job in printer.wait(3)] == [1, 0, 0]
