"""`primedist restore` while another process has the store open (an import, a sync): refused,
nothing changed, then done once it has ended; `primedist backup` of a damaged database keeps
the good backups; data from a newer app is refused by every command without a safety copy."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from tests.cli_support import table_count
from tests.factories import make_customers

#: Another process with the store open until its stdin closes (as an import has it).
HOLDER = (
    "import sys; from primedist.config import resolve_settings; "
    "from primedist.db.store import open_store; "
    "engine = open_store(resolve_settings(sys.argv[1])); "
    "engine.connect().close(); print('open', flush=True); sys.stdin.read()"
)
IN_USE = (
    "primedist: error: Another Prime Distribution process is using the data (an import, a "
    "sync…): wait for it to finish, then restore."
)
NEWER = (
    "primedist: error: This data was made by a newer version of Prime Distribution: update the app."
)


def sql(data_dir: Path, statement: str) -> None:
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def add_customers(data_dir: Path, n: int) -> None:
    engine = open_store(resolve_settings(data_dir))
    make_customers(engine, n)
    engine.dispose()


def test_restore_waits_for_no_one_and_changes_nothing_while_the_store_is_in_use(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.db"
    assert cli("--data-dir", str(data_dir), "backup", str(saved)).code == EXIT_OK
    add_customers(data_dir, 1)  # what the import wrote
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIMEDIST_")}
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir)], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        run = cli("--data-dir", str(data_dir), "restore", str(saved))
        assert run.code == EXIT_ERROR
        assert run.err.splitlines() == [IN_USE]
        # What a restore would lose is said first (the refusal comes at the restore itself).
        assert run.out.endswith(": 1 new customer.\n")
        assert table_count(data_dir, "customers") == 1  # what it wrote is still there
        assert not any((data_dir / "backups").iterdir())  # no safety copy either
        assert not (data_dir / "primedist.db.restore").exists()
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    run = cli("--data-dir", str(data_dir), "restore", str(saved))
    assert run.code == EXIT_OK, run.err
    assert table_count(data_dir, "customers") == 0


def test_backup_of_a_damaged_database_keeps_the_good_one(cli: Any, data_dir: Path) -> None:
    assert cli("--data-dir", str(data_dir), "backup", "--keep", "1").code == EXIT_OK
    (good,) = (data_dir / "backups").iterdir()
    add_customers(data_dir, 300)
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'customers'")
        (root_page,) = root.fetchone()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    with open(data_dir / "primedist.db", "r+b") as fh:  # a disk that failed under one table
        fh.seek((root_page - 1) * page)
        fh.write(b"\xa5" * page)

    run = cli("--data-dir", str(data_dir), "backup", "--keep", "1")

    assert run.code == EXIT_ERROR
    assert run.error_line().startswith("primedist: error: The shop's data is damaged (")
    assert "restore the newest good backup" in run.error_line()
    assert list((data_dir / "backups").iterdir()) == [good]


@pytest.mark.parametrize("command", [["report", "dashboard"], ["migrate"], ["staff", "list"]])
def test_data_from_a_newer_app_is_refused_and_never_copied(
    cli: Any, data_dir: Path, command: list[str]
) -> None:
    sql(data_dir, "UPDATE alembic_version SET version_num = '9990_future'")
    for _start in range(2):
        run = cli("--data-dir", str(data_dir), *command)
        assert run.code == EXIT_ERROR
        assert run.error_line() == NEWER
    assert list((data_dir / "backups").iterdir()) == []  # no -pre-migrate copy each time
