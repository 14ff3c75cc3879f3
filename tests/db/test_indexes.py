"""Query plans of the hot order queries on SQLite, without ANALYZE statistics: the plans must
come from the indexes alone, as on a fresh install."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.engine import sqlite_timestamp
from primedist.domain.enums import Channel, OrderStatus
from primedist.domain.order import Order
from primedist.domain.shop import Shop

# The `engine` fixture (tests/conftest.py) runs on this URL when set, else on SQLite.
PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite",
    reason=f"SQLite only ({DIALECT}): EXPLAIN QUERY PLAN is SQLite's planner output",
)

ORDERS = Order.__table__  # type: ignore[attr-defined]
SHOPS = Shop.__table__  # type: ignore[attr-defined]
N_ORDERS = 3000
START = datetime(2026, 1, 1, tzinfo=UTC)
STATUSES = list(OrderStatus)


@pytest.fixture
def orders_engine(engine: Engine) -> Engine:
    """The migrated database with three shops and a few thousand orders (no ANALYZE)."""
    with engine.begin() as conn:
        conn.execute(
            SHOPS.insert(),
            [{"name": f"Shop {i}", "channel": Channel.OFFLINE} for i in (1, 2, 3)],
        )
        shop_ids = list(conn.execute(sa.select(SHOPS.c.id).order_by(SHOPS.c.id)).scalars())
        rows = []
        for i in range(N_ORDERS):
            subtotal = 50_000 + (i % 37) * 1_000
            rows.append(
                {
                    "shop_id": shop_ids[i % 3],
                    "external_id": f"DH{i:06d}",
                    "status": STATUSES[i % len(STATUSES)],
                    "subtotal": subtotal,
                    "shipping_fee": 15_000,
                    "total": subtotal + 15_000,
                    "search_text": f"dh{i:06d}",
                    "created_at": START + timedelta(minutes=37 * i),
                    "updated_at": START + timedelta(minutes=37 * i),
                }
            )
        conn.execute(ORDERS.insert(), rows)
    with engine.connect() as conn:
        # The plans below must hold without planner statistics.
        assert not sa.inspect(conn).has_table("sqlite_stat1")
        assert conn.execute(sa.select(sa.func.count()).select_from(ORDERS)).scalar() == N_ORDERS
    return engine


def query_plan(engine: Engine, sql: str, params: tuple[object, ...]) -> list[str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
        # The query itself must run too (and is what the plan is for).
        conn.exec_driver_sql(sql, params).all()
    return [str(row[-1]) for row in rows]


def test_keyset_page_uses_created_at_id_index(orders_engine: Engine) -> None:
    # The cursor is the last row of the previous page: order 1000's (created_at, id).
    with orders_engine.connect() as conn:
        cursor = tuple(
            conn.exec_driver_sql("SELECT created_at, id FROM orders WHERE id = 1000").one()
        )
    sql = (
        "SELECT id FROM orders WHERE (created_at, id) < (?, ?)"
        " ORDER BY created_at DESC, id DESC LIMIT 50"
    )
    plan = query_plan(orders_engine, sql, cursor)
    text = "\n".join(plan)
    assert "ix_orders_created_at_id" in text, plan
    assert plan[0].startswith("SEARCH orders USING"), plan  # a range seek, not a full walk
    assert "USE TEMP B-TREE" not in text, plan

    with orders_engine.connect() as conn:
        page = conn.exec_driver_sql(sql, cursor).scalars().all()
    # created_at grows with id in this data, so the page is simply the 50 ids before.
    assert page == list(range(999, 949, -1))


def test_dashboard_totals_come_from_a_covering_index(orders_engine: Engine) -> None:
    start = sqlite_timestamp(START + timedelta(days=10))
    end = sqlite_timestamp(START + timedelta(days=40))
    sql = (
        "SELECT status, count(*), sum(total) FROM orders"
        " WHERE shop_id IN (1, 2) AND created_at >= ? AND created_at < ? GROUP BY status"
    )
    plan = query_plan(orders_engine, sql, (start, end))
    text = "\n".join(plan)
    assert "COVERING INDEX" in text, plan
    # A seek on the date range of a dashboard index, never a walk over all orders.
    covering = [line for line in plan if line.startswith("SEARCH orders USING COVERING INDEX")]
    assert len(covering) == 1, plan
    assert any(
        name in covering[0]
        for name in (
            "ix_orders_shop_id_created_at_status_total",
            "ix_orders_status_shop_id_created_at_total",
        )
    ), plan
    assert not any(line.startswith("SCAN orders") for line in plan), plan

    with orders_engine.connect() as conn:
        got = {row[0]: (row[1], row[2]) for row in conn.exec_driver_sql(sql, (start, end))}
        rows = conn.execute(
            sa.select(ORDERS.c.status, ORDERS.c.total).where(
                ORDERS.c.shop_id.in_([1, 2]),
                ORDERS.c.created_at >= START + timedelta(days=10),
                ORDERS.c.created_at < START + timedelta(days=40),
            )
        ).all()
    expected: dict[str, tuple[int, int]] = {}
    for status, total in rows:
        count, amount = expected.get(str(status), (0, 0))
        expected[str(status)] = (count + 1, amount + total)
    assert got == expected
    assert sum(count for count, _ in got.values()) > 100


def _unique_index_name(engine: Engine, columns: list[str]) -> str:
    """SQLite names a table's UNIQUE constraint index sqlite_autoindex_<table>_N."""
    with engine.connect() as conn:
        for row in conn.exec_driver_sql("PRAGMA index_list(orders)").mappings():
            info = conn.exec_driver_sql(f"PRAGMA index_info('{row['name']}')").mappings()
            if row["unique"] and [r["name"] for r in info] == columns:
                return str(row["name"])
    raise AssertionError(f"no unique index on orders{columns}")


