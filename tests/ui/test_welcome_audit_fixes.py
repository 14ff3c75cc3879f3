"""The setup form (Enter submits; a refused value puts the cursor in its own field; a
password of spaces is refused), the first backup right after the setup, and the audit log
in the reader's words (the row count after a language switch, the system user, the fields
and values of Before/After, a setting by its name)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from primedist.config import Settings
from primedist.domain.enums import Module, Role
from primedist.jobs import backup as backup_jobs
from primedist.jobs.scheduler import AppScheduler
from primedist.services import auth, backup, staff
from primedist.services.context import ServiceContext
from primedist.ui.app import GuiSession
from primedist.ui.i18n import install_language
from primedist.ui.settings.audit import AuditLogSettings
from primedist.ui.welcome import WelcomeWindow
from tests.ui.support import WAIT, show_widget
from tests.ui.test_translations import vietnamese


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    install_language("en")
    yield
    install_language("en")


def switch_language(qtbot: Any, lang: str) -> None:
    install_language(lang)
    QApplication.processEvents()  # LanguageChange reaches every widget
    qtbot.wait(1)


# The setup form --------------------------------------------------------------------------
def welcome(qtbot: Any, ctx: ServiceContext) -> WelcomeWindow:
    window = show_widget(qtbot, WelcomeWindow(ctx), 560, 620)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    return window


def fill_setup(window: WelcomeWindow, email: str, password: str = "mật-khẩu-dài") -> None:
    page = window.setup_page
    for edit, value in ((page.shop_name, "Cửa hàng Lan"), (page.owner_name, "Lan"),
                        (page.email, email), (page.password, password),
                        (page.confirm, password)):  # fmt: skip
        edit.setText(value)


def wait_for_error(qtbot: Any, window: WelcomeWindow) -> str:
    page = window.setup_page
    qtbot.waitUntil(lambda: page.error.isVisible() and page.button.isEnabled(), timeout=WAIT)
    return page.error.text()


def test_enter_in_the_setup_form_creates_the_shop(qtbot: Any, ctx: ServiceContext) -> None:
    window = welcome(qtbot, ctx)
    fill_setup(window, "lan@shop.vn")
    window.setup_page.confirm.setFocus()
    with qtbot.waitSignal(window.signedIn, timeout=WAIT) as signed:
        qtbot.keyClick(window.setup_page.confirm, Qt.Key.Key_Return)
    assert signed.args[0].email == "lan@shop.vn"
    assert auth.shop_profile(ctx)["name"] == "Cửa hàng Lan"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_bad_email_puts_the_cursor_in_the_email_field(
    qtbot: Any, ctx: ServiceContext, lang: str
) -> None:
    switch_language(qtbot, lang)
    window = welcome(qtbot, ctx)
    page = window.setup_page
    fill_setup(window, "lan@")
    page.email.setFocus()
    with qtbot.assertNotEmitted(window.signedIn, wait=0):
        qtbot.keyClick(page.email, Qt.Key.Key_Return)  # Enter in the email field submits
        shown = wait_for_error(qtbot, window)
    source = "That is not a valid email address."
    assert shown == (source if lang == "en" else vietnamese("WelcomeWindow", source))
    assert window.focusWidget() is page.email  # not the shop name, the first field
    assert page.email.hasFocus() and page.email.selectedText() == "lan@"
    assert auth.needs_setup(ctx.engine)


def test_different_passwords_put_the_cursor_in_the_repeat_field(
    qtbot: Any, ctx: ServiceContext
) -> None:
    window = welcome(qtbot, ctx)
    page = window.setup_page
    fill_setup(window, "lan@shop.vn")
    page.confirm.setText("another-password")
    page.password.setFocus()
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    assert page.error.text() == "The two passwords differ."
    assert window.focusWidget() is page.confirm
    assert page.confirm.selectedText() == "another-password"


def test_a_password_of_spaces_is_refused_at_setup(qtbot: Any, ctx: ServiceContext) -> None:
    window = welcome(qtbot, ctx)
    page = window.setup_page
    fill_setup(window, "lan@shop.vn", " " * 8)
    page.button.click()
    assert wait_for_error(qtbot, window) == "The password cannot be only spaces."
    assert window.focusWidget() is page.password
    assert auth.needs_setup(ctx.engine)


# The first backup, right after the setup ---------------------------------------------------
def test_the_first_backup_is_due_at_once_after_the_setup(
    qtbot: Any, qapp: Any, ctx: ServiceContext, settings: Settings
) -> None:
    session = GuiSession(qapp, settings, ctx)
    session.scheduler = AppScheduler(ctx)  # not started: its jobs wait to be scheduled
    window = session.show_welcome()  # deleted once the main window shows
    assert window.showing_setup
    fill_setup(window, "lan@shop.vn")
    window.setup_page.button.click()
    qtbot.waitUntil(lambda: session.main is not None, timeout=WAIT)
    main = session.main
    assert main is not None
    qtbot.addWidget(main)

    job = session.scheduler.scheduler.get_job(backup_jobs.JOB_ID)
    assert job is not None
    due = job.next_run_time
    assert due is not None and due <= datetime.now(UTC) + timedelta(seconds=1)  # not in an hour
    main.close()


def test_signing_in_does_not_hurry_the_backup(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings
) -> None:
    session = GuiSession(qapp, settings, ctx)
    session.scheduler = AppScheduler(ctx)
    main = session.open_main(owner_ctx.actor)
    qtbot.addWidget(main)
    job = session.scheduler.scheduler.get_job(backup_jobs.JOB_ID)
    assert job is not None and not hasattr(job, "next_run_time")  # as the trigger says
    main.close()


# The audit log -----------------------------------------------------------------------------
@pytest.fixture
def logged(owner_ctx: ServiceContext) -> ServiceContext:
    """setup + shop profile (the owner), a staff member added and changed, the backups kept
    setting, a row of the scheduler: 6 rows."""
    lan = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                          modules=[Module.ORDERS]).member  # fmt: skip
    staff.update_staff(owner_ctx, lan.id, name="Lan", role=Role.STAFF,
                       modules=[Module.ORDERS, Module.PRODUCTS])  # fmt: skip
    backup.set_backup_keep(owner_ctx, 7)
    system = ServiceContext(owner_ctx.engine, clock=owner_ctx.clock)
    with system.uow() as session:
        system.audit(session, "ranks.recompute", summary="ranks")
    return owner_ctx


def rows_of(page: AuditLogSettings) -> list[dict[str, str]]:
    """Each row's cells by column key."""
    cols = [c.key for c in page.model.spec.columns]
    return [{key: page.model.index(r, i).data() or "" for i, key in enumerate(cols)}
            for r in range(page.model.rowCount())]  # fmt: skip


