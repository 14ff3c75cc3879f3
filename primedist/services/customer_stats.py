"""Customer order statistics, recomputed from the orders in SQL.

Definitions (README § Metric definitions): total orders = every order of the customer;
successful = completed (a fully returned order is `returned`, so not successful);
cancelled; returned = return_refund or returned; total expenses = sum of
(total − refunded amount) over successful orders; last order = newest order date;
channels = the channels the customer bought through, in `Channel` order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import Channel, OrderStatus
from primedist.domain.order import Order
from primedist.domain.shop import Shop

orders = table_of(Order)
customers = table_of(Customer)
shops = table_of(Shop)

_CHUNK = 500
_RETURNED = (OrderStatus.RETURN_REFUND.value, OrderStatus.RETURNED.value)


@dataclass
class CustomerStats:
    """The order aggregates kept on a customer row."""

    total_orders: int = 0
    successful_orders: int = 0
    cancelled_orders: int = 0
    returned_orders: int = 0
    total_expenses: int = 0
    last_order_at: datetime | None = None
    channels: set[str] = field(default_factory=set)

    def as_row(self) -> dict[str, Any]:
        order = [c.value for c in Channel]
        return {
            "total_orders": self.total_orders,
            "successful_orders": self.successful_orders,
            "cancelled_orders": self.cancelled_orders,
            "returned_orders": self.returned_orders,
            "total_expenses": self.total_expenses,
            "last_order_at": self.last_order_at,
            "channels": ",".join(sorted(self.channels, key=order.index)),
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
        for cid, channel, n, ok, cancelled, returned, spent, last in conn.execute(
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
    return out


def refresh_customer_stats(
    conn: sa.Connection, customer_ids: Iterable[int], *, now: datetime | None = None
) -> int:
    """Recompute and store the statistics of these customers; returns how many rows."""
    stats = compute_customer_stats(conn, customer_ids)
    if not stats:
        return 0
    extra = {} if now is None else {"updated_at": now}
    rows = [{"cid": cid, **st.as_row(), **extra} for cid, st in stats.items()]
    values: dict[str, Any] = {key: sa.bindparam(key) for key in rows[0] if key != "cid"}
    stmt = customers.update().where(customers.c.id == sa.bindparam("cid")).values(**values)
    conn.execute(stmt, rows)
    return len(rows)
