"""purchase_orders (+ lines); goods_receipts.purchase_order_id

An order to a supplier before the goods come; receipts made against it count towards
its lines.

Revision ID: 0022_purchase_orders
Revises: 0021_suppliers
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0022_purchase_orders"
down_revision: str | None = "0021_suppliers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def _user_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["users.id"],
                                   name=op.f(f"fk_purchase_orders_{column}_users"),
                                   ondelete="SET NULL")  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", AutoString(length=20), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("supplier", AutoString(length=120), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("note", AutoString(length=255), nullable=True),
        sa.Column("search_text", AutoString(length=400), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("received_units", sa.Integer(), nullable=False),
        sa.Column("total_cost", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", AutoString(length=255), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("close_reason", AutoString(length=255), nullable=True),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"],
                                name=op.f("fk_purchase_orders_supplier_id_suppliers")),
        _user_fk("user_id"), _user_fk("cancelled_by_id"), _user_fk("closed_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint("code", name=op.f("uq_purchase_orders_code")),
    )  # fmt: skip
    op.create_index(op.f("ix_purchase_orders_created_at_id"), "purchase_orders",
                    ["created_at", "id"])  # fmt: skip
    op.create_index(op.f("ix_purchase_orders_supplier_id_created_at"), "purchase_orders",
                    ["supplier_id", "created_at"])  # fmt: skip
    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("sku", AutoString(length=64), nullable=False),
        sa.Column("product_name", AutoString(length=120), nullable=False),
        sa.Column("variant_name", AutoString(length=125), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity > 0 AND received >= 0 AND (unit_cost IS NULL OR unit_cost >= 0)",
            name=op.f("ck_purchase_order_lines_line_positive"),
        ),
        sa.ForeignKeyConstraint(["order_id"], ["purchase_orders.id"],
                                name=op.f("fk_purchase_order_lines_order_id_purchase_orders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"],
                                name=op.f("fk_purchase_order_lines_variant_id_variants"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_lines")),
    )  # fmt: skip
    op.create_index(op.f("ix_purchase_order_lines_order_id"), "purchase_order_lines",
                    ["order_id"])  # fmt: skip
    op.create_index(op.f("ix_purchase_order_lines_variant_id"), "purchase_order_lines",
                    ["variant_id"])  # fmt: skip
    with op.batch_alter_table("goods_receipts") as batch_op:
        batch_op.add_column(sa.Column("purchase_order_id", sa.Integer(), nullable=True))
        batch_op.create_index(op.f("ix_goods_receipts_purchase_order_id"),
                              ["purchase_order_id"])  # fmt: skip
        batch_op.create_foreign_key(op.f("fk_goods_receipts_purchase_order_id_purchase_orders"),
                                    "purchase_orders", ["purchase_order_id"], ["id"])  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("goods_receipts") as batch_op:
        batch_op.drop_constraint(op.f("fk_goods_receipts_purchase_order_id_purchase_orders"),
                                 type_="foreignkey")  # fmt: skip
        batch_op.drop_index(op.f("ix_goods_receipts_purchase_order_id"))
        batch_op.drop_column("purchase_order_id")
    op.drop_table("purchase_order_lines")
    op.drop_table("purchase_orders")
