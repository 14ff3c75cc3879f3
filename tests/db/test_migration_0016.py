"""Migration 0016 on a populated database: the Customers list's sort indexes gain the
columns of its new filters (cancelled and returned orders for the success rate, the
birthday), the customers are untouched and those filters find the same people; the
downgrade puts the 0015 indexes back."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.domain.base import table_of
from primedist.domain.customer import LIST_SORT_COLUMNS, Customer
from primedist.queries.customers import CUSTOMERS_SPEC, CustomerFilter, list_state
from primedist.queries.spec import count_rows, fetch_keys
from tests.db.test_migration_0011 import _customers
from tests.db.test_migrations import DIALECT, schema_diff
from tests.factories import make_customers

pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite", reason=f"SQLite only ({DIALECT}): reads PRAGMA index_info"
)

BEFORE = "0015_stored_messages"
NEW_COLUMNS = ["cancelled_orders", "returned_orders", "birthday"]
SORT_INDEXES = [f"ix_customers_{sort}_id" for sort in LIST_SORT_COLUMNS]
NOW = datetime(2026, 5, 20, 5, tzinfo=UTC)
#: (successful, cancelled, returned, pending orders, birthday)
PEOPLE = [(3, 1, 0, 0, date(1990, 5, 2)), (1, 0, 0, 4, None), (0, 2, 1, 0, date(1988, 5, 30)),
          (0, 0, 0, 1, date(2001, 7, 9))]  # fmt: skip
customers_t = table_of(Customer)


def _sort_index_columns(engine: Engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        return {
            name: [str(r[2]) for r in conn.exec_driver_sql(f"PRAGMA index_info('{name}')")]
            for name in SORT_INDEXES
        }


def _found(engine: Engine, flt: CustomerFilter) -> tuple[int, list[int]]:
    state = list_state(flt, ZoneInfo("Asia/Ho_Chi_Minh"), sort_key="name", now=NOW)
    with engine.connect() as conn:
        keys = fetch_keys(conn, CUSTOMERS_SPEC, state, after=None, limit=100).keys
        return count_rows(conn, CUSTOMERS_SPEC, state), sorted(keys)


def test_upgrade_widens_the_sort_indexes_of_a_populated_store(engine: Engine) -> None:
    ids = make_customers(engine, len(PEOPLE))
    with engine.begin() as conn:
        for cid, (ok, cancelled, returned, pending, born) in zip(ids, PEOPLE, strict=True):
            conn.execute(
                customers_t.update()
                .where(customers_t.c.id == cid)
                .values(successful_orders=ok, cancelled_orders=cancelled,
                        returned_orders=returned,
                        total_orders=ok + cancelled + returned + pending, birthday=born)
            )  # fmt: skip
    rows = _customers(engine)
    rate = CustomerFilter(success_rate_min=50)
    born_in_may = CustomerFilter(birthday_this_month=True)
    # 3 of 4 finished, and 1 of 1 (its four pending orders are not failures)
    assert _found(engine, rate) == (2, sorted(ids[:2]))
    assert _found(engine, born_in_may) == (2, sorted([ids[0], ids[2]]))
    at_head = _sort_index_columns(engine)

    store.migrate(engine, BEFORE, down=True)
    before = _sort_index_columns(engine)
    for name in SORT_INDEXES:
        assert not set(NEW_COLUMNS) & set(before[name]), name
    assert _customers(engine) == rows

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    after = _sort_index_columns(engine)
    assert after == at_head
    for name in SORT_INDEXES:
        assert [c for c in after[name] if c not in NEW_COLUMNS] == before[name], name
        assert set(after[name]) - set(before[name]) == set(NEW_COLUMNS), name
    assert schema_diff(engine) == []
    assert _customers(engine) == rows
    assert _found(engine, rate) == (2, sorted(ids[:2]))
    assert _found(engine, born_in_may) == (2, sorted([ids[0], ids[2]]))

    store.migrate(engine, BEFORE, down=True)
    assert _sort_index_columns(engine) == before
    store.migrate(engine, "head")
