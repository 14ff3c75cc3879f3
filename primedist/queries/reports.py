"""The dashboards' daily summaries: kept in step with the orders, and read per range.

Keeping them: `refresh_summaries(conn, order_ids)` runs in the transaction of every order
change (`services/order_effects.orders_changed`). It finds the (shop, local day) keys of
the orders — the day they are placed on now, and the day they were summarised under
before (`report_order_days`), in case an import moved an order's date — deletes those
keys' rows and recomputes them from the orders with INSERT … SELECT, one statement per
table and run of consecutive days. `rebuild_summaries(conn)` rewrites everything.

A local day is the calendar day in the shop's time zone: in SQL, the UTC text plus the
zone's offset (a CASE over the offset changes for zones with daylight saving time); on
PostgreSQL, `created_at AT TIME ZONE zone`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from primedist.core.clock import local_day_bounds_utc, shop_tz
from primedist.db.engine import db_timestamp, is_sqlite
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.enums import OrderStatus
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Variant
from primedist.domain.report import (
    NO_PRODUCT,
    DailyCustomers,
    DailyGroups,
    DailyOrders,
    DailyProducts,
    SummarizedOrder,
)
from primedist.domain.shop import Shop

orders_t = table_of(Order)
lines_t = table_of(OrderLine)
variants_t = table_of(Variant)
shops_t = table_of(Shop)
daily_t = table_of(DailyOrders)
products_t = table_of(DailyProducts)
groups_t = table_of(DailyGroups)
customers_t = table_of(DailyCustomers)
order_days_t = table_of(SummarizedOrder)

SUMMARY_TABLES = (daily_t, products_t, groups_t, customers_t)

#: Statuses whose orders are not revenue (README § Metric definitions).
NOT_COUNTED = (
    OrderStatus.CANCELLED.value,
    OrderStatus.RETURN_REFUND.value,
    OrderStatus.RETURNED.value,
)
#: The groupings of report_daily_groups.
PROVINCE, CARRIER = "province", "carrier"
#: Runs of consecutive days recomputed per statement (keeps the OR list short).
_RUNS_PER_STATEMENT = 40


# --------------------------------------------------------------------------- local days
@cache
def _offset_changes(zone: str) -> tuple[tuple[datetime, int], ...]:
    """(UTC instant, offset in seconds from then on) for 2000-2060, first entry at 2000."""
    tz = shop_tz(zone)

    def offset(at: datetime) -> int:
        delta = at.astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    at = datetime(2000, 1, 1, tzinfo=UTC)
    changes = [(at, offset(at))]
    step = timedelta(days=1)
    while at.year < 2060:
        nxt = at + step
        if offset(nxt) != changes[-1][1]:
            lo, hi = at, nxt  # bisect to the minute
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if offset(mid) == changes[-1][1] else (lo, mid)
            changes.append((hi, offset(hi)))
        at = nxt
    return tuple(changes)


def local_day(
    conn: sa.Connection, created_at: ColumnElement[Any], zone: str
) -> ColumnElement[date]:
    """The local calendar day (a DATE) of a UTC timestamp column in a time zone."""
    if not is_sqlite(conn):
        return sa.cast(sa.func.timezone(zone, created_at), sa.Date)
    changes = _offset_changes(zone)
    if len(changes) == 1:
        modifier: ColumnElement[Any] = sa.literal(f"{changes[0][1]:+d} seconds")
    else:
        whens = [
            (created_at < db_timestamp(conn, start), sa.literal(f"{changes[i - 1][1]:+d} seconds"))
            for i, (start, _offset) in enumerate(changes)
            if i > 0
        ]
        modifier = sa.case(*whens, else_=sa.literal(f"{changes[-1][1]:+d} seconds"))
    return sa.type_coerce(sa.func.date(created_at, modifier), sa.Date)


def shop_zones(conn: sa.Connection) -> dict[int, str]:
    """Every shop's time zone name (empty = the default zone)."""
    rows = conn.execute(sa.select(shops_t.c.id, shops_t.c.timezone))
    return {int(sid): (tz or "") for sid, tz in rows}


