"""goods_receipts and goods_receipt_lines: a delivery received, many SKUs at once

A goods receipt (*phiếu nhập hàng*) is a stock in of every line in one transaction; these
tables keep the document (code, supplier, note, totals, who and when; when, by whom and why
it was cancelled) and its lines (SKU and names as they were, quantity, unit cost). New
tables only: nothing to copy.

Revision ID: 0020_goods_receipts
Revises: 0019_order_refunds
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020_goods_receipts"
down_revision: str | None = "0019_order_refunds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "goods_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", AutoString(length=20), nullable=False),
        sa.Column("supplier", AutoString(length=120), nullable=True),
        sa.Column("note", AutoString(length=255), nullable=True),
        sa.Column("search_text", AutoString(length=400), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("total_cost", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("cancelled_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", AutoString(length=255), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_goods_receipts_user_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["users.id"],
                                name=op.f("fk_goods_receipts_cancelled_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_receipts")),
        sa.UniqueConstraint("code", name=op.f("uq_goods_receipts_code")),
    )  # fmt: skip
    op.create_index(op.f("ix_goods_receipts_created_at_id"), "goods_receipts", ["created_at", "id"])
    op.create_table(
        "goods_receipt_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("sku", AutoString(length=64), nullable=False),
        sa.Column("product_name", AutoString(length=120), nullable=False),
        sa.Column("variant_name", AutoString(length=125), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("quantity > 0 AND (unit_cost IS NULL OR unit_cost >= 0)",
                           name=op.f("ck_goods_receipt_lines_line_positive")),
        sa.ForeignKeyConstraint(["receipt_id"], ["goods_receipts.id"],
                                name=op.f("fk_goods_receipt_lines_receipt_id_goods_receipts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"],
                                name=op.f("fk_goods_receipt_lines_variant_id_variants"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_receipt_lines")),
    )  # fmt: skip
    for column in ("receipt_id", "variant_id"):
        op.create_index(op.f(f"ix_goods_receipt_lines_{column}"), "goods_receipt_lines", [column])


def downgrade() -> None:
    op.drop_table("goods_receipt_lines")
    op.drop_table("goods_receipts")
