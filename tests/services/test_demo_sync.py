"""Demo live sync: the demo's Shopee shop linked to the sandbox over real HTTP, and synced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, ShopStatus
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
        # Half a day of history at the first start, at the shop's own pace (its four
        # weeks before; a 400-order demo's is under the floor of 8 a day): about 4 orders,
        # not days' worth on top of the demo's own (Home's comparisons would jump).
        own = rows(engine, "SELECT count(*) FROM orders WHERE shop_id = ? AND created_at >= ?",
                   running.shop_id, demo_ctx.clock.now() - timedelta(days=28))[0][0]  # fmt: skip
        assert own / 28 < demo_sync.MIN_ORDERS_PER_DAY
        assert 1 <= len(new) == report.inserted <= demo_sync.MIN_ORDERS_PER_DAY
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


def test_every_demo_marketplace_is_linked_synced_and_its_pushes_delivered(
    demo_ctx: ServiceContext,
) -> None:
    """Shopee, Lazada, TikTok Shop and Tiki: each demo shop linked to its own sandbox; one
    scheduler pass (a pull per shop, then the outbox delivery) brings each one's orders on
    the demo's products, and no action is left waiting for a link, failed or undeliverable."""
    from primedist.jobs.sync import pull
    from primedist.services.outbox_delivery import deliver_outbox, list_actions

    engine = demo_ctx.engine
    before = {row[0]: row[1] for row in rows(engine, "SELECT channel, status FROM shops")}
    assert before["tiki"] == ShopStatus.NOT_LINKED.value  # the demo data leaves it unlinked
    # Stock pushes the demo queued for its Lazada and TikTok Shop shops wait for a link.
    waiting = {a.shop for a in list_actions(demo_ctx)}
    assert {"Prime Store - Lazada", "Prime Store - TikTok Shop"} <= waiting
    running = [demo_sync.start_demo_sync(demo_ctx, c) for c in demo_sync.DEMO_CHANNELS]
    try:
        assert all(r is not None for r in running)
        linked = [r for r in running if r is not None]
        assert [r.channel for r in linked] == list(demo_sync.DEMO_CHANNELS)
        assert len({r.url for r in linked}) == 4  # a sandbox each, on this computer
        for r in linked:
            shop = channels.channel_shop(demo_ctx, r.shop_id)
            assert shop.status == ShopStatus.ACTIVE and shop.linked, r.channel
            assert shop.api_host == r.url and r.url.startswith("http://127.0.0.1:")
        had = {r.shop_id: shop_orders(engine, r.shop_id) for r in linked}
        for r in linked:  # the scheduler's pull job of each shop
            pull(demo_ctx, r.shop_id)
        for r in linked:
            new = shop_orders(engine, r.shop_id) - had[r.shop_id]
            assert new and set(r.sandbox.order_ids()) <= shop_orders(engine, r.shop_id), r.channel
            unknown = rows(engine, """
                SELECT COUNT(*) FROM order_lines l JOIN orders o ON o.id = l.order_id
                WHERE o.shop_id = ? AND l.variant_id IS NULL""", r.shop_id)  # fmt: skip
            assert unknown == [(0,)], r.channel
        report = deliver_outbox(demo_ctx, due_only=True)  # the scheduler's delivery job
        left = [(a.shop, a.kind, a.status, a.last_error) for a in list_actions(demo_ctx)]
        assert report.failed == report.not_ready == 0 and left == [], left[:5]
        # The stock the synced orders hold went out to Lazada and TikTok Shop (Tiki takes
        # no pushes from the app: nothing was queued for it).
        by_channel = {r.channel: r.sandbox for r in linked}
        assert by_channel[Channel.LAZADA].calls() and by_channel[Channel.TIKTOK].calls()
        shop_ids = [r.shop_id for r in linked]
        tiki_shop = shop_ids[demo_sync.DEMO_CHANNELS.index(Channel.TIKI)]
        assert rows(
            engine, "SELECT COUNT(*) FROM outbox_messages WHERE shop_id = ?", tiki_shop
        ) == [(0,)]
    finally:
        for r in running:
            if r is not None:
                r.stop()
