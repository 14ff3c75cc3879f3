"""Locking the window after idle minutes, the lock screen, Switch user, the first sign-in
with a one-time password, and the session restarting after a restore."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from primedist.config import Settings
from primedist.domain.enums import Module, Role
from primedist.services import backup, staff
from primedist.services.context import ServiceContext
from primedist.ui.app import GuiSession, ui_settings_for
from primedist.ui.lock import IdleWatcher, LockDialog
from primedist.ui.main_window import MainWindow
from primedist.ui.settings.account import ChoosePasswordDialog
from tests.conftest import OWNER_PASSWORD

WAIT = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


def press_key(widget: Any) -> None:
    """A key press the way the platform delivers it: to the widget's window first."""
    target = widget.window().windowHandle()
    assert target is not None, "show the widget first"
    QApplication.sendEvent(target, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A,
                                             Qt.KeyboardModifier.NoModifier, "a"))  # fmt: skip


def test_idle_watcher_fires_after_quiet_time_and_input_postpones_it(qtbot: Any, qapp: Any) -> None:
    from PySide6.QtWidgets import QLineEdit

    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    watcher = IdleWatcher(edit, 0)
    assert not watcher.active  # 0 minutes: never locks
    watcher.set_interval_ms(400)
    fired: list[int] = []
    watcher.idle.connect(lambda: fired.append(1))
    for _ in range(6):  # input every 100 ms for 600 ms: still not idle
        qtbot.wait(100)
        press_key(edit)
    assert fired == []
    qtbot.waitUntil(lambda: fired == [1], timeout=WAIT)
    watcher.stop()


def test_idle_main_window_locks_and_the_password_unlocks(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    staff.set_lock_minutes(owner_ctx, 7)
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    window.show()
    assert window.idle.active and window.idle._timer.interval() == 7 * 60_000
    window.idle.set_interval_ms(50)
    qtbot.waitUntil(lambda: window.lock_dialog is not None, timeout=WAIT)
    dialog = window.lock_dialog
    assert isinstance(dialog, LockDialog)
    central = window.centralWidget()
    assert central is not None and not central.isVisible()  # the data is hidden
    dialog.reject()  # Escape does not unlock
    assert window.lock_dialog is dialog and not central.isVisible()

    dialog.password.setText("wrong-one")
    dialog.try_unlock()
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=WAIT)
    assert dialog.message.text() == "Wrong password."
    dialog.password.setText(OWNER_PASSWORD)
    with qtbot.waitSignal(dialog.unlocked, timeout=WAIT):
        dialog.try_unlock()
    assert window.lock_dialog is None and central.isVisible() and window.idle.active
    window.close()


def test_switch_user_goes_back_to_the_sign_in(
    qtbot: Any, qapp: Any, owner_ctx: ServiceContext, ctx: ServiceContext, settings: Settings
) -> None:
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(owner_ctx.actor)
    qtbot.addWidget(main)
    lock = main.lock()
    assert isinstance(lock, LockDialog)
    lock.switch_button.click()
    assert session.main is None
    assert session.welcome is not None and not session.welcome.showing_setup
    qtbot.addWidget(session.welcome)
    session.welcome.close()


def test_a_staff_member_chooses_a_password_at_first_sign_in(
    qtbot: Any, qapp: Any, owner_ctx: ServiceContext, ctx: ServiceContext, settings: Settings
) -> None:
    from primedist.services import auth

    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=[Module.ORDERS])  # fmt: skip
    actor = auth.login(ctx, "lan@shop.vn", issued.one_time_password)
    session = GuiSession(qapp, settings, ctx)
    welcome = session.show_welcome()
    qtbot.addWidget(welcome)

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ChoosePasswordDialog):
            QTimer.singleShot(50, fill)
            return
        dialog.new.setText("lan-own-pass")
        dialog.repeat.setText("lan-own-pass")
        dialog.submit()

    QTimer.singleShot(50, fill)
    main = session.signed_in(actor)
    assert main is not None
    qtbot.addWidget(main)
    assert set(main.tab_pages) == {"home", "orders"}
    assert not main.ctx.actor.must_change_password
    assert auth.login(ctx, "lan@shop.vn", "lan-own-pass").email == "lan@shop.vn"
    main.close()


