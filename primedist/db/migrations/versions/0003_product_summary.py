"""products: summary columns of the active variants and listings (prices, stock, low stock,
shops, the folded name) and the covering keyset-sort indexes of the Products list; the
orders value-sort index covers the list filters

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
#: What the list filters on (domain.product.LIST_FILTER_COLUMNS, frozen here).
_FILTER_COLUMNS = [
    "status", "price_min", "price_max", "discount_min", "discount_max", "available_total",
    "variant_count", "low_stock", "category", "listed_shops",
]  # fmt: skip
#: (sort column, id) + the other filter columns: keys are paged and counted index-only.
_SORT_INDEXES = {
    f"ix_products_{sort}_id": [sort, "id", *(c for c in _FILTER_COLUMNS if c != sort)]
    for sort in ("created_at", "name_key", "price_min", "available_total")
}


_ORDERS_TOTAL_INDEX = (
    "total", "id", "status", "payment_method", "flagged", "shop_id", "created_at",
)  # fmt: skip


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
    for name in ("listed_shops", "name_key"):
        op.add_column("products", sa.Column(name, sa.Text(), server_default="", nullable=False))
    # Existing catalogues get their summaries in the same migration (before the indexes:
    # one build each rather than an update per product).
    from primedist.db.product_summary import refresh_product_summaries

    refresh_product_summaries(op.get_bind(), weights=False)  # weights come with 0018
    # The created-at sort index becomes a covering one.
    op.drop_index("ix_products_created_at", table_name="products")
    for index, columns in _SORT_INDEXES.items():
        op.create_index(index, "products", columns)
    # The orders value sort covers the list filters too.
    op.drop_index("ix_orders_total_id", table_name="orders")
    op.create_index("ix_orders_total_id", "orders", list(_ORDERS_TOTAL_INDEX))


def downgrade() -> None:
    op.drop_index("ix_orders_total_id", table_name="orders")
    op.create_index("ix_orders_total_id", "orders", ["total", "id"])
    for index in _SORT_INDEXES:
        op.drop_index(index, table_name="products")
    op.create_index("ix_products_created_at", "products", ["created_at"])
    for name in (
        *_INT_COLUMNS,
        *_MONEY_COLUMNS,
        *_NULLABLE_MONEY,
        "low_stock",
        "listed_shops",
        "name_key",
    ):
        op.execute(f"ALTER TABLE products DROP COLUMN {name}")
