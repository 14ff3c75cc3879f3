"""Settings → Backup & restore → Back up to a folder…: a backup onto a USB stick (any
folder) from the app, named as in the backups folder, its whole path said; the folder is
remembered; a folder gone (the stick pulled), a read-only stick or a full one says why in
the page and leaves nothing half-written. Only the owner or a manager (on PostgreSQL too: a
pg_dump file).
Driven through the real page on a real migrated store."""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from sqlmodel import Session, select

from primedist.config import Settings
from primedist.db import backup as store_backup
from primedist.db.store import HEAD_REVISION
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.services import staff
from primedist.services.context import Actor, ServiceContext
from primedist.ui import file_dialogs
from primedist.ui.file_dialogs import BACKUP, NameOnlyIconProvider
from primedist.ui.i18n import install_language
from primedist.ui.settings.backup import BackupSettings
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@dataclass(frozen=True)
class Shown:
    """A dialog as it was shown (it is deleted once closed)."""

    folder: Path
    mode: QFileDialog.FileMode
    dirs_only: bool
    own_dialog: bool
    name_only_icons: bool


def choose(monkeypatch: pytest.MonkeyPatch, folder: Path | None,
           before: Any = None) -> list[Shown]:  # fmt: skip
    """Every dialog answers `folder` (None: cancelled), after `before()` when given (what
    happens between the choice and the backup); the dialogs shown, in order."""
    shown: list[Shown] = []

    def run(dialog: QFileDialog) -> tuple[list[str], str]:
        option = QFileDialog.Option
        shown.append(Shown(
            Path(dialog.directory().absolutePath()), dialog.fileMode(),
            dialog.testOption(option.ShowDirsOnly), dialog.testOption(option.DontUseNativeDialog),
            isinstance(dialog.iconProvider(), NameOnlyIconProvider),
        ))  # fmt: skip
        if before is not None:
            before()
        return ([str(folder)] if folder is not None else []), ""

    monkeypatch.setattr(file_dialogs, "run_dialog", run)
    return shown


def open_page(qtbot: Any, ctx: ServiceContext) -> BackupSettings:
    page = show_widget(qtbot, BackupSettings(ctx))
    qtbot.waitUntil(lambda: page.loaded, timeout=WAIT)
    return page


def back_up(qtbot: Any, page: BackupSettings) -> None:
    """Press Back up to a folder… and wait until the page says how it went."""
    qtbot.mouseClick(page.backup_to_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.isVisible() and page.backup_to_button.isEnabled(),
                    timeout=WAIT)  # fmt: skip


def audits(ctx: ServiceContext) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        query = select(AuditEvent).where(AuditEvent.action == "backup.create")
        return list(session.exec(query).all())


def rows_in(path: Path) -> tuple[set[str], set[str]]:
    """The shop names and the account emails in a database file (opened read-only)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        shops = {r[0] for r in conn.execute("SELECT name FROM shops")}
        emails = {r[0] for r in conn.execute("SELECT email FROM users")}
        return shops, emails
    finally:
        conn.close()


def test_a_backup_goes_into_the_chosen_folder_and_its_whole_path_is_said(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    usb = tmp_path / "USB STICK"
    usb.mkdir()
    page = open_page(qtbot, owner_ctx)
    shown = choose(monkeypatch, usb)
    seen: list[Path] = []
    page.backedUp.connect(seen.append)

    back_up(qtbot, page)

    (written,) = usb.iterdir()  # the backup alone: no .part, no -journal
    assert written.name.startswith("primedist-") and written.name.endswith("-manual.db")
    assert store_backup.taken_at(written) is not None  # Restore from a file… shows its date
    assert store_backup.validate_backup(written) == HEAD_REVISION
    assert rows_in(written) == ({"Cửa hàng Thử"}, {owner_ctx.actor.email})
    assert page.message.text() == f"Backup written to {written}"
    assert page.message.property("error") is False
    assert seen == [written]
    (row,) = audits(owner_ctx)
    assert (row.user_id, row.entity_id) == (owner_ctx.actor.id, written.name)
    assert row.summary == str(written)
    # Not the app's backups folder: its list is as it was.
    assert list(settings.backup_dir.iterdir()) == [] and page.table.rowCount() == 0

    # The app's safe dialog, for folders; it did not start in the data dir.
    first = shown[0]
    assert first.mode == QFileDialog.FileMode.Directory and first.dirs_only
    assert first.own_dialog and first.name_only_icons
    assert first.folder != settings.data_dir

    # The stick is offered next time (and to Restore from a file…).
    qtbot.mouseClick(page.backup_to_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(list(usb.iterdir())) == 2 and page.backup_to_button.isEnabled(),
                    timeout=WAIT)  # fmt: skip
    assert shown[1].folder == usb
    assert file_dialogs.start_folder(owner_ctx, BACKUP) == usb
    assert len(audits(owner_ctx)) == 2


def test_a_backup_into_the_apps_own_backups_folder_is_listed(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = open_page(qtbot, owner_ctx)
    choose(monkeypatch, settings.backup_dir)
    back_up(qtbot, page)
    (written,) = settings.backup_dir.iterdir()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    assert page.selected() is None and page.backups[0].path == written
    assert page.message.text() == f"Backup written to {written}"


def test_cancelling_the_folder_chooser_does_nothing(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    page = open_page(qtbot, owner_ctx)
    shown = choose(monkeypatch, None)
    qtbot.mouseClick(page.backup_to_button, Qt.MouseButton.LeftButton)
    assert len(shown) == 1
    assert not page.message.isVisible() and page.backup_to_button.isEnabled()
    assert list(settings.backup_dir.iterdir()) == []
    assert not list(tmp_path.rglob("primedist-*"))
    assert audits(owner_ctx) == []
    assert file_dialogs.start_folder(owner_ctx, BACKUP) == shown[0].folder


def test_a_folder_gone_before_the_backup_says_so_and_writes_nothing(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stick pulled between the choice and the backup: its folder was written as a
    file of its name into the folder above (a "backup" named like the stick)."""
    usb = tmp_path / "usb"
    usb.mkdir()
    page = open_page(qtbot, owner_ctx)
    choose(monkeypatch, usb, before=usb.rmdir)

    back_up(qtbot, page)

    assert page.message.text() == f"The folder {str(usb)!r} does not exist."
    assert page.message.property("error") is True
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]  # no file "usb", no .part
    assert audits(owner_ctx) == []