def test_restore_restarts_the_session_on_the_restored_data(
    qtbot: Any, qapp: Any, owner_ctx: ServiceContext, ctx: ServiceContext, settings: Settings
) -> None:
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(owner_ctx.actor)
    qtbot.addWidget(main)
    saved = backup.backup_now(owner_ctx)
    new_ctx, _safety = backup.restore(owner_ctx, saved)
    main.restart_session(new_ctx)
    assert session.main is None and session.welcome is not None
    assert session.ctx.engine is new_ctx.engine and session.ctx.actor.id is None
    qtbot.addWidget(session.welcome)
    session.welcome.close()
    new_ctx.engine.dispose()


def sign_in_staff(owner_ctx: ServiceContext, *modules: Module) -> tuple[ServiceContext, int]:
    """Lan, a staff member with `modules`, signed in with her own password."""
    from primedist.services import auth

    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=modules)  # fmt: skip
    first = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    return owner_ctx.with_actor(staff.choose_password(first, "lan-own-pass")), issued.member.id


def unlock(qtbot: Any, window: MainWindow, password: str) -> None:
    dialog = window.lock_dialog
    assert isinstance(dialog, LockDialog)
    dialog.password.setText(password)
    with qtbot.waitSignal(dialog.unlocked, timeout=WAIT):
        dialog.try_unlock()
    assert window.lock_dialog is None


class _ShowCounter(QObject):
    """Counts the Show events of the widget it watches."""

    def __init__(self, shown: list[int]) -> None:
        super().__init__()
        self.shown = shown

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt)
        if event.type() == QEvent.Type.Show:
            self.shown.append(1)
        return False


def test_the_lock_hides_every_other_window_and_unlocking_shows_them_again(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    window.show()
    account = window.open_account()  # window-modal (open())
    detail = QDialog(window)  # a customer's detail, the sync panel: shown non-modal
    detail.setWindowTitle("Nguyễn Văn An")
    QLabel("0901 234 567", detail)
    detail.show()

    lock = window.lock()
    assert not account.isVisible() and not detail.isVisible()
    assert lock.isVisible() and lock.windowModality() == Qt.WindowModality.ApplicationModal
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()
            and w not in (window, lock)] == []  # fmt: skip

    # A window opening while locked (a background job's message) is hidden too; one in
    # its own event loop keeps running, emptied, and the lock screen stays on top.
    late = QDialog(window)
    late.show()
    qtbot.waitUntil(lambda: not late.isVisible(), timeout=WAIT)
    box = QMessageBox(QMessageBox.Icon.Warning, "Khách Nguyễn Văn An", "Còn nợ 500.000 đ",
                      QMessageBox.StandardButton.Ok, window)  # fmt: skip
    answers: list[int] = []
    states: list[tuple[bool, str, bool]] = []

    typed: list[tuple[bool, str, int]] = []

    def while_running() -> None:
        try:  # the box is answered whatever happens: its exec() must come back
            qtbot.waitUntil(lambda: box.windowTitle() == lock.windowTitle(), timeout=WAIT)
            label = next(w for w in box.findChildren(QLabel) if w.text() == "Còn nợ 500.000 đ")
            states.append((box.isVisible(), box.windowTitle(), label.isVisible()))
            on_top = QApplication.activeModalWidget() is lock  # the password takes the input
            # Typed slowly while the lock watches for windows (every 200 ms): every key
            # stays, the lock screen is not hidden and shown again over the emptied box.
            shown: list[int] = []
            lock.installEventFilter(watcher := _ShowCounter(shown))
            for key in "ab":
                qtbot.keyClicks(lock.password, key)
                qtbot.wait(450)
            lock.removeEventFilter(watcher)
            typed.append((on_top, lock.password.text(), len(shown)))
            unlock(qtbot, window, OWNER_PASSWORD)
            states.append((box.isVisible(), box.windowTitle(), label.isVisible()))
        finally:
            box.accept()

    QTimer.singleShot(0, while_running)
    answers.append(box.exec())
    assert typed == [(True, "ab", 0)]
    assert states == [(True, "Locked", False), (True, "Khách Nguyễn Văn An", True)]
    assert answers == [QDialog.DialogCode.Accepted.value]  # not ended by the lock

    assert account.isVisible() and detail.isVisible() and late.isVisible()
    assert detail.windowTitle() == "Nguyễn Văn An"
    central = window.centralWidget()
    assert central is not None and central.isVisible()
    window.close()


