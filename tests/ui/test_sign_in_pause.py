"""Wrong passwords on the sign-in screen and the lock screen: after five in a row the
screen says how long the account's sign-ins are paused, and Settings → Audit log shows
each failed attempt in words. Real windows on a real migrated store."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.domain.enums import Role
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from primedist.ui.lock import LockDialog
from primedist.ui.settings.audit import AuditLogSettings
from primedist.ui.welcome import WelcomeWindow
from tests.conftest import OWNER_EMAIL
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")
PAUSED = "Too many wrong passwords for {email}: sign-in is paused. Try again in 30 seconds."


def sign_in(qtbot: Any, window: WelcomeWindow, email: str, password: str) -> str:
    page = window.login_page
    page.email.setText(email)
    page.password.setText(password)
    page.error.hide()
    page.button.click()
    qtbot.waitUntil(lambda: page.error.isVisible() and page.button.isEnabled(), timeout=WAIT)
    return page.error.text()


def test_the_sign_in_screen_says_how_long_to_wait(qtbot: Any, owner_ctx: ServiceContext) -> None:
    window = show_widget(qtbot, WelcomeWindow(owner_ctx), 560, 620)
    assert not window.showing_setup
    shown = [sign_in(qtbot, window, OWNER_EMAIL, "not-the-password") for _ in range(5)]
    assert shown[:4] == ["Wrong email or password."] * 4
    assert shown[4] == PAUSED.format(email=OWNER_EMAIL)


def test_the_lock_screen_says_how_long_to_wait_and_the_log_shows_the_attempts(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    lan = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    staff.choose_password(lan, "lan-own-pass")
    lock = show_widget(qtbot, LockDialog(lan), 420, 240)
    for attempt in range(5):
        lock.password.setText("not-her-password")
        lock.message.hide()
        lock.try_unlock()
        qtbot.waitUntil(lambda: lock.message.isVisible() and lock.unlock_button.isEnabled(),
                        timeout=WAIT)  # fmt: skip
        expected = "Wrong password." if attempt < 4 else PAUSED.format(email="lan@shop.vn")
        assert lock.message.text() == expected

    page = show_widget(qtbot, AuditLogSettings(owner_ctx))
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=WAIT)
    cols = [c.key for c in page.model.spec.columns]
    rows = [{key: page.model.index(r, i).data() or "" for i, key in enumerate(cols)}
            for r in range(page.model.rowCount())]  # fmt: skip
    failed = [r for r in rows if r["action"] == "Sign-in failed"]
    assert len(failed) == 5 and {r["user"] for r in failed} == {"Lan"}
    assert failed[0]["after"] == "wrong passwords in a row: 5; sign-in paused for (seconds): 30"
    assert failed[-1]["after"] == "wrong passwords in a row: 1"
    page.shutdown()
