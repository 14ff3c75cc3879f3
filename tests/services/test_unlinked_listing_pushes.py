"""A marketplace listing not linked to its item yet (no item id) is sent nothing: its stock
and price changes queue no push, so the Sync panel does not fill with actions bound to fail.
Once linked — by a synced order naming its item, or by Fetch listings with the stock sent —
it gets one push of the app's available stock as it is then (and, linked by a sync, its
prices), delivered once; a linked listing gets its pushes as before (over real HTTP against
the Shopee sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import OutboxStatus
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.listing_pull import pull_listings
from primedist.services.outbox import outbox_t
from primedist.services.outbox_delivery import deliver_outbox
from primedist.services.price_change import PriceField, PriceMode, PriceRule, change_prices
from primedist.services.stock import stock_in, stock_out
from tests.services.test_sync import Market

ONLY = CatalogueModel(item_id=900_001, model_id=0, item_name="Áo thun trơn", item_sku="AT-01",
                      model_name="", model_sku="AT-01", price=99_000)  # fmt: skip


@pytest.fixture
def market(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    config = SandboxConfig(orders=200, history_days=5, future_days=5, seed=3, catalogue=(ONLY,))
    with ShopeeSandbox(config, clock=clock) as sandbox:
        yield Market(owner_ctx, engine, sandbox)


def published(ctx: ServiceContext, engine: Engine, shop_id: int, stock: int) -> int:
    """The catalogue's product in the app, ticked for the shop; its variant id."""
    draft = ProductDraft(name=ONLY.item_name, shop_ids=[shop_id],
                         variants=[VariantDraft(sku=ONLY.model_sku, price=109_000)])  # fmt: skip
    create_product(ctx, draft)
    with engine.connect() as conn:
        vid = int(conn.execute(sa.text("SELECT id FROM variants WHERE sku = 'AT-01'")).scalar_one())
    stock_in(ctx, vid, stock)
    return vid


def actions(engine: Engine) -> list[tuple[str, str]]:
    """(kind, status) of every outbox message."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(outbox_t.c.kind, outbox_t.c.status).order_by(outbox_t.c.id))
        return [(str(k), str(s)) for k, s in rows]


def available(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT stock - reserved FROM variants WHERE id = :v"),
                                {"v": variant_id}).scalar_one())  # fmt: skip


def test_an_unlinked_listing_queues_nothing_until_a_synced_order_links_it(
    market: Market, owner_ctx: ServiceContext, engine: Engine
) -> None:
    vid = published(owner_ctx, engine, market.shop_id, 500)
    stock_out(owner_ctx, vid, 20, reason="Hỏng")
    rule = PriceRule(field=PriceField.PRICE, mode=PriceMode.AMOUNT, value=Decimal(1_000))
    assert change_prices(owner_ctx, [product_of(engine)], rule).pushes == 0
    assert actions(engine) == []  # nothing waits, nothing fails
    assert deliver_outbox(owner_ctx, factory=market.connector).failed == 0

    assert market.sync().listings_linked == 1  # history orders: they move no stock
    assert actions(engine) == [("stock.push", OutboxStatus.PENDING),
                               ("listing.upsert", OutboxStatus.PENDING)]  # fmt: skip
    sent = deliver_outbox(owner_ctx, factory=market.connector)
    assert (sent.delivered, sent.failed) == (2, 0), sent.messages
    assert market.sandbox.stock_of(ONLY.item_id, ONLY.model_id) == available(engine, vid) == 480
    assert market.sandbox.prices[(ONLY.item_id, ONLY.model_id)] == 110_000
    again = deliver_outbox(owner_ctx, factory=market.connector)
    assert (again.delivered, again.failed) == (0, 0)  # once

    # Linked, the listing gets every stock change, as before.
    stock_in(owner_ctx, vid, 5)
    assert deliver_outbox(owner_ctx, factory=market.connector).delivered == 1
    assert market.sandbox.stock_of(ONLY.item_id, ONLY.model_id) == 485
    assert market.sync().listings_linked == 0  # nothing more to link, nothing queued
    assert all(status == OutboxStatus.DONE for _kind, status in actions(engine))


def test_fetch_listings_with_the_stock_sent_pushes_the_figure_once(
    market: Market, owner_ctx: ServiceContext, engine: Engine
) -> None:
    vid = published(owner_ctx, engine, market.shop_id, 40)
    assert actions(engine) == []

    report = pull_listings(owner_ctx, market.shop_id, push_stock=True, factory=market.connector)

    assert report.listings_linked == 1 and report.stock_pushes == 1
    assert actions(engine) == [("stock.push", OutboxStatus.PENDING)]
    sent = deliver_outbox(owner_ctx, factory=market.connector)
    assert (sent.delivered, sent.failed) == (1, 0), sent.messages
    assert market.sandbox.stock_of(ONLY.item_id, ONLY.model_id) == available(engine, vid) == 40
    assert deliver_outbox(owner_ctx, factory=market.connector).delivered == 0


def product_of(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT id FROM products")).scalar_one())
