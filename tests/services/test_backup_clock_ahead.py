"""A backup taken while the PC's clock was set ahead (since put right) is named and dated
in the future: it must not hold the daily backups off until its date, outlive the good
ones at pruning, nor be listed as the newest for a restore. And `primedist backup FILE`
into a folder that is not there (a USB stick not plugged in) makes no folder."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.config import Settings
from primedist.core.clock import SystemClock
from primedist.db import backup as store_backup
from primedist.errors import StoreError
from primedist.services import backup
from primedist.services.context import ServiceContext

PG_URL = os.environ.get("PRIMEDIST_TEST_DATABASE_URL", "")
DIALECT = sa.make_url(PG_URL).get_backend_name() if PG_URL else "sqlite"
pytestmark = pytest.mark.skipif(
    DIALECT != "sqlite",
    reason=f"SQLite only ({DIALECT}): app backups are SQLite files (pg_dump for a server)",
)


def taken_a_year_ahead(path: Path) -> Path:
    """`path` as the clock a year ahead named and dated it."""
    ahead = datetime.now(UTC) + timedelta(days=365)
    future = path.with_name(f"primedist-{ahead:%Y%m%d-%H%M%S-%f}-{backup.DAILY}.db")
    os.replace(path, future)
    os.utime(future, (ahead.timestamp(), ahead.timestamp()))
    return future


def real_clock(owner_ctx: ServiceContext, settings: Settings) -> ServiceContext:
    """The backups are named by the wall clock: the checks here go by it too."""
    return ServiceContext(owner_ctx.engine, owner_ctx.actor, SystemClock(), settings)


def test_a_daily_backup_dated_in_the_future_does_not_stop_the_daily_backups(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    ctx = real_clock(owner_ctx, settings)
    future = taken_a_year_ahead(backup.daily_backup(ctx))
    assert backup.daily_backup_due(ctx)  # no backup of today yet
    today = backup.daily_backup(ctx)
    assert not backup.daily_backup_due(ctx)
    listed = backup.list_backups(ctx)
    assert [(b.path, b.in_future) for b in listed] == [(today, False), (future, True)]


def test_pruning_ranks_a_backup_dated_in_the_future_as_the_oldest(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    ctx = real_clock(owner_ctx, settings)
    folder = settings.backup_dir
    future = taken_a_year_ahead(backup.daily_backup(ctx))
    made = [
        store_backup.create_backup(ctx.engine, folder, reason=backup.DAILY, keep=2)
        for _ in range(3)
    ]
    assert not future.exists()
    assert store_backup.list_backups(folder, reason=backup.DAILY) == [made[2], made[1]]


def test_a_backup_a_minute_ahead_still_counts(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    """Two PCs' clocks differ by a little: within the margin a backup is not "future"."""
    made = backup.daily_backup(real_clock(owner_ctx, settings))
    stamp = datetime.now(UTC) + timedelta(minutes=1)
    near = made.with_name(f"primedist-{stamp:%Y%m%d-%H%M%S-%f}-{backup.DAILY}.db")
    os.replace(made, near)
    assert not store_backup.dated_in_future(near)
    assert not backup.daily_backup_due(real_clock(owner_ctx, settings))


# backup FILE into a folder that is not there ---------------------------------------------
def test_a_backup_into_a_missing_folder_is_refused_and_makes_no_folder(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    usb = tmp_path / "usb-not-mounted"
    target = usb / "backups" / "shop.db"
    with pytest.raises(StoreError) as caught:
        backup.backup_now(owner_ctx, target)
    assert caught.value.user_message == (f"The folder {str(target.parent)!r} does not exist.")
    assert not usb.exists()


def test_the_cli_refuses_a_backup_into_a_missing_folder(cli: Any, data_dir: Path) -> None:
    target = data_dir.parent / "usb" / "shop.db"
    run = cli("--data-dir", str(data_dir), "backup", str(target))
    assert run.error_line() == (
        f"primedist: error: The folder {str(target.parent)!r} does not exist."
    )
    assert not target.parent.exists()
    # The app's own backups folder is still made when it is missing.
    (data_dir / "backups").rmdir()
    assert cli("--data-dir", str(data_dir), "backup").code == 0
    assert len(list((data_dir / "backups").glob("primedist-*-manual.db"))) == 1

