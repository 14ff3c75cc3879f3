"""voucher_uses.customer_id follows its order's customer (customers merged before)

A voucher's per-customer limit counts the uses by `voucher_uses.customer_id`. Merging
customers moved their orders but, until now, not these uses: the survivor of a merge could
use a once-per-customer voucher again. `merge_customers` moves them now; the uses of
customers merged before are set to their order's customer here. No schema change.

Revision ID: 0030_voucher_uses_follow_orders
Revises: 0029_unlinked_listings
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030_voucher_uses_follow_orders"
down_revision: str | None = "0029_unlinked_listings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FOLLOW_ORDERS = sa.text(
    "UPDATE voucher_uses SET customer_id ="
    " (SELECT o.customer_id FROM orders o WHERE o.id = voucher_uses.order_id)"
    " WHERE EXISTS (SELECT 1 FROM orders o WHERE o.id = voucher_uses.order_id"
    " AND o.customer_id IS NOT NULL"
    " AND (voucher_uses.customer_id IS NULL OR o.customer_id <> voucher_uses.customer_id))"
)


def upgrade() -> None:
    op.get_bind().execute(_FOLLOW_ORDERS)


def downgrade() -> None:
    """Nothing to undo: the uses named customers merged away, which no longer buy."""
