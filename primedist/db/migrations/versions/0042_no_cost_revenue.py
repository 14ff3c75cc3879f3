"""report_order_products / report_daily_products.no_cost_revenue: revenue with no cost

Home's gross profit says how much of the range's revenue came from lines with no unit cost
(a product synced or imported without one: its whole price counts as profit), and of how
many products, read in the same scan as the profit (`queries.reports.profit_totals`).
The ledgers already written get it from their orders' lines costing 0, then the daily
product rows from the ledger.

Revision ID: 0042_no_cost_revenue
Revises: 0041_order_days_province_carrier
Create Date: 2026-12-11
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0042_no_cost_revenue"
down_revision: str | None = "0041_order_days_province_carrier"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: report_order_products.product_id of lines whose variant is gone (domain.report).
NO_PRODUCT = 0
TABLES = ("report_order_products", "report_daily_products")
#: A line's revenue on the units kept (queries/reports.kept_revenue).
KEPT_REVENUE = "l.subtotal * (l.quantity - l.returned_quantity) / l.quantity"


def upgrade() -> None:
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("no_cost_revenue", sa.BigInteger(), nullable=False, server_default="0"),
        )
    # Only the (order, product) rows with a line costing 0; the others stay 0.
    op.execute(
        "UPDATE report_order_products SET no_cost_revenue = c.revenue FROM ("
        f" SELECT l.order_id AS order_id, coalesce(v.product_id, {NO_PRODUCT}) AS product_id,"
        f"  sum({KEPT_REVENUE}) AS revenue"
        " FROM order_lines l LEFT JOIN variants v ON v.id = l.variant_id"
        " WHERE coalesce(l.unit_cost, 0) = 0"
        f" GROUP BY l.order_id, coalesce(v.product_id, {NO_PRODUCT})"
        ") AS c WHERE c.order_id = report_order_products.order_id"
        " AND c.product_id = report_order_products.product_id AND c.revenue <> 0"
    )
    op.execute(
        "UPDATE report_daily_products SET no_cost_revenue = c.revenue FROM ("
        " SELECT d.day AS day, d.shop_id AS shop_id, p.product_id AS product_id,"
        "  sum(p.no_cost_revenue) AS revenue"
        " FROM report_order_products p JOIN report_order_days d ON d.order_id = p.order_id"
        " WHERE p.no_cost_revenue <> 0"
        " GROUP BY d.day, d.shop_id, p.product_id"
        ") AS c WHERE c.day = report_daily_products.day"
        " AND c.shop_id = report_daily_products.shop_id"
        " AND c.product_id = report_daily_products.product_id"
    )


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("no_cost_revenue")
