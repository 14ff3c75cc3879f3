"""Settings → My account, Staff, Language, Backup & restore, Sync schedule, Audit log:
driven through their real widgets on a real migrated database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtWidgets import QMessageBox
from sqlmodel import Session, select

from primedist.config import Settings
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Channel, Module, Role
from primedist.domain.shop import Shop
from primedist.services import auth, backup, schedule_settings, staff
from primedist.services.context import Actor, ServiceContext
from primedist.ui.formatting import format_file_size
from primedist.ui.i18n import current_language
from primedist.ui.settings.account import AccountSettings, ChoosePasswordDialog
from primedist.ui.settings.audit import AuditLogSettings
from primedist.ui.settings.backup import BackupSettings
from primedist.ui.settings.language import LanguageSettings
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.staff import COL_EMAIL, COL_STATUS, StaffSettings
from primedist.ui.settings.sync_schedule import SyncScheduleSettings
from primedist.ui.widgets import FORM_MAX_WIDTH
from tests.conftest import OWNER_PASSWORD
from tests.ui.support import show_widget

WAIT = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


def actions(ctx: ServiceContext) -> list[str]:
    with Session(ctx.engine) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_settings_page_lists_the_admin_sections(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    titles = [page.sections.item(i).text() for i in range(page.sections.count())]
    for title in ("My account", "Staff", "Language", "Backup & restore", "Sync schedule",
                  "Audit log"):  # fmt: skip
        assert title in titles
    assert isinstance(page.select_section("staff"), StaffSettings)
    assert isinstance(page.select_section("audit"), AuditLogSettings)
    page.section("audit").shutdown()  # type: ignore[attr-defined]


@pytest.mark.usefixtures("english", "app_style")  # English afterwards
def test_every_section_title_shows_whole_in_both_languages(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    from primedist.ui.i18n import install_language

    page = show_widget(qtbot, SettingsPage(owner_ctx))
    for lang, first in (("en", "My account"), ("vi", "Tài khoản của tôi")):
        install_language(lang)  # the (posted) LanguageChange event retitles the list
        view = page.sections
        qtbot.waitUntil(lambda view=view, first=first: view.item(0).text() == first)
        assert not view.horizontalScrollBar().isVisible()
        titles = [view.item(i).text() for i in range(view.count())]
        assert ("Nhóm khách hàng & bảng giá" in titles) == (lang == "vi")
        room = view.viewport().width()
        for i, title in enumerate(titles):
            text_width = view.fontMetrics().horizontalAdvance(title)
            assert view.visualItemRect(view.item(i)).width() <= room
            assert text_width < room, (lang, title)


@pytest.mark.usefixtures("english", "app_style")
def test_settings_forms_stay_narrow_and_their_buttons_at_their_own_width(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    """On a wide window a settings form does not stretch its fields across the screen,
    nor its Save button into a banner."""
    page = show_widget(qtbot, SettingsPage(owner_ctx), width=1366, height=700)
    account = page.select_section("account")
    assert isinstance(account, AccountSettings)
    qtbot.waitUntil(lambda: account.width() > 1000)
    for box in (account.profile_box, account.password_box):
        assert FORM_MAX_WIDTH - 1 <= box.width() <= FORM_MAX_WIDTH  # room, yet narrow
    for button in (account.save_profile, account.change_password):
        assert button.width() <= button.sizeHint().width() + 4
    assert account.name.width() > account.name.sizeHint().width()  # fields use the room
    schedule = page.select_section("sync_schedule")
    assert isinstance(schedule, SyncScheduleSettings)
    qtbot.waitUntil(lambda: schedule.isVisible() and schedule.width() > 1000)
    assert schedule.save.width() <= schedule.save.sizeHint().width() + 4
    assert schedule.minutes.width() < FORM_MAX_WIDTH


def test_my_account_profile_and_password(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, AccountSettings(owner_ctx))
    page.name.setText("Chủ Mới")
    page.email.setText("Moi@Shop.vn")
    with qtbot.waitSignal(page.accountChanged, timeout=WAIT) as changed:
        page.save_profile.click()
    assert changed.args[0].email == "moi@shop.vn"
    assert page.profile_message.text() == "Profile saved."

    page.current.setText("wrong-password")
    page.new.setText("new-pass-123")
    page.repeat.setText("new-pass-123")
    page.change_password.click()
    qtbot.waitUntil(lambda: page.password_message.isVisible(), timeout=WAIT)
    assert page.password_message.text() == "The current password is wrong."

    page.new.setText("other-thing")
    page.change_password.click()
    assert page.password_message.text() == "The two new passwords differ."

    page.current.setText(OWNER_PASSWORD)
    page.new.setText("new-pass-123")
    page.repeat.setText("new-pass-123")
    page.change_password.click()
    qtbot.waitUntil(lambda: page.password_message.text() == "Password changed.", timeout=WAIT)
    assert auth.login(owner_ctx, "moi@shop.vn", "new-pass-123").name == "Chủ Mới"
    assert page.current.text() == ""


def test_staff_add_shows_the_one_time_password_once_then_disable_and_reset(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = show_widget(qtbot, StaffSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    dialog = page.add_member()
    dialog.name.setText("Trần Lan")
    dialog.email.setText("lan@shop.vn")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.STAFF.value))
    dialog.module_boxes[Module.ORDERS].setChecked(True)
    dialog.submit()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    boxes = [w for w in page.children() if w.objectName() == "oneTimePasswordDialog"]
    assert len(boxes) == 1
    otp = boxes[0].password.text()  # type: ignore[attr-defined]
    assert auth.login(owner_ctx, "lan@shop.vn", otp).modules == {Module.ORDERS}

    # The same email again: refused in the dialog, nothing added.
    again = page.add_member()
    again.name.setText("Lan 2")
    again.email.setText("LAN@shop.vn")
    again.submit()
    qtbot.waitUntil(lambda: again.message.isVisible(), timeout=WAIT)
    assert "already used" in again.message.text()
    again.reject()

    page.select_email("lan@shop.vn")
    row = page.table.currentRow()
    assert page.table.item(row, COL_EMAIL).text() == "lan@shop.vn"
    asked: list[str] = []

    def no(*args: Any, **_k: Any) -> QMessageBox.StandardButton:
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    # Disabling signs the person out at once: asked first; No keeps the account.
    monkeypatch.setattr(QMessageBox, "question", no)
    page.toggle_active()
    assert asked == ["Disable Trần Lan's account? They are signed out at once and cannot "
                     "sign in until the account is enabled again."]  # fmt: skip
    qtbot.wait(200)
    assert page.table.item(row, COL_STATUS).text() == "Active (one-time password)"
    assert "staff.disable" not in actions(owner_ctx)
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)  # fmt: skip
    page.toggle_active()
    qtbot.waitUntil(lambda: page.table.item(row, COL_STATUS).text() == "Disabled", timeout=WAIT)
    page.select_email("lan@shop.vn")
    page.reset_selected()
    qtbot.waitUntil(lambda: len([w for w in page.children()
                                 if w.objectName() == "oneTimePasswordDialog"]) == 2,
                    timeout=WAIT)  # fmt: skip
    done = [a for a in actions(owner_ctx) if a != "user.login"]
    assert done[-3:] == ["staff.add", "staff.disable", "staff.password_reset"]

    page.lock_minutes.setValue(5)
    page.save_lock()
    qtbot.waitUntil(lambda: page.lock_message.text() == "Saved.", timeout=WAIT)
    assert staff.lock_minutes(owner_ctx) == 5


def test_staff_page_refuses_staff_users(qtbot: Any, owner_ctx: ServiceContext) -> None:
    helper = owner_ctx.with_actor(Actor(id=None, name="S", email="s@x.vn", role=Role.STAFF,
                                        modules=frozenset(Module)))  # fmt: skip
    page = show_widget(qtbot, StaffSettings(helper))
    assert page.not_allowed.isVisible() and not page.add_button.isEnabled()
    assert page.table.rowCount() == 0


def test_first_sign_in_dialog_sets_an_own_password(qtbot: Any, owner_ctx: ServiceContext) -> None:
    issued = staff.add_staff(owner_ctx, name="Hoa", email="hoa@shop.vn", role=Role.STAFF)
    hoa = owner_ctx.with_actor(auth.login(owner_ctx, "hoa@shop.vn", issued.one_time_password))
    dialog = ChoosePasswordDialog(hoa)
    qtbot.addWidget(dialog)
    dialog.new.setText("hoa-pass-99")
    dialog.repeat.setText("hoa-pass-99")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT):
        dialog.submit()
    assert dialog.actor is not None and not dialog.actor.must_change_password


def test_language_switches_and_is_remembered(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    page = show_widget(qtbot, LanguageSettings(owner_ctx))
    page.combo.activated.emit(page.combo.findData("vi"))  # picked in its list
    assert current_language() == "vi"
    assert page.title.text() == "Ngôn ngữ" or page.title.text() == "Language"
    ini = (settings.data_dir / "ui.ini").read_text(encoding="utf-8")
    assert "language=vi" in ini
    page.combo.activated.emit(page.combo.findData("en"))
    assert current_language() == "en"


def test_sync_schedule_saves_the_interval(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, SyncScheduleSettings(owner_ctx))
    assert page.minutes.value() == 10
    page.minutes.setValue(25)
    page.save.click()
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert schedule_settings.get_sync_interval(owner_ctx) == 25


def test_backup_now_list_and_restore_restarts_the_session(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    page = show_widget(qtbot, BackupSettings(owner_ctx))
    # A new shop has no backup yet: said under the empty list, not a blank table.
    qtbot.waitUntil(lambda: page.empty_note.isVisible(), timeout=WAIT)
    assert page.empty_note.text() == (
        "No backups yet. The app makes one every day while it runs; press Back up now to "
        "make one now."
    )
    with qtbot.waitSignal(page.backedUp, timeout=WAIT):
        page.backup_button.click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    assert not page.empty_note.isVisible()
    assert page.table.item(0, 2).text() == format_file_size(page.backups[0].size, "en")
    with owner_ctx.uow() as session:
        session.add(Shop(name="Sau sao lưu", channel=Channel.OFFLINE))

    # A file that is not a backup: refused with the reason, nothing asked, nothing changed.
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *_a: asked.append(text) or QMessageBox.StandardButton.Yes)  # noqa: E501  # fmt: skip
    junk = tmp_path / "notes.db"
    junk.write_text("không phải", encoding="utf-8")
    page.restore_file(junk)
    qtbot.waitUntil(lambda: page.message.isVisible() and "notes.db" in page.message.text(),
                    timeout=WAIT)  # fmt: skip
    assert asked == []

    page.table.selectRow(0)
    with qtbot.waitSignal(page.restored, timeout=WAIT) as restored:
        page.restore_selected()
    assert len(asked) == 1 and "Replace ALL current data" in asked[0]
    new_ctx: ServiceContext = restored.args[0]
    with Session(new_ctx.engine) as session:
        names = set(session.exec(select(Shop.name)).all())
    assert "Sau sao lưu" not in names
    assert backup.list_backups(new_ctx)[0].reason in ("pre-restore", "manual")
    new_ctx.engine.dispose()


def test_audit_log_filters_and_exports(
    qtbot: Any, owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    schedule_settings.set_sync_interval(owner_ctx, 20)
    page = show_widget(qtbot, AuditLogSettings(owner_ctx))
    # setup + the shop profile setting, the staff member, the sync interval setting
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=WAIT)
    assert page.count.text() == "4 rows"
    page.kind.setCurrentIndex(page.kind.findText("Staff"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT)
    action_col = [c.key for c in page.model.spec.columns].index("action")
    assert page.model.index(0, action_col).data() == "Staff member added"
    page.export_to(tmp_path / "audit.xlsx")
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    sheet = openpyxl.load_workbook(tmp_path / "audit.xlsx", read_only=True).active
    assert sheet is not None
    # the file keeps the codes (stable for whoever reads it with a program)
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert [r[header.index("Action")] for r in rows] == ["staff.add"]
    page.shutdown()


@pytest.mark.parametrize(
    ("size", "lang", "text"),
    [(500, "vi", "1 KB"), (820 * 1024, "en", "820 KB"), (42_047_898, "vi", "40,1 MB"),
     (42_047_898, "en", "40.1 MB"), (3 * 1024**3, "en", "3.0 GB")],
)  # fmt: skip
def test_file_sizes_read_as_people_say_them(size: int, lang: str, text: str) -> None:
    assert format_file_size(size, lang) == text
