"""Loyalty points: which channels' orders earn them (setting loyalty.earn_channels)

Until now every completed order of a known customer earned points, marketplace orders
included. The owner now chooses the channels; without the setting only the shop's own
sales earn (the default for a new shop: marketplace buyers are the marketplace's
customers). A shop that already has orders keeps earning as before: the setting is stored
here with every channel on. (A database without orders is a new shop: it gets the new
default.)

Revision ID: 0039_points_earn_channels
Revises: 0038_order_external_status
Create Date: 2026-12-10
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0039_points_earn_channels"
down_revision: str | None = "0038_order_external_status"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: services.loyalty.settings (EARN_CHANNELS_SETTING, EARN_CHANNELS), frozen here.
_KEY = "loyalty.earn_channels"
_ALL = {"offline": True, "shopee": True, "lazada": True, "tiktok": True, "tiki": True}

_settings = sa.table(
    "app_settings",
    sa.column("key", sa.String),
    sa.column("value_json", sa.Text),
    sa.column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)


def upgrade() -> None:
    conn = op.get_bind()
    has_orders = conn.execute(sa.text("SELECT 1 FROM orders LIMIT 1")).first() is not None
    stored = conn.execute(sa.text("SELECT 1 FROM app_settings WHERE key = :k"), {"k": _KEY}).first()
    if has_orders and stored is None:
        conn.execute(_settings.insert().values(
            key=_KEY, value_json=json.dumps(_ALL), updated_at=datetime.now(UTC)))  # fmt: skip


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM app_settings WHERE key = :k").bindparams(k=_KEY))
