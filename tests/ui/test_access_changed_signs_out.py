"""A staff member disabled, or with a module taken away, while signed in does not go on
browsing: the window checks the account again (on a timer, at every change of tab, after a
refusal) and goes back to the sign-in, saying why; every other window of the app closes.
Real GUI session, real migrated store, the owner acting through the services."""

from __future__ import annotations

from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from primedist.config import Settings
from primedist.domain.enums import Module, Role
from primedist.errors import PermissionDenied
from primedist.services import auth, staff
from primedist.services.context import AccountDisabled, ServiceContext
from primedist.ui import errors
from primedist.ui.app import GuiSession
from primedist.ui.main_window import ACCESS_CHECK_MS, MainWindow
from primedist.ui.messages import error_text
from primedist.ui.ops import Op

#: The real one (the `quiet` fixture replaces errors.show_error during the tests).
SHOW_ERROR = errors.show_error

WAIT = 10_000
DISABLED = "Your account was disabled: ask the shop owner."
CHANGED = "Your access was changed: sign in again."
pytestmark = pytest.mark.usefixtures("quiet")


def signed_in_staff(
    qtbot: Any,
    qapp: Any,
    ctx: ServiceContext,
    owner_ctx: ServiceContext,
    settings: Settings,
    *modules: Module,
) -> tuple[GuiSession, MainWindow, int]:
    """Lan, a staff member with `modules`, signed in to the app's window."""
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=modules)  # fmt: skip
    actor = auth.login(ctx, "lan@shop.vn", issued.one_time_password)
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(actor)  # not qtbot's to close: the session deletes it
    return session, main, issued.member.id


def back_at_sign_in(qtbot: Any, session: GuiSession, message: str) -> None:
    qtbot.waitUntil(lambda: session.main is None and session.welcome is not None, timeout=WAIT)
    welcome = session.welcome
    assert welcome is not None and not welcome.showing_setup
    qtbot.addWidget(welcome)
    page = welcome.login_page
    assert page.error.isVisibleTo(welcome) and page.error.text() == message
    # Nothing of the session is left on screen: only the sign-in.
    assert [w for w in QApplication.topLevelWidgets() if w.isVisible()] == [welcome]
    welcome.close()


def test_a_disabled_account_is_signed_out_by_the_timer_and_its_windows_close(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    session, main, lan = signed_in_staff(qtbot, qapp, ctx, owner_ctx, settings,
                                         Module.ORDERS, Module.CUSTOMERS)  # fmt: skip
    assert main.access_timer.isActive() and main.access_timer.interval() == ACCESS_CHECK_MS
    main.select_tab("orders")
    detail = QDialog(main)  # an order's detail, a customer's: showing the data
    QLabel("0901 234 567", detail)
    detail.show()
    account = main.open_account()
    main.access_timer.setInterval(50)  # no 30 s in a test
    assert main.check_access()  # nothing changed yet: still signed in
    assert session.main is main

    staff.set_active(owner_ctx, lan, False)  # the owner, on another PC
    back_at_sign_in(qtbot, session, DISABLED)
    assert not (shiboken6.isValid(detail) and detail.isVisible())
    assert not (shiboken6.isValid(account) and account.isVisible())


def test_a_refused_background_job_signs_a_disabled_account_out(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    """The refusal is not shown over the data (the `quiet` fixture: no error box), the job's
    own failure handler does not run: the sign-in says it."""
    from primedist.services import orders

    session, main, lan = signed_in_staff(qtbot, qapp, ctx, owner_ctx, settings, Module.ORDERS)
    staff.set_active(owner_ctx, lan, False)
    failed: list[BaseException] = []
    op: Op[object] = Op(main, lambda _job: orders.order_detail(main.ctx, 1))
    op.failure(failed.append).run()
    back_at_sign_in(qtbot, session, DISABLED)
    assert failed == []


def test_a_refusal_that_escaped_signs_a_disabled_account_out(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    """A service called on the UI thread whose refusal nobody caught (the excepthook)."""
    session, main, lan = signed_in_staff(qtbot, qapp, ctx, owner_ctx, settings, Module.ORDERS)
    staff.set_active(owner_ctx, lan, False)
    with pytest.raises(AccountDisabled) as refused:
        main.ctx.require(Module.ORDERS)
    errors._handle(AccountDisabled, refused.value, None)
    back_at_sign_in(qtbot, session, DISABLED)


def test_a_module_taken_away_signs_out_at_the_next_tab_and_one_given_does_not(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    session, main, lan = signed_in_staff(qtbot, qapp, ctx, owner_ctx, settings,
                                         Module.ORDERS, Module.CUSTOMERS)  # fmt: skip
    assert set(main.tab_pages) == {"home", "orders", "customers"}
    # Given Analytics: a right more is no reason to end her work.
    staff.update_staff(owner_ctx, lan, name="Lan", role=Role.STAFF,
                       modules=[Module.ORDERS, Module.CUSTOMERS, Module.ANALYTICS])  # fmt: skip
    main.select_tab("orders")
    assert session.main is main and main.check_access()
    # Customers taken away: the next tab she opens ends the session (the Customers tab,
    # with its phone numbers, is never shown again).
    staff.update_staff(owner_ctx, lan, name="Lan", role=Role.STAFF,
                       modules=[Module.ORDERS, Module.ANALYTICS])  # fmt: skip
    main.select_tab("customers")
    back_at_sign_in(qtbot, session, CHANGED)


def test_a_manager_made_staff_is_signed_out(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    """Every module kept, the role lost (the Staff page was hers): signed out too."""
    issued = staff.add_staff(owner_ctx, name="Mai", email="mai@shop.vn", role=Role.MANAGER,
                             modules=[])  # fmt: skip
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(auth.login(ctx, "mai@shop.vn", issued.one_time_password))
    staff.update_staff(owner_ctx, issued.member.id, name="Mai", role=Role.STAFF,
                       modules=list(Module))  # fmt: skip
    assert not main.check_access()
    back_at_sign_in(qtbot, session, CHANGED)


def test_the_owner_s_window_keeps_going_and_a_plain_refusal_is_shown(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    """A refusal of another kind is a message as before; the account is fine."""
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(owner_ctx.actor)
    qtbot.addWidget(main)

    def refused(_job: object) -> None:
        raise PermissionDenied("No.")

    shown: list[str] = []
    op: Op[None] = Op(main, refused)
    op.failure(lambda exc: shown.append(str(exc))).run()
    qtbot.waitUntil(lambda: shown == ["No."], timeout=WAIT)
    assert session.main is main and main.check_access()
    main.close()


def test_a_refusal_a_page_caught_and_showed_checks_the_account(
    qtbot: Any,
    qapp: Any,
    ctx: ServiceContext,
    owner_ctx: ServiceContext,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page that calls a service itself and shows its refusal (errors.show_error): once
    the box is closed, the account is checked again and the session ends."""
    from PySide6.QtWidgets import QMessageBox

    session, main, lan = signed_in_staff(qtbot, qapp, ctx, owner_ctx, settings, Module.ORDERS)
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: boxes.append(text))
    staff.update_staff(owner_ctx, lan, name="Lan", role=Role.STAFF, modules=[Module.PRODUCTS])
    with pytest.raises(PermissionDenied) as refused:
        main.ctx.require(Module.ORDERS)
    SHOW_ERROR(main, error_text(refused.value))
    assert boxes == ["Lan has no access to Orders: ask the shop owner."]
    back_at_sign_in(qtbot, session, CHANGED)
