"""report_order_days: indexes on province and carrier (Analytics' drill-down)

A ranking row of Analytics opens its orders in the Orders list (province, carrier
chips), read from the summaries' ledger. Without its date chip the ledger had no index
to seek: the list's first page and its status counts scanned all of it (1M orders:
0.3–0.5 s). With these, a page checks how many orders match (a seek, stopped early) and
the counts read the ledger's index alone (`queries/orders.py`).

Revision ID: 0041_order_days_province_carrier
Revises: 0040_customers_last_order_sort
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0041_order_days_province_carrier"
down_revision: str | None = "0040_customers_last_order_sort"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "report_order_days"


def upgrade() -> None:
    op.create_index("ix_report_order_days_province", _TABLE, ["province", "carrier", "status"])
    op.create_index("ix_report_order_days_carrier", _TABLE, ["carrier", "status"])


def downgrade() -> None:
    op.drop_index("ix_report_order_days_carrier", table_name=_TABLE)
    op.drop_index("ix_report_order_days_province", table_name=_TABLE)
