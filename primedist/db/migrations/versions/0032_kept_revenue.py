"""report_order_products.revenue, report_daily_products.revenue: the units kept only

A product's revenue in Analytics (the product rank, its detail page) is now its lines'
subtotal share of the units kept, returned units left out, as its gross profit already
was (`queries.reports.kept_revenue`): a partly returned order's product, or the old side
of an exchange, no longer counts the units that came back. The summaries already written
are worked out again for the orders with returned units (the others are unchanged), then
the daily product rows from the ledger.

Revision ID: 0032_kept_revenue
Revises: 0031_order_points_rate
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0032_kept_revenue"
down_revision: str | None = "0031_order_points_rate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: report_order_products.product_id of lines whose variant is gone (domain.report).
NO_PRODUCT = 0
#: A line's revenue on the units kept (queries/reports.kept_revenue); before: its subtotal.
KEPT_REVENUE = "l.subtotal * (l.quantity - l.returned_quantity) / l.quantity"
WHOLE_REVENUE = "l.subtotal"


def _rewrite(line_revenue: str) -> None:
    op.execute(
        "UPDATE report_order_products SET revenue = c.revenue FROM ("
        f" SELECT l.order_id AS order_id, coalesce(v.product_id, {NO_PRODUCT}) AS product_id,"
        f"  sum({line_revenue}) AS revenue"
        " FROM order_lines l LEFT JOIN variants v ON v.id = l.variant_id"
        " WHERE l.order_id IN (SELECT order_id FROM order_lines WHERE returned_quantity > 0)"
        f" GROUP BY l.order_id, coalesce(v.product_id, {NO_PRODUCT})"
        ") AS c WHERE c.order_id = report_order_products.order_id"
        " AND c.product_id = report_order_products.product_id"
    )
    op.execute(
        "UPDATE report_daily_products SET revenue = c.revenue FROM ("
        " SELECT d.day AS day, d.shop_id AS shop_id, p.product_id AS product_id,"
        "  sum(p.revenue) AS revenue"
        " FROM report_order_products p JOIN report_order_days d ON d.order_id = p.order_id"
        " GROUP BY d.day, d.shop_id, p.product_id"
        ") AS c WHERE c.day = report_daily_products.day"
        " AND c.shop_id = report_daily_products.shop_id"
        " AND c.product_id = report_daily_products.product_id"
        " AND c.revenue <> report_daily_products.revenue"
    )


def upgrade() -> None:
    _rewrite(KEPT_REVENUE)


def downgrade() -> None:
    _rewrite(WHOLE_REVENUE)
