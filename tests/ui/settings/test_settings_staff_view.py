"""Settings as a staff member and its small cuts: Logistics opens for a staff member with
Settings but not Orders, and a section a service refuses shows the refusal in its place
(the highlighted title and the page shown agree); the backups kept reads as stored; a
wrapped error shows whole in the password dialogs; the staff list's status is not cut;
a low-stock level applied to a shop that sells no product says so. Driven through the
real widgets on a real migrated store."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel

from primedist.core.messages import msg
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, Role
from primedist.domain.product import ProductListing, Variant
from primedist.errors import PermissionDenied
from primedist.services import auth, staff
from primedist.services import backup as backup_svc
from primedist.services import shipping as shipping_svc
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.lock import LockDialog
from primedist.ui.settings.account import ChoosePasswordDialog
from primedist.ui.settings.backup import BackupSettings
from primedist.ui.settings.logistics import LogisticsSettings
from primedist.ui.settings.low_stock import LowStockSettings
from primedist.ui.settings.page import SECTIONS, SettingsPage
from primedist.ui.settings.staff import COL_STATUS, StaffSettings
from tests.factories import make_product, make_shop
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def sign_in_staff(owner_ctx: ServiceContext, *modules: Module) -> ServiceContext:
    """Hoa, a staff member with `modules`, signed in with her own password."""
    issued = staff.add_staff(owner_ctx, name="Hoa", email="hoa@shop.vn", role=Role.STAFF,
                             modules=modules)  # fmt: skip
    first = owner_ctx.with_actor(auth.login(owner_ctx, "hoa@shop.vn", issued.one_time_password))
    return owner_ctx.with_actor(staff.choose_password(first, "hoa-own-pass"))


def other_staff(owner_ctx: ServiceContext, *modules: Module) -> ServiceContext:
    """Lan, another staff member with `modules` (signed in with her one-time password)."""
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=modules)  # fmt: skip
    return owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))


def row_of(key: str) -> int:
    return [k for k, _m, _c in SECTIONS].index(key)


# Logistics for Settings alone; a refused section -------------------------------------------
def test_logistics_opens_for_staff_with_settings_but_not_orders(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    hoa = sign_in_staff(owner_ctx, Module.SETTINGS)
    page = show_widget(qtbot, SettingsPage(hoa))
    page.sections.setCurrentRow(row_of("logistics"))  # as a click on the title does
    assert page.stack.currentIndex() == row_of("logistics")
    assert isinstance(page.section("logistics"), LogisticsSettings)
    # Still refused to whoever has neither module.
    nobody = other_staff(owner_ctx, Module.PRODUCTS)
    with pytest.raises(PermissionDenied):
        shipping_svc.list_accounts(nobody)


def shown_texts(page: SettingsPage) -> list[str]:
    """The texts of the labels shown in the section's place."""
    shown = page.stack.currentWidget()
    assert shown is not None
    return [label.text() for label in shown.findChildren(QLabel) if label.isVisibleTo(page)]


def test_a_refused_section_shows_the_refusal_in_its_place(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_ctx: ServiceContext) -> list[Any]:
        raise PermissionDenied(msg("{user} has no access to {module}: ask the shop owner.",
                                   user="Chủ Thử", module=Module.ORDERS))  # fmt: skip

    monkeypatch.setattr(shipping_svc, "list_accounts", refuse)
    page = show_widget(qtbot, SettingsPage(owner_ctx))
    page.sections.setCurrentRow(row_of("logistics"))

    assert page.stack.currentIndex() == row_of("logistics")  # not My account under it
    assert shown_texts(page) == ["Chủ Thử has no access to Orders: ask the shop owner."]
    # Allowed again meanwhile: chosen again, the section is built.
    monkeypatch.undo()
    page.sections.setCurrentRow(row_of("staff"))
    page.sections.setCurrentRow(row_of("logistics"))
    assert isinstance(page.section("logistics"), LogisticsSettings)
    assert "Chủ Thử has no access to Orders: ask the shop owner." not in shown_texts(page)


