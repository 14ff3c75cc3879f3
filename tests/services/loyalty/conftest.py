"""Helpers shared by the loyalty tests: customers with given statistics, completed orders."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import OrderStatus, Rank
from primedist.domain.order import Order
from tests.factories import make_customers, make_orders

customers_t = table_of(Customer)
orders_t = table_of(Order)


def customers_with(engine: Engine, rows: list[dict[str, Any]]) -> list[int]:
    """One customer per dict of column values (rank defaults to Copper)."""
    ids = make_customers(engine, len(rows))
    with engine.begin() as conn:
        for cid, values in zip(ids, rows, strict=True):
            conn.execute(
                customers_t.update()
                .where(customers_t.c.id == cid)
                .values(**{"rank": Rank.COPPER, **values})
            )
    return ids


def customer(engine: Engine, cid: int) -> sa.Row[Any]:
    with engine.connect() as conn:
        return conn.execute(sa.select(customers_t).where(customers_t.c.id == cid)).one()


def completed_orders(
    engine: Engine, shop_id: int, customer_id: int, totals: list[int], start: datetime,
    step: timedelta = timedelta(days=1), status: OrderStatus = OrderStatus.COMPLETED,
) -> list[int]:  # fmt: skip
    """Orders of one customer with these totals, all in `status`."""
    ids = make_orders(engine, shop_id, len(totals), start=start, step=step,
                      customer_ids=[customer_id], totals=totals)  # fmt: skip
    with engine.begin() as conn:
        conn.execute(orders_t.update().where(orders_t.c.id.in_(ids)).values(status=status))
    return ids
