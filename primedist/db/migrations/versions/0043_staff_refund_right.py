"""users.can_refund: the staff right "Refunds and returns"

Returns, refunds, exchanges and cancelling a paid order (all give money back) are for the
owner, managers and the staff members given this right. Staff accounts already there
get it: until now every staff member with Orders access could do all of it, so the
upgrade changes nothing at the counter. Accounts added from now on start without it
(the column's default). The owner and managers always may: theirs stays false, as their
module list stays empty.

Revision ID: 0043_staff_refund_right
Revises: 0042_no_cost_revenue
Create Date: 2026-12-12
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0043_staff_refund_right"
down_revision: str | None = "0042_no_cost_revenue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("can_refund", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    users = sa.table("users", sa.column("role", sa.String), sa.column("can_refund", sa.Boolean))
    op.execute(users.update().where(users.c.role == "staff").values(can_refund=True))


def downgrade() -> None:
    op.execute("ALTER TABLE users DROP COLUMN can_refund")
