"""supplier_returns: cancelled_at, cancelled_by_id, cancel_reason

A return to a supplier entered by mistake can be cancelled: its goods come back into
stock and it stops counting in what the shop owes.

Revision ID: 0023_supplier_return_cancel
Revises: 0022_purchase_orders
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0023_supplier_return_cancel"
down_revision: str | None = "0022_purchase_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_supplier_returns_cancelled_by_id_users"


def upgrade() -> None:
    with op.batch_alter_table("supplier_returns") as batch_op:
        batch_op.add_column(
            sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("cancel_reason", sqlmodel.sql.sqltypes.AutoString(length=255),
                      nullable=True)  # fmt: skip
        )
        batch_op.create_foreign_key(op.f(FK), "users", ["cancelled_by_id"], ["id"],
                                    ondelete="SET NULL")  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("supplier_returns") as batch_op:
        batch_op.drop_constraint(op.f(FK), type_="foreignkey")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancelled_at")
