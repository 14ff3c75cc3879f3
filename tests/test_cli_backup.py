"""`primedist backup` / `restore` / `demo` with real data dirs: restore where the database
is damaged or missing, the backup's target, safety copies kept as the setting says, and demo
data only into a data dir without a shop's data, by its owner."""

from __future__ import annotations

import gc
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.backup import find_damage, list_backups, validate_backup
from primedist.db.store import HEAD_REVISION, open_store
from primedist.domain.enums import Role
from primedist.services import auth, backup, staff
from primedist.services.context import ServiceContext
from tests.cli_support import table_count
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.factories import make_customers, make_product, shop_names_in_file

MANAGER = "quan-ly@shop.vn"
MANAGER_PASSWORD = "quan-ly-pass"


def owner_ctx_of(data_dir: Path) -> ServiceContext:
    ctx = ServiceContext(
        open_store(resolve_settings(data_dir)), settings=resolve_settings(data_dir)
    )
    return ctx.with_actor(auth.owner_actor(ctx))


def add_manager(data_dir: Path) -> None:
    owner = owner_ctx_of(data_dir)
    try:
        issued = staff.add_staff(owner, name="Quản lý", email=MANAGER, role=Role.MANAGER)
        manager = owner.with_actor(auth.login(owner, MANAGER, issued.one_time_password))
        staff.choose_password(manager, MANAGER_PASSWORD)
    finally:
        owner.engine.dispose()


def settle(db: Path) -> None:
    """Fold the WAL into the database file and drop it, as when the last `primedist`
    process ends (the in-process runs here leave their engines' connections open).
    Those left unreferenced are collected first: one closed later by the garbage collector
    would, as the last connection, delete the -wal and -shm files a test wrote on purpose."""
    gc.collect()
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for end in ("-wal", "-shm"):
        Path(f"{db}{end}").unlink(missing_ok=True)


def files_named(folder: Path, prefix: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(prefix))


@pytest.fixture
def saved(cli: Any, data_dir: Path, tmp_path: Path) -> Path:
    """A backup of the CLI test shop, on a "USB stick"."""
    path = tmp_path / "usb" / "good.db"
    path.parent.mkdir()
    assert cli("--data-dir", str(data_dir), "backup", str(path)).code == EXIT_OK
    return path


