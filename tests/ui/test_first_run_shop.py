"""A real shop's first run: a restore says that the backup's accounts and passwords come
back (and the sign-in after it says so too); setup asks for the address, phone and tax
code the receipts print, and Home's Getting started has that step; staff without Settings
are told to ask the owner instead of being sent there; Forgot your password? says who asks
whom."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from primedist.config import Settings
from primedist.core.clock import format_datetime, shop_tz
from primedist.domain.enums import Module, Role
from primedist.errors import AuthenticationError, ValidationError
from primedist.printing.content import ShopDetails
from primedist.printing.store import load_shop_details, save_shop_details
from primedist.services import auth, backup, reports, staff
from primedist.services.context import ServiceContext
from primedist.ui.app import GuiSession, ui_settings_for
from primedist.ui.home.first_steps import DONE, STEPS, TODO
from primedist.ui.home.page import HomePage
from primedist.ui.main_window import MainWindow
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.settings.backup import BackupSettings
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.shop import ShopSettings
from primedist.ui.welcome import RecoveryDialog, WelcomeWindow
from tests.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def staff_with(owner_ctx: ServiceContext, *modules: Module) -> ServiceContext:
    """Lan, a staff member with `modules`, signed in with her own password."""
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=modules)  # fmt: skip
    first = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    return owner_ctx.with_actor(staff.choose_password(first, "lan-own-pass"))


# Bug 1: a restore brings the backup's accounts and passwords back ----------------------
def test_a_restore_says_the_old_passwords_come_back_and_the_sign_in_says_so_too(
    qtbot: Any, qapp: Any, ctx: ServiceContext, owner_ctx: ServiceContext, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    backup.backup_now(owner_ctx)
    (taken,) = [b.created_at for b in backup.list_backups(owner_ctx)]
    when = format_datetime(taken, shop_tz(), "en")
    # After the backup: the owner's new password, and a new staff member.
    new_password = auth.change_password(owner_ctx, OWNER_PASSWORD, "hoa-mai-2026")
    owner_now = owner_ctx.with_actor(new_password)
    staff.add_staff(owner_now, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *_a: asked.append(text) or QMessageBox.StandardButton.Yes)  # noqa: E501  # fmt: skip
    session = GuiSession(qapp, settings, ctx)
    main = session.open_main(owner_now.actor)  # closed and deleted by the restart
    page = main.select_tab("settings").select_section("backup")  # type: ignore[attr-defined]
    assert isinstance(page, BackupSettings)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    page.table.selectRow(0)
    with qtbot.waitSignal(page.restored, timeout=WAIT):
        page.restore_selected()

    assert len(asked) == 1
    name = page.backups[0].path.name
    assert asked[0].startswith(f"Replace ALL current data with the backup {name}, taken on "
                               f"{when}?")  # fmt: skip
    assert ("The staff accounts and their passwords come back as they were then: whoever "
            "changed a password since signs in with the old one, and accounts added since "
            "are gone.") in asked[0]  # fmt: skip
    welcome = session.welcome
    assert isinstance(welcome, WelcomeWindow) and session.main is None
    qtbot.addWidget(welcome)
    note = welcome.login_page.restored_note
    assert note.isVisible()
    assert note.text() == (
        f"Restored the backup of {when}: sign in with the email and password you had then."
    )
    # What it says is so: the old password signs in, the new one does not, Lan is gone.
    assert auth.login(session.ctx, OWNER_EMAIL, OWNER_PASSWORD).role is Role.OWNER
    with pytest.raises(AuthenticationError):
        auth.login(session.ctx, OWNER_EMAIL, "hoa-mai-2026")
    assert [m.email for m in staff.list_staff(session.ctx.with_actor(
        auth.owner_actor(session.ctx)))] == [OWNER_EMAIL]  # fmt: skip
    welcome.close()
    session.ctx.engine.dispose()


def test_a_fresh_sign_in_says_nothing_of_a_restore(qtbot: Any, ctx: ServiceContext,
                                                   owner: object) -> None:  # fmt: skip
    window = show_widget(qtbot, WelcomeWindow(ctx), 560, 620)
    assert not window.login_page.restored_note.isVisible()


# Bug 2: the shop's address, phone and tax code at setup; Getting started's step ---------
def test_setup_keeps_the_address_phone_and_tax_code_for_the_receipts(
    qtbot: Any, ctx: ServiceContext
) -> None:
    window = show_widget(qtbot, WelcomeWindow(ctx), 560, 620)
    page = window.setup_page
    assert [label.text() for label in page.labels[:4]] == [
        "Shop name", "Address", "Phone", "Tax code"]  # fmt: skip
    assert page.address.placeholderText() == "Optional: printed on receipts and invoices"
    for edit, text in ((page.shop_name, "Nến Thơm Sài Gòn"),
                       (page.address, " 45 Nguyễn Huệ,  Q.1 "), (page.phone, "028 3822 1234"),
                       (page.tax_code, "0312345678"), (page.owner_name, "Nguyễn Thị Hồng"),
                       (page.email, "hong@example.vn"), (page.password, "mật-khẩu-dài"),
                       (page.confirm, "mật-khẩu-dài")):  # fmt: skip
        edit.setText(text)
    with qtbot.waitSignal(window.signedIn, timeout=WAIT) as signed:
        qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    details = load_shop_details(ctx)
    assert (details.name, details.address, details.phone, details.tax_code) == (
        "Nến Thơm Sài Gòn", "45 Nguyễn Huệ, Q.1", "028 3822 1234", "0312345678")  # fmt: skip
    assert reports.first_steps(ctx.with_actor(signed.args[0])).shop_details


def test_setup_refuses_a_tax_code_that_is_not_one(qtbot: Any, ctx: ServiceContext) -> None:
    """A slip of the hand in the tax code (printed on every invoice) is caught at setup,
    as a supplier's is, and in Settings' shop details: it was kept as typed."""
    window = show_widget(qtbot, WelcomeWindow(ctx), 560, 620)
    page = window.setup_page
    for edit, text in ((page.shop_name, "Tạp hóa Cô Ba"), (page.tax_code, "031234567"),
                       (page.owner_name, "Nguyễn Thị Ba"), (page.email, "ba@example.vn"),
                       (page.password, "mật-khẩu-dài"),
                       (page.confirm, "mật-khẩu-dài")):  # fmt: skip
        edit.setText(text)
    qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.error.isVisible, timeout=WAIT)
    assert page.error.text() == (
        "A tax code has 10 digits (a branch's 13, as 0101234567-001): 031234567 is not one."
    )
    assert page.tax_code.hasFocus()
    assert auth.shop_profile(ctx) == {}  # nothing set up
    page.tax_code.setText("0312345678-001")
    with qtbot.waitSignal(window.signedIn, timeout=WAIT) as signed:
        qtbot.mouseClick(page.button, Qt.MouseButton.LeftButton)
    assert load_shop_details(ctx).tax_code == "0312345678-001"
    owner_ctx = ctx.with_actor(signed.args[0])
    with pytest.raises(ValidationError) as refused:
        save_shop_details(owner_ctx, ShopDetails(name="Tạp hóa Cô Ba", tax_code="MST 0312"))
    assert refused.value.field == "tax_code"
    assert load_shop_details(ctx).tax_code == "0312345678-001"


def test_setup_without_them_stores_the_name_alone(ctx: ServiceContext) -> None:
    actor = auth.setup_shop(ctx, shop_name="Cửa hàng", owner_name="Hồng",
                            owner_email="hong@example.vn",
                            owner_password="mật-khẩu-dài")  # fmt: skip
    assert auth.shop_profile(ctx) == {"name": "Cửa hàng"}
    assert not reports.first_steps(ctx.with_actor(actor)).shop_details


@pytest.mark.parametrize("field", ["address", "phone"])
def test_the_shop_details_step_is_done_with_an_address_or_a_phone(
    owner_ctx: ServiceContext, field: str
) -> None:
    assert not reports.first_steps(owner_ctx).shop_details
    save_shop_details(owner_ctx, ShopDetails(name="Cửa hàng Thử", tax_code="0312345678"))
    assert not reports.first_steps(owner_ctx).shop_details  # a tax code alone prints no way in
    save_shop_details(owner_ctx, ShopDetails(name="Cửa hàng Thử", **{field: "028 3822 1234"}))
    assert reports.first_steps(owner_ctx).shop_details


def test_getting_started_asks_for_the_shop_details_and_opens_them(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    home = window.select_tab("home")
    assert isinstance(home, HomePage)
    card = home.first_steps
    qtbot.waitUntil(lambda: card.steps is not None and card.isVisible(), timeout=WAIT)
    assert STEPS[0] == "shop_details"
    assert card.intro.text() == "Four steps to your first sale:"
    assert card.texts["shop_details"].text() == "Add the shop's address and phone for its receipts"
    assert card.buttons["shop_details"].text() == "Open Shop details"
    assert card.marks["shop_details"].text() == TODO
    with qtbot.waitSignal(home.startStep, timeout=WAIT) as chosen:
        qtbot.mouseClick(card.buttons["shop_details"], Qt.MouseButton.LeftButton)
    assert chosen.args == ["shop_details"]
    assert window.tabs.currentWidget().key == "settings"  # type: ignore[attr-defined]
    settings_page = window.tab_pages["settings"].page
    assert isinstance(settings_page, SettingsPage)
    assert settings_page.sections.currentItem().text() == "Shop details"
    shop = settings_page.section("shop")
    assert isinstance(shop, ShopSettings)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is shop.form.fields["address"],
                    timeout=WAIT)  # fmt: skip
    shop.form.fields["phone"].setText("028 3822 1234")
    qtbot.mouseClick(shop.form.save_button, Qt.MouseButton.LeftButton)
    assert shop.message.text() == "Shop details saved."
    qtbot.waitUntil(lambda: load_shop_details(owner_ctx).phone == "028 3822 1234", timeout=WAIT)
    home.refresh()
    qtbot.waitUntil(lambda: card.steps is not None and card.steps.shop_details, timeout=WAIT)
    assert card.marks["shop_details"].text() == DONE
    window.close()


# Bug 3: staff without Settings are told to ask the owner --------------------------------
def test_an_empty_orders_list_sends_only_who_may_open_settings_there(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    cashier = staff_with(owner_ctx, Module.ORDERS)
    texts = {}
    for who, ctx in (("owner", owner_ctx), ("cashier", cashier)):
        page = show_widget(qtbot, OrdersPage(ctx), height=760)
        qtbot.waitUntil(lambda p=page: not p.model.busy and p.empty_hint.isVisible(),
                        timeout=WAIT)  # fmt: skip
        texts[who] = page.empty_hint.text()
        close_page(qtbot, page, lambda p=page: not p.busy and not p.counts_pending)
    assert texts["owner"] == (
        "No orders yet: make a sale with New order, import a file, or connect a marketplace "
        "shop in Settings → Sales channels."
    )
    assert texts["cashier"] == (
        "No orders yet: make a sale with New order or import a file. For a marketplace "
        "shop's orders, ask the shop owner to connect it."
    )


# Bug 4: Forgot your password? -----------------------------------------------------------
def test_forgot_password_says_managers_ask_the_owner(qtbot: Any, ctx: ServiceContext) -> None:
    dialog = RecoveryDialog(ctx.settings, "")
    qtbot.addWidget(dialog)
    assert dialog.staff_text.text() == (
        "Staff: ask the shop owner or a manager for a new one-time password (Settings → "
        "Staff → Reset password…). Managers: ask the shop owner."
    )
