"""Home's tables right-align their money and numbers, headers included (they read ragged
on the left beside the names in the visual hunt)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from primedist.services.context import ServiceContext
from primedist.ui.home.page import HomePage
from primedist.ui.i18n import install_language
from tests.services.report_data import FROM, TO, Shop2, build

pytestmark = pytest.mark.usefixtures("quiet")


def horizontal(alignment: object) -> Qt.AlignmentFlag:
    return Qt.AlignmentFlag(int(alignment)) & Qt.AlignmentFlag.AlignHorizontal_Mask


def header_side(table: QTableWidget, column: int) -> Qt.AlignmentFlag:
    """The side a header's label is drawn on: its own, else the header's default."""
    own = table.model().headerData(
        column, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole)  # fmt: skip
    return horizontal(own if own is not None else table.horizontalHeader().defaultAlignment())


def cell_side(table: QTableWidget, row: int, column: int) -> Qt.AlignmentFlag:
    return horizontal(table.item(row, column).textAlignment())


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


@pytest.mark.usefixtures("english")
def test_marketplace_revenue_and_change_are_right_aligned(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = HomePage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.set_range(FROM, TO)
    table, right, left = page.channels, Qt.AlignmentFlag.AlignRight, Qt.AlignmentFlag.AlignLeft
    assert table.rowCount() >= 2
    for r in range(table.rowCount()):
        assert [cell_side(table, r, c) for c in (1, 2)] == [right, right]
        assert cell_side(table, r, 0) != right and cell_side(table, r, 3) != right
    assert [header_side(table, c) for c in range(4)] == [left, right, right, left]
    install_language("vi")  # the headers are relabelled: they stay over their cells
    qtbot.waitUntil(lambda: table.horizontalHeaderItem(1).text() == "Doanh thu")
    assert [header_side(table, c) for c in range(4)] == [left, right, right, left]


def test_the_no_revenue_stock_is_right_aligned(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = HomePage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.set_range(FROM, TO)
    dialog = page.show_no_revenue()
    table = dialog.findChild(QTableWidget)
    qtbot.waitUntil(lambda: table.rowCount() >= 1)
    assert header_side(table, 1) == Qt.AlignmentFlag.AlignRight
    assert all(cell_side(table, r, 1) == Qt.AlignmentFlag.AlignRight
               for r in range(table.rowCount()))  # fmt: skip
    dialog.close()
