"""suppliers, supplier_payments, supplier_returns (+ lines), supplier_adjustments;
goods_receipts.supplier_id; till_closings.cash_paid_out

A supplier becomes a record (code, contact details) and what the shop owes it is the cost
of its receipts less its returns and payments (plus money it gave back). The suppliers named on earlier receipts (text) become
records, one per folded name, linked from their receipts; those receipts are taken as paid
in full at the delivery (a payment with the receipt), so no debt appears out of nowhere. Cash paid to a
supplier comes out of the drawer: a till count records it (0 for the counts before).

Revision ID: 0021_suppliers
Revises: 0020_goods_receipts
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from primedist.core.search_keys import search_text
from primedist.core.text import fold

revision: str = "0021_suppliers"
down_revision: str | None = "0020_goods_receipts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    _create_suppliers()
    _create_payments()
    with op.batch_alter_table("goods_receipts") as batch_op:
        batch_op.add_column(sa.Column("supplier_id", sa.Integer(), nullable=True))
        batch_op.create_index(op.f("ix_goods_receipts_supplier_id_created_at"),
                              ["supplier_id", "created_at"])  # fmt: skip
        batch_op.create_foreign_key(op.f("fk_goods_receipts_supplier_id_suppliers"),
                                    "suppliers", ["supplier_id"], ["id"])  # fmt: skip
    _create_returns()
    _create_adjustments()
    _records_from_receipts()
    with op.batch_alter_table("till_closings") as batch_op:
        batch_op.add_column(sa.Column("cash_paid_out", sa.BigInteger(), nullable=False,
                                      server_default="0"))  # fmt: skip
    with op.batch_alter_table("till_closings") as batch_op:
        batch_op.alter_column("cash_paid_out", server_default=None)


def _create_suppliers() -> None:
    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", AutoString(length=20), nullable=False),
        sa.Column("name", AutoString(length=120), nullable=False),
        sa.Column("name_key", AutoString(length=120), nullable=False),
        sa.Column("phone", AutoString(length=20), nullable=True),
        sa.Column("email", AutoString(length=120), nullable=True),
        sa.Column("address", AutoString(length=255), nullable=True),
        sa.Column("tax_code", AutoString(length=20), nullable=True),
        sa.Column("note", AutoString(length=255), nullable=True),
        sa.Column("search_text", AutoString(length=600), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("code", name=op.f("uq_suppliers_code")),
        sa.UniqueConstraint("name_key", name=op.f("uq_suppliers_name_key")),
    )


def _create_payments() -> None:
    op.create_table(
        "supplier_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.Enum("cod", "cash", "bank_transfer", "e_wallet", "card", "other",
                                    name="paymentmethod", native_enum=False, length=21,
                                    create_constraint=False), nullable=False),
        sa.Column("note", AutoString(length=255), nullable=True),
        sa.Column("paid_at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", AutoString(length=255), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_supplier_payments_amount_positive")),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"],
                                name=op.f("fk_supplier_payments_supplier_id_suppliers")),
        sa.ForeignKeyConstraint(["receipt_id"], ["goods_receipts.id"],
                                name=op.f("fk_supplier_payments_receipt_id_goods_receipts"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_supplier_payments_user_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["users.id"],
                                name=op.f("fk_supplier_payments_cancelled_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_payments")),
    )  # fmt: skip
    op.create_index(op.f("ix_supplier_payments_receipt_id"), "supplier_payments", ["receipt_id"])
    op.create_index(op.f("ix_supplier_payments_supplier_id_paid_at"), "supplier_payments",
                    ["supplier_id", "paid_at"])  # fmt: skip


def _create_returns() -> None:
    op.create_table(
        "supplier_returns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", AutoString(length=20), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("reason", AutoString(length=255), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("refund", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.Enum("cod", "cash", "bank_transfer", "e_wallet", "card", "other",
                                    name="paymentmethod", native_enum=False, length=21,
                                    create_constraint=False), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("total >= 0 AND refund >= 0 AND refund <= total",
                           name=op.f("ck_supplier_returns_refund_within_total")),
        sa.ForeignKeyConstraint(["receipt_id"], ["goods_receipts.id"],
                                name=op.f("fk_supplier_returns_receipt_id_goods_receipts")),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"],
                                name=op.f("fk_supplier_returns_supplier_id_suppliers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_supplier_returns_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_returns")),
        sa.UniqueConstraint("code", name=op.f("uq_supplier_returns_code")),
    )  # fmt: skip
    op.create_index(op.f("ix_supplier_returns_receipt_id"), "supplier_returns", ["receipt_id"])
    op.create_index(op.f("ix_supplier_returns_supplier_id_created_at"), "supplier_returns",
                    ["supplier_id", "created_at"])  # fmt: skip
    op.create_table(
        "supplier_return_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("receipt_line_id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("quantity > 0",
                           name=op.f("ck_supplier_return_lines_quantity_positive")),
        sa.ForeignKeyConstraint(["return_id"], ["supplier_returns.id"],
                                name=op.f("fk_supplier_return_lines_return_id_supplier_returns"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["receipt_line_id"], ["goods_receipt_lines.id"],
            name=op.f("fk_supplier_return_lines_receipt_line_id_goods_receipt_lines")),
        sa.ForeignKeyConstraint(["variant_id"], ["variants.id"],
                                name=op.f("fk_supplier_return_lines_variant_id_variants"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_return_lines")),
    )  # fmt: skip
    for column in ("return_id", "receipt_line_id"):
        op.create_index(op.f(f"ix_supplier_return_lines_{column}"), "supplier_return_lines",
                        [column])  # fmt: skip


def _create_adjustments() -> None:
    op.create_table(
        "supplier_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", AutoString(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("amount <> 0",
                           name=op.f("ck_supplier_adjustments_amount_not_zero")),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"],
                                name=op.f("fk_supplier_adjustments_supplier_id_suppliers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_supplier_adjustments_user_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_adjustments")),
    )  # fmt: skip
    op.create_index(op.f("ix_supplier_adjustments_supplier_id_created_at"),
                    "supplier_adjustments", ["supplier_id", "created_at"])  # fmt: skip


def _records_from_receipts() -> None:
    """A supplier record per folded name on the receipts (the earliest spelling, coded
    in order of first delivery), each receipt linked, the standing ones paid in full."""
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT id, supplier, created_at, user_id, total_cost, cancelled_at"
        " FROM goods_receipts WHERE supplier IS NOT NULL ORDER BY created_at, id"
    )).all()  # fmt: skip
    by_key: dict[str, int] = {}
    for receipt in rows:
        key = fold(receipt.supplier.strip())[:120]
        if not key:
            continue
        if key not in by_key:
            by_key[key] = _insert_supplier(conn, receipt.supplier.strip(), key,
                                           receipt.created_at)  # fmt: skip
        supplier_id = by_key[key]
        conn.execute(sa.text("UPDATE goods_receipts SET supplier_id = :s WHERE id = :r"),
                     {"s": supplier_id, "r": receipt.id})  # fmt: skip
        if receipt.cancelled_at is None and receipt.total_cost > 0:
            conn.execute(sa.text(
                "INSERT INTO supplier_payments (supplier_id, receipt_id, amount, method, note,"
                " paid_at, user_id) VALUES (:s, :r, :amount, 'cash', NULL, :at, :user)"
            ), {"s": supplier_id, "r": receipt.id, "amount": receipt.total_cost,
                "at": receipt.created_at, "user": receipt.user_id})  # fmt: skip


def _insert_supplier(conn: sa.Connection, name: str, key: str, at: object) -> int:
    number = int(conn.execute(sa.text("SELECT COUNT(*) FROM suppliers")).scalar_one()) + 1
    code = f"NCC{number:06d}"
    conn.execute(sa.text(
        "INSERT INTO suppliers (code, name, name_key, search_text, is_active, created_at,"
        " updated_at) VALUES (:code, :name, :key, :search, :active, :at, :at)"
    ), {"code": code, "name": name[:120], "key": key, "search": search_text(code, name)[:600],
        "active": True, "at": at})  # fmt: skip
    found = conn.execute(sa.text("SELECT id FROM suppliers WHERE code = :c"), {"c": code})
    return int(found.scalar_one())


def downgrade() -> None:
    with op.batch_alter_table("till_closings") as batch_op:
        batch_op.drop_column("cash_paid_out")
    op.drop_table("supplier_adjustments")
    op.drop_table("supplier_return_lines")
    op.drop_table("supplier_returns")
    op.drop_table("supplier_payments")
    with op.batch_alter_table("goods_receipts") as batch_op:
        batch_op.drop_constraint(op.f("fk_goods_receipts_supplier_id_suppliers"),
                                 type_="foreignkey")  # fmt: skip
        batch_op.drop_index(op.f("ix_goods_receipts_supplier_id_created_at"))
        batch_op.drop_column("supplier_id")
    op.drop_table("suppliers")
