"""The stock-take's confirmation is as wide as its table of changes needs (each column its
header and texts, the product's name readable), within the screen: no product cut to "…",
no header cut, no column hidden behind a sideways scrollbar — in English and Vietnamese,
with the app's own font and stylesheet."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication

from primedist.ui.i18n import install_language
from primedist.ui.products.stocktake import (
    COL_OUTCOME_PRODUCT,
    OUTCOME_PRODUCT_MIN,
    ApplyStocktakeDialog,
    Outcome,
    Totals,
)
from primedist.ui.widgets import SCREEN_MARGIN

pytestmark = pytest.mark.usefixtures("app_style", "no_crash")

LONG = [
    Outcome("DNCU0004-XAM", "Đèn ngủ cảm ứng phong cách Bắc Âu", 186, -189, 0),
    Outcome("GS0006-VKM-38", "Giày sneaker cao cấp", 45, -3, 12),
    Outcome("HDTP0019-L", "Hộp đựng thực phẩm", 32, 5, 0),
]
SHORT = [Outcome("AO-S", "Áo", 10, -2, 0), Outcome("MU-1", "Mũ", 5, -3, 4)]


@pytest.mark.parametrize("outcomes", [LONG, SHORT], ids=["long", "short"])
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_confirmation_is_as_wide_as_its_table_needs(qtbot, lang, outcomes):
    install_language(lang)
    try:
        dialog = ApplyStocktakeDialog(Totals(3, 3, -187, -8_731_800), moved=1, outcomes=outcomes)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        table, room = dialog.outcomes, QGuiApplication.primaryScreen().availableGeometry()
        header = table.horizontalHeader()
        sections = [header.sectionSize(c) for c in range(table.columnCount())]
        # Every column shows whole: nothing hidden sideways, no header or number cut.
        assert sum(sections) <= table.viewport().width()
        assert not table.horizontalScrollBar().isVisible()
        for c, width in enumerate(sections):
            if c != COL_OUTCOME_PRODUCT:
                assert width >= max(header.sectionSizeHint(c), table.sizeHintForColumn(c))
        # The product's name is readable, not "…": whole, or as wide as the screen lets the
        # dialog be (taking all its free width), never below the minimum.
        assert sections[COL_OUTCOME_PRODUCT] >= OUTCOME_PRODUCT_MIN
        if sections[COL_OUTCOME_PRODUCT] < table.sizeHintForColumn(COL_OUTCOME_PRODUCT):
            assert dialog.width() == room.width() - SCREEN_MARGIN
        assert dialog.width() <= room.width()
    finally:
        install_language("en")
