"""Change the prices of many products at once (*đổi giá hàng loạt*): before a sale, after a
supplier raised its prices, to round every price to the thousand.

A rule says which price (the selling price, the discount price or the cost), how it
changes (set to an amount, up or down by a percentage or an amount; for the discount
price also a percentage off the selling price, or removed) and what it is rounded to. The
products' active variants each get the rule applied to their own price; a cost change
takes in the other members of their SKU groups (one stock, one cost: the rule applied to
the group's cost, every member given the result). `preview_prices` shows every
variant's old and new price and what is wrong with it; `change_prices` writes them — all
or nothing, in one transaction: the variants, the products' price ranges (the
Products list), an audit row, and a price push to every marketplace listing of a product
whose selling or discount price changed (through the outbox, coalesced with a push already
waiting). A variant whose new price breaks a rule (below 0, a discount price above the
selling price) stops the whole change, named by its SKU.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from primedist.core.messages import Message, msg
from primedist.core.text import fold
from primedist.db.product_summary import chunks, refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.enums import Module, ProductStatus
from primedist.domain.product import Product, ProductListing, Variant
from primedist.errors import NotFound, ValidationError
from primedist.services.catalogue import queue_listing_upserts
from primedist.services.context import ServiceContext
from primedist.services.stock import shared_cost

variants_t = table_of(Variant)
products_t = table_of(Product)
listings_t = table_of(ProductListing)

#: The most a price may become (a hundred billion đồng: beyond any shop's goods, short of
#: a typo's zeros).
MAX_PRICE = 100_000_000_000
#: The largest percentage a price may go up by (×11) or, for a discount, off by.
MAX_PERCENT = Decimal(1000)
#: Variants one change may touch.
MAX_VARIANTS = 50_000
#: Changes kept in the audit row (the rest are counted).
AUDIT_CHANGES = 200


class PriceField(StrEnum):
    PRICE = "price"
    DISCOUNT = "discount_price"
    COST = "cost"


class PriceMode(StrEnum):
    #: Every variant's price becomes `value`.
    SET = "set"
    #: Up (`value` > 0) or down by `value` percent.
    PERCENT = "percent"
    #: Up (`value` > 0) or down by `value` (money).
    AMOUNT = "amount"
    #: Discount price only: `value` percent off the variant's selling price.
    PERCENT_OFF = "percent_off"
    #: Discount price only: no discount price any more.
    REMOVE = "remove"


@dataclass(frozen=True)
class PriceRule:
    field: PriceField
    mode: PriceMode
    #: Money for SET and AMOUNT, a percentage for PERCENT and PERCENT_OFF (e.g. 12.5).
    value: Decimal = Decimal(0)
    #: Round each new price to the nearest multiple of this (1 = to the đồng).
    round_to: int = 1


@dataclass(frozen=True)
class PriceChangeRow:
    variant_id: int
    product_id: int
    sku: str
    name: str
    old: int | None
    new: int | None
    #: Why this variant cannot take the new price ('' when it can).
    problem: str = ""

    @property
    def changed(self) -> bool:
        return self.old != self.new


@dataclass(frozen=True)
class PriceChangeReport:
    """What a change did: variants changed and left as they were, products touched,
    marketplace price pushes queued."""

    changed: int
    unchanged: int
    products: int
    pushes: int


def check_rule(rule: PriceRule) -> None:
    """Refuse a rule that makes no sense, naming the field of the form at fault."""
    if rule.mode in (PriceMode.PERCENT_OFF, PriceMode.REMOVE) and rule.field != PriceField.DISCOUNT:
        raise ValidationError(msg("Only the discount price can be taken as a percentage off "
                                  "the selling price, or removed."), field="mode")  # fmt: skip
    if rule.round_to < 1 or rule.round_to > 1_000_000:
        raise ValidationError(msg("Round to 1 to 1,000,000."), field="round_to")
    value = rule.value
    if rule.mode == PriceMode.SET and not 0 <= value <= MAX_PRICE:
        raise ValidationError(msg("The new price must be 0 to {most}.", most=MAX_PRICE),
                              field="value")  # fmt: skip
    if rule.mode == PriceMode.AMOUNT and not value:
        raise ValidationError(msg("Give the amount to add (or, below 0, to take off)."),
                              field="value")  # fmt: skip
    if rule.mode == PriceMode.AMOUNT and abs(value) > MAX_PRICE:
        raise ValidationError(msg("The amount to add or take off must be at most {most}.",
                                  most=MAX_PRICE), field="value")  # fmt: skip
    if rule.mode == PriceMode.PERCENT and not (value and -100 <= value <= MAX_PERCENT):
        raise ValidationError(msg("The percentage must be -100 to {most}, and not 0.",
                                  most=int(MAX_PERCENT)), field="value")  # fmt: skip
    if rule.mode == PriceMode.PERCENT_OFF and not 0 < value < 100:
        raise ValidationError(msg("The percentage off must be above 0 and below 100."),
                              field="value")  # fmt: skip


def new_price(rule: PriceRule, price: int, discount: int | None, cost: int) -> int | None:
    """What the rule makes of one variant's `rule.field` (None: no discount price). A
    percentage or amount change of a missing discount price leaves it missing."""
    current = {PriceField.PRICE: price, PriceField.DISCOUNT: discount, PriceField.COST: cost}
    old = current[rule.field]
    if rule.mode == PriceMode.REMOVE:
        return None
    if rule.mode == PriceMode.SET:
        exact = Decimal(rule.value)
    elif rule.mode == PriceMode.PERCENT_OFF:
        exact = Decimal(price) * (100 - rule.value) / 100
    elif old is None:
        return None
    elif rule.mode == PriceMode.PERCENT:
        exact = Decimal(old) * (100 + rule.value) / 100
    else:
        exact = Decimal(old) + rule.value
    step = Decimal(rule.round_to)
    return int((exact / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def _problem(field: PriceField, price: int, discount: int | None, cost: int) -> Message | None:
    """What is wrong with a variant's prices after the change (None: nothing)."""
    for value in (price, discount, cost):
        if value is not None and value < 0:
            return msg("below 0")
        if value is not None and value > MAX_PRICE:
            return msg("above {most}", most=MAX_PRICE)
    if discount is not None and discount > price:
        if field == PriceField.PRICE:
            return msg("the new price {price} is below its discount price {discount}: change "
                       "or remove the discount price first", price=price,
                       discount=discount)  # fmt: skip
        return msg("the discount price {discount} would be above its price {price}",
                   discount=discount, price=price)  # fmt: skip
    return None


