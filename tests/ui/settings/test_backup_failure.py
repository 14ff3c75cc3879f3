"""A failed daily backup is seen: Settings → Backup & restore shows when and why (until a
daily backup works again), and Home's feed words it in the UI's language; a full disk is
said in the reader's words, not SQLite's English. Data from a newer app: the window says
to update, and takes no safety copy at each start."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from primedist.config import Settings
from primedist.core.clock import FixedClock, format_datetime, shop_tz
from primedist.db import backup as store_backup
from primedist.domain.enums import ActivityKind
from primedist.errors import StoreError
from primedist.jobs.backup import run_daily_backup
from primedist.services.context import ServiceContext
from primedist.services.reports import events
from primedist.ui import app as app_module
from primedist.ui.home.activity_text import describe
from primedist.ui.settings.backup import BackupSettings
from tests.ui.support import WAIT, show_widget


def test_the_page_shows_the_last_daily_failure_until_a_daily_backup_works(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, clock: FixedClock
) -> None:
    clock.set(datetime.now(UTC).replace(microsecond=0))
    settings.backup_dir.rmdir()
    settings.backup_dir.write_text("a file where the folder should be")
    with pytest.raises(StoreError):
        run_daily_backup(owner_ctx)

    page = show_widget(qtbot, BackupSettings(owner_ctx))
    qtbot.waitUntil(page.failure_note.isVisible, timeout=WAIT)
    text = page.failure_note.text()
    when = format_datetime(clock.now(), shop_tz(), "en")
    # mkdir, where a file is; the folder once, by its last parts (the whole on hover)
    tail = os.path.join("…", "data", "backups")
    assert text == f"The daily backup to the folder “{tail}” failed on {when}: File exists"
    assert page.failure_note.toolTip() == str(settings.backup_dir)
    assert page.failure_note.property("error") is True

    (event,) = [e for e in events(owner_ctx) if e.kind == ActivityKind.BACKUP.value]
    assert describe(event, "en") == f"The daily backup to the folder “{tail}” failed: File exists"

    settings.backup_dir.unlink()
    settings.backup_dir.mkdir()
    run_daily_backup(owner_ctx)
    page.reload()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    assert not page.failure_note.isVisible()


def cannot_grow(src: sqlite3.Connection, tmp: Path, stop: object = None) -> None:
    """SQLite's online backup into a file that cannot grow past two pages: SQLite's own
    "database or disk is full" (SQLITE_FULL), as on a full disk."""
    dst = sqlite3.connect(tmp)
    try:
        dst.execute("PRAGMA max_page_count=2")
        src.backup(dst)
    finally:
        dst.close()


@pytest.mark.usefixtures("vietnamese")
def test_a_full_disk_is_said_in_the_readers_words(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    clock.set(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(store_backup, "_snapshot_into", cannot_grow)
    with pytest.raises(StoreError) as caught:
        run_daily_backup(owner_ctx)
    # The CLI and the log: English, as the system says it.
    assert str(caught.value.user_message).endswith(" failed: No space left on device")

    page = show_widget(qtbot, BackupSettings(owner_ctx))
    qtbot.waitUntil(page.failure_note.isVisible, timeout=WAIT)
    # Was "…thất bại: database or disk is full": SQLite's English in a Vietnamese sentence.
    assert page.failure_note.text().endswith(": ổ đĩa đã hết dung lượng")
    assert "thất bại" not in page.failure_note.text()  # the copy's own "failed" not twice
    assert list(settings.backup_dir.iterdir()) == []  # no backup, no .part left


def test_the_app_refuses_data_from_a_newer_version_without_a_safety_copy(
    qapp: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings.db_path is not None
    conn = sqlite3.connect(settings.db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9990_future'")
    conn.commit()
    conn.close()
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text: shown.append(text))
    for name in ("setup_logging", "install_excepthook", "install_language", "apply_style"):
        monkeypatch.setattr(app_module, name, lambda *_a: None)  # process-wide: not here
    for _start in range(2):
        assert app_module.run_gui(settings) == 1
    assert (
        shown
        == ["This data was made by a newer version of Prime Distribution: update the app."] * 2
    )
    assert list(settings.backup_dir.iterdir()) == []  # no -pre-migrate copy at each start
