"""Settings fixes: My account saved in Settings reaches the window's header and the user
menu; a refused rank condition keeps what was typed; the ranking, points and staff pages
show the real settings, read-only, to a staff member who may open Settings; points that
pay back more than was spent are refused on screen; switching the carrier empties the
other carrier's fields. Driven through the real widgets on a real migrated store."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from primedist.config import Settings
from primedist.domain.enums import Module, Rank, RankBasis, Role
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    PointsSettings,
    RankWindow,
    read_points_settings,
    read_rank_settings,
    save_points_settings,
    save_rank_settings,
)
from primedist.ui.app import ui_settings_for
from primedist.ui.i18n import install_language
from primedist.ui.main_window import MainWindow
from primedist.ui.settings.account import AccountSettings
from primedist.ui.settings.logistics import LogisticsSettings
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.points import PointsSettingsSection
from primedist.ui.settings.ranking import RankingSettings
from primedist.ui.settings.staff import StaffSettings
from tests.services.loyalty.conftest import customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def sign_in_staff(owner_ctx: ServiceContext, *modules: Module) -> ServiceContext:
    """Lan, a staff member with `modules`, signed in with her own password."""
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                             modules=modules)  # fmt: skip
    first = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    return owner_ctx.with_actor(staff.choose_password(first, "lan-own-pass"))


# My account --------------------------------------------------------------------------------
def account_in(dialog: QDialog) -> AccountSettings:
    page = dialog.findChild(AccountSettings)
    assert isinstance(page, AccountSettings)
    return page


def test_my_account_saved_in_settings_reaches_the_header_and_the_user_menu(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> None:
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    window.show()
    page = window.select_tab("settings")
    assert isinstance(page, SettingsPage)
    account = page.select_section("account")
    assert isinstance(account, AccountSettings)
    account.name.setText("Chủ Mới")
    account.email.setText("moi@shop.vn")
    qtbot.mouseClick(account.save_profile, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: account.profile_message.text() == "Profile saved.", timeout=WAIT)

    assert window.user_button.text() == "Chủ Mới"
    assert "Chủ Mới" in window.user_label.text()
    # The user menu's My account shows the account as saved: saving it keeps it.
    dialog = window.open_account()
    menu_account = account_in(dialog)
    assert (menu_account.name.text(), menu_account.email.text()) == ("Chủ Mới", "moi@shop.vn")
    menu_account.name.setText("Chủ Mới Hơn")
    qtbot.mouseClick(menu_account.save_profile, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.user_button.text() == "Chủ Mới Hơn", timeout=WAIT)
    dialog.close()
    # ... and Settings → My account follows the other way round.
    assert (account.name.text(), account.email.text()) == ("Chủ Mới Hơn", "moi@shop.vn")
    window.close()


def cell(section: RankingSettings, row: int, col: int) -> str:
    item = section.table.item(row, col)
    assert item is not None
    return item.text()


# Customer ranking --------------------------------------------------------------------------
def test_a_refused_rank_condition_keeps_what_was_typed(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    section.amounts[Rank.SILVER].set_amount(6_000_000)  # above Gold's 5,000,000
    section.window_combo.setCurrentIndex(1)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "must be above the Silver" in section.message.text(), timeout=WAIT)
    qtbot.waitUntil(section.save_button.isEnabled, timeout=WAIT)
    assert section.amounts[Rank.SILVER].amount() == 6_000_000  # to correct, not to type again
    assert section.window_combo.currentIndex() == 1
    assert read_rank_settings(owner_ctx).threshold(Rank.SILVER) == 1_000_000  # nothing saved
    # Corrected, it saves, and the inputs show what was saved.
    section.amounts[Rank.SILVER].set_amount(2_000_000)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith("Saved."), timeout=WAIT)
    qtbot.waitUntil(section.save_button.isEnabled, timeout=WAIT)
    assert section.amounts[Rank.SILVER].amount() == 2_000_000
    assert "by Chủ Thử" in section.changed_label.text()


@pytest.mark.usefixtures("english")  # English again afterwards
def test_a_threshold_message_reads_in_vietnamese(qtbot: Any, owner_ctx: ServiceContext) -> None:
    """Needs the Vietnamese of the new templates ("Diamond", "The {rank} threshold …")."""
    install_language("vi")
    save_rank_settings(owner_ctx, basis=RankBasis.ORDERS, window=RankWindow.ALL_TIME,
                       thresholds={})  # fmt: skip
    section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    section.spins[Rank.DIAMOND].setValue(20)  # below Gold's 25 orders
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.property("error") is True, timeout=WAIT)
    text = section.message.text()
    assert text == "Ngưỡng Kim cương (20 đơn hàng) phải cao hơn ngưỡng Vàng (25 đơn hàng)."
    assert section.spins[Rank.DIAMOND].value() == 20


def test_ranking_shows_the_conditions_read_only_to_staff_without_customers(
    qtbot: Any, engine: Any, owner_ctx: ServiceContext
) -> None:
    customers_with(engine, [{"rank": Rank.GOLD}])
    save_rank_settings(owner_ctx, basis=RankBasis.ORDERS, window=RankWindow.LAST_12_MONTHS,
                       thresholds={RankBasis.ORDERS: (40, 20, 5, 0)})  # fmt: skip
    lan = sign_in_staff(owner_ctx, Module.ORDERS, Module.SETTINGS)
    section = show_widget(qtbot, RankingSettings(lan), 900, 700)
    assert section.basis.currentIndex() == 1 and section.window_combo.currentIndex() == 1
    assert [section.spins[r].value() for r in (Rank.DIAMOND, Rank.GOLD, Rank.SILVER)] == [
        40, 20, 5]  # fmt: skip
    assert cell(section, 1, 1) == "20 orders"
    assert [cell(section, row, 2) for row in range(4)] == ["—"] * 4
    assert section.not_allowed.isVisible()
    assert "owner or a manager" in section.not_allowed.text()
    for widget in (section.save_button, section.dry_button, section.run_button,
                   section.basis, section.window_combo, section.spins[Rank.GOLD]):  # fmt: skip
        assert not widget.isEnabled()
    assert section.message.text() == ""  # no refusal shown for merely looking
    # The owner sees the counts, and may change and recompute.
    mine = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    assert not mine.not_allowed.isVisible() and cell(mine, 1, 2) == "1"
    assert all(b.isEnabled() for b in (mine.save_button, mine.dry_button, mine.run_button))


# Loyalty points ----------------------------------------------------------------------------
def test_points_page_is_read_only_to_staff(qtbot: Any, owner_ctx: ServiceContext) -> None:
    save_points_settings(owner_ctx, PointsSettings(20_000, 500, 30))
    lan = sign_in_staff(owner_ctx, Module.ORDERS, Module.SETTINGS)
    section = show_widget(qtbot, PointsSettingsSection(lan), 700, 400)
    assert (section.earn_per.amount(), section.point_value.amount(), section.cap.value()) == (
        20_000, 500, 30)  # fmt: skip
    assert section.not_allowed.isVisible() and "owner or a manager" in section.not_allowed.text()
    for widget in (section.earn_per, section.point_value, section.cap, section.save_button):
        assert not widget.isEnabled()
    mine = show_widget(qtbot, PointsSettingsSection(owner_ctx), 700, 400)
    assert not mine.not_allowed.isVisible() and mine.save_button.isEnabled()


def test_points_worth_more_than_was_spent_are_refused_on_screen(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    section = show_widget(qtbot, PointsSettingsSection(owner_ctx), 700, 400)
    section.earn_per.set_amount(1)
    section.point_value.set_amount(10_000_000)
    section.cap.setValue(100)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "worth less than the 1 đ" in section.message.text(), timeout=WAIT)
    assert section.message.property("error") is True
    assert read_points_settings(owner_ctx) == PointsSettings()  # nothing saved


# Staff ---------------------------------------------------------------------------------------
def test_staff_page_shows_the_real_lock_delay_to_staff(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    staff.set_lock_minutes(owner_ctx, 25)
    lan = sign_in_staff(owner_ctx, Module.ORDERS, Module.SETTINGS)
    page = show_widget(qtbot, StaffSettings(lan))
    assert page.lock_minutes.value() == 25
    assert not page.lock_minutes.isEnabled() and not page.lock_save.isEnabled()
    assert page.not_allowed.isVisible()


# Logistics -----------------------------------------------------------------------------------
def test_switching_the_carrier_empties_the_other_carriers_fields(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    page = show_widget(qtbot, LogisticsSettings(owner_ctx), 900, 700)
    page.name.setText("Giao hàng Quận 1")
    page.token.setText("ghn-secret-token")
    page.shop_id.setText("")
    page.host.setText("http://127.0.0.1:9")
    page.add_button.click()  # refused before any network: the ShopId is empty
    qtbot.waitUntil(lambda: page.message.isVisibleTo(page), timeout=WAIT)
    assert "GHN ShopId is empty" in page.message.text()
    qtbot.waitUntil(page.add_button.isEnabled, timeout=WAIT)

    page.carrier.setCurrentIndex(1)  # J&T Express
    assert page.captions[2].text() == "API account"
    assert (page.token.text(), page.shop_id.text(), page.key.text(), page.host.text()) == (
        "", "", "", "")  # fmt: skip
    assert not page.message.isVisibleTo(page)  # the GHN error is gone
    assert page.name.text() == "Giao hàng Quận 1"  # the shop's own name for the account

    page.token.setText("jt-account")
    page.key.setText("")
    page.shop_id.setText("C001")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.message.isVisibleTo(page), timeout=WAIT)
    assert "J&T private key is empty" in page.message.text()


@pytest.mark.usefixtures("english")  # English again afterwards
def test_a_carrier_field_is_named_as_the_form_labels_it_in_vietnamese(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    """Needs the Vietnamese of the new field names ("J&T private key" …)."""
    install_language("vi")
    page = show_widget(qtbot, LogisticsSettings(owner_ctx), 900, 700)
    page.carrier.setCurrentIndex(1)
    page.name.setText("J&T")
    page.token.setText("jt-account")
    page.shop_id.setText("C001")
    page.add_button.click()
    qtbot.waitUntil(lambda: page.message.isVisibleTo(page), timeout=WAIT)
    assert page.message.text() == "Khóa bí mật J&T đang trống."
    assert page.captions[4].text() == "Khóa bí mật"
