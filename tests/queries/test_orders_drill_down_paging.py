"""The Orders list with Analytics' drill-down chips (province, carrier, product) and no
date chip: a chip holding many orders pages by walking the date index and probing each
order (a correlated EXISTS), one holding few reads its set through its own index and
sorts it; the status counts of a province or carrier come from the summaries' ledger
(its indexes, migration 0041), those of a few orders by their keys. The keys and the
counts are those plain SQL gives, on a real migrated database (SQLite, or PostgreSQL
when PRIMEDIST_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz
from primedist.domain.base import table_of
from primedist.domain.order import OrderLine
from primedist.queries.orders import (
    ORDERS_SPEC,
    STATUS_TABS,
    OrderFilter,
    list_state,
    orders,
    status_counts,
)
from primedist.queries.reports import refresh_summaries
from primedist.queries.spec import QueryState, fetch_keys, keys_stmt
from tests.factories import make_orders, make_product, make_shop

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
TZ = shop_tz()
N = 1_000
lines_t = table_of(OrderLine)

#: Many: 700 to 900 of 1,000 orders (a page walks the date index above sqrt(10 × 1,000) =
#: 100; the counts read the keys up to sqrt(400 × 1,000) = 632); few: 10.
MANY = {
    "province": OrderFilter(province="79"),
    "carrier": OrderFilter(carriers=("GHN",)),
    "province+carrier": OrderFilter(province="79", carriers=("GHN",)),
    "counted+province": OrderFilter(counted_only=True, province="79"),
    "product": OrderFilter(product_id=0),  # the big product (set by the fixture)
}
FEW = {
    "province": OrderFilter(province="12"),
    "carrier": OrderFilter(carriers=("Viettel Post",)),
    "product": OrderFilter(product_id=1),  # the small product
    "counted+product": OrderFilter(counted_only=True, product_id=1),
}


@pytest.fixture
def products(engine: Engine) -> tuple[int, int]:
    """1,000 orders: 900 to province 79, 10 to province 12; 800 by GHN (700 of them to 79),
    10 by Viettel Post;
    a big product in 800 of them, a small one in 10. Returns (big, small) product ids."""
    shop = make_shop(engine, "Shopee")
    ids = make_orders(engine, shop, N, start=datetime(2026, 1, 1, tzinfo=UTC),
                      step=timedelta(minutes=41))  # fmt: skip
    big_v, small_v = (make_product(engine, name, [(sku, 100_000, 10)])[0]
                      for name, sku in (("Áo", "AO"), ("Mũ", "MU")))  # fmt: skip
    with engine.begin() as conn:
        for i, key in enumerate(ids):
            province = "79" if i % 10 else ("12" if i % 100 == 0 else "01")
            carrier = "GHN" if i % 10 < 8 else ("Viettel Post" if i % 100 == 8 else None)
            conn.execute(orders.update().where(orders.c.id == key)
                         .values(province_code=province, carrier=carrier))  # fmt: skip
        rows = [{"order_id": key, "variant_id": big_v if i % 5 else small_v, "quantity": 1,
                 "unit_price": 100_000, "subtotal": 100_000, "product_name": "Áo"}
                for i, key in enumerate(ids) if i % 5 or i % 100 == 0]  # fmt: skip
        conn.execute(lines_t.insert(), rows)
        refresh_summaries(conn, ids)
        products = conn.execute(
            sa.text("SELECT product_id FROM variants WHERE id IN (:a, :b) ORDER BY id"),
            {"a": big_v, "b": small_v},
        ).scalars().all()  # fmt: skip
    return int(products[0]), int(products[1])


def _filter(flt: OrderFilter, products: tuple[int, int]) -> OrderFilter:
    if flt.product_id is None:
        return flt
    from dataclasses import replace

    return replace(flt, product_id=products[flt.product_id])


def _every_key(engine: Engine, state: QueryState, chunk: int) -> list[int]:
    out: list[int] = []
    after = None
    with engine.connect() as conn:
        while True:
            page = fetch_keys(conn, ORDERS_SPEC, state, after=after, limit=chunk)
            out += page.keys
            if len(page.keys) < chunk:
                return out
            after = page.after


def _expected(engine: Engine, flt: OrderFilter, tab: str) -> list[int]:
    """The keys straight from SQL: the filter's clauses, newest first (no hints)."""
    state = list_state(flt, tab, TZ)
    stmt = (sa.select(orders.c.id).where(*state.filters)
            .order_by(orders.c.created_at.desc(), orders.c.id.desc()))  # fmt: skip
    with engine.connect() as conn:
        return list(conn.execute(stmt).scalars())


