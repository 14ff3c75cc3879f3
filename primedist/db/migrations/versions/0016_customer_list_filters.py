"""customers: the list's sort indexes cover its new filters (success rate, birthday)

The success rate became successful ÷ *finished* orders (completed, cancelled or returned;
an order on its way is not a failure), so the list's success-rate column and filter read
`cancelled_orders` and `returned_orders`; the "Birthday this month" quick filter reads
`birthday`. The six covering sort indexes gain those columns, so paging and counting with
any filter stay index-only.

Revision ID: 0016_customer_list_filters
Revises: 0015_stored_messages
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016_customer_list_filters"
down_revision: str | None = "0015_stored_messages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: domain/customer.py LIST_FILTER_COLUMNS as of this revision (frozen here).
_FILTER_COLUMNS = (
    "deleted_at", "merged_into_id", "total_expenses", "successful_orders", "total_orders",
    "cancelled_orders", "returned_orders", "gender", "source", "referrer_id",
    "last_order_at", "created_at", "channels", "birthday",
)  # fmt: skip
_NEW_COLUMNS = ("cancelled_orders", "returned_orders", "birthday")
_OLD_FILTER_COLUMNS = tuple(c for c in _FILTER_COLUMNS if c not in _NEW_COLUMNS)
_SORTS = (
    "created_at", "name", "total_expenses", "successful_orders", "total_orders", "points_balance",
)  # fmt: skip


def _rebuild(filters: tuple[str, ...]) -> None:
    for sort in _SORTS:
        index = f"ix_customers_{sort}_id"
        op.drop_index(index, table_name="customers")
        op.create_index(index, "customers", [sort, "id", *(c for c in filters if c != sort)])


def upgrade() -> None:
    _rebuild(_FILTER_COLUMNS)


def downgrade() -> None:
    _rebuild(_OLD_FILTER_COLUMNS)
