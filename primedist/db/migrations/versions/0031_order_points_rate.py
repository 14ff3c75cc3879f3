"""orders.points_rate: the earn rate an order earned its points at

Until now an order's points were worked out again at the current earn rate whenever the
order changed: after the shop changed its rate, a return, a status step or a sync update
of an old order re-rated all its points. An order now keeps the rate (đồng per point) it
earned at. Orders that have earned points get the rate in force now (the best there is;
the default 10,000 when the shop never set one, none when earning is switched off).

Revision ID: 0031_order_points_rate
Revises: 0030_voucher_uses_follow_orders
Create Date: 2026-12-05
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031_order_points_rate"
down_revision: str | None = "0030_voucher_uses_follow_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: services.loyalty.settings (EARN_SETTING, DEFAULT_EARN_PER), frozen here.
_EARN_SETTING = "loyalty.earn_per"
_DEFAULT_EARN_PER = 10_000


def upgrade() -> None:
    op.add_column("orders", sa.Column("points_rate", sa.Integer(), nullable=True))
    conn = op.get_bind()
    raw = conn.execute(
        sa.text("SELECT value_json FROM app_settings WHERE key = :k"), {"k": _EARN_SETTING}
    ).scalar()
    rate = _DEFAULT_EARN_PER if raw is None else int(json.loads(raw))
    if rate > 0:
        conn.execute(
            sa.text("UPDATE orders SET points_rate = :r WHERE points_earned <> 0"), {"r": rate}
        )


def downgrade() -> None:
    op.execute("ALTER TABLE orders DROP COLUMN points_rate")
