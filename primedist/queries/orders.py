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
from primedist.queries.spec import Column, QuerySpec, QueryState

orders = table_of(Order)
shops = table_of(Shop)


def _search(text: str, dialect: str) -> ColumnElement[bool] | None:
    return search_filter(orders, text, dialect)


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
        Column("status", "Status", orders.c.status, kind="enum", width=110),
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
    ),
    default_sort="created_at",
    default_descending=True,
    search=_search,
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


def _unhinted(col: ColumnElement[Any]) -> ColumnElement[Any]:
    return col


def _hinted(col: ColumnElement[Any]) -> ColumnElement[Any]:
    # Unary `+` keeps SQLite from choosing this column's index and then sorting every
    # match (the planner trap): the list walks its sort index and checks the filter.
    return sa.literal_column(f"+orders.{col.name}", type_=col.type)


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

    def clauses(self, tz: tzinfo, *, for_list: bool = True) -> list[ColumnElement[bool]]:
        """WHERE clauses; `for_list` hints them for a sorted list, else for counts."""
        c = orders.c
        h = _hinted if for_list else _unhinted
        out: list[ColumnElement[bool]] = []
        if self.shop_ids:
            out.append(h(c.shop_id).in_(list(self.shop_ids)))
        if self.payment_methods:
            out.append(h(c.payment_method).in_([m.value for m in self.payment_methods]))
        if self.min_total is not None:
            out.append(h(c.total) >= self.min_total)
        if self.max_total is not None:
            out.append(h(c.total) <= self.max_total)
        if self.date_from is not None:
            out.append(c.created_at >= local_day_bounds_utc(self.date_from, tz)[0])
        if self.date_to is not None:
            out.append(c.created_at < local_day_bounds_utc(self.date_to, tz)[1])
        if self.flagged_only:
            out.append(c.flagged == sa.true())
        return out


def status_tab_clause(tab: str) -> ColumnElement[bool] | None:
    """The status clause of a status tab (None for "all")."""
    statuses = STATUS_TABS[tab]
    if not statuses:
        return None
    if len(statuses) == 1:
        return orders.c.status == statuses[0].value
    # Several statuses: walk the sort index rather than merge-sorting two status ranges.
    return _hinted(orders.c.status).in_([s.value for s in statuses])


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
    status = status_tab_clause(tab)
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
    where = [orders.c.status.in_([s.value for s in OrderStatus]), *flt.clauses(tz, for_list=False)]
    if search.strip():
        clause = _search(search, conn.dialect.name)
        if clause is not None:
            where.append(clause)
    stmt = sa.select(orders.c.status, sa.func.count()).where(*where).group_by(orders.c.status)
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
