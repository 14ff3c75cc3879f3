"""activity_events.args: what an event says, as JSON, so Home words it in the UI's language

`message` keeps an English sentence (the CLI, older rows); `args` holds the figures and
names (`{"new": 9, "updated": 2}` for orders synced), which the UI renders through its
translations.

Revision ID: 0013_activity_args
Revises: 0012_order_write_indexes
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_activity_args"
down_revision: str | None = "0012_order_write_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("activity_events") as batch_op:
        batch_op.add_column(sa.Column("args", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activity_events") as batch_op:
        batch_op.drop_column("args")
