"""loyalty: ranks, levels, points, vouchers (issue 8)

Revision ID: 0007_loyalty
Revises: 0006_marketplace_sync
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0007_loyalty"
down_revision: str | None = "0006_marketplace_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder until its issue fills it: changes nothing."""


def downgrade() -> None:
    """Placeholder until its issue fills it: changes nothing."""
