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
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement

from primedist.core.clock import shop_tz
from primedist.db.engine import is_sqlite
from primedist.db.work_tables import fill_ids, start_work
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
    SummarizedOrderProduct,
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
order_products_t = table_of(SummarizedOrderProduct)

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
#: Work tables (temporary, per connection, emptied before use). A refresh: the orders it
#: was given, their contributions now, and the change of each summary row.
_work = sa.MetaData()


def _temp(name: str, *columns: sa.Column[Any]) -> sa.Table:
    return sa.Table(name, _work, *columns, prefixes=["TEMPORARY"])


def _key(name: str, type_: Any = sa.Integer) -> sa.Column[Any]:
    return sa.Column(name, type_, primary_key=True, autoincrement=False)


def _value(name: str, type_: Any = sa.Integer) -> sa.Column[Any]:
    return sa.Column(name, type_, nullable=False)


touched_orders_t = _temp("report_touched_orders", _key("order_id"))
#: The orders' ledger rows as they were before this refresh.
old_days_t = _temp(
    "report_old_days", _key("order_id"), _value("shop_id"), _value("day", sa.Date),
    sa.Column("customer_id", sa.Integer), _value("status", sa.String(20)),
    _value("total", sa.BigInteger), _value("province", sa.String(8)),
    _value("carrier", sa.String(60)),
)  # fmt: skip
old_products_t = _temp(
    "report_old_products", _key("order_id"), _key("product_id"), _value("units"),
    _value("revenue", sa.BigInteger), _value("profit", sa.BigInteger),
    _value("no_cost_revenue", sa.BigInteger),
)  # fmt: skip
delta_daily_t = _temp(
    "report_delta_daily", _key("shop_id"), _key("day", sa.Date), _key("status", sa.String(20)),
    _value("orders"), _value("revenue", sa.BigInteger),
)  # fmt: skip
delta_products_t = _temp(
    "report_delta_products", _key("day", sa.Date), _key("shop_id"), _key("product_id"),
    _value("units"), _value("revenue", sa.BigInteger), _value("orders"),
    _value("profit", sa.BigInteger), _value("no_cost_revenue", sa.BigInteger),
)  # fmt: skip
delta_groups_t = _temp(
    "report_delta_groups", _key("day", sa.Date), _key("shop_id"), _key("dim", sa.String(10)),
    _key("key", sa.String(60)), _value("orders"), _value("revenue", sa.BigInteger),
)  # fmt: skip
delta_customers_t = _temp(
    "report_delta_customers", _key("customer_id"), _key("day", sa.Date), _key("shop_id"),
    _value("orders"),
)  # fmt: skip
#: The new rows (with their neighbour days) of the customers whose rows changed.
neighbours_t = _temp(
    "report_neighbours", _key("customer_id"), _key("day", sa.Date), _key("shop_id"),
    _value("orders"), _value("prev_day", sa.Date), _value("next_day", sa.Date),
)  # fmt: skip
#: A series' buckets (first and last day), joined to the customer rows.
buckets_t = _temp("report_buckets", _key("b_from", sa.Date), _value("b_to", sa.Date))
_REFRESH_WORK = (touched_orders_t, old_days_t, old_products_t, delta_daily_t,
                 delta_products_t, delta_groups_t, delta_customers_t, neighbours_t)  # fmt: skip
#: summary table → (its delta table, the key columns, the count that empties a row).
_DELTAS = (
    (daily_t, delta_daily_t, ("shop_id", "day", "status"), "orders"),
    (products_t, delta_products_t, ("day", "shop_id", "product_id"), "orders"),
    (groups_t, delta_groups_t, ("day", "shop_id", "dim", "key"), "orders"),
    (customers_t, delta_customers_t, ("customer_id", "day", "shop_id"), "orders"),
)
_DELTA_OF = {summary.name: delta for summary, delta, _keys, _count in _DELTAS}


