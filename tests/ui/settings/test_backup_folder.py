"""Settings → Backup & restore names the backups folder (short, the whole path on hover)
and Open folder shows it in the file manager (made first when no backup was taken yet);
a file manager that refuses is said on the page. Only for the owner or a manager, who see
the backups. Driven through the real page on a real migrated store."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices

from primedist.config import Settings
from primedist.domain.enums import Module, Role
from primedist.services import staff
from primedist.services.context import Actor, ServiceContext
from primedist.ui.formatting import short_path
from primedist.ui.settings.backup import COL_FILE, BackupSettings
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def opened(monkeypatch: pytest.MonkeyPatch, answer: bool = True) -> list[QUrl]:
    """The URLs the page asks the desktop to open (each answered `answer`)."""
    urls: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url)
        return answer

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return urls


def test_the_folder_is_named_and_opens(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = opened(monkeypatch)
    folder = settings.backup_dir
    page = show_widget(qtbot, BackupSettings(owner_ctx))
    assert page.folder_label.isVisible() and page.open_folder_button.isVisible()
    assert page.folder_label.text() == "Backups folder: " + short_path(str(folder))
    assert page.folder_label.toolTip() == str(folder)
    assert page.open_folder_button.text() == "Open folder"
    qtbot.mouseClick(page.open_folder_button, Qt.MouseButton.LeftButton)
    assert urls == [QUrl.fromLocalFile(str(folder))]
    assert folder.is_dir()  # made when no backup had been taken there yet


def test_a_folder_that_does_not_open_is_said(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened(monkeypatch, answer=False)
    page = show_widget(qtbot, BackupSettings(owner_ctx))
    qtbot.mouseClick(page.open_folder_button, Qt.MouseButton.LeftButton)
    assert page.message.isVisible()
    assert page.message.text() == f"Could not open the folder {settings.backup_dir}."


def test_staff_see_no_folder(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = opened(monkeypatch)
    m = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                        modules=[Module.ORDERS, Module.SETTINGS]).member  # fmt: skip
    lan = Actor(m.id, m.name, m.email, m.role, m.modules)
    page = show_widget(qtbot, BackupSettings(owner_ctx.with_actor(lan)))
    assert not page.folder_label.isVisible() and not page.open_folder_button.isVisible()
    assert urls == []


def test_the_file_names_time_is_said_on_hover(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    # New names hold the shop's time; an older version's held UTC: hovering one says so.
    folder = settings.backup_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "primedist-20261207-104259-589607-daily.db").write_bytes(b"")
    (folder / "primedist-20261207-180000+0700-000000-daily.db").write_bytes(b"")
    page = show_widget(qtbot, BackupSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    utc = "The time in the file name is UTC (world time); Taken shows the shop's time."
    tips = {page.table.item(r, COL_FILE).text(): page.table.item(r, COL_FILE).toolTip()
            for r in range(2)}  # fmt: skip
    assert tips == {"primedist-20261207-104259-589607-daily.db": utc,
                    "primedist-20261207-180000+0700-000000-daily.db": ""}  # fmt: skip
    assert page.table.horizontalHeaderItem(COL_FILE).toolTip() == (
        "The time in the file name is the shop's time; backups made by an older version of "
        "the app are named in UTC (world time)."
    )
