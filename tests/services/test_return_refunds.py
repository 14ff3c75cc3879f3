"""What a return refunds, through the services on a real migrated store: item by item the
shares of the order (its discounts pro rata), and the return that brings back the last
items refunds whatever is left (shipping included), so that every way of returning
everything (item by item, all at once, status → Returned) refunds the same total and a
sale on account leaves nothing owed."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.services import customer_account as account
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_customers, make_product


@pytest.fixture
def hats(engine: Engine, owner_ctx: ServiceContext) -> tuple[int, int]:
    """A 100,000 đ hat and 50,000 đ socks, plenty in stock."""
    (hat,) = make_product(engine, "Mũ", [("MU-1", 100_000, 50)])
    (socks,) = make_product(engine, "Tất", [("TAT-1", 50_000, 50)])
    return hat, socks


@pytest.fixture
def lan(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_customers(engine, 1, names=["Phạm Thị Lan"])[0]


def refunded(ctx: ServiceContext, order_id: int) -> tuple[OrderStatus, int, int]:
    order = svc.order_detail(ctx, order_id).order
    return order.status, order.total, order.refunded_amount


def test_one_item_at_a_time_refunds_the_whole_total_at_the_end(
    owner_ctx: ServiceContext, hats: tuple[int, int], lan: int
) -> None:
    """3 × 100,000 with 10,000 off the order (290,000) on account: a share of 96,666,
    suggested as 97,000 (a sum paid in notes) twice, then what is left, 96,000; the customer
    owes nothing, as after status → Returned."""
    hat, _socks = hats
    sales = [
        svc.create_order(owner_ctx, OrderDraft(
            lines=(DraftLine(hat, 3),), customer_id=lan, order_discount=10_000,
            payment_method=PaymentMethod.ON_ACCOUNT)).id
        for _ in range(2)
    ]  # fmt: skip
    line = svc.order_detail(owner_ctx, sales[0]).lines[0].id or 0
    refunds = [svc.return_order(owner_ctx, sales[0], {line: 1}, reason="trả").refund_amount
               for _ in range(3)]  # fmt: skip
    assert refunds == [97_000, 97_000, 96_000]
    assert refunded(owner_ctx, sales[0]) == (OrderStatus.RETURNED, 290_000, 290_000)

    svc.change_status(owner_ctx, sales[1], OrderStatus.RETURN_REFUND, reason="trả")
    svc.change_status(owner_ctx, sales[1], OrderStatus.RETURNED, reason="trả hết")
    assert refunded(owner_ctx, sales[1]) == (OrderStatus.RETURNED, 290_000, 290_000)
    assert account.get_balance(owner_ctx, lan).owed == 0


def test_a_partial_refund_is_suggested_in_whole_thousands_the_last_evens_it_out(
    owner_ctx: ServiceContext, hats: tuple[int, int]
) -> None:
    """A cash sale of 2 hats and 1 pair of socks with 3,333 off (246,667): the socks' share
    is 49,333 → 49,000 and a hat's 98,666 → 99,000 (what the till pays out in notes);
    the last hat gives back the rest, so the three refunds add up to what was paid."""
    hat, socks = hats
    created = svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(hat, 2), DraftLine(socks, 1)), order_discount=3_333,
        payment_method=PaymentMethod.CASH))  # fmt: skip
    lines = {ln.sku: ln.id or 0 for ln in svc.order_detail(owner_ctx, created.id).lines}
    refunds = [
        svc.return_order(owner_ctx, created.id, wanted, reason="đổi ý").refund_amount
        for wanted in ({lines["TAT-1"]: 1}, {lines["MU-1"]: 1}, {lines["MU-1"]: 1})
    ]
    assert refunds == [49_000, 99_000, 98_667]
    assert refunded(owner_ctx, created.id) == (OrderStatus.RETURNED, 246_667, 246_667)


def test_a_refund_under_a_thousand_is_not_rounded_away() -> None:
    """A share under 1,000 ₫ stays as it is: rounded, it would give nothing back."""
    assert svc.cash_round(600) == 600
    assert (svc.cash_round(1_499), svc.cash_round(1_500), svc.cash_round(96_934)) == (
        1_000, 2_000, 97_000)  # fmt: skip


def test_the_last_items_back_refund_the_shipping_too(
    owner_ctx: ServiceContext, hats: tuple[int, int], lan: int
) -> None:
    """A phone order on account, shipped for 30,000: the hat's share first (no shipping),
    then the socks bring back what is left, shipping included: the same 180,000 as the
    order returned by its status, and as both items returned at once."""
    hat, socks = hats

    def shipped() -> int:
        created = svc.create_order(owner_ctx, OrderDraft(
            lines=(DraftLine(hat, 1), DraftLine(socks, 1)), customer_id=lan,
            source=OrderSource.PHONE, shipping_fee=30_000, ship_province="Hà Nội",
            payment_method=PaymentMethod.ON_ACCOUNT))  # fmt: skip
        svc.change_status(owner_ctx, created.id, OrderStatus.SHIPPING)
        svc.change_status(owner_ctx, created.id, OrderStatus.COMPLETED)
        return created.id

    one_by_one, at_once, by_status = shipped(), shipped(), shipped()
    lines = {ln.sku: ln.id or 0 for ln in svc.order_detail(owner_ctx, one_by_one).lines}
    first = svc.return_order(owner_ctx, one_by_one, {lines["MU-1"]: 1}, reason="lỗi")
    last = svc.return_order(owner_ctx, one_by_one, {lines["TAT-1"]: 1}, reason="lỗi")
    assert (first.refund_amount, last.refund_amount) == (100_000, 80_000)

    detail = svc.order_detail(owner_ctx, at_once)
    every = {ln.id or 0: ln.quantity for ln in detail.lines}
    assert (
        svc.suggested_refund(detail.order, detail.lines, every, paid=detail.paid_towards) == 180_000
    )
    assert svc.return_order(owner_ctx, at_once, every, reason="lỗi").refund_amount == 180_000

    svc.change_status(owner_ctx, by_status, OrderStatus.RETURN_REFUND, reason="lỗi")
    svc.change_status(owner_ctx, by_status, OrderStatus.RETURNED, reason="lỗi")
    for order_id in (one_by_one, at_once, by_status):
        assert refunded(owner_ctx, order_id) == (OrderStatus.RETURNED, 180_000, 180_000)
    assert account.get_balance(owner_ctx, lan).owed == 0


def test_a_cod_parcel_back_undelivered_refunds_nothing(
    owner_ctx: ServiceContext, hats: tuple[int, int], lan: int
) -> None:
    """COD, shipped, refused at the door: its money never came in, so Returned by status
    gives nothing back (End of day shows no refund) and the items are on the shelf again."""
    hat, _socks = hats
    created = svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(hat, 2),), customer_id=lan, source=OrderSource.PHONE,
        shipping_fee=30_000, ship_province="Hà Nội", payment_method=PaymentMethod.COD))  # fmt: skip
    svc.change_status(owner_ctx, created.id, OrderStatus.SHIPPING)
    svc.change_status(owner_ctx, created.id, OrderStatus.RETURN_REFUND, reason="không nhận")
    svc.change_status(owner_ctx, created.id, OrderStatus.RETURNED, reason="không nhận")
    assert refunded(owner_ctx, created.id) == (OrderStatus.RETURNED, 230_000, 0)
    detail = svc.order_detail(owner_ctx, created.id)
    assert [(ln.quantity, ln.returned_quantity) for ln in detail.lines] == [(2, 2)]

    # The same parcel returned with Return… (one hat, then the other): nothing either.
    again = svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(hat, 2),), customer_id=lan, source=OrderSource.PHONE,
        shipping_fee=30_000, ship_province="Hà Nội", payment_method=PaymentMethod.COD))  # fmt: skip
    svc.change_status(owner_ctx, again.id, OrderStatus.SHIPPING)
    svc.change_status(owner_ctx, again.id, OrderStatus.RETURN_REFUND, reason="không nhận")
    line = svc.order_detail(owner_ctx, again.id).lines[0].id or 0
    refunds = [svc.return_order(owner_ctx, again.id, {line: 1}, reason="không nhận").refund_amount
               for _ in range(2)]  # fmt: skip
    assert refunds == [0, 0]
    assert refunded(owner_ctx, again.id) == (OrderStatus.RETURNED, 230_000, 0)
