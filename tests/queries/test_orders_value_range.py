"""The Orders list sorted by date with a value filter: a value range that holds few orders
is read through the value index and sorted (never a walk of the date index looking for
them: 235–430 ms for "value ≥ 5,000,000" at 1,000,000 orders); a range holding most orders
still walks the date index. The keys are the same either way, on a real migrated database
(SQLite, or PostgreSQL when PRIMEDIST_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz
from primedist.queries.orders import ORDERS_SPEC, OrderFilter, list_state, orders
from primedist.queries.spec import QueryState, fetch_keys, keys_stmt
from tests.factories import make_orders, make_shop

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
TZ = shop_tz()
START = datetime(2026, 1, 1, tzinfo=UTC)
PER_SHOP = 1_500
#: One order in BIG_EVERY is worth BIG or more: 20 of the 3,000 (few: sqrt(400 × 3,000)
#: is about 1,100).
BIG, BIG_EVERY = 5_000_000, 150
TABS = ("all", "completed", "pending", "return_refund")


@pytest.fixture
def shop_ids(engine: Engine) -> tuple[int, int]:
    """Two shops of 1,500 orders each, 37 minutes apart, a few of them big."""
    ids = (make_shop(engine, "Shopee"), make_shop(engine, "Lazada"))
    for seed, shop in enumerate(ids):
        totals = [
            BIG + 1_000 * i if i % BIG_EVERY == seed else 100_000 + (i * 7_919) % 800_000
            for i in range(PER_SHOP)
        ]
        make_orders(engine, shop, PER_SHOP, start=START + timedelta(minutes=seed),
                    step=timedelta(minutes=37), totals=totals, seed=seed)  # fmt: skip
    # The big ones in a few statuses each (the status tabs have several).
    statuses = ("completed", "pending", "returned")
    with engine.begin() as conn:
        big = conn.execute(sa.select(orders.c.id).where(orders.c.total >= BIG)).scalars().all()
        for i, key in enumerate(big):
            status = statuses[i % len(statuses)]
            conn.execute(orders.update().where(orders.c.id == key).values(status=status))
    assert len(big) == 2 * PER_SHOP // BIG_EVERY
    return ids


def _state(min_total: int, tab: str, shops: tuple[int, ...]) -> QueryState:
    return list_state(OrderFilter(min_total=min_total, shop_ids=shops), tab, TZ)


def _every_key(engine: Engine, state: QueryState, chunk: int) -> list[int]:
    """Every key of the list, `chunk` at a time (keyset pages, as the table model loads)."""
    out: list[int] = []
    after = None
    with engine.connect() as conn:
        while True:
            page = fetch_keys(conn, ORDERS_SPEC, state, after=after, limit=chunk)
            out += page.keys
            if len(page.keys) < chunk:
                return out
            after = page.after


def _expected(engine: Engine, state: QueryState) -> list[int]:
    """The list's keys straight from SQL: its filters, newest first (no hints)."""
    stmt = (
        sa.select(orders.c.id)
        .where(*state.filters)
        .order_by(orders.c.created_at.desc(), orders.c.id.desc())
    )
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


def _plan(conn: sa.Connection, stmt: sa.Select[Any]) -> list[str]:
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    processors: Any = compiled._bind_processors  # noqa: SLF001  (the values as the driver gets them)
    assert compiled.positiontup is not None
    values = tuple(
        processors[k](params[k]) if k in processors else params[k] for k in compiled.positiontup
    )
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", values).all()
    return [str(r[-1]) for r in rows]


def _plans(engine: Engine, state: QueryState) -> list[list[str]]:
    """The plans of the first page of keys and of a page after it (a keyset bound)."""
    with engine.connect() as conn:
        first = fetch_keys(conn, ORDERS_SPEC, state, after=None, limit=2)
        assert first.after is not None
        return [
            _plan(conn, keys_stmt(ORDERS_SPEC, state, "sqlite", after=bound, limit=2, conn=conn))
            for bound in (None, first.after)
        ]


@pytest.mark.parametrize("shops", [(), (1,)])
@pytest.mark.parametrize("tab", TABS)
def test_a_value_range_lists_the_same_keys_whatever_index_reads_it(
    engine: Engine, shop_ids: tuple[int, int], tab: str, shops: tuple[int, ...]
) -> None:
    for min_total in (BIG, 300_000):
        state = _state(min_total, tab, tuple(shop_ids[i - 1] for i in shops))
        expected = _expected(engine, state)
        assert _every_key(engine, state, chunk=3 if min_total == BIG else 250) == expected
        if tab == "all":
            assert expected


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("tab", TABS)
def test_a_value_range_of_few_orders_is_read_through_the_value_index(
    engine: Engine, shop_ids: tuple[int, int], tab: str
) -> None:
    for shops in ((), (shop_ids[0],)):
        state = _state(BIG, tab, shops)
        assert len(_expected(engine, state)) >= 3  # a second page to plan
        for plan in _plans(engine, state):
            where = f"{tab} / {shops}: {plan}"
            # Index-only, whatever the status tab: never (status, …) plus a row lookup each.
            assert plan[0] == "SEARCH orders USING COVERING INDEX ix_orders_total_id (total>?)", (
                where
            )
            assert "USE TEMP B-TREE FOR ORDER BY" in plan, where


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("tab", TABS)
def test_a_value_range_of_most_orders_still_walks_the_date_index(
    engine: Engine, shop_ids: tuple[int, int], tab: str
) -> None:
    del shop_ids  # the orders
    for plan in _plans(engine, _state(300_000, tab, ())):
        assert "created_at_id" in plan[0], plan
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
