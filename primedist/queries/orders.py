"""Order list queries (the Orders tab refines filters; this is the base list)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from primedist.core.clock import local_day_bounds_utc
from primedist.domain.base import table_of
from primedist.domain.enums import OrderStatus, PaymentMethod
from primedist.domain.order import Order
from primedist.domain.shop import Shop
from primedist.queries import spec as query_spec
from primedist.queries.search import search_filter
from primedist.queries.spec import Column, QuerySpec, QueryState, covering_count

orders = table_of(Order)
shops = table_of(Shop)


def _search(text: str, dialect: str) -> ColumnElement[bool] | None:
    return search_filter(orders, text, dialect)


def _count_hints(filtered: frozenset[str]) -> frozenset[str]:
    """Columns to hint in a count: keep it on a covering index that starts with status."""
    if filtered & {"payment_method", "flagged"}:
        # Only (status, payment_method, flagged, shop_id, created_at, total) covers these.
        return frozenset({"shop_id", "created_at", "total", "payment_method"})
    # (status, shop_id, created_at, total) covers the rest and seeks on shop and date.
    return frozenset({"total"})


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
    ),
    default_sort="created_at",
    default_descending=True,
    search=_search,
    hint_columns=frozenset({"shop_id", "payment_method", "total", "created_at", "status"}),
    count_hints=_count_hints,
    count_where=(orders.c.status.in_([s.value for s in OrderStatus]),),
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


NARROW_DAYS = 62


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
        day = self._date_column()
        if self.date_from is not None:
            out.append(day >= local_day_bounds_utc(self.date_from, tz)[0])
        if self.date_to is not None:
            out.append(day < local_day_bounds_utc(self.date_to, tz)[1])
        if self.flagged_only:
            out.append(c.flagged == sa.true())
        return out

    def _date_column(self) -> ColumnElement[Any]:
        # A range of up to two months is narrow: the date index plus a sort beats walking
        # another sort's index, so the column is kept out of the paging hints (a textual
        # copy is not a Column of the table).
        narrow = (
            self.date_from is not None
            and self.date_to is not None
            and (self.date_to - self.date_from).days <= NARROW_DAYS
        )
        c = orders.c.created_at
        return sa.literal_column("orders.created_at", type_=c.type) if narrow else c


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

    One GROUP BY over the status-first covering index; the explicit `status IN (all)`
    lets the rows stream in status order (no sort), index-only for every chip filter.
    """
    state = QueryState(search=search, filters=tuple(flt.clauses(tz)))
    select = sa.select(orders.c.status, sa.func.count()).group_by(orders.c.status)
    stmt = covering_count(ORDERS_SPEC, state, conn.dialect.name, select)
    by_status = {str(s): int(n) for s, n in conn.execute(stmt)}
    counts = {tab: sum(by_status.get(s.value, 0) for s in sts) for tab, sts in STATUS_TABS.items()}
    counts["all"] = sum(by_status.values())
    return counts


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
