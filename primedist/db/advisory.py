"""A PostgreSQL session-level advisory lock held across transactions (one per PC's task).

`AdvisoryLock(engine, space, key).acquire()` takes `pg_try_advisory_lock(space, key)` on a
connection of its own, kept (outside any transaction) until `release()`. If the process
dies, the server ends its session and the lock with it. On SQLite (one PC) it always
succeeds and holds nothing.

The app's lock keys are pairs (space, key); the spaces in use:

- 1 `services.sync.SYNC_LOCK_SPACE`: one sync of a shop at a time (key: the shop's id);
- 2 `WRITER_SPACE`: the one writer at a time (`db.engine.take_writer_lock`, a lock held
  to the end of the writing transaction);
- 3 `db.store.MIGRATION_SPACE`: one schema upgrade at a time (two PCs starting together on
  an empty database); key 1 (`BACKUP_THEN_MIGRATE_KEY`): one pg_dump-then-upgrade at a time.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

#: Space and key of the single-writer lock: what SQLite's one write lock is on PostgreSQL.
WRITER_SPACE = 2
WRITER_KEY = 0


class AdvisoryLock:
    def __init__(self, engine: Engine, space: int, key: int) -> None:
        self.engine, self.space, self.key = engine, space, key
        self._conn: sa.Connection | None = None

    def acquire(self) -> bool:
        """Take the lock unless another session holds it (never waits)."""
        if self.engine.dialect.name != "postgresql":
            return True
        conn = self.engine.connect()
        try:
            got = bool(conn.execute(
                sa.select(sa.func.pg_try_advisory_lock(self.space, self.key))
            ).scalar_one())  # fmt: skip
            conn.commit()  # the lock outlives the transaction; no idle transaction held
        except BaseException:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(sa.select(sa.func.pg_advisory_unlock(self.space, self.key)))
            conn.commit()
        except sa.exc.SQLAlchemyError:
            conn.invalidate()  # never pool a connection that may still hold the lock
        finally:
            conn.close()
