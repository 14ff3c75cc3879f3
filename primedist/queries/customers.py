"""Customer list queries and folded search (the Customers tab adds its filters)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.queries.search import search_filter
from primedist.queries.spec import Column, QuerySpec, QueryState, fetch_keys, fetch_rows

customers = table_of(Customer)


def _search(text: str, dialect: str) -> ColumnElement[bool] | None:
    return search_filter(customers, text, dialect)


CUSTOMERS_SPEC = QuerySpec(
    name="customers",
    key=customers.c.id,
    from_=customers,
    columns=(
        Column("code", "Customer code", customers.c.code, width=120),
        Column("name", "Name", customers.c.name, width=180),
        Column("rank", "Rank", customers.c.rank, kind="enum", width=95),
        Column(
            "total_expenses",
            "Total expenses",
            customers.c.total_expenses,
            kind="money",
            sort=customers.c.total_expenses,
        ),
        Column("total_orders", "Total orders", customers.c.total_orders, kind="int", width=110),
        Column(
            "created_at",
            "Created",
            customers.c.created_at,
            kind="datetime",
            sort=customers.c.created_at,
        ),
    ),
    default_sort="created_at",
    default_descending=True,
    search=_search,
)


def search_customers(conn: sa.Connection, text: str, *, limit: int = 50) -> list[tuple[Any, ...]]:
    """The newest `limit` customers matching `text` (folded name, phone, code, email)."""
    state = QueryState(search=text, filters=(customers.c.deleted_at.is_(None),))
    keys = fetch_keys(conn, CUSTOMERS_SPEC, state, after=None, limit=limit).keys
    rows = fetch_rows(conn, CUSTOMERS_SPEC, keys)
    return [rows[k] for k in keys if k in rows]
