"""sign_in_failures: wrong passwords in a row per email, to pause repeated guessing

After five wrong passwords in a row for one email, sign-ins for it (the app, the lock
screen, `primedist --user`) are refused for 30 seconds, then twice as long after each
further wrong one (at most 5 minutes); the next sign-in removes the row. Nothing to carry
over: the table starts empty.

Revision ID: 0035_sign_in_failures
Revises: 0034_order_cash_received
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0035_sign_in_failures"
down_revision: str | None = "0034_order_cash_received"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "sign_in_failures",
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", UTCDateTime(), nullable=False),
        sa.Column("paused_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_sign_in_failures")),
    )


def downgrade() -> None:
    op.drop_table("sign_in_failures")
