"""The `primedist` command: exit codes, one-line errors, --json, data dir selection."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from primedist import __version__
from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.db.backup import list_backups, validate_backup
from primedist.db.store import HEAD_REVISION
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD, PG_URL
from tests.factories import shop_names_in_file

try:
    import primedist.services.demo  # noqa: F401

    HAVE_DEMO = True
except ImportError:
    HAVE_DEMO = False
needs_demo = pytest.mark.skipif(not HAVE_DEMO, reason="primedist.services.demo not importable")

INIT_ARGS = [
    "--shop-name",
    "Cửa hàng CLI",
    "--owner-name",
    "Chủ CLI",
    "--owner-email",
    OWNER_EMAIL,
    "--owner-password",
    OWNER_PASSWORD,
]


@pytest.fixture(autouse=True)
def _isolated(cli_env: None) -> None:
    """Every test here runs the CLI without the environment leaking in."""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def shop(cli: Any, data_dir: Path) -> Path:
    """A data dir with a set-up shop."""
    assert cli("--data-dir", str(data_dir), "init", *INIT_ARGS).code == EXIT_OK
    return data_dir


def shop_names(data_dir: Path) -> set[str]:
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        return {row[0] for row in conn.execute("SELECT name FROM shops")}
    finally:
        conn.close()


def add_shop(data_dir: Path, name: str) -> None:
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        conn.execute(
            "INSERT INTO shops (name, channel, region, status, timezone, is_active, created_at)"
            " VALUES (?, 'offline', 'VN', 'active', 'Asia/Ho_Chi_Minh', 1, '2026-01-01')",
            (name,),
        )
        conn.commit()
    finally:
        conn.close()


def run_module(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PRIMEDIST_")}
    base["QT_QPA_PLATFORM"] = "offscreen"
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "primedist", *argv],
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )


# Version and usage ---------------------------------------------------------------------
def test_version(cli: Any) -> None:
    run = cli("--version")
    assert run.code == EXIT_OK
    assert run.out.strip() == f"primedist {__version__}"


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus"],
        ["init", "--bogus", *INIT_ARGS],
        ["init", "--shop-name", "X", "--owner-name", "Y", "--owner-email", OWNER_EMAIL],
        ["no-such-command"],
        ["restore"],
        ["backup", "--keep", "0"],
    ],
)
def test_usage_errors_exit_2_with_one_line(cli: Any, argv: list[str], data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), *argv)
    assert run.code == EXIT_USAGE
    run.error_line()
    assert not (data_dir / "primedist.db").exists()


def test_missing_required_option_is_named(cli: Any, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), "init", *INIT_ARGS[:6])
    assert run.code == EXIT_USAGE
    assert "--owner-password" in run.error_line()


# init ----------------------------------------------------------------------------------
def test_init_then_second_init_fails(cli: Any, data_dir: Path) -> None:
    first = cli("--data-dir", str(data_dir), "init", *INIT_ARGS)
    assert first.code == EXIT_OK
    assert first.err == ""
    assert OWNER_EMAIL in first.out
    assert (data_dir / "primedist.db").is_file()
    assert shop_names(data_dir) == {"Cửa hàng CLI"}

    second = cli("--data-dir", str(data_dir), "init", *INIT_ARGS)
    assert second.code == EXIT_ERROR
    assert "already set up" in second.error_line()
    assert shop_names(data_dir) == {"Cửa hàng CLI"}


def test_init_json(cli: Any, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), "init", *INIT_ARGS, "--json")
    assert run.code == EXIT_OK
    assert run.json() == {
        "data_dir": str(data_dir.resolve()),
        "shop": "Cửa hàng CLI",
        "owner": OWNER_EMAIL,
    }


def test_init_keeps_the_shop_details_the_receipts_print(cli: Any, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), "init", *INIT_ARGS, "--address", "12 Lê Lợi, Q.1",
              "--phone", "028 3822 1234", "--tax-code", "0312345678")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    with sqlite3.connect(data_dir / "primedist.db") as conn:
        (stored,) = conn.execute(
            "SELECT value_json FROM app_settings WHERE key = 'shop.profile'"
        ).fetchone()
    profile = json.loads(stored)
    assert (profile["address"], profile["phone"], profile["tax_code"]) == (
        "12 Lê Lợi, Q.1", "028 3822 1234", "0312345678")  # fmt: skip


def test_init_with_a_short_password_is_a_one_line_error(cli: Any, data_dir: Path) -> None:
    argv = [*INIT_ARGS[:-1], "1234567"]
    run = cli("--data-dir", str(data_dir), "init", *argv)
    assert run.code == EXIT_ERROR
    assert "8 characters" in run.error_line()
    assert not data_dir.exists()  # the failed set-up took back the folder it made


# migrate -------------------------------------------------------------------------------
def test_migrate_a_shop_that_is_up_to_date(cli: Any, shop: Path) -> None:
    again = cli("--data-dir", str(shop), "migrate", "--json")
    assert again.code == EXIT_OK, again.err
    assert again.json() == {"from": HEAD_REVISION, "to": HEAD_REVISION, "backup": None}

    text = cli("--data-dir", str(shop), "migrate")
    assert text.code == EXIT_OK
    assert "up to date" in text.out
    assert HEAD_REVISION in text.out


def test_migrate_where_there_is_no_shop_makes_nothing(cli: Any, data_dir: Path) -> None:
    """Nothing to upgrade: `init` (or the app's first start) makes the store."""
    run = cli("--data-dir", str(data_dir), "migrate", "--json")
    assert run.code == EXIT_ERROR
    assert "There is no shop in" in run.error_line() and "primedist init" in run.err
    assert not data_dir.exists()


# backup / restore ----------------------------------------------------------------------
def test_backup_before_init_tells_to_run_init(cli: Any, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), "backup")
    assert run.code == EXIT_ERROR
    assert "primedist init" in run.error_line()
    assert list_backups(data_dir / "backups") == []


