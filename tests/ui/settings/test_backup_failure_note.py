"""The daily backup's failure reads as one short sentence on Settings → Backup & restore
and on Home: when, why and the folder, once (was "…failed on …: The backup to
/the/whole/path/primedist-…-daily.db failed: …"). A failure posted by an older version,
whose reason names the file, reads the same way; a long folder is shortened."""

from __future__ import annotations

import errno
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from primedist.config import Settings
from primedist.core.clock import FixedClock, format_datetime, shop_tz
from primedist.core.messages import msg, stored_args
from primedist.db import backup as store_backup
from primedist.domain.enums import ActivityKind
from primedist.errors import StoreError
from primedist.jobs.backup import run_daily_backup
from primedist.services import activity
from primedist.services import backup as svc
from primedist.services.context import ServiceContext
from primedist.services.reports import events
from primedist.ui.formatting import short_path
from primedist.ui.home.activity_text import describe
from primedist.ui.settings.backup import BackupSettings
from tests.ui.support import WAIT, show_widget

#: The test data dir's backups folder as the sentences name it (its last two parts).
TAIL = os.path.join("…", "data", "backups")


def read_only(_src: object, tmp: Path, _stop: object = None) -> None:
    raise OSError(errno.EROFS, "Read-only file system", str(tmp))


def test_a_read_only_folder_is_said_once_without_the_backups_file(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    clock.set(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(store_backup, "_snapshot_into", read_only)
    with pytest.raises(StoreError):
        run_daily_backup(owner_ctx)

    page = show_widget(qtbot, BackupSettings(owner_ctx))
    qtbot.waitUntil(page.failure_note.isVisible, timeout=WAIT)
    when = format_datetime(clock.now(), shop_tz(), "en")
    text = page.failure_note.text()
    assert text == (
        f"The daily backup to the folder “{TAIL}” failed on {when}: Read-only file system"
    )
    assert text.count("failed") == 1 and "primedist-" not in text
    (event,) = [e for e in events(owner_ctx) if e.kind == ActivityKind.BACKUP.value]
    assert describe(event, "en") == (
        f"The daily backup to the folder “{TAIL}” failed: Read-only file system"
    )


def test_a_failure_posted_by_an_older_version_reads_the_same(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, clock: FixedClock
) -> None:
    clock.set(datetime.now(UTC).replace(microsecond=0))
    file = settings.backup_dir / "primedist-20260101-010000-000000-daily.db"
    old = msg("The backup to {path} failed: {exc}", path=str(file),
              exc=msg("No space left on device"))  # fmt: skip
    with owner_ctx.uow() as session:
        activity.post(session, ActivityKind.BACKUP, clock.now(), outcome="failed",
                      reason=old, reason_args=stored_args(old))  # fmt: skip

    page = show_widget(qtbot, BackupSettings(owner_ctx))
    qtbot.waitUntil(page.failure_note.isVisible, timeout=WAIT)
    when = format_datetime(clock.now(), shop_tz(), "en")
    assert page.failure_note.text() == (
        f"The daily backup to the folder “{TAIL}” failed on {when}: No space left on device"
    )
    (event,) = [e for e in events(owner_ctx) if e.kind == ActivityKind.BACKUP.value]
    assert describe(event, "en") == (
        f"The daily backup to the folder “{TAIL}” failed: No space left on device"
    )
    # The next try's same failure is no new event on Home.
    svc._post_failure(owner_ctx, store_backup.BackupFailed(file, msg("No space left on device")))
    assert len([e for e in events(owner_ctx) if e.kind == ActivityKind.BACKUP.value]) == 1


@pytest.mark.usefixtures("vietnamese")
def test_the_reason_is_in_the_readers_language(
    qtbot: Any, owner_ctx: ServiceContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(store_backup, "_snapshot_into", read_only)
    with pytest.raises(StoreError):
        run_daily_backup(owner_ctx)
    (event,) = [e for e in events(owner_ctx) if e.kind == ActivityKind.BACKUP.value]
    said = describe(event, "vi")
    assert said.endswith(": ổ đĩa chỉ cho phép đọc") and "Read-only" not in said
    assert "primedist-" not in said  # not the backup's file


@pytest.mark.skipif(os.sep != "/", reason="POSIX paths")
@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/srv/shop/backups", "/srv/shop/backups"),
        ("/home/nguyen.van.an/.local/share/primedist/backups", "…/.local/share/primedist/backups"),
        ("/home/an/" + "x" * 50 + "/backups", "…/backups"),
        ("/home/an/backups-" + "y" * 50, "…/backups-" + "y" * 50),
    ],
)
def test_a_long_folder_is_shortened_to_its_last_parts(path: str, shown: str) -> None:
    assert short_path(path) == shown
