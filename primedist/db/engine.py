"""One engine per process; SQLite gets WAL, foreign keys, a busy timeout and a modest cache."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from primedist.core.messages import msg
from primedist.db.advisory import WRITER_KEY, WRITER_SPACE
from primedist.errors import Busy, PrimedistError, StoreError

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


def server_name(url: str | sa.URL) -> str:
    """A database server's host[:port]/database, no user or password ("192.168.1.10/shop")."""
    try:
        u = make_url(url)
    except sa.exc.ArgumentError:
        return "<unreadable database URL>"
    host = (u.host or "localhost") + (f":{u.port}" if u.port else "")
    return f"{host}/{u.database}" if u.database else host


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


#: Attribute of a SQLAlchemy error from a PostgreSQL engine: its server (`server_name`), for
#: the message when the server cannot be reached (set by `_name_the_server`).
SERVER_OF_ERROR = "primedist_server"


def _name_the_server(context: sa.engine.ExceptionContext) -> None:
    # The error alone does not say which server (a dropped connection's text names none).
    if context.sqlalchemy_exception is not None and context.engine is not None:
        setattr(context.sqlalchemy_exception, SERVER_OF_ERROR, server_name(context.engine.url))


#: Attribute of a SQLAlchemy error from a SQLite engine whose database's folder cannot be
#: written (set by `_name_a_read_only_folder`).
READ_ONLY_FOLDER_OF_ERROR = "primedist_read_only_folder"
#: SQLite's words when it cannot open the database's file or its side files.
_CANNOT_OPEN = "unable to open database file"


def _name_a_read_only_folder(context: sa.engine.ExceptionContext) -> None:
    # In a read-only folder (a write-protected USB stick, a read-only mount or share)
    # SQLite cannot make the -wal and -shm beside the database and says only "unable to
    # open database file", as it does for a missing folder: only the folder tells.
    error, engine = context.sqlalchemy_exception, context.engine
    if error is None or engine is None or _CANNOT_OPEN not in str(context.original_exception):
        return
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).absolute().parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        setattr(error, READ_ONLY_FOLDER_OF_ERROR, str(folder))


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
        sa.event.listen(engine, "handle_error", _name_a_read_only_folder)
        return engine
    engine = sa.create_engine(
        url, echo=echo, pool_pre_ping=True, connect_args=_server_connect_args(url)
    )
    sa.event.listen(engine, "handle_error", _name_the_server)
    return engine


#: Seconds to wait for a PostgreSQL server to answer a new connection.
PG_CONNECT_TIMEOUT_S = 10
#: TCP keepalives (seconds idle, between probes, probes) and how long sent data may go
#: unacknowledged (ms): a server gone silent mid-query (its PC switched off, a cable
#: pulled) fails the query in about a minute instead of TCP's quarter of an hour, so the
#: UI's one database worker (the status bar's read, the next action) is not held behind it.
PG_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10,
                 "keepalives_count": 3, "tcp_user_timeout": 60_000}  # fmt: skip


def _server_connect_args(url: str) -> dict[str, Any]:
    """libpq's timeouts for a server URL; a value the URL sets itself wins."""
    wanted: dict[str, Any] = {"connect_timeout": PG_CONNECT_TIMEOUT_S, **PG_KEEPALIVES}
    given = make_url(url).query
    return {name: value for name, value in wanted.items() if name not in given}


def is_sqlite(bind: Engine | sa.Connection) -> bool:
    """True when the engine/connection talks to SQLite."""
    return bind.dialect.name == "sqlite"


def take_writer_lock(conn: sa.Connection) -> None:
    """PostgreSQL: take the one writer lock for the rest of `conn`'s transaction, waiting up
    to the busy timeout for the writer that holds it (a `Busy` after that, from the unit of
    work). What SQLite's write lock is: without it two PCs' imports both add the same new
    SKU, customer or supplier, or each refreshes statistics that miss the other's orders.
    Reading under the lock (READ COMMITTED: each statement sees what was committed before
    it) sees every earlier writer's work. Taken again in the same transaction, it is a
    no-op; on SQLite (one writer anyway) it does nothing."""
    if is_sqlite(conn):
        return
    # The timeout for this wait only: row locks taken later wait as they always did.
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{SQLITE_BUSY_TIMEOUT_MS}ms'; "
                         f"SELECT pg_advisory_xact_lock({WRITER_SPACE}, {WRITER_KEY}); "
                         "SET LOCAL lock_timeout = DEFAULT")  # fmt: skip


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on any exception.

    `write`: the unit reads then writes what it read (a sale checking stock, a status
    change, an import): it takes the write lock first — SQLite's at BEGIN, PostgreSQL's
    `take_writer_lock` as its first statement —, so another writer (a sync batch, a second
    process or PC) makes it wait up to the busy timeout rather than fail it or write over
    it. A unit that still finds the database busy, or (PostgreSQL) clashes with another
    PC's writer, raises `Busy` (nothing saved; try again).
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            if write:
                take_writer_lock(session.connection(execution_options={WRITE_LOCK: True}))
            yield session
            session.commit()
        except sa.exc.DatabaseError as exc:
            session.rollback()
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


