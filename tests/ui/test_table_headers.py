"""The headers of the small tables sit over their cells: a text column's on the left, a
number column's on the right (not Qt's centred default), in either language."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QTableWidget

from primedist.services.context import ServiceContext
from primedist.ui.customers.segments import SegmentsPage
from primedist.ui.i18n import install_language
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.ranking import RankingSettings
from tests.ui.support import WAIT, assert_db_worker_idle, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def header_alignment(table: QTableWidget, column: int) -> Qt.AlignmentFlag:
    """How the header of `column` is drawn: its item's alignment, else the header's."""
    value = table.model().headerData(
        column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole
    )
    if value is None:
        return table.horizontalHeader().defaultAlignment()
    return Qt.AlignmentFlag(int(value))


def assert_sides(table: QTableWidget, left: list[int], right: list[int]) -> None:
    for column in left:
        assert header_alignment(table, column) == LEFT, column
    for column in right:
        assert header_alignment(table, column) == RIGHT, column


def test_headers_align_like_their_cells_in_both_languages(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    settings = show_widget(qtbot, SettingsPage(owner_ctx))
    ranking = settings.select_section("ranking")
    assert isinstance(ranking, RankingSettings)
    segments = SegmentsPage(owner_ctx)
    with qtbot.waitSignal(segments.loaded, timeout=WAIT):
        show_widget(qtbot, segments)
    # Rank | From | Customers; Segment | Customers | Successful orders | Total expenses | Created
    tables = ((ranking.table, [0], [1, 2]), (segments.table, [0], [1, 2, 3]))
    for table, left, right in tables:
        assert_sides(table, left, right)
    for lang in ("vi", "en"):
        install_language(lang)  # the headers are retitled by a posted LanguageChange event
        titles = [
            (ranking.table, QCoreApplication.translate("RankingSettings", "Rank")),
            (segments.table, QCoreApplication.translate("SegmentsPage", "Segment")),
        ]
        assert (titles[0][1] == "Rank") == (lang == "en")
        for table, title in titles:
            qtbot.waitUntil(lambda t=table, s=title: t.horizontalHeaderItem(0).text() == s,
                            timeout=WAIT)  # fmt: skip
        qtbot.waitUntil(lambda: not segments.busy, timeout=WAIT)
        for table, left, right in tables:
            assert_sides(table, left, right)
    assert_db_worker_idle()


def test_the_sale_screens_lines_read_like_the_lists(qtbot: Any, owner_ctx: ServiceContext) -> None:
    """Product, variant, SKU on the left; quantity, prices, stock on the right."""
    from primedist.ui.orders.sale import LinesModel, SaleDialog

    dialog = show_widget(qtbot, SaleDialog(owner_ctx))
    model = dialog.model
    for column in range(model.columnCount()):
        side = model.headerData(
            column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole
        )
        assert side == int(RIGHT if column in LinesModel.NUMERIC else LEFT), column
    dialog.close()
