"""Stock read models: low-stock variants, products that sold nothing in a period, and what
open purchase orders still bring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.db.product_summary import shop_default_level
from primedist.domain.base import table_of
from primedist.domain.enums import OrderStatus, ProductStatus
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Product, SkuGroup, Variant
from primedist.domain.purchase_order import PurchaseOrder, PurchaseOrderLine
from primedist.queries.stocktake import options_text

variants = table_of(Variant)
groups = table_of(SkuGroup)
products = table_of(Product)
orders = table_of(Order)
order_lines = table_of(OrderLine)
purchase_orders = table_of(PurchaseOrder)
purchase_order_lines = table_of(PurchaseOrderLine)

#: Order statuses whose lines count as revenue.
REVENUE_STATUSES = (OrderStatus.COMPLETED, OrderStatus.SHIPPING)


def open_purchase_order() -> sa.ColumnElement[bool]:
    """A purchase order still awaiting goods: neither cancelled nor closed, and not every
    unit came (PurchaseOrderState ordered or partly received)."""
    o = purchase_orders.c
    return sa.and_(o.cancelled_at.is_(None), o.closed_at.is_(None), o.received_units < o.units)


def awaited_units() -> sa.ColumnElement[int]:
    """Σ of what purchase order lines still await (each line's ordered less received, never
    below zero); to be used with `open_purchase_order()` over the lines joined to their
    orders."""
    c = purchase_order_lines.c
    return sa.func.sum(sa.case((c.quantity > c.received, c.quantity - c.received), else_=0))


def product_on_order(product_id: sa.ColumnElement[int]) -> sa.ScalarSelect[int]:
    """Units that open purchase orders still await of a product's stock (a correlated
    subquery): of its variants, and of the other members of their SKU groups wherever
    those are (a group's members fill the one stock, as `purchase_orders.on_order` counts
    them). Each order line counts once: by its variant's group when grouped, else by the
    variant itself."""
    c, ordered, own = purchase_order_lines.c, variants.alias("ordered"), variants.alias("own")
    # The product's SKU groups, and its variants in none (correlated to the product's
    # row two levels up: SQLAlchemy would otherwise add the products table here).
    its_groups = (
        sa.select(own.c.sku_group_id)
        .where(own.c.product_id == product_id, own.c.sku_group_id.is_not(None))
        .correlate_except(own)
    )
    its_own = (
        sa.select(own.c.id)
        .where(own.c.product_id == product_id, own.c.sku_group_id.is_(None))
        .correlate_except(own)
    )
    return (
        sa.select(sa.func.coalesce(awaited_units(), 0))
        .select_from(
            purchase_order_lines.join(ordered, ordered.c.id == c.variant_id).join(
                purchase_orders, purchase_orders.c.id == c.order_id
            )
        )
        .where(
            sa.or_(ordered.c.sku_group_id.in_(its_groups), ordered.c.id.in_(its_own)),
            open_purchase_order(),
        )
        .scalar_subquery()
    )


@dataclass(frozen=True)
class LowStockRow:
    variant_id: int
    product_id: int
    product_name: str
    sku: str
    sku_group_id: int | None
    on_hand: int
    reserved: int
    available: int
    level: int


def _stock_and_level() -> tuple[sa.ColumnElement[int], sa.ColumnElement[int],
                                  sa.ColumnElement[int]]:  # fmt: skip
    """(on hand, reserved, low-stock level) of a variant over `variants` outer-joined to its
    SKU group: the group's stock when grouped; the level is the variant's, else the
    group's, else the highest default of the shops the product is listed on."""
    v, g = variants.c, groups.c
    on_hand = sa.func.coalesce(g.stock, v.stock)
    reserved = sa.func.coalesce(g.reserved, v.reserved)
    level = sa.func.coalesce(v.low_stock_level, g.low_stock_level, shop_default_level(v.product_id))
    return on_hand, reserved, level


def low_stock_variants(conn: sa.Connection, limit: int | None = None) -> list[LowStockRow]:
    """Active variants of active products whose available stock (the group's when grouped)
    is at or below their low-stock level (the variant's, else the group's, else the highest
    default of the shops the product is listed on); the most short first. Variants with no
    level are never listed."""
    v, g, p = variants.c, groups.c, products.c
    on_hand, reserved, level = _stock_and_level()
    available = on_hand - reserved
    stmt = (
        sa.select(v.id, v.product_id, p.name, v.sku, v.sku_group_id, on_hand, reserved,
                  available, level)
        .select_from(variants.join(products, p.id == v.product_id)
                     .outerjoin(groups, g.id == v.sku_group_id))
        .where(v.is_active.is_(True), p.status == ProductStatus.ACTIVE, level.is_not(None),
               available <= level)
        .order_by(available - level, v.sku, v.id)
        .limit(limit)
    )  # fmt: skip
    return [LowStockRow(*row) for row in conn.execute(stmt)]


