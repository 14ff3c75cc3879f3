"""marketplace sync (issue 7): when each shop's synced orders start moving stock

Revision ID: 0006_marketplace_sync
Revises: 0005_order_indexes
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006_marketplace_sync"
down_revision: str | None = "0005_order_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Synced orders placed before this time are history and never move stock.
    op.add_column(
        "sync_checkpoints",
        sa.Column("stock_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("sync_checkpoints") as batch:
        batch.drop_column("stock_since")
