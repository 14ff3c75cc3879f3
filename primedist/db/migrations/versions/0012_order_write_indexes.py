"""orders: two indexes no query needs any more, dropped (issue 7, sync write side)

Every new or re-synced order writes an entry into each index of `orders`; a status
change rewrites each index holding `status`. These two have no reader left:

- `ix_orders_province_code`: province figures come from the daily summary tables;
- `ix_orders_shop_id_created_at_status_total`: dashboards read the summary tables; a
  shop + date range count or total names every status (queries/orders.status_counts)
  and seeks `ix_orders_status_shop_id_created_at_total` per status.

(`ix_orders_status_total_id` stays: without it a big status tab sorted by value sorts
all its orders, 0.2-0.6 s at 1M orders in bench_orders.py.)

Revision ID: 0012_order_write_indexes
Revises: 0011_customer_list_rank
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012_order_write_indexes"
down_revision: str | None = "0011_customer_list_rank"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The dropped indexes and their columns as of the revisions that made them.
_DROPPED = (
    ("ix_orders_province_code", ["province_code"]),
    ("ix_orders_shop_id_created_at_status_total", ["shop_id", "created_at", "status", "total"]),
)


def upgrade() -> None:
    for name, _columns in _DROPPED:
        op.drop_index(name, table_name="orders")


def downgrade() -> None:
    for name, columns in _DROPPED:
        op.create_index(name, "orders", columns)