def refresh_summaries(conn: sa.Connection, order_ids: Collection[int]) -> int:
    """Move the summaries by what these orders add now minus what they added when last
    summarised (the ledgers `report_order_days` / `report_order_products`).

    Set-based and proportional to the orders: their old ledger rows are set aside, the
    new ones written with one INSERT … SELECT each; each summary's change per row (old
    rows subtracted, new ones added, GROUP BY) goes to a work table and is applied with
    one upsert, rows fallen to 0 orders deleted. The customers whose rows changed have
    their rows rewritten with the neighbour days recomputed from those rows alone.
    Returns how many (shop, day) keys' order counts or revenue changed.

    When the orders are at least half of all orders (a first big import or sync), all
    summaries are rebuilt instead (`rebuild_summaries`): one pass over every order costs
    less than taking these orders' old contributions out and the new ones in (the
    figure returned is then the (shop, day) keys these orders count on now).
    """
    ids = sorted(set(order_ids))
    if not ids:
        return 0
    if _rebuild_is_cheaper(conn, len(ids)):
        return _rebuild_for(conn, ids)
    start_work(conn, *_REFRESH_WORK)
    fill_ids(conn, touched_orders_t, ids)
    touched = sa.select(touched_orders_t.c.order_id)
    mine_days = order_days_t.c.order_id.in_(touched)
    mine_products = order_products_t.c.order_id.in_(touched)
    for ledger, old, mine in ((order_days_t, old_days_t, mine_days),
                              (order_products_t, old_products_t, mine_products)):  # fmt: skip
        names = [c.name for c in old.c]
        conn.execute(old.insert().from_select(names, sa.select(*ledger.c).where(mine)))
        conn.execute(ledger.delete().where(mine))
    conn.execute(order_days_t.insert().from_select(_LEDGER_COLUMNS, _order_rows(conn, touched)))
    conn.execute(
        order_products_t.insert().from_select(
            _PRODUCT_COLUMNS, _product_rows(order_days_t, mine_days)
        )  # fmt: skip
    )
    for summary, delta, keys, count in _DELTAS:
        old_rows = _contributions(summary, old_days_t, old_products_t, -1)
        new_rows = _contributions(
            summary, order_days_t, order_products_t, 1, mine_days, mine_products
        )  # fmt: skip
        _sum_delta(conn, delta, len(keys), sa.union_all(*old_rows, *new_rows).subquery())
        if summary is customers_t:
            _rewrite_customers(conn)
        else:
            _add_delta(conn, summary, delta, keys, count)
    d = delta_daily_t.c
    moved = sa.select(d.shop_id, d.day).distinct().subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(moved)).scalar_one())


#: Fewest orders for which a refresh may rebuild the summaries instead.
REBUILD_MIN_ORDERS = 10_000


def _rebuild_is_cheaper(conn: sa.Connection, changed: int) -> bool:
    if changed < REBUILD_MIN_ORDERS:
        return False
    held = int(conn.execute(sa.select(sa.func.count()).select_from(orders_t)).scalar_one())
    return changed * 2 >= held


def _rebuild_for(conn: sa.Connection, ids: list[int]) -> int:
    """`rebuild_summaries`, then the (shop, day) keys these orders count on now."""
    rebuild_summaries(conn)
    start_work(conn, touched_orders_t)
    fill_ids(conn, touched_orders_t, ids)
    days = order_days_t.c
    theirs = sa.select(days.shop_id, days.day).where(
        days.order_id.in_(sa.select(touched_orders_t.c.order_id))
    )
    keys = theirs.distinct().subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(keys)).scalar_one())


_LEDGER_COLUMNS = ["order_id", "shop_id", "day", "customer_id", "status", "total",
                   "province", "carrier"]  # fmt: skip
_PRODUCT_COLUMNS = ["order_id", "product_id", "units", "revenue", "profit", "no_cost_revenue"]


def _order_rows(conn: sa.Connection, which: sa.Select[Any] | None) -> sa.Select[Any]:
    """The ledger rows of the orders (those `which` selects by id, else all)."""
    o = orders_t.c
    stmt = sa.select(
        o.id, o.shop_id, shops_day(conn, o.shop_id, o.created_at), o.customer_id, o.status,
        o.total, sa.func.coalesce(o.province_code, ""), sa.func.coalesce(o.carrier, ""),
    )  # fmt: skip
    return stmt if which is None else stmt.where(o.id.in_(which))


