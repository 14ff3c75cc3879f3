"""Points: credited when an order becomes successful, reversed when it is cancelled or
returned, redeemed points given back, idempotent; the order import; manual adjustments;
the redemption cap; the earn rate."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod, PointsKind
from primedist.domain.loyalty import PointsEntry
from primedist.domain.order import Order
from primedist.errors import ValidationError
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points, reconcile_order_points
from primedist.services.loyalty.settings import (
    EARN_CHANNELS,
    PointsSettings,
    save_points_settings,
)
from primedist.services.order_import import import_orders
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.sync_writer import ShopRef, write_batch
from tests.factories import make_product, make_shop
from tests.services.loyalty.conftest import customer, customers_with
from tests.services.test_order_import import BASE, COUNTER, write_csv
from tests.services.test_sync_writer import remote

entries_t = table_of(PointsEntry)
orders_t = table_of(Order)


@pytest.fixture
def shirt(engine: Engine) -> int:
    return make_product(engine, "Áo thun", [("AO-1", 125_000, 50)])[0]


def ledger(engine: Engine, cid: int) -> list[tuple[Any, ...]]:
    e = entries_t.c
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(e.kind, e.delta, e.balance_after).where(e.customer_id == cid)
            .order_by(e.id))]  # fmt: skip


def phone_order(ctx: ServiceContext, variant: int, cid: int, qty: int = 2, points: int = 0) -> int:
    draft = OrderDraft(
        lines=(DraftLine(variant, qty),),
        customer_id=cid,
        source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD,
        points=points,
    )
    return svc.create_order(ctx, draft).id


def complete(ctx: ServiceContext, order_id: int) -> None:
    svc.change_status(ctx, order_id, OrderStatus.SHIPPING)
    svc.change_status(ctx, order_id, OrderStatus.COMPLETED)


def test_points_come_with_success_and_go_with_a_return(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    (cid,) = customers_with(engine, [{}])
    oid = phone_order(owner_ctx, shirt, cid)  # 250,000 đ, confirmed
    assert ledger(engine, cid) == []  # not successful yet
    complete(owner_ctx, oid)
    assert ledger(engine, cid) == [(PointsKind.EARN, 25, 25)]
    row = customer(engine, cid)
    assert (row.points_balance, row.points_earned) == (25, 25)
    # Idempotent: the same orders again write nothing.
    with engine.begin() as conn:
        assert reconcile_order_points(conn, [oid], owner_ctx.clock.now()) == 0
    svc.change_status(owner_ctx, oid, OrderStatus.RETURN_REFUND, reason="Sai size")
    assert customer(engine, cid).points_balance == 0  # not successful while it comes back
    svc.change_status(owner_ctx, oid, OrderStatus.COMPLETED)  # the buyer kept it after all
    assert customer(engine, cid).points_balance == 25
    svc.change_status(owner_ctx, oid, OrderStatus.RETURN_REFUND, reason="Sai size")
    svc.change_status(owner_ctx, oid, OrderStatus.RETURNED, reason="Sai size")
    assert ledger(engine, cid) == [
        (PointsKind.EARN, 25, 25),
        (PointsKind.EARN, -25, 0),
        (PointsKind.EARN, 25, 25),
        (PointsKind.EARN, -25, 0),
    ]
    row = customer(engine, cid)
    assert (row.points_balance, row.points_earned) == (0, 0)
    with engine.connect() as conn:
        earned = conn.execute(sa.select(orders_t.c.points_earned)
                              .where(orders_t.c.id == oid)).scalar_one()  # fmt: skip
    assert earned == 0


def test_a_partial_return_corrects_the_points(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    (cid,) = customers_with(engine, [{}])
    oid = phone_order(owner_ctx, shirt, cid, qty=4)  # 500,000 đ
    complete(owner_ctx, oid)
    line = svc.order_detail(owner_ctx, oid).lines[0]
    svc.return_order(owner_ctx, oid, {line.id: 1}, reason="Lỗi", refund_amount=125_000)
    assert svc.order_detail(owner_ctx, oid).order.status == OrderStatus.COMPLETED
    assert ledger(engine, cid) == [(PointsKind.EARN, 50, 50), (PointsKind.EARN, -13, 37)]
    assert customer(engine, cid).points_earned == 37  # 375,000 đ kept


def test_cancelling_gives_redeemed_points_back_once(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 40}])
    oid = phone_order(owner_ctx, shirt, cid, points=30)
    assert customer(engine, cid).points_balance == 10
    svc.cancel_orders(owner_ctx, [oid], "Khách hủy")
    assert customer(engine, cid).points_balance == 40
    assert ledger(engine, cid)[-1] == (PointsKind.REFUND, 30, 40)
    with engine.begin() as conn:
        assert reconcile_order_points(conn, [oid], owner_ctx.clock.now()) == 0
    assert customer(engine, cid).points_balance == 40


def test_the_order_import_credits_and_reverses(
    engine: Engine, owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    # A counter sale: a new shop's marketplace orders earn nothing (test_points_channels).
    sale = {**BASE, "shop": COUNTER, "channel": ""}
    import_orders(owner_ctx, write_csv(tmp_path / "a.csv", [sale]))
    with engine.connect() as conn:
        cid, total = conn.execute(sa.select(orders_t.c.customer_id, orders_t.c.total)).one()
    assert customer(engine, cid).points_balance == total // 10_000 > 0
    import_orders(owner_ctx, write_csv(tmp_path / "b.csv", [{**sale, "status": "cancelled"}]))
    assert customer(engine, cid).points_balance == 0
    assert [k for k, _d, _b in ledger(engine, cid)] == [PointsKind.EARN, PointsKind.EARN]


def test_the_earn_rate_and_switching_earning_off(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    (cid,) = customers_with(engine, [{}])
    save_points_settings(owner_ctx, PointsSettings(earn_per=50_000))
    first = phone_order(owner_ctx, shirt, cid)
    complete(owner_ctx, first)
    assert customer(engine, cid).points_balance == 5
    save_points_settings(owner_ctx, PointsSettings(earn_per=0))
    second = phone_order(owner_ctx, shirt, cid)
    complete(owner_ctx, second)
    assert customer(engine, cid).points_balance == 5  # off: nothing new, nothing taken
    with pytest.raises(ValidationError, match="between 1% and 100%"):
        save_points_settings(owner_ctx, PointsSettings(cap_percent=0))
    with pytest.raises(ValidationError, match="earn rate"):
        save_points_settings(owner_ctx, PointsSettings(earn_per=-1))


def test_an_order_keeps_the_rate_it_earned_at(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    (cid,) = customers_with(engine, [{}])
    old = phone_order(owner_ctx, shirt, cid, qty=4)  # 500,000 đ at 1 point per 10,000
    complete(owner_ctx, old)
    save_points_settings(owner_ctx, PointsSettings(earn_per=20_000))
    new = phone_order(owner_ctx, shirt, cid, qty=4)
    complete(owner_ctx, new)
    assert ledger(engine, cid) == [(PointsKind.EARN, 50, 50), (PointsKind.EARN, 25, 75)]
    line = svc.order_detail(owner_ctx, old).lines[0]
    svc.return_order(owner_ctx, old, {line.id: 1}, reason="Lỗi", refund_amount=125_000)
    # 375,000 đ kept, still at its own 10,000 (not re-rated to 18 points at 20,000).
    assert ledger(engine, cid)[-1] == (PointsKind.EARN, -13, 62)
    svc.change_status(owner_ctx, old, OrderStatus.RETURN_REFUND, reason="Sai size")
    svc.change_status(owner_ctx, old, OrderStatus.COMPLETED)  # kept after all: same rate
    save_points_settings(owner_ctx, PointsSettings(earn_per=0))
    svc.change_status(owner_ctx, new, OrderStatus.RETURN_REFUND, reason="Sai size")
    svc.change_status(owner_ctx, new, OrderStatus.COMPLETED)  # earning off: its own rate
    assert customer(engine, cid).points_balance == 37 + 25
    with engine.connect() as conn:
        rates = conn.execute(sa.select(orders_t.c.points_rate).where(orders_t.c.id.in_(
            [old, new])).order_by(orders_t.c.id)).scalars().all()  # fmt: skip
    assert rates == [10_000, 20_000]


def test_points_pay_at_most_the_cap(engine: Engine, owner_ctx: ServiceContext, shirt: int) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 1_000}])
    # 250,000 đ: at most 50% = 125,000 đ = 125 points.
    with pytest.raises(ValidationError, match="at most 50% of this order .* 125 points"):
        phone_order(owner_ctx, shirt, cid, points=126)
    phone_order(owner_ctx, shirt, cid, points=125)
    assert customer(engine, cid).points_balance == 875


def test_manual_adjustment_needs_a_reason_and_keeps_the_balance(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 10}])
    with pytest.raises(ValidationError, match="reason is required"):
        adjust_points(owner_ctx, cid, 5, "  ")
    with pytest.raises(ValidationError, match="has only 10 points"):
        adjust_points(owner_ctx, cid, -11, "Sửa sai")
    with pytest.raises(ValidationError, match="not 0"):
        adjust_points(owner_ctx, cid, 0, "Sửa sai")
    assert adjust_points(owner_ctx, cid, 50, "Quà sinh nhật") == 60
    assert adjust_points(owner_ctx, cid, -60, "Đổi quà") == 0
    assert ledger(engine, cid) == [(PointsKind.ADJUST, 50, 60), (PointsKind.ADJUST, -60, 0)]
    with engine.connect() as conn:
        reasons = conn.execute(sa.select(entries_t.c.reason, entries_t.c.user_id)
                               .order_by(entries_t.c.id)).all()  # fmt: skip
    assert [r[0] for r in reasons] == ["Quà sinh nhật", "Đổi quà"] and reasons[0][1] is not None


def test_the_marketplace_sync_credits_and_reverses(
    engine: Engine, ctx: ServiceContext, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    # Marketplace orders earn when the owner says so (a shop from before the choice does).
    save_points_settings(owner_ctx, PointsSettings(channels=frozenset(EARN_CHANNELS)))
    shop = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    make_product(engine, "Áo thun", [("SKU-A", 100_000, 10)])
    since = clock.now() - timedelta(days=1)

    def sync(status: OrderStatus, minutes: int) -> None:
        with ctx.uow() as session:
            batch = [remote("S1", status, clock, minutes=minutes)]
            write_batch(ctx, session.connection(), shop, batch, stock_since=since)

    sync(OrderStatus.SHIPPING, 0)
    with engine.connect() as conn:
        cid = conn.execute(sa.select(orders_t.c.customer_id)).scalar_one()
    assert customer(engine, cid).points_balance == 0
    sync(OrderStatus.COMPLETED, 5)  # 215,000 đ
    assert customer(engine, cid).points_balance == 21
    sync(OrderStatus.COMPLETED, 5)  # the same again: nothing new
    sync(OrderStatus.RETURNED, 9)
    assert ledger(engine, cid) == [(PointsKind.EARN, 21, 21), (PointsKind.EARN, -21, 0)]
