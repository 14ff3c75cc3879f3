"""Bulk-load helpers shared by the demo generator and the big imports."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from primedist.db.engine import is_sqlite


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
