"""customer_adjustments

What a customer owes changed by hand: the debts from before the app (an opening balance)
or an amount written off, each with its reason. What a customer owes = standing sales on
account (net of refunds) + adjustments − standing payments.

Revision ID: 0025_customer_adjustments
Revises: 0024_customer_accounts
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0025_customer_adjustments"
down_revision: str | None = "0024_customer_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "customer_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", AutoString(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount <> 0",
                           name=op.f("ck_customer_adjustments_amount_not_zero")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_customer_adjustments_customer_id_customers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_customer_adjustments_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_adjustments")),
    )  # fmt: skip
    op.create_index(op.f("ix_customer_adjustments_customer_id_created_at"),
                    "customer_adjustments", ["customer_id", "created_at"])  # fmt: skip


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_adjustments_customer_id_created_at"),
                  table_name="customer_adjustments")  # fmt: skip
    op.drop_table("customer_adjustments")
