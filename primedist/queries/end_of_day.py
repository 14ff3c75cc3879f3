"""The SQL of the end-of-day report: one day's orders, refunds and products sold.

Every query reads one day (a UTC [start, end) range) through an index on the date:
`ix_orders_created_at_id` for orders, `ix_order_refunds_created_at` for refunds. The
shop filter is written `shop_id + 0 IN (...)` so SQLite never prefers an index on the
shop (which would walk every order of those shops) to the day's range.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.customer import CustomerPayment
from primedist.domain.enums import OrderStatus, PaymentMethod
from primedist.domain.order import Order, OrderLine, OrderRefund
from primedist.domain.shop import Shop
from primedist.domain.supplier import SupplierPayment, SupplierReturn
from primedist.queries.reports import NOT_COUNTED, kept_profit

orders_t = table_of(Order)
lines_t = table_of(OrderLine)
refunds_t = table_of(OrderRefund)
shops_t = table_of(Shop)
supplier_payments_t = table_of(SupplierPayment)
supplier_returns_t = table_of(SupplierReturn)
customer_payments_t = table_of(CustomerPayment)

#: A bound on the product rows (a day of the busiest demo shop, 1,000,000 orders over two
#: years, sells about 2,000 SKUs): the report lists them all.
MAX_PRODUCTS = 50_000

_DISCOUNTS = (
    "marketplace_discount",
    "voucher_discount",
    "seller_discount",
    "shop_promotion",
    "points_discount",
)


@dataclass(frozen=True)
class DayScope:
    """Which orders and refunds: a UTC range, optionally some shops and one staff member."""

    start: datetime
    end: datetime
    shop_ids: tuple[int, ...] = ()
    user_id: int | None = None

    def order_where(self) -> list[sa.ColumnElement[bool]]:
        c = orders_t.c
        where = [c.created_at >= self.start, c.created_at < self.end]
        if self.shop_ids:
            where.append((c.shop_id + 0).in_(self.shop_ids))
        if self.user_id is not None:
            where.append(c.created_by_id == self.user_id)
        return where


def sales_by_payment(conn: sa.Connection, scope: DayScope) -> list[sa.Row[Any]]:
    """Per payment method: orders, goods, discounts, shipping and totals of the day's
    orders; cancelled ones apart (`cancelled` 1) so that the report can show them."""
    c = orders_t.c
    cancelled = sa.case((c.status == OrderStatus.CANCELLED.value, 1), else_=0)
    discounts = sum((c[name] for name in _DISCOUNTS), sa.literal(0))
    stmt = (
        sa.select(
            c.payment_method,
            cancelled.label("cancelled"),
            sa.func.count().label("orders"),
            sa.func.coalesce(sa.func.sum(c.item_count), 0).label("items"),
            sa.func.coalesce(sa.func.sum(c.subtotal), 0).label("goods"),
            sa.func.coalesce(sa.func.sum(discounts), 0).label("discounts"),
            sa.func.coalesce(sa.func.sum(c.shipping_fee), 0).label("shipping"),
            sa.func.coalesce(sa.func.sum(c.total), 0).label("total"),
        )
        .where(*scope.order_where())
        .group_by(c.payment_method, cancelled)
    )
    return list(conn.execute(stmt))


def sales_by_shop(conn: sa.Connection, scope: DayScope) -> list[sa.Row[Any]]:
    """Per shop: the day's orders (not cancelled) and their totals, biggest first."""
    c, s = orders_t.c, shops_t.c
    stmt = (
        sa.select(
            s.id,
            s.name,
            s.channel,
            sa.func.count().label("orders"),
            sa.func.sum(c.total).label("total"),
        )
        .select_from(orders_t.join(shops_t, s.id == c.shop_id))
        .where(*scope.order_where(), c.status != OrderStatus.CANCELLED.value)
        .group_by(s.id, s.name, s.channel)
        .order_by(sa.desc("total"), s.name)
    )
    return list(conn.execute(stmt))


