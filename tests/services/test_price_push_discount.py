"""A discount price reaches the marketplace with the selling price (over real HTTP against
the sandboxes): Lazada gets `SalePrice` with its dates (a scheduled sale's end as its
`SaleEndDate`), and the selling price as the sale price once the discount is removed;
TikTok Shop, whose price update takes no discount price, gets the selling price and the
delivered action says the discount price was not sent."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.lazada import PRICE_QUANTITY_PATH, SALE_NO_END, LazadaConnector
from primedist.connectors.lazada import STATUS_MAP as LAZADA_STATUSES
from primedist.connectors.tiktok import STATUS_MAP as TIKTOK_STATUSES
from primedist.connectors.tiktok import TikTokConnector
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, OutboxStatus
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig
from primedist.sandbox.lazada import sku_id as lazada_sku_id
from primedist.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig
from primedist.sandbox.tiktok import sku_id as tiktok_sku_id
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.listing_links import fill_listing_ids
from primedist.services.outbox_delivery import SALE_PRICE_NOT_SENT, deliver_outbox
from primedist.services.price_change import PriceField, PriceMode, PriceRule, change_prices
from primedist.services.price_schedule import run_due, schedule_prices
from tests.services.sync_market import Market, Platform

LAZADA = Platform(
    Channel.LAZADA, LazadaConnector, LAZADA_STATUSES,
    lambda sb: (sb.config.app_key, sb.config.app_secret, str(sb.config.seller_id)),
)  # fmt: skip
TIKTOK = Platform(
    Channel.TIKTOK, TikTokConnector, TIKTOK_STATUSES,
    lambda sb: (sb.config.app_key, sb.config.app_secret, sb.config.shop_id),
)  # fmt: skip

TWENTY_OFF = PriceRule(PriceField.DISCOUNT, PriceMode.PERCENT_OFF, Decimal(20), round_to=1000)


@pytest.fixture
def lazada(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    config = LazadaSandboxConfig(orders=20, history_days=2, seed=5)
    with LazadaSandbox(config, clock=clock) as sandbox:
        yield Market(owner_ctx, engine, sandbox, LAZADA, "Lazada Sandbox")


@pytest.fixture
def tiktok(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    config = TikTokSandboxConfig(orders=20, history_days=2, seed=5)
    with TikTokSandbox(config, clock=clock) as sandbox:
        yield Market(owner_ctx, engine, sandbox, TIKTOK, "TikTok Sandbox")


def an_item(catalogue: Sequence[CatalogueModel]) -> list[CatalogueModel]:
    """The models of the first catalogue item that has several."""
    items: dict[int, list[CatalogueModel]] = {}
    for m in catalogue:
        items.setdefault(m.item_id, []).append(m)
    return next(ms for ms in items.values() if len(ms) > 1)


def listed(ctx: ServiceContext, engine: Engine, market: Market, models: list[CatalogueModel],
           model_id: Callable[[CatalogueModel], object]) -> int:  # fmt: skip
    """A product of these models published on the market's shop, linked to their ids
    (as a synced order links them); the pushes linking queues (its prices, each model's
    stock) delivered. Its id."""
    product = create_product(ctx, ProductDraft(
        name=models[0].item_name, option1_name="Loại", shop_ids=[market.shop_id],
        variants=[VariantDraft(sku=m.model_sku, price=m.price, option1=m.model_sku)
                  for m in models],
    ))  # fmt: skip
    with engine.begin() as conn:
        rows = conn.execute(sa.text("SELECT sku, id FROM variants"))
        vids = {str(sku): int(vid) for sku, vid in rows}
        fill_listing_ids(conn, market.shop_id, {
            vids[m.model_sku]: (str(m.item_id), str(model_id(m))) for m in models
        }, ctx.clock.now())  # fmt: skip
    first = deliver_outbox(ctx, factory=market.connector)
    assert (first.delivered, first.failed) == (1 + len(models), 0), first.messages
    return product


def discounted(price: int) -> int:
    return price * 8 // 10 // 1000 * 1000


def test_a_discount_price_reaches_lazada_and_its_removal_too(
    lazada: Market, owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    sandbox: LazadaSandbox = lazada.sandbox
    models = an_item(sandbox.catalogue)
    product = listed(owner_ctx, engine, lazada, models, lazada_sku_id)
    keys = {m.model_sku: (m.item_id, lazada_sku_id(m)) for m in models}
    assert all(sandbox.sales[k].price == sandbox.prices[k] for k in keys.values())  # no sale

    change_prices(owner_ctx, [product], TWENTY_OFF)
    sent = deliver_outbox(owner_ctx, factory=lazada.connector)
    assert (sent.delivered, sent.failed) == (1, 0), sent.messages
    payload = sandbox.calls(PRICE_QUANTITY_PATH)[-1].body["payload"]
    assert f"<SalePrice>{discounted(models[0].price)}</SalePrice>" in payload
    for m in models:
        sale = sandbox.sales[keys[m.model_sku]]
        assert sandbox.prices[keys[m.model_sku]] == m.price
        assert sale.price == discounted(m.price)
        assert sale.start == clock.now().replace(second=0, microsecond=0)
        assert sale.end == SALE_NO_END  # the app ends it itself: no end of its own

    change_prices(owner_ctx, [product], PriceRule(PriceField.DISCOUNT, PriceMode.REMOVE))
    removed = deliver_outbox(owner_ctx, factory=lazada.connector)
    assert (removed.delivered, removed.failed) == (1, 0), removed.messages
    for m in models:  # the sale price is the selling price again: no discount shows
        assert sandbox.sales[keys[m.model_sku]].price == m.price


def test_a_scheduled_sale_sends_its_end_to_lazada(
    lazada: Market, owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    sandbox: LazadaSandbox = lazada.sandbox
    models = an_item(sandbox.catalogue)
    product = listed(owner_ctx, engine, lazada, models, lazada_sku_id)
    start = clock.now().replace(second=0, microsecond=0)
    end = start + timedelta(days=2, hours=23, minutes=59)
    schedule_prices(owner_ctx, "Weekend sale", [product], TWENTY_OFF, start, end)
    run_due(owner_ctx)
    sent = deliver_outbox(owner_ctx, factory=lazada.connector)
    assert (sent.delivered, sent.failed) == (1, 0), sent.messages
    for m in models:  # Lazada ends the sale on time even if this PC is off then
        sale = sandbox.sales[(m.item_id, lazada_sku_id(m))]
        assert (sale.price, sale.end) == (discounted(m.price), end)

    clock.advance(end - start + timedelta(minutes=1))
    run_due(owner_ctx)  # its end gives the prices back
    back = deliver_outbox(owner_ctx, factory=lazada.connector)
    assert (back.delivered, back.failed) == (1, 0), back.messages
    for m in models:
        assert sandbox.sales[(m.item_id, lazada_sku_id(m))].price == m.price


def test_tiktok_gets_the_selling_price_and_the_action_says_the_discount_was_not_sent(
    tiktok: Market, owner_ctx: ServiceContext, engine: Engine
) -> None:
    sandbox: TikTokSandbox = tiktok.sandbox
    models = an_item(sandbox.catalogue)
    product = listed(owner_ctx, engine, tiktok, models, tiktok_sku_id)
    with engine.connect() as conn:
        (note,) = conn.execute(sa.text(
            "SELECT last_error FROM outbox_messages WHERE kind = 'listing.upsert'"
        )).scalars().all()  # fmt: skip
    assert note is None  # no discount price yet: nothing to say

    change_prices(owner_ctx, [product], TWENTY_OFF)
    sent = deliver_outbox(owner_ctx, factory=tiktok.connector)
    assert (sent.delivered, sent.failed) == (1, 0), sent.messages
    with engine.connect() as conn:
        status, note = conn.execute(sa.text(
            "SELECT status, last_error FROM outbox_messages WHERE kind = 'listing.upsert'"
        )).one()  # fmt: skip
    assert status == OutboxStatus.DONE and note == SALE_PRICE_NOT_SENT
    assert "discount price is not sent" in note
    for m in models:
        assert sandbox.prices[(str(m.item_id), tiktok_sku_id(m))] == m.price


@pytest.mark.parametrize("discount", [0, 120_000, 150_000])
def test_a_discount_that_is_no_discount_sends_the_price_as_the_sale_price(
    discount: int,
) -> None:
    # A discount price of 0, or one left at/above a price lowered since, is no discount:
    # Lazada gets the price as its sale price (a sale price above the price is refused,
    # and the whole SKU's update with it).
    from datetime import UTC, datetime

    from primedist.connectors.base import PriceUpdate
    from primedist.connectors.lazada import price_values

    now = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    tags = price_values(PriceUpdate("1", "2", 120_000, sale_price=discount), now)
    assert (tags["Price"], tags["SalePrice"]) == (120_000, 120_000)
    kept = price_values(PriceUpdate("1", "2", 120_000, sale_price=99_000), now)
    assert (kept["Price"], kept["SalePrice"]) == (120_000, 99_000)
