"""First run on a shop's own PC: the sign-in offers the email last signed in with here (from
ui.ini, never the password) with the cursor in the password, and the setup says under its
password fields that a forgotten owner password takes a command on this computer."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.config import Settings
from primedist.domain.enums import Role
from primedist.services import staff
from primedist.services.context import ServiceContext
from primedist.ui.welcome import WelcomeWindow
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "quiet")


def opened(qtbot: Any, ctx: ServiceContext) -> WelcomeWindow:
    window = show_widget(qtbot, WelcomeWindow(ctx), 560, 620)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    return window


def sign_in(qtbot: Any, window: WelcomeWindow, email: str, password: str) -> None:
    page = window.login_page
    page.email.setText(email)
    page.password.setText(password)
    with qtbot.waitSignal(window.signedIn, timeout=WAIT):
        page.button.click()
    window.close()


def ui_ini(settings: Settings) -> str:
    return (settings.data_dir / "ui.ini").read_text(encoding="utf-8")


def test_the_setup_says_a_forgotten_password_takes_the_command_line_and_its_email_is_offered(
    qtbot: Any, ctx: ServiceContext, settings: Settings
) -> None:
    window = opened(qtbot, ctx)
    assert window.showing_setup
    note = window.setup_page.password_note
    assert note.isVisible() and "command" in note.text() and "this computer" in note.text()
    page = window.setup_page
    for edit, value in ((page.shop_name, "Gốm Cô Hạnh"), (page.owner_name, "Hạnh"),
                        (page.email, "hanh@gom.vn"), (page.password, "mat-khau-dai"),
                        (page.confirm, "mat-khau-dai")):  # fmt: skip
        edit.setText(value)
    with qtbot.waitSignal(window.signedIn, timeout=WAIT):
        page.button.click()
    window.close()

    again = opened(qtbot, ctx)
    assert not again.showing_setup
    assert again.login_page.email.text() == "hanh@gom.vn"
    qtbot.waitUntil(lambda: again.login_page.password.hasFocus(), timeout=WAIT)
    assert "mat-khau-dai" not in ui_ini(settings)


def test_the_sign_in_offers_the_last_email_signed_in_with_on_this_pc(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    first = opened(qtbot, owner_ctx)
    assert first.login_page.email.text() == ""  # nobody signed in here yet
    assert first.login_page.email.hasFocus()
    sign_in(qtbot, first, OWNER_EMAIL, OWNER_PASSWORD)
    assert opened(qtbot, owner_ctx).login_page.email.text() == OWNER_EMAIL

    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    sign_in(qtbot, opened(qtbot, owner_ctx), "lan@shop.vn", issued.one_time_password)
    window = opened(qtbot, owner_ctx)
    assert window.login_page.email.text() == "lan@shop.vn"
    qtbot.waitUntil(lambda: window.login_page.password.hasFocus(), timeout=WAIT)
    text = ui_ini(settings)
    assert OWNER_PASSWORD not in text and issued.one_time_password not in text

    # A wrong password is no sign-in: the email kept is the last one that got in.
    page = window.login_page
    page.email.setText("nobody@shop.vn")
    page.password.setText("wrong-password")
    page.button.click()
    qtbot.waitUntil(lambda: page.error.isVisible() and page.button.isEnabled(), timeout=WAIT)
    window.close()
    assert opened(qtbot, owner_ctx).login_page.email.text() == "lan@shop.vn"
