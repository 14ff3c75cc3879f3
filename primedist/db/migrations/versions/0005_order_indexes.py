"""orders: indexes for the customer statistics rebuild (issues 3 and 5)

Revision ID: 0005_order_indexes
Revises: 0004_customers
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005_order_indexes"
down_revision: str | None = "0004_customers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder until its issue fills it: changes nothing."""


def downgrade() -> None:
    """Placeholder until its issue fills it: changes nothing."""
