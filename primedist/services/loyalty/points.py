"""Loyalty points: earned from successful orders, reversed when they are not, redeemed on
sales, adjusted by hand. Every change is a ledger row with the balance after it.

`reconcile_order_points` keeps the ledger in step with orders. It is idempotent: an order
remembers the points it has earned (`orders.points_earned`); the points it should have
earned are (total − refunded) ÷ the earn rate while it is completed (successful, as in
the customer statistics), else 0, and only the difference is written. Points redeemed on
an order that ends cancelled or returned are given back once (a `refund` row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from primedist.db.engine import db_timestamp
from primedist.db.product_summary import chunks
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
#: Orders (or customers) per look-up.
_CHUNK = 5_000


@dataclass
class _Entry:
    customer_id: int
    kind: PointsKind
    delta: int
    order_id: int | None
    reason: str


def _target(status: str, net: int, earned: int, earn_per: int) -> int:
    """The points an order should have earned by now."""
    if status != OrderStatus.COMPLETED.value:
        return 0
    if earn_per <= 0:  # earning switched off: what was earned stays
        return earned
    return max(net, 0) // earn_per


def reconcile_order_points(conn: sa.Connection, order_ids: Collection[int], now: datetime) -> int:
    """Credit, reverse and give back points for these orders; returns the ledger rows
    written. Set-based: one read per `_CHUNK` orders, then one executemany of tuples for
    the ledger and one for the customers' totals (a sync brings 5,000 orders a batch)."""
    earn_per = earn_per_from(conn)
    new: list[_Entry] = []
    earned_now: list[tuple[int, int]] = []
    for chunk in chunks(sorted(set(order_ids)), _CHUNK):
        _reconcile_chunk(conn, chunk, earn_per, new, earned_now)
    if not new:
        return 0
    if earned_now:
        mark = _mark(conn)
        conn.exec_driver_sql(
            f"UPDATE {orders.name} SET points_earned = {mark} WHERE id = {mark}",
            [(pts, oid) for oid, pts in earned_now],
        )
    _write_entries(conn, new, now)
    return len(new)


def _reconcile_chunk(
    conn: sa.Connection,
    ids: Iterable[int],
    earn_per: int,
    new: list[_Entry],
    earned_now: list[tuple[int, int]],
) -> None:
    """Append this chunk's ledger rows to `new` and (order, points earned) to `earned_now`."""
    o = orders.c
    rows = conn.execute(
        sa.select(o.id, o.customer_id, o.status, o.total - o.refunded_amount,
                  o.points_earned, o.points_used, o.external_id)
        .where(o.id.in_(list(ids)), o.customer_id.is_not(None), _may_move_points())
        .order_by(o.id)
    ).all()  # fmt: skip
    ended_with_points = [r[0] for r in rows if r[2] in _ENDED and r[5] > 0]
    refunded = _already_refunded(conn, ended_with_points)
    for oid, cid, status, net, earned, used, ext in rows:
        target = _target(str(status), int(net), int(earned), earn_per)
        if target != earned:
            why = _earn_reason(str(ext), str(status), target, int(earned))
            new.append(_Entry(cid, PointsKind.EARN, target - earned, oid, why))
            earned_now.append((oid, target))
        if status in _ENDED and used > 0 and oid not in refunded:
            new.append(_Entry(cid, PointsKind.REFUND, int(used), oid,
                              f"Given back: points redeemed on {ext} ({status})"))  # fmt: skip


def _may_move_points() -> sa.ColumnElement[bool]:
    """Orders that can earn, reverse or give back points: completed ones, and those that
    earned or redeemed some. The common case (not completed, nothing earned, nothing
    redeemed) is left out by the database instead of read and skipped."""
    o = orders.c
    return sa.or_(o.status == OrderStatus.COMPLETED.value, o.points_earned != 0, o.points_used != 0)


def _mark(conn: sa.Connection) -> str:
    """The driver's positional parameter mark (the bulk writes bind plain tuples)."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _earn_reason(ext: str, status: str, target: int, earned: int) -> str:
    if earned == 0:
        return f"Earned on {ext}"
    if target == 0:
        return f"Reversed: {ext} is {status.replace('_', ' ')}"
    return f"Corrected: {ext} (amount changed)"


def _already_refunded(conn: sa.Connection, order_ids: list[int]) -> set[int]:
    if not order_ids:
        return set()
    e = entries.c
    return set(
        conn.execute(
            sa.select(e.order_id).where(
                e.order_id.in_(order_ids), e.kind == PointsKind.REFUND.value
            )  # fmt: skip
        ).scalars()
    )


def _write_entries(conn: sa.Connection, new: list[_Entry], now: datetime) -> None:
    """Insert the rows with their running balance and move the customers' totals."""
    c = customers.c
    ids = sorted({e.customer_id for e in new})
    balance: dict[int, int] = {}
    for chunk in chunks(ids, _CHUNK):
        balance.update(conn.execute(sa.select(c.id, c.points_balance).where(c.id.in_(chunk))).all())
    earned: dict[int, int] = defaultdict(int)
    stamp = db_timestamp(conn, now)
    rows = []
    for e in new:
        balance[e.customer_id] = int(balance.get(e.customer_id, 0)) + e.delta
        if e.kind == PointsKind.EARN:
            earned[e.customer_id] += e.delta
        rows.append((e.customer_id, e.kind.value, e.delta, balance[e.customer_id], e.order_id,
                     e.reason[:255], stamp))  # fmt: skip
    mark = _mark(conn)
    conn.exec_driver_sql(
        f"INSERT INTO {entries.name} (customer_id, kind, delta, balance_after, order_id, "
        f"reason, user_id, created_at) VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, "
        f"{mark}, NULL, {mark})",
        rows,
    )
    conn.exec_driver_sql(
        f"UPDATE {customers.name} SET points_balance = {mark}, "
        f"points_earned = points_earned + {mark} WHERE id = {mark}",
        [(balance[cid], earned.get(cid, 0), cid) for cid in ids],
    )


# --------------------------------------------------------------------------- by hand


def adjust_points(ctx: ServiceContext, customer_id: int, delta: int, reason: str) -> int:
    """Add (or take, with a negative delta) points by hand; the reason is required.
    Returns the new balance."""
    ctx.require(Module.CUSTOMERS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why the points change (the reason is required).", field="reason")
    if len(reason) > 255:
        raise ValidationError(
            f"The reason is too long ({len(reason)} characters, at most 255).", field="reason"
        )
    if delta == 0 or abs(delta) > MAX_ADJUST:
        raise ValidationError(
            f"Give a number of points between -{MAX_ADJUST:,} and {MAX_ADJUST:,}, not 0.",
            field="delta",
        )
    now = ctx.clock.now()
    with ctx.uow() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.deleted_at is not None:
            raise NotFound(f"Customer {customer_id} no longer exists.")
        if customer.points_balance + delta < 0:
            raise ValidationError(
                f"{customer.name} has only {customer.points_balance:,} points: "
                f"{-delta:,} cannot be taken.",
                field="delta",
            )
        customer.points_balance += delta
        session.add(customer)
        session.add(PointsEntry(
            customer_id=customer_id, kind=PointsKind.ADJUST, delta=delta,
            balance_after=customer.points_balance, reason=reason, user_id=ctx.actor.id,
            created_at=now,
        ))  # fmt: skip
        summary = f"{customer.code}: {delta:+,} points ({reason})"
        ctx.audit(session, "customer.points_adjust", entity_type="customer",
                  entity_id=customer_id, summary=summary)  # fmt: skip
        return customer.points_balance