def _product_rows(days: sa.Table, which: ColumnElement[bool] | None = None) -> sa.Select[Any]:
    """What the lines of the counted orders listed in `days` (those `which` selects)
    add per product: the units kept, their revenue (`kept_revenue`), gross profit and the
    revenue of the lines with no unit cost."""
    n, ol = days.c, lines_t.c
    product = sa.func.coalesce(variants_t.c.product_id, NO_PRODUCT)
    kept = ol.quantity - ol.returned_quantity
    return (
        sa.select(n.order_id, product, sa.func.sum(kept), sa.func.sum(kept_revenue(ol)),
                  sa.func.sum(kept_profit(ol)), sa.func.sum(no_cost_revenue(ol)))
        .select_from(days.join(lines_t, ol.order_id == n.order_id)
                     .outerjoin(variants_t, variants_t.c.id == ol.variant_id))
        .where(n.status.not_in(NOT_COUNTED), *([] if which is None else [which]))
        .group_by(n.order_id, product)
    )  # fmt: skip


def kept_revenue(ol: Any) -> ColumnElement[int]:
    """What a line's units kept brought in: the subtotal's share of them (integer
    division, as money has no fractions); 0 once every unit came back."""
    revenue: ColumnElement[int] = ol.subtotal * (ol.quantity - ol.returned_quantity) // ol.quantity
    return revenue


def kept_profit(ol: Any) -> ColumnElement[int]:
    """A line's gross profit on the units kept: their revenue (`kept_revenue`) − those
    units × the line's unit cost."""
    kept = ol.quantity - ol.returned_quantity
    profit: ColumnElement[int] = kept_revenue(ol) - kept * sa.func.coalesce(ol.unit_cost, 0)
    return profit


def no_cost_revenue(ol: Any) -> ColumnElement[int]:
    """`kept_revenue` of a line with no unit cost (0 or not costed yet), else 0: revenue
    its gross profit takes whole."""
    revenue: ColumnElement[int] = sa.case(
        (sa.func.coalesce(ol.unit_cost, 0) == 0, kept_revenue(ol)), else_=0
    )
    return revenue


def _contributions(
    summary: sa.Table,
    days: sa.Table,
    products: sa.Table,
    sign: int,
    on_days: ColumnElement[bool] | None = None,
    on_products: ColumnElement[bool] | None = None,
) -> list[sa.Select[Any]]:
    """One row per order (per order and product, per order and grouping) of what the
    ledgers `days` / `products` add to `summary`, times `sign`, in its delta's columns."""
    d = days.c
    one: ColumnElement[int] = sa.literal_column(str(sign), sa.Integer)

    def signed(column: ColumnElement[int]) -> ColumnElement[int]:
        return column if sign > 0 else -column

    def arm(*columns: ColumnElement[Any]) -> sa.Select[Any]:
        names = [c.name for c in _DELTA_OF[summary.name].c]
        return sa.select(*(c.label(n) for c, n in zip(columns, names, strict=True)))

    where = [] if on_days is None else [on_days]
    if summary is daily_t:
        return [arm(d.shop_id, d.day, d.status, one, signed(d.total)).where(*where)]
    if summary is groups_t:
        counted = d.status.not_in(NOT_COUNTED)
        return [
            arm(d.day, d.shop_id, sa.literal_column(f"'{dim}'"), key, one, signed(d.total)).where(
                counted, *where
            )
            for dim, key in ((PROVINCE, d.province), (CARRIER, d.carrier))
        ]
    if summary is customers_t:
        buying = [d.customer_id.is_not(None), d.status != OrderStatus.CANCELLED.value]
        return [arm(d.customer_id, d.day, d.shop_id, one).where(*buying, *where)]
    p = products.c
    return [
        arm(d.day, d.shop_id, p.product_id, signed(p.units), signed(p.revenue), one,
            signed(p.profit), signed(p.no_cost_revenue))
        .select_from(products.join(days, d.order_id == p.order_id))
        .where(*([] if on_products is None else [on_products]))
    ]  # fmt: skip


