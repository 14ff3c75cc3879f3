"""Bulk-load helpers shared by the demo generator and the big imports."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from primedist.db.engine import RESTORE_AUTOCHECKPOINT, is_sqlite

log = logging.getLogger(__name__)


@contextmanager
def indexes_deferred(conn: sa.Connection, names: Sequence[str]) -> Iterator[None]:
    """Drop these indexes for a bulk load and build them again from their stored DDL after
    it: building an index once costs far less than maintaining it row by row.

    SQLite only (elsewhere a no-op). DDL is transactional in SQLite: a cancel or an error
    brings them back untouched.
    """
    if not is_sqlite(conn) or not names:
        yield
        return
    marks = ", ".join("?" for _ in names)
    ddl = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})"
        " ORDER BY name",
        tuple(names),
    ).all()
    for name, _sql in ddl:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _name, sql in ddl:
        conn.exec_driver_sql(sql)


#: Fewest new rows for which a table's indexes may be built after the load instead.
DEFER_MIN_ROWS = 10_000


def deferrable_indexes(conn: sa.Connection, table: str, new_rows: int) -> list[str]:
    """The non-unique indexes of `table` worth building once after loading `new_rows`
    (for `indexes_deferred`): only for a big load into a table holding no more rows than
    that, e.g. a first import into a new store. Building an index sorts every row of the
    table, so for a load into a big table keeping the indexes up row by row costs less.
    Unique indexes stay: the load relies on them. SQLite only (elsewhere none)."""
    if not is_sqlite(conn) or new_rows < DEFER_MIN_ROWS:
        return []
    held = int(conn.exec_driver_sql(f'SELECT count(*) FROM "{table}"').scalar_one())
    if held > new_rows:
        return []
    rows = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL ORDER BY name",
        (table,),
    )
    return [str(name) for name, sql in rows if not str(sql).upper().startswith("CREATE UNIQUE")]


#: WAL pages (4 KiB each) a bulk writer lets pile up before its commits checkpoint them
#: into the database file (SQLite's default is 1,000 = 4 MB, which a sync batch passes
#: every transaction). A checkpoint writes each page changed since the last one once, so
#: the pages every batch touches again (index tails, summaries, the search index) are
#: copied once per 64 MB of WAL instead of once per transaction.
BULK_WAL_PAGES = 16_384


def space_checkpoints(conn: sa.Connection) -> None:
    """Let this connection's commits checkpoint only every `BULK_WAL_PAGES` (SQLite only;
    the setting stays with the pooled connection). Pair a run of such commits with
    `checkpoint_wal` at its end, so later small commits do not inherit a long WAL."""
    if is_sqlite(conn):
        conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={BULK_WAL_PAGES}")
        # A WAL file that grew this big is cut back to it when it restarts.
        conn.exec_driver_sql(f"PRAGMA journal_size_limit={BULK_WAL_PAGES * 4096}")


def commit_without_checkpoint(conn: sa.Connection) -> None:
    """This transaction's commit only appends to the WAL, however big the WAL grew
    (`space_checkpoints` still checkpoints past its 64 MB); the pooled connection gets its
    own setting back at its next BEGIN. For one big writer followed by
    `checkpoint_in_background`. SQLite only."""
    if not is_sqlite(conn):
        return
    current = int(conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())
    conn.connection.info.setdefault(RESTORE_AUTOCHECKPOINT, current)
    conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")


def checkpoint_wal(engine: sa.Engine) -> None:
    """Copy the WAL into the database file now, without waiting for readers (PASSIVE:
    pages a reader still needs stay for the next checkpoint). SQLite only."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").all()


_checkpoints: list[threading.Thread] = []
_checkpoints_lock = threading.Lock()


def checkpoint_in_background(engine: sa.Engine) -> None:
    """`checkpoint_wal` on a thread of its own: for a writer whose one transaction
    changed pages all over a table (the rank recompute rewrites a third of the customer
    rows). Its commit then only appends to the WAL (`space_checkpoints`) and the caller
    gets its answer; copying those pages into the database file follows without
    blocking readers or writers. Not a daemon thread: a CLI process ends after it.
    SQLite only."""
    if engine.dialect.name != "sqlite":
        return
    thread = threading.Thread(
        target=_checkpoint_quietly, args=(engine,), name="wal-checkpoint", daemon=False
    )
    with _checkpoints_lock:
        _checkpoints[:] = [t for t in _checkpoints if t.is_alive()]
        _checkpoints.append(thread)
    thread.start()


def _checkpoint_quietly(engine: sa.Engine) -> None:
    try:
        checkpoint_wal(engine)
    except Exception:  # housekeeping: the next checkpoint copies what this one did not
        log.warning("background WAL checkpoint failed", exc_info=True)


def wait_for_background_checkpoints(timeout: float | None = None) -> None:
    """Wait for the checkpoints `checkpoint_in_background` started (before the database
    file is replaced, or to time a writer apart from its checkpoint)."""
    with _checkpoints_lock:
        threads = list(_checkpoints)
    for thread in threads:
        thread.join(timeout)
