"""dashboards: daily summary tables (issue 9)

Revision ID: 0008_daily_summaries
Revises: 0007_loyalty
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_daily_summaries"
down_revision: str | None = "0007_loyalty"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLUSTERED = {"sqlite_with_rowid": False}


def _int(name: str, *, key: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), nullable=False, primary_key=key)


def _money(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger(), nullable=False)


def _day() -> sa.Column[object]:
    return sa.Column("day", sa.Date(), nullable=False, primary_key=True)


def upgrade() -> None:
    op.create_table(
        "report_daily",
        _int("shop_id", key=True),
        _day(),
        sa.Column("status", sa.String(length=20), nullable=False, primary_key=True),
        _int("orders"),
        _money("revenue"),
        sa.PrimaryKeyConstraint("shop_id", "day", "status", name="pk_report_daily"),
        **_CLUSTERED,
    )
    op.create_table(
        "report_daily_products",
        _day(),
        _int("shop_id", key=True),
        _int("product_id", key=True),
        _int("units"),
        _money("revenue"),
        sa.PrimaryKeyConstraint("day", "shop_id", "product_id", name="pk_report_daily_products"),
        **_CLUSTERED,
    )
    op.create_table(
        "report_daily_groups",
        _day(),
        _int("shop_id", key=True),
        sa.Column("dim", sa.String(length=10), nullable=False, primary_key=True),
        sa.Column("key", sa.String(length=60), nullable=False, primary_key=True),
        _int("orders"),
        _money("revenue"),
        sa.PrimaryKeyConstraint("day", "shop_id", "dim", "key", name="pk_report_daily_groups"),
        **_CLUSTERED,
    )
    op.create_index(
        "ix_report_daily_products_product_id_day_shop_id_units_revenue",
        "report_daily_products",
        ["product_id", "day", "shop_id", "units", "revenue"],
    )
    op.create_index(
        "ix_report_daily_groups_dim_key_day_shop_id_orders_revenue",
        "report_daily_groups",
        ["dim", "key", "day", "shop_id", "orders", "revenue"],
    )
    op.create_table(
        "report_daily_customers",
        _int("customer_id", key=True),
        _day(),
        _int("shop_id", key=True),
        _int("orders"),
        sa.PrimaryKeyConstraint("customer_id", "day", "shop_id", name="pk_report_daily_customers"),
        **_CLUSTERED,
    )
    op.create_index(
        "ix_report_daily_customers_day_shop_id_customer_id_orders",
        "report_daily_customers",
        ["day", "shop_id", "customer_id", "orders"],
    )
    op.create_table(
        "report_order_days",
        sa.Column("order_id", sa.Integer(), nullable=False, autoincrement=False),
        _int("shop_id"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_report_order_days"),
    )
    # Existing orders: summarised by `primedist report rebuild`, run here so the
    # dashboards are right from the first start after the upgrade.
    from primedist.queries.reports import rebuild_summaries

    rebuild_summaries(op.get_bind())


def downgrade() -> None:
    op.drop_table("report_order_days")
    op.drop_index(
        "ix_report_daily_customers_day_shop_id_customer_id_orders",
        table_name="report_daily_customers",
    )
    op.drop_table("report_daily_customers")
    op.drop_index(
        "ix_report_daily_groups_dim_key_day_shop_id_orders_revenue",
        table_name="report_daily_groups",
    )
    op.drop_table("report_daily_groups")
    op.drop_index(
        "ix_report_daily_products_product_id_day_shop_id_units_revenue",
        table_name="report_daily_products",
    )
    op.drop_table("report_daily_products")
    op.drop_table("report_daily")
