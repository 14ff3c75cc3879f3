"""audit_events.pc: the PC each change was made on; an index on a record's own rows

Several PCs share one PostgreSQL database: the audit log named who made a change, not at
which PC. Each row now names its PC (its host name, as the job leases do), so the log
shows it and an open order or customer detail says "Updated with a change made on KHO-PC
at 10:42". Rows written before stay NULL: where they were made was never stored.

The detail asks for its record's newest audit row at each change it sees: the index on
(entity_type, entity_id, id) finds it at once (without it, a scan of the whole log).

Revision ID: 0036_audit_pc
Revises: 0035_sign_in_failures
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0036_audit_pc"
down_revision: str | None = "0035_sign_in_failures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "audit_events",
        sa.Column("pc", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    )
    op.create_index(
        op.f("ix_audit_events_entity_type_entity_id_id"),
        "audit_events",
        ["entity_type", "entity_id", "id"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_events_entity_type_entity_id_id"), table_name="audit_events")
    op.execute("ALTER TABLE audit_events DROP COLUMN pc")
