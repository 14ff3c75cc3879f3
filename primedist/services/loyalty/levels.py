"""Customer levels (groups such as VIP, Regular, Wholesale) and their prices per SKU.

A level may have a purchase threshold: the rank recompute moves customers whose expenses
reach it up to that level (services/loyalty/ranks.py). A level without one is given by
hand. The sale applies a customer's level price through `services.pricing`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.messages import Message, msg
from primedist.core.text import clean_line, fold
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Module, ProductStatus
from primedist.domain.loyalty import CustomerLevel, LevelPrice
from primedist.domain.product import Product, Variant
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.services import pricing
from primedist.services.context import ServiceContext
from primedist.services.sale_lookup import lookup_text, receivable

levels = table_of(CustomerLevel)
prices = table_of(LevelPrice)
customers = table_of(Customer)
variants = table_of(Variant)
products = table_of(Product)

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
MAX_MONEY = 10**12
#: A level price under 1/FAR_BELOW of the list price is asked about (`level_price_warning`).
FAR_BELOW = 2


@dataclass(frozen=True)
class LevelRow:
    id: int
    name: str
    code: str
    upgrade_threshold: int | None
    members: int
    prices: int


@dataclass(frozen=True)
class LevelPriceRow:
    variant_id: int
    sku: str
    product_name: str
    variant_name: str | None
    list_price: int
    price: int


def list_levels(ctx: ServiceContext) -> list[LevelRow]:
    """Every level with its member and price counts, in display order."""
    ctx.require(Module.CUSTOMERS)
    c, p, lv = customers.c, prices.c, levels.c
    members = (
        sa.select(sa.func.count())
        .where(c.level_id == lv.id, c.deleted_at.is_(None), c.merged_into_id.is_(None))
        .scalar_subquery()
    )
    priced = sa.select(sa.func.count()).where(p.level_id == lv.id).scalar_subquery()
    with ctx.uow() as session:
        rows = session.connection().execute(
            sa.select(lv.id, lv.name, lv.code, lv.upgrade_threshold, members, priced)
            .order_by(lv.position, lv.id)
        ).all()  # fmt: skip
    return [LevelRow(int(r[0]), str(r[1]), str(r[2]), r[3], int(r[4]), int(r[5])) for r in rows]


@dataclass(frozen=True)
class LevelName:
    id: int
    name: str
    code: str


def level_names(ctx: ServiceContext) -> list[LevelName]:
    """Every level's name and code, in display order: what a choice of level shows. No
    counts (`list_levels` counts each level's members: 0.1 s over 100,000 customers)."""
    ctx.require(Module.CUSTOMERS)
    lv = levels.c
    with ctx.uow() as session:
        rows = (
            session.connection()
            .execute(sa.select(lv.id, lv.name, lv.code).order_by(lv.position, lv.id))
            .all()
        )
    return [LevelName(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def _require_settings(ctx: ServiceContext) -> None:
    """Groups and their prices are set on Settings → Customer groups, by the owner or a
    manager (as the points and rank rules): a sales clerk does not price goods for a group."""
    ctx.require(Module.SETTINGS)
    ctx.require_manager()


def _level(session: Session, level_id: int) -> CustomerLevel:
    row = session.get(CustomerLevel, level_id)
    if row is None:
        raise NotFound(msg("This customer level no longer exists."))
    return row


def save_level(
    ctx: ServiceContext, *, name: str, code: str, upgrade_threshold: int | None = None,
    level_id: int | None = None,
) -> int:  # fmt: skip
    """Create (no id) or change a level; the code is unique (any case), and so is the name
    (any case or accents: "vip" beside "VIP" reads as the same group in every list)."""
    _require_settings(ctx)
    name, code = clean_line(name), code.strip().upper()
    if not name or len(name) > 60:
        raise ValidationError(msg("A level needs a name of at most 60 characters."), field="name")
    if not CODE_RE.match(code):
        raise ValidationError(
            msg("The code needs 1 to 20 letters, digits, '-' or '_' (no spaces or accents)."),
            field="code",
        )
    if upgrade_threshold is not None and not 0 <= upgrade_threshold <= MAX_MONEY:
        raise ValidationError(
            msg("The purchase threshold must be between 0 and {limit} đ.", limit=MAX_MONEY),
            field="upgrade_threshold",
        )
    with ctx.uow() as session:
        conn = session.connection()
        taken = conn.execute(
            sa.select(levels.c.name).where(
                sa.func.upper(levels.c.code) == code, levels.c.id.is_distinct_from(level_id)
            )
        ).scalar()
        if taken is not None:
            raise Conflict(
                msg("The level {taken} already has the code {code}.", taken=str(taken), code=code)
            )
        _check_name_free(conn, name, level_id)
        if level_id is None:
            last = conn.execute(sa.select(sa.func.max(levels.c.position))).scalar()
            row = CustomerLevel(name=name, code=code, position=int(last or 0) + 1,
                                created_at=ctx.clock.now())  # fmt: skip
        else:
            row = _level(session, level_id)
        row.name, row.code, row.upgrade_threshold = name, code, upgrade_threshold
        session.add(row)
        session.flush()
        assert row.id is not None
        ctx.audit(session, "level.create" if level_id is None else "level.update",
                  entity_type="customer_level", entity_id=row.id,
                  summary=_level_summary(code, name, upgrade_threshold))  # fmt: skip
        return row.id


def _check_name_free(conn: sa.Connection, name: str, level_id: int | None) -> None:
    """Conflict when another level has this name, capitals and accents aside (the levels
    are a handful: compared here, as `fold` does)."""
    key = fold(name)
    others = conn.execute(
        sa.select(levels.c.name).where(levels.c.id.is_distinct_from(level_id))
    ).scalars()
    for other in others:
        if fold(str(other)) == key:
            raise Conflict(msg("A level named {taken} already exists.", taken=str(other)))


def _level_summary(code: str, name: str, threshold: int | None) -> str:
    if threshold is None:  # customers join it by hand only
        return msg("{code} {name} (no automatic upgrade)", code=code, name=name)
    return msg("{code} {name} (customers who spent {threshold} join it)", code=code, name=name,
               threshold=threshold)  # fmt: skip


def delete_level(ctx: ServiceContext, level_id: int) -> int:
    """Delete a level and its prices; its members fall back to no level, and the vouchers
    that were only for it, on or paused, are switched off and ended (without their limit
    they would be for everyone). Returns how many customers were members."""
    _require_settings(ctx)
    with ctx.uow() as session:
        row = _level(session, level_id)
        conn = session.connection()
        switched_off = pricing.switch_off_vouchers_only_for(session, ctx, level_id=level_id)
        moved = conn.execute(
            customers.update().where(customers.c.level_id == level_id).values(level_id=None)
        ).rowcount
        conn.execute(prices.delete().where(prices.c.level_id == level_id))
        session.delete(row)
        summary = msg("{code} {name}: {count} members fell back to no level", code=row.code,
                      name=row.name, count=int(moved or 0))  # fmt: skip
        ctx.audit(session, "level.delete", entity_type="customer_level", entity_id=level_id,
                  summary=pricing.with_vouchers_off(summary, switched_off),
                  after={"vouchers_switched_off": switched_off})  # fmt: skip
        return int(moved or 0)


def vouchers_only_for_level(ctx: ServiceContext, level_id: int) -> list[str]:
    """The codes of the vouchers (on or paused) only for this level: deleting it switches
    them off and ends them (what the delete question names)."""
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        found = pricing.vouchers_only_for(session.connection(), level_id=level_id)
    return [code for _i, code in found]


def level_prices(ctx: ServiceContext, level_id: int) -> list[LevelPriceRow]:
    """The level's prices, by SKU."""
    ctx.require(Module.CUSTOMERS)
    p, v, pr = prices.c, variants.c, products.c
    with ctx.uow() as session:
        _level(session, level_id)
        rows = session.connection().execute(
            sa.select(v.id, v.sku, pr.name, v.option1, v.option2,
                      sa.func.coalesce(v.discount_price, v.price), p.price)
            .select_from(prices.join(variants, v.id == p.variant_id)
                         .join(products, pr.id == v.product_id))
            .where(p.level_id == level_id)
            .order_by(v.sku)
        ).all()  # fmt: skip
    return [LevelPriceRow(int(r[0]), str(r[1]), str(r[2]),
                          " / ".join(x for x in (r[3], r[4]) if x) or None, int(r[5]), int(r[6]))
            for r in rows]  # fmt: skip


def set_level_price(ctx: ServiceContext, level_id: int, sku: str, price: int | None) -> list[int]:
    """Set the level's price of the variants with this SKU (any case); None removes it.
    Only live variants count (active, of a product not deleted), so a SKU reused after its
    product was archived is found; the same SKU on products of different shops is the same
    goods, so every one of them gets the price. Returns the variant ids. A price of 0 đ is
    refused (the goods given away: a typing slip); a price above the list price is allowed
    (the sale then charges the list price) — `level_price_warning` says so first."""
    _require_settings(ctx)
    sku = sku.strip()
    if price == 0:
        raise ValidationError(
            msg("A level price of 0 đ would give the goods away: type the price, or remove it."),
            field="price",
        )
    if price is not None and not 1 <= price <= MAX_MONEY:
        raise ValidationError(
            msg("The price must be between 1 and {limit} đ.", limit=MAX_MONEY), field="price"
        )
    with ctx.uow() as session:
        level = _level(session, level_id)
        conn = session.connection()
        found = [int(i) for i, _listed in _live_variants(conn, sku)]
        if not found:
            raise NotFound(msg("No product variant has the SKU {sku}.", sku=repr(sku)))
        key = sa.and_(prices.c.level_id == level_id, prices.c.variant_id.in_(found))
        conn.execute(prices.delete().where(key))
        if price is not None:
            conn.execute(prices.insert(), [
                {"level_id": level_id, "variant_id": vid, "price": price} for vid in found
            ])  # fmt: skip
        if price is None:
            summary = msg("{level} {sku}: removed", level=level.code, sku=sku)
        else:
            summary = msg("{level} {sku}: {price} đ", level=level.code, sku=sku, price=price)
        ctx.audit(session, "level.price", entity_type="customer_level", entity_id=level_id,
                  summary=summary, after={"variant_ids": found})  # fmt: skip
        return found


def _live_variants(conn: sa.Connection, sku: str) -> list[tuple[int, int]]:
    """(id, list price) of the live variants with this SKU, any case (active, of a product
    not archived); the list price is the shelf price, as `services.pricing` reads it."""
    v = variants.c
    rows = conn.execute(
        sa.select(v.id, sa.func.coalesce(v.discount_price, v.price))
        .join(products, products.c.id == v.product_id)
        .where(sa.func.lower(v.sku) == sku.strip().lower(), v.is_active.is_(True),
               products.c.status != ProductStatus.ARCHIVED)
        .order_by(v.id)
    ).all()  # fmt: skip
    return [(int(r[0]), int(r[1])) for r in rows]


def level_price_warning(ctx: ServiceContext, sku: str, price: int | None) -> Message | None:
    """What to tell before a level price is set: None when nothing is odd; a warning when
    it is above the SKU's list price (the lowest when the SKU is sold in several shops),
    as a sale never charges a member more than the list price, so it would not apply; or
    when it is under half of it (`FAR_BELOW`): most likely a slip ("25000" for 250,000),
    which members would be sold at."""
    ctx.require(Module.CUSTOMERS)
    if price is None:
        return None
    with ctx.uow() as session:
        listed = [int(p) for _i, p in _live_variants(session.connection(), sku)]
    if not listed:
        return None
    lowest = min(listed)
    if price > lowest:
        return msg(
            "{price} đ is above the list price of {sku} ({list_price} đ): members pay the "
            "list price while it is lower.",
            price=price, sku=sku.strip(), list_price=lowest,
        )  # fmt: skip
    if 0 < price * FAR_BELOW < lowest:
        return msg(
            "{price} đ is less than half the list price of {sku} ({list_price} đ): members "
            "would buy at this price. Is a digit missing?",
            price=price, sku=sku.strip(), list_price=lowest,
        )  # fmt: skip
    return None


def set_customers_level(
    ctx: ServiceContext, level_id: int | None, customer_ids: Iterable[int]
) -> int:
    """Put customers in a level by hand (None: in no level), e.g. the wholesale buyers in
    a level without a purchase threshold. They are pinned to it: the automatic upgrade
    leaves them alone until unpinned. Deleted and merged customers are skipped. Returns how
    many customers changed level."""
    ctx.require(Module.CUSTOMERS)
    ids = list(dict.fromkeys(customer_ids))
    c = customers.c
    with ctx.uow() as session:
        label = _level(session, level_id).code if level_id is not None else "—"
        conn = session.connection()
        moved = 0
        for chunk in chunks(ids):
            live = sa.and_(c.id.in_(chunk), c.deleted_at.is_(None), c.merged_into_id.is_(None))
            other = c.level_id.is_distinct_from(level_id)
            moved += int(conn.execute(sa.select(sa.func.count()).where(live, other)).scalar_one())
            conn.execute(customers.update().where(live, sa.or_(other, sa.not_(c.level_pinned)))
                         .values(level_id=level_id, level_pinned=True))  # fmt: skip
        ctx.audit(session, "level.assign", entity_type="customer_level", entity_id=level_id,
                  summary=msg("{level}: {moved} of {count} customers given this level by hand",
                              level=label, moved=moved, count=len(ids)),
                  after={"asked": len(ids), "moved": moved, "sample": ids[:20]})  # fmt: skip
        return moved


#: SKUs offered under the level price's SKU field at most (`search_skus`).
SKU_OFFERS = 8


@dataclass(frozen=True)
class SkuOffer:
    """A SKU a level price can be set for, as the field offers it."""

    sku: str
    #: "Áo sơ mi linen nữ — Đen / M": the product and its options.
    name: str
    list_price: int


def search_skus(ctx: ServiceContext, text: str, limit: int = SKU_OFFERS) -> list[SkuOffer]:
    """The SKUs a level price can be set for (of live variants, as `set_level_price` reads
    them) that `text` names: those starting with it first ("asml" offers ASML0001-DEN-M…),
    then those whose product name, SKU, barcode or options hold every word of it, accents
    and case aside; a SKU several shops list is offered once."""
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        # A few more variants than offered: a SKU sold on several shops comes once each.
        hits = lookup_text(conn, text, 4 * limit, scope=receivable())
    offers: dict[str, SkuOffer] = {}
    for hit in hits:
        name = f"{hit.product_name} — {hit.variant_name}" if hit.variant_name else hit.product_name
        offers.setdefault(hit.sku.lower(), SkuOffer(hit.sku, name, hit.price))
    return list(offers.values())[:limit]
