"""Settings → Customer groups & price levels: a price row clicked fills the SKU and price
below (changing or removing it needs no SKU typed), another level's rows start unchosen,
and a deleted level's name and code do not stay in the form."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.ui.settings.levels import LevelsSettings
from tests.factories import make_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "english")


def _click_price_row(qtbot: Any, section: LevelsSettings, row: int) -> None:
    table = section.price_table
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_price_row_clicked_is_the_one_changed_or_removed(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext
) -> None:
    make_product(engine, "Áo thun", [("AO-S", 99_000, 5), ("AO-M", 109_000, 5)])
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP")
    levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    levels.set_level_price(owner_ctx, vip, "AO-S", 80_000)
    levels.set_level_price(owner_ctx, vip, "AO-M", 90_000)
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 900, 700)
    vip_row = [lv.id for lv in section.levels].index(vip)
    section.table.selectRow(vip_row)
    qtbot.waitUntil(lambda: section.price_table.rowCount() == 2, timeout=WAIT)
    assert section.price_table.selectionModel().selectedRows() == []
    skus = [section.price_table.model().index(r, 0).data() for r in range(2)]
    row_m = skus.index("AO-M")

    _click_price_row(qtbot, section, row_m)
    assert (section.sku.text(), section.price.amount()) == ("AO-M", 90_000)
    qtbot.mouseClick(section.remove_price_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.message.text() == "Price removed.", timeout=WAIT)
    qtbot.waitUntil(lambda: section.price_table.rowCount() == 1, timeout=WAIT)
    assert [(p.sku, p.price) for p in levels.level_prices(owner_ctx, vip)] == [("AO-S", 80_000)]

    # Another level's rows start unchosen: what was typed below stays.
    section.sku.setText("AO-S")
    section.table.selectRow(1 - vip_row)
    qtbot.waitUntil(lambda: section.prices_title.text() == "Prices of Khách sỉ", timeout=WAIT)
    assert section.sku.text() == "AO-S"


def test_a_deleted_level_leaves_the_form_empty(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    levels.save_level(owner_ctx, name="Khách sỉ", code="SI", upgrade_threshold=5_000_000)
    section = show_widget(qtbot, LevelsSettings(owner_ctx), 900, 700)
    section.table.selectRow(0)
    assert (section.name.text(), section.code.text()) == ("Khách sỉ", "SI")
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(section.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: section.table.rowCount() == 0, timeout=WAIT)
    qtbot.waitUntil(lambda: not section.busy, timeout=WAIT)
    assert (section.name.text(), section.code.text(), section.threshold.text()) == ("", "", "")
