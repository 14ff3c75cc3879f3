"""The summary columns of `products`: what the Products list sorts and filters on.

A product row carries the figures of its active variants — variant count, price and
discount-price range, on-hand and available stock (a SKU group's stock counted once),
whether any variant is low on stock or has no weight — the shops it is actively listed on
(`listed_shops`, ",1,3,"; a marketplace listing not linked to its item yet adds "u3,", so
",1,3,u3," reads "on shops 1 and 3, not linked on 3") and its folded name (`name_key`, the
name sort), so the list
pages and counts keys on indexed columns of `products` alone. Every writer that changes
a product's name, variants, stock, low-stock levels or listings calls a `refresh_*`
function in its own transaction.

The low-stock level of a variant is its own, else its SKU group's, else the highest
default of the shops its product is listed on (Settings → Low stock); a variant with no
level is never low. Low = available (on hand − reserved) <= level.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.core.text import fold
from primedist.domain.enums import MARKETPLACE_CHANNELS
from primedist.domain.product import UNLINKED_MARK

#: The shop parameter holding a shop's default low-stock level (JSON integer).
LOW_STOCK_KEY = "low_stock_level"
#: Ids per IN (...) list: well under SQLite's bound-parameter limit.
CHUNK = 900

_md = sa.MetaData()
products = sa.Table(
    "products", _md, sa.Column("id", sa.Integer, primary_key=True),
    *(sa.Column(c, sa.BigInteger) for c in (
        "variant_count", "price_min", "price_max", "discount_min", "discount_max",
        "stock_total", "available_total")),
    sa.Column("low_stock", sa.Boolean), sa.Column("listed_shops", sa.Text),
    sa.Column("name", sa.Text), sa.Column("name_key", sa.Text),
    sa.Column("weight_missing", sa.Boolean),
)  # fmt: skip
variants = sa.Table(
    "variants", _md, sa.Column("id", sa.Integer, primary_key=True),
    *(sa.Column(c, sa.BigInteger) for c in (
        "product_id", "price", "discount_price", "stock", "reserved", "low_stock_level",
        "sku_group_id", "weight_g")),
    sa.Column("is_active", sa.Boolean),
)  # fmt: skip
groups = sa.Table(
    "sku_groups", _md, sa.Column("id", sa.Integer, primary_key=True),
    *(sa.Column(c, sa.BigInteger) for c in ("stock", "reserved", "low_stock_level")),
)  # fmt: skip
listings = sa.Table(
    "product_listings", _md, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("product_id", sa.Integer), sa.Column("shop_id", sa.Integer),
    sa.Column("is_active", sa.Boolean), sa.Column("external_id", sa.String),
)  # fmt: skip
shops = sa.Table(
    "shops", _md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("channel", sa.String)
)

shop_parameters = sa.Table(
    "shop_parameters", _md, sa.Column("shop_id", sa.Integer), sa.Column("key", sa.String),
    sa.Column("value_json", sa.Text), sa.Column("updated_at", sa.DateTime),
)  # fmt: skip

#: The default low-stock level a shop gets when it is made (the setup's counter shop, a
#: marketplace shop added, connected or made by an import): without one nothing is ever
#: low, and Home's Low on stock stayed 0 beside products sold out. Shops made before keep
#: what they had (Settings → Low stock changes either).
NEW_SHOP_LOW_STOCK_LEVEL = 5


def give_new_shop_low_stock_level(conn: sa.Connection, shop_id: int, now: datetime) -> None:
    """Write NEW_SHOP_LOW_STOCK_LEVEL as the default of a shop just made (it has no
    listings yet: no summary to refresh)."""
    conn.execute(shop_parameters.insert().values(
        shop_id=shop_id, key=LOW_STOCK_KEY, value_json=str(NEW_SHOP_LOW_STOCK_LEVEL),
        updated_at=now))  # fmt: skip


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def shop_default_level(product_id: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """Correlated to the outer `product_id`: the highest low-stock default of the shops the
    product is listed on (NULL when none has one)."""
    sp, pl = shop_parameters.c, listings.c
    return (
        sa.select(sa.func.max(sa.cast(sp.value_json, sa.Integer)))
        .select_from(listings.join(shop_parameters, sp.shop_id == pl.shop_id))
        .where(pl.product_id == product_id, pl.is_active.is_(True),
               sp.key == LOW_STOCK_KEY)
        .scalar_subquery()
    )  # fmt: skip


@dataclass
class _Summary:
    variant_count: int = 0
    prices: list[int] = field(default_factory=list)
    discounts: list[int] = field(default_factory=list)
    holders: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)
    low: bool = False
    unweighed: bool = False
    shops: list[int] = field(default_factory=list)
    #: Marketplace shops where its listing has no item id yet.
    unlinked: list[int] = field(default_factory=list)
    name: str = ""

    def row(self, product_id: int) -> dict[str, Any]:
        return {
            "b_id": product_id,
            "variant_count": self.variant_count,
            "price_min": min(self.prices, default=0),
            "price_max": max(self.prices, default=0),
            "discount_min": min(self.discounts, default=None),
            "discount_max": max(self.discounts, default=None),
            "stock_total": sum(s for s, _ in self.holders.values()),
            "available_total": sum(s - r for s, r in self.holders.values()),
            "low_stock": self.low,
            "listed_shops": listed_shops_key(self.shops, self.unlinked),
            "name_key": fold(self.name),
            "weight_missing": self.unweighed,
        }


def listed_shops_key(shop_ids: Iterable[int], unlinked: Iterable[int] = ()) -> str:
    """`products.listed_shops` for these shops, `unlinked` the marketplace ones without an
    item id: ",1,3,u3," ("" for none). A shop test LIKE '%,3,%' never meets a "u3," token."""
    ids = sorted(set(shop_ids))
    if not ids:
        return ""
    marks = "".join(f"{UNLINKED_MARK}{sid}," for sid in sorted(set(unlinked)))
    return f",{','.join(map(str, ids))},{marks}"


def _listing_rows(conn: sa.Connection, where: sa.ColumnElement[bool] | None) -> sa.Result[Any]:
    """(product id, shop id, unlinked) of the active listings."""
    pl, sh = listings.c, shops.c
    unlinked = sa.and_(sh.channel.in_(MARKETPLACE_CHANNELS), pl.external_id.is_(None))
    stmt = (
        sa.select(pl.product_id, pl.shop_id, sa.case((unlinked, True), else_=False))
        .select_from(listings.join(shops, sh.id == pl.shop_id))
        .where(pl.is_active.is_(True))
    )
    return conn.execute(stmt if where is None else stmt.where(where))


def _variant_rows(
    conn: sa.Connection, where: sa.ColumnElement[bool] | None, weights: bool
) -> sa.Result[Any]:
    v, g = variants.c, groups.c
    grams = v.weight_g if weights else sa.literal(0)
    level = sa.func.coalesce(v.low_stock_level, g.low_stock_level, shop_default_level(v.product_id))
    stmt = (
        sa.select(v.product_id, v.id, v.price, v.discount_price, v.sku_group_id,
                  sa.func.coalesce(g.stock, v.stock), sa.func.coalesce(g.reserved, v.reserved),
                  level, grams)
        .select_from(variants.outerjoin(groups, g.id == v.sku_group_id))
        .where(v.is_active.is_(True))
    )  # fmt: skip
    if where is not None:
        stmt = stmt.where(where)
    return conn.execute(stmt)


def _summarise(rows: Iterable[Any], summaries: dict[int, _Summary]) -> None:
    for product_id, vid, price, discount, gid, stock, reserved, level, grams in rows:
        s = summaries.setdefault(product_id, _Summary())
        s.variant_count += 1
        s.prices.append(price)
        if discount is not None:
            s.discounts.append(discount)
        s.holders[("g", gid) if gid is not None else ("v", vid)] = (stock, reserved)
        if level is not None and stock - reserved <= level:
            s.low = True
        if grams is None:
            s.unweighed = True


def _add_shops(rows: Iterable[Any], summaries: dict[int, _Summary]) -> None:
    for product_id, shop_id, unlinked in rows:
        summary = summaries.setdefault(product_id, _Summary())
        summary.shops.append(shop_id)
        if unlinked:
            summary.unlinked.append(shop_id)


def _add_names(rows: Iterable[Any], summaries: dict[int, _Summary]) -> None:
    for product_id, name in rows:
        summaries.setdefault(product_id, _Summary()).name = name or ""


def _write(
    conn: sa.Connection, summaries: dict[int, _Summary], product_ids: Iterable[int],
    weights: bool,
) -> int:  # fmt: skip
    rows = [summaries.get(pid, _Summary()).row(pid) for pid in product_ids]
    if not weights:
        for row in rows:
            del row["weight_missing"]
    if rows:
        values: dict[str, Any] = {k: sa.bindparam(k) for k in rows[0] if k != "b_id"}
        stmt = sa.update(products).where(products.c.id == sa.bindparam("b_id")).values(values)
        conn.execute(stmt, rows)
    return len(rows)


def refresh_product_summaries(
    conn: sa.Connection, product_ids: Iterable[int] | None = None, *, weights: bool = True
) -> int:
    """Recompute the summary columns of these products (all of them when None), in the
    caller's transaction. Returns how many products were written. `weights=False` for a
    store older than migration 0018 (no weight columns yet): `weight_missing` is left out."""
    summaries: dict[int, _Summary] = {}
    if product_ids is None:
        _summarise(_variant_rows(conn, None, weights), summaries)
        _add_shops(_listing_rows(conn, None), summaries)
        names = list(conn.execute(sa.select(products.c.id, products.c.name)))
        _add_names(names, summaries)
        ids: list[int] = [pid for pid, _name in names]
    else:
        ids = sorted(set(product_ids))
        for chunk in chunks(ids):
            _summarise(_variant_rows(conn, variants.c.product_id.in_(chunk), weights), summaries)
            _add_shops(_listing_rows(conn, listings.c.product_id.in_(chunk)), summaries)
            stmt = sa.select(products.c.id, products.c.name).where(products.c.id.in_(chunk))
            _add_names(conn.execute(stmt), summaries)
    return _write(conn, summaries, ids, weights)


def products_of(
    conn: sa.Connection, variant_ids: Iterable[int] = (), group_ids: Iterable[int] = ()
) -> set[int]:
    """The products whose summary a stock change of these variants or groups touches:
    the variants' own products and those of every variant sharing their groups."""
    v = variants.c
    vids, gids = sorted(set(variant_ids)), set(group_ids)
    found: set[int] = set()
    for chunk in chunks(vids):
        for pid, gid in conn.execute(
            sa.select(v.product_id, v.sku_group_id).where(v.id.in_(chunk))
        ):
            found.add(pid)
            if gid is not None:
                gids.add(gid)
    for chunk in chunks(sorted(gids)):
        found.update(
            conn.execute(sa.select(v.product_id).where(v.sku_group_id.in_(chunk))).scalars()
        )
    return found


def refresh_for_stock(
    conn: sa.Connection, variant_ids: Iterable[int] = (), group_ids: Iterable[int] = ()
) -> int:
    """Refresh the products a stock change of these variants or groups touches."""
    return refresh_product_summaries(conn, products_of(conn, variant_ids, group_ids))
