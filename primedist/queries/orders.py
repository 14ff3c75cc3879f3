"""Order list queries (the Orders tab refines filters; this is the base list)."""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ColumnElement

from primedist.core.clock import local_day_bounds_utc
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OrderStatus, OutboxStatus, PaymentMethod
from primedist.domain.order import TRANSITIONS, Order, OrderLine
from primedist.domain.product import Variant
from primedist.domain.report import DailyOrders, SummarizedOrder
from primedist.domain.shop import Shop
from primedist.domain.sync import OutboxMessage
from primedist.queries import spec as query_spec
from primedist.queries.reports import NOT_COUNTED, zone_key
from primedist.queries.search import search_filter
from primedist.queries.spec import Column, QuerySpec, QueryState, covering_count

orders = table_of(Order)
shops = table_of(Shop)
daily = table_of(DailyOrders)
outbox = table_of(OutboxMessage)
order_lines = table_of(OrderLine)
variants = table_of(Variant)
#: The summaries' ledger: each order's province code and carrier ("" = unknown) and its
#: (shop, local day), under the (shop_id, day) index.
ledger = table_of(SummarizedOrder)
#: The statuses Analytics counts (revenue, orders, its rankings): not cancelled/returned.
COUNTED_STATUSES = tuple(s.value for s in OrderStatus if s.value not in NOT_COUNTED)


def _search(text: str, dialect: str) -> ColumnElement[bool] | None:
    return search_filter(orders, text, dialect)


def _count_hints(filtered: frozenset[str]) -> frozenset[str]:
    """Columns to hint in a count: keep it on a covering index that starts with status."""
    if filtered & {"payment_method", "flagged"}:
        # (status, payment_method, flagged, shop_id, created_at, total) covers these and
        # seeks on the payment methods and the flag under each status (16 ms, not 100).
        return frozenset({"shop_id", "created_at", "total"})
    if not filtered & {"shop_id", "created_at"}:
        # A value range alone: a seek on (status, total) per status reads only the range.
        return frozenset()
    # (status, shop_id, created_at, total) covers the rest and seeks on shop and date
    # (the (status, total) index would look up every order in the value range).
    return frozenset({"total"})


#: Paging a list sorted by anything but the date, with a date range: a range that holds
#: fewer than about sqrt(DENSE_RANGE × all orders) orders is read through the date index
#: and sorted (cost ~ the orders in the range); more, and walking the sort's index until a
#: page is found costs less (~ page × all / in range). Measured on 1M orders: 30 days
#: (57,000 orders) sorted by value 34 ms by the date index, 0.3 ms walking; a day (1,700)
#: 0.5 ms by the date index, 5.7 ms (up to 200 for one status) walking; an empty month
#: 0 ms by the date index, 100 ms to 2.5 s walking. The same holds for a value range in a
#: list sorted by date: "value ≥ 5,000,000" (32 of 1M orders) took 235–430 ms walking the
#: date index, 0.1 ms read through the value index and sorted.
DENSE_RANGE = 400


def _few(conn: sa.Connection, n: int) -> bool:
    """Whether `n` orders are few enough to read through their filter's index and sort
    (`DENSE_RANGE`)."""
    return n * n <= DENSE_RANGE * _everything(conn)


def _everything(conn: sa.Connection) -> int:
    return int(conn.execute(sa.select(sa.func.max(orders.c.id))).scalar_one() or 0)


def _unhinted(
    conn: sa.Connection, clauses: Sequence[ColumnElement[bool]], sort: str
) -> frozenset[str]:
    """A date or value filter keeps its index when its range holds few orders
    (`DENSE_RANGE`); a value range then also hints the date sort, so the list reads the
    value index and sorts its few orders, whatever the status tab (an equal status would
    otherwise walk (status, created_at) to the end of the status for a later chunk)."""
    out: set[str] = set()
    if sort != "created_at" and _few_in_date_range(conn, clauses):
        out.add("created_at")
    if sort != "total" and _few_in_value_range(conn, clauses):
        out |= {"total", sort}
    return frozenset(out)


