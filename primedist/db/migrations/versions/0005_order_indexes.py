"""orders: a covering index for the customer statistics (issues 3 and 5)

Revision ID: 0005_order_indexes
Revises: 0004_customers
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_order_indexes"
down_revision: str | None = "0004_customers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: domain/order.py ORDERS_CUSTOMER_STATS_INDEX as of this revision (frozen here). It leads
#: with the columns of the index it replaces, so that index's queries keep their plans.
_STATS_COLUMNS = ["customer_id", "created_at", "status", "total", "refunded_amount", "shop_id"]


def upgrade() -> None:
    # Built first, then the narrow one dropped: no moment without a customer index.
    op.create_index("ix_orders_customer_stats", "orders", _STATS_COLUMNS)
    op.drop_index("ix_orders_customer_id_created_at", table_name="orders")


def downgrade() -> None:
    op.create_index("ix_orders_customer_id_created_at", "orders", ["customer_id", "created_at"])
    op.drop_index("ix_orders_customer_stats", table_name="orders")
