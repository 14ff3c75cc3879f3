"""Settings → Customer ranking: a dry run shows, beside the customers of each rank now,
how many each rank would have ("1 (+1)"), and who would move into it in the tooltip (it
said only the totals up and down); the column goes once other conditions are typed, and
after a real recompute (the counts now are its figures)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.domain.enums import Rank
from primedist.services.context import ServiceContext
from primedist.ui.settings.ranking import PREVIEW_COLUMN, RankingSettings
from tests.services.loyalty.conftest import customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english")


def column(section: RankingSettings, col: int) -> list[str]:
    return [section.table.item(row, col).text() for row in range(section.table.rowCount())]


def test_a_dry_run_shows_each_ranks_customers_after_it(
    qtbot: QtBot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    customers_with(
        engine,
        [
            {"rank": Rank.COPPER, "total_expenses": 30_000_000},  # → Diamond
            {"rank": Rank.COPPER, "total_expenses": 6_000_000},  # → Gold
            {"rank": Rank.DIAMOND, "total_expenses": 0},  # → Bronze
        ],
    )
    section = show_widget(qtbot, RankingSettings(owner_ctx), 900, 700)
    assert section.table.isColumnHidden(PREVIEW_COLUMN)
    assert column(section, 2) == ["1", "0", "0", "2"]  # Diamond, Gold, Silver, Bronze now

    qtbot.mouseClick(section.dry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith("Dry run: 2"), timeout=WAIT)
    qtbot.waitUntil(section.dry_button.isEnabled, timeout=WAIT)
    assert not section.table.isColumnHidden(PREVIEW_COLUMN)
    header = section.table.horizontalHeaderItem(PREVIEW_COLUMN).text()
    assert header == "After the dry run"
    assert column(section, PREVIEW_COLUMN) == ["1", "1 (+1)", "0", "1 (\u22121)"]
    tips = [section.table.item(row, PREVIEW_COLUMN).toolTip() for row in (0, 3)]
    assert tips == ["Into Diamond: 1 would move up, 0 down.",
                    "Into Bronze: 0 would move up, 1 down."]  # fmt: skip
    assert column(section, 2) == ["1", "0", "0", "2"]  # nothing changed

    section.amounts[Rank.GOLD].set_amount(7_000_000)  # other conditions: the figures are void
    assert section.table.isColumnHidden(PREVIEW_COLUMN)
    section.amounts[Rank.GOLD].set_amount(5_000_000)
    qtbot.mouseClick(section.dry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not section.table.isColumnHidden(PREVIEW_COLUMN), timeout=WAIT)
    qtbot.waitUntil(section.run_button.isEnabled, timeout=WAIT)

    qtbot.mouseClick(section.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text().startswith("Done: 2"), timeout=WAIT)
    qtbot.waitUntil(section.run_button.isEnabled, timeout=WAIT)
    assert section.table.isColumnHidden(PREVIEW_COLUMN)
    assert column(section, 2) == ["1", "1", "0", "1"]
