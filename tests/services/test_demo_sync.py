"""Demo live sync: the demo's Shopee shop linked to the sandbox over real HTTP, and synced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import ShopStatus
from primedist.sandbox.shopee import DEMO_PARTNER_ID
from primedist.services import channels, demo, demo_sync
from primedist.services.context import ServiceContext
from primedist.services.sync import sync_shop
from tests.driver_sql import driver_sql


@pytest.fixture
def demo_ctx(ctx: ServiceContext) -> ServiceContext:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=400, customers=60, seed=3)
    return owner_ctx


def rows(engine: Engine, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in driver_sql(conn, sql, params or ()).all()]


def shop_orders(engine: Engine, shop_id: int) -> set[str]:
    return {r[0] for r in rows(engine, "SELECT external_id FROM orders WHERE shop_id = ?", shop_id)}


def test_the_demo_shop_syncs_live_orders_from_the_sandbox(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    running = demo_sync.start_demo_sync(demo_ctx)
    assert running is not None
    try:
        shop = channels.channel_shop(demo_ctx, running.shop_id)
        assert shop.status == ShopStatus.ACTIVE and shop.linked
        assert shop.api_host == running.url and running.url.startswith("http://127.0.0.1:")
        assert shop.partner_id == str(DEMO_PARTNER_ID)
        before = shop_orders(engine, running.shop_id)
        report = sync_shop(demo_ctx, running.shop_id)
        assert report.outcome == "ok", report.message
        new = shop_orders(engine, running.shop_id) - before
        # Two days of history at the first start: about 2 × 96 orders.
        assert 100 <= len(new) == report.inserted <= 300
        assert set(running.sandbox.order_sns()) == new
        # The sandbox sells the demo's own listed variants: every line is a known SKU.
        unknown = rows(engine, """
            SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
            WHERE o.shop_id = ? AND l.variant_id IS NULL""", running.shop_id)  # fmt: skip
        assert unknown == [(0,)]
        assert channels.channel_shop(demo_ctx, running.shop_id).last_sync_at is not None
    finally:
        running.stop()


def test_a_restart_serves_the_same_orders_and_later_ones(demo_ctx: ServiceContext) -> None:
    engine = demo_ctx.engine
    found = demo_sync.demo_shopee_shop(demo_ctx)
    assert found is not None
    generated = shop_orders(engine, found[0])  # the demo generator's own Shopee orders
    first = demo_sync.start_demo_sync(demo_ctx)
    assert first is not None
    try:
        sync_shop(demo_ctx, first.shop_id)
        synced = shop_orders(engine, first.shop_id)
    finally:
        first.stop()
    clock = demo_ctx.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(hours=6))  # the app is opened again later that day
    second = demo_sync.start_demo_sync(demo_ctx)
    assert second is not None and second.url != ""
    try:
        report = sync_shop(demo_ctx, second.shop_id)
        assert report.outcome == "ok", report.message
        now = shop_orders(engine, second.shop_id)
        arrived = now - synced
        assert synced < now  # nothing lost, no copies of the first start's orders
        assert 0 < len(arrived) < 60  # six hours of new orders (≈ 4 an hour)
        assert set(second.sandbox.order_sns()) == now - generated
    finally:
        second.stop()


def test_a_disconnected_demo_shop_stays_disconnected(demo_ctx: ServiceContext) -> None:
    found = demo_sync.demo_shopee_shop(demo_ctx)
    assert found is not None
    channels.disconnect_shop(demo_ctx, found[0])
    assert demo_sync.start_demo_sync(demo_ctx) is None
    assert not channels.channel_shop(demo_ctx, found[0]).linked


def test_demo_listings_are_the_sandbox_items_stock_lands_and_fetch_finds_them_linked(
    demo_ctx: ServiceContext,
) -> None:
    from primedist.services.listing_pull import pull_listings
    from primedist.services.outbox_delivery import deliver_outbox, list_actions
    from primedist.services.stock import stock_in

    engine = demo_ctx.engine
    running = demo_sync.start_demo_sync(demo_ctx)
    assert running is not None
    try:
        sandbox = running.sandbox
        fetched = pull_listings(demo_ctx, running.shop_id)
        assert fetched.unlinked == [] and fetched.listings_linked == 0
        assert fetched.already_linked == len({m.item_id for m in sandbox.catalogue})
        # A stock change of a listed variant reaches the sandbox under the listing's ids.
        model = sandbox.catalogue[0]
        (variant_id,) = rows(engine, "SELECT id FROM variants WHERE sku = ?", model.model_sku)[0]
        stock_in(demo_ctx, variant_id, 3)
        (available,) = rows(engine, """
            SELECT coalesce(g.stock, v.stock) - coalesce(g.reserved, v.reserved)
            FROM variants v LEFT JOIN sku_groups g ON g.id = v.sku_group_id WHERE v.id = ?""",
            variant_id)[0]  # fmt: skip
        report = deliver_outbox(demo_ctx, shop_ids=[running.shop_id])
        failed = [a.last_error for a in list_actions(demo_ctx) if a.status == "failed"]
        assert report.failed == 0 and report.delivered > 0, failed[:5]
        assert sandbox.stock[(model.item_id, model.model_id)] == available
    finally:
        running.stop()
