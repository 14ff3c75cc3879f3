"""dashboards: daily summary tables (issue 9)

Revision ID: 0008_daily_summaries
Revises: 0007_loyalty
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

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
    op.create_table(
        "report_daily_customers",
        _int("customer_id", key=True),
        _day(),
        _int("shop_id", key=True),
        _int("orders"),
        *(sa.Column(name, sa.Date(), nullable=False) for name in _NEIGHBOURS),
        sa.PrimaryKeyConstraint("customer_id", "day", "shop_id", name="pk_report_daily_customers"),
        **_CLUSTERED,
    )
    op.create_table(
        "report_order_days",
        sa.Column("order_id", sa.Integer(), nullable=False, autoincrement=False),
        _int("shop_id"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("order_id", name="pk_report_order_days"),
    )
    # Existing orders: summarised here (what `primedist report rebuild` does, frozen as of
    # this revision), then the secondary indexes are built over the filled tables.
    _fill(op.get_bind())
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


#: The customer rows' neighbour days (over all shops, by day then shop).
_NEIGHBOURS = ("prev_day", "next_day")
_INDEXES = (
    ("ix_report_daily_products_product_id_day_shop_id_units_revenue", "report_daily_products",
     ["product_id", "day", "shop_id", "units", "revenue"]),
    ("ix_report_daily_groups_dim_key_day_shop_id_orders_revenue", "report_daily_groups",
     ["dim", "key", "day", "shop_id", "orders", "revenue"]),
    ("ix_report_daily_customers_day", "report_daily_customers",
     ["day", "prev_day", "next_day", "orders", "shop_id"]),
    ("ix_report_order_days_shop_id_day", "report_order_days", ["shop_id", "day"]),
)  # fmt: skip
_NOT_COUNTED = "('cancelled', 'return_refund', 'returned')"
_DEFAULT_ZONE = "Asia/Ho_Chi_Minh"

#: The summaries' SQL as of this revision. {day}: the local day of `orders o`;
#: {past}/{future}: the customer rows' "no neighbour" days.
_FILL = (
    """INSERT INTO report_order_days (order_id, shop_id, day, customer_id)
    SELECT o.id, o.shop_id, {day}, o.customer_id FROM orders o""",
    """INSERT INTO report_daily (shop_id, day, status, orders, revenue)
    SELECT l.shop_id, l.day, o.status, count(*), sum(o.total)
    FROM report_order_days l JOIN orders o ON o.id = l.order_id
    GROUP BY l.shop_id, l.day, o.status""",
    f"""INSERT INTO report_daily_products (day, shop_id, product_id, units, revenue)
    SELECT l.day, l.shop_id, coalesce(v.product_id, 0),
        sum(ol.quantity - ol.returned_quantity), sum(ol.subtotal)
    FROM report_order_days l JOIN orders o ON o.id = l.order_id
    JOIN order_lines ol ON ol.order_id = o.id LEFT JOIN variants v ON v.id = ol.variant_id
    WHERE o.status NOT IN {_NOT_COUNTED}
    GROUP BY l.day, l.shop_id, coalesce(v.product_id, 0)""",
    *(
        f"""INSERT INTO report_daily_groups (day, shop_id, dim, key, orders, revenue)
        SELECT l.day, l.shop_id, '{dim}', coalesce(o.{column}, ''), count(*), sum(o.total)
        FROM report_order_days l JOIN orders o ON o.id = l.order_id
        WHERE o.status NOT IN {_NOT_COUNTED}
        GROUP BY l.day, l.shop_id, coalesce(o.{column}, '')"""
        for dim, column in (("province", "province_code"), ("carrier", "carrier"))
    ),
    """INSERT INTO report_daily_customers
        (customer_id, day, shop_id, orders, prev_day, next_day)
    SELECT c, d, s, n,
        coalesce(lag(d) OVER (PARTITION BY c ORDER BY d, s), {past}),
        coalesce(lead(d) OVER (PARTITION BY c ORDER BY d, s), {future})
    FROM (SELECT o.customer_id AS c, {day} AS d, o.shop_id AS s, count(*) AS n
          FROM orders o WHERE o.customer_id IS NOT NULL AND o.status != 'cancelled'
          GROUP BY o.customer_id, {day}, o.shop_id) AS per_day""",
)


def _fill(conn: sa.Connection) -> None:
    sqlite = conn.dialect.name == "sqlite"
    zones = {
        int(sid): (tz or "").strip() or _DEFAULT_ZONE
        for sid, tz in conn.execute(sa.text("SELECT id, timezone FROM shops"))
    }
    day = _shops_day(zones, sqlite)
    past, future = ("'0001-01-01'", "'9999-12-31'") if sqlite else (
        "DATE '0001-01-01'", "DATE '9999-12-31'")  # fmt: skip
    for sql in _FILL:
        conn.execute(sa.text(sql.format(day=day, past=past, future=future)))


def _shops_day(zones: dict[int, str], sqlite: bool) -> str:
    """SQL for the local day of `o.created_at` in the zone of `o.shop_id`."""
    by_zone: dict[str, list[int]] = {}
    for sid, zone in zones.items():
        by_zone.setdefault(_known(zone), []).append(sid)
    others = [(z, ids) for z, ids in by_zone.items() if z != _DEFAULT_ZONE]
    default = _local_day(_DEFAULT_ZONE, sqlite)
    if not others:
        return default
    arms = " ".join(
        f"WHEN o.shop_id IN ({', '.join(map(str, ids))}) THEN {_local_day(z, sqlite)}"
        for z, ids in others
    )
    return f"CASE {arms} ELSE {default} END"


def _known(zone: str) -> str:
    try:
        return ZoneInfo(zone).key
    except (ZoneInfoNotFoundError, ValueError):
        return _DEFAULT_ZONE


def _local_day(zone: str, sqlite: bool) -> str:
    """The local day of o.created_at (UTC): SQLite adds the zone's offset in force (a
    CASE over the offset changes 2000-2060); PostgreSQL converts."""
    if not sqlite:
        return f"CAST(timezone('{zone}', o.created_at) AS DATE)"
    changes = _offset_changes(zone)
    if len(changes) == 1:
        return f"date(o.created_at, '{changes[0][1]:+d} seconds')"
    arms = " ".join(
        f"WHEN o.created_at < '{start:%Y-%m-%d %H:%M:%S.%f}' THEN '{changes[i - 1][1]:+d} seconds'"
        for i, (start, _offset) in enumerate(changes)
        if i > 0
    )
    return f"date(o.created_at, CASE {arms} ELSE '{changes[-1][1]:+d} seconds' END)"


def _offset_changes(zone: str) -> list[tuple[datetime, int]]:
    """(UTC instant, offset in seconds from then on) for 2000-2060, first entry at 2000."""
    tz = ZoneInfo(zone)

    def offset(at: datetime) -> int:
        delta = at.astimezone(tz).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    at = datetime(2000, 1, 1, tzinfo=UTC)
    changes = [(at, offset(at))]
    while at.year < 2060:
        nxt = at + timedelta(days=1)
        if offset(nxt) != changes[-1][1]:
            lo, hi = 0, 86_400  # bisect to the second (changes fall on whole seconds)
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (
                    (mid, hi)
                    if offset(at + timedelta(seconds=mid)) == changes[-1][1]
                    else (lo, mid)
                )
            changes.append((at + timedelta(seconds=hi), offset(at + timedelta(seconds=hi))))
        at = nxt
    return changes


def downgrade() -> None:
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    for table in ("report_order_days", "report_daily_customers", "report_daily_groups",
                  "report_daily_products", "report_daily"):  # fmt: skip
        op.drop_table(table)
