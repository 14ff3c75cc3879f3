"""The SQL of the end-of-day report: one day's orders, refunds and products sold.

Every query reads one day (a UTC [start, end) range) through an index on the date:
`ix_orders_created_at_id` for orders, `ix_order_refunds_created_at` for refunds. The
shop filter is written `shop_id + 0 IN (...)` so SQLite never prefers an index on the
shop (which would walk every order of those shops) to the day's range.

A day, once over, stays as it was: an order is a sale of the day it was placed unless it
was cancelled that same day or cancelled without having been paid (`DayScope.sold`). A
paid order cancelled on a later day stays a sale of its day, and what was paid goes back
on the day of the cancel: an own order's refund row (`services.orders._move`), or, for a
sale on account, the payment taken with it, which its cancel cancelled (`_paybacks`),
and what it still owed, an *On account* refund (`_owed_part_cancelled`).
Any customer payment cancelled on a later day than it was paid (with its sale, or by
itself: *phiếu thu* entered by mistake) stays collected on the day it was paid and goes
back on the day of the cancel; cancelled the same day it never counted. Supplier
payments and the money suppliers gave back for returns are counted the same way
(`supplier_cash`).
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
from primedist.domain.order import Order, OrderLine, OrderRefund, OrderStatusChange
from primedist.domain.product import Product, Variant
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
changes_t = table_of(OrderStatusChange)
variants_t = table_of(Variant)
products_t = table_of(Product)

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

    def sold(self) -> sa.ColumnElement[bool]:
        """An order of the day that is a sale of it: not cancelled, or cancelled on a later
        day after it was paid (money went back then: a refund row, or the payment taken
        with a sale on account). Cancelled the same day, or never paid: not a sale (the
        report's cancelled orders)."""
        c, r = orders_t.c, refunds_t.c
        p, h = customer_payments_t.c, changes_t.c
        refunded_later = (
            sa.select(r.order_id).where(r.order_id == c.id, r.created_at >= self.end).exists()
        )
        # The payments taken with it that its cancel gave back (`_paybacks`), cancelled at
        # the very instant of its status change (found by their customer's index).
        paid_back_later = (
            sa.select(h.order_id)
            .select_from(changes_t.join(customer_payments_t, p.cancelled_at == h.changed_at))
            .where(h.order_id == c.id, h.to_status == OrderStatus.CANCELLED.value,
                   h.changed_at >= self.end, p.customer_id == c.customer_id,
                   p.order_id == c.id)
            .exists()
        )  # fmt: skip
        on_account = c.payment_method == PaymentMethod.ON_ACCOUNT.value
        later = sa.or_(refunded_later, sa.and_(on_account, paid_back_later))
        return sa.or_(c.status != OrderStatus.CANCELLED.value, later)


def _paybacks() -> sa.Select[Any]:
    """(order_id, amount, payment_method, user_id, at, paid_at) of the cancelled customer
    payments: what a cancel gave back, with the sale it was taken with (`cancel_order_payments`)
    or by itself (`customer_account.cancel_payment`). `refunds` counts those cancelled on
    a later day than they were paid."""
    p = customer_payments_t.c
    return sa.select(
        p.order_id, p.amount, p.method.label("payment_method"),
        p.cancelled_by_id.label("user_id"), p.cancelled_at.label("at"), p.paid_at,
    ).where(p.cancelled_at.is_not(None))  # fmt: skip


def sales_by_payment(conn: sa.Connection, scope: DayScope) -> list[sa.Row[Any]]:
    """Per payment method: orders, goods, discounts, shipping and totals of the day's
    orders; those that are no sale of the day (`DayScope.sold`: cancelled that day or
    never paid) apart (`cancelled` 1) so that the report can show them."""
    c = orders_t.c
    cancelled = sa.case((scope.sold(), 0), else_=1)
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
    """Per shop: the day's sales (`DayScope.sold`) and their totals, biggest first."""
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
        .where(*scope.order_where(), scope.sold())
        .group_by(s.id, s.name, s.channel)
        .order_by(sa.desc("total"), s.name)
    )
    return list(conn.execute(stmt))


