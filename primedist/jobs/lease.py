"""Job leases in the database (`job_locks`): a scheduler job runs on one PC at a time.

Several PCs on one PostgreSQL database each run the scheduler; before a job runs, its
process takes the job's lease with one atomic upsert that succeeds only when the lease is
free or expired:

    INSERT INTO job_locks ... ON CONFLICT (name) DO UPDATE ... WHERE expires_at <= now

While the job runs, a thread renews the lease every quarter of its length; at the end the
lease is released (expires now; the row stays, naming who ran the job last). A holder
that crashes keeps the job only until its lease expires. Work asked for by hand that must
not overlap a job takes the job's lease too (`held`): every sync of a shop holds its pull
job's. The same code runs on SQLite (the app and `primedist sync` on one PC). Times come
from the database server's clock on PostgreSQL, as the PCs' clocks may differ.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from primedist.core import host
from primedist.domain.base import table_of
from primedist.domain.job_lock import JobLock

log = logging.getLogger(__name__)

locks_t = table_of(JobLock)

#: A crashed PC blocks its jobs (and a Sync now elsewhere) this long. Renewed every quarter
#: of it, so the database may be away for three renewals (a server restart) before it runs
#: out; on SQLite a renewal waits at most the busy timeout (10 s) behind another writer.
LEASE = timedelta(minutes=2)
#: Renewals per lease length.
RENEWALS = 4

#: This PC, as holders name it (`core.host`: the audit rows name it too).
HOST = host.HOST
#: This process, as the table shows it: host, process id and a per-start token.
HOLDER = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_pc(holder: str) -> str:
    """The PC (host name) of a holder as `HOLDER` names it: host, process id, token."""
    return holder.rsplit(":", 2)[0]


#: Whether a process can be asked if it exists (signal 0). Not on Windows: there
#: `os.kill` ends the process whatever the signal.
CAN_ASK_PROCESSES = os.name == "posix"


def dead_here(holder: str) -> bool:
    """Whether `holder` is a process of this PC that is gone (killed, crashed): its lease
    is given up at once instead of blocking the job (or a Sync now) until it expires. A
    process of another PC cannot be seen from here (nor any on Windows): its lease runs
    out."""
    host, _sep, rest = holder.rpartition(":")[0].rpartition(":")
    pid = rest if host else ""
    if (not CAN_ASK_PROCESSES or host != HOST or not pid.isdigit()
            or int(pid) == os.getpid()):  # fmt: skip
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # it exists (another user's) or cannot be asked: alive
        return False
    return False


def db_now(conn: sa.Connection) -> datetime:
    """UTC now from the server's clock (PostgreSQL) or this PC's (SQLite)."""
    if conn.dialect.name == "sqlite":
        return datetime.now(UTC)
    now: datetime = conn.execute(sa.select(sa.func.now())).scalar_one()
    return now.astimezone(UTC)


def try_acquire(
    engine: Engine,
    name: str,
    *,
    holder: str = HOLDER,
    lease: timedelta = LEASE,
    reclaim: bool = False,
) -> bool:
    """Take the lease on `name` unless a lease on it is still running: not re-entrant, a
    running lease of `holder` itself refuses too (two threads of one process exclude each
    other). `reclaim`: a running lease of `holder` is taken back, for a caller that knows
    nobody in this process uses it (a lease left by a release that failed)."""
    with engine.begin() as conn:
        now = db_now(conn)
        values = {"name": name, "holder": holder, "acquired_at": now, "expires_at": now + lease}
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(locks_t).values(**values)
        free = locks_t.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[locks_t.c.name],
            set_={k: stmt.excluded[k] for k in ("holder", "acquired_at", "expires_at")},
            where=sa.or_(free, locks_t.c.holder == holder) if reclaim else free,
        ).returning(locks_t.c.name)  # a row only when inserted or taken over
        if conn.execute(stmt).first() is not None:
            return True
        return _take_from_the_dead(conn, name, holder, values)


def _take_from_the_dead(
    conn: sa.Connection, name: str, holder: str, values: dict[str, Any]
) -> bool:
    """Take the running lease on `name` when its holder is a dead process of this PC (only
    from that holder: another process taking it meanwhile keeps it)."""
    current = conn.execute(sa.select(locks_t.c.holder).where(locks_t.c.name == name)).scalar()
    if current is None or current == holder or not dead_here(current):
        return False
    log.warning("the lease on job %s was left by %s, which is gone: taken over", name, current)
    taken = conn.execute(
        locks_t.update()
        .where(locks_t.c.name == name, locks_t.c.holder == current)
        .values(**{k: v for k, v in values.items() if k != "name"})
        .returning(locks_t.c.name)
    )
    return taken.first() is not None


def holder_of(engine: Engine, name: str) -> str | None:
    """Who holds the lease on `name`, or held it last (None: never taken)."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(locks_t.c.holder).where(locks_t.c.name == name)
        ).scalar_one_or_none()


