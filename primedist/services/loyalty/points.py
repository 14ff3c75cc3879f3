"""Loyalty points: earned from successful orders, reversed when they are not, redeemed on
sales, adjusted by hand. Every change is a ledger row with the balance after it.

`reconcile_order_points` keeps the ledger in step with orders. It is idempotent: an order
remembers the points it has earned (`orders.points_earned`) and the earn rate it first
earned at (`orders.points_rate`: changing the shop's rate later leaves it); the points it
should have earned are (total − refunded) ÷ that rate while it is completed (successful,
as in the customer statistics), else 0, and only the difference is written. An order
starts earning only if its shop's channel earns (Settings → Loyalty points); one that has
earned keeps following its own rate when the channel is switched off later. Points redeemed on
an order go back with its goods (`refund` rows): a partial return gives back the returned
goods' share of them (`redeemed_due`, as the refund suggestion shares the cash), an order
that ends cancelled or returned whatever is left; never more than was redeemed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.db.engine import db_timestamp
from primedist.db.work_tables import fill_ids, start_work
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Channel, Module, OrderStatus, PointsKind
from primedist.domain.loyalty import PointsEntry
from primedist.domain.order import Order, OrderLine
from primedist.domain.shop import Shop
from primedist.errors import NotFound, ValidationError
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import earn_channels_from, earn_per_from

orders = table_of(Order)
lines = table_of(OrderLine)
customers = table_of(Customer)
entries = table_of(PointsEntry)
shops = table_of(Shop)

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
    msg("Given back: points redeemed on returned items of {order}"),
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
    into a work table (the earned points by one INSERT … SELECT, the few give-backs read
    and worked out), then one INSERT … SELECT into the ledger (balances running per
    customer by order, a window sum), one UPDATE of the orders' earned points and one of
    the customers' totals."""
    ids = sorted(set(order_ids))
    if not ids:
        return 0
    start_work(conn, points_orders_t, points_due_t)
    fill_ids(conn, points_orders_t, ids)
    given = sa.select(points_orders_t.c.order_id)
    earn_per = earn_per_from(conn)
    earn_rows = _earn_rows(given, earn_per, earn_channels_from(conn))
    conn.execute(points_due_t.insert().from_select(_DUE_COLUMNS, earn_rows))
    give_back = _give_back_due(conn, given)
    if give_back:
        conn.execute(points_due_t.insert(), give_back)
    n = int(conn.execute(sa.select(sa.func.count()).select_from(points_due_t)).scalar_one())
    if n:
        _write_due(conn, now, earn_per)
    return n


_DUE_COLUMNS = ["order_id", "step", "customer_id", "kind", "delta", "target", "reason"]


