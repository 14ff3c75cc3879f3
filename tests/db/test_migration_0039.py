"""Migration 0039: a shop that already has orders keeps every channel earning points; a
database without orders (a new shop) gets the new default, its own sales only."""

from __future__ import annotations

from datetime import timedelta

import primedist.db.store as store
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, OrderStatus
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import EARN_CHANNELS, read_points_settings
from primedist.services.sync_writer import ShopRef, write_batch
from tests.factories import make_product, make_shop
from tests.services.loyalty.test_points_channels import _earned
from tests.services.test_sync_writer import remote

BEFORE = "0038_order_external_status"


def test_a_shop_with_orders_keeps_every_channel_earning(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    engine = owner_ctx.engine
    make_product(engine, "Áo thun", [("SKU-A", 100_000, 10)])
    shopee = ShopRef(make_shop(engine, "Shopee A"), "Shopee A", Channel.SHOPEE)

    def sync(sn: str) -> None:
        with owner_ctx.uow() as session:
            write_batch(owner_ctx, session.connection(), shopee,
                        [remote(sn, OrderStatus.COMPLETED, clock)],
                        stock_since=clock.now() - timedelta(days=1))  # fmt: skip

    sync("S1")  # an order from before the upgrade (under today's default: no points)
    store.migrate(engine, BEFORE, down=True)
    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert read_points_settings(owner_ctx).channels == frozenset(EARN_CHANNELS)
    sync("S2")  # a marketplace order earns, as it did before the upgrade
    assert _earned(engine, "S2") == (21, 10_000)
    assert _earned(engine, "S1") == (0, None)  # the upgrade gives nothing after the fact


def test_a_new_shop_gets_its_own_sales_only(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    store.migrate(engine, BEFORE, down=True)
    store.migrate(engine, "head")
    assert read_points_settings(owner_ctx).channels == {Channel.OFFLINE}