def renew(engine: Engine, name: str, *, holder: str = HOLDER, lease: timedelta = LEASE) -> bool:
    """Extend our lease; False when it is no longer ours (it expired and was taken)."""
    with engine.begin() as conn:
        now = db_now(conn)
        done = conn.execute(
            locks_t.update()
            .where(locks_t.c.name == name, locks_t.c.holder == holder)
            .values(expires_at=now + lease)
            .returning(locks_t.c.name)
        )
        return done.first() is not None


def release(engine: Engine, name: str, *, holder: str = HOLDER) -> None:
    """End our lease now (another PC may take the job at once); the row stays."""
    with engine.begin() as conn:
        conn.execute(
            locks_t.update()
            .where(locks_t.c.name == name, locks_t.c.holder == holder)
            .values(expires_at=db_now(conn))
        )


@contextmanager
def held(
    engine: Engine,
    name: str,
    *,
    holder: str = HOLDER,
    lease: timedelta = LEASE,
    reclaim: bool = False,
) -> Iterator[bool]:
    """Yields whether the lease on `name` is ours; while it is, it is renewed, and
    released at the end (`reclaim`: as `try_acquire`)."""
    if not try_acquire(engine, name, holder=holder, lease=lease, reclaim=reclaim):
        yield False
        return
    with _kept(engine, name, holder, lease):
        yield True


@contextmanager
def _kept(engine: Engine, name: str, holder: str, lease: timedelta) -> Iterator[None]:
    """Renew the taken lease every quarter of its length on a daemon thread; release it at
    the end (a release that fails leaves the lease to expire)."""
    stop = threading.Event()

    def keep() -> None:
        while not stop.wait(lease.total_seconds() / RENEWALS):
            try:
                if not renew(engine, name, holder=holder, lease=lease):
                    log.warning("the lease on job %s was lost to another PC", name)
                    return
            except sa.exc.SQLAlchemyError:  # the database is away: retry at the next tick
                log.warning("could not renew the lease on job %s", name, exc_info=True)

    keeper = threading.Thread(target=keep, name=f"lease-{name}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()
        try:
            release(engine, name, holder=holder)
        except sa.exc.SQLAlchemyError:
            log.warning("could not release the lease on job %s", name, exc_info=True)


def leased(
    engine: Engine, name: str, func: Callable[..., Any], *, lease: timedelta = LEASE
) -> Callable[..., None]:
    """`func` made to run only while this process holds the lease on `name`; when another
    PC holds it, this run is skipped (the job's next run tries again)."""

    def run(*args: Any, **kwargs: Any) -> None:
        try:
            ours = try_acquire(engine, name, lease=lease)
        except sa.exc.SQLAlchemyError:
            log.exception("job %s skipped: its lease could not be taken", name)
            return
        if not ours:
            log.debug("job %s skipped: running on another PC", name)
            return
        with _kept(engine, name, HOLDER, lease):
            func(*args, **kwargs)

    run.__name__ = getattr(func, "__name__", name)
    run.__qualname__ = getattr(func, "__qualname__", name)
    return run