def _sum_delta(conn: sa.Connection, delta: sa.Table, keys: int, rows: sa.Subquery) -> None:
    """Sum signed contribution rows (the first `keys` columns the summary key) per key
    into `delta`, leaving out keys whose figures cancel out."""
    r = list(rows.c)
    by_key, sums = r[:keys], [sa.func.sum(col) for col in r[keys:]]
    stmt = sa.select(*by_key, *sums).group_by(*by_key).having(sa.or_(*(s != 0 for s in sums)))
    conn.execute(delta.insert().from_select([c.name for c in delta.c], stmt))


def _add_delta(
    conn: sa.Connection, summary: sa.Table, delta: sa.Table, keys: Sequence[str], count: str
) -> None:
    """Add `delta` to the summary (new keys inserted), then delete the summary rows whose
    count fell to 0."""
    names = [c.name for c in delta.c]
    source = sa.select(*delta.c).where(sa.true())  # WHERE: SQLite's upsert-after-SELECT rule
    upsert = (sqlite_insert if is_sqlite(conn) else pg_insert)(summary).from_select(names, source)
    conn.execute(
        upsert.on_conflict_do_update(
            index_elements=[summary.c[k] for k in keys],
            set_={v: summary.c[v] + upsert.excluded[v] for v in names if v not in keys},
        )
    )
    emptied = sa.tuple_(*(summary.c[k] for k in keys)).in_(sa.select(*(delta.c[k] for k in keys)))
    conn.execute(summary.delete().where(emptied, summary.c[count] == 0))


def _rewrite_customers(conn: sa.Connection) -> None:
    """Rewrite the rows of the customers in the customers' delta: their rows plus the
    delta (rows left with orders), each with its neighbour days, computed into a work
    table first; then their rows deleted and those inserted."""
    c, d = customers_t.c, delta_customers_t.c
    changed = sa.select(d.customer_id).distinct()
    mine = c.customer_id.in_(changed)
    both = sa.union_all(
        sa.select(c.customer_id, c.day, c.shop_id, c.orders).where(mine),
        sa.select(d.customer_id, d.day, d.shop_id, d.orders),
    ).subquery()
    b = both.c
    merged = (
        sa.select(b.customer_id.label("c"), b.day.label("d"), b.shop_id.label("s"),
                  sa.func.sum(b.orders).label("n"))
        .group_by(b.customer_id, b.day, b.shop_id)
        .having(sa.func.sum(b.orders) > 0)
        .subquery()
    )  # fmt: skip
    names = ["customer_id", "day", "shop_id", "orders", "prev_day", "next_day"]
    conn.execute(neighbours_t.insert().from_select(names, _with_neighbours(merged, merged.c.n)))
    conn.execute(customers_t.delete().where(mine))
    conn.execute(customers_t.insert().from_select(names, sa.select(*neighbours_t.c)))


def _with_neighbours(rows: sa.Subquery, *more: ColumnElement[Any]) -> sa.Select[Any]:
    """(c, d, s, *more, day before, day after) of customer rows (c, d, s): the customer's
    previous and next row by day then shop."""
    c, d, s = rows.c.c, rows.c.d, rows.c.s

    def neighbour(fn: Any, default: date) -> ColumnElement[Any]:
        return sa.func.coalesce(
            fn(d).over(partition_by=c, order_by=(d, s)), sa.literal(default, sa.Date)
        )

    return sa.select(c, d, s, *more, neighbour(sa.func.lag, FAR_PAST),
                     neighbour(sa.func.lead, FAR_FUTURE))  # fmt: skip


def shops_day(
    conn: sa.Connection, shop_id: ColumnElement[Any], created_at: ColumnElement[Any]
) -> ColumnElement[date]:
    """The local day of an order in its shop's time zone (one CASE arm per zone used)."""
    by_zone: dict[str, list[int]] = {}
    for sid, zone in shop_zones(conn).items():
        by_zone.setdefault(zone_key(zone), []).append(sid)
    default = zone_key("")
    others = [(zone, sids) for zone, sids in by_zone.items() if zone != default]
    if not others:
        return local_day(conn, created_at, default)
    whens = [(shop_id.in_(sids), local_day(conn, created_at, zone)) for zone, sids in others]
    return sa.case(*whens, else_=local_day(conn, created_at, default))


