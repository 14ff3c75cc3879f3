"""Switch user starts the sign-in empty, the cursor in the email: with the last person's
email offered (the cursor in the password), the next person typed their password into
that account and it counted as that person's failed sign-in. Lock (the same person comes
back) asks only their password; a session restarted after a restore keeps the email."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings

from primedist.config import Settings
from primedist.services import backup
from primedist.services.context import ServiceContext
from primedist.ui.app import GuiSession
from primedist.ui.lock import LockDialog
from primedist.ui.welcome import LAST_EMAIL_KEY, WelcomeWindow
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "quiet")


@pytest.fixture
def session(qapp: Any, ctx: ServiceContext, settings: Settings) -> GuiSession:
    """The owner signed in on this PC before (ui.ini offers their email)."""
    prefs = QSettings(str(settings.data_dir / "ui.ini"), QSettings.Format.IniFormat)
    prefs.setValue(LAST_EMAIL_KEY, OWNER_EMAIL)
    prefs.sync()
    return GuiSession(qapp, settings, ctx)


def sign_in_form(qtbot: Any, session: GuiSession) -> WelcomeWindow:
    assert session.main is None
    welcome = session.welcome
    assert welcome is not None and not welcome.showing_setup
    qtbot.addWidget(welcome)
    welcome.activateWindow()
    qtbot.waitUntil(welcome.isActiveWindow, timeout=WAIT)
    return welcome


def test_switch_user_from_the_menu_starts_with_an_empty_email(
    qtbot: Any, session: GuiSession, owner_ctx: ServiceContext
) -> None:
    main = session.open_main(owner_ctx.actor)  # closed and deleted by the switch
    main.switch_user_asked()
    welcome = sign_in_form(qtbot, session)
    page = welcome.login_page
    assert page.email.text() == ""
    qtbot.waitUntil(page.email.hasFocus, timeout=WAIT)
    welcome.close()


def test_switch_user_from_the_lock_starts_with_an_empty_email(
    qtbot: Any, session: GuiSession, owner_ctx: ServiceContext
) -> None:
    main = session.open_main(owner_ctx.actor)  # closed and deleted by the switch
    lock = main.lock()
    assert isinstance(lock, LockDialog)
    lock.switch_button.click()
    welcome = sign_in_form(qtbot, session)
    assert welcome.login_page.email.text() == ""
    qtbot.waitUntil(welcome.login_page.email.hasFocus, timeout=WAIT)
    welcome.close()


def test_lock_brings_the_same_person_back_with_only_their_password(
    qtbot: Any, session: GuiSession, owner_ctx: ServiceContext
) -> None:
    main = session.open_main(owner_ctx.actor)
    qtbot.addWidget(main)
    lock = main.lock()
    assert isinstance(lock, LockDialog)
    assert owner_ctx.actor.name in lock.text.text()
    lock.activateWindow()
    qtbot.waitUntil(lock.password.hasFocus, timeout=WAIT)
    lock.password.setText(OWNER_PASSWORD)
    with qtbot.waitSignal(lock.unlocked, timeout=WAIT):
        lock.try_unlock()
    assert session.main is main and session.welcome is None
    assert main.ctx.actor.email == OWNER_EMAIL
    main.close()


def test_a_restarted_session_offers_the_last_email(
    qtbot: Any, session: GuiSession, owner_ctx: ServiceContext
) -> None:
    """After a restore, who restored signs in again: their email, the cursor in the password."""
    main = session.open_main(owner_ctx.actor)  # closed and deleted by the restart
    new_ctx, _safety = backup.restore(owner_ctx, backup.backup_now(owner_ctx))
    main.restart_session(new_ctx)
    welcome = sign_in_form(qtbot, session)
    assert welcome.login_page.email.text() == OWNER_EMAIL
    qtbot.waitUntil(welcome.login_page.password.hasFocus, timeout=WAIT)
    welcome.close()
    new_ctx.engine.dispose()