def test_order_lookup_by_shop_and_external_id_uses_the_unique_index(
    orders_engine: Engine,
) -> None:
    unique_index = _unique_index_name(orders_engine, ["shop_id", "external_id"])
    sql = "SELECT id, status, total FROM orders WHERE shop_id = ? AND external_id = ?"
    plan = query_plan(orders_engine, sql, (2, "DH000001"))
    text = "\n".join(plan)
    assert f"USING INDEX {unique_index} (shop_id=? AND external_id=?)" in text, plan

    with orders_engine.connect() as conn:
        rows = conn.exec_driver_sql(sql, (2, "DH000001")).all()
    assert len(rows) == 1


def test_value_sorted_list_pages_read_only_the_covering_total_index(orders_engine: Engine) -> None:
    """A rare status + payment combination sorted by value walks ix_orders_total_id and
    checks the filters in the index, never looking up the order rows it passes."""
    from primedist.core.clock import shop_tz
    from primedist.domain.enums import PaymentMethod
    from primedist.queries.orders import ORDERS_SPEC, OrderFilter, list_state
    from primedist.queries.spec import fetch_keys, keys_stmt

    flt = OrderFilter(payment_methods=(PaymentMethod.COD,), shop_ids=(1, 2))
    state = list_state(flt, "return_refund", shop_tz(), sort_key="total")
    with orders_engine.connect() as conn:
        stmt = keys_stmt(ORDERS_SPEC, state, "sqlite", after=None, limit=100)
        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        keys = fetch_keys(conn, ORDERS_SPEC, state, after=None, limit=100).keys
        expected = conn.exec_driver_sql(
            "SELECT id FROM orders WHERE status IN ('return_refund', 'returned')"
            " AND payment_method = 'cod' AND shop_id IN (1, 2) ORDER BY total DESC, id DESC"
            " LIMIT 100"
        ).scalars().all()
    plan = query_plan(orders_engine, sql, ())
    assert plan == ["SCAN orders USING COVERING INDEX ix_orders_total_id"], plan
    assert keys == expected and len(keys) > 10
