"""Backups and restores that must not lose data: a restore refused while another process
has the store open (the store lock), a damaged database never backed up (the good backups
kept), a failed daily backup told on Home and the Backup & restore page, a store from a
newer app refused without a safety copy at every start, the copy an interrupted restore
left behind removed, and a backup's name synced to the disk (a USB stick pulled after)."""

from __future__ import annotations

import errno
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from primedist.config import Settings
from primedist.core.app_lock import sole_user, store_lock_path
from primedist.core.clock import FixedClock
from primedist.db import backup as store_backup
from primedist.db.store import open_store
from primedist.domain.enums import ActivityKind, Channel
from primedist.domain.shop import Shop
from primedist.errors import StoreError
from primedist.jobs.backup import run_daily_backup
from primedist.services import backup as svc
from primedist.services.context import ServiceContext
from primedist.services.reports import events
from tests.factories import make_customers, shop_names_in_file

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite",
    reason=f"SQLite only ({DIALECT}): app backups and restores are of the SQLite file",
)

IN_USE = "Another Prime Distribution process is using the data"
DAMAGED = "The shop's data is damaged ("
NEWER = "This data was made by a newer version of Prime Distribution: update the app."

#: A second process with the store open, as an import or a sync would have it.
HOLDER = (
    "import sys; from primedist.config import resolve_settings; "
    "from primedist.db.store import open_store; "
    "engine = open_store(resolve_settings(sys.argv[1])); "
    "engine.connect().close(); print('open', flush=True); sys.stdin.read()"
)