def signs_in(cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setenv("PRIMEDIST_PASSWORD", OWNER_PASSWORD)
    run = cli("--data-dir", str(data_dir), "--user", OWNER_EMAIL, "staff", "list")
    monkeypatch.delenv("PRIMEDIST_PASSWORD")
    return run.code == EXIT_OK and OWNER_EMAIL in run.out


# Restore where the database is damaged or missing ------------------------------------------
@pytest.mark.parametrize("damage", ["cut short", "zero-filled"])
def test_restore_over_a_damaged_database_sets_it_aside(
    cli: Any, data_dir: Path, saved: Path, damage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = data_dir / "primedist.db"
    settle(db)
    whole = db.read_bytes()
    broken = whole[: len(whole) * 9 // 10] if damage == "cut short" else b"\0" * len(whole)
    db.write_bytes(broken)  # `head -c … good.db > primedist.db`, or a zero-filled file
    assert cli("--data-dir", str(data_dir), "audit").code == EXIT_ERROR  # nothing opens it
    Path(f"{db}-wal").write_bytes(b"\0" * 4096)
    Path(f"{db}-shm").write_bytes(b"\0" * 4096)

    run = cli("--data-dir", str(data_dir), "restore", str(saved))

    assert run.code == EXIT_OK, run.err
    (aside,) = files_named(data_dir, "primedist.db.damaged-")[:1]
    assert files_named(data_dir, "primedist.db") == [
        "primedist.db", aside, f"{aside}-shm", f"{aside}-wal"]  # fmt: skip
    assert (data_dir / aside).read_bytes() == broken  # renamed, not copied through SQLite
    assert run.out.startswith(f"Restored {saved} into {data_dir}. The database there is damaged (")
    assert run.out.rstrip().endswith(
        f"it was set aside as {data_dir.resolve() / aside} (with its -wal, -shm)"
    )
    assert list_backups(data_dir / "backups", reason="pre-restore") == []
    assert shop_names_in_file(db) == {"Cửa hàng CLI"}
    assert signs_in(cli, data_dir, monkeypatch)  # the restored store's owner


def test_restore_over_a_damaged_database_json(cli: Any, data_dir: Path, saved: Path) -> None:
    db = data_dir / "primedist.db"
    settle(db)
    db.write_bytes(db.read_bytes()[:50_000])
    run = cli("--data-dir", str(data_dir), "restore", str(saved), "--json")
    assert run.code == EXIT_OK, run.err
    data = run.json()
    aside = files_named(data_dir, "primedist.db.damaged-")
    assert data == {
        "restored": str(saved),
        "previous_saved_as": None,
        "set_aside": [str(data_dir.resolve() / aside[0])],
        "damage": data["damage"],
        "loses": None,  # no shop's data to compare the backup with
        "shops_to_link_again": [],
    }
    assert data["damage"].endswith(" bytes")


def test_restore_into_an_empty_data_dir_on_a_new_pc(
    cli: Any, saved: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_pc = tmp_path / "new-pc"
    run = cli("--data-dir", str(new_pc), "restore", str(saved))
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == f"Restored {saved} into {new_pc.resolve()} (there was no database)"
    assert shop_names_in_file(new_pc / "primedist.db") == {"Cửa hàng CLI"}
    assert (new_pc / "backups").is_dir()
    assert signs_in(cli, new_pc, monkeypatch)


def test_restore_over_a_store_where_no_shop_was_set_up(
    cli: Any, saved: Path, tmp_path: Path
) -> None:
    started = tmp_path / "started-once"
    open_store(resolve_settings(started)).dispose()  # the app's first start, setup closed
    run = cli("--data-dir", str(started), "restore", str(saved), "--json")
    assert run.code == EXIT_OK, run.err
    safety = Path(run.json()["previous_saved_as"])
    # An intact copy of the store without a shop (no backup to restore: validate refuses it).
    assert safety.name.endswith("-pre-restore.db") and find_damage(safety) is None
    assert shop_names_in_file(started / "primedist.db") == {"Cửa hàng CLI"}


def test_a_bad_backup_leaves_the_damaged_database_as_it_was(
    cli: Any, data_dir: Path, saved: Path, tmp_path: Path
) -> None:
    db = data_dir / "primedist.db"
    settle(db)
    broken = db.read_bytes()[:60_000]
    db.write_bytes(broken)
    half = tmp_path / "half.db"  # half copied from the USB stick
    half.write_bytes(saved.read_bytes()[: saved.stat().st_size // 2])

    run = cli("--data-dir", str(data_dir), "restore", str(half))

    assert run.code == EXIT_ERROR
    assert "half.db is incomplete (" in run.error_line()
    assert "Copy it again" in run.error_line()
    assert db.read_bytes() == broken
    assert files_named(data_dir, "primedist.db") == ["primedist.db"]


def test_restore_over_a_damaged_database_is_refused_while_the_app_is_open(
    cli: Any, data_dir: Path, saved: Path
) -> None:
    db = data_dir / "primedist.db"
    settle(db)
    db.write_bytes(b"\0" * 8192)
    holder = subprocess.Popen(  # the app's window holds the data dir's lock
        [sys.executable, "-c", "import sys, time; from primedist.core.app_lock import AppLock; "
         "lock = AppLock(sys.argv[1]); assert lock.acquire(); print('held', flush=True); "
         "time.sleep(60)", str(data_dir)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        run = cli("--data-dir", str(data_dir), "restore", str(saved))
        assert "The app is open on this data" in run.error_line()
    finally:
        holder.kill()
        holder.wait()
    assert db.read_bytes() == b"\0" * 8192
    assert files_named(data_dir, "primedist.db") == ["primedist.db"]


def test_an_intact_shop_still_asks_the_owner_or_a_manager(
    cli: Any, data_dir: Path, saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_customers(open_store(resolve_settings(data_dir)), 2)
    customers = table_count(data_dir, "customers")
    add_manager(data_dir)
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "not-the-password")
    run = cli("--data-dir", str(data_dir), "--user", MANAGER, "restore", str(saved))
    assert run.error_line() == "primedist: error: Wrong email or password."
    assert table_count(data_dir, "customers") == customers
    monkeypatch.setenv("PRIMEDIST_PASSWORD", MANAGER_PASSWORD)
    run = cli("--data-dir", str(data_dir), "--user", MANAGER, "restore", str(saved))
    assert run.code == EXIT_OK, run.err
    assert table_count(data_dir, "customers") == 0


def test_restores_keep_as_many_safety_copies_as_the_setting(
    cli: Any, data_dir: Path, saved: Path
) -> None:
    owner = owner_ctx_of(data_dir)
    backup.set_backup_keep(owner, 2)
    owner.engine.dispose()
    kept = []
    for _ in range(4):  # the backup was taken before keep=2: the current data's setting rules
        run = cli("--data-dir", str(data_dir), "restore", str(saved), "--json")
        assert run.code == EXIT_OK, run.err
        kept.append(Path(run.json()["previous_saved_as"]))
        owner = owner_ctx_of(data_dir)
        backup.set_backup_keep(owner, 2)
        owner.engine.dispose()
    assert list_backups(data_dir / "backups", reason="pre-restore") == [kept[3], kept[2]]


# backup FILE ---------------------------------------------------------------------------
def test_backup_to_a_file_of_any_name_a_folder_or_not_over_a_file(
    cli: Any, data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "x" / "mybackup.sqlite"
    target.parent.mkdir()  # a missing folder is refused (test_backup_clock_ahead)
    run = cli("--data-dir", str(data_dir), "backup", str(target), "--json")
    assert run.code == EXIT_OK, run.err
    assert Path(run.json()["backup"]) == target and target.is_file()
    assert validate_backup(target) == HEAD_REVISION

    folder = tmp_path / "x"
    run = cli("--data-dir", str(data_dir), "backup", str(folder), "--json")
    inside = Path(run.json()["backup"])
    assert inside.parent == folder and inside.name.endswith("-manual.db")

    for existing in (target, tmp_path / "afile"):
        existing.touch()
        before = existing.read_bytes()
        run = cli("--data-dir", str(data_dir), "backup", str(existing))
        assert run.error_line() == (
            f"primedist: error: {existing} already exists: give the name of a new file, or a "
            "folder to write the backup in."
        )
        assert existing.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["mybackup.sqlite", inside.name]


# demo ----------------------------------------------------------------------------------
DEMO = ("demo", "--orders", "50", "--customers", "10")


def test_demo_checks_the_user_and_wants_the_owner(
    cli: Any, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_manager(data_dir)
    audit_rows = table_count(data_dir, "audit_events")
    monkeypatch.setenv("PRIMEDIST_PASSWORD", "wrong")
    run = cli("--data-dir", str(data_dir), "--user", OWNER_EMAIL, *DEMO)
    assert run.error_line() == "primedist: error: Wrong email or password."
    monkeypatch.setenv("PRIMEDIST_PASSWORD", MANAGER_PASSWORD)
    run = cli("--data-dir", str(data_dir), "--user", MANAGER, *DEMO)
    assert run.error_line() == (
        "primedist: error: Only the owner may fill the shop with demo data."
    )
    assert table_count(data_dir, "orders") == table_count(data_dir, "products") == 0

    monkeypatch.setenv("PRIMEDIST_PASSWORD", OWNER_PASSWORD)
    run = cli("--data-dir", str(data_dir), "--user", OWNER_EMAIL, *DEMO, "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json()["owner_email"] == OWNER_EMAIL
    assert table_count(data_dir, "orders") == 50
    assert table_count(data_dir, "audit_events") > audit_rows


def test_demo_with_a_user_needs_a_shop_to_sign_in_to(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRIMEDIST_PASSWORD", OWNER_PASSWORD)
    fresh = tmp_path / "fresh"
    run = cli("--data-dir", str(fresh), "--user", OWNER_EMAIL, *DEMO)
    assert "There is no shop in" in run.error_line()
    assert not fresh.exists()


@pytest.mark.parametrize("data", ["products", "customers"])
def test_demo_refuses_a_shop_with_data_even_without_orders(
    cli: Any, data_dir: Path, data: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_store(resolve_settings(data_dir))
    if data == "customers":
        make_customers(engine, 3)
    else:
        make_product(engine, "Áo thun", [("AT-01", 150_000, 5)])
    engine.dispose()
    counts = {t: table_count(data_dir, t) for t in ("orders", "products", "customers")}
    assert counts["orders"] == 0 and (counts["products"] or counts["customers"])
    for user in ((), ("--user", OWNER_EMAIL)):
        monkeypatch.setenv("PRIMEDIST_PASSWORD", OWNER_PASSWORD)
        run = cli("--data-dir", str(data_dir), *user, *DEMO)
        assert run.error_line() == (
            f"primedist: error: {data_dir.resolve()} already holds a shop's data (0 orders, "
            f"{counts['products']} products, {counts['customers']} customers, 0 suppliers, "
            "0 other shops): demo data goes only into a new data dir. Choose another --data-dir."
        )
    assert {t: table_count(data_dir, t) for t in counts} == counts


def test_demo_fills_a_freshly_set_up_shop(cli: Any, data_dir: Path) -> None:
    run = cli("--data-dir", str(data_dir), *DEMO, "--json")
    assert run.code == EXIT_OK, run.err
    assert json.loads(run.out)["owner_email"] == OWNER_EMAIL
    assert table_count(data_dir, "orders") == 50
    again = cli("--data-dir", str(data_dir), *DEMO)
    assert "already holds a shop's data (50 orders" in again.error_line()