def refunds(conn: sa.Connection, scope: DayScope) -> list[sa.Row[Any]]:
    """Per payment method: money given back during the day, its items and amount, whenever
    the order was placed: refunds of returns made in this app, what was paid for an order
    cancelled on a later day than it was placed (its refund row), and customer payments
    cancelled on a later day than they were paid (`_paybacks`: with their sale on account,
    or by themselves). A cancel the day the order was placed gives back nothing of that
    day's: the order is no sale of it (`DayScope.sold`). The method is the order's, or the
    one the refund went back by (an exchange settles with the new sale's method; a sale on
    account's return gives back what was paid with it, and a payment goes back, the way
    it was paid)."""
    r, c = refunds_t.c, orders_t.c
    same_day_cancel = sa.and_(c.status == OrderStatus.CANCELLED.value,
                              c.created_at >= scope.start)  # fmt: skip
    given = (
        sa.select(
            sa.func.coalesce(r.method, c.payment_method).label("payment_method"),
            r.exchange_order_id.label("exchange"), r["items"].label("items"),
            r.amount.label("amount"),
        )
        .select_from(refunds_t.join(orders_t, c.id == r.order_id))
        .where(r.created_at >= scope.start, r.created_at < scope.end, sa.not_(same_day_cancel))
    )  # fmt: skip
    if scope.shop_ids:
        given = given.where(c.shop_id.in_(scope.shop_ids))
    if scope.user_id is not None:
        given = given.where(r.user_id == scope.user_id)
    payback = _paybacks().subquery()
    b = payback.c
    # Not per shop, as the debts collected: the one drawer took the payment.
    paid_back = sa.select(
        b.payment_method, sa.cast(sa.null(), sa.Integer).label("exchange"),
        sa.literal(0, sa.Integer).label("items"), b.amount,
    ).where(b.at >= scope.start, b.at < scope.end, b.paid_at < scope.start)  # fmt: skip
    if scope.user_id is not None:
        paid_back = paid_back.where(b.user_id == scope.user_id)
    rows = sa.union_all(given, paid_back, _owed_part_cancelled(scope)).subquery()
    x = rows.c
    stmt = sa.select(
        x.payment_method,
        sa.func.count().label("refunds"),
        sa.func.count(x.exchange).label("exchanges"),
        sa.func.sum(x["items"]).label("items"),
        sa.func.sum(x.amount).label("amount"),
    ).group_by(x.payment_method)
    return list(conn.execute(stmt))


def _owed_part_cancelled(scope: DayScope) -> sa.Select[Any]:
    """(payment_method, exchange, items, amount) of the sales on account placed before the
    day and cancelled during it that stayed sales of their day (`DayScope.sold`: part of
    them was paid, and the cancel gave it back: `_paybacks`): the part still owed, which
    the customer no longer owes, as an *On account* refund, as a return of the sale would
    count it. Without it a cancelled sale's owed part would stay in the days' net for ever."""
    p, c, h = customer_payments_t.c, orders_t.c, changes_t.c
    # The payments each such cancel gave back (cancelled at its very instant).
    given_back = (
        sa.select(p.order_id, p.cancelled_at.label("at"),
                  p.cancelled_by_id.label("user_id"), sa.func.sum(p.amount).label("paid"))
        .where(p.order_id.is_not(None), p.cancelled_at >= scope.start,
               p.cancelled_at < scope.end, p.paid_at < scope.start)
        .group_by(p.order_id, p.cancelled_at, p.cancelled_by_id)
        .subquery()
    )  # fmt: skip
    g = given_back.c
    owed = c.total - c.refunded_amount - g.paid
    cancel_then = (
        sa.select(h.order_id)
        .where(h.order_id == c.id, h.to_status == OrderStatus.CANCELLED.value,
               h.changed_at == g.at)
        .exists()
    )  # fmt: skip
    stmt = (
        sa.select(
            sa.literal(PaymentMethod.ON_ACCOUNT.value).label("payment_method"),
            sa.cast(sa.null(), sa.Integer).label("exchange"),
            sa.literal(0, sa.Integer).label("items"), owed.label("amount"),
        )
        .select_from(given_back.join(orders_t, c.id == g.order_id))
        .where(c.payment_method == PaymentMethod.ON_ACCOUNT.value,
               c.status == OrderStatus.CANCELLED.value, c.created_at < scope.start,
               owed > 0, cancel_then)
    )  # fmt: skip
    if scope.shop_ids:
        stmt = stmt.where(c.shop_id.in_(scope.shop_ids))
    if scope.user_id is not None:
        stmt = stmt.where(g.user_id == scope.user_id)
    return stmt