def _variant_rows(conn: sa.Connection, product_ids: Sequence[int], field: PriceField) -> list[Any]:
    """The active variants of these products; for the cost, with the other active members of
    their SKU groups (one cost per group: `stock.share_cost`), whatever their product."""
    v, p = variants_t.c, products_t.c
    stmt = (
        sa.select(v.id, v.product_id, v.sku, p.name, v.option1, v.option2, v.price,
                  v.discount_price, v.cost, v.sku_group_id)
        .join(products_t, p.id == v.product_id)
        .where(v.is_active.is_(True))
    )  # fmt: skip
    rows: list[Any] = []
    for chunk in chunks(sorted(set(product_ids))):
        rows += conn.execute(stmt.where(v.product_id.in_(chunk))).all()
    if field == PriceField.COST:
        have = {r.id for r in rows}
        for chunk in chunks(sorted({r.sku_group_id for r in rows if r.sku_group_id is not None})):
            rows += [r for r in conn.execute(stmt.where(v.sku_group_id.in_(chunk)))
                     if r.id not in have]  # fmt: skip
    rows.sort(key=lambda r: (fold(r.name), r.product_id, r.id))  # Áo before Mũ
    if len(rows) > MAX_VARIANTS:
        raise ValidationError(msg("{count} variants are chosen: change the prices of at most "
                                  "{most} at a time.", count=len(rows),
                                  most=MAX_VARIANTS))  # fmt: skip
    return rows