def refunds(conn: sa.Connection, scope: DayScope) -> list[sa.Row[Any]]:
    """Per payment method: refunds made during the day (returns in this app), their items
    and amount, whenever the order was placed. The method is the order's, or the one the
    refund went back by (an exchange settles with the new sale's method)."""
    r, c = refunds_t.c, orders_t.c
    method = sa.func.coalesce(r.method, c.payment_method)
    stmt = (
        sa.select(
            method.label("payment_method"),
            sa.func.count().label("refunds"),
            sa.func.count(r.exchange_order_id).label("exchanges"),
            sa.func.sum(r["items"]).label("items"),
            sa.func.sum(r.amount).label("amount"),
        )
        .select_from(refunds_t.join(orders_t, c.id == r.order_id))
        .where(r.created_at >= scope.start, r.created_at < scope.end)
        .group_by(method)
    )
    if scope.shop_ids:
        stmt = stmt.where(c.shop_id.in_(scope.shop_ids))
    if scope.user_id is not None:
        stmt = stmt.where(r.user_id == scope.user_id)
    return list(conn.execute(stmt))


def supplier_cash(conn: sa.Connection, scope: DayScope) -> int:
    """Cash paid to suppliers during the day (its standing payments) less the cash they
    gave back for goods returned (standing returns), by the staff member when the scope
    names one. Not per shop: the one drawer pays them, whichever shops' sales are
    counted."""
    p, b = supplier_payments_t.c, supplier_returns_t.c
    cash = PaymentMethod.CASH.value
    paid = sa.select(sa.func.coalesce(sa.func.sum(p.amount), 0)).where(
        p.paid_at >= scope.start, p.paid_at < scope.end, p.cancelled_at.is_(None),
        p.method == cash,
    )  # fmt: skip
    back = sa.select(sa.func.coalesce(sa.func.sum(b.refund), 0)).where(
        b.created_at >= scope.start, b.created_at < scope.end, b.method == cash,
        b.cancelled_at.is_(None),
    )  # fmt: skip
    if scope.user_id is not None:
        paid = paid.where(p.user_id == scope.user_id)
        back = back.where(b.user_id == scope.user_id)
    return int(conn.execute(paid).scalar_one()) - int(conn.execute(back).scalar_one())


def debts_collected(conn: sa.Connection, scope: DayScope) -> list[sa.Row[Any]]:
    """Per method: what customers paid during the day towards sales on account (standing
    payments; by the staff member when the scope names one). Not per shop, like supplier
    cash: the one drawer takes them."""
    p = customer_payments_t.c
    stmt = (
        sa.select(p.method.label("payment_method"), sa.func.count().label("payments"),
                  sa.func.sum(p.amount).label("amount"))
        .where(p.paid_at >= scope.start, p.paid_at < scope.end, p.cancelled_at.is_(None))
        .group_by(p.method)
    )  # fmt: skip
    if scope.user_id is not None:
        stmt = stmt.where(p.user_id == scope.user_id)
    return list(conn.execute(stmt))


def products_sold(
    conn: sa.Connection, scope: DayScope, limit: int = MAX_PRODUCTS
) -> list[sa.Row[Any]]:
    """Per SKU (and name): units and line totals of the day's orders that are not
    cancelled, most units first."""
    c, ln = orders_t.c, lines_t.c
    day_orders = (
        sa.select(c.id).where(*scope.order_where(), c.status != OrderStatus.CANCELLED.value)
    ).subquery()
    stmt = (
        sa.select(
            ln.sku,
            ln.product_name,
            ln.variant_name,
            sa.func.sum(ln.quantity).label("units"),
            sa.func.sum(ln.subtotal).label("revenue"),
        )
        .select_from(day_orders.join(lines_t, ln.order_id == day_orders.c.id))
        .group_by(ln.sku, ln.product_name, ln.variant_name)
        .order_by(sa.desc("units"), sa.desc("revenue"), ln.product_name)
        .limit(limit)
    )
    return list(conn.execute(stmt))


def gross_profit(conn: sa.Connection, scope: DayScope) -> int:
    """The gross profit of the day's orders that Analytics counts (not cancelled, in
    return or returned): each line's subtotal share of its units kept − their cost."""
    c, ln = orders_t.c, lines_t.c
    counted = sa.select(c.id).where(*scope.order_where(), c.status.not_in(NOT_COUNTED))
    stmt = sa.select(sa.func.coalesce(sa.func.sum(kept_profit(ln)), 0)).where(
        ln.order_id.in_(counted))  # fmt: skip
    return int(conn.execute(stmt).scalar_one())


def shop_names(conn: sa.Connection, ids: Sequence[int]) -> list[str]:
    if not ids:
        return []
    return list(
        conn.execute(
            sa.select(shops_t.c.name).where(shops_t.c.id.in_(ids)).order_by(shops_t.c.name)
        ).scalars()
    )
