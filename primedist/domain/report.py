"""Daily summaries of the orders for the Home and Analytics dashboards.

Each table holds, per shop and per local calendar day (the shop's time zone), what the
dashboards add up, so a 365-day range reads a few thousand rows instead of a million
orders. They are derived data: `queries/reports.refresh_summaries` moves them by what
the changed orders add now minus what they added before (the ledgers `report_order_days`
and `report_order_products`) in the transaction of every order change
(`services/order_effects.orders_changed`), and `primedist report rebuild` rewrites them
from the orders.

"Counted" orders are those whose totals make the revenue (README § Metric definitions):
every status but cancelled, return/refund and returned.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from primedist.domain.base import Field, SQLModel

#: Product key of order lines whose variant is unknown or deleted.
NO_PRODUCT = 0
#: A customer row's previous / next day when there is none.
FAR_PAST = date(1, 1, 1)
FAR_FUTURE = date(9999, 12, 31)
#: SQLite stores these tables in primary-key order (WITHOUT ROWID): range reads are
#: sequential and no second key is kept.
CLUSTERED = {"sqlite_with_rowid": False}


class DailyOrders(SQLModel, table=True):
    """Orders placed per shop, local day and current status: how many and their totals."""

    __tablename__ = "report_daily"
    __table_args__ = (CLUSTERED,)

    shop_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    status: str = Field(primary_key=True, max_length=20)
    orders: int = Field(default=0)
    revenue: int = Field(default=0, sa_type=sa.BigInteger)


class DailyProducts(SQLModel, table=True):
    """Counted orders' lines per local day, shop and product (variant → product)."""

    __tablename__ = "report_daily_products"
    # Product first: a long range groups by product while it scans, with no sort.
    __table_args__ = (
        sa.Index(
            "ix_report_daily_products_rank",
            "product_id", "day", "shop_id", "units", "revenue", "profit",
        ),  # fmt: skip
        CLUSTERED,
    )

    day: date = Field(primary_key=True)
    shop_id: int = Field(primary_key=True)
    #: products.id, or NO_PRODUCT for lines whose variant is gone.
    product_id: int = Field(primary_key=True)
    #: quantity − returned quantity.
    units: int = Field(default=0)
    #: Sum of the line subtotals (quantity × unit price − line discount).
    revenue: int = Field(default=0, sa_type=sa.BigInteger)
    #: Counted orders with lines of the product (the row goes when it falls to 0).
    orders: int = Field(default=0)
    #: Gross profit of the units kept: per line, the subtotal's share of the units kept
    #: (subtotal × (quantity − returned) ÷ quantity) − units kept × the line's unit cost.
    profit: int = Field(default=0, sa_type=sa.BigInteger)
    #: The part of `revenue` from lines with no unit cost (0): all of it counted as profit
    #: (Home warns of it; migration 0042).
    no_cost_revenue: int = Field(default=0, sa_type=sa.BigInteger)


class DailyGroups(SQLModel, table=True):
    """Counted orders per local day, shop and a grouping: province or carrier."""

    __tablename__ = "report_daily_groups"
    # Grouping and key first: a long range groups by key while it scans, with no sort.
    __table_args__ = (
        sa.Index(None, "dim", "key", "day", "shop_id", "orders", "revenue"),
        CLUSTERED,
    )

    day: date = Field(primary_key=True)
    shop_id: int = Field(primary_key=True)
    #: "province" (key = province code) or "carrier" (key = carrier name); "" = unknown.
    dim: str = Field(primary_key=True, max_length=10)
    key: str = Field(primary_key=True, max_length=60)
    orders: int = Field(default=0)
    revenue: int = Field(default=0, sa_type=sa.BigInteger)


class DailyCustomers(SQLModel, table=True):
    """Non-cancelled orders per customer, local day and shop (the repeat purchase rate).

    Each row also holds the day of the customer's row just before it and just after it
    over all shops, rows ordered by day then shop (`FAR_PAST` / `FAR_FUTURE` when there is
    none). A customer bought in the range [a, b] when one of its rows lies in it, and that
    row is its first one in the range when the row before it is before a: so the buyers of
    a range over all shops are a plain count of such rows, and the repeat buyers those of
    them with 2+ orders or a next row on or before b — no grouping by customer. Chosen
    shops group the range's rows by customer instead. The primary key leads with the
    customer: the refresh rewrites a customer's rows.
    """

    __tablename__ = "report_daily_customers"
    __table_args__ = (
        sa.Index(
            "ix_report_daily_customers_day", "day", "prev_day", "next_day", "orders", "shop_id"
        ),
        CLUSTERED,
    )

    customer_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    shop_id: int = Field(primary_key=True)
    orders: int = Field(default=0)
    #: The customer's previous / next row's day, over all shops (by day, then shop).
    prev_day: date
    next_day: date


class SummarizedOrder(SQLModel, table=True):
    """What each order adds to the summaries, as last summarised: its (shop, local day,
    customer), status, total and grouping keys. A refresh subtracts these and adds the
    order's contribution now (its day or customer may have moved), so the summaries
    change by the difference alone, with no time-zone arithmetic for the old side."""

    __tablename__ = "report_order_days"
    __table_args__ = (
        sa.Index("ix_report_order_days_shop_id_day", "shop_id", "day"),
        # Analytics' drill-down in the Orders list: its province / carrier orders, their
        # status counts index-only (migration 0041).
        sa.Index("ix_report_order_days_province", "province", "carrier", "status"),
        sa.Index("ix_report_order_days_carrier", "carrier", "status"),
    )

    order_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    shop_id: int
    day: date
    customer_id: int | None = Field(default=None)
    status: str = Field(default="", max_length=20)
    total: int = Field(default=0, sa_type=sa.BigInteger)
    #: The grouping keys ("" when unknown): province code and carrier.
    province: str = Field(default="", max_length=8)
    carrier: str = Field(default="", max_length=60)


class SummarizedOrderProduct(SQLModel, table=True):
    """What a counted order's lines add to `report_daily_products`, per product (orders
    that are not counted have no rows)."""

    __tablename__ = "report_order_products"
    __table_args__ = (CLUSTERED,)

    order_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    product_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    units: int = Field(default=0)
    revenue: int = Field(default=0, sa_type=sa.BigInteger)
    profit: int = Field(default=0, sa_type=sa.BigInteger)
    no_cost_revenue: int = Field(default=0, sa_type=sa.BigInteger)
