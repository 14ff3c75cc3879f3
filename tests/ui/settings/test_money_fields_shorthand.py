"""Settings' money fields read money as the shop owner types it: a level price "250k" is
250,000 đ (a spin box saved 250 đ), a voucher of "30k" gives 30,000 đ (it gave 30 đ);
"1,5tr" and "250.000" in Vietnamese too; so do the ranking's spending thresholds and the
points' amounts. What is no amount is said, and nothing saved. A level price far below the
list price (a digit missing) is asked about, as one above it. A language switch writes an
amount shown in the new language's way."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.enums import DiscountKind, Rank
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.services.loyalty.settings import read_points_settings, read_rank_settings
from primedist.services.loyalty.vouchers import VoucherDraft, list_vouchers, save_voucher
from primedist.ui.i18n import install_language
from primedist.ui.money_form import MoneyEdit
from primedist.ui.settings.levels import LevelsSettings
from primedist.ui.settings.points import PointsSettingsSection
from primedist.ui.settings.ranking import RankingSettings
from primedist.ui.settings.vouchers import VoucherDialog, VouchersSettings
from tests.factories import make_product
from tests.ui.conftest import back_to_english
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def _prices(ctx: ServiceContext, level_id: int) -> dict[str, int]:
    return {p.sku: p.price for p in levels.level_prices(ctx, level_id)}


@pytest.fixture
def in_vietnamese(quiet: Any) -> Any:
    install_language("vi")  # after `quiet`'s English
    yield
    back_to_english()


@pytest.mark.usefixtures("in_vietnamese")
def test_level_price_and_threshold_read_k_tr_and_dots(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_product(engine, "Áo sơ mi", [("ASM-M", 299_000, 5), ("ASM-L", 299_000, 5)])
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 1000, 700)
    section.name.setText("Khách thân thiết")
    section.code.setText("REG")
    section.threshold.setText("1,5tr")
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.current() is not None and not section.busy, timeout=WAIT)
    (level,) = levels.list_levels(owner_ctx)
    assert level.upgrade_threshold == 1_500_000
    assert section.threshold.text() == "1.500.000"  # the chosen level's, written out

    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    for sku, typed in (("asm-m", "250k"), ("asm-l", "250.000")):
        section.sku.setText(sku)
        section.price.setText(typed)
        qtbot.mouseClick(section.set_price_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not section.busy, timeout=WAIT)
    assert _prices(owner_ctx, level.id) == {"ASM-M": 250_000, "ASM-L": 250_000}
    assert section.price_table.item(0, 3).text() == "250.000"

    # No amount: said, the cursor put there, nothing saved.
    section.price.setText("25O.000")  # the letter O
    assert section.price.property("invalid") is True  # marked red while typed
    qtbot.mouseClick(section.set_price_button, Qt.MouseButton.LeftButton)
    assert "“25O.000”" in section.message.text()
    assert section.price.hasFocus()
    assert _prices(owner_ctx, level.id) == {"ASM-M": 250_000, "ASM-L": 250_000}


def test_a_level_price_under_half_the_list_price_is_asked_about(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_product(engine, "Áo sơ mi", [("ASM-M", 299_000, 5)])
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP")
    assert levels.level_price_warning(owner_ctx, "asm-m", 25_000) == (
        "25,000 đ is less than half the list price of asm-m (299,000 đ): members would buy "
        "at this price. Is a digit missing?"
    )  # fmt: skip
    assert levels.level_price_warning(owner_ctx, "asm-m", 149_500) is None  # half: fine
    assert levels.level_price_warning(owner_ctx, "asm-m", 250_000) is None

    section = show_widget(qtbot, LevelsSettings(owner_ctx), 1000, 700)
    section.table.selectRow(0)
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    section.sku.setText("asm-m")
    section.price.setText("25000")  # a zero short of 250,000
    qtbot.mouseClick(section.set_price_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "less than half the list price" in asked[0]
    assert _prices(owner_ctx, vip) == {}  # No: not saved
    answer[0] = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(section.set_price_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text() == "Price saved.", timeout=WAIT)
    assert _prices(owner_ctx, vip) == {"ASM-M": 25_000}


@pytest.mark.usefixtures("in_vietnamese")
def test_voucher_amounts_read_k_and_tr(qtbot: Any, owner_ctx: ServiceContext) -> None:
    section = show_widget(qtbot, VouchersSettings(owner_ctx), 1100, 600)
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert isinstance(dialog, VoucherDialog)
    dialog.code.setText("THETN30")
    dialog.value.setText("30k")
    dialog.min_order.setText("1,5tr")
    dialog.save()
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=WAIT)
    (row,) = list_vouchers(owner_ctx)
    assert (row.draft.value, row.draft.min_order_value, row.draft.max_discount) == (
        30_000, 1_500_000, None)  # fmt: skip
    assert section.table.item(0, 1).text() == "30.000 ₫"

    # A percentage: "15%" or "15", the cap in money ("200k").
    section.table.selectRow(0)
    qtbot.mouseClick(section.edit_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None
    assert (dialog.value.text(), dialog.min_order.text(), dialog.max_discount.text()) == (
        "30.000", "1.500.000", "")  # fmt: skip
    dialog.kind.setCurrentIndex(1)
    dialog.value.setText("15%")
    assert not dialog.value.property("invalid")
    dialog.max_discount.setText("200k")
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    (row,) = list_vouchers(owner_ctx)
    assert (row.draft.kind, row.draft.value, row.draft.max_discount) == (
        DiscountKind.PERCENT, 15, 200_000)  # fmt: skip


def test_a_voucher_field_that_is_no_amount_is_said_and_nothing_saved(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    save_voucher(owner_ctx, VoucherDraft("GIAM10", kind=DiscountKind.PERCENT, value=10))
    section = show_widget(qtbot, VouchersSettings(owner_ctx), 1100, 600)
    section.table.selectRow(0)
    qtbot.mouseClick(section.edit_button, Qt.MouseButton.LeftButton)
    dialog = section.dialog
    assert dialog is not None and dialog.value.text() == "10"
    dialog.value.setText("1.5")  # would read as 15 (a thousands separator in Vietnamese)
    dialog.save()
    assert dialog.message.text() == (
        "Cannot read “1.5” as a percentage: type a whole number, e.g. 10."
    )
    dialog.value.setText("10")
    dialog.min_order.setText("abc")
    dialog.save()
    assert dialog.message.text() == "Cannot read “abc” as an amount: type e.g. 30000, 30k or 1,5tr."
    assert dialog.focusWidget() is dialog.min_order and dialog.isVisible()
    assert list_vouchers(owner_ctx)[0].draft.min_order_value == 0
    dialog.reject()


def _type(qtbot: Any, edit: MoneyEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)


def test_ranking_thresholds_read_k_and_tr(qtbot: Any, owner_ctx: ServiceContext) -> None:
    section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    _type(qtbot, section.amounts[Rank.GOLD], "8tr")
    _type(qtbot, section.amounts[Rank.SILVER], "5tr")
    assert section.has_edits()  # typed: reading the saved ones again would wipe it
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith("Saved."), timeout=WAIT)
    qtbot.waitUntil(section.save_button.isEnabled, timeout=WAIT)
    saved = read_rank_settings(owner_ctx)
    assert [saved.threshold(r) for r in (Rank.GOLD, Rank.SILVER)] == [8_000_000, 5_000_000]
    assert not section.has_edits()

    # No amount: said, the cursor put there, nothing saved, and kept on a read again.
    _type(qtbot, section.amounts[Rank.SILVER], "500kk")
    assert section.amounts[Rank.SILVER].property("invalid") is True
    assert section.has_edits()
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    assert "“500kk”" in section.message.text()
    assert section.message.property("error") is True
    assert section.amounts[Rank.SILVER].hasFocus()
    qtbot.mouseClick(section.dry_button, Qt.MouseButton.LeftButton)  # no dry run either
    assert not section.busy and "“500kk”" in section.message.text()
    assert read_rank_settings(owner_ctx).threshold(Rank.SILVER) == 5_000_000


def test_points_amounts_read_k_and_tr(qtbot: Any, owner_ctx: ServiceContext) -> None:
    section = show_widget(qtbot, PointsSettingsSection(owner_ctx), 800, 500)
    _type(qtbot, section.earn_per, "100k")
    _type(qtbot, section.point_value, "2k")
    assert section.back.text() == "≈ 2% of the order's value comes back as points."
    assert section.has_edits()
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text() == "Saved.", timeout=WAIT)
    qtbot.waitUntil(section.save_button.isEnabled, timeout=WAIT)
    saved = read_points_settings(owner_ctx)
    assert (saved.earn_per, saved.point_value) == (100_000, 2_000)
    assert not section.has_edits()

    _type(qtbot, section.point_value, "twenty")
    assert section.back.text() == "" and section.has_edits()
    qtbot.mouseClick(section.save_button, Qt.MouseButton.LeftButton)
    assert "“twenty”" in section.message.text()
    assert section.point_value.hasFocus()
    assert read_points_settings(owner_ctx).point_value == 2_000


def test_an_amount_shown_follows_a_language_switch(qtbot: Any) -> None:
    edit = show_widget(qtbot, MoneyEdit("amount"), 200, 40)
    other = show_widget(qtbot, MoneyEdit("other"), 200, 40)
    edit.set_amount(2_000_000)
    other.setText("twenty")  # not money: left as typed
    assert edit.text() == "2,000,000"
    try:
        install_language("vi")
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
        assert (edit.text(), edit.amount()) == ("2.000.000", 2_000_000)
        assert other.text() == "twenty" and other.property("invalid") is True
        _type(qtbot, edit, "1.500.000")  # typed in Vietnamese, back to English
    finally:
        back_to_english()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    assert (edit.text(), edit.amount()) == ("1,500,000", 1_500_000)
