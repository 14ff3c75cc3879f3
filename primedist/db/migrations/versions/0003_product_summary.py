"""products: summary columns of the active variants (prices, stock, low stock) and the
keyset-sort indexes of the Products list

Revision ID: 0003_product_summary
Revises: 0002_order_stock
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_product_summary"
down_revision: str | None = "0002_order_stock"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INT_COLUMNS = ("variant_count", "stock_total", "available_total")
_MONEY_COLUMNS = ("price_min", "price_max")
_NULLABLE_MONEY = ("discount_min", "discount_max")
_SORT_INDEXES = {
    "ix_products_name_id": ["name", "id"],
    "ix_products_price_min_id": ["price_min", "id"],
    "ix_products_available_total_id": ["available_total", "id"],
}


def upgrade() -> None:
    # Plain ADD COLUMN: a batch rebuild would drop the FTS triggers on products.
    for name in _INT_COLUMNS:
        op.add_column("products", sa.Column(name, sa.Integer(), server_default="0", nullable=False))
    for name in _MONEY_COLUMNS:
        op.add_column(
            "products", sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
        )
    for name in _NULLABLE_MONEY:
        op.add_column("products", sa.Column(name, sa.BigInteger(), nullable=True))
    op.add_column(
        "products",
        sa.Column("low_stock", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    for index, columns in _SORT_INDEXES.items():
        op.create_index(index, "products", columns)
    # Existing catalogues get their summaries in the same migration.
    from primedist.db.product_summary import refresh_product_summaries

    refresh_product_summaries(op.get_bind())


def downgrade() -> None:
    for index in _SORT_INDEXES:
        op.drop_index(index, table_name="products")
    for name in (*_INT_COLUMNS, *_MONEY_COLUMNS, *_NULLABLE_MONEY, "low_stock"):
        op.execute(f"ALTER TABLE products DROP COLUMN {name}")