def _earn_rows(
    given: sa.Select[Any], earn_per: int, channels: Collection[Channel]
) -> sa.Select[Any]:
    """Orders whose earned points are not what they should be by now: completed ones
    earn (total − refunded) ÷ their own earn rate (the shop's when they first earn, if
    their shop's channel earns; what was earned stays when earning is off, or their
    channel does not earn, and the order has no rate), the others 0."""
    o = orders.c
    net = sa.case((o.total > o.refunded_amount, o.total - o.refunded_amount), else_=0)
    own = sa.case((o.points_rate > 0, net // o.points_rate), else_=o.points_earned)
    first: sa.ColumnElement[bool] = o.points_rate.is_(None)
    if not set(Channel) <= set(channels):
        # One subquery over the few shops, not a lookup per order (a sync batch is 5,000).
        earning = sa.select(shops.c.id).where(shops.c.channel.in_([c.value for c in channels]))
        first = sa.and_(first, o.shop_id.in_(earning))
    earned = sa.case((first, net // earn_per), else_=own) if earn_per > 0 else own
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


def redeemed_due(points_used: int, goods: int, returned_goods: int, *, ended: bool) -> int:
    """Of the points redeemed on an order, those due back by now: all of them once it is
    cancelled or returned; else the returned goods' share (`returned_goods` of its
    `goods`, each line's subtotal × returned ÷ quantity, as `orders.suggested_refund`
    shares the cash), rounded down: the last items back give back the rest."""
    if ended:
        return points_used
    if goods <= 0 or returned_goods <= 0:
        return 0
    return points_used * min(returned_goods, goods) // goods


@dataclass(frozen=True)
class OrderPoints:
    """How an order's points moved after the sale, as its ledger rows say (what the
    receipt reprinted after a return prints): the redeemed points given back (its
    `refund` rows) and the earned points taken back (`taken_back`)."""

    given_back: int = 0
    taken_back: int = 0


def order_points(conn: sa.Connection, order_id: int) -> OrderPoints:
    """`OrderPoints` of one order, read from its earn and refund rows (by the
    (order_id, kind) index), oldest first."""
    e = entries.c
    kinds = (PointsKind.EARN.value, PointsKind.REFUND.value)
    rows = conn.execute(
        sa.select(e.kind, e.delta).where(e.order_id == order_id, e.kind.in_(kinds))
        .order_by(e.id)
    ).all()  # fmt: skip
    given_back = sum(int(delta) for kind, delta in rows if kind == PointsKind.REFUND.value)
    earned = [int(delta) for kind, delta in rows if kind == PointsKind.EARN.value]
    return OrderPoints(given_back, taken_back(earned))


def taken_back(earn_deltas: Iterable[int]) -> int:
    """Of an order's earn rows (their deltas, oldest first), the earned points taken back:
    the most it had earned at any time less what it keeps. A status that went away and
    came back (earned, reversed, earned again) took nothing back in the end."""
    kept = most = 0
    for delta in earn_deltas:
        kept += delta
        most = max(most, kept)
    return most - kept


def _give_back_due(conn: sa.Connection, given: sa.Select[Any]) -> list[dict[str, Any]]:
    """The due rows giving back redeemed points (`redeemed_due` less what the ledger gave
    back already, its `refund` rows). Only the given orders that redeemed points and got
    not all of them back are read: a handful (own sales), whatever the batch; the share is
    worked out in Python (points × goods can pass a BIGINT)."""
    o, e, ol = orders.c, entries.c, lines.c
    refunds = sa.and_(e.order_id == o.id, e.kind == PointsKind.REFUND.value)
    back = sa.select(sa.func.coalesce(sa.func.sum(e.delta), 0)).where(refunds).scalar_subquery()
    per_line = sa.case((ol.quantity > 0, ol.subtotal * ol.returned_quantity // ol.quantity),
                       else_=0)  # fmt: skip
    of_order = ol.order_id == o.id
    goods = sa.select(sa.func.coalesce(sa.func.sum(ol.subtotal), 0)).where(of_order)
    returned = sa.select(sa.func.coalesce(sa.func.sum(per_line), 0)).where(of_order)
    rows = conn.execute(
        sa.select(o.id, o.customer_id, o.points_used, o.external_id, o.status.in_(_ENDED),
                  o.status, back, goods.scalar_subquery(), returned.scalar_subquery())
        .where(o.id.in_(given), o.customer_id.is_not(None), o.points_used > 0,
               back < o.points_used)
    )  # fmt: skip
    due = []
    for oid, cid, used, number, ended, state, given_back, total, came_back in rows:
        target = redeemed_due(int(used), int(total), int(came_back), ended=bool(ended))
        if target <= given_back:
            continue
        reason = (f"Given back: points redeemed on {number} ({state})" if ended
                  else f"Given back: points redeemed on returned items of {number}")  # fmt: skip
        due.append({"order_id": oid, "step": 1, "customer_id": cid,
                    "kind": PointsKind.REFUND.value, "delta": target - int(given_back),
                    "target": target, "reason": reason[:255]})  # fmt: skip
    return due


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
