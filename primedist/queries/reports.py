"""The dashboards' daily summaries: kept in step with the orders, and read per range.

Keeping them: `refresh_summaries(conn, order_ids)` runs in the transaction of every order
change (`services/order_effects.orders_changed`). The ledger `report_order_days` holds
the (shop, local day, customer) each order was summarised under; the refresh collects
the keys the orders were on and are on now, rewrites their ledger rows, then deletes and
recomputes those (shop, day) keys and those customers with INSERT … SELECT — a fixed
handful of statements whatever the number of orders (work tables hold the keys). The
day summaries read the days from the ledger, never recomputing the time-zone expression.
`rebuild_summaries(conn)` rewrites everything the same way over the whole tables.

A local day is the calendar day in the shop's time zone: in SQL, the UTC text plus the
zone's offset (a CASE over the offset changes for zones with daylight saving time); on
PostgreSQL, `created_at AT TIME ZONE zone`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.elements import ColumnElement

from primedist.core.clock import shop_tz
from primedist.db.engine import is_sqlite
from primedist.domain.base import table_of
from primedist.domain.enums import OrderStatus
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Variant
from primedist.domain.report import (
    FAR_FUTURE,
    FAR_PAST,
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
            lo, hi = 0, 86_400  # bisect to the second (changes fall on whole seconds)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (
                    (mid, hi)
                    if offset(at + timedelta(seconds=mid)) == changes[-1][1]
                    else (lo, mid)
                )
            changes.append((at + timedelta(seconds=hi), offset(at + timedelta(seconds=hi))))
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
            (created_at < start, sa.literal(f"{changes[i - 1][1]:+d} seconds"))
            for i, (start, _offset) in enumerate(changes)
            if i > 0
        ]
        modifier = sa.case(*whens, else_=sa.literal(f"{changes[-1][1]:+d} seconds"))
    return sa.type_coerce(sa.func.date(created_at, modifier), sa.Date)


def shop_zones(conn: sa.Connection) -> dict[int, str]:
    """Every shop's time zone name (empty = the default zone)."""
    rows = conn.execute(sa.select(shops_t.c.id, shops_t.c.timezone))
    return {int(sid): (tz or "") for sid, tz in rows}


