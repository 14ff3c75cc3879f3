"""marketplace sync (issue 7)

Revision ID: 0006_marketplace_sync
Revises: 0005_order_indexes
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0006_marketplace_sync"
down_revision: str | None = "0005_order_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder until its issue fills it: changes nothing."""


def downgrade() -> None:
    """Placeholder until its issue fills it: changes nothing."""