def cells(page: AuditLogSettings, action: str) -> dict[str, str]:
    found = [row for row in rows_of(page) if row["action"] == action]
    assert len(found) == 1, rows_of(page)
    return found[0]


def test_the_audit_log_reads_in_english(qtbot: Any, logged: ServiceContext) -> None:
    page = show_widget(qtbot, AuditLogSettings(logged))
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=WAIT)
    assert page.count.text() == "6 rows"

    assert cells(page, "Customer ranks recomputed")["user"] == "System"
    assert cells(page, "Shop set up")["user"] == "Chủ Thử"
    edited = cells(page, "Staff member edited")  # only what changed: the modules
    assert edited["before"] == "access to: Orders"
    assert edited["after"] == "access to: Orders, Products"
    by_record = {row["entity"]: row for row in rows_of(page) if row["action"] == "Setting changed"}
    assert by_record["setting: backups kept"]["after"] == "7"
    assert by_record["setting: backups kept"]["before"] == "10"  # the default in effect
    assert by_record["setting: shop details"]["after"] == "name: Cửa hàng Thử"
    page.shutdown()


def test_the_audit_log_follows_a_switch_to_vietnamese(qtbot: Any, logged: ServiceContext) -> None:
    page = show_widget(qtbot, AuditLogSettings(logged))
    qtbot.waitUntil(lambda: page.model.rowCount() == 6, timeout=WAIT)
    assert page.count.text() == "6 rows"

    switch_language(qtbot, "vi")
    assert page.count.text() == "6 dòng"  # not left in the language it was counted in
    system = vietnamese("audit", "Customer ranks recomputed")
    qtbot.waitUntil(lambda: system in [r["action"] for r in rows_of(page)], timeout=WAIT)
    assert cells(page, system)["user"] == "Hệ thống"
    edited = cells(page, vietnamese("audit", "Staff member edited"))

    def field(name: str, value: str) -> str:
        return f"{vietnamese('audit', name)}: {value}"

    assert edited["before"] == field("access to", vietnamese("enum", "Orders"))
    products = vietnamese("enum", "Products")
    assert edited["after"] == field("access to", f"{vietnamese('enum', 'Orders')}, {products}")
    records = {r["entity"] for r in rows_of(page)}
    assert f"{vietnamese('audit', 'setting')}: {vietnamese('audit', 'backups kept')}" in records

    switch_language(qtbot, "en")
    assert page.count.text() == "6 rows"
    page.shutdown()


def test_the_export_and_the_cli_keep_the_system_code(
    logged: ServiceContext, tmp_path: Path
) -> None:
    import openpyxl

    from primedist.services import audit_log

    rows = audit_log.list_events(logged, audit_log.AuditFilter(user_id=audit_log.SYSTEM_USER))
    assert [r["user"] for r in rows] == ["system"]
    report = audit_log.export_audit(logged, tmp_path / "a.xlsx", audit_log.AuditFilter())
    sheet = openpyxl.load_workbook(report.path, read_only=True).active
    assert sheet is not None
    users = {r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert users == {"system", "Chủ Thử"}


def test_before_and_after_name_fields_and_values(qapp: Any) -> None:
    from primedist.ui.settings.audit import changes_text
    from primedist.ui.settings.audit_labels import record_label

    assert changes_text('{"role": "manager", "modules": [], "is_active": false}') == (
        "role: Manager; access to: —; active: No"
    )
    assert changes_text('{"method": "bank_transfer", "amount": 150000}') == (
        "payment method: Bank transfer; amount: 150000"
    )
    assert changes_text('{"dropped_addresses": ["12 Lê Lợi", "3 Hai Bà Trưng"]}') == (
        "dropped addresses: 12 Lê Lợi, 3 Hai Bà Trưng"
    )  # an unknown field, readable
    assert changes_text('{"lines": [[3, 2, 50000]], "rule": {"field": "price"}}') == (
        "lines: (3, 2, 50000); rule: which price: selling price"
    )
    assert changes_text("true") == "Yes" and changes_text("7") == "7"  # a setting's value
    assert changes_text('"Cửa hàng"') == "Cửa hàng"
    assert changes_text("not json") == "not json"
    assert record_label("setting loyalty.earn_per") == "setting: VND per point earned"
    assert record_label("setting printing.template.receipt") == "setting: print template receipt"
    assert record_label("setting some.new_key") == "setting: some.new_key"
