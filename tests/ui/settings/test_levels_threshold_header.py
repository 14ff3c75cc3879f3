"""Settings → Customer groups & price levels: the automatic-upgrade column's cells are
money with their currency ("2,000,000 VND"), so its header does not name the currency
again."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.ui.settings.levels import LevelsSettings
from tests.ui.support import show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english")


def test_the_upgrade_column_names_the_currency_once(qtbot: Any, owner_ctx: ServiceContext) -> None:
    levels.save_level(owner_ctx, name="VIP", code="VIP", upgrade_threshold=2_000_000)
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 900, 700)
    table = section.table
    headers = [table.model().headerData(c, Qt.Orientation.Horizontal)
               for c in range(table.columnCount())]  # fmt: skip
    assert headers[2] == "Automatic upgrade from"
    assert table.model().index(0, 2).data() == "2,000,000 VND"
    assert not any("VND" in text or "₫" in text for text in headers)
