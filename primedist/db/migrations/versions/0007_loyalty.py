"""loyalty: ranks, levels, points, vouchers (issue 8)

Voucher uses (one row per order that used a shop voucher; limits in total and per
customer count them), a per-customer voucher limit, and the points ledger's order index.

Revision ID: 0007_loyalty
Revises: 0006_marketplace_sync
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007_loyalty"
down_revision: str | None = "0006_marketplace_sync"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch rebuild of vouchers: nothing else changes there).
    op.add_column("vouchers", sa.Column("per_customer_limit", sa.Integer(), nullable=True))
    op.create_table(
        "voucher_uses",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("voucher_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"],
            name=op.f("fk_voucher_uses_customer_id_customers"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"],
            name=op.f("fk_voucher_uses_order_id_orders"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["voucher_id"], ["vouchers.id"],
            name=op.f("fk_voucher_uses_voucher_id_vouchers"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_voucher_uses")),
    )  # fmt: skip
    op.create_index(
        "ix_voucher_uses_voucher_id_customer_id", "voucher_uses", ["voucher_id", "customer_id"]
    )
    op.create_index("ix_points_entries_order_id_kind", "points_entries", ["order_id", "kind"])
    # Orders that already used a voucher: their uses, and each voucher's live count.
    op.execute(
        "INSERT INTO voucher_uses (order_id, voucher_id, customer_id, discount, used_at)"
        " SELECT id, voucher_id, customer_id, voucher_discount, created_at FROM orders"
        " WHERE voucher_id IS NOT NULL"
    )
    op.execute(
        "UPDATE vouchers SET used_count = (SELECT count(*) FROM voucher_uses u"
        " JOIN orders o ON o.id = u.order_id"
        " WHERE u.voucher_id = vouchers.id AND o.status != 'cancelled')"
    )


def downgrade() -> None:
    op.drop_index("ix_points_entries_order_id_kind", table_name="points_entries")
    op.drop_index("ix_voucher_uses_voucher_id_customer_id", table_name="voucher_uses")
    op.drop_table("voucher_uses")
    with op.batch_alter_table("vouchers") as batch_op:
        batch_op.drop_column("per_customer_limit")
