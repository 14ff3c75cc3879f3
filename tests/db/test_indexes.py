"""Query plans of the hot order queries on SQLite, without ANALYZE statistics: the plans must
come from the indexes alone, as on a fresh install."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.engine import sqlite_timestamp
from primedist.domain.enums import Channel, OrderStatus
from primedist.domain.order import Order
from primedist.domain.shop import Shop
from primedist.services.context import ServiceContext

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
    # With every status named (as queries/orders.status_counts does), the status-first
    # index is seeked per status and streams in GROUP BY order.
    every = ", ".join(f"'{s.value}'" for s in OrderStatus)
    sql = (
        f"SELECT status, count(*), sum(total) FROM orders WHERE status IN ({every})"
        " AND shop_id IN (1, 2) AND created_at >= ? AND created_at < ? GROUP BY status"
    )
    plan = query_plan(orders_engine, sql, (start, end))
    text = "\n".join(plan)
    assert "COVERING INDEX" in text, plan
    # A seek on the date range of a dashboard index, never a walk over all orders.
    covering = [line for line in plan if line.startswith("SEARCH orders USING COVERING INDEX")]
    assert len(covering) == 1, plan
    assert "ix_orders_status_shop_id_created_at_total" in covering[0], plan
    assert not any(line.startswith("SCAN orders") for line in plan), plan
    assert "USE TEMP B-TREE" not in text, plan

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
        expected = (
            conn.exec_driver_sql(
                "SELECT id FROM orders WHERE status IN ('return_refund', 'returned')"
                " AND payment_method = 'cod' AND shop_id IN (1, 2) ORDER BY total DESC, id DESC"
                " LIMIT 100"
            )
            .scalars()
            .all()
        )
    plan = query_plan(orders_engine, sql, ())
    assert plan == ["SCAN orders USING COVERING INDEX ix_orders_total_id"], plan
    assert keys == expected and len(keys) > 10


def _keys_and_plan(engine: Engine, state: Any) -> tuple[list[int], list[str]]:
    """The first page of keys for a list state, and the plan of the query that read it."""
    from primedist.queries.orders import ORDERS_SPEC
    from primedist.queries.spec import fetch_keys, keys_stmt

    with engine.connect() as conn:
        stmt = keys_stmt(ORDERS_SPEC, state, "sqlite", after=None, limit=100, conn=conn)
        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        keys = fetch_keys(conn, ORDERS_SPEC, state, after=None, limit=100).keys
    return keys, query_plan(engine, sql, ())


def _by_value_between(engine: Engine, first: datetime, last: datetime) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(ORDERS.c.id)
                .where(ORDERS.c.created_at >= first, ORDERS.c.created_at < last)
                .order_by(ORDERS.c.total.desc(), ORDERS.c.id.desc())
                .limit(100)
            ).scalars()
        )


def test_a_value_sorted_page_of_a_date_range_reads_the_date_index_only_when_it_holds_few(
    orders_engine: Engine,
) -> None:
    """Sorted by value with a date range: a range of a few orders is read through the date
    index and sorted; a range holding most orders walks the value index instead (the
    daily summary tells how many orders the range holds)."""
    from primedist.core.clock import shop_tz, to_local
    from primedist.queries.orders import OrderFilter, list_state
    from primedist.queries.reports import rebuild_summaries

    with orders_engine.begin() as conn:
        rebuild_summaries(conn)
    tz = shop_tz()
    # 3,000 orders 37 minutes apart: about 77 days. Two days hold ~78 of them.
    day = to_local(START + timedelta(days=20), tz).date()
    few = OrderFilter(date_from=day, date_to=day + timedelta(days=1))
    keys, plan = _keys_and_plan(orders_engine, list_state(few, "all", tz, sort_key="total"))
    assert plan[0].startswith("SEARCH orders USING INDEX ix_orders_created_at_id"), plan
    assert "USE TEMP B-TREE FOR ORDER BY" in plan, plan
    first = datetime.combine(day, datetime.min.time(), tz)
    assert keys == _by_value_between(orders_engine, first, first + timedelta(days=2))
    assert 50 < len(keys) < 100

    # Sixty days hold ~2,300 of the 3,000: walking the value index finds a page at once.
    many = OrderFilter(date_from=day, date_to=day + timedelta(days=60))
    keys, plan = _keys_and_plan(orders_engine, list_state(many, "all", tz, sort_key="total"))
    assert plan == ["SCAN orders USING COVERING INDEX ix_orders_total_id"], plan
    assert keys == _by_value_between(orders_engine, first, first + timedelta(days=61))
    assert len(keys) == 100

    # Sorted by date, any range seeks the date index (it is the sort's own).
    keys, plan = _keys_and_plan(orders_engine, list_state(many, "all", tz))
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert len(keys) == 100


def _count_plan(engine: Engine, flt: Any) -> list[str]:
    from primedist.core.clock import shop_tz
    from primedist.queries.orders import ORDERS_SPEC, orders
    from primedist.queries.spec import QueryState, covering_count

    state = QueryState(filters=tuple(flt.clauses(shop_tz())))
    select = sa.select(orders.c.status, sa.func.count()).group_by(orders.c.status)
    stmt = covering_count(ORDERS_SPEC, state, "sqlite", select)
    with engine.connect() as conn:
        sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    return query_plan(engine, sql, ())


def test_counts_for_a_payment_method_or_a_value_range_seek_under_each_status(
    orders_engine: Engine,
) -> None:
    """The status counts of a payment-method or value filter read only the matching
    entries of a status-first index (not every order's)."""
    from primedist.domain.enums import PaymentMethod
    from primedist.queries.orders import OrderFilter

    plan = _count_plan(orders_engine, OrderFilter(payment_methods=(PaymentMethod.COD,)))
    assert plan == ["SEARCH orders USING COVERING INDEX ix_orders_status_counts"
                    " (status=? AND payment_method=?)"], plan  # fmt: skip
    plan = _count_plan(orders_engine, OrderFilter(min_total=60_000, max_total=70_000))
    assert plan == ["SEARCH orders USING COVERING INDEX ix_orders_status_total_id"
                    " (status=? AND total>? AND total<?)"], plan  # fmt: skip
    # With a shop too, the (status, shop_id, created_at, total) index: no row lookups.
    plan = _count_plan(orders_engine, OrderFilter(shop_ids=(1,), min_total=60_000))
    assert plan == [
        "SEARCH orders USING COVERING INDEX"
        " ix_orders_status_shop_id_created_at_total (status=? AND shop_id=?)"
    ], plan


# --------------------------------------------------------------------------- customer index


@pytest.fixture
def customer_orders_ctx(orders_engine: Engine, ctx: ServiceContext) -> ServiceContext:
    """The orders above spread over 30 customers (100 orders each, in all three shops)."""
    from tests.factories import make_customers

    ids = make_customers(orders_engine, 30)
    with orders_engine.begin() as conn:
        conn.execute(
            ORDERS.update().values(customer_id=sa.literal(ids[0]) + ORDERS.c.id % len(ids))
        )
    return ctx


def plans_while(engine: Engine, run: Callable[[], object]) -> dict[str, list[str]]:
    """The query plan of every statement on orders that `run` executes, by its SQL."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if " orders" in sql and not sql.lstrip().upper().startswith(("INSERT", "DELETE")):
            seen.append((sql, params[0] if many else params))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    plans = {}
    with engine.connect() as conn:
        for sql, params in seen:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
            plans[sql] = [str(row[-1]) for row in rows]
    return plans


def _only(plans: dict[str, list[str]], marker: str) -> list[str]:
    found = [plan for sql, plan in plans.items() if marker in sql]
    assert len(found) == 1, list(plans)
    return found[0]


def test_customer_order_history_and_period_stats_seek_the_customer_index(
    customer_orders_ctx: ServiceContext, orders_engine: Engine
) -> None:
    from primedist.services.customer_detail import customer_orders, customer_period_stats

    with orders_engine.connect() as conn:
        customer_id = conn.execute(sa.select(sa.func.min(ORDERS.c.customer_id))).scalar_one()

    def run() -> None:
        history = customer_orders(customer_orders_ctx, customer_id, limit=20)
        assert len(history) == 20
        assert [o.created_at for o in history] == sorted(
            (o.created_at for o in history), reverse=True
        )
        customer_period_stats(customer_orders_ctx, customer_id, START.date(),
                              (START + timedelta(days=60)).date())  # fmt: skip

    plans = plans_while(orders_engine, run)
    history_plan = _only(plans, "LIMIT")
    assert any(
        line.startswith("SEARCH o") and "INDEX ix_orders_customer_stats (customer_id=?)" in line
        for line in history_plan
    ), history_plan
    # Only ties on created_at are sorted by id, never the customer's whole history.
    assert not any(line == "USE TEMP B-TREE FOR ORDER BY" for line in history_plan), history_plan
    period_plan = _only(plans, "GROUP BY")
    assert period_plan[0] == (
        "SEARCH orders USING COVERING INDEX ix_orders_customer_stats"
        " (customer_id=? AND created_at>? AND created_at<?)"
    ), period_plan


def test_statistics_read_only_the_covering_customer_index(
    customer_orders_ctx: ServiceContext, orders_engine: Engine
) -> None:
    from primedist.services.customer_stats import compute_customer_stats, rebuild_all_stats

    with orders_engine.connect() as conn:
        ids = list(conn.execute(sa.select(ORDERS.c.customer_id).distinct()).scalars())

    def incremental_run() -> None:
        with orders_engine.connect() as conn:
            stats = compute_customer_stats(conn, ids[:5])
        assert all(st.total_orders == 100 for st in stats.values())

    incremental = plans_while(orders_engine, incremental_run)
    plan = _only(incremental, "GROUP BY")
    assert any(
        "SEARCH orders USING COVERING INDEX ix_orders_customer_stats (customer_id=?)" in line
        for line in plan
    ), plan
    rebuild = plans_while(orders_engine, lambda: rebuild_all_stats(customer_orders_ctx))
    plan = _only(rebuild, "GROUP BY")
    # The rebuild's aggregate walks a customer id range of the index, already grouped.
    assert any(
        "SEARCH orders USING COVERING INDEX ix_orders_customer_stats"
        " (customer_id>? AND customer_id<?)" in line
        for line in plan
    ), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan
    no_orders = _only(rebuild, "NOT (EXISTS")
    assert any("INDEX ix_orders_customer_stats (customer_id=?)" in line
               for line in no_orders), no_orders  # fmt: skip


def test_merge_moves_orders_through_the_customer_index(
    customer_orders_ctx: ServiceContext, orders_engine: Engine
) -> None:
    from primedist.services.customers import merge_customers

    with orders_engine.connect() as conn:
        a, b = conn.execute(sa.select(ORDERS.c.customer_id).distinct().limit(2)).scalars()
    plans = plans_while(orders_engine, lambda: merge_customers(customer_orders_ctx, a, [b]))
    plan = _only(plans, "UPDATE orders SET customer_id")
    assert any("INDEX ix_orders_customer_stats (customer_id=?)" in line for line in plan), plan
    with orders_engine.connect() as conn:
        left = conn.execute(sa.select(sa.func.count()).where(ORDERS.c.customer_id == b))
        assert left.scalar_one() == 0
