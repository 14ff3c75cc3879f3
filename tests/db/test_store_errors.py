"""SQLite saying its file is damaged, its disk full or its file read-only is no bug: a unit
of work raises a StoreError that says what to do (in the reader's language), not the
driver's English."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.db.engine import make_engine, session_scope
from primedist.db.store import open_store
from primedist.errors import StoreError
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's own files and answers")

DAMAGED = (
    "The shop's data is damaged and cannot be read. Restore a backup: in the app, "
    "Settings → Backup & restore; or run `primedist restore FILE`."
)
FULL = "The disk is full: nothing was saved. Free some space, then try again."
READ_ONLY = (
    "The shop's data file cannot be written (it or its folder is read-only): nothing was saved."
)


def damage_table(db_path: Path, table: str) -> None:
    """Overwrite the table's pages (and its indexes') as a failing disk would; the rest of
    the file (the schema, the other tables) stays readable."""
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name = ? AND rootpage > 0", (table,)
        )]  # fmt: skip
    finally:
        conn.close()
    with db_path.open("r+b") as f:
        for page in pages:
            f.seek((page - 1) * page_size)
            f.write(b"\xa5" * page_size)


@pytest.fixture
def own_engine(settings: Settings) -> Iterator[Engine]:
    """An engine of the test's own on the migrated store (one the test may break)."""
    engine = open_store(settings)
    yield engine
    engine.dispose()


def test_a_damaged_table_is_a_store_error_saying_how_to_restore(
    own_engine: Engine, settings: Settings
) -> None:
    assert settings.db_path is not None
    own_engine.dispose()
    damage_table(settings.db_path, "orders")
    with pytest.raises(StoreError) as caught:
        with session_scope(own_engine) as session:
            session.execute(sa.text("SELECT count(*) FROM orders")).all()
    assert caught.value.user_message == DAMAGED
    assert caught.value.user_message.template == DAMAGED  # type: ignore[attr-defined]
    assert isinstance(caught.value.__cause__, sa.exc.DatabaseError)


def test_a_full_disk_is_a_store_error_and_nothing_is_saved(own_engine: Engine) -> None:
    """SQLite's own "database or disk is full" (SQLITE_FULL), from a database not allowed
    to grow (max_page_count), as from a full disk."""
    with own_engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    sa.event.listen(
        own_engine,
        "connect",
        lambda dbapi, _record: dbapi.execute(f"PRAGMA max_page_count={pages}"),
    )
    own_engine.dispose()  # the next connections get the limit
    with pytest.raises(StoreError) as caught:
        with session_scope(own_engine, write=True) as session:
            session.execute(sa.text("CREATE TABLE filler (x TEXT)"))
            session.execute(sa.text("INSERT INTO filler VALUES (:x)"), [{"x": "x" * 4000}] * 200)
    assert caught.value.user_message == FULL
    assert "database or disk is full" in str(caught.value.__cause__)
    with own_engine.connect() as conn:  # rolled back: nothing of the unit is there
        assert conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'filler'"
        ).scalar_one() == 0  # fmt: skip


def test_a_read_only_database_is_a_store_error(settings: Settings, own_engine: Engine) -> None:
    own_engine.dispose()
    read_only = make_engine(f"sqlite:///file:{settings.db_path}?mode=ro&uri=true")
    try:
        with pytest.raises(StoreError) as caught:
            with session_scope(read_only) as session:
                session.execute(sa.text("UPDATE shops SET name = name || '!'"))
        assert caught.value.user_message == READ_ONLY
    finally:
        read_only.dispose()


def test_other_database_errors_stay_bugs(own_engine: Engine) -> None:
    with pytest.raises(sa.exc.OperationalError, match="no such table"):
        with session_scope(own_engine) as session:
            session.execute(sa.text("SELECT * FROM no_such_table"))


def test_the_drivers_own_errors_are_worded_too() -> None:
    """A backup copies through the driver itself (sqlite3), without SQLAlchemy."""
    from primedist.db.engine import store_problem

    problem = store_problem(sqlite3.OperationalError("database or disk is full"))
    assert problem is not None and problem.user_message == FULL
    assert store_problem(sqlite3.OperationalError("no such table: x")) is None
    assert store_problem(ValueError("database disk image is malformed")) is None


def test_a_store_that_cannot_be_opened_says_how_to_restore(settings: Settings) -> None:
    """A half-copied file: the path, then the way out (not SQLite's English)."""
    assert settings.db_path is not None
    data = settings.db_path.read_bytes()
    settings.db_path.write_bytes(b"\0" * 100 + data[100 : len(data) // 2])
    with pytest.raises(StoreError) as caught:
        open_store(settings)
    message = caught.value.user_message
    assert message.startswith(f"The database at {settings.database_url} cannot be opened: ")
    assert message.endswith(DAMAGED)
    assert message.values["error"].template == DAMAGED  # type: ignore[attr-defined]
