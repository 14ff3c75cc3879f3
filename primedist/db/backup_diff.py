"""What the current SQLite database holds that a backup of it lacks: what a restore of
that backup would lose (Settings → Backup & restore says it before asking).

Both files are read at once, read-only, on a connection of their own (the backup opened,
the database attached): the counts are a few indexed anti-joins, whatever the shop's
size. A row counts as the backup's when the backup has a row of the same id made at the
same time (an id given again after a deletion is another row). A table the backup does
not have yet (an older version's backup) counts all of the current rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

#: What is counted: (key, table, which rows count). The keys are `Newer.counts`'.
COUNTED: tuple[tuple[str, str, str], ...] = (
    ("orders", "orders", "1"),
    # A return writes its refund rows; the first one holds the items that came back.
    ("returns", "order_refunds", "c.items > 0"),
    ("goods_receipts", "goods_receipts", "1"),
    ("purchase_orders", "purchase_orders", "1"),
    ("supplier_returns", "supplier_returns", "1"),
    ("customers", "customers", "1"),
    ("products", "products", "1"),
)


@dataclass(frozen=True)
class Newer:
    """What the database has that the backup lacks: rows made since (`counts`, by the
    keys of COUNTED), orders changed since (`changed_orders`), and the marketplace shops
    linked now that are not linked in the backup (`linked_since`: id, name)."""

    counts: dict[str, int] = field(default_factory=dict)
    changed_orders: int = 0
    linked_since: tuple[tuple[int, str], ...] = ()


def _read_only(path: Path) -> str:
    # as_uri: a folder name holding "?" or "#" stays part of the path.
    return path.resolve().as_uri() + "?mode=ro"


def newer_than_backup(db_path: Path, backup: Path) -> Newer:
    """What the database at `db_path` has that the backup file `backup` lacks (both
    SQLite files of this app; the backup validated first)."""
    conn = sqlite3.connect(_read_only(backup), uri=True)
    try:
        conn.execute("ATTACH DATABASE ? AS cur", (_read_only(db_path),))
        in_backup, now = _columns(conn, "main"), _columns(conn, "cur")
        counts = {
            key: _new_rows(conn, table, where, in_backup)
            for key, table, where in COUNTED
            if table in now
        }
        return Newer(counts, _changed_orders(conn, in_backup), _linked_since(conn, in_backup))
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection, schema: str) -> dict[str, set[str]]:
    """The tables of a schema (`main`: the backup, `cur`: the database) and their columns."""
    tables = [r[0] for r in conn.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")]  # fmt: skip
    return {t: {r[1] for r in conn.execute(f'PRAGMA {schema}.table_info("{t}")')} for t in tables}


def _new_rows(
    conn: sqlite3.Connection, table: str, where: str, in_backup: dict[str, set[str]]
) -> int:
    if table not in in_backup:  # a table newer than the backup: all its rows are new
        sql = f"SELECT count(*) FROM cur.{table} c WHERE {where}"
    else:
        same_time = " AND b.created_at IS c.created_at" if "created_at" in in_backup[table] else ""
        sql = (f"SELECT count(*) FROM cur.{table} c WHERE {where} AND NOT EXISTS "
               f"(SELECT 1 FROM main.{table} b WHERE b.id = c.id{same_time})")  # fmt: skip
    return int(conn.execute(sql).fetchone()[0])


def _changed_orders(conn: sqlite3.Connection, in_backup: dict[str, set[str]]) -> int:
    """Orders in both whose last change differs (a status, a return, an edit, a sync)."""
    if "updated_at" not in in_backup.get("orders", set()):
        return 0
    return int(conn.execute(
        "SELECT count(*) FROM cur.orders c JOIN main.orders b ON b.id = c.id"
        " AND b.created_at IS c.created_at WHERE b.updated_at IS NOT c.updated_at"
    ).fetchone()[0])  # fmt: skip


_HAS_TOKENS = "{t}.refresh_token_enc IS NOT NULL AND {t}.refresh_token_enc != ''"


def _linked_since(
    conn: sqlite3.Connection, in_backup: dict[str, set[str]]
) -> tuple[tuple[int, str], ...]:
    """Shops with tokens now (linked) that have none in the backup, or are not in it."""
    if "shop_credentials" in in_backup:
        not_before = (f" AND NOT EXISTS (SELECT 1 FROM main.shop_credentials b"
                      f" WHERE b.shop_id = c.shop_id AND {_HAS_TOKENS.format(t='b')})")  # fmt: skip
    else:
        not_before = ""
    rows = conn.execute(
        "SELECT s.id, s.name FROM cur.shop_credentials c JOIN cur.shops s ON s.id = c.shop_id"
        f" WHERE {_HAS_TOKENS.format(t='c')}{not_before} ORDER BY s.name, s.id"
    ).fetchall()
    return tuple((int(i), str(n)) for i, n in rows)
