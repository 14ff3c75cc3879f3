"""Settings sections read their data again when they show again (chosen again in the list,
or the Settings tab shown again): a voucher used meanwhile counts its use, a customer moved
to a group counts in the group's members, a new customer in the ranks. What is typed in a
section and not saved stays."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QTabWidget, QWidget

from primedist.domain.enums import OrderSource, PaymentMethod, Rank
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels as levels_svc
from primedist.services.loyalty.settings import PointsSettings, save_points_settings
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.settings.levels import LevelsSettings
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.points import PointsSettingsSection
from primedist.ui.settings.ranking import RankingSettings
from primedist.ui.settings.vouchers import VouchersSettings
from tests.factories import make_customers, make_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "quiet")


def uses(section: VouchersSettings, code: str) -> str:
    table = section.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == code)
    return table.item(row, 4).text()


def test_vouchers_count_a_use_made_while_another_section_showed(
    qtbot: Any, engine: Any, owner_ctx: ServiceContext
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 100)])
    save_voucher(owner_ctx, VoucherDraft("THETN30", value=30_000))
    page = show_widget(qtbot, SettingsPage(owner_ctx), 1100, 700)
    vouchers = page.select_section("vouchers")
    assert isinstance(vouchers, VouchersSettings)
    assert uses(vouchers, "THETN30") == "0"
    page.select_section("points")
    order_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(shirt, 1),), voucher_code="THETN30", source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD))  # fmt: skip
    assert page.select_section("vouchers") is vouchers  # the same page, read again
    assert uses(vouchers, "THETN30") == "1"


def test_the_section_shown_reads_again_when_the_settings_tab_shows_again(
    qtbot: Any, engine: Any, owner_ctx: ServiceContext
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 100_000, 100)])
    save_voucher(owner_ctx, VoucherDraft("GIAM10", value=10_000))
    tabs = show_widget(qtbot, QTabWidget(), 1100, 700)
    page = SettingsPage(owner_ctx)
    tabs.addTab(page, "Settings")
    tabs.addTab(QWidget(), "Orders")
    vouchers = page.select_section("vouchers")
    assert isinstance(vouchers, VouchersSettings)
    tabs.setCurrentIndex(1)
    order_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(shirt, 1),), voucher_code="GIAM10", source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD))  # fmt: skip
    assert uses(vouchers, "GIAM10") == "0"  # hidden: not read for nothing
    tabs.setCurrentIndex(0)
    assert uses(vouchers, "GIAM10") == "1"


def test_group_members_follow_off_the_ui_thread_and_typing_is_kept(
    qtbot: Any, engine: Any, owner_ctx: ServiceContext
) -> None:
    vip = levels_svc.save_level(owner_ctx, name="VIP", code="VIP")
    ids = make_customers(engine, 3)
    page = show_widget(qtbot, SettingsPage(owner_ctx), 1100, 700)
    levels = page.select_section("levels")
    assert isinstance(levels, LevelsSettings)
    assert levels.table.item(0, 3).text() == "0"
    page.select_section("vouchers")
    levels_svc.set_customers_level(owner_ctx, vip, ids[:2])
    page.select_section("levels")
    qtbot.waitUntil(lambda: levels.table.item(0, 3).text() == "2", timeout=WAIT)
    # A name being typed for a new group is not wiped by the next read.
    levels.name.setText("Sỉ")
    page.select_section("vouchers")
    levels_svc.set_customers_level(owner_ctx, vip, ids)
    assert not page.reload_section("levels")
    page.select_section("levels")
    assert levels.name.text() == "Sỉ" and levels.table.item(0, 3).text() == "2"


def ranked(section: RankingSettings) -> int:
    """The customers the counts add up to (every rank)."""
    return sum(int(section.table.item(r, 2).text()) for r in range(section.table.rowCount()))


def test_rank_counts_follow_but_unsaved_conditions_stay(
    qtbot: Any, engine: Any, owner_ctx: ServiceContext
) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx), 1100, 700)
    ranking = page.select_section("ranking")
    assert isinstance(ranking, RankingSettings)
    assert ranked(ranking) == 0
    page.select_section("vouchers")
    make_customers(engine, 2)
    page.select_section("ranking")
    qtbot.waitUntil(lambda: ranked(ranking) == 2, timeout=WAIT)
    ranking.amounts[Rank.GOLD].set_amount(7_000_000)  # not saved
    page.select_section("vouchers")
    make_customers(engine, 1, seed=2)
    assert not page.reload_section("ranking")
    page.select_section("ranking")
    assert ranking.amounts[Rank.GOLD].amount() == 7_000_000
    assert ranked(ranking) == 2


def test_points_rules_read_again_unless_changed_on_screen(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx), 1100, 700)
    points = page.select_section("points")
    assert isinstance(points, PointsSettingsSection)
    page.select_section("vouchers")
    save_points_settings(owner_ctx, PointsSettings(20_000, 500, 30))  # another PC
    page.select_section("points")
    assert (points.earn_per.amount(), points.point_value.amount()) == (20_000, 500)
    points.earn_per.set_amount(25_000)  # typed, not saved
    page.select_section("vouchers")
    page.select_section("points")
    assert points.earn_per.amount() == 25_000
