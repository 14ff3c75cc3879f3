"""Migration 0011 on a populated database: the Customers list's sort indexes are rebuilt
without `rank`, the narrow `ix_customers_rank_live` replaces (rank, total_expenses), the
customers are untouched and the rank filter still finds them; the downgrade puts the old
indexes back."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.domain.base import table_of
from primedist.domain.customer import LIST_SORT_COLUMNS, Customer
from primedist.domain.enums import Rank
from primedist.queries.customers import CUSTOMERS_SPEC, CustomerFilter, list_state
from primedist.queries.spec import count_rows, fetch_keys
from tests.db.test_migrations import DIALECT, schema_diff
from tests.factories import make_customers

pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite", reason=f"SQLite only ({DIALECT}): reads PRAGMA index_info"
)

BEFORE = "0010_job_locks"
AFTER = "0011_customer_list_rank"
SORT_INDEXES = [f"ix_customers_{sort}_id" for sort in LIST_SORT_COLUMNS]
RANKS = [Rank.GOLD, Rank.COPPER, Rank.DIAMOND, Rank.SILVER, Rank.GOLD, Rank.COPPER]
customers_t = table_of(Customer)


def _index_columns(engine: Engine) -> dict[str, list[str]]:
    """Columns of every index of `customers` that has `rank` or is a list sort index."""
    with engine.connect() as conn:
        names = [r[1] for r in conn.exec_driver_sql("PRAGMA index_list(customers)")]
        found = {
            name: [str(r[2]) for r in conn.exec_driver_sql(f"PRAGMA index_info('{name}')")]
            for name in names
        }
    return {name: cols for name, cols in found.items() if "rank" in cols or name in SORT_INDEXES}


def _customers(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(customers_t).order_by(customers_t.c.id))]


def _gold_and_above(engine: Engine) -> tuple[int, list[int]]:
    state = list_state(CustomerFilter(gold_and_above=True), ZoneInfo("UTC"), sort_key="name")
    with engine.connect() as conn:
        keys = fetch_keys(conn, CUSTOMERS_SPEC, state, after=None, limit=100).keys
        return count_rows(conn, CUSTOMERS_SPEC, state), sorted(keys)


def test_upgrade_drops_rank_from_the_sort_indexes_of_a_populated_store(engine: Engine) -> None:
    ids = make_customers(engine, len(RANKS))
    with engine.begin() as conn:
        for cid, rank in zip(ids, RANKS, strict=True):
            conn.execute(customers_t.update().where(customers_t.c.id == cid).values(rank=rank))
    gold_up = sorted(i for i, r in zip(ids, RANKS, strict=True) if r in (Rank.GOLD, Rank.DIAMOND))
    rows = _customers(engine)

    store.migrate(engine, BEFORE, down=True)
    before = _index_columns(engine)
    assert all("rank" in before[name] for name in SORT_INDEXES), before
    assert before["ix_customers_rank_total_expenses"] == ["rank", "total_expenses"]

    store.migrate(engine, AFTER)
    after = _index_columns(engine)
    assert store.current_revision(engine) == AFTER
    assert set(after) == {*SORT_INDEXES, "ix_customers_rank_live"}, after
    assert after["ix_customers_rank_live"] == [
        "rank",
        "deleted_at",
        "merged_into_id",
        "rank_pinned",
    ]
    for name in SORT_INDEXES:
        assert after[name] == [c for c in before[name] if c != "rank"], name
    store.migrate(engine, "head")  # on to today's schema (later revisions widen these indexes)
    assert schema_diff(engine) == []
    assert _customers(engine) == rows
    assert _gold_and_above(engine) == (len(gold_up), gold_up)

    store.migrate(engine, BEFORE, down=True)
    assert _index_columns(engine) == before
    store.migrate(engine, "head")
