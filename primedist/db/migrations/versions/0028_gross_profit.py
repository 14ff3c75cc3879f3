"""order_lines.unit_cost, report_order_products.profit, report_daily_products.profit

Gross profit: each order line keeps what a unit cost the shop when it was written (its
variant's average cost then), and the product summaries add up the gross profit of the
units kept. Lines already there are costed at their variant's cost today (the best there
is), and the summaries' profits are worked out from them.

Revision ID: 0028_gross_profit
Revises: 0027_price_schedules
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028_gross_profit"
down_revision: str | None = "0027_price_schedules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNCOSTED = "unit_cost IS NULL"
#: report_order_products.product_id of lines whose variant is gone (domain.report).
NO_PRODUCT = 0
INDEXED = ["product_id", "day", "shop_id", "units", "revenue"]
OLD_INDEX = "ix_report_daily_products_product_id_day_shop_id_units_revenue"
NEW_INDEX = "ix_report_daily_products_rank"  # the long name passes 63 characters
#: A line's gross profit on the units kept (queries/reports.kept_profit).
KEPT = "(l.quantity - l.returned_quantity)"
LINE_PROFIT = f"l.subtotal * {KEPT} / l.quantity - {KEPT} * l.unit_cost"


def upgrade() -> None:
    op.add_column("order_lines", sa.Column("unit_cost", sa.BigInteger(), nullable=True))
    for table in ("report_order_products", "report_daily_products"):
        op.add_column(
            table, sa.Column("profit", sa.BigInteger(), nullable=False, server_default="0")
        )
    # The product rank reads a long range from this index alone: it covers the profit too.
    op.drop_index(OLD_INDEX, table_name="report_daily_products")
    op.create_index(NEW_INDEX, "report_daily_products", [*INDEXED, "profit"])
    op.execute(
        "UPDATE order_lines SET unit_cost = coalesce("
        "(SELECT v.cost FROM variants v WHERE v.id = order_lines.variant_id), 0)"
    )
    op.create_index(
        "ix_order_lines_uncosted", "order_lines", ["id"],
        sqlite_where=sa.text(UNCOSTED), postgresql_where=sa.text(UNCOSTED),
    )  # fmt: skip
    op.execute(
        "UPDATE report_order_products SET profit = c.profit FROM ("
        f" SELECT l.order_id AS order_id, coalesce(v.product_id, {NO_PRODUCT}) AS product_id,"
        f"  sum({LINE_PROFIT}) AS profit"
        " FROM order_lines l LEFT JOIN variants v ON v.id = l.variant_id"
        " WHERE l.order_id IN (SELECT order_id FROM report_order_products)"
        f" GROUP BY l.order_id, coalesce(v.product_id, {NO_PRODUCT})"
        ") AS c WHERE c.order_id = report_order_products.order_id"
        " AND c.product_id = report_order_products.product_id"
    )
    op.execute(
        "UPDATE report_daily_products SET profit = c.profit FROM ("
        " SELECT d.day AS day, d.shop_id AS shop_id, p.product_id AS product_id,"
        "  sum(p.profit) AS profit"
        " FROM report_order_products p JOIN report_order_days d ON d.order_id = p.order_id"
        " GROUP BY d.day, d.shop_id, p.product_id"
        ") AS c WHERE c.day = report_daily_products.day"
        " AND c.shop_id = report_daily_products.shop_id"
        " AND c.product_id = report_daily_products.product_id"
    )


def downgrade() -> None:
    op.drop_index(NEW_INDEX, table_name="report_daily_products")
    op.create_index(OLD_INDEX, "report_daily_products", INDEXED)
    for table in ("report_daily_products", "report_order_products"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("profit")
    op.drop_index("ix_order_lines_uncosted", table_name="order_lines")
    with op.batch_alter_table("order_lines") as batch_op:
        batch_op.drop_column("unit_cost")