def test_restore_into_a_new_data_dir_checks_the_backup_first(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    """A new PC: restore needs no shop there (tests/test_cli_backup.py restores one); a
    backup that is not there, or not a backup, makes nothing."""
    run = cli("--data-dir", str(data_dir), "restore", str(tmp_path / "x.db"))
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: {tmp_path / 'x.db'} does not exist."
    notes = tmp_path / "notes.db"
    notes.write_text("hello\n" * 20)
    run = cli("--data-dir", str(data_dir), "restore", str(notes))
    assert "notes.db is not a Prime Distribution backup" in run.error_line()
    assert not data_dir.exists()


def test_backup_to_the_backups_folder(cli: Any, shop: Path) -> None:
    run = cli("--data-dir", str(shop), "backup", "--json")
    assert run.code == EXIT_OK
    data = run.json()
    path = Path(data["backup"])
    assert path.is_file()
    assert path.parent == shop.resolve() / "backups"
    assert data["bytes"] == path.stat().st_size > 0
    assert validate_backup(path) == HEAD_REVISION

    text = cli("--data-dir", str(shop), "backup")
    assert text.code == EXIT_OK
    assert text.out.startswith("Backup written to ")
    assert len(list_backups(shop / "backups", reason="manual")) == 2


def test_backup_keep_prunes(cli: Any, shop: Path) -> None:
    for _ in range(3):
        assert cli("--data-dir", str(shop), "backup", "--keep", "2").code == EXIT_OK
    assert len(list_backups(shop / "backups", reason="manual")) == 2


def test_backup_to_a_named_file(cli: Any, shop: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "FILE.db"
    target.parent.mkdir()
    run = cli("--data-dir", str(shop), "backup", str(target), "--json")
    assert run.code == EXIT_OK
    assert Path(run.json()["backup"]) == target
    assert target.is_file()
    assert shop_names_in_file(target) == {"Cửa hàng CLI"}
    assert list_backups(shop / "backups") == []


def test_restore_a_non_backup_file(cli: Any, shop: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n" * 20)
    run = cli("--data-dir", str(shop), "restore", str(notes))
    assert run.code == EXIT_ERROR
    assert "notes.txt" in run.error_line()
    assert shop_names(shop) == {"Cửa hàng CLI"}

    missing = cli("--data-dir", str(shop), "restore", str(tmp_path / "gone.db"))
    assert missing.code == EXIT_ERROR
    assert "gone.db" in missing.error_line()


def test_restore_a_real_backup(cli: Any, shop: Path, tmp_path: Path) -> None:
    saved = tmp_path / "saved.db"
    assert cli("--data-dir", str(shop), "backup", str(saved)).code == EXIT_OK
    add_shop(shop, "Added after the backup")
    assert shop_names(shop) == {"Cửa hàng CLI", "Added after the backup"}

    run = cli("--data-dir", str(shop), "restore", str(saved), "--json")

    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert data["restored"] == str(saved)
    safety = Path(data["previous_saved_as"])
    assert safety.is_file()
    assert shop_names_in_file(safety) == {"Cửa hàng CLI", "Added after the backup"}
    assert shop_names(shop) == {"Cửa hàng CLI"}
    conn = sqlite3.connect(shop / "primedist.db")
    try:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_events")]
    finally:
        conn.close()
    assert "backup.restore" in actions


def test_restore_is_refused_while_the_app_is_open_on_the_data(
    cli: Any, shop: Path, tmp_path: Path
) -> None:
    saved = tmp_path / "saved.db"
    assert cli("--data-dir", str(shop), "backup", str(saved)).code == EXIT_OK
    add_shop(shop, "Added while the app is open")
    holder = subprocess.Popen(  # the app's window holds the data dir's lock (ui/app.run_gui)
        [sys.executable, "-c", "import sys, time; from primedist.core.app_lock import AppLock; "
         "lock = AppLock(sys.argv[1]); assert lock.acquire(); print('held', flush=True); "
         "time.sleep(60)",
         str(shop)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        run = cli("--data-dir", str(shop), "restore", str(saved))
        assert run.code == EXIT_ERROR
        assert "The app is open on this data" in run.error_line()
        assert shop_names(shop) == {"Cửa hàng CLI", "Added while the app is open"}
    finally:
        holder.kill()
        holder.wait()
    assert cli("--data-dir", str(shop), "restore", str(saved)).code == EXIT_OK  # closed now
    assert shop_names(shop) == {"Cửa hàng CLI"}


def test_sync_loop_holds_the_app_lock(cli: Any, shop: Path, tmp_path: Path) -> None:
    """`sync --loop` is the app's scheduler without a window: a second loop (or the app)
    would run every job twice, and a restore would pull the data from under it."""
    saved = tmp_path / "saved.db"
    assert cli("--data-dir", str(shop), "backup", str(saved)).code == EXIT_OK
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRIMEDIST_")}
    loop = subprocess.Popen(
        [sys.executable, "-m", "primedist", "--data-dir", str(shop), "sync", "--loop"],
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert loop.stderr is not None
        assert loop.stderr.readline().startswith("Syncing on schedule")
        second = cli("--data-dir", str(shop), "sync", "--loop")
        assert second.code == EXIT_ERROR
        assert "another `primedist sync --loop` is running on this data" in second.error_line()
        refused = cli("--data-dir", str(shop), "restore", str(saved))
        assert refused.code == EXIT_ERROR and "sync --loop` runs on it" in refused.error_line()
    finally:
        loop.terminate()
        loop.wait(timeout=30)
    assert cli("--data-dir", str(shop), "restore", str(saved)).code == EXIT_OK


# Data dir selection --------------------------------------------------------------------
def test_env_data_dir_is_honoured(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_dir = tmp_path / "from-env"
    monkeypatch.setenv("PRIMEDIST_DATA_DIR", str(env_dir))
    run = cli("init", *INIT_ARGS, "--json")
    assert run.code == EXIT_OK
    assert run.json()["data_dir"] == str(env_dir.resolve())
    assert (env_dir / "primedist.db").is_file()
    assert not (tmp_path / "platform").exists()


def test_data_dir_option_beats_env(
    cli: Any, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMEDIST_DATA_DIR", str(tmp_path / "from-env"))
    run = cli("--data-dir", str(data_dir), "init", *INIT_ARGS, "--json")
    assert run.code == EXIT_OK
    assert run.json()["data_dir"] == str(data_dir.resolve())
    assert (data_dir / "primedist.db").is_file()
    assert not (tmp_path / "from-env").exists()


def test_default_is_the_platform_dir(cli: Any, tmp_path: Path) -> None:
    run = cli("init", *INIT_ARGS, "--json")
    assert run.code == EXIT_OK
    assert (tmp_path / "platform" / "primedist.db").is_file()
    assert cli("migrate", "--json").code == EXIT_OK


# A data dir without a shop ---------------------------------------------------------------
def no_shop_line(folder: Path) -> str:
    return (f"primedist: error: There is no shop in {folder.resolve()}: check --data-dir or "
            "PRIMEDIST_DATA_DIR, or set a shop up there with `primedist init` (or by starting "
            "the app).")  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [
        ["report", "dashboard"],
        ["report", "end-of-day", "--json"],
        ["staff", "list"],
        ["audit"],
        ["backup"],
        ["migrate"],
        ["export", "orders", "orders.xlsx"],
        ["customers", "debtors"],
        ["sync"],
        ["price-schedule", "list"],
    ],
    ids=" ".join,
)
def test_a_mistyped_data_dir_is_refused_and_nothing_made(
    cli: Any, tmp_path: Path, argv: list[str]
) -> None:
    """`primedist --data-dir /tmp/typo report dashboard`: no new empty shop left behind."""
    typo = tmp_path / "shop-typo" / "data"
    run = cli("--data-dir", str(typo), *argv)
    assert run.code == EXIT_ERROR
    assert run.error_line() == no_shop_line(typo)
    assert not typo.parent.exists()


def test_an_empty_folder_or_empty_file_is_no_shop_either(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "made-by-hand"
    folder.mkdir()
    monkeypatch.setenv("PRIMEDIST_DATA_DIR", str(folder))
    run = cli("staff", "list")
    assert run.code == EXIT_ERROR and run.error_line() == no_shop_line(folder)
    assert list(folder.iterdir()) == []
    (folder / "primedist.db").touch()  # an empty file is not opened (SQLite would write)
    run = cli("report", "dashboard")
    assert run.code == EXIT_ERROR and run.error_line() == no_shop_line(folder)
    assert [(p.name, p.stat().st_size) for p in folder.iterdir()] == [("primedist.db", 0)]
    assert cli("init", *INIT_ARGS).code == EXIT_OK  # `init` takes it
    assert cli("staff", "list").code == EXIT_OK


def test_a_failed_init_takes_back_what_it_made(cli: Any, tmp_path: Path) -> None:
    """A folder that was there keeps what was in it, and only that."""
    folder = tmp_path / "existing"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    run = cli("--data-dir", str(folder), "init", *INIT_ARGS[:5], "not an email",
              *INIT_ARGS[6:])  # fmt: skip
    assert run.code == EXIT_ERROR and "email" in run.error_line()
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    nested = tmp_path / "a" / "b" / "data"
    run = cli("--data-dir", str(nested), "init", *INIT_ARGS[:-1], "short")
    assert run.code == EXIT_ERROR
    assert not (tmp_path / "a").exists()  # the folders above it that it made, too
    assert cli("--data-dir", str(folder), "init", *INIT_ARGS).code == EXIT_OK
    assert shop_names(folder) == {"Cửa hàng CLI"}


def test_the_app_first_start_store_is_a_store(cli: Any, data_dir: Path) -> None:
    """A store the app's first start made (migrated, no shop yet) is opened, and says to
    set up the shop; `init` then sets it up."""
    from primedist.config import resolve_settings
    from primedist.db.store import open_store

    open_store(resolve_settings(data_dir)).dispose()  # what ui.app does on a first start
    run = cli("--data-dir", str(data_dir), "staff", "list")
    assert run.code == EXIT_ERROR and "run `primedist init` first" in run.error_line()
    assert cli("--data-dir", str(data_dir), "init", *INIT_ARGS).code == EXIT_OK


@pytest.mark.skipif(not PG_URL, reason="needs PRIMEDIST_TEST_DATABASE_URL (PostgreSQL)")
def test_an_empty_server_database_is_no_shop(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa

    from tests.conftest import _pg_admin, _pg_recreate

    admin = _pg_admin(PG_URL)
    name = f"{sa.make_url(PG_URL).database}_cli_empty"
    _pg_recreate(admin, name)
    url = sa.make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = sa.create_engine(url, poolclass=sa.NullPool)

    def tables() -> list[str]:
        with engine.connect() as conn:
            return sa.inspect(conn).get_table_names()

    try:
        monkeypatch.setenv("PRIMEDIST_DATABASE_URL", url)
        run = cli("--data-dir", str(data_dir), "report", "dashboard")
        assert run.code == EXIT_ERROR and "There is no shop in the database" in run.error_line()
        assert "primedist init" in run.err and tables() == [] and not data_dir.exists()
        failed = cli("--data-dir", str(data_dir), "init", *INIT_ARGS[:-1], "short")
        assert failed.code == EXIT_ERROR
        assert tables() == [] and not data_dir.exists()  # the schema it made is gone
        assert cli("--data-dir", str(data_dir), "init", *INIT_ARGS).code == EXIT_OK
        assert cli("--data-dir", str(data_dir), "staff", "list").code == EXIT_OK
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


# demo ----------------------------------------------------------------------------------
@needs_demo
def test_demo_reports_the_counts(cli: Any, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), "demo", "--orders", "500", "--customers", "80", "--json")
    assert run.code == EXIT_OK, run.err
    data = run.json()
    assert data["orders"] == 500
    assert data["customers"] == 80
    assert data["data_dir"] == str(data_dir.resolve())
    for key in ("shops", "products", "variants", "order_lines", "seconds", "owner_email"):
        assert key in data
    assert data["order_lines"] >= data["orders"]
    conn = sqlite3.connect(data_dir / "primedist.db")
    try:
        assert conn.execute("SELECT count(*) FROM orders").fetchone()[0] == 500
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == 80
    finally:
        conn.close()


@pytest.mark.parametrize("orders", ["0", "-5", "abc", "1.5"])
def test_demo_rejects_bad_order_counts(cli: Any, data_dir: Path, orders: str) -> None:
    run = cli("--data-dir", str(data_dir), "demo", "--orders", orders)
    assert run.code == EXIT_USAGE
    assert "--orders" in run.error_line()
    assert not (data_dir / "primedist.db").exists()


# End to end: `python -m primedist` -----------------------------------------------------
def test_module_version_end_to_end() -> None:
    proc = run_module("--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"primedist {__version__}"


def test_module_init_backup_end_to_end(tmp_path: Path) -> None:
    env = {"PRIMEDIST_DATA_DIR": str(tmp_path / "e2e")}
    init = run_module("init", *INIT_ARGS, "--json", env=env)
    assert init.returncode == 0, init.stderr
    assert json.loads(init.stdout)["data_dir"] == str((tmp_path / "e2e").resolve())

    again = run_module("init", *INIT_ARGS, env=env)
    assert again.returncode == 1
    lines = again.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("primedist: error: "), again.stderr

    backup = run_module("backup", "--json", env=env)
    assert backup.returncode == 0, backup.stderr
    assert Path(json.loads(backup.stdout)["backup"]).is_file()


def test_module_usage_error_end_to_end(tmp_path: Path) -> None:
    proc = run_module("--data-dir", str(tmp_path / "x"), "demo", "--orders", "abc")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("primedist: error: "), proc.stderr
    assert proc.stdout == ""


def test_module_backup_before_init_end_to_end(tmp_path: Path) -> None:
    proc = run_module("--data-dir", str(tmp_path / "fresh"), "backup")
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("primedist: error: ") and "primedist init" in lines[0]


@pytest.mark.parametrize("command", ["migrate", "backup", "init"])
def test_damaged_database_is_a_one_line_error(cli: Any, data_dir: Path, command: str) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "primedist.db").write_bytes(b"\x00garbage, not SQLite\n" * 300)
    argv = INIT_ARGS if command == "init" else []
    run = cli("--data-dir", str(data_dir), command, *argv)
    assert run.code == EXIT_ERROR
    assert "cannot be opened" in run.error_line()


@needs_demo
def test_demo_without_a_dir_uses_the_demo_folder_not_the_real_shop(
    cli: Any, tmp_path: Path
) -> None:
    real = tmp_path / "platform"
    assert cli("init", *INIT_ARGS).code == EXIT_OK
    assert (real / "primedist.db").is_file()

    run = cli("demo", "--orders", "50", "--customers", "10", "--json")

    assert run.code == EXIT_OK, run.err
    assert run.json()["data_dir"] == str((real / "demo").resolve())
    assert (real / "demo" / "primedist.db").is_file()
    assert shop_names(real) == {"Cửa hàng CLI"}  # the real shop got no demo data


def test_a_data_dir_that_is_a_file_or_a_bogus_database_url_is_one_line(
    cli: Any, shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_the_way = tmp_path / "notes.txt"
    in_the_way.write_text("x")
    run = cli("--data-dir", str(in_the_way), "staff", "list")
    assert run.code == EXIT_ERROR and "Traceback" not in run.err
    assert (
        run.error_line()
        == f"primedist: error: {in_the_way} cannot hold the app's data: File exists."
    )
    monkeypatch.setenv("PRIMEDIST_DATABASE_URL", "bogus://x")
    run = cli("--data-dir", str(shop), "staff", "list")
    assert run.code == EXIT_ERROR and "bogus://x is not a database this app can use" in run.err


def test_numbers_too_large_for_the_database_are_one_line(cli: Any, shop: Path) -> None:
    huge = "9" * 23
    run = cli("--data-dir", str(shop), "customers", "cancel-payment", f"PT{huge}", "--reason", "x")
    assert (run.code, run.error_line()) == (
        EXIT_ERROR,
        "primedist: error: a number given is too large.",
    )
    run = cli("--data-dir", str(shop), "audit", "--limit", huge)
    assert run.code == EXIT_USAGE and f"'{huge}' is too large" in run.err


def test_restore_from_a_folder_says_it_is_one(cli: Any, shop: Path, tmp_path: Path) -> None:
    run = cli("--data-dir", str(shop), "restore", str(tmp_path))
    assert run.code == EXIT_ERROR
    assert (
        run.error_line() == f"primedist: error: {tmp_path} is a folder: give the backup file in it."
    )