def _few_in_date_range(conn: sa.Connection, clauses: Sequence[ColumnElement[bool]]) -> bool:
    """Whether the date range holds few orders: counted from the daily summary (a
    millisecond), per shop when filtered."""
    lo, hi, shop_ids = _date_range_and_shops(clauses)
    if lo is None and hi is None:
        return False
    d = daily.c
    where: list[ColumnElement[bool]] = []
    if lo is not None:
        where.append(d.day >= lo.date() - timedelta(days=1))
    if hi is not None:
        where.append(d.day <= hi.date() + timedelta(days=1))
    if shop_ids is not None:
        where.append(d.shop_id.in_(shop_ids))
    in_range = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(d.orders), 0)).where(*where))
    return _few(conn, int(in_range.scalar_one()))


def _few_in_value_range(conn: sa.Connection, clauses: Sequence[ColumnElement[bool]]) -> bool:
    """Whether the value range holds few orders: counted on `ix_orders_total_id` (index
    only), stopping one past "few" (at most about 20,000 entries for 1M orders, 1–3 ms)."""
    where = [
        clause
        for clause in clauses
        if isinstance(clause, BinaryExpression)
        and clause.left is orders.c.total
        and clause.operator in (operators.ge, operators.gt, operators.le, operators.lt)
    ]
    if not where:
        return False
    most = math.isqrt(DENSE_RANGE * _everything(conn))
    found = sa.select(orders.c.id).where(*where).limit(most + 1).subquery()
    return _few(conn, int(conn.execute(sa.select(sa.func.count()).select_from(found)).scalar_one()))


def _drilled(clause: ColumnElement[bool]) -> sa.Select[Any] | None:
    """The set of an Analytics drill-down clause (`orders.id IN (ledger or lines)`), else
    None."""
    if not (isinstance(clause, BinaryExpression) and clause.left is orders.c.id
            and clause.operator is operators.in_op):  # fmt: skip
        return None
    held = getattr(clause.right, "element", None)
    if not isinstance(held, sa.Select):
        return None
    column = held.selected_columns[0]
    return held if getattr(column, "table", None) in (ledger, order_lines) else None


#: Paging a drill-down (province, carrier, product) by the date: a set of fewer than
#: about sqrt(DRILL_DENSE × all orders) orders is read through its own index and sorted
#: (cost ~ the set), more and the date index is walked, each order probed (cost ~ page ×
#: all / set). Measured on 1M orders: a province of 4,025 orders 12 ms read and sorted,
#: 7.5 ms walking; of 175,000, 300 ms read and sorted, 0.2 ms walking (the two meet near
#: 3,200 orders, ~9 ms).
DRILL_DENSE = 10


def _page_clause(conn: sa.Connection, clause: ColumnElement[bool]) -> ColumnElement[bool]:
    """A drill-down (province, carrier, product) pages as `id IN (set)` when its set is
    few (`DRILL_DENSE`: read by the set's index and sorted), else as a correlated EXISTS:
    the sort's index is walked and each order probed by its key, so a page stops after
    its 100 rows. The set is counted on its index (the ledger's province/carrier ones,
    migration 0041), stopping early."""
    held = _drilled(clause)
    if held is None or _few_held(conn, held, DRILL_DENSE):
        return clause
    return sa.exists(held.where(held.selected_columns[0] == orders.c.id))


def _few_held(conn: sa.Connection, held: sa.Select[Any], dense: int) -> bool:
    """Whether a drill-down's set holds at most sqrt(dense × all orders) orders: counted
    on its own index, stopping one past that (for 1M orders and `DENSE_RANGE`, at most
    about 20,000 index entries, 1–3 ms)."""
    most = math.isqrt(dense * _everything(conn))
    capped = held.limit(most + 1).subquery()
    found = conn.execute(sa.select(sa.func.count()).select_from(capped)).scalar_one()
    return int(found) <= most


def _few_drilled_counts(conn: sa.Connection, flt: OrderFilter, tz: tzinfo) -> sa.Select[Any] | None:
    """The status counts of a filter holding a drill-down whose set is few (a product's
    orders, mostly), read by that set's keys: a row lookup per order (a product in 167
    orders of 1M: 0.1 ms, not ~130 ms walking the status index and testing every order
    against the set). On SQLite the other filters are hinted so the planner keeps to the
    keys; None when no drill-down set is few."""
    clauses = flt.clauses(tz)
    held = [h for c in clauses if (h := _drilled(c)) is not None]
    if not any(_few_held(conn, h, DENSE_RANGE) for h in held):
        return None
    if conn.dialect.name == "sqlite":
        names = ORDERS_SPEC.hint_columns
        clauses = [c if _drilled(c) is not None
                   else query_spec.hint_clause(c, orders, names, equalities=True)
                   for c in clauses]  # fmt: skip
    return sa.select(orders.c.status, sa.func.count()).where(*clauses).group_by(orders.c.status)


