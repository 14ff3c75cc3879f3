"""Full-text search tables (SQLite FTS5) kept in step with their base tables by triggers.

Each searchable table has a `search_text` column the app fills with folded text (lower
case, no diacritics, đ→d: FTS5's `remove_diacritics 2` does not fold đ). The FTS5 table is
external-content over that column. On PostgreSQL there is no FTS5: queries fall back to
a word-prefix regular expression on `search_text` (see `queries.search`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

#: base table -> FTS table
FTS_TABLES: dict[str, str] = {
    "customers": "customers_fts",
    "products": "products_fts",
    "orders": "orders_fts",
}

_TOKENIZE = "unicode61 remove_diacritics 2"


def create_fts_sql(table: str) -> list[str]:
    """DDL for one table's FTS index (virtual table only; triggers separately)."""
    fts = FTS_TABLES[table]
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"search_text, content='{table}', content_rowid='id', "
        f"tokenize='{_TOKENIZE}', prefix='2 3')"
    ]


def trigger_sql(table: str) -> list[str]:
    """Triggers that mirror inserts, deletes and search_text updates into the FTS table."""
    fts = FTS_TABLES[table]
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) "
        f"VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_au AFTER UPDATE OF search_text ON {table} "
        f"BEGIN INSERT INTO {fts}({fts}, rowid, search_text) "
        f"VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
    ]


def drop_trigger_sql(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_fts_{s}" for s in ("ai", "ad", "au")]


def all_fts_ddl() -> list[str]:
    """Everything the migration creates for search, in order."""
    out: list[str] = []
    for table in FTS_TABLES:
        out += create_fts_sql(table) + trigger_sql(table)
    return out


def drop_all_fts_ddl() -> list[str]:
    out: list[str] = []
    for table, fts in FTS_TABLES.items():
        out += drop_trigger_sql(table) + [f"DROP TABLE IF EXISTS {fts}"]
    return out


def rebuild(conn: sa.Connection, table: str) -> None:
    """Re-index a whole table (after a bulk load with triggers suspended)."""
    fts = FTS_TABLES[table]
    conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


@contextmanager
def triggers_suspended(conn: sa.Connection, tables: list[str]) -> Iterator[None]:
    """Bulk-load without per-row FTS work, then rebuild the index once.

    Per-row trigger inserts cost more than one rebuild for large loads. Runs inside the
    caller's transaction, so a failed load leaves triggers and index as they were.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    for table in tables:
        for stmt in drop_trigger_sql(table):
            conn.exec_driver_sql(stmt)
    yield
    for table in tables:
        rebuild(conn, table)
        for stmt in trigger_sql(table):
            conn.exec_driver_sql(stmt)
