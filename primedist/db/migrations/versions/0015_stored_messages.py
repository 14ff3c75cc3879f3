"""audit_events.summary_args, sync_log.args: stored lines in the reader's language

An audit summary and a sync log line keep their English text; beside it, the message's
template and values as JSON (core/messages.stored_args), so the UI can word the line in
the language it shows, now and after the owner switches language. Older rows have none
and show their English text.

Revision ID: 0015_stored_messages
Revises: 0014_tag_default_key
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_stored_messages"
down_revision: str | None = "0014_tag_default_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.add_column(sa.Column("summary_args", sa.Text(), nullable=True))
    with op.batch_alter_table("sync_log") as batch_op:
        batch_op.add_column(sa.Column("args", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_log") as batch_op:
        batch_op.drop_column("args")
    with op.batch_alter_table("audit_events") as batch_op:
        batch_op.drop_column("summary_args")