def _group_costs(conn: sa.Connection, group_ids: Iterable[int]) -> dict[int, int]:
    """SKU group id -> its one cost (`stock.shared_cost` of every member's)."""
    v = variants_t.c
    costs: dict[int, list[int]] = {}
    for chunk in chunks(sorted(set(group_ids))):
        for gid, cost in conn.execute(sa.select(v.sku_group_id, v.cost)
                                      .where(v.sku_group_id.in_(chunk))):  # fmt: skip
            costs.setdefault(int(gid), []).append(int(cost))
    return {gid: shared_cost(found) for gid, found in costs.items()}


def planned(conn: sa.Connection, product_ids: Sequence[int],
             rule: PriceRule) -> list[PriceChangeRow]:  # fmt: skip
    check_rule(rule)
    rows = _variant_rows(conn, product_ids, rule.field)
    # The cost of a SKU group's member is the group's: the rule changes that one cost.
    group_costs = (
        _group_costs(conn, (r.sku_group_id for r in rows if r.sku_group_id is not None))
        if rule.field == PriceField.COST
        else {}
    )
    out = []
    for r in rows:
        price, cost = int(r.price), int(r.cost)
        discount = None if r.discount_price is None else int(r.discount_price)
        old = {PriceField.PRICE: price, PriceField.DISCOUNT: discount,
               PriceField.COST: cost}[rule.field]  # fmt: skip
        new = new_price(rule, price, discount, group_costs.get(r.sku_group_id, cost))
        if rule.field == PriceField.PRICE:
            price = new if new is not None else price
        elif rule.field == PriceField.DISCOUNT:
            discount = new
        else:
            cost = new if new is not None else cost
        problem = _problem(rule.field, price, discount, cost)
        out.append(PriceChangeRow(int(r.id), int(r.product_id), r.sku, _variant_name(r),
                                  old, new, problem or ""))  # fmt: skip
    return out


def products_for(ctx: ServiceContext, *, skus: Sequence[str] = (),
                 every: bool = False) -> list[int]:  # fmt: skip
    """The products to change: every one with an active variant of these SKUs (any case, as
    goods receipts find them; a SKU may be on products of different shops), or every
    product not deleted; a SKU no product has is refused, named."""
    ctx.require(Module.PRODUCTS)
    p, v = products_t.c, variants_t.c
    standing = p.status != ProductStatus.ARCHIVED
    with ctx.engine.connect() as conn:
        if every:
            return list(conn.execute(sa.select(p.id).where(standing).order_by(p.id)).scalars())
        wanted = list(dict.fromkeys(s.strip() for s in skus if s.strip()))
        keys = sorted({s.lower() for s in wanted})
        found: dict[str, set[int]] = {}  # lower-case SKU -> every product carrying it
        for chunk in chunks(keys):
            for key, pid in conn.execute(
                sa.select(sa.func.lower(v.sku), v.product_id)
                .join(products_t, p.id == v.product_id)
                .where(sa.func.lower(v.sku).in_(chunk), v.is_active.is_(True), standing)
            ):  # fmt: skip
                found.setdefault(key, set()).add(int(pid))
    missing = [s for s in wanted if s.lower() not in found]
    if missing:
        raise NotFound(msg("No product has the SKU {skus}.", skus=missing))
    return sorted(set().union(*found.values()))


@dataclass(frozen=True)
class PriceNow:
    """A variant with one of its prices as it is (None: no discount price)."""

    variant_id: int
    product_id: int
    sku: str
    name: str
    price: int | None


@dataclass(frozen=True)
class PricesNow:
    """The first variants a change would touch, and how many it would touch in all."""

    rows: list[PriceNow]
    total: int


