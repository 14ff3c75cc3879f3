"""Order list queries (the Orders tab refines filters; this is the base list)."""

from __future__ import annotations

from sqlalchemy.sql.elements import ColumnElement

from primedist.domain.base import table_of
from primedist.domain.order import Order
from primedist.domain.shop import Shop
from primedist.queries.search import search_filter
from primedist.queries.spec import Column, QuerySpec

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
