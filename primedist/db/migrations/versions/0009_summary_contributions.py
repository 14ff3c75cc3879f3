"""dashboards: each order's contribution to the daily summaries (incremental refresh)

`report_order_days` also keeps the status, total and grouping keys each order was
summarised with, `report_order_products` what a counted order's lines added per product,
and `report_daily_products.orders` how many orders a product row holds (it goes at 0):
an order change then moves the summaries by the difference alone.

Revision ID: 0009_summary_contributions
Revises: 0008_daily_summaries
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_summary_contributions"
down_revision: str | None = "0008_daily_summaries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_COUNTED = "('cancelled', 'return_refund', 'returned')"
#: New ledger columns (SQLite adds a NOT NULL column only with a default).
_LEDGER_COLUMNS = (
    ("status", sa.String(length=20), "''"),
    ("total", sa.BigInteger(), "0"),
    ("province", sa.String(length=8), "''"),
    ("carrier", sa.String(length=60), "''"),
)
#: As of this revision; the days come from the ledger (no time-zone arithmetic here).
_FILL = (
    """UPDATE report_order_days SET status = o.status, total = o.total,
        province = coalesce(o.province_code, ''), carrier = coalesce(o.carrier, '')
    FROM orders o WHERE o.id = report_order_days.order_id""",
    f"""INSERT INTO report_order_products (order_id, product_id, units, revenue)
    SELECT l.order_id, coalesce(v.product_id, 0), sum(ol.quantity - ol.returned_quantity),
        sum(ol.subtotal)
    FROM report_order_days l JOIN order_lines ol ON ol.order_id = l.order_id
    LEFT JOIN variants v ON v.id = ol.variant_id
    WHERE l.status NOT IN {_NOT_COUNTED}
    GROUP BY l.order_id, coalesce(v.product_id, 0)""",
    "DELETE FROM report_daily_products",
    """INSERT INTO report_daily_products (day, shop_id, product_id, units, revenue, orders)
    SELECT l.day, l.shop_id, p.product_id, sum(p.units), sum(p.revenue), count(*)
    FROM report_order_products p JOIN report_order_days l ON l.order_id = p.order_id
    GROUP BY l.day, l.shop_id, p.product_id""",
)


def upgrade() -> None:
    for name, type_, default in _LEDGER_COLUMNS:
        op.add_column(
            "report_order_days",
            sa.Column(name, type_, nullable=False, server_default=sa.text(default)),
        )
    op.add_column(
        "report_daily_products",
        sa.Column("orders", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.create_table(
        "report_order_products",
        sa.Column("order_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("product_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", "product_id", name="pk_report_order_products"),
        sqlite_with_rowid=False,
    )
    conn = op.get_bind()
    for sql in _FILL:
        conn.execute(sa.text(sql))


def downgrade() -> None:
    op.drop_table("report_order_products")
    op.drop_column("report_daily_products", "orders")
    for name, _type, _default in reversed(_LEDGER_COLUMNS):
        op.drop_column("report_order_days", name)
