"""The Products list: one QuerySpec over `products`, its filter chips and folded search.

Keys are paged and counted on `products` alone: every filter and sort reads the summary
columns that `db.product_summary` keeps on the product row (price and discount-price
ranges, stock, low stock, the shops it is listed on). Each sort has a covering index,
(sort column, id, every filter column) — `ix_products_created_at_id`,
`ix_products_name_key_id`, `ix_products_price_min_id`, `ix_products_available_total_id` — so
a page walks its sort's index and a count scans one index, whatever the chips, and neither
reads the wide product rows (descriptions). The shown SKUs, shops and thumbnail are
correlated subqueries evaluated only for the rows of the visible page. Archived products
(deleted ones that have orders) are never listed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from primedist.domain.base import table_of
from primedist.domain.enums import MARKETPLACE_CHANNELS, Channel, ProductStatus
from primedist.domain.product import (
    LIST_FILTER_COLUMNS,
    UNLINKED_MARK,
    Product,
    ProductImage,
    ProductListing,
    Variant,
)
from primedist.domain.shop import Shop
from primedist.queries.search import search_filter
from primedist.queries.spec import Column, QuerySpec, QueryState
from primedist.queries.stock import product_on_order

products = table_of(Product)
variants = table_of(Variant)
images = table_of(ProductImage)
listings = table_of(ProductListing)
shops = table_of(Shop)

#: Product statuses the list shows (archived = deleted but kept for its orders).
LISTED_STATUSES = (ProductStatus.ACTIVE, ProductStatus.HIDDEN)
#: The status chip's choices, OR-ed together.
STATUS_CHOICES = (
    "active", "hidden", "out_of_stock", "low_stock", "no_weight", "not_linked", "no_cost",
)  # fmt: skip
#: How the SKUs and shops of a row are joined for display.
SEPARATOR = ", "


class joined_text(FunctionElement[str]):  # noqa: N801  (reads as the SQL function it is)
    """`joined_text(value, separator, order)`: the values of a group joined into one text —
    `group_concat` on SQLite (in the order the rows are read: the index order of the
    correlated lookup), `string_agg(... ORDER BY order)` on PostgreSQL."""

    type = sa.Text()
    inherit_cache = True
    name = "joined_text"


@compiles(joined_text)
def _joined_text_default(element: joined_text, compiler: SQLCompiler, **kw: Any) -> str:
    value, separator, _order = list(element.clauses)
    return f"group_concat({compiler.process(value, **kw)}, {compiler.process(separator, **kw)})"


@compiles(joined_text, "postgresql")
def _joined_text_pg(element: joined_text, compiler: SQLCompiler, **kw: Any) -> str:
    value, separator, order = list(element.clauses)
    return (
        f"string_agg({compiler.process(value, **kw)}, {compiler.process(separator, **kw)}"
        f" ORDER BY {compiler.process(order, **kw)})"
    )


def _joined(value: ColumnElement[Any], order: ColumnElement[Any]) -> ColumnElement[str]:
    return joined_text(value, sa.literal(SEPARATOR, sa.Text), order)


p, v, img, pl, sh = products.c, variants.c, images.c, listings.c, shops.c

#: The first image's thumbnail (its full image when it has no thumbnail yet).
THUMBNAIL = (
    sa.select(sa.func.coalesce(img.thumb_path, img.path))
    .where(img.product_id == p.id)
    .order_by(img.position, img.id)
    .limit(1)
    .scalar_subquery()
)
#: The SKUs of the active variants, "SKU-1, SKU-2".
SKUS = (
    sa.select(_joined(v.sku, v.id))
    .where(v.product_id == p.id, v.is_active.is_(True))
    .scalar_subquery()
)
_listed = sa.and_(pl.product_id == p.id, pl.is_active.is_(True))
#: Names of the shops the product is listed on.
SHOP_NAMES = (
    sa.select(_joined(sh.name, sh.name))
    .select_from(listings.join(shops, sh.id == pl.shop_id))
    .where(_listed)
    .scalar_subquery()
)
#: Their channels, in the same order (for the channel icons).
SHOP_CHANNELS = (
    sa.select(_joined(sh.channel, sh.name))
    .select_from(listings.join(shops, sh.id == pl.shop_id))
    .where(_listed)
    .scalar_subquery()
)

#: Names of the marketplace shops where the product's listing has no item id yet (looked
#: up only for the products whose summary marks one: most rows skip the subquery).
UNLINKED_SHOP_NAMES = sa.case(
    (
        p.listed_shops.like(f"%{UNLINKED_MARK}%"),
        sa.select(_joined(sh.name, sh.name))
        .select_from(listings.join(shops, sh.id == pl.shop_id))
        .where(_listed, pl.external_id.is_(None), sh.channel.in_(MARKETPLACE_CHANNELS))
        .scalar_subquery(),
    ),
    else_=sa.null(),
)


def _search(text: str, dialect: str) -> ColumnElement[bool] | None:
    # `search_text` holds the folded name, SKUs, barcodes and option values (colours,
    # sizes) of the variants (products_fts on SQLite).
    return search_filter(products, text, dialect)


PRODUCTS_SPEC = QuerySpec(
    name="products",
    key=p.id,
    from_=products,
    key_from=products,
    columns=(
        Column("thumbnail", "Image", THUMBNAIL, kind="image", width=48),
        # Sorted by the folded name: "Áo" with A, "đ" with d, case ignored.
        Column("name", "Product name", p.name, sort=p.name_key, width=280),
        Column("skus", "SKU", SKUS, width=170),
        Column("shops", "Shop", SHOP_NAMES, width=190),
        # Shown as a range with price_max (29.000 ₫ - 49.000 ₫); sorts by the lowest.
        Column("price", "Price", p.price_min, kind="money", sort=p.price_min, width=170),
        Column("discount_price", "Discount price", p.discount_min, kind="money", width=170),
        # Available (on hand - reserved); the tooltip shows on hand and reserved.
        Column(
            "stock", "Stock", p.available_total, kind="int", sort=p.available_total, width=80
        ),  # fmt: skip
        # What open purchase orders still bring (not sortable: computed for the page only).
        Column("on_order", "On order", product_on_order(p.id), kind="int", width=80),
        Column("status", "Status", p.status, kind="enum", width=100),
        Column(
            "created", "Created", p.created_at, kind="datetime", sort=p.created_at, width=130
        ),  # fmt: skip
        # Loaded for the list's drawing (hidden columns there).
        Column("channels", "Channels", SHOP_CHANNELS),
        Column("price_max", "Highest price", p.price_max, kind="money"),
        Column("discount_max", "Highest discount price", p.discount_max, kind="money"),
        Column("on_hand", "On hand", p.stock_total, kind="int"),
        Column("variant_count", "Variants", p.variant_count, kind="int"),
        Column("low_stock", "Low stock", p.low_stock, kind="bool"),
        Column("unlinked", "Not linked on", UNLINKED_SHOP_NAMES),
    ),
    default_sort="created",
    default_descending=True,
    search=_search,
    # Every filter column: a range/IN filter never steers SQLite off the sort's index.
    hint_columns=frozenset({*LIST_FILTER_COLUMNS, "created_at"}),
)

#: The keys of PRODUCTS_SPEC's sortable columns.
SORT_KEYS = tuple(c.key for c in PRODUCTS_SPEC.columns if c.sort is not None)
#: Every summary column a filter reads (hinted in counts and in the scan spec).
_FILTER_COLUMNS = PRODUCTS_SPEC.hint_columns


def _count_hints(filtered: frozenset[str]) -> frozenset[str]:
    """Counts: status alone counts on the narrow (status, created_at, id) index; with any
    other column every filter is hinted, so the count is one scan of a covering sort index
    (never a filter's index plus a row lookup per product)."""
    return _FILTER_COLUMNS if filtered - {"status", "id"} else frozenset()


PRODUCTS_SPEC = dataclasses.replace(PRODUCTS_SPEC, count_hints=_count_hints)


@dataclass(frozen=True)
class ProductFilter:
    """The Products list's filter chips (all optional; empty = no restriction).

    Money is whole đồng, both ends included. A price range matches a product with SOME
    active variant priced in it (the summary's price range overlapping it, and its cheapest
    or dearest price inside it, else an EXISTS on `variants`); the discount range
    is the overlap of the product's discount prices with it (products without one never
    match it); the stock
    range is on available stock. `statuses` are OR-ed, and so are `shop_ids` (listed on
    any of them).
    """

    shop_ids: tuple[int, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    discount_min: int | None = None
    discount_max: int | None = None
    stock_min: int | None = None
    stock_max: int | None = None
    statuses: tuple[str, ...] = ()
    category: str | None = None

    def __post_init__(self) -> None:
        unknown = set(self.statuses) - set(STATUS_CHOICES)
        if unknown:
            raise ValueError(f"unknown product status filter: {', '.join(sorted(unknown))}")

    def is_empty(self) -> bool:
        return self == ProductFilter()


def _status_clause(statuses: tuple[str, ...]) -> ColumnElement[bool]:
    """Listed products, narrowed to any of the chosen statuses.

    Always an IN (never `=`), so paging keys hints it away from the status index: the
    list walks the sort's index whatever the status chip (sorting every active product
    by name would cost far more than skipping the few hidden ones).
    """
    plain = [s for s in STATUS_CHOICES[:2] if s in statuses]
    flags = [s for s in statuses if s not in plain]
    listed = p.status.in_(plain if plain and not flags else [s.value for s in LISTED_STATUSES])
    if not flags:
        return listed
    parts: list[ColumnElement[bool]] = [p.status.in_(plain)] if plain else []
    if "out_of_stock" in flags:
        parts.append(sa.and_(p.available_total <= 0, p.variant_count > 0))
    if "low_stock" in flags:
        parts.append(p.low_stock.is_(True))
    if "no_weight" in flags:  # some sellable variant has no weight (parcels estimated)
        parts.append(p.weight_missing.is_(True))
    if "not_linked" in flags:  # a marketplace listing without its item id (no stock pushes)
        parts.append(p.listed_shops.like(f"%{UNLINKED_MARK}%"))
    if "no_cost" in flags:  # some sellable variant costs 0: its sales count whole as profit
        parts.append(p.id.in_(no_cost_product_ids()))
    return sa.and_(listed, sa.or_(*parts))


def no_cost_product_ids() -> sa.Select[tuple[int]]:
    """Products with an active variant of cost 0. Uncorrelated: the database reads the
    variants once for the whole list (not a lookup per product walked)."""
    return sa.select(v.product_id).where(v.is_active.is_(True), v.cost == 0)


def product_filter_clauses(flt: ProductFilter) -> list[ColumnElement[bool]]:
    """WHERE clauses of a filter on `products` alone (archived products always excluded).

    The list pages keys with planner hints (PRODUCTS_SPEC.hint_columns), so these range
    and IN clauses never make SQLite sort every match. SQLite tests them in this order:
    the shop test (a LIKE on `listed_shops`) comes last, after the cheap comparisons.
    """
    out: list[ColumnElement[bool]] = [_status_clause(flt.statuses)]
    if flt.price_min is not None or flt.price_max is not None:
        out.append(p.variant_count > 0)
        if flt.price_min is not None:
            out.append(p.price_max >= flt.price_min)
        if flt.price_max is not None:
            out.append(p.price_min <= flt.price_max)
        # Overlapping ranges are not enough (29,000 and 99,000 overlap 40,000-60,000): some
        # active variant must be priced in it. The cheapest or dearest one is, when inside
        # (an open-ended range always: the overlap says so); only a product whose prices
        # straddle the whole range asks its variants (product_id index), so the filter
        # stays on the summary's covering index for nearly every product.
        low, high = flt.price_min, flt.price_max
        if low is not None and high is not None:
            in_range = sa.exists().where(v.product_id == p.id, v.is_active.is_(True),
                                         v.price >= low, v.price <= high)  # fmt: skip
            out.append(sa.or_(p.price_min >= low, p.price_max <= high, in_range))
    if flt.discount_min is not None:
        out.append(p.discount_max >= flt.discount_min)
    if flt.discount_max is not None:
        out.append(p.discount_min <= flt.discount_max)
    if flt.stock_min is not None:
        out.append(p.available_total >= flt.stock_min)
    if flt.stock_max is not None:
        out.append(p.available_total <= flt.stock_max)
    if flt.category:
        out.append(p.category == flt.category)
    if flt.shop_ids:
        out.append(shop_clause(flt.shop_ids))
    return out


def shop_clause(shop_ids: tuple[int, ...]) -> ColumnElement[bool]:
    """Products actively listed on any of these shops: `listed_shops` (",1,3,") holds
    ",<id>," — read from the sort index being walked, where a subquery on the listings
    would cost a lookup per product (about 3× the whole count at 50,000 products).

    A counter (offline) shop among them sells every product, listed or not (it has no
    listings to keep in step): then every product is. The shops test is uncorrelated, so
    the database reads it once, not per product."""
    ids = sorted({int(sid) for sid in shop_ids})
    counter = sa.exists().where(sh.id.in_(ids), sh.channel == Channel.OFFLINE.value)
    return sa.or_(counter, *(p.listed_shops.like(f"%,{sid},%") for sid in ids))


def list_state(
    flt: ProductFilter,
    *,
    search: str = "",
    sort_key: str | None = None,
    descending: bool | None = None,
) -> QueryState:
    """The list query for a filter and the search text (sort: a key of SORT_KEYS)."""
    return QueryState(
        search=search,
        filters=tuple(product_filter_clauses(flt)),
        sort_key=sort_key,
        descending=descending,
    )


def category_names(conn: sa.Connection) -> list[str]:
    """The categories in use (listed products), by name: the category filter's choices."""
    stmt = (
        sa.select(p.category)
        .where(p.category.is_not(None), p.status.in_([s.value for s in LISTED_STATUSES]))
        .group_by(p.category)
        .order_by(p.category)
    )
    return [str(c) for c in conn.execute(stmt).scalars() if c]


def with_columns(columns: tuple[Column, ...], name: str = "products_export") -> QuerySpec:
    """PRODUCTS_SPEC with other columns (same table, filters, search and sorts)."""
    return dataclasses.replace(PRODUCTS_SPEC, name=name, columns=columns)
