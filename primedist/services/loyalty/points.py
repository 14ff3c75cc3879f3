"""Loyalty points: earned from successful orders, reversed when they are not, redeemed on
sales, adjusted by hand. Every change is a ledger row with the balance after it.

`reconcile_order_points` keeps the ledger in step with orders. It is idempotent: an order
remembers the points it has earned (`orders.points_earned`) and the earn rate it first
earned at (`orders.points_rate`: changing the shop's rate later leaves it); the points it
should have earned are (total − refunded) ÷ that rate while it is completed (successful,
as in the customer statistics), else 0, and only the difference is written. Points redeemed on
an order that ends cancelled or returned are given back once (a `refund` row).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.db.engine import db_timestamp
from primedist.db.work_tables import fill_ids, start_work
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Module, OrderStatus, PointsKind
from primedist.domain.loyalty import PointsEntry
from primedist.domain.order import Order
from primedist.errors import NotFound, ValidationError
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import earn_per_from

orders = table_of(Order)
customers = table_of(Customer)
entries = table_of(PointsEntry)

_ENDED = (OrderStatus.CANCELLED.value, OrderStatus.RETURNED.value)
MAX_ADJUST = 100_000_000

#: The reasons of the ledger rows the app writes for orders, stored in plain English (by
#: the SQL below, and by `services.orders` and `services.order_edit`): the UI reads them
#: back with `core.messages.reread` and shows them in the user's language. Keep them in
#: step with the texts written; a reason typed by hand is shown as typed.
ORDER_REASONS = (
    msg("Earned on {order}"),
    msg("Reversed: {order} is {status}"),
    msg("Corrected: {order} (amount changed)"),
    msg("Given back: points redeemed on {order} ({status})"),
    msg("Redeemed on {order}"),
    msg("Given back: {order} edited"),
)


#: Work tables (temporary, per connection): the orders given, and the ledger rows due.
_work = sa.MetaData()
points_orders_t = sa.Table(
    "points_touched_orders", _work,
    sa.Column("order_id", sa.Integer, primary_key=True, autoincrement=False),
    prefixes=["TEMPORARY"],
)  # fmt: skip
points_due_t = sa.Table(
    "points_due", _work,
    sa.Column("order_id", sa.Integer, primary_key=True, autoincrement=False),
    #: 0 = earn/reverse, 1 = redeemed points given back (in this order per order).
    sa.Column("step", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("delta", sa.Integer, nullable=False),
    sa.Column("target", sa.Integer, nullable=False),
    sa.Column("reason", sa.String(255), nullable=False),
    prefixes=["TEMPORARY"],
)  # fmt: skip


def reconcile_order_points(conn: sa.Connection, order_ids: Collection[int], now: datetime) -> int:
    """Credit, reverse and give back points for these orders; returns the ledger rows
    written. Set-based (a sync brings 5,000 orders a batch): the rows due are computed
    with one INSERT … SELECT per kind into a work table, then one INSERT … SELECT into the
    ledger (balances running per customer by order, a window sum), one UPDATE of the
    orders' earned points and one of the customers' totals."""
    ids = sorted(set(order_ids))
    if not ids:
        return 0
    start_work(conn, points_orders_t, points_due_t)
    fill_ids(conn, points_orders_t, ids)
    given = sa.select(points_orders_t.c.order_id)
    earn_per = earn_per_from(conn)
    conn.execute(points_due_t.insert().from_select(_DUE_COLUMNS, _earn_rows(given, earn_per)))
    conn.execute(points_due_t.insert().from_select(
        _DUE_COLUMNS, _give_back_rows(given, conn.dialect.name)))  # fmt: skip
    n = int(conn.execute(sa.select(sa.func.count()).select_from(points_due_t)).scalar_one())
    if n:
        _write_due(conn, now, earn_per)
    return n


_DUE_COLUMNS = ["order_id", "step", "customer_id", "kind", "delta", "target", "reason"]


def _earn_rows(given: sa.Select[Any], earn_per: int) -> sa.Select[Any]:
    """Orders whose earned points are not what they should be by now: completed ones
    earn (total − refunded) ÷ their own earn rate (the shop's when they first earn; what
    was earned stays when earning is off and the order has no rate), the others 0."""
    o = orders.c
    net = sa.case((o.total > o.refunded_amount, o.total - o.refunded_amount), else_=0)
    own = sa.case((o.points_rate > 0, net // o.points_rate), else_=o.points_earned)
    earned = sa.case((o.points_rate.is_(None), net // earn_per), else_=own) if earn_per > 0 else own
    target = sa.case((o.status == OrderStatus.COMPLETED.value, earned), else_=0)
    ext = o.external_id
    reason = sa.case(
        (o.points_earned == 0, "Earned on " + ext),
        (target == 0, "Reversed: " + ext + " is " + sa.func.replace(o.status, "_", " ")),
        else_="Corrected: " + ext + " (amount changed)",
    )
    return sa.select(
        o.id, sa.literal(0), o.customer_id, sa.literal(PointsKind.EARN.value),
        target - o.points_earned, target, sa.func.substr(reason, 1, 255),
    ).where(o.id.in_(given), o.customer_id.is_not(None), _may_move_points(),
            target != o.points_earned)  # fmt: skip


def _give_back_rows(given: sa.Select[Any], dialect: str) -> sa.Select[Any]:
    """Points redeemed on orders that ended cancelled or returned, not given back yet.
    On SQLite the status is `+status`: else the planner walks every cancelled and returned
    order by the status index (150,000 of 1,000,000: 10 ms a counter sale) instead of
    looking the given orders up by id."""
    o, e = orders.c, entries.c
    status = (sa.literal_column(f"+{orders.name}.status", o.status.type)
              if dialect == "sqlite" else o.status)  # fmt: skip
    done = sa.exists().where(e.order_id == o.id, e.kind == PointsKind.REFUND.value)
    reason = "Given back: points redeemed on " + o.external_id + " (" + o.status + ")"
    return sa.select(
        o.id, sa.literal(1), o.customer_id, sa.literal(PointsKind.REFUND.value),
        o.points_used, o.points_earned, sa.func.substr(reason, 1, 255),
    ).where(o.id.in_(given), o.customer_id.is_not(None), status.in_(_ENDED),
            o.points_used > 0, ~done)  # fmt: skip


def _may_move_points() -> sa.ColumnElement[bool]:
    """Orders that can earn, reverse or give back points: completed ones, and those that
    earned or redeemed some. The common case (not completed, nothing earned, nothing
    redeemed) is left out by the database instead of read and skipped."""
    o = orders.c
    return sa.or_(o.status == OrderStatus.COMPLETED.value, o.points_earned != 0, o.points_used != 0)


def _write_due(conn: sa.Connection, now: datetime, earn_per: int) -> None:
    """The due rows into the ledger, each with the customer's balance after it (rows in
    order id order, earn before give-back), then the orders' and customers' totals."""
    d, c, o = points_due_t.c, customers.c, orders.c
    running = sa.func.sum(d.delta).over(
        partition_by=d.customer_id, order_by=(d.order_id, d.step),
        rows=(None, 0),
    )  # fmt: skip
    rows = (
        sa.select(d.customer_id, d.kind, d.delta, c.points_balance + running, d.order_id,
                  d.reason, sa.literal(db_timestamp(conn, now)))
        .select_from(points_due_t.join(customers, c.id == d.customer_id))
        .order_by(d.order_id, d.step)
    )  # fmt: skip
    conn.execute(
        entries.insert().from_select(
            ["customer_id", "kind", "delta", "balance_after", "order_id", "reason", "created_at"],
            rows,
        )
    )
    earned = d.step == 0
    # An order keeps the rate it first earned at (a later change of the rate leaves it).
    rate = sa.case((d.target > 0, sa.func.coalesce(o.points_rate, earn_per or None)),
                   else_=o.points_rate)  # fmt: skip
    conn.execute(orders.update().where(o.id == d.order_id, earned)
                 .values(points_earned=d.target, points_rate=rate))  # fmt: skip
    per_customer = (
        sa.select(
            d.customer_id.label("cid"),
            sa.func.sum(d.delta).label("delta"),
            sa.func.sum(sa.case((earned, d.delta), else_=0)).label("earned"),
        )
        .group_by(d.customer_id)
        .subquery()
    )
    t = per_customer.c
    conn.execute(
        customers.update()
        .where(c.id == t.cid)
        .values(points_balance=c.points_balance + t.delta,
                points_earned=c.points_earned + t.earned)
    )  # fmt: skip


# --------------------------------------------------------------------------- by hand


def adjust_points(ctx: ServiceContext, customer_id: int, delta: int, reason: str) -> int:
    """Add (or take, with a negative delta) points by hand; the reason is required; the
    owner or a manager only (points are money off, as `customer_account.adjust_balance`).
    Points added count as earned too (earned stays at least what remains); points taken
    leave what was earned, as a redemption does. Returns the new balance."""
    ctx.require(Module.CUSTOMERS)
    ctx.require_manager()
    reason = clean_line(reason)
    if not reason:
        raise ValidationError(
            msg("Say why the points change (the reason is required)."), field="reason"
        )
    if len(reason) > 255:
        raise ValidationError(
            msg(
                "The reason is too long ({length} characters, at most 255).",
                length=str(len(reason)),
            ),
            field="reason",
        )
    if delta == 0 or abs(delta) > MAX_ADJUST:
        raise ValidationError(
            msg(
                "Give a number of points between -{limit} and {limit}, not 0.",
                limit=MAX_ADJUST,
            ),
            field="delta",
        )
    now = ctx.clock.now()
    with ctx.uow() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.deleted_at is not None:
            raise NotFound(
                msg("Customer {customer_id} no longer exists.", customer_id=str(customer_id))
            )
        if customer.points_balance + delta < 0:
            raise ValidationError(
                msg(
                    "{name} has only {points_balance} points: {points} cannot be taken.",
                    name=customer.name,
                    points_balance=customer.points_balance,
                    points=-delta,
                ),
                field="delta",
            )
        customer.points_balance += delta
        if delta > 0:
            customer.points_earned += delta
        session.add(customer)
        session.add(PointsEntry(
            customer_id=customer_id, kind=PointsKind.ADJUST, delta=delta,
            balance_after=customer.points_balance, reason=reason, user_id=ctx.actor.id,
            created_at=now,
        ))  # fmt: skip
        if delta > 0:
            summary = msg("{customer}: +{points} points ({reason})", customer=customer.code,
                          points=delta, reason=reason)  # fmt: skip
        else:
            summary = msg("{customer}: -{points} points ({reason})", customer=customer.code,
                          points=-delta, reason=reason)  # fmt: skip
        ctx.audit(session, "customer.points_adjust", entity_type="customer",
                  entity_id=customer_id, summary=summary)  # fmt: skip
        return customer.points_balance
