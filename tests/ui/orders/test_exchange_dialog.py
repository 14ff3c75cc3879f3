"""An exchange driven through the real widgets: Order detail → Exchange… → what comes back →
the exchange sale screen (the old sale's customer, the credit, what to pay, the change) →
saved, and the detail tells it; a marketplace order cannot; Vietnamese history notes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod
from primedist.services import end_of_day as eod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.exchange import ExchangeDraft, exchange_order
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.sale_lookup import variant_hits
from primedist.ui.i18n import install_language
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.exchange import ExchangeSaleDialog
from primedist.ui.orders.returns import ExchangeStart
from primedist.ui.orders.sale import PAYMENT_METHODS
from tests.factories import make_customers, make_orders, make_product, make_shop

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shirts(engine: Engine, owner_ctx: ServiceContext) -> tuple[int, int]:
    """Size S (259,000 đ) and size M (299,000 đ), 5 of each."""
    return tuple(make_product(engine, "Áo sơ mi lụa", [("SM-S", 259_000, 5),
                                                        ("SM-M", 299_000, 5)]))  # type: ignore[return-value]  # fmt: skip


@pytest.fixture
def sale_id(engine: Engine, owner_ctx: ServiceContext, shirts: tuple[int, int]) -> int:
    buyer = make_customers(engine, 1, names=["Trần Thu Hà"])[0]
    return svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(shirts[0], 1),),
                                                  customer_id=buyer)).id  # fmt: skip


def open_detail(qtbot, ctx: ServiceContext, order_id: int) -> OrderDetailDialog:
    dialog = OrderDetailDialog(ctx, order_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_an_exchange_for_a_dearer_size_through_the_screens(
    qtbot, engine: Engine, owner_ctx: ServiceContext, shirts: tuple[int, int], sale_id: int
) -> None:
    detail = open_detail(qtbot, owner_ctx, sale_id)
    assert detail.exchange_button.isEnabled()
    qtbot.mouseClick(detail.exchange_button, Qt.MouseButton.LeftButton)
    first = detail.return_dialog
    assert first is not None and first.exchange
    assert first.ok.text() == "Next: new items" and not first.ok.isEnabled()
    next(iter(first.spins.values())).setValue(1)
    first.reason.setEditText("Đổi size")
    assert first.refund.text() == "259,000 VND" and first.ok.isEnabled()
    qtbot.mouseClick(first.ok, Qt.MouseButton.LeftButton)
    assert first.result() == QDialog.DialogCode.Accepted
    qtbot.wait(50)  # the return dialog is gone (deleted) before the sale is saved
    # Nothing is saved yet: the old sale is as it was.
    assert svc.order_detail(owner_ctx, sale_id).order.refunded_amount == 0

    screen = detail.findChild(ExchangeSaleDialog)
    assert isinstance(screen, ExchangeSaleDialog)
    assert screen.customer is not None and screen.customer.name == "Trần Thu Hà"
    assert not screen.customer_search.isEnabled() and not screen.walk_in_button.isVisible()
    number = svc.order_detail(owner_ctx, sale_id).order.external_id
    assert screen.windowTitle() == f"Exchange for order {number}"
    screen.add_product(variant_hits(owner_ctx, [shirts[1]])[0])
    screen.payment.setCurrentIndex(PAYMENT_METHODS.index(PaymentMethod.CASH))
    screen.cash.setText("50,000")
    screen.requote()
    values = screen.total_values
    assert values["total"].text() == "299,000 VND"
    assert values["credit"].text().endswith("259,000 VND")
    assert (screen.total_captions["to_pay"].text(), values["to_pay"].text()) == (
        "To pay", "40,000 VND")  # fmt: skip
    assert values["change"].text() == "10,000 VND"
    screen.print_receipt.setChecked(False)
    assert screen.printer.parent() is detail  # the screen closes once saved; detail stays
    with qtbot.waitSignal(screen.orderCreated, timeout=WAIT_MS):
        qtbot.keyClick(screen, Qt.Key.Key_F9)
    assert screen.result() == QDialog.DialogCode.Accepted
    assert screen.last_created is not None and screen.last_created.change_due == 10_000

    # The detail shows the old order returned and where its items went.
    qtbot.waitUntil(lambda: detail.exchange_note.isVisible(), timeout=WAIT_MS)
    assert detail.detail is not None and detail.detail.order.status == OrderStatus.RETURNED
    assert screen.last_created.external_id in detail.exchange_note.text()
    assert not detail.exchange_button.isEnabled()  # nothing left to exchange
    day = eod.end_of_day(owner_ctx)
    assert day.cash_in_drawer == 299_000  # 259,000 of the first sale + the 40,000 taken
    from primedist.ui.orders.end_of_day import EndOfDayDialog

    closing = EndOfDayDialog(owner_ctx)
    qtbot.addWidget(closing)
    closing.show()
    qtbot.waitUntil(lambda: closing.report is not None, timeout=WAIT_MS)
    assert closing.figure_notes["refunded"].text() == "1 refund · 1 exchange"
    assert closing.figures["cash"].text() == "299,000 VND"


def test_a_cheaper_item_shows_what_to_give_back(
    qtbot, engine: Engine, owner_ctx: ServiceContext, shirts: tuple[int, int], sale_id: int
) -> None:
    line = svc.order_detail(owner_ctx, sale_id).lines[0].id or 0
    start = ExchangeStart(sale_id, "DH-1", None, "Đổi màu", 259_000, {line: 1})
    screen = ExchangeSaleDialog(owner_ctx, start)
    qtbot.addWidget(screen)
    screen.show()
    hit = variant_hits(owner_ctx, [shirts[0]])[0]
    screen.add_product(hit)
    screen.model.setData(screen.model.index(0, 4), "199000", Qt.ItemDataRole.EditRole)
    screen.requote()
    assert screen.total_captions["to_pay"].text() == "Give back"
    assert screen.total_values["to_pay"].text() == "60,000 VND"
    assert screen.save_button.isEnabled(), screen.problems
    told: list[str] = []
    screen.savedText.connect(told.append)
    screen.print_receipt.setChecked(False)
    with qtbot.waitSignal(screen.orderCreated, timeout=WAIT_MS) as saved:
        qtbot.keyClick(screen, Qt.Key.Key_F9)
    number = svc.order_detail(owner_ctx, saved.args[0]).order.external_id
    assert told == [f"Exchange {number} saved — give back 60,000 VND"]


def test_a_marketplace_order_cannot_be_exchanged_here(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from primedist.domain.order import Order

    shop = make_shop(engine, "Shopee Hà", Channel.SHOPEE)
    (order_id,) = make_orders(engine, shop, 1, start=datetime(2026, 11, 1, tzinfo=UTC),
                              step=timedelta(0))  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.update(Order).where(Order.id == order_id).values(status="completed"))  # type: ignore[arg-type]
    detail = open_detail(qtbot, owner_ctx, order_id)
    assert not detail.exchange_button.isEnabled()
    assert "marketplace" in detail.exchange_button.toolTip()


def test_the_return_note_in_the_history_speaks_vietnamese(
    qtbot, owner_ctx: ServiceContext, sale_id: int
) -> None:
    line = svc.order_detail(owner_ctx, sale_id).lines[0].id or 0
    svc.return_order(owner_ctx, sale_id, {line: 1}, reason="Hàng lỗi")
    install_language("vi")
    try:
        detail = open_detail(qtbot, owner_ctx, sale_id)
        notes = [detail.history_table.item(r, 3).text()
                 for r in range(detail.history_table.rowCount())]  # fmt: skip
        assert "Trả 1 sản phẩm, hoàn 259.000 ₫: Hàng lỗi" in notes, notes
    finally:
        install_language("en")


def test_f8_on_the_sale_screen_exchanges_a_scanned_receipt(
    qtbot, monkeypatch: pytest.MonkeyPatch, owner_ctx: ServiceContext, shirts: tuple[int, int],
    sale_id: int,
) -> None:  # fmt: skip
    from PySide6.QtWidgets import QInputDialog

    import primedist.ui.orders.sale as sale_module
    from primedist.ui.orders.returns import ReturnDialog

    errors: list[str] = []
    monkeypatch.setattr(sale_module, "show_error", lambda _parent, text, *_a: errors.append(text))
    number = svc.order_detail(owner_ctx, sale_id).order.external_id
    counter = sale_module.SaleDialog(owner_ctx)
    qtbot.addWidget(counter)
    counter.show()
    qtbot.waitExposed(counter)
    assert counter.exchange_button.isVisible()

    def answer(text: str) -> None:
        prompt = counter.findChildren(QInputDialog, "exchangePrompt")[-1]
        assert prompt.isVisible()
        prompt.setTextValue(text)
        prompt.accept()

    # A number that is no order: said, nothing opens.
    qtbot.keyClick(counter, Qt.Key.Key_F8)
    answer("DH-NOPE")
    assert errors == ["There is no order DH-NOPE."]
    assert counter.findChild(ReturnDialog) is None

    qtbot.keyClick(counter, Qt.Key.Key_F8)
    answer(f"  {number} ")  # as a scanner types it, spaces and all
    returns = counter.findChild(ReturnDialog)
    assert returns is not None and returns.exchange
    next(iter(returns.spins.values())).setValue(1)
    returns.reason.setEditText("Đổi size")
    qtbot.mouseClick(returns.ok, Qt.MouseButton.LeftButton)
    screen = counter.findChild(ExchangeSaleDialog)
    assert screen is not None and not screen.exchange_button.isVisible()
    screen.add_product(variant_hits(owner_ctx, [shirts[1]])[0])
    screen.print_receipt.setChecked(False)
    screen.requote()
    assert screen.total_values["to_pay"].text() == "40,000 VND"
    screen.cash.setText("100000")  # a 100,000 note for the 40,000 to pay
    screen.requote()
    with qtbot.waitSignal(screen.orderCreated, timeout=WAIT_MS) as saved:
        qtbot.keyClick(screen, Qt.Key.Key_F9)
    new_number = svc.order_detail(owner_ctx, saved.args[0]).order.external_id
    # The screen has closed: the counter still says what changes hands.
    assert counter.saved_label.text() == f"Exchange {new_number} saved — change due 60,000 VND"
    assert svc.order_detail(owner_ctx, sale_id).order.status == OrderStatus.RETURNED

    # The same receipt again: nothing is left to exchange.
    counter.start_exchange()
    answer(number)
    assert errors[-1] == f"Order {number} is Returned: only completed orders can be exchanged."


def test_the_new_sale_of_an_exchange_says_why_it_cannot_be_cancelled(
    qtbot, engine: Engine, owner_ctx: ServiceContext, shirts: tuple[int, int], sale_id: int
) -> None:
    line = svc.order_detail(owner_ctx, sale_id).lines[0].id or 0
    sale = OrderDraft(lines=(DraftLine(shirts[1], 1),), source=OrderSource.PHONE,
                      payment_method=PaymentMethod.COD, ship_name="Hà", ship_phone="0901234567",
                      ship_address="12 Lê Lợi", ship_province="Hồ Chí Minh")  # fmt: skip
    new = exchange_order(owner_ctx, ExchangeDraft(sale_id, {line: 1}, "Đổi size", sale)).created
    detail = open_detail(qtbot, owner_ctx, new.id)
    assert detail.detail is not None and detail.detail.order.can_cancel()  # by its status
    assert not detail.cancel_button.isEnabled()
    assert "cannot be edited or cancelled" in detail.cancel_button.toolTip()
    plain = svc.create_order(owner_ctx, replace(sale, lines=(DraftLine(shirts[0], 1),)))
    plain_detail = open_detail(qtbot, owner_ctx, plain.id)  # no exchange: it may be cancelled
    assert plain_detail.cancel_button.isEnabled() and plain_detail.cancel_button.toolTip() == ""