#: PostgreSQL's SQLSTATEs of a clash between writers: a deadlock, a serialization
#: failure, the writer lock's wait ended. Not a unique violation (23505): the writers that
#: create keys take the writer lock, so one is a real duplicate (callers such as
#: `channels.authorize_shop` name it), never "try again".
_PG_CLASHES = frozenset({"40P01", "40001", "55P03"})
#: A server shutting down, crashed or starting (its connections end).
_PG_SERVER_GONE = frozenset({"57P01", "57P02", "57P03"})


def _sqlstate(exc: sa.exc.DBAPIError) -> str | None:
    """PostgreSQL's (psycopg's) SQLSTATE of the error; None when the server sent none (the
    client lost or never had the connection)."""
    return getattr(exc.orig, "sqlstate", None)


def _from_postgresql(exc: sa.exc.DBAPIError) -> bool:
    return type(exc.orig).__module__.startswith("psycopg")


def is_busy(exc: BaseException) -> bool:
    """SQLite busy (`is_sqlite_busy`), or PostgreSQL's writers clashing: nothing was saved,
    trying again succeeds."""
    if is_sqlite_busy(exc):
        return True
    if not isinstance(exc, sa.exc.DBAPIError) or not _from_postgresql(exc):
        return False
    return _sqlstate(exc) in _PG_CLASHES


def _server_unreachable(exc: sa.exc.DBAPIError) -> bool:
    """PostgreSQL's server refused the connection, timed out or closed it (down, restarted,
    network cut)."""
    if not _from_postgresql(exc):
        return False
    if exc.connection_invalidated:
        return True
    state = _sqlstate(exc)
    if state is None:  # said by the client (connect failed, timeout, connection closed)
        return isinstance(exc, sa.exc.OperationalError)
    return state.startswith("08") or state in _PG_SERVER_GONE


def _busy() -> Busy:
    return Busy(msg("Another task is writing to the shop's data (a sync, an import or another "
                    "window); nothing was saved. Try again in a moment."))  # fmt: skip


#: SQLite's words for a file that is not (or no longer) a whole database: a damaged page, a
#: half-copied or overwritten file.
_DAMAGED = ("database disk image is malformed", "file is not a database")
_FULL = ("database or disk is full",)
_READ_ONLY = ("attempt to write a readonly database",)


def store_problem(exc: BaseException) -> PrimedistError | None:
    """What to tell the user when SQLite says its file is damaged, the disk is full or the
    file is read-only, when the database is busy (`is_busy`: `Busy`) or its PostgreSQL
    server cannot be reached (None for any other error: a bug to report). These can come
    from any query, not only a unit of work, so the app's error hook and the CLI ask here
    too."""
    if is_busy(exc):
        return _busy()
    if isinstance(exc, sa.exc.DBAPIError) and _server_unreachable(exc):
        server = getattr(exc, SERVER_OF_ERROR, None) or "?"
        return StoreError(msg("Cannot reach the database server {server}. Check the network "
                              "and that the server is running, then try again.",
                              server=server))  # fmt: skip
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
    if any(words in text for words in _READ_ONLY) or hasattr(exc, READ_ONLY_FOLDER_OF_ERROR):
        return read_only_error()
    return None


def read_only_error() -> StoreError:
    """The data file, or its folder, cannot be written (also said by the app's start when
    it cannot make its lock in the data dir)."""
    return StoreError(msg("The shop's data file cannot be written (it or its folder is "
                          "read-only): nothing was saved."))  # fmt: skip


def retry_when_busy(work: Callable[[], T], *, attempts: int = 5, pause: float = 0.2) -> T:
    """Run `work` (a whole unit of work) again when the database is busy (`is_busy`).

    For work started while other jobs write (the app's start-up: catch-ups, the demo
    link); each attempt is its own transaction, so a retry starts from a fresh snapshot.
    """
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except (sa.exc.OperationalError, Busy) as exc:
            if attempt == attempts or not is_busy(exc):
                raise
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")
