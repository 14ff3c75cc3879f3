"""orders.province_code for the orders made in the app (counter, phone, chat sales)

`create_order` stored the delivery province's name without its code, so the dashboards'
top provinces left those orders out (counted under no province). Each such order gets the
code of its province name (written any usual way: "TP. Hồ Chí Minh", "tp hcm" is not one),
and the summaries move its count and revenue from "no province" to that province — the
same difference an order change makes, in plain SQL (no rebuild of every summary). The
downgrade keeps the codes (they are right under the old revision too).

Revision ID: 0017_own_order_provinces
Revises: 0016_customer_list_filters
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from primedist.domain.geo import province_code

revision: str = "0017_own_order_provinces"
down_revision: str | None = "0016_customer_list_filters"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_COUNTED = "('cancelled', 'return_refund', 'returned')"

_STEPS = (
    # Which orders get which code.
    """CREATE TEMPORARY TABLE _fix AS
    SELECT o.id AS order_id, c.code AS code FROM orders o
    JOIN _codes c ON c.name = o.ship_province WHERE o.province_code IS NULL""",
    # What the summaries counted under "no province" for them, per day, shop and code.
    f"""CREATE TEMPORARY TABLE _moved AS
    SELECT l.day AS day, l.shop_id AS shop_id, f.code AS code, count(*) AS n,
        sum(l.total) AS rev
    FROM report_order_days l JOIN _fix f ON f.order_id = l.order_id
    WHERE l.province = '' AND l.status NOT IN {_NOT_COUNTED}
    GROUP BY l.day, l.shop_id, f.code""",
    """UPDATE report_daily_groups SET orders = report_daily_groups.orders - m.n,
        revenue = report_daily_groups.revenue - m.rev
    FROM (SELECT day, shop_id, sum(n) AS n, sum(rev) AS rev FROM _moved
          GROUP BY day, shop_id) m
    WHERE report_daily_groups.dim = 'province' AND report_daily_groups."key" = ''
        AND report_daily_groups.day = m.day AND report_daily_groups.shop_id = m.shop_id""",
    """DELETE FROM report_daily_groups
    WHERE dim = 'province' AND "key" = '' AND orders = 0""",
    """INSERT INTO report_daily_groups (day, shop_id, dim, "key", orders, revenue)
    SELECT day, shop_id, 'province', code, n, rev FROM _moved WHERE true
    ON CONFLICT (day, shop_id, dim, "key") DO UPDATE SET
        orders = report_daily_groups.orders + excluded.orders,
        revenue = report_daily_groups.revenue + excluded.revenue""",
    """UPDATE report_order_days SET province = f.code FROM _fix f
    WHERE f.order_id = report_order_days.order_id AND report_order_days.province = ''""",
    """UPDATE orders SET province_code = f.code FROM _fix f WHERE f.order_id = orders.id""",
    "DROP TABLE _moved",
    "DROP TABLE _fix",
    "DROP TABLE _codes",
)


def upgrade() -> None:
    conn = op.get_bind()
    names = conn.execute(
        sa.text("SELECT DISTINCT ship_province FROM orders "
                "WHERE province_code IS NULL AND ship_province IS NOT NULL")
    ).scalars().all()  # fmt: skip
    codes = [{"name": n, "code": c} for n in names if (c := province_code(str(n)))]
    if not codes:
        return
    conn.execute(sa.text(
        "CREATE TEMPORARY TABLE _codes (name VARCHAR(120) PRIMARY KEY, code VARCHAR(8) NOT NULL)"
    ))  # fmt: skip
    conn.execute(sa.text("INSERT INTO _codes (name, code) VALUES (:name, :code)"), codes)
    for sql in _STEPS:
        conn.execute(sa.text(sql))


def downgrade() -> None:
    pass
