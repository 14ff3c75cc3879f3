"""Settings → Customer ranking: the dry run previews the conditions on screen (saved or
not) and the counts say when they predate the saved conditions. Settings → Customer groups:
a twin name is refused, a price above the list price is asked about, 0 đ refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import Rank, RankBasis
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.services.loyalty.settings import read_rank_settings
from primedist.ui.i18n import install_language
from primedist.ui.settings.levels import LevelsSettings
from primedist.ui.settings.ranking import RankingSettings
from tests.factories import make_product
from tests.services.loyalty.conftest import customer, customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def _click_and_wait(qtbot: Any, section: Any, button: Any, start: str) -> str:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith(start), timeout=WAIT)
    qtbot.waitUntil(lambda: not section.busy, timeout=WAIT)
    return str(section.message.text())


def test_dry_run_previews_the_conditions_on_screen(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (loyal,) = customers_with(engine, [{"rank": Rank.COPPER, "successful_orders": 60,
                                        "total_expenses": 0}])  # fmt: skip
    section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    section.basis.setCurrentIndex(1)  # Successful orders: 50 / 25 / 10, not saved
    assert [section.spins[r].value() for r in (Rank.DIAMOND, Rank.GOLD, Rank.SILVER)] == [
        50, 25, 10]  # fmt: skip
    text = _click_and_wait(qtbot, section, section.dry_button, "Dry run")
    assert text == ("Dry run with the conditions on screen (not saved): 1 customers would "
                    "move up, 0 down; nothing was changed.")  # fmt: skip
    assert section.report is not None and section.report.basis == RankBasis.ORDERS
    assert read_rank_settings(owner_ctx).basis == RankBasis.EXPENSES  # nothing saved
    assert customer(engine, loyal).rank == Rank.COPPER  # nothing changed

    # Conditions a save would refuse are refused by the dry run too.
    section.spins[Rank.SILVER].setValue(30)  # above Gold's 25
    text = _click_and_wait(qtbot, section, section.dry_button, "The Gold threshold")
    assert text == "The Gold threshold (25 orders) must be above the Silver threshold (30 orders)."
    section.spins[Rank.SILVER].setValue(10)

    # Recompute now applies the saved conditions, and says the screen's are not saved.
    text = _click_and_wait(qtbot, section, section.run_button, "Done")
    assert text == ("Done with the saved conditions (the changes on screen are not saved): "
                    "0 customers moved up, 0 down.")  # fmt: skip
    assert customer(engine, loyal).rank == Rank.COPPER

    # The saved conditions again: the plain wording.
    section.basis.setCurrentIndex(0)
    text = _click_and_wait(qtbot, section, section.dry_button, "Dry run")
    assert text == "Dry run: 0 customers would move up, 0 down; nothing was changed."


def test_the_counts_say_when_they_predate_the_saved_conditions(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    customers_with(engine, [{"rank": Rank.COPPER, "successful_orders": 60}])
    section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    headers = [section.table.horizontalHeaderItem(c).text() for c in range(3)]
    assert headers == ["Rank", "From (saved)", "Customers now"]
    assert section.stale_counts.isHidden()  # the defaults, never changed
    section.basis.setCurrentIndex(1)
    _click_and_wait(qtbot, section, section.save_button, "Saved.")
    # 50 orders for Diamond beside a count that is still the old ranks: said so.
    assert section.table.item(0, 1).text() == "50 orders"
    assert section.table.item(3, 2).text() == "1"  # still Copper until a recompute
    assert not section.stale_counts.isHidden()
    assert section.stale_counts.text().startswith("The customer counts are the ranks of the last")
    clock.advance(timedelta(minutes=1))
    _click_and_wait(qtbot, section, section.run_button, "Done: 1 customers moved up")
    assert section.table.item(0, 2).text() == "1"  # Diamond now
    assert section.stale_counts.isHidden()
    clock.advance(timedelta(minutes=1))
    section.spins[Rank.DIAMOND].setValue(70)
    _click_and_wait(qtbot, section, section.save_button, "Saved.")
    assert not section.stale_counts.isHidden()


# --------------------------------------------------------------------------- levels


def test_levels_refuse_a_twin_name_and_a_zero_price_and_ask_above_the_list_price(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_product(engine, "Áo thun", [("AO-S", 99_000, 5)])
    levels.save_level(owner_ctx, name="VIP", code="VIP")
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 900, 700)
    section.name.setText("vip")
    section.code.setText("V2")
    _click_and_wait(qtbot, section, section.add_button, "A level named VIP already exists.")
    assert len(levels.list_levels(owner_ctx)) == 1
    section.table.selectRow(0)

    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(_parent: Any, _title: str, text: str, *_a: Any) -> Any:
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    section.sku.setText("ao-s")
    section.price.setText("0")
    _click_and_wait(qtbot, section, section.set_price_button, "A level price of 0 đ")
    assert levels.level_prices(owner_ctx, section.levels[0].id) == []

    section.price.setText("990000")  # a zero too many
    qtbot.mouseClick(section.set_price_button, Qt.MouseButton.LeftButton)
    assert asked == ["990,000 đ is above the list price of ao-s (99,000 đ): members pay the "
                     "list price while it is lower.\n\nSave this price anyway?"]  # fmt: skip
    assert levels.level_prices(owner_ctx, section.levels[0].id) == []  # No: not saved
    answer[0] = QMessageBox.StandardButton.Yes
    _click_and_wait(qtbot, section, section.set_price_button, "Price saved.")
    assert [p.price for p in levels.level_prices(owner_ctx, section.levels[0].id)] == [990_000]
    section.price.setText("80,000")  # below the list price: no question
    _click_and_wait(qtbot, section, section.set_price_button, "Price saved.")
    assert len(asked) == 2


@pytest.mark.parametrize(("lang", "diamond"), [("en", "10,000,000 VND"), ("vi", "10.000.000 ₫")])
def test_the_saved_thresholds_are_money_as_everywhere(
    qtbot: Any, owner_ctx: ServiceContext, lang: str, diamond: str
) -> None:
    """The table read "10,000,000 đ" in English, beside "Total expenses (VND)"."""
    install_language(lang)
    try:
        section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
        item = section.table.item(0, 1)
        assert item is not None and item.text() == diamond
    finally:
        install_language("en")