def read_only(_src: object, tmp: Path, _stop: object = None) -> None:
    raise OSError(errno.EROFS, "Read-only file system", str(tmp))


def cannot_grow(src: sqlite3.Connection, tmp: Path, _stop: object = None) -> None:
    """SQLite's backup into a file that cannot grow past two pages: SQLITE_FULL, as on a
    full stick."""
    dst = sqlite3.connect(tmp)
    try:
        dst.execute("PRAGMA max_page_count=2")
        src.backup(dst)
    finally:
        dst.close()


@pytest.mark.parametrize(
    ("copy", "why"),
    [(read_only, "Read-only file system"), (cannot_grow, "No space left on device")],
)
def test_a_read_only_or_full_stick_says_why_and_leaves_nothing(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    copy: Any, why: str,
) -> None:  # fmt: skip
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(store_backup, "_snapshot_into", copy)
    page = open_page(qtbot, owner_ctx)
    choose(monkeypatch, usb)

    back_up(qtbot, page)

    text = page.message.text()
    assert text.startswith(f"The backup to {usb / 'primedist-'}") and text.endswith(
        f"-manual.db failed: {why}"
    )
    assert page.message.property("error") is True
    assert list(usb.iterdir()) == []  # no .part, no -journal
    assert audits(owner_ctx) == []


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root writes into a folder without write permission",
)
def test_a_folder_without_write_permission_says_why(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    usb.chmod(0o500)
    try:
        page = open_page(qtbot, owner_ctx)
        choose(monkeypatch, usb)
        back_up(qtbot, page)
        assert page.message.text().endswith("-manual.db failed: Permission denied")
        assert list(usb.iterdir()) == []
    finally:
        usb.chmod(0o700)


def add(owner_ctx: ServiceContext, name: str, role: Role) -> Actor:
    m = staff.add_staff(owner_ctx, name=name, email=f"{name.lower()}@shop.vn", role=role,
                        modules=[Module.ORDERS, Module.SETTINGS]).member  # fmt: skip
    return Actor(m.id, m.name, m.email, m.role, m.modules)


def test_only_the_owner_or_a_manager_backs_up_to_a_folder(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = choose(monkeypatch, None)
    lan = add(owner_ctx, "Lan", Role.STAFF)
    page = show_widget(qtbot, BackupSettings(owner_ctx.with_actor(lan)))
    assert not page.backup_to_button.isEnabled() and not page.backup_button.isEnabled()
    page._busy(False)  # after any job: still off
    assert not page.backup_to_button.isEnabled()
    qtbot.mouseClick(page.backup_to_button, Qt.MouseButton.LeftButton)
    assert shown == []

    mai = add(owner_ctx, "Mai", Role.MANAGER)
    assert open_page(qtbot, owner_ctx.with_actor(mai)).backup_to_button.isEnabled()


def test_on_a_server_database_a_backup_goes_to_a_folder_but_restore_stays_off(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    server = Settings(tmp_path / "pc", "postgresql+psycopg://primedist@db.shop.lan/primedist")
    ctx = ServiceContext(owner_ctx.engine, owner_ctx.actor, owner_ctx.clock, server)
    page = show_widget(qtbot, BackupSettings(ctx))
    assert page.backup_to_button.isEnabled() and not page.restore_button.isEnabled()
    page._busy(False)  # a backup ended: restore is not turned on with the others
    assert page.backup_to_button.isEnabled() and not page.restore_button.isEnabled()


@pytest.mark.usefixtures("app_style")
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_buttons_are_not_cut_at_1000_px(
    qtbot: Any, owner_ctx: ServiceContext, lang: str
) -> None:
    install_language(lang)
    try:
        page = show_widget(qtbot, BackupSettings(owner_ctx), 1000, 640)
        buttons = (page.backup_button, page.backup_to_button, page.restore_button,
                   page.restore_selected_button)  # fmt: skip
        for b in buttons:
            assert b.width() >= b.sizeHint().width(), b.text()
        assert buttons[-1].geometry().right() <= page.width()
    finally:
        install_language("en")