@pytest.mark.parametrize("case", [*(f"many {k}" for k in MANY), *(f"few {k}" for k in FEW)])
def test_a_drill_down_lists_and_counts_what_plain_sql_finds(
    engine: Engine, products: tuple[int, int], case: str
) -> None:
    size, name = case.split(" ")
    flt = _filter((MANY if size == "many" else FEW)[name], products)
    everything = _expected(engine, flt, "all")
    assert len(everything) >= (500 if size == "many" else 3), len(everything)
    for tab in ("all", "completed", "return_refund"):
        assert _every_key(engine, list_state(flt, tab, TZ), chunk=7) == _expected(engine, flt, tab)
    with engine.connect() as conn:
        counts = status_counts(conn, flt, TZ)
        by_status = Counter(
            str(getattr(s, "value", s))
            for s in conn.execute(sa.select(orders.c.status).where(*flt.clauses(TZ))).scalars()
        )  # fmt: skip
    assert counts == {tab: sum(by_status[s.value] for s in sts) if sts else len(everything)
                      for tab, sts in STATUS_TABS.items()}  # fmt: skip


def _plan(conn: sa.Connection, sql: str, params: Any) -> list[str]:
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    return [str(r[-1]) for r in rows]


def _key_plan(engine: Engine, flt: OrderFilter) -> list[str]:
    with engine.connect() as conn:
        stmt = keys_stmt(ORDERS_SPEC, list_state(flt, "all", TZ), "sqlite", after=None,
                         limit=100, conn=conn)  # fmt: skip
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        return _plan(conn, compiled.string, ())


def _counting_statement(engine: Engine, flt: OrderFilter) -> tuple[str, Any]:
    """The last statement `status_counts` runs, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any) -> None:
        seen.append((statement, params))

    sa.event.listen(engine, "before_cursor_execute", keep)
    try:
        with engine.connect() as conn:
            status_counts(conn, flt, TZ)
    finally:
        sa.event.remove(engine, "before_cursor_execute", keep)
    return seen[-1]


def _counts_plan(engine: Engine, flt: OrderFilter) -> list[str]:
    with engine.connect() as conn:
        return _plan(conn, *_counting_statement(engine, flt))


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("name", list(MANY))
def test_a_chip_of_many_orders_walks_the_date_index_and_stops_at_the_page(
    engine: Engine, products: tuple[int, int], name: str
) -> None:
    """Reading the whole set and sorting it took 140–460 ms for a page at 1M orders."""
    plan = _key_plan(engine, _filter(MANY[name], products))
    assert plan[0].startswith("SCAN orders USING") and "ix_orders_created_at_id" in plan[0], plan
    assert "CORRELATED SCALAR SUBQUERY 1" in plan[1] or "CORRELATED" in " ".join(plan), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_a_chip_of_few_orders_reads_its_index_and_sorts(
    engine: Engine, products: tuple[int, int]
) -> None:
    province = _key_plan(engine, FEW["province"])
    assert province[0] == "SEARCH orders USING INTEGER PRIMARY KEY (rowid=?)", province
    assert ("SEARCH report_order_days USING COVERING INDEX ix_report_order_days_province "
            "(province=?)") in province  # fmt: skip
    carrier = _key_plan(engine, FEW["carrier"])
    assert ("SEARCH report_order_days USING COVERING INDEX ix_report_order_days_carrier "
            "(carrier=?)") in carrier  # fmt: skip
    product = _key_plan(engine, _filter(FEW["product"], products))
    assert product[0] == "SEARCH orders USING INTEGER PRIMARY KEY (rowid=?)", product


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_status_counts_read_the_ledger_index_or_the_few_orders_keys(
    engine: Engine, products: tuple[int, int]
) -> None:
    """Testing every order of the status index against the set took 300–670 ms at 1M
    orders; the ledger's index alone counts a province of 175,000 in ~50 ms."""
    for flt, index in ((MANY["province"], "ix_report_order_days_province"),
                       (MANY["province+carrier"], "ix_report_order_days_province"),
                       (MANY["counted+province"], "ix_report_order_days_province"),
                       (MANY["carrier"], "ix_report_order_days_carrier")):  # fmt: skip
        plan = _counts_plan(engine, flt)
        assert plan[0].startswith(f"SEARCH report_order_days USING COVERING INDEX {index}"), plan
        assert not any("orders " in step for step in plan), plan
    for flt in (FEW["product"], FEW["counted+product"]):
        plan = _counts_plan(engine, _filter(flt, products))
        assert plan[0] == "SEARCH orders USING INTEGER PRIMARY KEY (rowid=?)", plan


@pytest.mark.skipif(DIALECT != "postgresql", reason="PostgreSQL's EXPLAIN")
def test_postgresql_counts_a_province_or_carrier_on_the_ledger_indexes(
    engine: Engine, products: tuple[int, int]
) -> None:
    """The same indexes serve PostgreSQL (a table this small is read whole unless told
    not to: the test asks whether the index can serve the count, not what is cheapest)."""
    for flt, index in ((MANY["province"], "ix_report_order_days_province"),
                       (MANY["carrier"], "ix_report_order_days_carrier")):  # fmt: skip
        statement, params = _counting_statement(engine, flt)
        with engine.connect() as conn:
            conn.exec_driver_sql("SET enable_seqscan = off")
            plan = " ".join(str(r[0]) for r in conn.exec_driver_sql(f"EXPLAIN {statement}", params))
        assert index in plan and "orders " not in plan, plan
