"""variants.weight_g: one item's packed weight in grams

A parcel was weighed at 500 g per item whatever was in it; with the variant's own weight
the shipment form and *Ship…* start from the goods' real weight. Existing variants have
none (NULL: shipping counts 500 g for them until the owner types one).

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


def upgrade() -> None:
    # A plain ADD COLUMN (no batch rebuild): the variants table keeps its triggers.
    op.add_column("variants", sa.Column("weight_g", sa.Integer(), nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite >= 3.35), not a batch copy: dropping the variants
    # table to rebuild it would cascade to every row that references a variant.
    op.drop_column("variants", "weight_g")