def _date_range_and_shops(
    clauses: Sequence[ColumnElement[bool]],
) -> tuple[datetime | None, datetime | None, list[int] | None]:
    """The order date bounds and the shops of OrderFilter's clauses (None: not filtered)."""
    lo = hi = None
    shop_ids: list[int] | None = None
    for clause in clauses:
        if not isinstance(clause, BinaryExpression) or not isinstance(clause.right, BindParameter):
            continue
        column, value = getattr(clause.left, "name", ""), clause.right.value
        if column == "created_at" and clause.operator in (operators.ge, operators.gt):
            lo = value
        elif column == "created_at" and clause.operator in (operators.lt, operators.le):
            hi = value
        elif column == "shop_id" and clause.operator is operators.in_op:
            shop_ids = [int(v) for v in value or ()]
    return lo, hi, shop_ids


def _failed_reason() -> ColumnElement[Any]:
    """The last message of the order's newest failed outbox action, '' when none failed."""
    o = outbox.c
    newest = (
        sa.select(sa.func.coalesce(o.last_error, "?"))
        .where(o.order_id == orders.c.id, o.status == OutboxStatus.FAILED)
        .order_by(o.id.desc()).limit(1).scalar_subquery()
    )  # fmt: skip
    return sa.func.coalesce(newest, "")


ORDERS_SPEC = QuerySpec(
    name="orders",
    key=orders.c.id,
    from_=orders.join(shops, orders.c.shop_id == shops.c.id),
    key_from=orders,
    columns=(
        Column("external_id", "Order ID", orders.c.external_id, width=175),
        Column("shop", "Shop", shops.c.name, width=170),
        Column("channel", "Channel", shops.c.channel, kind="enum", width=115),
        Column("item_count", "Items", orders.c.item_count, kind="int", width=60),
        Column("total", "Order value", orders.c.total, kind="money", sort=orders.c.total),
        Column("status", "Status", orders.c.status, kind="enum", width=150),
        Column("payment_method", "Payment", orders.c.payment_method, kind="enum"),
        Column("buyer_name", "Customer", orders.c.buyer_name, width=170),
        Column("buyer_phone", "Phone", orders.c.buyer_phone, width=110),
        Column(
            "created_at",
            "Order date",
            orders.c.created_at,
            kind="datetime",
            sort=orders.c.created_at,
            width=130,
        ),
        # Markers the Orders tab draws as icons (hidden columns there).
        Column("flagged", "Flagged", orders.c.flagged, kind="bool", width=40),
        Column("outbox_pending", "Waiting to be sent", orders.c.outbox_pending, kind="bool"),
        # Why its newest marketplace action failed for good ('' for none): an index probe
        # on `outbox_messages.order_id` per row shown, only for the page's keys.
        Column("outbox_failed", "Not sent to the marketplace", _failed_reason(), kind="text"),
    ),
    default_sort="created_at",
    default_descending=True,
    search=_search,
    hint_columns=frozenset({"shop_id", "payment_method", "total", "created_at", "status"}),
    count_hints=_count_hints,
    count_where=(orders.c.status.in_([s.value for s in OrderStatus]),),
    unhinted=_unhinted,
    page_clause=_page_clause,
)


def status_filter(*statuses: str) -> ColumnElement[bool]:
    """Orders in any of these statuses."""
    return orders.c.status.in_(list(statuses))


def shop_filter(*shop_ids: int) -> ColumnElement[bool]:
    """Orders of these shops."""
    return orders.c.shop_id.in_(list(shop_ids))


