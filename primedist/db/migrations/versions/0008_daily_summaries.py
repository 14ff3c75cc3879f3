"""dashboards: daily summary tables (issue 9)

Revision ID: 0008_daily_summaries
Revises: 0007_loyalty
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0008_daily_summaries"
down_revision: str | None = "0007_loyalty"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Placeholder until its issue fills it: changes nothing."""


def downgrade() -> None:
    """Placeholder until its issue fills it: changes nothing."""
