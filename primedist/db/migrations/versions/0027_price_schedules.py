"""price_schedules, price_schedule_items

A bulk price change that starts at a set time and may end at another (then each variant
it changed gets its price back, unless changed by hand meanwhile): the rule, the products
and the times; and, once started, each variant's price before and after.

Revision ID: 0027_price_schedules
Revises: 0026_exchanges
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0027_price_schedules"
down_revision: str | None = "0026_exchanges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "price_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", AutoString(length=120), nullable=False),
        sa.Column("field", AutoString(length=20), nullable=False),
        sa.Column("mode", AutoString(length=20), nullable=False),
        sa.Column("value", AutoString(length=40), nullable=False),
        sa.Column("round_to", sa.Integer(), nullable=False),
        sa.Column("product_ids", sa.Text(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("state", AutoString(length=12), nullable=False),
        sa.Column("message", AutoString(length=255), nullable=True),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("restored", sa.Integer(), nullable=False),
        sa.Column("kept", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_price_schedules_user_id_users")),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_price_schedules_cancelled_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_schedules")),
    )  # fmt: skip
    op.create_index(op.f("ix_price_schedules_state_starts_at"), "price_schedules",
                    ["state", "starts_at"])  # fmt: skip
    op.create_table(
        "price_schedule_items",
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("old", sa.BigInteger(), nullable=True),
        sa.Column("new", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["schedule_id"], ["price_schedules.id"], ondelete="CASCADE",
                                name=op.f("fk_price_schedule_items_schedule_id_price_schedules")),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"], ondelete="CASCADE",
                                name=op.f("fk_price_schedule_items_variant_id_variants")),
        sa.PrimaryKeyConstraint("schedule_id", "variant_id",
                                name=op.f("pk_price_schedule_items")),
    )  # fmt: skip
    op.create_index(op.f("ix_price_schedule_items_variant_id"), "price_schedule_items",
                    ["variant_id"])  # fmt: skip


def downgrade() -> None:
    op.drop_index(op.f("ix_price_schedule_items_variant_id"), table_name="price_schedule_items")
    op.drop_table("price_schedule_items")
    op.drop_index(op.f("ix_price_schedules_state_starts_at"), table_name="price_schedules")
    op.drop_table("price_schedules")
