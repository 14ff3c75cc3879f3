"""Customer order statistics, recomputed from the orders in SQL.

Definitions (README § Metric definitions): total orders = every order of the customer;
successful = completed (a fully returned order is `returned`, so not successful);
cancelled; returned = return_refund or returned; total expenses = sum of
(total − refunded amount) over successful orders; last order = newest order date;
first order = oldest order date; channels = the channels the customer bought through, in
`Channel` order.

Two paths compute them: `refresh_customer_stats` (the touched customers, in every order
transaction) and `rebuild_all_stats` (every customer, one aggregate UPDATE per customer id
range: `primedist customers rebuild-stats`). A hypothesis test keeps them equal. Both read
the covering index `ix_orders_customer_stats` only.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.core.messages import msg
from primedist.db.engine import take_writer_lock
from primedist.db.work_tables import fill_ids, start_work
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Channel, Module, OrderStatus
from primedist.domain.order import Order
from primedist.domain.shop import Shop
from primedist.jobs.progress import NullProgress, Progress
from primedist.services.context import ServiceContext

orders = table_of(Order)
customers = table_of(Customer)
shops = table_of(Shop)

_CHUNK = 500
_RETURNED = (OrderStatus.RETURN_REFUND.value, OrderStatus.RETURNED.value)
_RETURNED_STATUSES = frozenset((OrderStatus.RETURN_REFUND, OrderStatus.RETURNED))
_CHANNEL_ORDER = {c.value: i for i, c in enumerate(Channel)}


@dataclass
class CustomerStats:
    """The order aggregates kept on a customer row."""

    total_orders: int = 0
    successful_orders: int = 0
    cancelled_orders: int = 0
    returned_orders: int = 0
    total_expenses: int = 0
    last_order_at: datetime | None = None
    first_order_at: datetime | None = None
    channels: set[str] = field(default_factory=set)

    def add_order(
        self, status: OrderStatus, total: int, refunded: int, created_at: datetime, channel: str
    ) -> None:
        """Count one order in, as the SQL aggregates do (for a writer that has the orders
        in hand: the order import's new customers, whose orders are all in its file)."""
        self.total_orders += 1
        if status == OrderStatus.COMPLETED:
            self.successful_orders += 1
            self.total_expenses += total - refunded
        elif status == OrderStatus.CANCELLED:
            self.cancelled_orders += 1
        elif status in _RETURNED_STATUSES:
            self.returned_orders += 1
        if self.last_order_at is None or created_at > self.last_order_at:
            self.last_order_at = created_at
        if self.first_order_at is None or created_at < self.first_order_at:
            self.first_order_at = created_at
        self.channels.add(channel)

    def as_row(self) -> dict[str, Any]:
        return {
            "total_orders": self.total_orders,
            "successful_orders": self.successful_orders,
            "cancelled_orders": self.cancelled_orders,
            "returned_orders": self.returned_orders,
            "total_expenses": self.total_expenses,
            "last_order_at": self.last_order_at,
            "first_order_at": self.first_order_at,
            "channels": ",".join(sorted(self.channels, key=_CHANNEL_ORDER.__getitem__)),
        }


def _aggregate_stmt(ids: list[int]) -> sa.Select[Any]:
    status = orders.c.status
    completed = status == OrderStatus.COMPLETED.value
    return (
        sa.select(
            orders.c.customer_id,
            shops.c.channel,
            sa.func.count(),
            sa.func.sum(sa.case((completed, 1), else_=0)),
            sa.func.sum(sa.case((status == OrderStatus.CANCELLED.value, 1), else_=0)),
            sa.func.sum(sa.case((status.in_(_RETURNED), 1), else_=0)),
            sa.func.sum(sa.case((completed, orders.c.total - orders.c.refunded_amount), else_=0)),
            sa.func.max(orders.c.created_at),
            sa.func.min(orders.c.created_at),
        )
        .select_from(orders.join(shops, orders.c.shop_id == shops.c.id))
        .where(orders.c.customer_id.in_(ids))
        .group_by(orders.c.customer_id, shops.c.channel)
    )


def compute_customer_stats(
    conn: sa.Connection, customer_ids: Iterable[int]
) -> dict[int, CustomerStats]:
    """The statistics of these customers from their orders (zeros for none)."""
    ids = sorted(set(customer_ids))
    out = {cid: CustomerStats() for cid in ids}
    for start in range(0, len(ids), _CHUNK):
        for cid, channel, n, ok, cancelled, returned, spent, last, first in conn.execute(
            _aggregate_stmt(ids[start : start + _CHUNK])
        ):
            st = out[cid]
            st.total_orders += int(n)
            st.successful_orders += int(ok or 0)
            st.cancelled_orders += int(cancelled or 0)
            st.returned_orders += int(returned or 0)
            st.total_expenses += int(spent or 0)
            st.channels.add(str(channel))
            if last is not None and (st.last_order_at is None or last > st.last_order_at):
                st.last_order_at = last
            if first is not None and (st.first_order_at is None or first < st.first_order_at):
                st.first_order_at = first
    return out


def refresh_customer_stats(
    conn: sa.Connection, customer_ids: Iterable[int], *, now: datetime | None = None
) -> int:
    """Recompute these customers' statistics and store those that changed (`updated_at`
    = now on all of them when given); returns how many statistics rows were rewritten.

    Set-based, as the rebuild: the ids go to a work table, then one aggregate UPDATE over
    their orders (the covering index, grouped by customer) and one for those left without
    orders. A sync brings thousands of customers a batch."""
    ids = sorted(set(customer_ids))
    if not ids:
        return 0
    # PostgreSQL: the aggregate must see every other writer's committed orders, not miss
    # those of one committing meanwhile (its figures would then stand); a no-op under a
    # unit of work that holds the lock already (write=True), and on SQLite.
    take_writer_lock(conn)
    start_work(conn, stats_customers_t)
    fill_ids(conn, stats_customers_t, ids)
    chosen = sa.select(stats_customers_t.c.customer_id)
    changed = _apply_stats(conn, _channel_shops(conn), orders.c.customer_id.in_(chosen),
                           customers.c.id.in_(chosen))  # fmt: skip
    if now is not None:  # apart: no list index holds updated_at, so this write is cheap
        conn.execute(customers.update().where(customers.c.id.in_(chosen)).values(updated_at=now))
    return changed


#: Work table of a refresh (temporary, per connection, emptied at its start).
stats_customers_t = sa.Table(
    "customer_stats_touched",
    sa.MetaData(),
    sa.Column("customer_id", sa.Integer, primary_key=True, autoincrement=False),
    prefixes=["TEMPORARY"],
)


# --------------------------------------------------------------------------- rebuild

#: Customer ids per aggregate + UPDATE of the rebuild (a cancel check and progress between).
REBUILD_CUSTOMERS = 25_000
_STAT_COLUMNS = ("total_orders", "successful_orders", "cancelled_orders", "returned_orders",
                 "total_expenses", "last_order_at", "first_order_at", "channels")  # fmt: skip


@dataclass(frozen=True)
class RebuildReport:
    """What `rebuild_all_stats` did: customers checked, how many were wrong and rewritten,
    how long it took."""

    customers: int
    seconds: float
    changed: int = 0


def _channel_list(flags: Sequence[tuple[str, sa.ColumnElement[Any]]]) -> sa.ColumnElement[str]:
    """'shopee,lazada,...' in `Channel` order from one flag per channel."""
    if not flags:
        return sa.literal("")
    parts = [sa.case((flag > 0, sa.literal(f"{ch},")), else_=sa.literal("")) for ch, flag in flags]
    joined: sa.ColumnElement[Any] = parts[0]
    for part in parts[1:]:
        joined = joined.op("||")(part)
    return sa.func.rtrim(joined, ",")


def _stats_of(channel_shops: dict[str, list[int]], which: sa.ColumnElement[bool]) -> sa.Subquery:
    """The statistics of the customers with orders that `which` (on orders.customer_id)
    selects. Every column it reads is in `ix_orders_customer_stats`, which leads with the
    group key: SQLite walks that index alone, already grouped (no table reads, no sort)."""
    o = orders.c
    status = o.status
    completed = status == OrderStatus.COMPLETED.value
    flags = [(ch, sa.func.max(sa.case((o.shop_id.in_(ids), 1), else_=0)))
             for ch, ids in channel_shops.items()]  # fmt: skip
    return (
        sa.select(
            o.customer_id.label("cid"),
            sa.func.count().label("n"),
            sa.func.sum(sa.case((completed, 1), else_=0)).label("ok"),
            sa.func.sum(sa.case((status == OrderStatus.CANCELLED.value, 1), else_=0)).label("cx"),
            sa.func.sum(sa.case((status.in_(_RETURNED), 1), else_=0)).label("rt"),
            sa.func.sum(sa.case((completed, o.total - o.refunded_amount), else_=0))
            .label("spent"),
            sa.func.max(o.created_at).label("last"),
            sa.func.min(o.created_at).label("first"),
            _channel_list(flags).label("channels"),
        )
        .where(which)
        .group_by(o.customer_id)
        .subquery()
    )  # fmt: skip


def _differs(values: dict[str, Any]) -> sa.ColumnElement[bool]:
    """Rows whose statistics are not already `values` (so right rows are not rewritten:
    every statistics column is in several list indexes)."""
    return sa.or_(*(customers.c[k].is_distinct_from(v) for k, v in values.items()))


def _apply_stats(
    conn: sa.Connection,
    channel_shops: dict[str, list[int]],
    which_orders: sa.ColumnElement[bool],
    which_customers: sa.ColumnElement[bool],
) -> int:
    """Write the statistics of the chosen customers (`which_orders` on their orders'
    customer_id, `which_customers` on customers.id) that are wrong."""
    c = customers.c
    agg = _stats_of(channel_shops, which_orders)
    values = dict(zip(_STAT_COLUMNS, (agg.c.n, agg.c.ok, agg.c.cx, agg.c.rt, agg.c.spent,
                                      agg.c["last"], agg.c["first"], agg.c.channels),
                      strict=True))  # fmt: skip
    changed = conn.execute(
        customers.update()
        .where(c.id == agg.c.cid, which_customers, _differs(values))
        .values(**values)
    ).rowcount
    zero = {k: v for k, v in CustomerStats().as_row().items() if k in _STAT_COLUMNS}
    no_orders = ~sa.exists().where(orders.c.customer_id == c.id)
    changed += conn.execute(
        customers.update().where(which_customers, _differs(zero), no_orders).values(**zero)
    ).rowcount
    return int(changed or 0)


def _apply_range(conn: sa.Connection, channel_shops: dict[str, list[int]], lo: int, hi: int) -> int:
    """Write the statistics of the customers with ids in [lo, hi] that are wrong."""
    return _apply_stats(conn, channel_shops, orders.c.customer_id.between(lo, hi),
                        customers.c.id.between(lo, hi))  # fmt: skip


def _channel_shops(conn: sa.Connection) -> dict[str, list[int]]:
    """The shops of each channel, channels in `Channel` order (the channels column's)."""
    by_channel: dict[str, list[int]] = {}
    for sid, channel in conn.execute(sa.select(shops.c.id, shops.c.channel)):
        by_channel.setdefault(Channel(channel).value, []).append(int(sid))
    return {ch.value: by_channel[ch.value] for ch in Channel if ch.value in by_channel}


#: When more than 1 in MANY_WRONG customers of a range were wrong, the rest of the rebuild
#: runs without the list indexes that hold statistics, and builds them again at the end:
#: rewriting 80,000 rows through six wide indexes costs more than building them anew.
MANY_WRONG = 4


def _id_ranges(first: int, last: int) -> Iterator[tuple[int, int]]:
    """[lo, hi] customer id ranges covering first..last: a small probe range first (whether
    many rows are wrong is known before the big ranges), then REBUILD_CUSTOMERS each."""
    lo, size = first, REBUILD_CUSTOMERS // 10
    while lo <= last:
        hi = min(lo + size - 1, last)
        yield lo, hi
        lo, size = hi + 1, REBUILD_CUSTOMERS


def _drop_stat_indexes(conn: sa.Connection) -> list[sa.Index]:
    """Drop the (non-unique) customer indexes that contain a statistics column."""
    wide = [ix for ix in customers.indexes
            if not ix.unique and any(col.name in _STAT_COLUMNS for col in ix.columns)]  # fmt: skip
    for index in wide:
        index.drop(conn)
    return wide


def rebuild_all_stats(ctx: ServiceContext, progress: Progress | None = None) -> RebuildReport:
    """Recompute every customer's statistics from the orders in one transaction (a cancel
    rolls it back): one aggregate UPDATE per customer id range, writing only the rows that
    are wrong. Gives exactly what `refresh_customer_stats` keeps incrementally;
    `updated_at` is left alone."""
    ctx.require(Module.CUSTOMERS)
    prog = progress or NullProgress()
    started = time.perf_counter()
    with ctx.uow(write=True) as session:  # no order written meanwhile goes uncounted
        conn = session.connection()
        channel_shops = _channel_shops(conn)
        bounds = conn.execute(sa.select(sa.func.min(customers.c.id),
                                        sa.func.max(customers.c.id))).one()  # fmt: skip
        changed = 0
        dropped: list[sa.Index] = []
        if bounds[0] is not None:
            first, last = int(bounds[0]), int(bounds[1])
            for lo, hi in _id_ranges(first, last):
                prog.check()
                n = _apply_range(conn, channel_shops, lo, hi)
                changed += n
                if not dropped and n * MANY_WRONG > hi - lo + 1:
                    dropped = _drop_stat_indexes(conn)
                prog.update(0.9 * (hi - first + 1) / (last - first + 1),
                            f"Customer statistics ({changed:,} corrected)")  # fmt: skip
        if dropped:
            prog.update(0.9, "Rebuilding the customer list indexes")
            for index in dropped:
                index.create(conn)
        total = int(conn.execute(sa.select(sa.func.count()).select_from(customers)).scalar_one())
        prog.check()
        seconds = time.perf_counter() - started
        summary = msg("Statistics rebuilt for {count} customers ({corrected} corrected) in "
                      "{seconds} s", count=total, corrected=changed,
                      seconds=f"{seconds:.1f}")  # fmt: skip
        ctx.audit(session, "customer.rebuild_stats", entity_type="customer", summary=summary)
    return RebuildReport(total, seconds, changed)
