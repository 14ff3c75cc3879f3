"""users.can_export: the staff right "Export data"

Exporting the shop's data to a file (orders with the customers' phones and addresses,
customers, products, reports…) is for the owner, managers and the staff members given
this right. Staff accounts already there get it: until now every staff member could
export what their modules show, so the upgrade changes nothing. Accounts added from now
on start without it (the column's default). The owner and managers always may: theirs
stays false, as their module list stays empty.

Revision ID: 0044_staff_export_right
Revises: 0043_staff_refund_right
Create Date: 2026-12-13
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0044_staff_export_right"
down_revision: str | None = "0043_staff_refund_right"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("can_export", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    users = sa.table("users", sa.column("role", sa.String), sa.column("can_export", sa.Boolean))
    op.execute(users.update().where(users.c.role == "staff").values(can_export=True))


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN can_export")