#: The status tabs of the Orders tab, in order; "all" has no status clause.
STATUS_TABS: dict[str, tuple[OrderStatus, ...]] = {
    "all": (),
    "pending": (OrderStatus.PENDING,),
    "confirmed": (OrderStatus.CONFIRMED,),
    "shipping": (OrderStatus.SHIPPING,),
    "completed": (OrderStatus.COMPLETED,),
    "cancelled": (OrderStatus.CANCELLED,),
    "return_refund": (OrderStatus.RETURN_REFUND, OrderStatus.RETURNED),
}


@dataclass(frozen=True)
class OrderFilter:
    """The Orders tab's filter chips (all optional; empty = no restriction).

    Dates are local calendar days in the shop's time zone, both ends included.
    """

    shop_ids: tuple[int, ...] = ()
    min_total: int | None = None
    max_total: int | None = None
    payment_methods: tuple[PaymentMethod, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    flagged_only: bool = False
    #: Only the returns still under way (goods or refund to settle), not those already
    #: returned: what Home's Return/Refund card counts (`services/reports.TODO_STATUSES`).
    returns_under_way: bool = False
    #: Analytics' drill-down: only the orders its figures count (not cancelled, not in
    #: return/refund or returned), shipped to a province (its code; "" = none given), by
    #: a carrier (every stored spelling of it; "" = none), holding a product.
    counted_only: bool = False
    province: str | None = None
    carriers: tuple[str, ...] = ()
    product_id: int | None = None
    #: The product's name for its chip (not part of the filter).
    product_name: str = dataclasses.field(default="", compare=False)

    def is_empty(self) -> bool:
        return self == OrderFilter()

    def clauses(self, tz: tzinfo) -> list[ColumnElement[bool]]:
        """WHERE clauses (the list pages keys with planner hints: QuerySpec.hint_columns)."""
        c = orders.c
        out: list[ColumnElement[bool]] = []
        if self.shop_ids:
            out.append(c.shop_id.in_(list(self.shop_ids)))
        if self.payment_methods:
            out.append(c.payment_method.in_([m.value for m in self.payment_methods]))
        if self.min_total is not None:
            out.append(c.total >= self.min_total)
        if self.max_total is not None:
            out.append(c.total <= self.max_total)
        if self.date_from is not None:
            out.append(c.created_at >= local_day_bounds_utc(self.date_from, tz)[0])
        if self.date_to is not None:
            out.append(c.created_at < local_day_bounds_utc(self.date_to, tz)[1])
        if self.flagged_only:
            out.append(c.flagged == sa.true())
        if self.returns_under_way:
            # An equality: paging takes the (status, …) index of that one status.
            out.append(c.status == OrderStatus.RETURN_REFUND.value)
        if self.counted_only:
            out.append(c.status.in_(COUNTED_STATUSES))
        if self.province is not None or self.carriers:
            out.append(c.id.in_(self._ledger_ids()))
        if self.product_id is not None:
            # The product's variants (their index), then their lines' orders (the
            # (variant_id, order_id) index): index-only, however many orders there are.
            v, ln = variants.c, order_lines.c
            held = sa.select(ln.order_id).where(
                ln.variant_id.in_(sa.select(v.id).where(v.product_id == self.product_id))
            )
            out.append(c.id.in_(held))
        return out

    def _ledger_ids(self) -> sa.Select[Any]:
        """The orders of the province / carrier, from the summaries' ledger (the orders
        have no index on these): bounded by its (shop_id, day) index when shops and days
        are chosen. The days a day wider each side: the ledger's are the shop's local
        days, the list's those of its own time zone (the outer date clause is exact)."""
        d = ledger.c
        where: list[ColumnElement[bool]] = []
        if self.province is not None:
            where.append(d.province == self.province)
        if self.carriers:
            where.append(d.carrier.in_(list(self.carriers)))
        if self.shop_ids:
            where.append(d.shop_id.in_(list(self.shop_ids)))
        if self.date_from is not None:
            where.append(d.day >= self.date_from - timedelta(days=1))
        if self.date_to is not None:
            where.append(d.day <= self.date_to + timedelta(days=1))
        return sa.select(d.order_id).where(*where)


def status_tab_clause(tab: str, *, flagged_only: bool = False) -> ColumnElement[bool] | None:
    """The status clause of a status tab (None for "all")."""
    statuses = STATUS_TABS[tab]
    if not statuses:
        return None
    if len(statuses) == 1 and not flagged_only:
        return orders.c.status == statuses[0].value
    # Flagged orders are few: IN (not =) is hinted when paging, so the flagged index wins.
    # Several statuses: hinted when paging (QuerySpec.hint_columns), so the list walks the
    # sort index rather than merge-sorting two status ranges.
    return orders.c.status.in_([s.value for s in statuses])


def list_state(
    flt: OrderFilter,
    tab: str,
    tz: tzinfo,
    *,
    search: str = "",
    sort_key: str | None = None,
    descending: bool | None = None,
) -> QueryState:
    """The list query for a filter, a status tab and the search text."""
    clauses = flt.clauses(tz)
    status = status_tab_clause(tab, flagged_only=flt.flagged_only)
    if status is not None:
        clauses.append(status)
    return QueryState(search=search, filters=tuple(clauses), sort_key=sort_key,
                      descending=descending)  # fmt: skip


def status_counts(
    conn: sa.Connection, flt: OrderFilter, tz: tzinfo, search: str = ""
) -> dict[str, int]:
    """Live counts of every status tab for a filter and search: {tab: count}.

    A filter of shops and whole days only (or none) is counted from the daily summary,
    kept in the transaction of every order change (`services/order_effects`): a few
    thousand rows, not a million orders. Any other filter: one GROUP BY over the
    status-first covering index; the explicit `status IN (all)` lets the rows stream in
    status order (no sort), index-only for every chip filter.
    """
    if not search.strip() and _summary_counts(conn, flt, tz):
        stmt = _daily_counts(flt)
    elif not search.strip() and _ledger_counts(conn, flt, tz):
        stmt = _ledger_status_counts(flt)
    elif not search.strip() and (few := _few_drilled_counts(conn, flt, tz)) is not None:
        stmt = few
    else:
        state = QueryState(search=search, filters=tuple(flt.clauses(tz)))
        select = sa.select(orders.c.status, sa.func.count()).group_by(orders.c.status)
        stmt = covering_count(ORDERS_SPEC, state, conn.dialect.name, select)
    by_status = {str(s): int(n) for s, n in conn.execute(stmt)}
    counts = {tab: sum(by_status.get(s.value, 0) for s in sts) for tab, sts in STATUS_TABS.items()}
    counts["all"] = sum(by_status.values())
    return counts


#: Most matches of a search `unfiltered_counts` reads: enough to say "3 match without the
#: filters", never a count of every order a broad search finds ("nguyen": half the shop).
UNFILTERED_CAP = 1_000


@dataclass(frozen=True)
class UnfilteredCounts:
    """The status tab counts of a search with no filter chip (`unfiltered_counts`)."""

    counts: dict[str, int]
    #: More than UNFILTERED_CAP matched: the counts are of the first UNFILTERED_CAP only.
    capped: bool


def unfiltered_counts(conn: sa.Connection, search: str) -> UnfilteredCounts | None:
    """The status tab counts of a search's matches with the filter chips off (None: no
    search): what the Orders tab offers when the chips hide every match. Reads at most
    UNFILTERED_CAP + 1 matches through the search index (a LIMIT inside, the GROUP BY
    sorting only those), so a search matching most orders costs no more than one matching a
    thousand."""
    where = _search(search, conn.dialect.name)
    if where is None:
        return None
    found = sa.select(orders.c.status).where(where).limit(UNFILTERED_CAP + 1).subquery()
    stmt = sa.select(found.c.status, sa.func.count()).group_by(found.c.status)
    by_status = {str(s): int(n) for s, n in conn.execute(stmt)}
    counts = {tab: sum(by_status.get(s.value, 0) for s in sts) for tab, sts in STATUS_TABS.items()}
    total = sum(by_status.values())
    counts["all"] = min(total, UNFILTERED_CAP)
    return UnfilteredCounts(counts, total > UNFILTERED_CAP)


def _summary_counts(conn: sa.Connection, flt: OrderFilter, tz: tzinfo) -> bool:
    """Whether the daily summary can count this filter exactly: shops and days only, and
    with days, every shop counted keeps its days in the list's time zone."""
    if flt.payment_methods or flt.min_total is not None or flt.max_total is not None:
        return False
    if flt.flagged_only or flt.province is not None or flt.carriers:
        return False
    if flt.product_id is not None:
        return False
    return _days_in_list_zone(conn, flt, tz)


def _days_in_list_zone(conn: sa.Connection, flt: OrderFilter, tz: tzinfo) -> bool:
    """Whether the summaries' local days are the list's days for this filter: no days
    chosen, or every shop counted keeps its days in the list's time zone."""
    if flt.date_from is None and flt.date_to is None:
        return True
    rows = conn.execute(sa.select(shops.c.id, shops.c.timezone))
    zones = {zone_key(zone or "") for sid, zone in rows if not flt.shop_ids or sid in flt.shop_ids}
    return zones <= {getattr(tz, "key", None)}


def _ledger_counts(conn: sa.Connection, flt: OrderFilter, tz: tzinfo) -> bool:
    """Whether the summaries' ledger can count this filter exactly: a province or carrier
    (Analytics' drill-down) with shops, days, counted or returns under way only."""
    if flt.province is None and not flt.carriers:
        return False
    if flt.payment_methods or flt.min_total is not None or flt.max_total is not None:
        return False
    if flt.flagged_only or flt.product_id is not None:
        return False
    return _days_in_list_zone(conn, flt, tz)


def _ledger_status_counts(flt: OrderFilter) -> sa.Select[Any]:
    """The status counts of a province / carrier from the ledger, kept with every order
    change as the daily summary is: index-only on its province or carrier index (1M
    orders, a province of 175,000: ~15 ms; through the orders, ~450 ms)."""
    d = ledger.c
    where: list[ColumnElement[bool]] = []
    if flt.province is not None:
        where.append(d.province == flt.province)
    if flt.carriers:
        where.append(d.carrier.in_(list(flt.carriers)))
    where += _shop_day_status_where(d, flt)
    return sa.select(d.status, sa.func.count()).where(*where).group_by(d.status)


def _daily_counts(flt: OrderFilter) -> sa.Select[Any]:
    d = daily.c
    where = _shop_day_status_where(d, flt)
    return sa.select(d.status, sa.func.sum(d.orders)).where(*where).group_by(d.status)


def _shop_day_status_where(d: Any, flt: OrderFilter) -> list[ColumnElement[bool]]:
    """The filter's shops, days and status chips on a summary table's columns `d` (the
    daily counts or the ledger: both keep shop_id, the shop's local day and status)."""
    where: list[ColumnElement[bool]] = []
    if flt.shop_ids:
        where.append(d.shop_id.in_(list(flt.shop_ids)))
    if flt.date_from is not None:
        where.append(d.day >= flt.date_from)
    if flt.date_to is not None:
        where.append(d.day <= flt.date_to)
    if flt.returns_under_way:
        where.append(d.status == OrderStatus.RETURN_REFUND.value)
    if flt.counted_only:
        where.append(d.status.in_(COUNTED_STATUSES))
    return where


# Selections ---------------------------------------------------------------------------
#: The statuses a bulk cancel cancels from (`Order.can_cancel`); it skips the others.
CANCELLABLE = tuple(s for s, nexts in TRANSITIONS.items() if OrderStatus.CANCELLED in nexts)


def orders_per_channel(
    conn: sa.Connection,
    order_ids: Iterable[int],
    channels: Iterable[Channel],
    *,
    statuses: Iterable[OrderStatus] | None = None,
) -> dict[Channel, int]:
    """How many of `order_ids` are orders of a shop on each of `channels` (only those in
    `statuses`, when given): {channel: count}, channels without any left out.

    A selection may be every order of the list: the ids go in chunks, each read by its
    primary key alone and counted by shop and status, the shops and statuses kept here.
    (With them in the WHERE, SQLite walks their index instead: 10 s for 100,000 ids of
    1M orders, 0.14 s this way.)"""
    shop_channel = {
        int(sid): Channel(channel)
        for sid, channel in conn.execute(
            sa.select(shops.c.id, shops.c.channel).where(
                shops.c.channel.in_([Channel(c).value for c in channels])
            )
        )
    }
    ids = sorted(set(order_ids))
    if not shop_channel or not ids:
        return {}
    wanted = None if statuses is None else {OrderStatus(s).value for s in statuses}
    counts: Counter[Channel] = Counter()
    for chunk in chunks(ids):
        stmt = (
            sa.select(orders.c.shop_id, orders.c.status, sa.func.count())
            .where(orders.c.id.in_(chunk))
            .group_by(orders.c.shop_id, orders.c.status)
        )
        for sid, status, n in conn.execute(stmt):
            channel = shop_channel.get(int(sid))
            if channel is not None and (wanted is None or str(status) in wanted):
                counts[channel] += int(n)
    return dict(counts)


def cancellable_per_channel(
    conn: sa.Connection, order_ids: Iterable[int], channels: Iterable[Channel]
) -> dict[Channel, int]:
    """`orders_per_channel` of the orders a bulk cancel of `order_ids` would cancel, by
    their status (`CANCELLABLE`: it skips those already cancelled, completed or returned,
    so they are not counted)."""
    return orders_per_channel(conn, order_ids, channels, statuses=CANCELLABLE)


# Export ------------------------------------------------------------------------------
def _export_column(key: str, label: str, expr: ColumnElement[Any], kind: str = "text") -> Column:
    """An export column; keeps the list's sort of the same key, so a list sort carries over."""
    sort = ORDERS_SPEC.column(key).sort if key in {c.key for c in ORDERS_SPEC.columns} else None
    return Column(key, label, expr, kind=kind, sort=sort)


#: The columns of the orders export (Excel), in file order; kinds drive the cell types.
ORDER_EXPORT_COLUMNS: tuple[Column, ...] = (
    _export_column("external_id", "Order ID", orders.c.external_id),
    _export_column("shop", "Shop", shops.c.name),
    _export_column("channel", "Channel", shops.c.channel, "enum"),
    _export_column("status", "Status", orders.c.status, "enum"),
    _export_column("payment_method", "Payment method", orders.c.payment_method, "enum"),
    _export_column("buyer_name", "Customer", orders.c.buyer_name),
    _export_column("buyer_phone", "Phone", orders.c.buyer_phone),
    _export_column("item_count", "Items", orders.c.item_count, "int"),
    _export_column("subtotal", "Subtotal", orders.c.subtotal, "money"),
    _export_column("shipping_fee", "Shipping fee", orders.c.shipping_fee, "money"),
    _export_column(
        "marketplace_discount", "Marketplace discount", orders.c.marketplace_discount, "money"
    ),
    _export_column("voucher_discount", "Discount code", orders.c.voucher_discount, "money"),
    _export_column("seller_discount", "Seller discount", orders.c.seller_discount, "money"),
    _export_column("shop_promotion", "Shop promotion", orders.c.shop_promotion, "money"),
    _export_column("points_discount", "Points discount", orders.c.points_discount, "money"),
    _export_column("commission", "Commission", orders.c.commission, "money"),
    _export_column("total", "Total", orders.c.total, "money"),
    _export_column("refunded_amount", "Refunded", orders.c.refunded_amount, "money"),
    _export_column("created_at", "Order date", orders.c.created_at, "datetime"),
    _export_column("ship_province", "Province", orders.c.ship_province),
    _export_column("carrier", "Carrier", orders.c.carrier),
    _export_column("tracking_number", "Tracking number", orders.c.tracking_number),
    _export_column("flagged", "Flagged", orders.c.flagged, "bool"),
    _export_column("staff_note", "Staff note", orders.c.staff_note),
)

#: The orders list with the export's columns: same tables, filters, search and sorts, so
#: `query_spec.iter_rows(conn, ORDER_EXPORT_SPEC, state)` streams the Orders tab's rows.
ORDER_EXPORT_SPEC = dataclasses.replace(
    ORDERS_SPEC, name="orders_export", columns=ORDER_EXPORT_COLUMNS
)


def iter_rows_by_keys(
    conn: sa.Connection,
    keys: Sequence[int],
    *,
    spec: QuerySpec = ORDER_EXPORT_SPEC,
    chunk: int = 500,
) -> Iterator[tuple[Any, ...]]:
    """The rows of explicit keys (a selection) in the given order, fetched `chunk` at a time.

    Keys deleted meanwhile are skipped; a key given twice yields its row twice.
    """
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        rows = query_spec.fetch_rows(conn, spec, part)
        for key in part:
            row = rows.get(key)
            if row is not None:
                yield row