def supplier_cash(conn: sa.Connection, scope: DayScope) -> int:
    """Cash paid to suppliers during the day less the cash they gave back for goods
    returned, by the staff member when the scope names one. A payment or return cancelled
    on a later day stays on its own day, and its cash comes back (a payment) or goes out
    again (a return) on the day of the cancel, by whoever cancelled; cancelled the same day
    it never counted. Not per shop: the one drawer pays them, whichever shops' sales are
    counted."""
    p, b = supplier_payments_t.c, supplier_returns_t.c
    paid = _cash_of_day(conn, scope, p.amount, p.method, p.paid_at, p.user_id,
                        p.cancelled_at, p.cancelled_by_id)  # fmt: skip
    back = _cash_of_day(conn, scope, b.refund, b.method, b.created_at, b.user_id,
                        b.cancelled_at, b.cancelled_by_id)  # fmt: skip
    return paid - back


def _cash_of_day(
    conn: sa.Connection, scope: DayScope, amount: Any, method: Any, at: Any, user_id: Any,
    cancelled_at: Any, cancelled_by_id: Any,
) -> int:  # fmt: skip
    """The cash of one kind of supplier row that the day moved: those made during it that
    were not cancelled that day, less those made before it and cancelled during it."""
    cash = PaymentMethod.CASH.value
    total = sa.func.coalesce(sa.func.sum(amount), 0)
    made = sa.select(total).where(
        at >= scope.start, at < scope.end, method == cash,
        sa.or_(cancelled_at.is_(None), cancelled_at >= scope.end),
    )  # fmt: skip
    undone = sa.select(total).where(
        cancelled_at >= scope.start, cancelled_at < scope.end, at < scope.start, method == cash
    )
    if scope.user_id is not None:
        made = made.where(user_id == scope.user_id)
        undone = undone.where(cancelled_by_id == scope.user_id)
    return int(conn.execute(made).scalar_one()) - int(conn.execute(undone).scalar_one())


def debts_collected(conn: sa.Connection, scope: DayScope) -> list[sa.Row[Any]]:
    """Per method: what customers paid during the day towards sales on account (standing
    payments, and those cancelled on a later day, with their sale or by themselves: the
    money came in that day and went back on the day of the cancel, `refunds`; by the staff
    member when the scope names one). Not per shop, like supplier cash: the one drawer
    takes them."""
    p = customer_payments_t.c
    counted = sa.or_(p.cancelled_at.is_(None), p.cancelled_at >= scope.end)
    stmt = (
        sa.select(p.method.label("payment_method"), sa.func.count().label("payments"),
                  sa.func.sum(p.amount).label("amount"))
        .where(p.paid_at >= scope.start, p.paid_at < scope.end, counted)
        .group_by(p.method)
    )  # fmt: skip
    if scope.user_id is not None:
        stmt = stmt.where(p.user_id == scope.user_id)
    return list(conn.execute(stmt))


def products_sold(
    conn: sa.Connection, scope: DayScope, limit: int = MAX_PRODUCTS
) -> list[sa.Row[Any]]:
    """Per SKU: units and line totals of the day's sales (`DayScope.sold`), one row per
    SKU whatever the titles its lines carry (a marketplace's or an imported file's), most
    units first. The name is the one of the SKU's latest line: its product's and
    variant's names now (`product_name`, `option1`, `option2`), or, without a product
    any more, the line's own (`line_product`, `line_variant`). Lines without a SKU are
    grouped by their own names."""
    c, ln = orders_t.c, lines_t.c
    day_orders = sa.select(c.id).where(*scope.order_where(), scope.sold()).subquery()
    sku = sa.func.coalesce(ln.sku, "")
    no_sku = sku == ""
    by_name = sa.case((no_sku, ln.product_name), else_="")
    by_variant = sa.case((no_sku, sa.func.coalesce(ln.variant_name, "")), else_="")
    groups = (
        sa.select(
            sku.label("sku"),
            sa.func.sum(ln.quantity).label("units"),
            sa.func.sum(ln.subtotal).label("revenue"),
            sa.func.max(ln.id).label("latest"),
        )
        .select_from(day_orders.join(lines_t, ln.order_id == day_orders.c.id))
        .group_by(sku, by_name, by_variant)
        .subquery()
    )
    g, last, v, p = groups.c, lines_t.alias("latest_line"), variants_t.c, products_t.c
    stmt = (
        sa.select(
            g.sku,
            g.units,
            g.revenue,
            p.name.label("product_name"),
            v.option1,
            v.option2,
            last.c.product_name.label("line_product"),
            last.c.variant_name.label("line_variant"),
        )
        .select_from(
            groups.join(last, last.c.id == g.latest)
            .outerjoin(variants_t, v.id == last.c.variant_id)
            .outerjoin(products_t, p.id == v.product_id)
        )
        .order_by(sa.desc(g.units), sa.desc(g.revenue), g.sku, g.latest)
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