def current_prices(ctx: ServiceContext, product_ids: Sequence[int], field: PriceField,
                   limit: int) -> PricesNow:  # fmt: skip
    """The variants a change of `field` of these products touches (as `preview_prices`
    lists them, by product name) with that price now, before any rule is typed: the first
    `limit` and how many in all. Paged in SQL: a filtered list of thousands of products is
    not read whole to show its first rows."""
    ctx.require(Module.PRODUCTS)
    v, p = variants_t.c, products_t.c
    member = variants_t.alias("member")
    column = v[str(field)]
    key = sa.func.coalesce(p.name_key, "")
    stmt = (
        sa.select(v.id, v.product_id, v.sku, p.name, v.option1, v.option2, column, key)
        .join(products_t, p.id == v.product_id)
        .where(v.is_active.is_(True))
        .order_by(key, v.product_id, v.id)
        .limit(limit)
    )  # fmt: skip

    def chosen(chunk: Sequence[int]) -> sa.ColumnElement[bool]:
        mine = v.product_id.in_(chunk)
        if field != PriceField.COST:
            return mine
        # A cost change reaches the other members of their SKU groups (`_variant_rows`).
        groups = sa.select(member.c.sku_group_id).where(
            member.c.product_id.in_(chunk), member.c.is_active.is_(True),
            member.c.sku_group_id.is_not(None))  # fmt: skip
        return sa.or_(mine, v.sku_group_id.in_(groups))

    found: dict[int, Any] = {}
    ids: set[int] = set()
    total = 0
    with ctx.engine.connect() as conn:
        for chunk in chunks(sorted(set(product_ids))):
            for r in conn.execute(stmt.where(chosen(chunk))):
                found[int(r.id)] = r
            counted = sa.select(v.id).where(v.is_active.is_(True), chosen(chunk))
            if field == PriceField.COST:  # a group member may be reached from two chunks
                ids.update(conn.execute(counted).scalars())
            else:
                total += conn.execute(
                    sa.select(sa.func.count()).select_from(counted.subquery())
                ).scalar_one()
    first = sorted(found.values(), key=lambda r: (r[7], r.product_id, r.id))[:limit]
    rows = [PriceNow(int(r.id), int(r.product_id), r.sku, _variant_name(r),
                     None if r[6] is None else int(r[6])) for r in first]  # fmt: skip
    return PricesNow(rows, len(ids) if field == PriceField.COST else total)


def _variant_name(r: Any) -> str:
    """The name a variant is listed by: "Áo thun — Trắng / M" (without options, the
    product's alone)."""
    options = " / ".join(x for x in (r.option1, r.option2) if x)
    return f"{r.name} — {options}" if options else str(r.name)


