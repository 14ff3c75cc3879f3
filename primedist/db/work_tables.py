"""Work tables: temporary tables a set-based statement sequence fills with ids or rows
(per connection; SQLite and PostgreSQL drop them with the connection, or with the
transaction that created them when it rolls back)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.schema import CreateTable


def start_work(conn: sa.Connection, *tables: sa.Table) -> None:
    """Create (first time on this connection) and empty work tables.

    On SQLite the temporary tables there are looked up first: DDL, even a CREATE … IF NOT
    EXISTS that does nothing, makes SQLite re-prepare every statement cached on the
    connection. (A flag on the connection would lie after a rollback of the transaction
    that created them.)
    """
    made = temp_tables(conn)
    for table in tables:
        if table.name not in made:
            conn.execute(CreateTable(table, if_not_exists=True))
        conn.execute(table.delete())


def temp_tables(conn: sa.Connection) -> set[str]:
    """The temporary tables this SQLite connection has (none known elsewhere)."""
    if conn.dialect.name != "sqlite":
        return set()
    found = conn.exec_driver_sql("SELECT name FROM sqlite_temp_master WHERE type = 'table'")
    return {str(name) for (name,) in found}


def fill_ids(conn: sa.Connection, table: sa.Table, ids: list[int]) -> None:
    """Insert ids into a one-column work table: plain tuples through the driver (a sync
    or an import brings tens of thousands; SQLAlchemy's per-row parameter handling would
    cost more than the insert)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    (column,) = table.c
    conn.exec_driver_sql(
        f"INSERT INTO {table.name} ({column.name}) VALUES ({mark})", [(i,) for i in ids]
    )
