"""A stock push that failed (its listing not linked to a marketplace item yet) is sent on
Retry with the stock the app has then, not the figure it failed with: the marketplace's own
orders synced meanwhile (which link the listing and reserve units there) must not be
undone by a Retry that would offer units already sold (over real HTTP against the Shopee
sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import OutboxStatus
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.outbox_delivery import deliver_outbox, list_actions, retry_action
from primedist.services.stock import stock_in
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


def test_a_failed_push_retried_after_the_shops_own_orders_sends_the_stock_left(
    market: Market, owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    draft = ProductDraft(name=ONLY.item_name, shop_ids=[market.shop_id],
                         variants=[VariantDraft(sku=ONLY.model_sku, price=ONLY.price)])  # fmt: skip
    create_product(owner_ctx, draft)
    with engine.connect() as conn:
        vid = int(conn.execute(sa.text("SELECT id FROM variants WHERE sku = 'AT-01'")).scalar_one())
    stock_in(owner_ctx, vid, 500)
    early = deliver_outbox(owner_ctx, factory=market.connector)
    assert early.failed >= 1  # not linked yet: the push cannot go
    (push,) = [a for a in list_actions(owner_ctx)
               if a.kind == "stock.push" and a.status == OutboxStatus.FAILED]  # fmt: skip
    assert push.available == 500

    assert market.sync().listings_linked == 1  # history: links, moves no stock
    clock.advance(timedelta(days=3))
    assert market.sync().outcome == "ok"  # new Shopee orders reserve units
    left = available(engine, vid)
    assert left < 500
    (still,) = [a for a in list_actions(owner_ctx) if a.id == push.id]
    assert (still.status, still.available) == (OutboxStatus.FAILED, left)

    retry_action(owner_ctx, push.id)
    sent = deliver_outbox(owner_ctx, factory=market.connector)
    assert sent.failed == 0, sent.messages
    assert market.sandbox.stock_of(ONLY.item_id, ONLY.model_id) == left