def day_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Consecutive days merged into inclusive (first, last) runs, in order."""
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# --------------------------------------------------------------------------- keeping them
def refresh_summaries(conn: sa.Connection, order_ids: Collection[int]) -> int:
    """Recompute the summaries of every (shop, day) these orders are or were on.

    Returns how many (shop, day) keys were recomputed.
    """
    ids = sorted(set(order_ids))
    if not ids:
        return 0
    zones = shop_zones(conn)
    keys: dict[int, set[date]] = {}
    moved: list[dict[str, Any]] = []
    gone: list[int] = []
    for chunk in chunks(ids):
        old = {
            oid: (sid, day)
            for oid, sid, day in conn.execute(
                sa.select(
                    order_days_t.c.order_id, order_days_t.c.shop_id, order_days_t.c.day
                ).where(order_days_t.c.order_id.in_(chunk))
            )
        }
        for oid, sid, day in _current_days(conn, chunk, zones):
            keys.setdefault(sid, set()).add(day)
            was = old.pop(oid, None)
            if was != (sid, day):
                moved.append({"order_id": oid, "shop_id": sid, "day": day})
            if was is not None and was != (sid, day):
                keys.setdefault(was[0], set()).add(was[1])
                gone.append(oid)
        for oid, (sid, day) in old.items():  # summarised, now deleted
            keys.setdefault(sid, set()).add(day)
            gone.append(oid)
    for chunk in chunks(gone):
        conn.execute(order_days_t.delete().where(order_days_t.c.order_id.in_(chunk)))
    if moved:
        conn.execute(order_days_t.insert(), moved)
    for sid, days in keys.items():
        _recompute(conn, sid, zones.get(sid, ""), day_runs(days))
    return sum(len(days) for days in keys.values())


def _current_days(
    conn: sa.Connection, ids: Sequence[int], zones: dict[int, str]
) -> Iterator[tuple[int, int, date]]:
    """(order id, shop id, local day) of these orders as stored now."""
    o = orders_t.c
    by_zone: dict[str, list[int]] = {}
    for sid, zone in zones.items():
        by_zone.setdefault(zone, []).append(sid)
    for zone, shop_ids in by_zone.items():
        stmt = sa.select(o.id, o.shop_id, local_day(conn, o.created_at, zone)).where(o.id.in_(ids))
        if len(by_zone) > 1:
            stmt = stmt.where(o.shop_id.in_(shop_ids))
        for oid, sid, day in conn.execute(stmt):
            yield int(oid), int(sid), day


def _recompute(
    conn: sa.Connection, shop_id: int, zone: str, runs: Sequence[tuple[date, date]]
) -> None:
    """Delete and rebuild the rows of one shop on these runs of days."""
    tz = shop_tz(zone)
    for batch in chunks(list(runs), _RUNS_PER_STATEMENT):
        for table in SUMMARY_TABLES:
            conn.execute(
                table.delete().where(
                    table.c.shop_id == shop_id,
                    sa.or_(*(table.c.day.between(first, last) for first, last in batch)),
                )
            )
        window = sa.or_(
            *(
                sa.and_(
                    orders_t.c.created_at >= local_day_bounds_utc(first, tz)[0],
                    orders_t.c.created_at < local_day_bounds_utc(last, tz)[1],
                )
                for first, last in batch
            )
        )
        _fill(conn, shop_id, zone, window)


def _fill(conn: sa.Connection, shop_id: int, zone: str, window: ColumnElement[bool] | None) -> None:
    """INSERT … SELECT every summary of one shop's orders (within `window` if given)."""
    o = orders_t.c
    day = local_day(conn, o.created_at, zone).label("day")
    where: list[ColumnElement[bool]] = [o.shop_id == shop_id]
    if window is not None:
        where.append(window)
    counted = o.status.not_in(NOT_COUNTED)
    sid = sa.literal(shop_id, sa.Integer).label("shop_id")

    conn.execute(
        daily_t.insert().from_select(
            ["shop_id", "day", "status", "orders", "revenue"],
            sa.select(sid, day, o.status, sa.func.count(), sa.func.sum(o.total))
            .where(*where)
            .group_by(day, o.status),
        )
    )
    product = sa.func.coalesce(variants_t.c.product_id, NO_PRODUCT)
    conn.execute(
        products_t.insert().from_select(
            ["day", "shop_id", "product_id", "units", "revenue"],
            sa.select(
                day,
                sid,
                product,
                sa.func.sum(lines_t.c.quantity - lines_t.c.returned_quantity),
                sa.func.sum(lines_t.c.subtotal),
            )
            .select_from(
                orders_t.join(lines_t, lines_t.c.order_id == o.id).outerjoin(
                    variants_t, variants_t.c.id == lines_t.c.variant_id
                )
            )
            .where(*where, counted)
            .group_by(day, product),
        )
    )
    for dim, column in ((PROVINCE, o.province_code), (CARRIER, o.carrier)):
        key = sa.func.coalesce(column, "")
        conn.execute(
            groups_t.insert().from_select(
                ["day", "shop_id", "dim", "key", "orders", "revenue"],
                sa.select(day, sid, sa.literal(dim), key, sa.func.count(), sa.func.sum(o.total))
                .where(*where, counted)
                .group_by(day, key),
            )
        )
    conn.execute(
        customers_t.insert().from_select(
            ["customer_id", "day", "shop_id", "orders"],
            sa.select(o.customer_id, day, sid, sa.func.count())
            .where(
                *where,
                o.customer_id.is_not(None),
                o.status != OrderStatus.CANCELLED.value,
            )
            .group_by(o.customer_id, day),
        )
    )


