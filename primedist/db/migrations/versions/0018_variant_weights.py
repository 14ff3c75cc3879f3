"""variants.weight_g: one item's packed weight in grams; products.weight_missing

A parcel was weighed at 500 g per item whatever was in it; with the variant's own weight
the shipment form and *Ship…* start from the goods' real weight. Existing variants have
none (NULL: shipping counts 500 g for them until the owner types one). The Products
list's *No weight yet* chip reads `products.weight_missing` (some active variant without
a weight), a summary column carried by the list's sort indexes like the other filters,
so its pages and counts stay index-only.

Revision ID: 0018_variant_weights
Revises: 0017_own_order_provinces
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_variant_weights"
down_revision: str | None = "0017_own_order_provinces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: domain.product.LIST_FILTER_COLUMNS before and after this revision (frozen here).
_FILTERS_BEFORE = (
    "status", "price_min", "price_max", "discount_min", "discount_max", "available_total",
    "variant_count", "low_stock", "category", "listed_shops",
)  # fmt: skip
_FILTERS_AFTER = (*_FILTERS_BEFORE, "weight_missing")
_SORTS = ("created_at", "name_key", "price_min", "available_total")


def _sort_indexes(filters: Sequence[str]) -> None:
    for sort in _SORTS:
        name = f"ix_products_{sort}_id"
        op.drop_index(name, table_name="products")
        op.create_index(name, "products", [sort, "id", *(c for c in filters if c != sort)])


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch rebuild): the tables keep their triggers and nothing
    # that references a variant is touched.
    op.add_column("variants", sa.Column("weight_g", sa.Integer(), nullable=True))
    op.add_column(
        "products",
        sa.Column("weight_missing", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # No variant has a weight yet: every product with a sellable variant misses one.
    op.execute(
        "UPDATE products SET weight_missing = EXISTS (SELECT 1 FROM variants v "
        "WHERE v.product_id = products.id AND v.is_active AND v.weight_g IS NULL)"
    )
    _sort_indexes(_FILTERS_AFTER)


def downgrade() -> None:
    _sort_indexes(_FILTERS_BEFORE)
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35), not a batch copy: dropping the variants
    # table to rebuild it would cascade to every row that references a variant.
    op.drop_column("products", "weight_missing")
    op.drop_column("variants", "weight_g")
