"""db/bulk: which indexes a big load builds afterwards, and that they come back intact;
spaced WAL checkpoints for a sync's many commits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def _db_file_pages(engine: Engine) -> int:
    """Pages in the database file itself (not counting what waits in the WAL)."""
    path = engine.url.database
    assert path
    return Path(path).stat().st_size // 4096


def empty_wal_probe(engine: Engine) -> int:
    """A wal_probe table, everything checkpointed; returns the database file's pages."""
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE wal_probe (x BLOB)")
    bulk.checkpoint_wal(engine)
    return _db_file_pages(engine)


def write_pages(conn: sa.Connection, rows: int) -> None:
    """`rows` rows of 3,000 random bytes into wal_probe: about a page each."""
    conn.exec_driver_sql(
        "INSERT INTO wal_probe SELECT randomblob(3000) FROM (WITH RECURSIVE n(i) AS "
        f"(SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(rows)}) SELECT i FROM n)"
    )


def test_spaced_checkpoints_leave_a_sync_in_the_wal_until_the_end_checkpoint(
    engine: Engine,
) -> None:
    before = empty_wal_probe(engine)
    # Three commits of ~2,000 pages each: past SQLite's default of 1,000 every time.
    for _ in range(3):
        with engine.begin() as conn:
            bulk.space_checkpoints(conn)
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == (
                bulk.BULK_WAL_PAGES
            )
            write_pages(conn, 2000)
    assert _db_file_pages(engine) - before < 1_000  # all of it still in the WAL
    bulk.checkpoint_wal(engine)
    assert _db_file_pages(engine) - before > 5_000  # copied into the database file
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM wal_probe").scalar() == 6_000


def test_a_commit_without_checkpoint_only_appends_and_the_next_transaction_restores_it(
    engine: Engine,
) -> None:
    before = empty_wal_probe(engine)
    with engine.connect() as conn:
        with conn.begin():
            default = conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
            bulk.commit_without_checkpoint(conn)
            write_pages(conn, 20_000)  # past even a sync's spaced checkpoints (16,384)
        assert _db_file_pages(engine) - before < 1_000  # the commit left it in the WAL
        with conn.begin():  # the pooled connection checkpoints as before again
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == default == 1000
    bulk.checkpoint_in_background(engine)
    bulk.wait_for_background_checkpoints()
    assert _db_file_pages(engine) - before > 15_000
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM wal_probe").scalar() == 20_000