# Backups kept -------------------------------------------------------------------------------
def test_backup_page_shows_the_real_number_kept_to_staff(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    backup_svc.set_backup_keep(owner_ctx, 10)
    hoa = sign_in_staff(owner_ctx, Module.SETTINGS)
    page = show_widget(qtbot, BackupSettings(hoa))
    assert page.keep.value() == 10
    assert not page.keep.isEnabled() and not page.keep_save.isEnabled()


# A wrapped error shows whole ---------------------------------------------------------------
def assert_whole(dialog: QDialog, label: QLabel) -> None:
    assert label.isVisible()
    assert label.height() >= label.heightForWidth(label.width()), label.text()
    assert dialog.height() >= dialog.heightForWidth(dialog.width())


@pytest.mark.usefixtures("app_style", "english")  # English again afterwards
def test_the_choose_password_error_shows_whole(qtbot: Any, owner_ctx: ServiceContext) -> None:
    install_language("vi")  # its two lines cut (the English fits on one)
    issued = staff.add_staff(owner_ctx, name="Hoa", email="hoa@shop.vn", role=Role.STAFF)
    hoa = owner_ctx.with_actor(auth.login(owner_ctx, "hoa@shop.vn", issued.one_time_password))
    dialog = ChoosePasswordDialog(hoa)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.new.setText(issued.one_time_password)
    dialog.repeat.setText(issued.one_time_password)
    dialog.submit()
    qtbot.waitUntil(dialog.message.isVisible, timeout=WAIT)
    assert "mật khẩu một lần" in dialog.message.text()
    assert_whole(dialog, dialog.message)


@pytest.mark.usefixtures("app_style", "english")
def test_the_lock_screens_error_shows_whole(qtbot: Any, owner_ctx: ServiceContext) -> None:
    install_language("vi")
    hoa = sign_in_staff(owner_ctx, Module.ORDERS)
    dialog = LockDialog(hoa)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.password.setText("not-the-password")
    dialog.try_unlock()
    qtbot.waitUntil(dialog.message.isVisible, timeout=WAIT)
    assert_whole(dialog, dialog.message)

    assert hoa.actor.id is not None
    staff.set_active(owner_ctx, hoa.actor.id, False)  # disabled while the window was locked
    dialog.password.setText("hoa-own-pass")
    dialog.try_unlock()
    qtbot.waitUntil(lambda: "chủ cửa hàng" in dialog.message.text(), timeout=WAIT)
    assert_whole(dialog, dialog.message)


# The staff list's status --------------------------------------------------------------------
@pytest.mark.usefixtures("app_style", "english")
def test_the_staff_status_is_never_cut(qtbot: Any, owner_ctx: ServiceContext) -> None:
    install_language("vi")
    staff.add_staff(owner_ctx, name="Nhan-vien-A", email="staffa@x.vn", role=Role.STAFF,
                    modules=[Module.PRODUCTS, Module.ORDERS, Module.CUSTOMERS,
                             Module.SETTINGS])  # fmt: skip
    page = show_widget(qtbot, StaffSettings(owner_ctx), width=760)
    table, header = page.table, page.table.horizontalHeader()
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=WAIT)
    status = table.item(1, COL_STATUS)
    assert status is not None and "mật khẩu dùng một lần" in status.text()

    def status_whole() -> bool:
        return table.columnWidth(COL_STATUS) >= table.sizeHintForColumn(COL_STATUS)

    qtbot.waitUntil(status_whole, timeout=WAIT)  # narrow: the list scrolls sideways
    assert header.length() > table.viewport().width()

    page.resize(1800, 700)  # wide: the status takes the spare width, no gap on the right
    qtbot.waitUntil(lambda: header.length() == table.viewport().width(), timeout=WAIT)
    assert status_whole()


# Low stock on a shop that sells nothing -----------------------------------------------------
def apply_level(qtbot: Any, page: LowStockSettings, shop_id: int, level: int) -> None:
    page.set_ticked({shop_id})
    page.level.setValue(level)
    with qtbot.waitSignal(page.levelsChanged, timeout=WAIT):
        qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)


def test_a_level_applied_to_a_shop_with_no_product_says_it_changes_nothing(
    qtbot: Any, engine: Any, owner_ctx: ServiceContext
) -> None:
    empty = make_shop(engine, "Prime Demo Shop (Bán trực tiếp)", Channel.OFFLINE)
    selling = make_shop(engine, "Shopee Mall", Channel.SHOPEE)
    (variant,) = make_product(engine, "Áo thun", [("AO", 99_000, 4)])
    with engine.begin() as conn:
        variants = table_of(Variant)
        product = conn.execute(
            sa.select(variants.c.product_id).where(variants.c.id == variant)
        ).scalar()
        conn.execute(sa.insert(table_of(ProductListing)),
                     {"product_id": product, "shop_id": selling})  # fmt: skip
    page = show_widget(qtbot, LowStockSettings(owner_ctx))

    apply_level(qtbot, page, empty, 7)
    assert page.message.text() == (
        "Low-stock level 7 applied to 1 shop(s). No product is sold on the ticked shops "
        "yet, so the level changes nothing: tick the shop under “Sell on” in a product to "
        "use it."
    )
    assert page.message.objectName() == "errorText"  # a warning, not a quiet note

    apply_level(qtbot, page, selling, 7)
    assert page.message.text() == (
        "Low-stock level 7 applied to 1 shop(s). It now covers 1 product(s) sold there. "
        "Low on stock: 0 → 1."
    )
    assert page.message.objectName() == "muted"
