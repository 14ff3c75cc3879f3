"""Live marketplace sync for the demo: the demo's marketplace shops linked to local sandboxes.

Once the demo store is filled, `primedist --demo` calls `start_demo_sync` for each of the
demo's Shopee, Lazada, TikTok Shop and Tiki shops: it starts that platform's sandbox on
127.0.0.1 (a free port), points the shop at it with the sandbox's published app id/secret,
and links it through the real authorisation code → token exchange over HTTP. The
scheduler then pulls their orders like any shop's, so new orders arrive and old ones move
on while the app is open, and the stock/price pushes waiting for a shop are delivered.

Each sandbox sells the shop's own listed variants (same SKUs and prices, under the
listings' item and SKU ids), so synced orders land on the demo's products and hold their
stock, and pushes find their SKUs. Its orders are spread over a fixed period around the
first demo start (kept in app_settings), with a seed per platform: a later start serves
the same order numbers, so restarts update orders instead of adding copies. When that
period is nearly over, a new one begins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from primedist.core.clock import Clock
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, OrderSource, OrderStatus, ShopStatus
from primedist.domain.order import Order
from primedist.domain.product import Product, ProductListing, Variant, VariantListing
from primedist.domain.shop import Shop
from primedist.sandbox import lazada, tiki, tiktok
from primedist.sandbox.base import MarketplaceSandbox
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
from primedist.services.context import SYSTEM, ServiceContext

#: app_settings key: the start (Unix seconds) of the sandboxes' current order period.
ANCHOR_KEY = "demo.sandbox_anchor"
#: Orders from this long before the period's start are already there at the first sync
#: (the demo's own orders cover the days before: a longer history would count them twice).
HISTORY = timedelta(hours=12)
#: The period over which new orders keep arriving.
PERIOD = timedelta(days=60)
#: Start a new period when less than this is left of the current one.
RENEW_BEFORE = timedelta(days=3)
#: The demo's marketplaces, in the order they are linked (Shopee's orders come first).
DEMO_CHANNELS = (Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK, Channel.TIKI)
#: The days before the period's start whose orders set a sandbox's daily rate: the shop's
#: own rate, so Home's and Analytics' comparisons do not jump when the sandbox's arrive.
RATE_DAYS = 28
#: The lowest rate (orders a day), so a shop with few orders still shows live arrivals.
MIN_ORDERS_PER_DAY = 8
#: A seed per platform, so the four sandboxes' buyers and orders differ.
CHANNEL_SEEDS = {Channel.SHOPEE: 11, Channel.LAZADA: 12, Channel.TIKTOK: 13, Channel.TIKI: 14}
#: Variants a sandbox sells (the shop's listings, first products first).
MAX_MODELS = 240
#: Item id of a demo listing without a numeric marketplace id: this + the product id.
ITEM_ID_BASE = 800_000


@dataclass
class DemoSync:
    """A running sandbox and the shop it serves; `stop()` on exit."""

    sandbox: MarketplaceSandbox[Any]
    shop_id: int
    shop_name: str
    channel: Channel = Channel.SHOPEE

    @property
    def url(self) -> str:
        return self.sandbox.url

    def stop(self) -> None:
        self.sandbox.stop()


@dataclass(frozen=True)
class _Link:
    """A platform's sandbox for one shop, and what linking the shop to it takes."""

    sandbox: MarketplaceSandbox[Any]
    partner_id: str | int
    partner_key: str
    #: The shop id the consent redirect names (Shopee's `shop_id=`; None elsewhere: the
    #: token answer names it).
    redirect_shop_id: int | None


def demo_shopee_shop(ctx: ServiceContext) -> tuple[int, str, str | None] | None:
    """(id, name, marketplace shop id) of the demo's Shopee shop; None if there is none
    or the user disconnected it (their choice is kept)."""
    return _demo_shop(ctx, Channel.SHOPEE)


def _demo_shop(ctx: ServiceContext, channel: Channel) -> tuple[int, str, str | None] | None:
    """(id, name, marketplace shop id) of the demo's first shop on `channel`; None if there
    is none or the user disconnected it."""
    with ctx.uow() as session:
        shop = session.exec(
            select(Shop).where(Shop.channel == channel).order_by(col(Shop.id))
        ).first()
        if shop is None or shop.id is None or ShopStatus(shop.status) == ShopStatus.DISCONNECTED:
            return None
        return shop.id, shop.name, shop.external_shop_id


def start_demo_sync(ctx: ServiceContext, channel: Channel = Channel.SHOPEE) -> DemoSync | None:
    """Start `channel`'s sandbox and link the demo's shop on it (None: no such shop, or the
    user disconnected it).

    On any failure the sandbox is stopped again and the error raised. The link (app
    credentials, authorisation, the shop's info) is the demo's own set-up, redone at every
    start: its audit rows are the System's, not the owner's, who did none of it.
    """
    ctx.require(Module.SETTINGS)
    ctx = ctx.with_actor(SYSTEM)
    found = _demo_shop(ctx, channel)
    if found is None:
        return None
    shop_id, name, external = found
    link = _LINKS[channel](_order_settings(ctx, shop_id, channel), external, name, ctx.clock)
    sandbox = link.sandbox
    if isinstance(sandbox, ShopeeSandbox):  # the one demo marketplace actions are sent to
        sandbox.adopt(_own_open_orders(ctx, shop_id))
    url = sandbox.start()
    try:
        channels.set_partner(
            ctx, shop_id, partner_id=link.partner_id, partner_key=link.partner_key, api_host=url
        )
        # What the seller's browser would bring back; then the real code → token exchange.
        channels.authorize_shop(ctx, shop_id, sandbox.authorize(), link.redirect_shop_id)
    except BaseException:
        sandbox.stop()
        raise
    return DemoSync(sandbox, shop_id, name, channel)


