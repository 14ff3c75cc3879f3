"""orders.external_status: the marketplace's own status of a synced order

Several marketplace statuses are one status here: Shopee's UNPAID (the buyer has not paid,
or Shopee still checks a COD order) and READY_TO_SHIP are both "pending". Only a ready one
can be confirmed (its shipment arranged), so Confirm must tell them apart before it queues
anything for the marketplace. The sync now keeps the platform's status beside ours. Orders
stored before stay NULL (not known: Confirm goes ahead as before) until their next change
on the platform.

Revision ID: 0038_order_external_status
Revises: 0037_product_search_options
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038_order_external_status"
down_revision: str | None = "0037_product_search_options"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("external_status", sa.String(length=40), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE orders DROP COLUMN external_status")
