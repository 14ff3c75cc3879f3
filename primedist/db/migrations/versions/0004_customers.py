"""customers: first order time (statistics), list indexes

Revision ID: 0004_customers
Revises: 0003_product_summary
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_customers"
down_revision: str | None = "0003_product_summary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


#: The Customers list's filter columns and sorts as of this revision (domain/customer.py
#: LIST_FILTER_COLUMNS, LIST_SORT_COLUMNS; frozen here).
_FILTER_COLUMNS = (
    "deleted_at", "merged_into_id", "total_expenses", "successful_orders", "total_orders",
    "rank", "gender", "source", "referrer_id", "last_order_at", "created_at", "channels",
)  # fmt: skip
_SORTS = (
    "created_at", "name", "total_expenses", "successful_orders", "total_orders", "points_balance",
)  # fmt: skip
#: The covering keyset-sort indexes: (sort column, id, every filter column).
_SORT_INDEXES = {
    f"ix_customers_{sort}_id": [sort, "id", *(c for c in _FILTER_COLUMNS if c != sort)]
    for sort in _SORTS
}
#: Plain (sort, id) indexes of 0001 the covering ones replace.
_OLD_SORT_INDEXES = {
    "ix_customers_created_at_id": ["created_at", "id"],
    "ix_customers_total_expenses_id": ["total_expenses", "id"],
}


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild would drop the FTS triggers on customers.
    op.add_column(
        "customers", sa.Column("first_order_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    # Existing customers: the first order of each, from their orders.
    op.execute(
        "UPDATE customers SET first_order_at = (SELECT min(o.created_at) FROM orders o"
        " WHERE o.customer_id = customers.id)"
    )
    # The Customers list's sorts: covering indexes (after the statistics are filled).
    for index in _OLD_SORT_INDEXES:
        op.drop_index(index, table_name="customers")
    for index, columns in _SORT_INDEXES.items():
        op.create_index(index, "customers", columns)
    # Its shop filter (customers who bought in some shops) reads the buyers of a shop here.
    op.create_index("ix_orders_shop_id_customer_id", "orders", ["shop_id", "customer_id"])
    # Its tag filter reads a tag's customers from one covering index.
    op.drop_index("ix_customer_tags_tag_id", table_name="customer_tags")
    op.create_index(
        "ix_customer_tags_tag_id_customer_id", "customer_tags", ["tag_id", "customer_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_customer_tags_tag_id_customer_id", table_name="customer_tags")
    op.create_index("ix_customer_tags_tag_id", "customer_tags", ["tag_id"])
    op.drop_index("ix_orders_shop_id_customer_id", table_name="orders")
    for index in _SORT_INDEXES:
        op.drop_index(index, table_name="customers")
    for index, columns in _OLD_SORT_INDEXES.items():
        op.create_index(index, "customers", columns)
    op.execute("ALTER TABLE customers DROP COLUMN first_order_at")