@dataclass(frozen=True)
class ShortVariant:
    """A variant of one product that is out of stock or low (`product_short_variants`)."""

    variant_id: int
    sku: str
    #: `Đỏ / M` ('' for a product without options).
    options: str
    available: int
    #: Its low-stock level (its own, its group's or the shops' default; None: none).
    level: int | None = None

    @property
    def name(self) -> str:
        """How a shop owner tells it from its siblings: its options, else its SKU."""
        return self.options or self.sku


def _short_select(where: sa.ColumnElement[bool]) -> sa.Select[Any]:
    """(product id, variant id, SKU, options, available, level) of the active variants
    matching `where` that are out of stock or at or below their low-stock level (the rule
    of the `low_stock` summary flag, plus 0 or less with no level): the fewest first."""
    v, g = variants.c, groups.c
    on_hand, reserved, level = _stock_and_level()
    available = on_hand - reserved
    return (
        sa.select(v.product_id, v.id, v.sku, v.option1, v.option2, available, level)
        .select_from(variants.outerjoin(groups, g.id == v.sku_group_id))
        .where(where, v.is_active.is_(True),
               sa.or_(available <= 0, sa.and_(level.is_not(None), available <= level)))
        .order_by(v.product_id, available, v.id)
    )  # fmt: skip


def _short(row: Any) -> ShortVariant:
    _pid, vid, sku, o1, o2, avail, level = row
    return ShortVariant(vid, sku, options_text(o1, o2), int(avail),
                        None if level is None else int(level))  # fmt: skip


def product_short_variants(conn: sa.Connection, product_id: int) -> list[ShortVariant]:
    """The active variants of one product (any status) whose available stock is at or
    below their low-stock level or at or below 0 — what makes the Products list colour its
    stock — the fewest available first. One indexed read of the product's variants: for
    the row a tooltip asks about, never for a page of rows."""
    return [_short(r) for r in conn.execute(_short_select(variants.c.product_id == product_id))]


def short_variants_of(
    conn: sa.Connection, product_ids: Sequence[int]
) -> dict[int, list[ShortVariant]]:
    """`product_short_variants` of a page of products at once: one query over their
    variants (the product_id index), {product id: its short variants}; products with none
    are left out."""
    found: dict[int, list[ShortVariant]] = {}
    ids = sorted(set(product_ids))
    if ids:
        for row in conn.execute(_short_select(variants.c.product_id.in_(ids))):
            found.setdefault(int(row[0]), []).append(_short(row))
    return found


@dataclass(frozen=True)
class VariantLevels:
    """What the low-stock rule needs of a product's variants beside the stock a form
    shows: {variant id: (reserved, level inherited: its group's, else the shops')}, and
    the shops' default (for a row not saved yet)."""

    inherited: dict[int, tuple[int, int | None]]
    shop_default: int | None


def variant_levels(conn: sa.Connection, product_id: int) -> VariantLevels:
    """The product's active variants' reserved units (the group's when grouped) and the
    low-stock level each takes when it has none of its own."""
    v, g, p = variants.c, groups.c, products.c
    inherited = sa.func.coalesce(g.low_stock_level, shop_default_level(v.product_id))
    rows = conn.execute(
        sa.select(v.id, sa.func.coalesce(g.reserved, v.reserved), inherited)
        .select_from(variants.outerjoin(groups, g.id == v.sku_group_id))
        .where(v.product_id == product_id, v.is_active.is_(True))
    ).all()
    default = conn.execute(sa.select(shop_default_level(p.id)).where(p.id == product_id)).scalar()
    return VariantLevels(
        {int(vid): (int(reserved or 0), None if level is None else int(level))
         for vid, reserved, level in rows},
        None if default is None else int(default),
    )  # fmt: skip


@dataclass(frozen=True)
class ProductRow:
    product_id: int
    name: str
    status: ProductStatus


def products_without_revenue(
    conn: sa.Connection, start: datetime, end: datetime
) -> list[ProductRow]:
    """Products (not archived) with no line on a shipping or completed order placed in
    [start, end), by name."""
    p, line, o = products.c, order_lines.c, orders.c
    sold = (
        sa.select(sa.literal(1))
        .select_from(order_lines.join(orders, o.id == line.order_id)
                     .join(variants, variants.c.id == line.variant_id))
        .where(variants.c.product_id == p.id, o.status.in_(REVENUE_STATUSES),
               o.created_at >= start, o.created_at < end)
    )  # fmt: skip
    stmt = (
        sa.select(p.id, p.name, p.status)
        .where(p.status != ProductStatus.ARCHIVED, ~sold.exists())
        .order_by(p.name, p.id)
    )
    return [ProductRow(*row) for row in conn.execute(stmt)]
