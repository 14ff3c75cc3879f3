"""Settings → Backup & restore → "Also copy the daily backup to": the folder is chosen and
stored from the page, the last copy made there is said, and a stick that was not plugged
in says, under the folder, that the backup was made but not copied, and why.
Driven through the real page on a real migrated store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.services import backup as svc
from primedist.services.context import ServiceContext
from primedist.ui.formatting import short_path
from primedist.ui.settings import backup as page_module
from primedist.ui.settings.backup import BackupSettings
from tests.services.test_backup_second_folder import needs_sqlite
from tests.ui.support import WAIT, show_widget

pytestmark = [pytest.mark.usefixtures("quiet"), needs_sqlite]


def test_the_folder_is_chosen_and_the_copy_said(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(page_module, "ask_folder", lambda *_a, **_k: usb)
    page = show_widget(qtbot, BackupSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.loaded, timeout=WAIT)
    assert page.also_folder.text() == "Not set" and page.also_clear.isHidden()
    assert page.also_note.text().startswith("The backups are only on this PC so far.")

    qtbot.mouseClick(page.also_choose, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.also_folder.toolTip() == str(usb), timeout=WAIT)
    assert page.also_folder.text() == short_path(str(usb))
    assert svc.backup_also_to(owner_ctx) == usb and page.also_clear.isVisible()
    assert page.also_choose.text() == "Change…"

    with qtbot.waitSignal(page.backedUp, timeout=WAIT) as made:
        qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    copy = usb / made.args[0].name
    assert copy.is_file()
    qtbot.waitUntil(lambda: "Last backup outside this PC" in page.also_note.text(),
                    timeout=WAIT)  # fmt: skip
    assert page.also_note.property("error") is False

    qtbot.mouseClick(page.also_clear, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.also_folder.text() == "Not set", timeout=WAIT)
    assert svc.backup_also_to(owner_ctx) is None


def test_a_stick_not_plugged_in_is_said_under_the_folder(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    svc.set_backup_also_to(owner_ctx, usb)
    usb.rmdir()
    svc.daily_backup(owner_ctx)

    page = show_widget(qtbot, BackupSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.also_note.isVisible() and page.loaded, timeout=WAIT)
    text = page.also_note.text()
    assert f"the backup was made but not copied to “{short_path(str(usb))}”" in text
    assert "The folder is not there (a USB stick not plugged in" in text
    assert page.also_note.property("error") is True
    assert page.backups and page.backups[0].reason == "daily"  # the backup is there