def preview_prices(ctx: ServiceContext, product_ids: Sequence[int],
                   rule: PriceRule) -> list[PriceChangeRow]:  # fmt: skip
    """Every active variant of these products (for the cost, with the other members of
    their SKU groups) with its price now and after the rule, and what is wrong with the
    new one; by product name."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        return planned(conn, product_ids, rule)


def change_prices(ctx: ServiceContext, product_ids: Sequence[int],
                  rule: PriceRule) -> PriceChangeReport:  # fmt: skip
    """Apply the rule to these products' active variants in one transaction (see the
    module's text); refused, with nothing written, when any variant cannot take it. The
    rule is applied to the prices as they are now, not as previewed: "+10 %" of a price
    another PC changed since the preview is 10 % more than its new price."""
    ctx.require(Module.PRODUCTS)
    # The writer lock before the prices are read: another PC's change of them (a price
    # change, a product form) lands wholly before or after this one, never between the
    # read and the write, where this one would write over it from the old prices.
    with ctx.uow(write=True) as session:
        conn = session.connection()
        rows = planned(conn, product_ids, rule)
        bad = next((r for r in rows if r.problem), None)
        if bad is not None:
            raise ValidationError(msg("{sku}: {problem}. No price was changed.", sku=bad.sku,
                                      problem=bad.problem), field="value")  # fmt: skip
        changed = [r for r in rows if r.changed]
        products, pushes = write_prices(conn, rule.field, changed, ctx.clock.now())
        ctx.audit(session, "product.price_change", entity_type="product",
                  summary=msg("{rule}: {changed} of {count} variants", rule=describe_rule(rule),
                              changed=len(changed), count=len(rows)),
                  after={"rule": {"field": str(rule.field), "mode": str(rule.mode),
                                  "value": str(rule.value), "round_to": rule.round_to},
                         "changes": [[r.sku, r.old, r.new] for r in changed[:AUDIT_CHANGES]],
                         "more": max(0, len(changed) - AUDIT_CHANGES),
                         "listing_pushes": pushes})  # fmt: skip
    return PriceChangeReport(len(changed), len(rows) - len(changed), len(products), pushes)


def write_prices(
    conn: sa.Connection, field: PriceField, changed: Sequence[PriceChangeRow], now: datetime
) -> tuple[list[int], int]:
    """Store each row's `new` price in `field`: the variants, their products' update time
    and price ranges, a price push to their marketplace listings (not for the cost).
    Returns the products touched and the pushes queued."""
    if changed:
        column = variants_t.c[str(field)]
        conn.execute(
            sa.update(variants_t).where(variants_t.c.id == sa.bindparam("b_id"))
            .values({column: sa.bindparam("b_new"), variants_t.c.updated_at: now}),
            [{"b_id": r.variant_id, "b_new": r.new} for r in changed],
        )  # fmt: skip
    if changed and field == PriceField.COST:
        # A SKU group has one cost: its members `planned` left out (deactivated) get it too.
        v, member = variants_t.c, variants_t.alias("member")
        group_of = sa.select(member.c.sku_group_id).where(member.c.id == sa.bindparam("b_id"))
        conn.execute(
            sa.update(variants_t)
            .where(v.sku_group_id == group_of.scalar_subquery(), v.cost != sa.bindparam("b_new"))
            .values(cost=sa.bindparam("b_new"), updated_at=now),
            [{"b_id": r.variant_id, "b_new": r.new} for r in changed],
        )  # fmt: skip
    products = sorted({r.product_id for r in changed})
    for chunk in chunks(products):
        conn.execute(sa.update(products_t).where(products_t.c.id.in_(chunk))
                     .values(updated_at=now))  # fmt: skip
    pushes = 0
    if products and field != PriceField.COST:
        refresh_product_summaries(conn, products)
        pushes = queue_listing_upserts(conn, _listings_of(conn, products), now)
    return products, pushes


def _listings_of(conn: sa.Connection, product_ids: Sequence[int]) -> list[int]:
    c = listings_t.c
    found: list[int] = []
    for chunk in chunks(product_ids):
        found += conn.execute(
            sa.select(c.id).where(c.product_id.in_(chunk), c.is_active.is_(True))
        ).scalars()
    return found


#: The prices by name, in the audit row and messages.
FIELD_NAMES = {
    PriceField.PRICE: msg("selling price"),
    PriceField.DISCOUNT: msg("discount price"),
    PriceField.COST: msg("cost"),
}


def describe_rule(rule: PriceRule) -> Message:
    """The rule in a few plain words (for the audit row and the command line)."""
    percent = format(abs(rule.value).normalize(), "f")  # 10.0 → "10", 12.50 → "12.5"
    amount = int(abs(rule.value))
    up = rule.value > 0
    how = {
        PriceMode.SET: lambda: msg("set to {amount}", amount=amount),
        PriceMode.PERCENT: lambda: (msg("up {percent}%", percent=percent) if up
                                    else msg("down {percent}%", percent=percent)),
        PriceMode.AMOUNT: lambda: (msg("up {amount}", amount=amount) if up
                                   else msg("down {amount}", amount=amount)),
        PriceMode.PERCENT_OFF: lambda: msg("{percent}% off the selling price", percent=percent),
        PriceMode.REMOVE: lambda: msg("removed"),
    }[rule.mode]()  # fmt: skip
    if rule.round_to > 1:
        return msg("{field} {how}, rounded to {step}", field=FIELD_NAMES[rule.field], how=how,
                   step=rule.round_to)  # fmt: skip
    return msg("{field} {how}", field=FIELD_NAMES[rule.field], how=how)
