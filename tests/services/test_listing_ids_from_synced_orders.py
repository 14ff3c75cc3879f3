"""A product published on a TikTok Shop store after its orders were synced learns its
marketplace ids when the sync sees those orders again (unchanged, or updated), so its price
and stock reach the platform (over real HTTP against the TikTok sandbox). Until then nothing
is queued for it (no action waits, or fails, for want of its ids)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.tiktok import STATUS_MAP, TikTokConnector
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig, sku_id
from primedist.services import sync
from primedist.services.catalogue import get_product, update_product
from primedist.services.context import ServiceContext
from primedist.services.outbox_delivery import deliver_outbox, list_actions
from primedist.services.stock import stock_in
from tests.services.sync_market import Market, Platform

TIKTOK = Platform(
    Channel.TIKTOK, TikTokConnector, STATUS_MAP,
    lambda sb: (sb.config.app_key, sb.config.app_secret, sb.config.shop_id),
)  # fmt: skip


@pytest.fixture
def market(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    config = TikTokSandboxConfig(orders=120, history_days=10, future_days=3, seed=5)
    with TikTokSandbox(config, clock=clock) as sandbox:
        yield Market(owner_ctx, engine, sandbox, TIKTOK, "TikTok Sandbox")


def publish_a_sold_product(ctx: ServiceContext, engine: Engine, market: Market) -> str:
    """Publish on the shop the product of a SKU its synced orders sold; its SKU. The sync
    made it listed on the shop already, without variant listings (nothing to learn ids for):
    saving it with the shop ticked publishes it. The most sold one of a single variant (the
    figures below are one listing's; the next sync's orders sell it)."""
    with engine.connect() as conn:
        sku, product_id = conn.execute(sa.text(
            "SELECT v.sku, v.product_id FROM order_lines l JOIN variants v ON v.id = l.variant_id"
            " WHERE (SELECT count(*) FROM variants w WHERE w.product_id = v.product_id) = 1"
            " GROUP BY v.sku, v.product_id ORDER BY count(*) DESC, v.sku LIMIT 1"
        )).one()  # fmt: skip
    editable = get_product(ctx, product_id)
    update_product(ctx, product_id, dataclasses.replace(
        editable.draft, shop_ids=sorted({*editable.draft.shop_ids, market.shop_id})))  # fmt: skip
    return str(sku)


def links(engine: Engine, shop_id: int) -> list[tuple[str | None, str | None]]:
    with engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(sa.text(
            "SELECT pl.external_id, vl.external_id FROM product_listings pl"
            " JOIN variant_listings vl ON vl.listing_id = pl.id WHERE pl.shop_id = :s"
        ), {"s": shop_id})]  # fmt: skip


def test_a_product_published_after_its_orders_learns_its_ids_at_the_next_sync(
    market: Market, owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    first = market.sync()
    assert first.outcome == "ok" and first.inserted > 0
    sku = publish_a_sold_product(owner_ctx, engine, market)
    assert links(engine, market.shop_id) == [(None, None)]
    assert list_actions(owner_ctx) == []
    early = deliver_outbox(owner_ctx, factory=market.connector)
    assert (early.delivered, early.failed) == (0, 0)

    # The same orders again (nothing changed on TikTok: all unchanged here).
    since = clock.now() - timedelta(days=11)
    again = sync.sync_shop(owner_ctx, market.shop_id, factory=market.connector, since=since,
                           advance_checkpoint=False)  # fmt: skip
    assert again.outcome == "ok", again.message
    assert (again.inserted, again.updated) == (0, 0)
    assert again.listings_linked == 1
    (model,) = (m for m in market.sandbox.catalogue if m.model_sku == sku)
    assert links(engine, market.shop_id) == [(str(model.item_id), sku_id(model))]

    # Linked, its price and its stock reach TikTok at once (queued by the link), then its
    # next stock change.
    assert {a.kind for a in list_actions(owner_ctx)} == {"listing.upsert", "stock.push"}
    linked = deliver_outbox(owner_ctx, factory=market.connector)
    assert (linked.delivered, linked.failed) == (2, 0), linked.messages
    with engine.connect() as conn:
        vid = conn.execute(sa.text("SELECT id FROM variants WHERE sku = :s"),
                           {"s": sku}).scalar_one()  # fmt: skip
    stock_in(owner_ctx, vid, 9)
    sent = deliver_outbox(owner_ctx, factory=market.connector)
    assert (sent.delivered, sent.failed) == (1, 0), sent.messages
    with engine.connect() as conn:
        available = conn.execute(sa.text("SELECT stock - reserved FROM variants WHERE id = :v"),
                                 {"v": vid}).scalar_one()  # fmt: skip
    assert market.sandbox.stock[(str(model.item_id), sku_id(model))] == max(0, available)
    assert market.sync().listings_linked == 0  # nothing left to learn


def test_updated_orders_teach_the_ids_too(
    market: Market, owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    assert market.sync().outcome == "ok"
    sku = publish_a_sold_product(owner_ctx, engine, market)
    clock.advance(timedelta(days=2))  # orders move on: the sync updates them
    report = market.sync()
    assert report.outcome == "ok" and report.updated > 0
    assert report.listings_linked == 1
    (model,) = (m for m in market.sandbox.catalogue if m.model_sku == sku)
    assert links(engine, market.shop_id) == [(str(model.item_id), sku_id(model))]
