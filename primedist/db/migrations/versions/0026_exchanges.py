"""order_refunds.method, order_refunds.exchange_order_id

An exchange (*đổi hàng*): items of an order come back and others are sold instead, in one
step; the refund pays for the new sale. `exchange_order_id` links the refund to that sale
and `method` records how the money went (the new sale's method; NULL = the order's own
payment method, as every refund before).

Revision ID: 0026_exchanges
Revises: 0025_customer_adjustments
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026_exchanges"
down_revision: str | None = "0025_customer_adjustments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METHODS = ("cod", "cash", "bank_transfer", "e_wallet", "card", "other", "on_account")


def upgrade() -> None:
    with op.batch_alter_table("order_refunds") as batch_op:
        batch_op.add_column(sa.Column(
            "method", sa.Enum(*METHODS, name="paymentmethod", native_enum=False, length=21,
                              create_constraint=False), nullable=True))  # fmt: skip
        batch_op.add_column(sa.Column("exchange_order_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_order_refunds_exchange_order_id_orders"), "orders",
                                    ["exchange_order_id"], ["id"], ondelete="SET NULL")  # fmt: skip
        batch_op.create_index(op.f("ix_order_refunds_exchange_order_id"), ["exchange_order_id"])


def downgrade() -> None:
    with op.batch_alter_table("order_refunds") as batch_op:
        batch_op.drop_index(op.f("ix_order_refunds_exchange_order_id"))
        batch_op.drop_constraint(op.f("fk_order_refunds_exchange_order_id_orders"),
                                 type_="foreignkey")  # fmt: skip
        batch_op.drop_column("exchange_order_id")
        batch_op.drop_column("method")