def test_a_dialog_ended_while_locked_is_not_shown_again(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    from PySide6.QtWidgets import QDialog

    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    window.show()
    done = QDialog(window)
    done.show()
    window.lock()
    done.accept()  # its job finished meanwhile
    unlock(qtbot, window, OWNER_PASSWORD)
    assert not done.isVisible()
    window.close()


def test_unlocking_uses_the_account_as_it_stands_now(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    """Modules taken away or given while locked: the tabs are rebuilt for the fresh actor
    and the windows opened under the old rights are closed, not shown again."""
    from PySide6.QtWidgets import QDialog

    lan, lan_id = sign_in_staff(owner_ctx, Module.ORDERS, Module.CUSTOMERS)
    window = MainWindow(lan, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    window.show()
    assert set(window.tab_pages) == {"home", "orders", "customers"}
    window.select_tab("orders")
    detail = QDialog(window)
    detail.show()
    window.lock()
    staff.update_staff(owner_ctx, lan_id, name="Lan Trần", role=Role.STAFF,
                       modules=[Module.ORDERS, Module.ANALYTICS])  # fmt: skip
    unlock(qtbot, window, "lan-own-pass")

    assert set(window.tab_pages) == {"home", "analytics", "orders"}
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Home", "Analytics", "Orders"]  # fmt: skip
    assert window.tabs.currentWidget() is window.tab_pages["orders"]
    assert window.ctx.actor.modules == {Module.ORDERS, Module.ANALYTICS}
    assert window.user_button.text() == "Lan Trần"
    assert not detail.isVisible()  # opened under the old rights: closed
    qtbot.waitUntil(lambda: window.tabs.count() == 3, timeout=WAIT)
    window.close()


def test_unlocking_with_the_same_rights_keeps_the_tabs(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    from PySide6.QtWidgets import QDialog

    lan, lan_id = sign_in_staff(owner_ctx, Module.ORDERS)
    window = MainWindow(lan, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    window.show()
    tabs = dict(window.tab_pages)
    detail = QDialog(window)
    detail.show()
    window.lock()
    staff.update_staff(owner_ctx, lan_id, name="Lan Trần", role=Role.STAFF,
                       modules=[Module.ORDERS])  # fmt: skip
    unlock(qtbot, window, "lan-own-pass")
    assert window.tab_pages == tabs and detail.isVisible()
    assert window.ctx.actor.name == "Lan Trần" and window.user_button.text() == "Lan Trần"
    window.close()


def test_switch_user_from_the_lock_closes_the_hidden_windows(
    qtbot: Any, qapp: Any, owner_ctx: ServiceContext, ctx: ServiceContext, settings: Settings
) -> None:
    from PySide6.QtWidgets import QDialog

    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(owner_ctx.actor)
    qtbot.addWidget(main)
    loose = QDialog()  # no parent: it would outlive the main window
    qtbot.addWidget(loose)
    loose.show()
    ended: list[int] = []
    loose.finished.connect(ended.append)
    lock = main.lock()
    assert isinstance(lock, LockDialog) and not loose.isVisible()
    lock.switch_button.click()
    assert session.main is None and ended == [QDialog.DialogCode.Rejected.value]
    assert not loose.isVisible()
    assert session.welcome is not None
    qtbot.addWidget(session.welcome)
    session.welcome.close()
