"""What moves with an order, kept in the transaction that writes the order.

Every writer of orders calls `orders_changed` once its order rows (status, money, lines)
are written, with the ids of the orders it created or changed: the sale screen and the
status changes and returns (`services/orders.py`), the order import, and the marketplace
sync. Whatever must stay in step with orders (customer statistics, loyalty points, the
dashboards' daily summaries, the cost of new order lines) is brought up to date here, so
no writer can forget one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Variant
from primedist.queries.reports import refresh_summaries
from primedist.services.customer_stats import refresh_customer_stats
from primedist.services.loyalty.effects import reconcile_order_loyalty

orders_t = table_of(Order)
lines_t = table_of(OrderLine)
variants_t = table_of(Variant)


def orders_changed(
    conn: sa.Connection,
    order_ids: Collection[int],
    *,
    now: datetime,
    customer_ids: Collection[int] | None = None,
    stats_written: Collection[int] = (),
) -> None:
    """Bring everything derived from these orders up to date.

    `customer_ids` are the customers whose statistics may have moved; pass them when the
    writer knows them (including a customer an order was taken away from). When None they
    are read from the orders. `stats_written`: customers among them created by this
    writer with their statistics already computed from these very orders (the order
    import's new customers): not read back.
    """
    cost_new_lines(conn)
    if customer_ids is None:
        customer_ids = _customers_of(conn, order_ids)
    written = set(stats_written)
    refresh_customer_stats(conn, [c for c in customer_ids if c not in written], now=now)
    reconcile_order_loyalty(conn, order_ids, now=now)
    refresh_summaries(conn, order_ids)


def cost_new_lines(conn: sa.Connection) -> int:
    """Give the lines written since the last call (unit cost NULL) the cost of a unit of
    their variant now, its average cost (0 without a variant or a cost): what the goods
    sold cost the shop, for gross profit. A set-based UPDATE over the few uncosted lines
    (their partial index), whichever writer wrote them. Returns how many."""
    ol, v = lines_t.c, variants_t.c
    cost = sa.select(v.cost).where(v.id == ol.variant_id).scalar_subquery()
    stmt = sa.update(lines_t).where(ol.unit_cost.is_(None))
    return int(conn.execute(stmt.values(unit_cost=sa.func.coalesce(cost, 0))).rowcount or 0)


def _customers_of(conn: sa.Connection, order_ids: Collection[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(list(order_ids)):
        found.update(
            conn.execute(
                sa.select(orders_t.c.customer_id)
                .where(orders_t.c.id.in_(chunk), orders_t.c.customer_id.is_not(None))
                .distinct()
            ).scalars()
        )
    return found
