"""db/bulk: which indexes a big load builds afterwards, and that they come back intact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db import bulk
from primedist.db.bulk import deferrable_indexes, indexes_deferred
from primedist.domain.enums import Channel
from tests.conftest import PG_URL
from tests.factories import make_orders, make_shop

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="index deferral is SQLite-only")


def index_sql(engine: Engine, table: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL",
            (table,),
        )
        return {str(name): str(sql) for name, sql in rows}


def test_a_big_load_into_a_small_table_defers_its_non_unique_indexes(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "DEFER_MIN_ROWS", 10)
    shop = make_shop(engine, "Shopee", Channel.SHOPEE)
    make_orders(engine, shop, 30, start=datetime(2026, 1, 1, tzinfo=UTC), step=timedelta(hours=1))
    every = index_sql(engine, "orders")
    with engine.begin() as conn:  # a unique index stays: a load relies on it
        conn.exec_driver_sql("CREATE UNIQUE INDEX ux_orders_test ON orders (search_text, id)")
    with engine.connect() as conn:
        names = deferrable_indexes(conn, "orders", 30)
        # Too few new rows, or more rows already held than the load brings: keep them.
        assert deferrable_indexes(conn, "orders", 9) == []
        assert deferrable_indexes(conn, "orders", 29) == []
        customers = deferrable_indexes(conn, "customers", 10)
    assert set(names) == set(every) and "ix_orders_customer_stats" in names
    assert set(customers) == set(index_sql(engine, "customers"))  # its own table's only


def test_deferred_indexes_come_back_after_the_load_or_an_error(engine: Engine) -> None:
    before = index_sql(engine, "orders")
    with engine.begin() as conn:
        names = deferrable_indexes(conn, "orders", bulk.DEFER_MIN_ROWS)
        with indexes_deferred(conn, names):
            assert set(index_sql_in(conn, "orders")) == set(before) - set(names)
    assert index_sql(engine, "orders") == before
    with pytest.raises(RuntimeError), engine.begin() as conn, indexes_deferred(conn, names):
        raise RuntimeError("the load failed")
    assert index_sql(engine, "orders") == before  # rolled back with the transaction


def index_sql_in(conn: sa.Connection, table: str) -> list[str]:
    rows = conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql NOT NULL",
        (table,),
    )
    return [str(r[0]) for r in rows]
