"""orders: stock reservation state, refunds, status-count, status+total and flagged indexes

Revision ID: 0002_order_stock
Revises: 0001_initial
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_order_stock"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain ADD/DROP COLUMN (SQLite >= 3.35 and PostgreSQL): a batch table rebuild would drop
# the FTS triggers on orders.
_COUNTS_INDEX = "ix_orders_status_counts"
_COUNTS_COLUMNS = ["status", "payment_method", "flagged", "shop_id", "created_at", "total"]


def upgrade() -> None:
    op.add_column(
        "orders", sa.Column("refunded_amount", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(
        "orders",
        sa.Column(
            "stock_state",
            sa.Enum(
                "none",
                "reserved",
                "consumed",
                "released",
                name="stockstate",
                native_enum=False,
                length=16,
            ),
            server_default="none",
            nullable=False,
        ),
    )
    op.create_index("ix_orders_flagged_created_at_id", "orders", ["flagged", "created_at", "id"])
    op.create_index("ix_orders_status_total_id", "orders", ["status", "total", "id"])
    op.create_index(_COUNTS_INDEX, "orders", _COUNTS_COLUMNS)
    for table in ("sku_groups", "variants"):
        op.add_column(
            table, sa.Column("reserved", sa.Integer(), server_default="0", nullable=False)
        )
    op.add_column(
        "stock_movements",
        sa.Column("reserved_change", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    op.drop_index(_COUNTS_INDEX, table_name="orders")
    op.drop_index("ix_orders_flagged_created_at_id", table_name="orders")
    op.drop_index("ix_orders_status_total_id", table_name="orders")
    for table, column in (
        ("stock_movements", "reserved_change"),
        ("variants", "reserved"),
        ("sku_groups", "reserved"),
        ("orders", "stock_state"),
        ("orders", "refunded_amount"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
