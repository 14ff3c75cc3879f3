"""Live marketplace sync for the demo: the demo's Shopee shop linked to a local sandbox.

`primedist --demo` calls `start_demo_sync` once the demo store is filled: it starts the
Shopee sandbox on 127.0.0.1 (a free port), points the demo's Shopee shop at it with the
sandbox's published partner id/key, and links it through the real authorisation code →
token exchange over HTTP. The scheduler then pulls its orders like any shop's, so new
orders arrive and old ones move on while the app is open.

The sandbox sells the demo's own Shopee-listed variants (same SKUs and prices), so synced
orders land on the demo's products and hold their stock. Its orders are spread over a
fixed period around the first demo start (kept in app_settings), with the same seed: a
later start serves the same order numbers, so restarts update orders instead of adding
copies. When that period is nearly over, a new one begins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select

from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, ShopStatus
from primedist.domain.product import Product, ProductListing, Variant, VariantListing
from primedist.domain.shop import Shop
from primedist.sandbox.generator import CatalogueModel
from primedist.sandbox.shopee import (
    DEMO_PARTNER_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    SandboxConfig,
    ShopeeSandbox,
)
from primedist.services import channels
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import ServiceContext

#: app_settings key: the start (Unix seconds) of the sandbox's current order period.
ANCHOR_KEY = "demo.sandbox_anchor"
#: Orders from this long before the period's start are already there at the first sync.
HISTORY = timedelta(days=2)
#: The period over which new orders keep arriving.
PERIOD = timedelta(days=60)
#: Start a new period when less than this is left of the current one.
RENEW_BEFORE = timedelta(days=3)
ORDERS_PER_DAY = 96
SEED = 11
#: Variants the sandbox sells (the demo's Shopee listings, first products first).
MAX_MODELS = 240
#: Item id of a demo listing without a numeric marketplace id: this + the product id.
ITEM_ID_BASE = 800_000


@dataclass
class DemoSync:
    """The running sandbox and the shop it serves; `stop()` on exit."""

    sandbox: ShopeeSandbox
    shop_id: int
    shop_name: str

    @property
    def url(self) -> str:
        return self.sandbox.url

    def stop(self) -> None:
        self.sandbox.stop()


def demo_shopee_shop(ctx: ServiceContext) -> tuple[int, str, str | None] | None:
    """(id, name, marketplace shop id) of the demo's Shopee shop; None if there is none
    or the user disconnected it (their choice is kept)."""
    with ctx.uow() as session:
        shop = session.exec(
            select(Shop).where(Shop.channel == Channel.SHOPEE).order_by(col(Shop.id))
        ).first()
        if shop is None or shop.id is None or ShopStatus(shop.status) == ShopStatus.DISCONNECTED:
            return None
        return shop.id, shop.name, shop.external_shop_id


def start_demo_sync(ctx: ServiceContext) -> DemoSync | None:
    """Start the sandbox and link the demo's Shopee shop to it (None: no such shop).

    On any failure the sandbox is stopped again and the error raised.
    """
    ctx.require(Module.SETTINGS)
    found = demo_shopee_shop(ctx)
    if found is None:
        return None
    shop_id, name, external = found
    marketplace_id = int(external) if external and external.isdigit() else DEMO_SHOP_ID
    config = _sandbox_config(ctx, shop_id, marketplace_id, name)
    sandbox = ShopeeSandbox(config, clock=ctx.clock)
    url = sandbox.start()
    try:
        channels.set_partner(
            ctx, shop_id, partner_id=DEMO_PARTNER_ID, partner_key=DEMO_PARTNER_KEY, api_host=url
        )
        # What the seller's browser would bring back; then the real code → token exchange.
        channels.authorize_shop(ctx, shop_id, sandbox.authorize(), marketplace_id)
    except BaseException:
        sandbox.stop()
        raise
    return DemoSync(sandbox, shop_id, name)


def _sandbox_config(
    ctx: ServiceContext, shop_id: int, marketplace_id: int, name: str
) -> SandboxConfig:
    now = ctx.clock.now()
    start = _period_start(ctx, now)
    begins, ends = start - HISTORY, start + PERIOD
    days = (ends - begins) / timedelta(days=1)
    return SandboxConfig(
        partner_id=DEMO_PARTNER_ID,
        partner_key=DEMO_PARTNER_KEY,
        shop_id=marketplace_id,
        shop_name=name,
        orders=int(days * ORDERS_PER_DAY),
        seed=SEED,
        history_days=(now - begins) / timedelta(days=1),
        future_days=(ends - now) / timedelta(days=1),
        catalogue=_catalogue(ctx, shop_id) or None,
    )


def _period_start(ctx: ServiceContext, now: datetime) -> datetime:
    """The stored period start; a new one (now) at first use or near its end."""
    with ctx.uow() as session:
        stored = get_setting(session, ANCHOR_KEY)
        if isinstance(stored, int | float):
            start = datetime.fromtimestamp(int(stored), tz=now.tzinfo)
            if start <= now < start + PERIOD - RENEW_BEFORE:
                return start
        start = now.replace(microsecond=0)
        put_setting(ctx, session, ANCHOR_KEY, int(start.timestamp()))
        return start


def _catalogue(ctx: ServiceContext, shop_id: int) -> tuple[CatalogueModel, ...]:
    """The demo's active variants listed on the shop, as the sandbox's listings, under the
    item and model ids the listings hold (so stock pushes and Fetch listings find them)."""
    p, v = table_of(Product), table_of(Variant)
    pl, vl = table_of(ProductListing), table_of(VariantListing)
    stmt = (
        sa.select(p.c.id, p.c.name, v.c.sku, v.c.option1, v.c.option2, v.c.price,
                  pl.c.external_id, vl.c.external_id)
        .select_from(v.join(p, p.c.id == v.c.product_id))
        .join(pl, (pl.c.product_id == p.c.id) & (pl.c.shop_id == shop_id))
        .join(vl, (vl.c.listing_id == pl.c.id) & (vl.c.variant_id == v.c.id))
        .where(v.c.is_active.is_(True), pl.c.is_active.is_(True), v.c.price > 0,
               pl.c.external_id.is_not(None))
        .order_by(p.c.id, v.c.id)
        .limit(MAX_MODELS)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    per_item: dict[int, int] = {}
    for product_id, *_rest in rows:
        per_item[product_id] = per_item.get(product_id, 0) + 1
    models = []
    for product_id, name, sku, option1, option2, price, item, model in rows:
        single = per_item[product_id] == 1 and model is None
        models.append(
            CatalogueModel(
                item_id=_marketplace_id(item, ITEM_ID_BASE + int(product_id)),
                model_id=0 if single else _marketplace_id(model, 0),
                item_name=str(name),
                item_sku=str(sku) if single else f"P{product_id}",
                model_name=",".join(str(o) for o in (option1, option2) if o),
                model_sku=str(sku),
                price=int(price),
            )
        )
    return tuple(model for model in models if _single_or_named(model))


def _marketplace_id(value: object, default: int) -> int:
    """A listing's marketplace id as the sandbox's number (`default` when not numeric)."""
    text = str(value or "")
    return int(text) if text.isdigit() else default


def _single_or_named(model: CatalogueModel) -> bool:
    """A model of an item with variations must have an id and name its options."""
    return model.model_id == 0 or (model.model_id > 0 and bool(model.model_name))
