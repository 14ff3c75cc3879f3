"""Raw SQL with `?` placeholders in tests, on SQLite and on PostgreSQL.

sqlite3 takes `?` (qmark); psycopg takes `%s` (format), where a literal `%` must be doubled.
Tests write their checks once, in qmark style, and run them through `driver_sql`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa


def driver_sql(
    conn: sa.Connection, sql: str, params: Sequence[Any] | Sequence[Sequence[Any]] = ()
) -> sa.CursorResult[Any]:
    """`conn.exec_driver_sql(sql, params)` with `sql` in qmark style on any driver (a list
    of tuples runs as executemany)."""
    if not params:
        return conn.exec_driver_sql(sql)
    if conn.dialect.paramstyle in ("format", "pyformat"):
        sql = sql.replace("%", "%%").replace("?", "%s")
    many = isinstance(params, list) and isinstance(params[0], (tuple, list))
    return conn.exec_driver_sql(sql, params if many else tuple(params))