# --------------------------------------------------------------------------- keeping them
#: Work tables of one refresh (per connection, emptied at its start): the orders it was
#: given, the (shop, day) keys and the customers to recompute.
_work = sa.MetaData()
touched_orders_t = sa.Table(
    "report_touched_orders",
    _work,
    sa.Column("order_id", sa.Integer, primary_key=True, autoincrement=False),
    prefixes=["TEMPORARY"],
)
touched_keys_t = sa.Table(
    "report_touched_keys",
    _work,
    sa.Column("shop_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("day", sa.Date, primary_key=True),
    prefixes=["TEMPORARY"],
)
touched_customers_t = sa.Table(
    "report_touched_customers",
    _work,
    sa.Column("customer_id", sa.Integer, primary_key=True, autoincrement=False),
    prefixes=["TEMPORARY"],
)
#: A series' buckets (first and last day), joined to the customer rows.
buckets_t = sa.Table(
    "report_buckets",
    _work,
    sa.Column("b_from", sa.Date, primary_key=True),
    sa.Column("b_to", sa.Date, nullable=False),
    prefixes=["TEMPORARY"],
)
_TOUCHED = (touched_orders_t, touched_keys_t, touched_customers_t)


def refresh_summaries(conn: sa.Connection, order_ids: Collection[int]) -> int:
    """Recompute the summaries of every (shop, day) these orders are or were on, and the
    customer rows of every customer they belong or belonged to.

    Set-based: a handful of statements whatever the number of orders. Returns how many
    (shop, day) keys were recomputed.
    """
    ids = sorted(set(order_ids))
    if not ids:
        return 0
    _start_work(conn, *_TOUCHED)
    conn.execute(touched_orders_t.insert(), [{"order_id": i} for i in ids])
    ledger, touched = order_days_t.c, sa.select(touched_orders_t.c.order_id)
    mine = ledger.order_id.in_(touched)
    # Where the orders were summarised before …
    _add_keys(conn, sa.select(ledger.shop_id, ledger.day).where(mine))
    _add_customers(conn, sa.select(ledger.customer_id).where(mine))
    # … and where they are now (deleted orders are simply gone from the ledger).
    conn.execute(order_days_t.delete().where(mine))
    o = orders_t.c
    conn.execute(
        order_days_t.insert().from_select(
            ["order_id", "shop_id", "day", "customer_id"],
            sa.select(
                o.id, o.shop_id, shops_day(conn, o.shop_id, o.created_at), o.customer_id
            ).where(o.id.in_(touched)),
        )  # fmt: skip
    )
    _add_keys(conn, sa.select(ledger.shop_id, ledger.day).where(mine))
    _add_customers(conn, sa.select(ledger.customer_id).where(mine))
    keys = sa.select(touched_keys_t.c.shop_id, touched_keys_t.c.day)
    for table in (daily_t, products_t, groups_t):
        conn.execute(table.delete().where(sa.tuple_(table.c.shop_id, table.c.day).in_(keys)))
    _fill_days(conn, sa.tuple_(ledger.shop_id, ledger.day).in_(keys))
    customers = sa.select(touched_customers_t.c.customer_id)
    conn.execute(customers_t.delete().where(customers_t.c.customer_id.in_(customers)))
    _fill_customers(conn, orders_t.c.customer_id.in_(customers))
    n = int(conn.execute(sa.select(sa.func.count()).select_from(touched_keys_t)).scalar_one())
    for table in _TOUCHED:
        conn.execute(table.delete())
    return n


def _start_work(conn: sa.Connection, *tables: sa.Table) -> None:
    """Create (first time on this connection) and empty work tables.

    On SQLite the temporary tables there are looked up first: DDL, even a CREATE … IF NOT
    EXISTS that does nothing, makes SQLite re-prepare every statement cached on the
    connection. (A flag on the connection would lie after a rollback of the transaction
    that created them.)
    """
    made = _temp_tables(conn)
    for table in tables:
        if table.name not in made:
            conn.execute(CreateTable(table, if_not_exists=True))
        conn.execute(table.delete())


def _temp_tables(conn: sa.Connection) -> set[str]:
    """The temporary tables this SQLite connection has (none known elsewhere)."""
    if not is_sqlite(conn):
        return set()
    found = conn.exec_driver_sql("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
    return {str(name) for (name,) in found}


def _add_keys(conn: sa.Connection, rows: sa.Select[Any]) -> None:
    """Add the (shop, day) rows of a SELECT to the keys to recompute (once each)."""
    new = rows.subquery()
    k = touched_keys_t.c
    known = sa.exists().where(k.shop_id == new.c.shop_id, k.day == new.c.day)
    conn.execute(
        touched_keys_t.insert().from_select(
            ["shop_id", "day"], sa.select(new.c.shop_id, new.c.day).where(~known).distinct()
        )
    )


def _add_customers(conn: sa.Connection, rows: sa.Select[Any]) -> None:
    """Add the customers of a SELECT (one column) to those to recompute (once each)."""
    new = rows.subquery()
    column = new.c[0]
    t = touched_customers_t.c
    known = sa.exists().where(t.customer_id == column)
    conn.execute(
        touched_customers_t.insert().from_select(
            ["customer_id"], sa.select(column).where(column.is_not(None), ~known).distinct()
        )
    )


def shops_day(
    conn: sa.Connection, shop_id: ColumnElement[Any], created_at: ColumnElement[Any]
) -> ColumnElement[date]:
    """The local day of an order in its shop's time zone (one CASE arm per zone used)."""
    by_zone: dict[str, list[int]] = {}
    for sid, zone in shop_zones(conn).items():
        by_zone.setdefault(_zone_key(zone), []).append(sid)
    default = _zone_key("")
    others = [(zone, sids) for zone, sids in by_zone.items() if zone != default]
    if not others:
        return local_day(conn, created_at, default)
    whens = [(shop_id.in_(sids), local_day(conn, created_at, zone)) for zone, sids in others]
    return sa.case(*whens, else_=local_day(conn, created_at, default))


def _zone_key(zone: str) -> str:
    """A zone's canonical name ("" and unknown names are the default zone)."""
    try:
        return str(shop_tz(zone).key)
    except ValueError:
        return str(shop_tz().key)


def _fill_days(conn: sa.Connection, keys: ColumnElement[bool] | None) -> None:
    """INSERT … SELECT the day/shop summaries of the ledger's orders (those on the
    (shop, day) keys `keys` selects, else all). The keys are an IN on the ledger's
    (shop_id, day) index: SQLite reads them first (no statistics on the work table)."""
    ledger, o = order_days_t.c, orders_t.c
    day, shop = ledger.day.label("day"), ledger.shop_id.label("shop_id")
    source = order_days_t.join(orders_t, o.id == ledger.order_id)
    counted = o.status.not_in(NOT_COUNTED)
    on_keys = [] if keys is None else [keys]

    if keys is None:  # all: from the orders' (shop, created_at, status, total) index alone
        local = shops_day(conn, o.shop_id, o.created_at)
        by_status = sa.select(o.shop_id, local, o.status, sa.func.count(), sa.func.sum(o.total))
        by_status = by_status.group_by(o.shop_id, local, o.status)
    else:
        by_status = (
            sa.select(shop, day, o.status, sa.func.count(), sa.func.sum(o.total))
            .select_from(source)
            .where(*on_keys)
            .group_by(ledger.shop_id, ledger.day, o.status)
        )
    conn.execute(
        daily_t.insert().from_select(["shop_id", "day", "status", "orders", "revenue"], by_status)
    )
    product = sa.func.coalesce(variants_t.c.product_id, NO_PRODUCT)
    conn.execute(
        products_t.insert().from_select(
            ["day", "shop_id", "product_id", "units", "revenue"],
            sa.select(
                day,
                shop,
                product,
                sa.func.sum(lines_t.c.quantity - lines_t.c.returned_quantity),
                sa.func.sum(lines_t.c.subtotal),
            )
            .select_from(
                source.join(lines_t, lines_t.c.order_id == o.id).outerjoin(
                    variants_t, variants_t.c.id == lines_t.c.variant_id
                )
            )
            .where(counted, *on_keys)
            .group_by(ledger.day, ledger.shop_id, product),
        )
    )
    # Both groupings from one pass over the orders: (day, shop, province, carrier) first.
    both = (
        sa.select(
            day, shop, o.province_code.label("province"), o.carrier.label("carrier"),
            sa.func.count().label("n"), sa.func.sum(o.total).label("revenue"),
        )
        .select_from(source)
        .where(counted, *on_keys)
        .group_by(ledger.day, ledger.shop_id, o.province_code, o.carrier)
        .cte("both_groups")
    )  # fmt: skip
    b = both.c

    def by(dim: str, column: ColumnElement[Any]) -> sa.Select[Any]:
        key = sa.func.coalesce(column, "")
        return sa.select(
            b.day, b.shop_id, sa.literal(dim), key, sa.func.sum(b.n), sa.func.sum(b.revenue)
        ).group_by(b.day, b.shop_id, key)

    conn.execute(
        groups_t.insert().from_select(
            ["day", "shop_id", "dim", "key", "orders", "revenue"],
            sa.union_all(by(PROVINCE, b.province), by(CARRIER, b.carrier)),
        )
    )


def _fill_customers(conn: sa.Connection, which: ColumnElement[bool] | None) -> None:
    """INSERT … SELECT the customer rows (with their neighbours' days) of the customers
    `which` selects among the orders (all when None)."""
    o = orders_t.c
    day = shops_day(conn, o.shop_id, o.created_at)
    where = [o.customer_id.is_not(None), o.status != OrderStatus.CANCELLED.value]
    if which is not None:
        where.append(which)
    per_day = (
        sa.select(
            o.customer_id.label("c"),
            day.label("d"),
            o.shop_id.label("s"),
            sa.func.count().label("n"),
        )
        .where(*where)
        .group_by(o.customer_id, day, o.shop_id)
        .subquery()
    )
    c, d, s = per_day.c.c, per_day.c.d, per_day.c.s

    def neighbour(fn: Any, default: date) -> ColumnElement[Any]:
        return sa.func.coalesce(
            fn(d).over(partition_by=c, order_by=(d, s)), sa.literal(default, sa.Date)
        )

    conn.execute(
        customers_t.insert().from_select(
            ["customer_id", "day", "shop_id", "orders", "prev_day", "next_day"],
            sa.select(
                c,
                d,
                s,
                per_day.c.n,
                neighbour(sa.func.lag, FAR_PAST),
                neighbour(sa.func.lead, FAR_FUTURE),
            ),
        )  # fmt: skip
    )


def rebuild_summaries(conn: sa.Connection) -> None:
    """Rewrite every summary (and the order → day ledger) from the orders: a few
    INSERT … SELECT over the whole tables, their secondary indexes built afterwards."""
    tables = (*SUMMARY_TABLES, order_days_t)
    for table in tables:
        conn.execute(table.delete())
    indexes = [index for table in tables for index in table.indexes]
    for index in indexes:
        index.drop(conn, checkfirst=True)
    o = orders_t.c
    conn.execute(
        order_days_t.insert().from_select(
            ["order_id", "shop_id", "day", "customer_id"],
            sa.select(o.id, o.shop_id, shops_day(conn, o.shop_id, o.created_at), o.customer_id),
        )
    )
    _fill_days(conn, None)
    _fill_customers(conn, None)
    for index in indexes:
        index.create(conn)


def refresh_shop(conn: sa.Connection, shop_id: int) -> int:
    """Recompute every summary of one shop's orders (after its time zone changed, which
    moves its orders to other local days). Returns the number of orders."""
    ids = list(
        conn.execute(sa.select(orders_t.c.id).where(orders_t.c.shop_id == shop_id)).scalars()
    )
    refresh_summaries(conn, ids)
    return len(ids)


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


def _totals_by(
    conn: sa.Connection,
    w: Window,
    key: ColumnElement[Any],
    values: Sequence[ColumnElement[Any]],
    extra: Sequence[ColumnElement[bool]] = (),
    *,
    previous: bool = True,
) -> dict[Any, tuple[int, ...]]:
    """key → the sums of `values` over the range followed by those over the previous
    period (zeros when `previous` is False). One GROUP BY per period: summing only the
    period's rows costs far less per row than splitting every row with CASE."""
    table = key.table
    periods = [(w.date_from, w.date_to)] + ([(w.prev_from, w.prev_to)] if previous else [])
    found: list[dict[Any, tuple[int, ...]]] = []
    for first, last in periods:
        period = Window(first, last, first, last, w.shop_ids)
        where = [*_scan_where(conn, period, table, previous=False), *extra]
        stmt = sa.select(key, *(sa.func.sum(v) for v in values)).where(*where).group_by(key)
        found.append({k: tuple(int(x or 0) for x in sums) for k, *sums in conn.execute(stmt)})
    zero = (0,) * len(values)
    cur, prev = found[0], found[1] if previous else {}
    return {k: (*cur.get(k, zero), *prev.get(k, zero)) for k in cur.keys() | prev.keys()}


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
    totals = _totals_by(conn, w, p.product_id, [p.units, p.revenue], previous=previous)
    return [(int(pid), *values) for pid, values in totals.items()]  # type: ignore[misc]


def group_totals(conn: sa.Connection, w: Window, dim: str) -> list[tuple[str, int, int, int, int]]:
    """(key, orders, revenue, previous orders, previous revenue) per province/carrier."""
    g = groups_t.c
    totals = _totals_by(conn, w, g.key, [g.orders, g.revenue], [_dim_is(conn, w, dim)])
    return [(str(key), *values) for key, values in totals.items()]  # type: ignore[misc]


def _dim_is(conn: sa.Connection, w: Window, dim: str) -> ColumnElement[bool]:
    """`dim = ?`; for a short range on SQLite with a unary + (the days' primary-key range
    is narrower than the grouping's whole index)."""
    if w.days < LONG_RANGE_DAYS and is_sqlite(conn):
        return sa.literal_column(f"+{groups_t.name}.dim") == dim
    return groups_t.c.dim == dim


#: From this many days a range is read in the order of the GROUP BY key (the whole
#: index, no sort); shorter ones read their days from the primary key and sort them.
LONG_RANGE_DAYS = 45


def _count_if(cond: ColumnElement[bool]) -> ColumnElement[Any]:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


def repeat_counts(conn: sa.Connection, w: Window) -> tuple[int, int, int, int]:
    """(buyers, repeat buyers, previous buyers, previous repeat buyers): customers with
    ≥ 1 and with ≥ 2 non-cancelled orders in each period, on the window's shops."""
    if not _all_shops(conn, w.shop_ids):
        return _repeat_counts_grouped(conn, w)
    c = customers_t.c
    figures: list[int] = []
    for first, last in ((w.date_from, w.date_to), (w.prev_from, w.prev_to)):
        # The customers' first rows in the period: one per buyer.
        where = [c.day.between(first, last), c.prev_day < first]
        stmt = sa.select(sa.func.count(), _count_if(_repeats(last))).where(*where)
        buyers, repeat = conn.execute(stmt).one()
        figures += [int(buyers), int(repeat)]
    return figures[0], figures[1], figures[2], figures[3]


def _repeats(last: Any) -> ColumnElement[bool]:
    """The customer of a period's first row bought again on or before `last`."""
    return sa.or_(customers_t.c.orders >= 2, customers_t.c.next_day <= last)


def _all_shops(conn: sa.Connection, shop_ids: Sequence[int]) -> bool:
    """No shop chosen, or every shop: the customer rows' neighbour days answer."""
    if not shop_ids:
        return True
    total = int(conn.execute(sa.select(sa.func.count()).select_from(shops_t)).scalar_one())
    return len(set(shop_ids)) >= total


def _repeat_counts_grouped(conn: sa.Connection, w: Window) -> tuple[int, int, int, int]:
    """`repeat_counts` for several (not all) shops: orders per customer per period."""
    c = customers_t.c
    cur, prev = w.split(customers_t, c.orders)
    per_customer = (
        sa.select(cur.label("cur"), prev.label("prev"))
        .where(*_scan_where(conn, w, customers_t))
        .group_by(c.customer_id)
        .subquery()
    )
    s = per_customer.c
    row = conn.execute(
        sa.select(
            _count_if(s.cur >= 1),
            _count_if(s.cur >= 2),
            _count_if(s.prev >= 1),
            _count_if(s.prev >= 2),
        )  # fmt: skip
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def repeat_by_bucket(
    conn: sa.Connection, w: Window, spans: Sequence[tuple[date, date]]
) -> dict[date, tuple[int, int]]:
    """(buyers, repeat buyers) per bucket (first day → its figures) of the current range;
    buckets without buyers are left out."""
    if not spans:
        return {}
    _start_work(conn, buckets_t)
    conn.execute(buckets_t.insert(), [{"b_from": a, "b_to": z} for a, z in spans])
    b = buckets_t
    c = customers_t.c
    inside = c.day.between(b.c.b_from, b.c.b_to)
    if not _all_shops(conn, w.shop_ids):
        per_customer = (
            sa.select(b.c.b_from.label("start"), sa.func.sum(c.orders).label("n"))
            .select_from(b.join(customers_t, inside))
            .where(c.shop_id.in_(w.shop_ids))
            .group_by(b.c.b_from, c.customer_id)
            .subquery()
        )
        s = per_customer.c
        stmt = sa.select(s.start, sa.func.count(), _count_if(s.n >= 2)).group_by(s.start)
    else:
        stmt = (
            sa.select(b.c.b_from, sa.func.count(), _count_if(_repeats(b.c.b_to)))
            .select_from(b.join(customers_t, sa.and_(inside, c.prev_day < b.c.b_from)))
            .group_by(b.c.b_from)
        )
    return {_as_date(start): (int(n), int(r)) for start, n, r in conn.execute(stmt)}


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


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
