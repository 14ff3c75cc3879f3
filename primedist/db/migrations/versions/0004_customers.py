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


def downgrade() -> None:
    op.execute("ALTER TABLE customers DROP COLUMN first_order_at")