@contextmanager
def another_process_using(data_dir: Path) -> Iterator[None]:
    """A real second process that has the data dir's store open until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(data_dir)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.close()  # it ends: its lock goes with it
        proc.wait(timeout=30)


def others_may_restore(db: Path) -> bool:
    """Whether another process could take the store lock alone now."""
    code = (
        "import sys; from pathlib import Path; from primedist.core.app_lock import sole_user, "
        "store_lock_path\nwith sole_user(store_lock_path(Path(sys.argv[1]))) as alone: "
        "print(alone)"
    )
    run = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True,
                         timeout=60, check=True)  # fmt: skip
    return run.stdout.strip() == "True"


def shop_names(ctx: ServiceContext) -> set[str]:
    with ctx.engine.connect() as conn:
        return {r[0] for r in conn.exec_driver_sql("SELECT name FROM shops")}


def add_shop(ctx: ServiceContext, name: str) -> None:
    with ctx.uow() as session:
        session.add(Shop(name=name, channel=Channel.OFFLINE))


def damage_customers_table(settings: Settings) -> None:
    """Overwrite the customers table's first page with garbage (a disk that failed), the
    rest of the database intact: the app still opens it, SQLite's check finds it."""
    db = settings.db_path
    assert db is not None
    engine = open_store(settings)
    make_customers(engine, 300)
    with engine.connect() as conn:
        page_size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
        root = conn.exec_driver_sql(
            "SELECT rootpage FROM sqlite_master WHERE name = 'customers'"
        ).scalar_one()
    engine.dispose()  # the last connection checkpoints the WAL into the file
    assert not Path(f"{db}-wal").exists()
    with open(db, "r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * page_size)


# 1. A restore while another process uses the store ---------------------------------------
def test_restore_is_refused_while_another_process_has_the_store_open(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    """What the app's Settings → Restore runs: its own engine shares the lock (allowed);
    an import in another process holds it too (refused, nothing changed)."""
    saved = svc.backup_now(owner_ctx, settings.data_dir.parent / "saved.db")
    add_shop(owner_ctx, "Added after the backup")
    db = settings.db_path
    assert db is not None

    with another_process_using(settings.data_dir):
        with pytest.raises(StoreError, match=IN_USE):
            svc.restore(owner_ctx, saved)
        assert "Added after the backup" in shop_names(owner_ctx)
        assert store_backup.list_backups(settings.backup_dir) == []  # no safety copy taken
        assert not Path(f"{db}.restore").exists()
    # The refused restore gave this process's shared lock back: while its engine lives, no
    # other process may swap the file either.
    assert not others_may_restore(db)

    new_ctx, safety = svc.restore(owner_ctx, saved)  # the other process ended: it works
    assert "Added after the backup" not in shop_names(new_ctx)
    assert "Added after the backup" in shop_names_in_file(safety)
    new_ctx.engine.dispose()
    owner_ctx.engine.dispose()
    assert others_may_restore(db)  # disposed engines hold nothing


def test_a_command_started_during_a_restore_waits_for_it(settings: Settings) -> None:
    db = settings.db_path
    assert db is not None
    restoring = subprocess.Popen(  # a restore in another process: holds the lock alone
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from primedist.core.app_lock import sole_user, store_lock_path\n"
         "with sole_user(store_lock_path(Path(sys.argv[1]))) as alone:\n"
         "    print(alone, flush=True); time.sleep(1.5)", str(db)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert restoring.stdout is not None and restoring.stdout.readline().strip() == "True"
        started = time.monotonic()
        engine = open_store(settings)
        waited = time.monotonic() - started
        engine.dispose()
    finally:
        restoring.wait(timeout=30)
    assert waited > 0.5  # it opened the database only once the restore had ended


# 2. A damaged database is not backed up ---------------------------------------------------
def test_a_damaged_database_is_not_backed_up_and_the_good_backups_stay(
    settings: Settings, tmp_path: Path
) -> None:
    engine = open_store(settings)
    good = store_backup.create_backup(engine, settings.backup_dir, reason="manual", keep=1)
    engine.dispose()
    damage_customers_table(settings)
    engine = open_store(settings)  # it still opens: the damage is in one table
    try:
        with pytest.raises(StoreError, match=r"The shop's data is damaged \(.+\), so no backup"):
            store_backup.create_backup(engine, settings.backup_dir, reason="manual", keep=1)
        with pytest.raises(StoreError, match=re.escape(DAMAGED)):  # nor to a file the user names
            store_backup.backup_to(engine, tmp_path / "usb.db")
    finally:
        engine.dispose()
    assert store_backup.list_backups(settings.backup_dir) == [good]  # kept, not pruned
    assert store_backup.find_damage(good) is None
    assert sorted(p.name for p in settings.backup_dir.iterdir()) == [good.name]  # no .part
    assert not (tmp_path / "usb.db").exists()


# 3. A failed daily backup is told ----------------------------------------------------------
def test_a_failed_daily_backup_is_posted_on_home_once_and_cleared_by_the_next(
    owner_ctx: ServiceContext, settings: Settings, clock: FixedClock
) -> None:
    clock.set(datetime.now(UTC).replace(microsecond=0))  # times as the backups' files have
    settings.backup_dir.rmdir()
    settings.backup_dir.write_text("a file where the folder should be")

    for _hour in range(2):  # the scheduler tries again every hour
        with pytest.raises(StoreError, match="The backup to .* failed"):
            run_daily_backup(owner_ctx)
    posted = [e for e in events(owner_ctx) if e.kind == ActivityKind.BACKUP.value]
    assert len(posted) == 1  # once for a run of the same failure
    folder = str(settings.backup_dir)
    assert posted[0].message == f"The daily backup to {folder} failed: File exists"
    failure = svc.daily_failure(owner_ctx)
    assert failure is not None and failure.at == clock.now()
    assert (failure.reason, failure.folder) == ("File exists", folder)  # no file's path

    settings.backup_dir.unlink()
    settings.backup_dir.mkdir()
    run_daily_backup(owner_ctx)
    assert [b.reason for b in svc.list_backups(owner_ctx)] == ["daily"]
    assert svc.daily_failure(owner_ctx) is None  # a daily backup was taken since


def test_a_daily_backup_of_damaged_data_says_why(
    owner_ctx: ServiceContext, settings: Settings, clock: FixedClock
) -> None:
    clock.set(datetime.now(UTC).replace(microsecond=0))
    owner_ctx.engine.dispose()
    damage_customers_table(settings)
    with pytest.raises(StoreError, match=re.escape(DAMAGED)):
        run_daily_backup(owner_ctx)
    failure = svc.daily_failure(owner_ctx)
    assert failure is not None and failure.reason.startswith(DAMAGED)
    assert svc.list_backups(owner_ctx) == []


# 4. Data from a newer app ------------------------------------------------------------------
def stamp(db: Path, revision: str) -> None:
    conn = sqlite3.connect(db)
    try:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
        conn.commit()
    finally:
        conn.close()


def test_data_from_a_newer_app_is_refused_without_a_safety_copy(settings: Settings) -> None:
    assert settings.db_path is not None
    stamp(settings.db_path, "9990_future")
    for _start in range(2):
        with pytest.raises(StoreError) as info:
            open_store(settings)
        assert str(info.value) == NEWER
    assert list(settings.backup_dir.iterdir()) == []  # no -pre-migrate copy


# 5. What an interrupted restore left ------------------------------------------------------
def leftovers(db: Path) -> list[Path]:
    return [Path(f"{db}.restore"), Path(f"{db}.restore-journal")]


def test_the_copy_of_an_interrupted_restore_is_removed_at_the_next_open(
    settings: Settings,
) -> None:
    db = settings.db_path
    assert db is not None
    for path in leftovers(db):
        path.write_bytes(b"\0" * 8192)  # a restore killed while it copied
    engine = open_store(settings)
    engine.dispose()
    assert [p for p in leftovers(db) if p.exists()] == []
    assert db.is_file()


def test_the_copy_of_a_running_restore_is_left_alone(settings: Settings) -> None:
    db = settings.db_path
    assert db is not None
    with sole_user(store_lock_path(db)) as alone:  # a restore runs in this process
        assert alone
        for path in leftovers(db):
            path.write_bytes(b"\0" * 8192)
        engine = open_store(settings)  # e.g. a job's connection meanwhile
        engine.dispose()
        assert all(p.exists() for p in leftovers(db))


def test_a_restore_copies_over_what_an_interrupted_one_left(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    saved = svc.backup_now(owner_ctx, settings.data_dir.parent / "saved.db")
    db = settings.db_path
    assert db is not None
    for path in leftovers(db):
        path.write_bytes(b"\xa5" * 8192)  # a hot journal would be rolled into the copy
    new_ctx, _safety = svc.restore(owner_ctx, saved)
    assert shop_names(new_ctx) == shop_names_in_file(saved)
    assert [p for p in leftovers(db) if p.exists()] == []
    new_ctx.engine.dispose()


# 6. A backup on a USB stick pulled right after --------------------------------------------
def test_a_backup_syncs_its_folder_once_it_has_its_name(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite syncs the copy's content; the rename of the .part to its name was left in the
    page cache, so a stick pulled then could lose the backup. The folder is synced after."""
    usb = tmp_path / "usb"
    usb.mkdir()
    synced: list[list[str]] = []  # what each fsync of the stick's folder put on the disk
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.path.samestat(os.fstat(fd), usb.stat()):
            synced.append(sorted(p.name for p in usb.iterdir()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    path = svc.backup_now(owner_ctx, usb, folder=True)
    assert synced == [[path.name]]


def test_a_folder_that_refuses_a_sync_still_gets_the_backup(
    owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some filesystems (and Windows, for a folder) refuse it: the backup stands."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    path = svc.backup_now(owner_ctx, tmp_path, folder=True)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("primedist-")] == [path.name]
    assert shop_names_in_file(path) == shop_names(owner_ctx)
