"""Which channels' orders earn points: a new shop's marketplace orders earn none, its own
sales do; the owner's choice is stored, audited and followed by the sync."""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OrderStatus, PointsKind
from primedist.domain.order import Order
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    PointsSettings,
    read_points_settings,
    save_points_settings,
)
from primedist.services.sync_writer import ShopRef, write_batch
from tests.factories import make_product, make_shop
from tests.services.loyalty.conftest import customer
from tests.services.loyalty.test_points import complete, ledger, phone_order
from tests.services.test_sync_writer import remote

orders_t = table_of(Order)


def _sync(ctx: ServiceContext, shop: ShopRef, sn: str, clock: FixedClock) -> int:
    """A completed 215,000 đ order of buyer 0912345678 synced from `shop`; its customer."""
    with ctx.uow() as session:
        write_batch(ctx, session.connection(), shop, [remote(sn, OrderStatus.COMPLETED, clock)],
                    stock_since=clock.now() - timedelta(days=1))  # fmt: skip
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(orders_t.c.customer_id)
                                .where(orders_t.c.external_id == sn)).scalar_one())  # fmt: skip


def _earned(engine: Engine, sn: str) -> tuple[int, int | None]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(orders_t.c.points_earned, orders_t.c.points_rate)
                           .where(orders_t.c.external_id == sn)).one()  # fmt: skip
    return int(row[0]), row[1]


def test_marketplace_orders_of_a_new_shop_earn_nothing_own_sales_do(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    assert read_points_settings(owner_ctx).channels == {Channel.OFFLINE}
    (shirt,) = make_product(engine, "Áo thun", [("SKU-A", 125_000, 50)])
    shopee = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)
    cid = _sync(owner_ctx, shopee, "S1", clock)
    assert ledger(engine, cid) == []
    assert _earned(engine, "S1") == (0, None)
    assert customer(engine, cid).points_balance == 0
    # The same customer buying at the counter (by phone) earns.
    complete(owner_ctx, phone_order(owner_ctx, shirt, cid))  # 250,000 đ
    assert ledger(engine, cid) == [(PointsKind.EARN, 25, 25)]
    assert (customer(engine, cid).points_balance, customer(engine, cid).points_earned) == (25, 25)

    # The owner lets Shopee earn: the next synced order earns; then switches own sales off.
    save_points_settings(owner_ctx, PointsSettings(channels=frozenset({Channel.SHOPEE})))
    _sync(owner_ctx, shopee, "S2", clock)
    assert _earned(engine, "S2") == (21, 10_000)
    complete(owner_ctx, phone_order(owner_ctx, shirt, cid))
    assert customer(engine, cid).points_balance == 25 + 21  # the second phone order: none
    # Switching Shopee off leaves what its orders earned (as a new earn rate does).
    save_points_settings(owner_ctx, PointsSettings(channels=frozenset()))
    with owner_ctx.uow() as session:
        write_batch(owner_ctx, session.connection(), shopee,
                    [remote("S2", OrderStatus.COMPLETED, clock, minutes=5)],
                    stock_since=clock.now() - timedelta(days=1))  # fmt: skip
    assert _earned(engine, "S2") == (21, 10_000)
    assert customer(engine, cid).points_balance == 46


def test_the_channels_are_stored_and_audited(
    engine: Engine, owner_ctx: ServiceContext, other_pc: ServiceContext
) -> None:
    chosen = frozenset({Channel.OFFLINE, Channel.TIKTOK})
    save_points_settings(owner_ctx, PointsSettings(channels=chosen))
    assert read_points_settings(other_pc).channels == chosen  # read back from the database
    a = table_of(AuditEvent).c
    with engine.connect() as conn:
        row = sa.select(a.before_json, a.after_json).where(
            a.action == "settings.change", a.entity_id == "loyalty.earn_channels")  # fmt: skip
        before, after = conn.execute(row).one()
    nothing = {"offline": False, "shopee": False, "lazada": False, "tiktok": False, "tiki": False}
    assert json.loads(before) == {**nothing, "offline": True}
    assert json.loads(after) == {**nothing, "offline": True, "tiktok": True}
    # Saving the same choice again writes no second row.
    save_points_settings(owner_ctx, PointsSettings(channels=chosen))
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).where(
            a.entity_id == "loyalty.earn_channels")).scalar_one()  # fmt: skip
    assert n == 1
