"""customer_not_duplicates

Pairs of customers the user said are not one person (Find duplicates → "Not duplicates":
a husband and wife sharing a phone): Find duplicates no longer offers them together.

Revision ID: 0033_customer_not_duplicates
Revises: 0032_kept_revenue
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0033_customer_not_duplicates"
down_revision: str | None = "0032_kept_revenue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "customer_not_duplicates",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("customer_id < other_id",
                           name=op.f("ck_customer_not_duplicates_pair_ordered")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"], ondelete="CASCADE",
                                name=op.f("fk_customer_not_duplicates_customer_id_customers")),
        sa.ForeignKeyConstraint(["other_id"], ["customers.id"], ondelete="CASCADE",
                                name=op.f("fk_customer_not_duplicates_other_id_customers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_customer_not_duplicates_user_id_users")),
        sa.PrimaryKeyConstraint("customer_id", "other_id",
                                name=op.f("pk_customer_not_duplicates")),
    )  # fmt: skip
    op.create_index(op.f("ix_customer_not_duplicates_other_id"), "customer_not_duplicates",
                    ["other_id"])  # fmt: skip


def downgrade() -> None:
    op.drop_index(op.f("ix_customer_not_duplicates_other_id"),
                  table_name="customer_not_duplicates")  # fmt: skip
    op.drop_table("customer_not_duplicates")
