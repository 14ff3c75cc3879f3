"""A stock push of a listing not linked to a marketplace item yet is no longer queued; one
that failed so before (an older version queued them) is queued again when a sync links its
listing, and it is sent with the stock the app has then, not the figure it failed with: the
marketplace's own orders synced meanwhile (which reserve units there) must not be undone by
a push that would offer units already sold (over real HTTP against the Shopee sandbox)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import OutboxStatus
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.outbox import outbox_t
from primedist.services.outbox_delivery import deliver_outbox, list_actions
from primedist.services.stock import PUSH_KIND, stock_in
from tests.services.test_sync import Market

ONLY = CatalogueModel(item_id=900_001, model_id=0, item_name="Áo thun trơn", item_sku="AT-01",
                      model_name="", model_sku="AT-01", price=99_000)  # fmt: skip


@pytest.fixture
def market(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    config = SandboxConfig(orders=200, history_days=5, future_days=5, seed=3, catalogue=(ONLY,))
    sandbox = ShopeeSandbox(config, clock=clock)
    sandbox.start()
    try:
        yield Market(owner_ctx, engine, sandbox)
    finally:
        sandbox.stop()


def available(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT stock - reserved FROM variants WHERE id = :v"),
                                {"v": variant_id}).scalar_one())  # fmt: skip


def failed_before(engine: Engine, shop_id: int, variant_id: int, available: int) -> None:
    """The failed push an older version left for the variant's unlinked listing."""
    with engine.begin() as conn:
        vl_id = conn.execute(sa.text("SELECT id FROM variant_listings WHERE variant_id = :v"),
                             {"v": variant_id}).scalar_one()  # fmt: skip
        payload = json.dumps({"variant_id": variant_id, "listing_external_id": None,
                              "available": available})  # fmt: skip
        now = datetime(2026, 1, 1, tzinfo=UTC)
        conn.execute(sa.insert(outbox_t).values(
            kind=PUSH_KIND, intent_key=f"stock:{shop_id}:{vl_id}", shop_id=shop_id,
            payload_json=payload, status=OutboxStatus.FAILED, attempts=1,
            last_error="the product is not linked to a marketplace item yet",
            next_attempt_at=now, created_at=now, updated_at=now,
        ))  # fmt: skip


def test_a_push_failed_before_is_sent_with_the_stock_left_once_linked(
    market: Market, owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    draft = ProductDraft(name=ONLY.item_name, shop_ids=[market.shop_id],
                         variants=[VariantDraft(sku=ONLY.model_sku, price=ONLY.price)])  # fmt: skip
    create_product(owner_ctx, draft)
    with engine.connect() as conn:
        vid = int(conn.execute(sa.text("SELECT id FROM variants WHERE sku = 'AT-01'")).scalar_one())
    stock_in(owner_ctx, vid, 500)
    assert list_actions(owner_ctx) == []  # not linked yet: nothing queued
    failed_before(engine, market.shop_id, vid, 480)

    assert market.sync().listings_linked == 1  # history: links, moves no stock
    (push,) = [a for a in list_actions(owner_ctx) if a.kind == PUSH_KIND]
    assert (push.status, push.available) == (OutboxStatus.PENDING, 500)  # queued again, fresh
    clock.advance(timedelta(days=3))
    assert market.sync().outcome == "ok"  # new Shopee orders reserve units
    left = available(engine, vid)
    assert left < 500
    (still,) = [a for a in list_actions(owner_ctx) if a.id == push.id]
    assert (still.status, still.available) == (OutboxStatus.PENDING, left)

    sent = deliver_outbox(owner_ctx, factory=market.connector)
    assert sent.failed == 0, sent.messages
    assert market.sandbox.stock_of(ONLY.item_id, ONLY.model_id) == left
