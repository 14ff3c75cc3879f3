"""Settings → Customer ranking, Customer groups & price levels, Loyalty points, Vouchers:
driven through their widgets on a real store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz, to_local
from primedist.domain.enums import DiscountKind, Rank, RankBasis
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels as levels_svc
from primedist.services.loyalty.settings import (
    RankWindow,
    read_points_settings,
    read_rank_settings,
)
from primedist.services.loyalty.vouchers import VoucherDraft, list_vouchers, save_voucher
from primedist.ui.settings.levels import LevelsSettings
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.points import PointsSettingsSection
from primedist.ui.settings.ranking import RankingSettings
from primedist.ui.settings.vouchers import VoucherDialog, VouchersSettings
from tests.factories import make_product
from tests.services.loyalty.conftest import customer, customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def test_the_four_sections_are_in_settings(qtbot, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, SettingsPage(owner_ctx), 1000, 700)
    sections = {"ranking": RankingSettings, "levels": LevelsSettings,
                "points": PointsSettingsSection, "vouchers": VouchersSettings}  # fmt: skip
    for key, cls in sections.items():
        assert isinstance(page.select_section(key), cls)
    titles = [page.sections.item(i).text() for i in range(page.sections.count())]
    assert {"Customer ranking", "Customer groups & price levels", "Loyalty points",
            "Vouchers"} <= set(titles)  # fmt: skip


def test_ranking_saves_conditions_and_recomputes_off_the_ui_thread(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    up, down = customers_with(engine, [{"rank": Rank.COPPER, "total_expenses": 3_000_000},
                                       {"rank": Rank.DIAMOND, "total_expenses": 0}])  # fmt: skip
    section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    assert section.changed_label.text() == "The default conditions: never changed."
    assert section.table.item(3, 2).text() == "1"  # Copper row: one customer
    section.amounts[Rank.GOLD].set_amount(2_500_000)
    section.window_combo.setCurrentIndex(1)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith("Saved."), timeout=WAIT)
    saved = read_rank_settings(owner_ctx)
    assert (saved.window, saved.threshold(Rank.GOLD)) == (RankWindow.LAST_12_MONTHS, 2_500_000)
    assert "by Chủ Thử" in section.changed_label.text()
    # A refused condition is explained, nothing saved.
    section.amounts[Rank.SILVER].set_amount(3_000_000)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "must be above the Silver" in section.message.text(), timeout=WAIT)
    assert read_rank_settings(owner_ctx).threshold(Rank.SILVER) == 1_000_000
    section.reload()
    # Back to all time for these customers' statistics, then a dry run and a real one.
    section.window_combo.setCurrentIndex(0)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith("Saved."), timeout=WAIT)
    qtbot.mouseClick(section.dry_button, Qt.MouseButton.LeftButton)
    dry = "Dry run: 1 customers would move up, 1 down"
    qtbot.waitUntil(lambda: section.message.text().startswith(dry), timeout=WAIT)
    assert customer(engine, up).rank == Rank.COPPER
    qtbot.mouseClick(section.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith("Done: 1"), timeout=WAIT)
    assert (customer(engine, up).rank, customer(engine, down).rank) == (Rank.GOLD, Rank.COPPER)
    qtbot.waitUntil(lambda: section.run_button.isEnabled(), timeout=WAIT)
    assert section.table.item(1, 2).text() == "1"  # Gold row
    # Basis switch shows the other basis's thresholds.
    section.basis.setCurrentIndex(1)
    assert section.spins[Rank.DIAMOND].value() == 50
    assert read_rank_settings(owner_ctx).basis == RankBasis.EXPENSES  # until saved


def test_levels_add_price_and_delete(
    qtbot, engine: Engine, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_product(engine, "Áo thun", [("AO-S", 99_000, 5)])
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 900, 700)
    section.name.setText("Khách sỉ")
    section.code.setText("si")
    section.threshold.setText("5tr")
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.rowCount() == 1 and section.current() is not None,
                    timeout=WAIT)  # fmt: skip
    assert [section.table.item(0, c).text() for c in range(3)] == [
        "Khách sỉ",
        "SI",
        "5,000,000 VND",
    ]
    # The same code again is refused.
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already has the code SI" in section.message.text(), timeout=WAIT)
    section.sku.setText("ao-s")
    section.price.setText("80k")
    qtbot.mouseClick(section.set_price_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.price_table.rowCount() == 1, timeout=WAIT)
    assert section.price_table.item(0, 3).text() == "80,000"
    section.sku.setText("NOPE")
    qtbot.mouseClick(section.set_price_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "No product variant has the SKU 'NOPE'" in section.message.text(),
                    timeout=WAIT)  # fmt: skip
    (member,) = customers_with(engine, [{"level_id": section.levels[0].id}])
    section.reload()
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: section.delete_button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.rowCount() == 0, timeout=WAIT)
    assert section.message.text() == "Level deleted; 1 customers now have no level."
    assert customer(engine, member).level_id is None
    assert levels_svc.list_levels(owner_ctx) == []


def test_points_rules_saved_and_refused(qtbot, owner_ctx: ServiceContext) -> None:
    section = show_widget(qtbot, PointsSettingsSection(owner_ctx), 700, 400)
    assert (section.earn_per.amount(), section.point_value.amount(), section.cap.value()) == (
        10_000, 1_000, 50)  # fmt: skip
    section.earn_per.set_amount(20_000)
    section.cap.setValue(30)
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text() == "Saved.", timeout=WAIT)
    saved = read_points_settings(owner_ctx)
    assert (saved.earn_per, saved.point_value, saved.cap_percent) == (20_000, 1_000, 30)


def test_vouchers_list_add_edit_toggle_delete(
    qtbot, engine: Engine, owner_ctx: ServiceContext, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_voucher(owner_ctx, VoucherDraft("GIAM10", kind=DiscountKind.PERCENT, value=10,
                                         max_discount=50_000, min_order_value=200_000))  # fmt: skip
    section = show_widget(qtbot, VouchersSettings(owner_ctx), 1000, 600)
    assert [section.table.item(0, c).text() for c in range(8)] == [
        "GIAM10",
        "10% (at most 50,000 VND)",
        "200,000 VND",
        "always",
        "0",
        "0 VND",
        "Yes",
        "everyone",
    ]
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, VoucherDialog)
    dialog.code.setText("tet2027")
    dialog.value.setText("30k")
    dialog.free_shipping.setChecked(True)
    dialog.usage_limit.setValue(100)
    dialog.ends.setDate(QDate(2027, 2, 10))
    dialog.save()
    qtbot.waitUntil(lambda: section.table.rowCount() == 2, timeout=WAIT)
    assert [section.table.item(0, c).text() for c in (0, 1, 3, 4)] == [
        "TET2027",
        "30,000 VND + free shipping",
        " – 10/02/2027",
        "0 / 100",
    ]
    (tet,) = [r for r in list_vouchers(owner_ctx) if r.draft.code == "TET2027"]
    # The last valid day is kept whole: it ends at midnight after 10/02/2027, shop time.
    assert tet.draft.ends_at is not None
    assert to_local(tet.draft.ends_at.replace(tzinfo=UTC), shop_tz()).replace(tzinfo=None) == (
        datetime(2027, 2, 11, 0, 0))  # fmt: skip
    # Edit: a bad percentage is refused in the dialog, which stays open.
    section.table.selectRow(0)
    qtbot.mouseClick(section.edit_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None and dialog.code.text() == "TET2027"
    assert dialog.ends.date() == QDate(2027, 2, 10)  # shown as it was entered
    dialog.kind.setCurrentIndex(1)
    dialog.value.setText("150")
    dialog.save()
    qtbot.waitUntil(lambda: "between 1 and 100" in dialog.message.text(), timeout=WAIT)
    assert dialog.isVisible()
    dialog.reject()
    section.table.selectRow(0)
    qtbot.mouseClick(section.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.item(0, 6).text() == "No", timeout=WAIT)
    section.table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=WAIT)
    assert section.message.text() == "Voucher deleted."