def _own_open_orders(ctx: ServiceContext, shop_id: int) -> dict[str, str]:
    """The demo's own orders of the shop an action can still be sent for (order number ->
    Shopee status): the sandbox did not make them, yet Confirm and Cancel on them must go
    through as on any order. Pending ones are ready to ship, confirmed ones are arranged
    already; one whose action has not gone out yet is still ready to ship there. Orders
    the sandbox made (their platform status is kept) are its own already."""
    o = table_of(Order).c
    waiting = (OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.CANCELLED)
    stmt = sa.select(o.external_id, o.status, o.outbox_pending).where(
        o.shop_id == shop_id, o.external_status.is_(None),
        o.source == OrderSource.MARKETPLACE,
        sa.or_(o.status.in_((OrderStatus.PENDING, OrderStatus.CONFIRMED)),
               sa.and_(o.outbox_pending.is_(True), o.status.in_(waiting))),
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return {str(sn): "PROCESSED" if status == OrderStatus.CONFIRMED and not pending
            else "READY_TO_SHIP" for sn, status, pending in rows}  # fmt: skip


def _shopee(orders: dict[str, Any], external: str | None, name: str, clock: Clock) -> _Link:
    shop = int(external) if external and external.isdigit() else DEMO_SHOP_ID
    config = SandboxConfig(partner_id=DEMO_PARTNER_ID, partner_key=DEMO_PARTNER_KEY,
                           shop_id=shop, shop_name=name, **orders)  # fmt: skip
    return _Link(ShopeeSandbox(config, clock=clock), DEMO_PARTNER_ID, DEMO_PARTNER_KEY, shop)


def _lazada(orders: dict[str, Any], external: str | None, name: str, clock: Clock) -> _Link:
    seller = int(external) if external and external.isdigit() else lazada.DEMO_SELLER_ID
    config = lazada.LazadaSandboxConfig(seller_id=seller, shop_name=name, **orders)
    return _Link(lazada.LazadaSandbox(config, clock=clock), lazada.DEMO_APP_KEY,
                 lazada.DEMO_APP_SECRET, None)  # fmt: skip


def _tiktok(orders: dict[str, Any], external: str | None, name: str, clock: Clock) -> _Link:
    config = tiktok.TikTokSandboxConfig(shop_id=external or tiktok.DEMO_SHOP_ID, shop_name=name,
                                        **orders)  # fmt: skip
    return _Link(tiktok.TikTokSandbox(config, clock=clock), tiktok.DEMO_APP_KEY,
                 tiktok.DEMO_APP_SECRET, None)  # fmt: skip


def _tiki(orders: dict[str, Any], external: str | None, name: str, clock: Clock) -> _Link:
    # The demo's Tiki shop starts "not linked" (no seller id): the sandbox's seller is it.
    config = tiki.TikiSandboxConfig(seller_id=external or tiki.DEMO_SELLER_ID, seller_name=name,
                                    **orders)  # fmt: skip
    return _Link(tiki.TikiSandbox(config, clock=clock), tiki.DEMO_CLIENT_ID,
                 tiki.DEMO_CLIENT_SECRET, None)  # fmt: skip


_LINKS: dict[Channel, Callable[[dict[str, Any], str | None, str, Clock], _Link]] = {
    Channel.SHOPEE: _shopee, Channel.LAZADA: _lazada, Channel.TIKTOK: _tiktok,
    Channel.TIKI: _tiki,
}  # fmt: skip


def _order_settings(ctx: ServiceContext, shop_id: int, channel: Channel) -> dict[str, Any]:
    """The sandbox's orders: the shared period, the platform's rate and seed, and the
    shop's listed variants as its catalogue."""
    now = ctx.clock.now()
    start = _period_start(ctx, now)
    begins, ends = start - HISTORY, start + PERIOD
    days = (ends - begins) / timedelta(days=1)
    return {
        "orders": int(days * _orders_per_day(ctx, shop_id, start - HISTORY)),
        "seed": CHANNEL_SEEDS[channel],
        "history_days": (now - begins) / timedelta(days=1),
        "future_days": (ends - now) / timedelta(days=1),
        "catalogue": _catalogue(ctx, shop_id, channel) or None,
    }


def _orders_per_day(ctx: ServiceContext, shop_id: int, before: datetime) -> float:
    """The shop's orders a day over the RATE_DAYS before `before` (MIN_ORDERS_PER_DAY at
    least): the sandbox goes on at the pace of the demo's own orders."""
    orders = table_of(Order)
    with ctx.engine.connect() as conn:
        count = conn.execute(
            sa.select(sa.func.count()).where(
                orders.c.shop_id == shop_id,
                orders.c.created_at >= before - timedelta(days=RATE_DAYS),
                orders.c.created_at < before,
            )
        ).scalar_one()
    return max(count / RATE_DAYS, MIN_ORDERS_PER_DAY)


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


def _catalogue(
    ctx: ServiceContext, shop_id: int, channel: Channel = Channel.SHOPEE
) -> tuple[CatalogueModel, ...]:
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
    if channel != Channel.SHOPEE:  # every SKU has its own id there: no naming rule
        return tuple(models)
    return tuple(model for model in models if _single_or_named(model))


def _marketplace_id(value: object, default: int) -> int:
    """A listing's marketplace id as the sandbox's number (`default` when not numeric)."""
    text = str(value or "")
    return int(text) if text.isdigit() else default


def _single_or_named(model: CatalogueModel) -> bool:
    """Shopee: a model of an item with variations must have an id and name its options."""
    return model.model_id == 0 or (model.model_id > 0 and bool(model.model_name))
