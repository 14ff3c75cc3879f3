"""customer_payments; ix_orders_on_account; till_closings.cash_collected

Sales on account (*ghi nợ*): an order paid with `on_account` is owed by its customer
until they pay; a customer payment records what they paid (at the sale or later). What a
customer owes = their standing orders on account (total less refunds) less their
standing payments. Cash paid towards it goes into the drawer: a till count records it
(0 for the counts before).

Revision ID: 0024_customer_accounts
Revises: 0023_supplier_return_cancel
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

AutoString = sqlmodel.sql.sqltypes.AutoString
UTCDateTime = sqlmodel.sql.sqltypes.UTCDateTime

revision: str = "0024_customer_accounts"
down_revision: str | None = "0023_supplier_return_cancel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ON_ACCOUNT = sa.text("payment_method = 'on_account'")
METHODS = ("cod", "cash", "bank_transfer", "e_wallet", "card", "other", "on_account")


def upgrade() -> None:
    op.create_table(
        "customer_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.Enum(*METHODS, name="paymentmethod", native_enum=False,
                                    length=21, create_constraint=False), nullable=False),
        sa.Column("note", AutoString(length=255), nullable=True),
        sa.Column("paid_at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", AutoString(length=255), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_customer_payments_amount_positive")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_customer_payments_customer_id_customers")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="SET NULL",
                                name=op.f("fk_customer_payments_order_id_orders")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_customer_payments_user_id_users")),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_customer_payments_cancelled_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_payments")),
    )  # fmt: skip
    op.create_index(op.f("ix_customer_payments_customer_id_paid_at"), "customer_payments",
                    ["customer_id", "paid_at"])  # fmt: skip
    op.create_index(op.f("ix_customer_payments_paid_at"), "customer_payments", ["paid_at"])
    op.create_index("ix_orders_on_account", "orders",
                    ["customer_id", "status", "total", "refunded_amount"],
                    sqlite_where=ON_ACCOUNT, postgresql_where=ON_ACCOUNT)  # fmt: skip
    with op.batch_alter_table("till_closings") as batch_op:
        batch_op.add_column(sa.Column("cash_collected", sa.BigInteger(), nullable=False,
                                      server_default="0"))  # fmt: skip
    with op.batch_alter_table("till_closings") as batch_op:
        batch_op.alter_column("cash_collected", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("till_closings") as batch_op:
        batch_op.drop_column("cash_collected")
    op.drop_index("ix_orders_on_account", table_name="orders")
    op.drop_index(op.f("ix_customer_payments_paid_at"), table_name="customer_payments")
    op.drop_index(op.f("ix_customer_payments_customer_id_paid_at"),
                  table_name="customer_payments")  # fmt: skip
    op.drop_table("customer_payments")