def zone_key(zone: str) -> str:
    """A zone's canonical name ("" and unknown names are the default zone)."""
    try:
        return str(shop_tz(zone).key)
    except ValueError:
        return str(shop_tz().key)


def rebuild_summaries(conn: sa.Connection) -> None:
    """Rewrite every summary and both ledgers from the orders: the ledgers with an
    INSERT … SELECT each, then each summary with one GROUP BY over them (the same
    contribution rows a refresh adds up); secondary indexes built afterwards."""
    tables = (*SUMMARY_TABLES, order_days_t, order_products_t)
    for table in tables:
        conn.execute(table.delete())
    indexes = [index for table in tables for index in table.indexes]
    for index in indexes:
        index.drop(conn, checkfirst=True)
    conn.execute(order_days_t.insert().from_select(_LEDGER_COLUMNS, _order_rows(conn, None)))
    conn.execute(
        order_products_t.insert().from_select(_PRODUCT_COLUMNS, _product_rows(order_days_t))
    )
    for summary, delta, keys, _count in _DELTAS:
        rows = sa.union_all(*_contributions(summary, order_days_t, order_products_t, 1)).subquery()
        r = list(rows.c)
        by_key, sums = r[: len(keys)], [sa.func.sum(col) for col in r[len(keys) :]]
        totals = sa.select(*by_key, *sums).group_by(*by_key)
        names = [c.name for c in delta.c]
        if summary is customers_t:
            per_day = totals.subquery()
            c, d, s, n = per_day.c
            labelled = sa.select(c.label("c"), d.label("d"), s.label("s"), n.label("n"))
            inner = labelled.subquery()
            totals = _with_neighbours(inner, inner.c.n)
            names = ["customer_id", "day", "shop_id", "orders", "prev_day", "next_day"]
        conn.execute(summary.insert().from_select(names, totals))
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
    """The range asked for and its previous period (the days just before it, or the same
    days of the month before: a gap may lie between them), local days (both ends
    included), over some shops (empty = every shop)."""

    date_from: date
    date_to: date
    prev_from: date
    prev_to: date
    shop_ids: tuple[int, ...] = ()
    #: A range ending today is compared with the previous period up to the same time of
    #: day (today until 17:50 against yesterday until 17:50, not all of yesterday): the
    #: UTC instant on `prev_to` the previous period stops at; None = whole days.
    prev_until: datetime | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def where(self, table: sa.Table, *, previous: bool = True) -> list[ColumnElement[bool]]:
        """Rows of both periods (or of the current one only) and of the shops."""
        out: list[ColumnElement[bool]] = [self.days_of(table.c.day, previous=previous)]
        if self.shop_ids:
            out.append(table.c.shop_id.in_(self.shop_ids))
        return out

    def days_of(self, day: ColumnElement[Any], *, previous: bool = True) -> ColumnElement[bool]:
        """`day` in the range (and in the previous period): one range of days when the
        periods touch; two when days lie between them (This month, 1–7 December, against
        1–7 November: 8–30 November belong to neither)."""
        if not previous:
            return day.between(self.date_from, self.date_to)
        if self.prev_to + timedelta(days=1) >= self.date_from:
            return day.between(self.prev_from, self.date_to)
        return sa.or_(day.between(self.prev_from, self.prev_to),
                      day.between(self.date_from, self.date_to))  # fmt: skip

    def split(self, table: sa.Table, column: ColumnElement[Any]) -> tuple[Any, Any]:
        """sum(column) over the current period, and over the previous one (`where` keeps
        out any day between them)."""
        current = table.c.day >= self.date_from
        return (
            sa.func.coalesce(sa.func.sum(sa.case((current, column), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((current, 0), else_=column)), 0),
        )


def _late_orders(w: Window) -> list[ColumnElement[bool]]:
    """The ledger rows (`report_order_days`) of the orders the previous period's last
    day holds after `w.prev_until`: its summaries count them, the comparison must not.
    The orders' date index bounds them to a day's orders, never the whole table."""
    assert w.prev_until is not None
    o, d = orders_t.c, order_days_t.c
    late = sa.select(o.id).where(
        o.created_at >= w.prev_until, o.created_at < w.prev_until + timedelta(days=1)
    )
    out = [d.order_id.in_(late), d.day == w.prev_to]
    if w.shop_ids:
        out.append(d.shop_id.in_(w.shop_ids))
    return out


def _less_late(
    totals: dict[Any, tuple[int, ...]], late: Iterable[Sequence[Any]], keys: int
) -> dict[Any, tuple[int, ...]]:
    """`totals` (key → the range's sums, then the previous period's) with the late
    orders' sums (rows: `keys` key columns, then the sums) taken off the previous ones."""
    out = dict(totals)
    for row in late:
        key = tuple(row[:keys]) if keys > 1 else row[0]
        sums = row[keys:]
        values = list(out.get(key, (0,) * (2 * len(sums))))
        for i, v in enumerate(sums):
            values[len(sums) + i] -= int(v or 0)
        out[key] = tuple(values)
    return out


def _scan_where(
    conn: sa.Connection, w: Window, table: sa.Table, *, previous: bool = True
) -> list[ColumnElement[bool]]:
    """As `Window.where`; for a long range on SQLite a unary + keeps the day off the
    primary key, so the scan walks the index led by the GROUP BY key (rows come out
    grouped, no sort); short ranges read their days from the primary key and sort."""
    out = w.where(table, previous=previous)
    if w.days >= LONG_RANGE_DAYS and is_sqlite(conn):
        day: ColumnElement[Any] = sa.literal_column(f"+{table.name}.day")
        out[0] = w.days_of(day, previous=previous)
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
    totals = {(int(a), str(b)): tuple(int(x) for x in rest) for a, b, *rest in conn.execute(stmt)}
    if w.prev_until is not None:
        o = order_days_t.c
        late = sa.select(o.shop_id, o.status, sa.func.count(), sa.func.sum(o.total))
        late = late.where(*_late_orders(w)).group_by(o.shop_id, o.status)
        found = [(int(a), str(b), n, t) for a, b, n, t in conn.execute(late)]
        totals = _less_late(totals, found, 2)
    return [(sid, st, *values) for (sid, st), values in totals.items()]  # type: ignore[misc]


def orders_now(
    conn: sa.Connection, statuses: Sequence[str], shop_ids: Sequence[int] = ()
) -> dict[str, int]:
    """status → the orders in it now, whatever their dates (Home's work waiting). The
    explicit `status IN` walks only those statuses' entries of the status-first index,
    in status order (no sort), never the orders themselves: on 1M orders, the few
    thousand open ones."""
    o = orders_t.c
    where = [o.status.in_(list(statuses))]
    if shop_ids:
        where.append(o.shop_id.in_(list(shop_ids)))
    stmt = sa.select(o.status, sa.func.count()).where(*where).group_by(o.status)
    return {str(status): int(n) for status, n in conn.execute(stmt)}


def product_totals(
    conn: sa.Connection, w: Window, *, previous: bool = True
) -> list[tuple[int, int, int, int, int, int, int]]:
    """(product, units, revenue, gross profit, previous units, previous revenue, previous
    gross profit) of every product sold."""
    p = products_t.c
    totals = _totals_by(conn, w, p.product_id, [p.units, p.revenue, p.profit], previous=previous)
    if previous and w.prev_until is not None:
        lp = order_products_t.c
        late = (
            sa.select(lp.product_id, sa.func.sum(lp.units), sa.func.sum(lp.revenue),
                      sa.func.sum(lp.profit))
            .select_from(order_products_t.join(order_days_t,
                                               order_days_t.c.order_id == lp.order_id))
            .where(*_late_orders(w))
            .group_by(lp.product_id)
        )  # fmt: skip
        totals = _less_late(totals, list(conn.execute(late)), 1)
    return [(int(pid), *values) for pid, values in totals.items()]  # type: ignore[misc]


class ProfitTotals(NamedTuple):
    """Gross profit of the products sold in a window, and what of the range's revenue came
    from lines with no unit cost (counted whole as profit) and from how many products."""

    current: int
    previous: int
    no_cost_revenue: int
    no_cost_products: int


def profit_totals(conn: sa.Connection, w: Window) -> ProfitTotals:
    """Gross profit of each period, and the range's revenue with no cost and its products
    (the same scan as its profit): one sum per period, each a range of the days' primary
    key."""
    p = products_t.c
    found: list[int] = []
    uncosted = sa.and_(p.no_cost_revenue > 0, p.product_id != NO_PRODUCT)
    no_cost = (sa.func.coalesce(sa.func.sum(p.no_cost_revenue), 0),
               sa.func.count(sa.distinct(sa.case((uncosted, p.product_id)))))  # fmt: skip
    extra: tuple[int, int] = (0, 0)
    for first, last in ((w.date_from, w.date_to), (w.prev_from, w.prev_to)):
        period = Window(first, last, first, last, w.shop_ids)
        total = sa.func.coalesce(sa.func.sum(p.profit), 0)
        more = no_cost if not found else ()
        row = conn.execute(
            sa.select(total, *more).where(*period.where(products_t, previous=False))
        ).one()
        found.append(int(row[0]))
        if more:
            extra = (int(row[1]), int(row[2]))
    if w.prev_until is not None:
        lp = order_products_t.c
        late = (
            sa.select(sa.func.coalesce(sa.func.sum(lp.profit), 0))
            .select_from(order_products_t.join(order_days_t,
                                               order_days_t.c.order_id == lp.order_id))
            .where(*_late_orders(w))
        )  # fmt: skip
        found[1] -= int(conn.execute(late).scalar_one())
    return ProfitTotals(found[0], found[1], *extra)


def group_totals(conn: sa.Connection, w: Window, dim: str) -> list[tuple[str, int, int, int, int]]:
    """(key, orders, revenue, previous orders, previous revenue) per province/carrier."""
    g = groups_t.c
    totals = _totals_by(conn, w, g.key, [g.orders, g.revenue], [_dim_is(conn, w, dim)])
    if w.prev_until is not None:
        d = order_days_t.c
        key = d.province if dim == PROVINCE else d.carrier
        late = (
            sa.select(key, sa.func.count(), sa.func.sum(d.total))
            .where(*_late_orders(w), d.status.not_in(NOT_COUNTED))
            .group_by(key)
        )
        totals = _less_late(totals, list(conn.execute(late)), 1)
    return [(str(key), *values) for key, values in totals.items()]  # type: ignore[misc]


def group_keys(conn: sa.Connection, dim: str) -> list[str]:
    """Every key ever summarised under a grouping (the grouping's index, no table scan)."""
    g = groups_t.c
    keys = conn.execute(sa.select(g.key).where(g.dim == dim).distinct()).scalars()
    return [str(k) for k in keys]


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
    if w.prev_until is not None:
        return _repeat_counts_until(conn, w)
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


def _repeat_counts_until(conn: sa.Connection, w: Window) -> tuple[int, int, int, int]:
    """`repeat_counts` with a previous period stopping at `w.prev_until`: its whole days'
    figures, corrected for the customers of the late orders alone (their orders in that
    period with and without them, read by customer: a handful, not the period's all)."""
    whole = Window(w.date_from, w.date_to, w.prev_from, w.prev_to, w.shop_ids)
    buyers, repeat, prev_buyers, prev_repeat = repeat_counts(conn, whole)
    d, c = order_days_t.c, customers_t.c
    buying = [d.customer_id.is_not(None), d.status != OrderStatus.CANCELLED.value]
    late_stmt = sa.select(d.customer_id, sa.func.count()).where(*_late_orders(w), *buying)
    late = {int(k): int(n) for k, n in conn.execute(late_stmt.group_by(d.customer_id))}
    if not late:
        return buyers, repeat, prev_buyers, prev_repeat
    where = [c.customer_id.in_(list(late)), c.day.between(w.prev_from, w.prev_to)]
    if w.shop_ids:
        where.append(c.shop_id.in_(w.shop_ids))
    had_stmt = sa.select(c.customer_id, sa.func.sum(c.orders)).where(*where)
    had = {int(k): int(n) for k, n in conn.execute(had_stmt.group_by(c.customer_id))}
    for customer, gone in late.items():
        whole_days, until = had.get(customer, 0), had.get(customer, 0) - gone
        prev_buyers -= (whole_days >= 1) - (until >= 1)
        prev_repeat -= (whole_days >= 2) - (until >= 2)
    return buyers, repeat, prev_buyers, prev_repeat


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
    start_work(conn, buckets_t)
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


def late_value(
    conn: sa.Connection,
    w: Window,
    metric: str,
    key: str | None = None,
    aliases: Sequence[str] = (),
    *,
    count_orders: bool = False,
) -> int:
    """What the orders of the previous period's last day after `w.prev_until` add to
    `daily_values`' metric on that day (the cards leave them out: `_late_orders`)."""
    d = order_days_t.c
    if metric in ("units", "product", "profit"):
        lp = order_products_t.c
        column = lp.profit if metric == "profit" else lp.units
        where = [*_late_orders(w)]
        if metric == "product" and key is not None:
            where.append(lp.product_id == int(key))
        stmt = (
            sa.select(sa.func.coalesce(sa.func.sum(column), 0))
            .select_from(
                order_products_t.join(order_days_t, order_days_t.c.order_id == lp.order_id)
            )
            .where(*where)
        )
        return int(conn.execute(stmt).scalar_one())
    where = [*_late_orders(w)]
    if metric != "new_orders":
        where.append(d.status.not_in(NOT_COUNTED))
    if metric in (PROVINCE, CARRIER) and key is not None:
        grouped = d.province if metric == PROVINCE else d.carrier
        where.append(grouped.in_([key, *aliases]))
    counts = metric in ("orders", "new_orders") or count_orders
    value = sa.func.count() if counts else sa.func.coalesce(sa.func.sum(d.total), 0)
    return int(conn.execute(sa.select(value).where(*where)).scalar_one())


def daily_values(
    conn: sa.Connection,
    w: Window,
    metric: str,
    key: str | None = None,
    aliases: Sequence[str] = (),
    *,
    count_orders: bool = False,
) -> list[tuple[date, int]]:
    """(day, value) of a metric over the current range (days without any are left out).

    Metrics: revenue, orders (counted), new_orders (all), units, profit (gross, as
    `kept_profit`); with `key`: province/carrier revenue, or its counted orders with
    `count_orders` (`province`, `carrier`; `aliases`: other stored keys summed with it, a
    carrier's other spellings) and product units (`product`).
    """
    extra: list[ColumnElement[bool]]
    if metric in ("revenue", "orders", "new_orders"):
        table, d = daily_t, daily_t.c
        column = d.revenue if metric == "revenue" else d.orders
        extra = [] if metric == "new_orders" else [d.status.not_in(NOT_COUNTED)]
    elif metric in ("units", "product", "profit"):
        table, d = products_t, products_t.c
        column = d.profit if metric == "profit" else d.units
        extra = [] if key is None else [d.product_id == int(key)]
    elif metric in (PROVINCE, CARRIER):
        table, d = groups_t, groups_t.c
        column = d.orders if count_orders else d.revenue
        extra = [d.dim == metric] if key is not None else [_dim_is(conn, w, metric)]
        extra += [] if key is None else [d.key.in_([key, *aliases])]
    else:
        raise ValueError(f"unknown metric {metric!r}")
    stmt = (
        sa.select(d.day, sa.func.sum(column))
        .where(*w.where(table, previous=False), *extra)
        .group_by(d.day)
        .order_by(d.day)
    )
    return [(day, int(v or 0)) for day, v in conn.execute(stmt)]
