"""customers: the list sorts by latest purchase (its new default)

The Customers list opened on its newest customers: mostly marketplace buyers with masked
names and nothing spent yet. It now opens on the most recent buyers. `last_order_at` is
NULL for a customer who never bought, and a keyset sort needs a NOT NULL value, so the
list sorts by `coalesce(last_order_at, 1970)` (`domain.customer.last_order_sort`). Its
index replaces the plain (last_order_at, id) one and, like the other sort indexes, covers
every filter column, so paging and counting stay index-only.

Revision ID: 0040_customers_last_order_sort
Revises: 0039_points_earn_channels
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040_customers_last_order_sort"
down_revision: str | None = "0039_points_earn_channels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_customers_last_order_at_id"
#: domain/customer.py LIST_FILTER_COLUMNS as of this revision (frozen here).
_FILTER_COLUMNS = (
    "deleted_at", "merged_into_id", "total_expenses", "successful_orders", "total_orders",
    "cancelled_orders", "returned_orders", "gender", "source", "referrer_id",
    "last_order_at", "created_at", "channels", "birthday",
)  # fmt: skip
#: As `last_order_sort` compiles (SQLite holds the text SQLAlchemy writes for a datetime).
_NEVER = {
    "sqlite": "'1970-01-01 00:00:00.000000'",
    "postgresql": "'1970-01-01 00:00:00+00'::timestamptz",
}


def upgrade() -> None:
    never = _NEVER[op.get_bind().dialect.name]
    op.drop_index(_INDEX, table_name="customers")
    op.create_index(
        _INDEX,
        "customers",
        [sa.text(f"coalesce(last_order_at, {never})"), "id", *_FILTER_COLUMNS],
    )


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="customers")
    op.create_index(_INDEX, "customers", ["last_order_at", "id"])
