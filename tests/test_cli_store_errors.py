"""A damaged store or a full disk from any command: one line saying what to do, exit 1,
never a SQLAlchemy traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR
from tests.db.test_store_errors import DAMAGED, FULL, damage_table


def checkpoint(db: Path) -> None:
    """Everything of the -wal into the file itself (a copy is of the file alone)."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def test_a_damaged_store_is_one_line_naming_the_way_out(cli: Any, data_dir: Path) -> None:
    damage_table(data_dir / "primedist.db", "orders")
    run = cli("--data-dir", str(data_dir), "export", "orders", str(data_dir / "o.xlsx"))
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: {DAMAGED}"
    assert not (data_dir / "o.xlsx").exists()


def test_a_half_copied_store_names_it_and_the_way_out(cli: Any, data_dir: Path) -> None:
    db = data_dir / "primedist.db"
    checkpoint(db)
    data = db.read_bytes()
    db.write_bytes(b"\0" * 100 + data[100 : len(data) // 2])
    run = cli("--data-dir", str(data_dir), "report", "dashboard")
    assert run.code == EXIT_ERROR
    line = run.error_line()
    assert "cannot be opened" in line and line.endswith(DAMAGED)


def test_a_full_disk_is_one_line(cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own SQLITE_FULL: the database may not grow (max_page_count) past its
    size, as on a full disk; a write that does not fit is refused in one line."""
    conn = sqlite3.connect(data_dir / "primedist.db")
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    from primedist.db import engine as engine_module

    real = engine_module._sqlite_on_connect

    def on_connect(dbapi: Any, record: Any) -> None:
        real(dbapi, record)
        dbapi.execute(f"PRAGMA max_page_count={pages}")

    monkeypatch.setattr(engine_module, "_sqlite_on_connect", on_connect)
    csv = data_dir / "suppliers.csv"
    rows = "".join(f"Nhà cung cấp {i},{'Ghi chú dài ' * 20}\n" for i in range(3000))
    csv.write_text("name,note\n" + rows, encoding="utf-8")
    run = cli("--data-dir", str(data_dir), "import", "suppliers", str(csv))
    assert run.code == EXIT_ERROR, run.out
    assert run.error_line() == f"primedist: error: {FULL}"
