"""orders.cash_received: the cash the customer handed over at the counter

Until now the cash given was only printed on the receipt made right after the sale: a
receipt printed again later (Orders list, order detail, `primedist print`) had no "cash
received" and "change" lines. A counter sale paid in cash with an amount typed now keeps
it. Orders sold before stay NULL: what was handed over was never stored.

Revision ID: 0034_order_cash_received
Revises: 0033_customer_not_duplicates
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034_order_cash_received"
down_revision: str | None = "0033_customer_not_duplicates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("cash_received", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE orders DROP COLUMN cash_received")