def rebuild_summaries(conn: sa.Connection) -> None:
    """Rewrite every summary (and the order → day ledger) from the orders."""
    for table in (*SUMMARY_TABLES, order_days_t):
        conn.execute(table.delete())
    o = orders_t.c
    for sid, zone in shop_zones(conn).items():
        _fill(conn, sid, zone, None)
        conn.execute(
            order_days_t.insert().from_select(
                ["order_id", "shop_id", "day"],
                sa.select(o.id, o.shop_id, local_day(conn, o.created_at, zone)).where(
                    o.shop_id == sid
                ),
            )
        )


# --------------------------------------------------------------------------- reading them
@dataclass(frozen=True)
class Window:
    """The range asked for and the previous period of the same length, local days (both
    ends included), over some shops (empty = every shop)."""

    date_from: date
    date_to: date
    prev_from: date
    prev_to: date
    shop_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, date_from: date, date_to: date, shop_ids: Iterable[int] = ()) -> Window:
        days = (date_to - date_from).days + 1
        prev_to = date_from - timedelta(days=1)
        return cls(
            date_from,
            date_to,
            prev_to - timedelta(days=days - 1),
            prev_to,
            tuple(sorted(set(shop_ids))),
        )

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def where(self, table: sa.Table, *, previous: bool = True) -> list[ColumnElement[bool]]:
        """Rows of both periods (or of the current one only) and of the shops."""
        start = self.prev_from if previous else self.date_from
        out: list[ColumnElement[bool]] = [table.c.day.between(start, self.date_to)]
        if self.shop_ids:
            out.append(table.c.shop_id.in_(self.shop_ids))
        return out

    def split(self, table: sa.Table, column: ColumnElement[Any]) -> tuple[Any, Any]:
        """sum(column) over the current period, and over the previous one."""
        current = table.c.day >= self.date_from
        return (
            sa.func.coalesce(sa.func.sum(sa.case((current, column), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((current, 0), else_=column)), 0),
        )


def _scan_where(
    conn: sa.Connection, w: Window, table: sa.Table, *, previous: bool = True
) -> list[ColumnElement[bool]]:
    """As `Window.where`; for a long range on SQLite a unary + keeps the day off the
    primary key, so the scan walks the index led by the GROUP BY key (rows come out
    grouped, no sort); short ranges read their days from the primary key and sort."""
    out = w.where(table, previous=previous)
    if w.days >= LONG_RANGE_DAYS and is_sqlite(conn):
        start = w.prev_from if previous else w.date_from
        day: ColumnElement[Any] = sa.literal_column(f"+{table.name}.day")
        out[0] = day.between(start, w.date_to)
    return out


def orders_by_shop_status(
    conn: sa.Connection, w: Window
) -> list[tuple[int, str, int, int, int, int]]:
    """(shop, status, orders, revenue, previous orders, previous revenue) rows."""
    d = daily_t.c
    n, pn = w.split(daily_t, d.orders)
    r, pr = w.split(daily_t, d.revenue)
    stmt = sa.select(d.shop_id, d.status, n, r, pn, pr).where(*w.where(daily_t))
    stmt = stmt.group_by(d.shop_id, d.status)
    return [
        (int(a), str(b), int(c), int(e), int(f), int(g)) for a, b, c, e, f, g in conn.execute(stmt)
    ]


def product_totals(
    conn: sa.Connection, w: Window, *, previous: bool = True
) -> list[tuple[int, int, int, int, int]]:
    """(product, units, revenue, previous units, previous revenue) of every product sold."""
    p = products_t.c
    u, pu = w.split(products_t, p.units)
    r, pr = w.split(products_t, p.revenue)
    stmt = (
        sa.select(p.product_id, u, r, pu, pr)
        .where(*_scan_where(conn, w, products_t, previous=previous))
        .group_by(p.product_id)
    )
    return [(int(a), int(b), int(c), int(e), int(f)) for a, b, c, e, f in conn.execute(stmt)]


def group_totals(conn: sa.Connection, w: Window, dim: str) -> list[tuple[str, int, int, int, int]]:
    """(key, orders, revenue, previous orders, previous revenue) per province/carrier."""
    g = groups_t.c
    n, pn = w.split(groups_t, g.orders)
    r, pr = w.split(groups_t, g.revenue)
    where = [*_scan_where(conn, w, groups_t), _dim_is(conn, w, dim)]
    stmt = sa.select(g.key, n, r, pn, pr).where(*where).group_by(g.key)
    return [(str(a), int(b), int(c), int(e), int(f)) for a, b, c, e, f in conn.execute(stmt)]


def _dim_is(conn: sa.Connection, w: Window, dim: str) -> ColumnElement[bool]:
    """`dim = ?`; for a short range on SQLite with a unary + (the days' primary-key range
    is narrower than the grouping's whole index)."""
    if w.days < LONG_RANGE_DAYS and is_sqlite(conn):
        return sa.literal_column(f"+{groups_t.name}.dim") == dim
    return groups_t.c.dim == dim


#: From this many days a repeat-rate range is read in customer order (the whole table,
#: no sort); shorter ones read their days from the (day, shop) index and sort them.
LONG_RANGE_DAYS = 45


def repeat_counts(conn: sa.Connection, w: Window) -> tuple[int, int, int, int]:
    """(buyers, repeat buyers, previous buyers, previous repeat buyers): customers with
    ≥ 1 and with ≥ 2 non-cancelled orders in each period."""
    c = customers_t.c
    cur, prev = w.split(customers_t, c.orders)
    # Long ranges walk the primary key, already in customer order.
    where = _scan_where(conn, w, customers_t)
    per_customer = (
        sa.select(cur.label("cur"), prev.label("prev"))
        .where(*where)
        .group_by(c.customer_id)
        .subquery()
    )
    s = per_customer.c

    def count_if(cond: ColumnElement[bool]) -> ColumnElement[Any]:
        return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)

    row = conn.execute(
        sa.select(
            count_if(s.cur >= 1), count_if(s.cur >= 2), count_if(s.prev >= 1), count_if(s.prev >= 2)
        )  # fmt: skip
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def daily_values(
    conn: sa.Connection, w: Window, metric: str, key: str | None = None
) -> list[tuple[date, int]]:
    """(day, value) of a metric over the current range (days without any are left out).

    Metrics: revenue, orders (counted), new_orders (all), units; with `key`:
    province/carrier revenue (`province`, `carrier`) and product units (`product`).
    """
    extra: list[ColumnElement[bool]]
    if metric in ("revenue", "orders", "new_orders"):
        table, d = daily_t, daily_t.c
        column = d.revenue if metric == "revenue" else d.orders
        extra = [] if metric == "new_orders" else [d.status.not_in(NOT_COUNTED)]
    elif metric in ("units", "product"):
        table, d = products_t, products_t.c
        column = d.units
        extra = [] if key is None else [d.product_id == int(key)]
    elif metric in (PROVINCE, CARRIER):
        table, d = groups_t, groups_t.c
        column = d.revenue
        extra = [d.dim == metric] if key is not None else [_dim_is(conn, w, metric)]
        extra += [] if key is None else [d.key == key]
    else:
        raise ValueError(f"unknown metric {metric!r}")
    stmt = (
        sa.select(d.day, sa.func.sum(column))
        .where(*w.where(table, previous=False), *extra)
        .group_by(d.day)
        .order_by(d.day)
    )
    return [(day, int(v or 0)) for day, v in conn.execute(stmt)]


def customer_days(conn: sa.Connection, w: Window) -> list[tuple[int, date, int]]:
    """(customer, day, non-cancelled orders) rows of the current range, by customer."""
    c = customers_t.c
    stmt = (
        sa.select(c.customer_id, c.day, sa.func.sum(c.orders))
        .where(*w.where(customers_t, previous=False))
        .group_by(c.customer_id, c.day)
    )
    return [(int(a), b, int(n)) for a, b, n in conn.execute(stmt)]
