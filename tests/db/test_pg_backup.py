"""Backups of a PostgreSQL database with pg_dump (db/pg_backup.py), driven through
`db.backup` as the app drives them, with a stand-in pg_dump (a shell script named by
PRIMEDIST_PG_DUMP) and an engine that never connects: the connection reaches pg_dump only
through its environment, the password never as an argument; a pg_dump that is missing,
fails, stalls or is cancelled leaves no file; the dumps are named and kept as the SQLite
backups. The real pg_dump against a server: tests/services/test_backup_on_postgresql.py."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.db import backup, pg_backup
from primedist.db.engine import make_engine
from primedist.errors import Cancelled, StoreError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="stand-in pg_dump: a sh script")

PASSWORD = "s3cret-pw"
URL = f"postgresql+psycopg://shop:{PASSWORD}@db.shop.lan:5433/primedist?sslmode=require"

#: The stand-in's body: finds its --file argument, then does what the test says.
SCRIPT = """#!/bin/sh
for a in "$@"; do case "$a" in --file=*) out="${a#--file=}";; esac; done
"""
WRITES_A_DUMP = 'printf "PGDMP fake dump of %s" "$PGDATABASE" > "$out"\n'


def stand_in(folder: Path, body: str, name: str = "pg_dump") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / name
    script.write_text(SCRIPT + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


@pytest.fixture
def server() -> Iterator[Engine]:
    """A PostgreSQL engine that is never connected to (pg_dump is a stand-in)."""
    engine = make_engine(URL)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_dump(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = stand_in(tmp_path / "bin", WRITES_A_DUMP)
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(script))
    return script


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_a_dump_is_named_as_the_backups_and_the_password_is_never_an_argument(
    server: Engine, pg_dump: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []
    real_popen = subprocess.Popen

    def recording_popen(args: list[str], **kwargs: Any) -> Any:
        calls.append((list(args), dict(kwargs["env"])))
        return real_popen(args, **kwargs)

    monkeypatch.setattr(pg_backup.subprocess, "Popen", recording_popen)
    monkeypatch.setenv("LC_ALL", "vi_VN.UTF-8")
    path = backup.create_backup(server, tmp_path / "backups", reason="manual")

    assert path.suffix == ".dump" and path.name.startswith("primedist-")
    assert path.name.endswith("-manual.dump")
    assert path.read_bytes() == b"PGDMP fake dump of primedist"
    assert files_in(tmp_path / "backups") == [path.name]  # no .part left
    ((args, env),) = calls
    assert args[0] == str(pg_dump) and "--format=custom" in args and "--no-password" in args
    # Other users of the PC can read a process's arguments: the connection goes through
    # the environment, the password only there.
    assert not any(PASSWORD in a or "db.shop.lan" in a for a in args)
    assert env["PGPASSWORD"] == PASSWORD
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATABASE"]) == (
        "db.shop.lan", "5433", "shop", "primedist")  # fmt: skip
    assert env["PGSSLMODE"] == "require" and env["PGCONNECT_TIMEOUT"] == "10"
    assert env["LC_MESSAGES"] == "C" and "LC_ALL" not in env  # its errors are read in English
    assert backup.list_backups(tmp_path / "backups", suffix=".dump") == [path]
    assert backup.list_backups(tmp_path / "backups") == []  # the .db kind: none


def test_pg_dump_missing_is_said_and_nothing_is_made(
    server: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(pg_backup.PG_DUMP_ENV, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(pg_backup.PgDumpMissing) as info:
        backup.create_backup(server, tmp_path / "backups", reason="daily")
    assert str(info.value) == (
        "pg_dump was not found on this PC: install the PostgreSQL client tools or set "
        "PRIMEDIST_PG_DUMP to its path."
    )
    assert not (tmp_path / "backups").exists()

    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(tmp_path / "nowhere" / "pg_dump"))
    with pytest.raises(pg_backup.PgDumpMissing, match="PRIMEDIST_PG_DUMP names .*nowhere"):
        backup.create_backup(server, tmp_path / "backups", reason="daily")
    assert not (tmp_path / "backups").exists()


def test_a_failing_pg_dump_says_why_and_leaves_nothing(
    server: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    half_then_fails = (
        'printf "PGDMP half" > "$out"\n'
        'echo \'pg_dump: error: connection to server at "db.shop.lan" (10.0.0.5), port 5433 '
        'failed: FATAL:  password authentication failed for user "shop"\' >&2\n'
        "echo 'more detail' >&2\nexit 1\n"
    )
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(stand_in(tmp_path / "bin", half_then_fails)))
    folder = tmp_path / "backups"
    with pytest.raises(backup.BackupFailed) as info:
        backup.create_backup(server, folder, reason="manual")
    assert info.value.reason == (
        'pg_dump: connection to server at "db.shop.lan" (10.0.0.5), port 5433 failed: '
        'FATAL: password authentication failed for user "shop"'
    )
    assert info.value.folder == folder
    assert files_in(folder) == []  # the half-written .part is gone


@pytest.mark.parametrize(
    ("stderr", "reason"),
    [
        ("pg_dump: error: aborting because of server version mismatch\n"
         "pg_dump: detail: server version: 16.4; pg_dump version: 15.18 (Debian 15.18-0)",
         "pg_dump 15.18 is older than the database server (16.4): install the PostgreSQL "
         "client tools of version 16 or newer, or set PRIMEDIST_PG_DUMP to such a pg_dump."),
        ("pg_dump: error: server version: 9.6.24; pg_dump version: 9.5.2\n"
         "pg_dump: error: aborting because of server version mismatch",
         "pg_dump 9.5.2 is older than the database server (9.6.24): install the PostgreSQL "
         "client tools of version 9.6 or newer, or set PRIMEDIST_PG_DUMP to such a pg_dump."),
        ("pg_dump: error: could not write to output file: No space left on device",
         "No space left on device"),
        ('pg_dump: error: could not open output file "/media/usb/x.dump.part": Read-only '
         "file system", "Read-only file system"),
        ("", "pg_dump stopped with code 1 without saying why."),
    ],
)  # fmt: skip
def test_what_pg_dump_says_is_read_into_a_reason(
    server: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stderr: str, reason: str
) -> None:
    (tmp_path / "stderr.txt").write_text(stderr, encoding="utf-8")
    body = f'printf "PGDMP" > "$out"\ncat "{tmp_path / "stderr.txt"}" >&2\nexit 1\n'
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(stand_in(tmp_path / "bin", body)))
    with pytest.raises(backup.BackupFailed) as info:
        backup.create_backup(server, tmp_path / "backups", reason="daily")
    assert info.value.reason == reason
    assert files_in(tmp_path / "backups") == []


def _pid_in(file: Path) -> int:
    deadline = time.monotonic() + 10
    while not file.exists() or not file.read_text().strip():
        assert time.monotonic() < deadline, "the stand-in never started"
        time.sleep(0.02)
    return int(file.read_text())


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_cancelled_dump_is_killed_and_leaves_nothing(
    server: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    slow = f'echo $$ > "{pid_file}"\nprintf "PGDMP" > "$out"\nexec sleep 60\n'
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(stand_in(tmp_path / "bin", slow)))
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        backup.create_backup(server, tmp_path / "backups", reason="manual",
                             cancelled=cancel.is_set)  # fmt: skip
    assert time.monotonic() - started < 10  # not the script's minute
    assert _gone(_pid_in(pid_file))
    assert files_in(tmp_path / "backups") == []


def test_the_app_closing_stops_a_running_dump(
    server: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid_file = tmp_path / "pid"
    slow = f'echo $$ > "{pid_file}"\nexec sleep 60\n'
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(stand_in(tmp_path / "bin", slow)))
    failed: list[BaseException] = []

    def run() -> None:
        try:
            backup.create_backup(server, tmp_path / "backups", reason="daily")
        except BaseException as exc:
            failed.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    pid = _pid_in(pid_file)
    assert backup.stop_running_backups(server) == 1
    worker.join(timeout=10)
    assert not worker.is_alive() and isinstance(failed[0], backup.BackupStopped)
    assert _gone(pid) and files_in(tmp_path / "backups") == []


def test_a_dump_that_stops_writing_is_killed(
    server: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stalls = 'printf "PGDMP" > "$out"\nexec sleep 60\n'
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(stand_in(tmp_path / "bin", stalls)))
    monkeypatch.setattr(pg_backup, "STALL_SECONDS", 0.6)
    with pytest.raises(backup.BackupFailed, match="pg_dump wrote nothing for 1 minutes"):
        backup.create_backup(server, tmp_path / "backups", reason="daily")
    assert files_in(tmp_path / "backups") == []


def test_the_newest_dumps_of_each_kind_are_kept(
    server: Engine, pg_dump: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    before_the_move = folder / "primedist-20260101-000000-000000-daily.db"
    before_the_move.write_bytes(b"SQLite format 3\x00")
    made = [backup.create_backup(server, folder, reason="daily", keep=2) for _ in range(3)]
    manual = backup.create_backup(server, folder, reason="manual", keep=2)
    assert pg_dump.exists()
    # The newest two daily dumps; the manual one, and the SQLite backup from before the
    # move to PostgreSQL (another kind), are left alone.
    assert files_in(folder) == sorted([before_the_move.name, made[1].name, made[2].name,
                                       manual.name])  # fmt: skip


def test_a_dump_to_a_file_never_overwrites_one(
    server: Engine, pg_dump: Path, tmp_path: Path
) -> None:
    target = tmp_path / "usb" / "shop.dump"
    target.parent.mkdir()
    assert backup.backup_to(server, target) == target and pg_backup.is_dump(target)
    with pytest.raises(StoreError, match="already exists"):
        backup.backup_to(server, target)
    with pytest.raises(StoreError, match="does not exist"):
        backup.backup_to(server, tmp_path / "gone" / "shop.dump")
    assert pg_dump.exists()


def test_a_part_left_by_a_killed_dump_goes_at_the_next_backup(
    server: Engine, pg_dump: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    left = folder / "primedist-20260101-000000-000000-daily.dump.part"
    left.write_bytes(b"PGDMP half")
    made = backup.create_backup(server, folder, reason="daily")
    assert files_in(folder) == [made.name] and pg_dump.exists()


def test_a_dump_is_not_restored_into_the_sqlite_store(tmp_path: Path) -> None:
    dump = tmp_path / "primedist-20260101-000000-000000-daily.dump"
    dump.write_bytes(b"PGDMP\x01\x0e")
    with pytest.raises(StoreError, match="is a backup of a PostgreSQL database .pg_dump."):
        backup.validate_backup(dump)


def test_the_restore_command_names_the_server_but_not_the_password(tmp_path: Path) -> None:
    dump = tmp_path / "my backups" / "primedist-20260101-000000-000000-daily.dump"
    assert pg_backup.restore_command(URL, dump) == (
        f'pg_restore --clean --if-exists -h db.shop.lan -p 5433 -U shop -d primedist "{dump}"'
    )
    refusal = pg_backup.restore_refusal(URL, dump)
    assert "When every PC has closed the app, run: pg_restore --clean" in refusal
    assert f'-d primedist "{dump}"' in refusal and PASSWORD not in refusal


def test_pg_dump_is_found_by_setting_then_path_then_program_files(
    tmp_path: Path, pg_dump: Path
) -> None:
    on_path = stand_in(tmp_path / "path-bin", "")
    env = {"PATH": str(on_path.parent), pg_backup.PG_DUMP_ENV: str(pg_dump)}
    assert pg_backup.find_pg_dump(env) == pg_dump
    env[pg_backup.PG_DUMP_ENV] = str(pg_dump.parent)  # its bin folder will do
    assert pg_backup.find_pg_dump(env) == pg_dump
    assert pg_backup.find_pg_dump({"PATH": str(on_path.parent)}) == on_path
    # Windows: C:\Program Files\PostgreSQL\<version>\bin, the newest version first.
    root = tmp_path / "PostgreSQL"
    for version in ("9.6", "16", "15"):
        stand_in(root / version / "bin", "", name="pg_dump.exe")
    found = pg_backup.installed_versions(root, "pg_dump.exe")
    assert [p.parent.parent.name for p in found] == ["16", "15", "9.6"]


def test_a_dump_pg_restore_cannot_read_back_is_not_kept(
    server: Engine, pg_dump: Path, tmp_path: Path
) -> None:
    # pg_restore beside the pg_dump reads the dump back before it takes its name.
    stand_in(pg_dump.parent, "echo 'pg_restore: error: could not read from input file: end "
             "of file' >&2\nexit 1\n", name="pg_restore")  # fmt: skip
    folder = tmp_path / "backups"
    older = folder / "primedist-20260101-000000-000000-daily.dump"
    folder.mkdir()
    older.write_bytes(b"PGDMP an older good one")
    with pytest.raises(backup.BackupFailed) as info:
        backup.create_backup(server, folder, reason="daily", keep=1)
    assert info.value.reason == (
        "the dump cannot be read back: pg_restore says “could not read from input file: end "
        "of file”"
    )
    assert files_in(folder) == [older.name]  # nothing kept, the good one not pruned


def test_without_pg_restore_a_dump_is_checked_by_its_first_bytes(
    server: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes_text = 'printf "not a dump" > "$out"\n'
    monkeypatch.setenv(pg_backup.PG_DUMP_ENV, str(stand_in(tmp_path / "bin", writes_text)))
    folder = tmp_path / "backups"
    with pytest.raises(backup.BackupFailed) as info:
        backup.create_backup(server, folder, reason="manual")
    assert info.value.reason == "the file written is not a pg_dump backup"
    assert files_in(folder) == []
