"""A backup cut off (the app closed mid-copy, a kill) leaves no partial file behind: the
app's quit stops a running copy between two steps and removes its `.part`; a `.part` left
by a killed process is removed at the next backup or listing, unless a running backup (of
this process or another) holds it. The copy in steps still finishes under steady writes."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db import backup as db_backup
from primedist.db.backup import (
    BackupStopped,
    create_backup,
    remove_stale_parts,
    stop_running_backups,
)
from primedist.domain.enums import Channel, Role
from primedist.domain.shop import Shop
from primedist.domain.user import User
from primedist.jobs.scheduler import AppScheduler
from primedist.services import backup as svc
from primedist.services.context import ServiceContext
from tests.factories import shop_names_in_file

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite only: app backups are files")

SHOPS = Shop.__table__  # type: ignore[attr-defined]
USERS = User.__table__  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _a_shop(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(USERS.insert(), [{"name": "Owner", "email": "o@shop.vn",
                                       "password_hash": "x", "role": Role.OWNER}])  # fmt: skip
        conn.execute(SHOPS.insert(), [{"name": "Shop", "channel": Channel.OFFLINE}])


def leftover(folder: Path, name: str = "primedist-20260101-000000-000000-daily.db") -> Path:
    """What a killed backup leaves: a .part (a SQLite file cut short) and its -journal."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{name}.part"
    part.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4000)
    Path(f"{part}-journal").write_bytes(b"\x00" * 512)
    return part


def parts_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.part*"))


def test_a_part_left_by_a_killed_backup_goes_at_the_next_backup(
    engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    leftover(folder)
    lone_journal = folder / "primedist-20260101-000001-000000-manual.db.part-journal"
    lone_journal.write_bytes(b"\x00" * 512)

    made = create_backup(engine, folder, reason="daily")

    assert parts_in(folder) == []
    assert [p.name for p in folder.iterdir()] == [made.name]


def test_the_backup_page_listing_removes_a_leftover_part(ctx: ServiceContext) -> None:
    assert ctx.settings is not None
    folder = ctx.settings.backup_dir
    leftover(folder)

    assert svc.list_backups(ctx) == []
    assert parts_in(folder) == []


def test_a_part_a_running_backup_holds_is_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    part = leftover(folder)
    with db_backup._owned_part(part):  # as a running backup (here or in another process)
        assert remove_stale_parts(folder) == []
        assert part.exists()
    assert remove_stale_parts(folder) == [part]  # its journal went when it was taken
    assert parts_in(folder) == []


def _big_store(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(SHOPS.insert(), [{"name": f"Shop {i} " + "x" * 200, "channel": Channel.OFFLINE}
                                      for i in range(3000)])  # fmt: skip


def test_a_backup_stopped_mid_copy_leaves_nothing_and_says_so(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _big_store(engine)
    monkeypatch.setattr(db_backup, "PAGES_PER_STEP", 1)  # hundreds of steps
    steps: list[int] = []
    real = sqlite3.Connection.backup

    def counted(src: sqlite3.Connection, dst: sqlite3.Connection, **kw: object) -> None:
        progress = kw.pop("progress")

        def step(status: int, remaining: int, pages: int) -> None:
            steps.append(remaining)
            if len(steps) == 3:  # mid-copy: the app quits
                assert stop_running_backups(engine) == 1
            progress(status, remaining, pages)  # type: ignore[operator]

        real(src, dst, progress=step, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(db_backup, "_snapshot_into", _with_backup(counted))
    folder = tmp_path / "backups"

    with pytest.raises(BackupStopped):
        create_backup(engine, folder, reason="daily")

    assert len(steps) == 3 and steps[-1] > 0  # stopped with pages still to copy
    assert list(folder.iterdir()) == []
    assert db_backup._running == {}
    # The next backup runs as usual.
    made = create_backup(engine, folder, reason="daily")
    assert "Shop 2999 " + "x" * 200 in shop_names_in_file(made)


def _with_backup(backup: object) -> object:
    """`_snapshot_into` with sqlite3's backup call replaced by `backup`."""

    class Src:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __getattr__(self, name: str) -> object:
            return getattr(self.conn, name)

        def backup(self, dst: sqlite3.Connection, **kw: object) -> None:
            backup(self.conn, dst, **kw)  # type: ignore[operator]

    real = db_backup._snapshot_into

    def snapshot(src: sqlite3.Connection, tmp: Path, stop: threading.Event | None = None) -> None:
        real(Src(src), tmp, stop)  # type: ignore[arg-type]

    return snapshot


def test_the_copy_in_steps_finishes_under_steady_writes(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection commits after every step: the copy is of one snapshot (a copy
    in steps without it restarts at each commit and never ends)."""
    _big_store(engine)
    monkeypatch.setattr(db_backup, "PAGES_PER_STEP", 5)
    commits: list[int] = []
    real = sqlite3.Connection.backup

    def with_writes(src: sqlite3.Connection, dst: sqlite3.Connection, **kw: object) -> None:
        progress = kw.pop("progress")

        def step(status: int, remaining: int, pages: int) -> None:
            if len(commits) > 20_000:
                raise AssertionError("the copy never ends")
            with engine.begin() as conn:
                conn.execute(SHOPS.insert(), [{"name": f"Later {len(commits)}",
                                               "channel": Channel.OFFLINE}])  # fmt: skip
            commits.append(remaining)
            progress(status, remaining, pages)  # type: ignore[operator]

        real(src, dst, progress=step, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(db_backup, "_snapshot_into", _with_backup(with_writes))
    made = create_backup(engine, tmp_path / "backups", reason="manual")

    names = shop_names_in_file(made)
    assert len(names) == 3001 and not any(n.startswith("Later") for n in names)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(SHOPS)).scalar() == 3001 + len(
            commits
        )


def test_the_app_quit_stops_the_catch_up_backup_at_once(
    ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing the window while the start-up catch-up writes the daily backup: the
    scheduler's stop returns at once, no .part is left, no failure is posted on Home."""
    _big_store(ctx.engine)
    monkeypatch.setattr(db_backup, "PAGES_PER_STEP", 1)
    copying = threading.Event()
    real = sqlite3.Connection.backup

    def slow(src: sqlite3.Connection, dst: sqlite3.Connection, **kw: object) -> None:
        progress = kw.pop("progress")

        def step(status: int, remaining: int, pages: int) -> None:
            copying.set()
            time.sleep(0.01)  # a big store: minutes in all
            progress(status, remaining, pages)  # type: ignore[operator]

        real(src, dst, progress=step, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(db_backup, "_snapshot_into", _with_backup(slow))
    monkeypatch.setattr("primedist.jobs.scheduler.JOB_MODULES", ("backup",))
    scheduler = AppScheduler(ctx)
    scheduler.start()
    assert copying.wait(10)

    started = time.monotonic()
    scheduler.stop()
    assert time.monotonic() - started < 1.0
    assert scheduler._thread is not None and not scheduler._thread.is_alive()
    assert ctx.settings is not None
    assert list(ctx.settings.backup_dir.glob("*")) == []
    assert svc._latest_failure(ctx) is None
