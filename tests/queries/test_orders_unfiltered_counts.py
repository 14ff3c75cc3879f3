"""A search's status counts with the filter chips off (what the Orders tab offers when a chip
hides every match): the same figures as counting the search's matches straight from the
orders, at most UNFILTERED_CAP + 1 matches read, through the search index (never a scan of
the orders), on a real migrated database (SQLite, or PostgreSQL when
PRIMEDIST_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.queries import orders as q
from primedist.queries.orders import STATUS_TABS, orders, unfiltered_counts
from tests.factories import make_orders, make_shop

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
START = datetime(2026, 3, 1, tzinfo=UTC)
HOA, LAN = "Nguyễn Thị Hoa", "Trần Thị Lan"


@pytest.fixture
def hoa(engine: Engine) -> list[int]:
    """Hoa's 5 orders among 40 of Lan's, over two shops; 2 of Hoa's completed."""
    a, b = make_shop(engine, "Shopee"), make_shop(engine, "Lazada")
    make_orders(engine, a, 40, start=START, step=timedelta(hours=3), buyer_names=(LAN,))
    ids = make_orders(engine, b, 5, start=START, step=timedelta(hours=7), buyer_names=(HOA,),
                      buyer_phones=("0912345678",), seed=5)  # fmt: skip
    with engine.begin() as conn:
        conn.execute(orders.update().where(orders.c.id.in_(ids[:3])).values(status="pending"))
        conn.execute(orders.update().where(orders.c.id.in_(ids[3:])).values(status="completed"))
    return ids


def _expected(engine: Engine, ids: list[int]) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(orders.c.status).where(orders.c.id.in_(ids))).scalars()
        by = Counter(str(s) for s in rows)
    out = {k: sum(by[s.value] for s in sts) for k, sts in STATUS_TABS.items()}
    out["all"] = sum(by.values())
    return out


def test_the_counts_are_those_of_the_search_alone(engine: Engine, hoa: list[int]) -> None:
    with engine.connect() as conn:
        by_name = unfiltered_counts(conn, "nguyen thi hoa")
        by_phone = unfiltered_counts(conn, "+84 912 345 678")
        nothing = unfiltered_counts(conn, "no such order 123")
        no_search = unfiltered_counts(conn, "   ")
    assert by_name is not None and by_name.counts == _expected(engine, hoa)
    assert by_name.counts["pending"] == 3 and by_name.counts["completed"] == 2
    assert not by_name.capped
    assert by_phone == by_name
    assert nothing is not None and nothing.counts["all"] == 0 and not nothing.capped
    assert no_search is None


def test_a_broad_search_reads_no_more_than_the_cap(
    engine: Engine, hoa: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 of Lan's orders match "tran thi lan": with a cap of 10, 11 are read, 10 said."""
    monkeypatch.setattr(q, "UNFILTERED_CAP", 10)
    with engine.connect() as conn:
        lan = unfiltered_counts(conn, "tran thi lan")
        hoa_only = unfiltered_counts(conn, "nguyen thi hoa")
    assert lan is not None and lan.capped and lan.counts["all"] == 10
    assert sum(n for k, n in lan.counts.items() if k != "all") == 11
    assert hoa_only is not None and not hoa_only.capped and hoa_only.counts["all"] == 5


def _plan(conn: sa.Connection, stmt: Any) -> list[str]:
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    assert compiled.positiontup is not None
    values = tuple(params[k] for k in compiled.positiontup)
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled.string}", values).all()
    return [str(r[-1]) for r in rows]


@pytest.mark.skipif(DIALECT != "sqlite", reason="EXPLAIN QUERY PLAN is SQLite's")
def test_the_count_reads_the_matches_through_the_search_index(
    engine: Engine, hoa: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The orders are looked up by the ids the full-text index finds: no scan of the orders
    table, whatever its size (the LIMIT then stops the lookups at the cap)."""
    stmts: list[Any] = []
    with engine.connect() as conn:
        real = conn.execute
        monkeypatch.setattr(conn, "execute", lambda s, *a, **k: stmts.append(s) or real(s, *a, **k))
        assert unfiltered_counts(conn, "nguyen thi hoa") is not None
        monkeypatch.undo()
        assert len(stmts) == 1
        plan = _plan(conn, stmts[0])
    where = str(plan)
    assert not any(p.split()[:2] == ["SCAN", "orders"] for p in plan), where
    assert any(p.startswith("SEARCH orders USING INTEGER PRIMARY KEY") for p in plan), where
    assert any("VIRTUAL TABLE INDEX" in p for p in plan), where
