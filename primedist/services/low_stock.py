"""Low-stock levels: the default per shop (Settings → Low stock) and the per-variant override.

The level of a variant is its own, else its SKU group's, else the highest default of the
shops its product is listed on; a variant is low when its available stock (on hand −
reserved, the group's when grouped) is at or below it. A shop default is the shop
parameter `LOW_STOCK_KEY` holding a JSON integer.

Every change refreshes the `products` summary (`low_stock` flag) of the products it
touches in the same transaction, and writes an audit row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import local_day_bounds_utc, shop_tz, to_local
from primedist.core.messages import msg
from primedist.db.product_summary import LOW_STOCK_KEY, refresh_product_summaries
from primedist.domain.audit import ActivityEvent
from primedist.domain.base import table_of
from primedist.domain.enums import ActivityKind, Channel, Module, ProductStatus
from primedist.domain.product import Product, ProductListing, SkuGroup, Variant
from primedist.domain.settings import ShopParameter
from primedist.domain.shop import Shop
from primedist.errors import NotFound, ValidationError
from primedist.services import activity
from primedist.services.context import ServiceContext
from primedist.services.reports import count_low_stock_products

shops_t = table_of(Shop)
params_t = table_of(ShopParameter)
listings_t = table_of(ProductListing)
products_t = table_of(Product)
variants_t = table_of(Variant)
groups_t = table_of(SkuGroup)

#: The highest level accepted (a typo guard; no shop keeps a million of one SKU in reserve).
MAX_LEVEL = 1_000_000


class LevelReport(NamedTuple):
    """What a change of shop defaults reached, as the shop owner counts it."""

    #: Products (not archived) sold on the shops: those the default can reach.
    products: int
    #: Their variants whose own or SKU group's level comes first (the default misses them).
    own_level: int
    #: Products low on stock in the whole shop (Home's *Low on stock*) before and after.
    low_before: int
    low_after: int


class ShopLevel(NamedTuple):
    """A shop and its default low-stock level (None: no default)."""

    shop_id: int
    name: str
    channel: Channel
    level: int | None


def parse_level(value_json: str | None) -> int | None:
    """The level stored as JSON text; None when absent or not an integer."""
    if value_json is None:
        return None
    try:
        value = json.loads(value_json)
    except ValueError:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _check_level(level: int) -> None:
    if isinstance(level, bool) or not isinstance(level, int):
        raise ValidationError(msg("The low-stock level must be a whole number."), field="level")
    if level < 0:
        raise ValidationError(msg("The low-stock level cannot be negative."), field="level")
    if level > MAX_LEVEL:
        raise ValidationError(
            msg("The low-stock level cannot be more than {limit}.", limit=MAX_LEVEL), field="level"
        )


def shop_levels(ctx: ServiceContext) -> list[ShopLevel]:
    """Every shop with its default low-stock level, by name."""
    ctx.require(Module.SETTINGS)
    s, sp = shops_t.c, params_t.c
    stmt = (
        sa.select(s.id, s.name, s.channel, sp.value_json)
        .select_from(shops_t.outerjoin(params_t, sa.and_(sp.shop_id == s.id,
                                                          sp.key == LOW_STOCK_KEY)))
        .order_by(s.name, s.id)
    )  # fmt: skip
    with ctx.uow() as session:
        rows = session.connection().execute(stmt).all()
    return [ShopLevel(sid, name, Channel(ch), parse_level(raw)) for sid, name, ch, raw in rows]


def _shops(session: Session, shop_ids: Iterable[int]) -> dict[int, str]:
    """{shop id: name} of these shops; ValidationError when none, NotFound when one is gone."""
    ids = sorted(set(shop_ids))
    if not ids:
        raise ValidationError(msg("Choose at least one shop."), field="shops")
    found = dict(
        session.connection()
        .execute(sa.select(shops_t.c.id, shops_t.c.name).where(shops_t.c.id.in_(ids)))
        .all()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(msg("Shop {missing} no longer exists.", missing=str(missing[0])))
    return {int(k): str(v) for k, v in found.items()}


def _refresh_listed(session: Session, shop_ids: Iterable[int], low_before: int) -> LevelReport:
    """Refresh the summaries of the products listed on these shops; what the change
    reached. Every listed product is refreshed, but only those the shop owner sees (not
    archived) on an active listing (the only ones a shop default reaches) are counted."""
    session.flush()
    conn = session.connection()
    shops = sorted(set(shop_ids))
    pl, p, v, g = listings_t.c, products_t.c, variants_t.c, groups_t.c
    product_ids = conn.execute(
        sa.select(pl.product_id).where(pl.shop_id.in_(shops)).distinct()
    ).scalars()
    refresh_product_summaries(conn, list(product_ids))
    reached = (
        sa.select(pl.product_id)
        .join(products_t, p.id == pl.product_id)
        .where(pl.shop_id.in_(shops), pl.is_active.is_(True),
               p.status != ProductStatus.ARCHIVED.value)
    )  # fmt: skip
    products = conn.execute(
        sa.select(sa.func.count()).select_from(reached.distinct().subquery())
    ).scalar_one()
    own = conn.execute(
        sa.select(sa.func.count())
        .select_from(variants_t.outerjoin(groups_t, g.id == v.sku_group_id))
        .where(v.product_id.in_(reached), v.is_active.is_(True),
               sa.or_(v.low_stock_level.is_not(None), g.low_stock_level.is_not(None)))
    ).scalar_one()  # fmt: skip
    return LevelReport(int(products), int(own), low_before, count_low_stock_products(conn))


def _shown(level: int | None) -> int | str:
    """A level as the audit summary says it: "—" for none (not "None")."""
    return "—" if level is None else level


def set_shop_level(ctx: ServiceContext, shop_ids: Iterable[int], level: int) -> LevelReport:
    """Make `level` the default low-stock level of these shops; what it reached."""
    ctx.require(Module.SETTINGS)
    _check_level(level)
    now = ctx.clock.now()
    with ctx.uow() as session:
        shops = _shops(session, shop_ids)
        low_before = count_low_stock_products(session.connection())
        for shop_id, name in shops.items():
            param = session.get(ShopParameter, (shop_id, LOW_STOCK_KEY))
            before = parse_level(param.value_json) if param is not None else None
            if param is None:
                param = ShopParameter(shop_id=shop_id, key=LOW_STOCK_KEY, value_json="")
            param.value_json = json.dumps(level)
            param.updated_at = now
            session.add(param)
            ctx.audit(session, "low_stock.shop_level", entity_type="shop", entity_id=shop_id,
                      summary=msg("{shop}: default low-stock level {before} → {level}",
                                  shop=name, before=_shown(before), level=level),
                      before={"low_stock_level": before},
                      after={"low_stock_level": level})  # fmt: skip
        return _refresh_listed(session, shops, low_before)


def reset_shop_level(ctx: ServiceContext, shop_ids: Iterable[int]) -> LevelReport:
    """Remove the default low-stock level of these shops (their products then have a level
    only from a variant or SKU group, or another shop's default); what it reached."""
    ctx.require(Module.SETTINGS)
    with ctx.uow() as session:
        shops = _shops(session, shop_ids)
        low_before = count_low_stock_products(session.connection())
        for shop_id, name in shops.items():
            param = session.get(ShopParameter, (shop_id, LOW_STOCK_KEY))
            if param is None:
                continue
            before = parse_level(param.value_json)
            session.delete(param)
            ctx.audit(session, "low_stock.shop_level_reset", entity_type="shop",
                      entity_id=shop_id,
                      summary=msg("{shop}: default low-stock level {before} removed", shop=name,
                                  before=_shown(before)),
                      before={"low_stock_level": before},
                      after={"low_stock_level": None})  # fmt: skip
        return _refresh_listed(session, shops, low_before)


def set_variant_level(ctx: ServiceContext, variant_id: int, level: int | None) -> None:
    """Set a variant's own low-stock level; None goes back to its group's or the shop
    default."""
    ctx.require(Module.PRODUCTS)
    if level is not None:
        _check_level(level)
    with ctx.uow() as session:
        variant = session.get(Variant, variant_id)
        if variant is None:
            raise NotFound(
                msg("Product variant {variant_id} no longer exists.", variant_id=str(variant_id))
            )
        before = variant.low_stock_level
        if before == level:
            return
        variant.low_stock_level = level
        variant.updated_at = ctx.clock.now()
        session.add(variant)
        ctx.audit(session, "low_stock.variant_level", entity_type="variant", entity_id=variant_id,
                  summary=msg("{sku}: low-stock level {before} → default", sku=variant.sku,
                              before=_shown(before)) if level is None
                  else msg("{sku}: low-stock level {before} → {level}", sku=variant.sku,
                           before=_shown(before), level=level),
                  before={"low_stock_level": before},
                  after={"low_stock_level": level})  # fmt: skip
        session.flush()
        refresh_product_summaries(session.connection(), [variant.product_id])


def post_low_stock_news(ctx: ServiceContext) -> int | None:
    """Home's "N product(s) low on stock": once a local day (the shop's default zone),
    when some are. Returns the number posted, or None when nothing was posted."""
    now = ctx.clock.now()
    day_start, _ = local_day_bounds_utc(to_local(now, shop_tz()).date(), shop_tz())
    e = table_of(ActivityEvent).c
    with ctx.uow() as session:
        conn = session.connection()
        posted_today = conn.execute(
            sa.select(e.id).where(e.kind == ActivityKind.LOW_STOCK.value, e.created_at >= day_start)
        ).first()
        if posted_today is not None:
            return None
        low = count_low_stock_products(conn)
        if not low:
            return None
        activity.post(session, ActivityKind.LOW_STOCK, now, products=low)
    return low
