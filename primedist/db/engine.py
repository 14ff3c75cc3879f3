"""One engine per process; SQLite gets WAL, foreign keys, a busy timeout and a modest cache."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from primedist.core.messages import msg
from primedist.errors import Busy, StoreError

#: Per-connection page cache in KiB (negative = KiB for SQLite). Every connection's cache
#: shows up in RSS, so keep it moderate (performance-limits.md § memory).
SQLITE_CACHE_KIB = 16384
SQLITE_BUSY_TIMEOUT_MS = 10000

# SQLAlchemy's SQLite DateTime storage format; the raw bulk path writes the same text.
_SQLITE_TS = "%Y-%m-%d %H:%M:%S.%f"

T = TypeVar("T")


def masked_url(url: str) -> str:
    """The URL with its password hidden (for messages and output)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unreadable database URL>"


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own transaction handling only BEGINs before INSERT/UPDATE/DELETE, so DDL
    # (DROP TRIGGER in a bulk load) would autocommit and survive a rollback. Turn it off and
    # let SQLAlchemy's begin emit a real BEGIN (SQLAlchemy's documented recipe).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cur.close()


#: Key in a pooled connection's `info`: the `wal_autocheckpoint` to put back at its next
#: BEGIN (set by db.bulk.commit_without_checkpoint).
RESTORE_AUTOCHECKPOINT = "primedist.restore_wal_autocheckpoint"


#: Execution option of a connection whose transaction writes after reading: SQLite's
#: BEGIN IMMEDIATE (set by `session_scope(..., write=True)`).
WRITE_LOCK = "primedist_write_lock"


def _sqlite_begin(conn: sa.Connection) -> None:
    restore = conn.connection.info.pop(RESTORE_AUTOCHECKPOINT, None)
    if restore is not None:
        conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={int(restore)}")
    # A deferred BEGIN reads from a snapshot; if another connection commits before this
    # one's first write, SQLite refuses to upgrade it at once (no busy wait). IMMEDIATE
    # takes the write lock first, waiting for the other writer instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_LOCK)
                         else "BEGIN")  # fmt: skip


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for `url` with the pragmas and pool this app relies on."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=3,
            max_overflow=5,
        )
        sa.event.listen(engine, "connect", _sqlite_on_connect)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    return sa.create_engine(url, echo=echo, pool_pre_ping=True)


def is_sqlite(bind: Engine | sa.Connection) -> bool:
    """True when the engine/connection talks to SQLite."""
    return bind.dialect.name == "sqlite"


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any exception.

    `write`: the unit reads then writes what it read (a sale checking stock, a status
    change): on SQLite it takes the write lock at BEGIN, so another writer (a sync batch,
    a second process) makes it wait up to the busy timeout rather than fail it. A unit
    that still finds the database busy raises `Busy` (nothing saved; try again).
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            if write and is_sqlite(engine):
                session.connection(execution_options={WRITE_LOCK: True})
            yield session
            session.commit()
        except sa.exc.DatabaseError as exc:
            session.rollback()
            if is_sqlite_busy(exc):
                raise Busy(msg("Another task is writing to the shop's data (a sync, an "
                               "import or another window); nothing was saved. Try again in "
                               "a moment.")) from exc  # fmt: skip
            problem = store_problem(exc)
            if problem is not None:
                raise problem from exc
            raise
        except BaseException:
            session.rollback()
            raise


def sqlite_timestamp(dt: datetime) -> str:
    """An aware datetime as the UTC text SQLAlchemy stores in SQLite (for raw bulk paths)."""
    return dt.astimezone(UTC).strftime(_SQLITE_TS)


def db_timestamp(bind: Engine | sa.Connection, dt: datetime) -> Any:
    """A bulk-insert value for a timestamp column on this backend."""
    return sqlite_timestamp(dt) if is_sqlite(bind) else dt.astimezone(UTC)


def is_sqlite_busy(exc: BaseException) -> bool:
    """SQLite's "database is locked": also raised at once, without the busy timeout, when a
    transaction that began by reading wants to write after another connection committed."""
    if isinstance(exc, Busy):
        return True
    return isinstance(exc, sa.exc.OperationalError) and "database is locked" in str(exc.orig)


#: SQLite's words for a file that is not (or no longer) a whole database: a damaged page, a
#: half-copied or overwritten file.
_DAMAGED = ("database disk image is malformed", "file is not a database")
_FULL = ("database or disk is full",)
_READ_ONLY = ("attempt to write a readonly database",)


def store_problem(exc: BaseException) -> StoreError | None:
    """What to tell the user when SQLite says its file is damaged, the disk is full or the
    file is read-only (None for any other error: a bug to report). These can come from any
    query, not only a unit of work, so the app's error hook and the CLI ask here too."""
    if isinstance(exc, sa.exc.DatabaseError):
        text = str(exc.orig)
    elif isinstance(exc, sqlite3.Error):  # the driver's own (a backup copies through it)
        text = str(exc)
    else:
        return None
    if any(words in text for words in _DAMAGED):
        return StoreError(msg("The shop's data is damaged and cannot be read. Restore a backup: "
                              "in the app, Settings → Backup & restore; or run `primedist "
                              "restore FILE`."))  # fmt: skip
    if any(words in text for words in _FULL):
        return StoreError(msg("The disk is full: nothing was saved. Free some space, then try "
                              "again."))  # fmt: skip
    if any(words in text for words in _READ_ONLY):
        return StoreError(msg("The shop's data file cannot be written (it or its folder is "
                              "read-only): nothing was saved."))  # fmt: skip
    return None


def retry_when_busy(work: Callable[[], T], *, attempts: int = 5, pause: float = 0.2) -> T:
    """Run `work` (a whole unit of work) again when SQLite reports the database busy.

    For work started while other jobs write (the app's start-up: catch-ups, the demo
    link); each attempt is its own transaction, so a retry starts from a fresh snapshot.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except (sa.exc.OperationalError, Busy) as exc:
            if attempt == attempts or not is_sqlite_busy(exc):
                raise
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")
