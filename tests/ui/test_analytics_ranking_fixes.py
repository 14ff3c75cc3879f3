"""Analytics' top lists and detail pages: an empty list says why, the top 5 by orders opens
a ranking sorted and charted by orders, the product rank's names keep their width under
whole titles with the sort arrow above them, the chart's value axis starts at 0, and no
change reads as a grey 0% (tests/services/report_data.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QImage
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from primedist.domain.enums import OrderStatus
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from primedist.ui.analytics.detail import DetailPage, _ts
from primedist.ui.analytics.page import AnalyticsPage
from primedist.ui.home.controls import change_text
from primedist.ui.i18n import install_language
from tests.factories import make_product
from tests.services.report_data import FROM, NOW, TO, Shop2, add_order, build
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")

LONG_NAME = "Cáp sạc nhanh Type-C giá rẻ dài 2 mét"


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def settled(qtbot: QtBot, page: AnalyticsPage, first: date = FROM, last: date = TO) -> None:
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None, timeout=WAIT)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.bar.set_range(first, last)
    qtbot.waitUntil(lambda: page.running == 0, timeout=WAIT)


def detail_loaded(qtbot: QtBot, detail: DetailPage) -> None:
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None, timeout=WAIT)


def first_names(table: QTableWidget) -> list[str]:
    items = [table.item(r, 0) for r in range(table.rowCount())]
    return [item.text() for item in items if item is not None]


# 1 ---------------------------------------------------------------------------------------
def test_empty_top_lists_say_why(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    """A range without orders: every list says so (they were blank white boxes); a range
    whose only order has a province but no carrier: the carriers' list says that."""
    page = show_widget(qtbot, AnalyticsPage(ctx), 1366, 700)
    settled(qtbot, page, date(2025, 1, 1), date(2025, 1, 7))
    for key, table in page.tables.items():
        hint = page.empty_hints[key]
        assert table.rowCount() == 0
        assert hint.isVisible() and hint.text() == "No orders in this range", key
    # 11 November: O7 alone (Ho Chi Minh City, no carrier).
    settled(qtbot, page, date(2026, 11, 11), date(2026, 11, 11))
    assert first_names(page.tables["locations_orders"]) == ["TP. Hồ Chí Minh"]
    assert not page.empty_hints["locations_orders"].isVisible()
    assert page.tables["carriers"].rowCount() == 0
    carriers = page.empty_hints["carriers"]
    assert carriers.isVisible() and carriers.text() == "No carrier on the orders of this range"


# 2 ---------------------------------------------------------------------------------------
def test_the_top_by_orders_opens_the_ranking_by_orders(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    """Cần Thơ: 3 small orders (most orders), Hà Nội: 2 dear ones (most revenue). Each
    "See detail" opens the ranking in its own order, charting its own figure."""
    with ctx.engine.begin() as conn:
        small = [add_order(conn, shop.a, f"CT{i}", datetime(2026, 11, 15, 9 + i),
                           OrderStatus.COMPLETED, province="92", total=1_000)
                 for i in range(3)]  # fmt: skip
        orders_changed(conn, small, now=NOW)
    page = show_widget(qtbot, AnalyticsPage(ctx), 1366, 700)
    settled(qtbot, page)
    assert first_names(page.tables["locations_orders"])[0] == "Cần Thơ"
    assert first_names(page.tables["locations_revenue"])[0] == "Hà Nội"

    page.detail_buttons["locations_orders"].click()
    by_orders = page.detail
    assert by_orders is not None
    detail_loaded(qtbot, by_orders)
    header = by_orders.table.horizontalHeader()
    assert header.sortIndicatorSection() == 1  # Orders, most first
    assert first_names(by_orders.table)[:2] == ["Cần Thơ", "Hà Nội"]
    assert by_orders.chart_caption.text() == "Cần Thơ · Orders"
    assert list(by_orders.curve.getData()[1]) == [0, 0, 0, 0, 0, 3, 0]  # orders, not đồng
    # The day, its orders, and the previous period's as far from its start (08/11: none).
    assert by_orders.show_hover(_ts(date(2026, 11, 15))) == "15/11/2026\n3\nPrevious period: 0"
    assert list(by_orders.previous_curve.getData()[1]) == [0] * 7
    by_orders.back.emit()

    page.detail_buttons["locations_revenue"].click()
    by_revenue = page.detail
    assert by_revenue is not None and by_revenue is not by_orders
    detail_loaded(qtbot, by_revenue)
    assert by_revenue.table.horizontalHeader().sortIndicatorSection() == 3  # Revenue
    assert first_names(by_revenue.table)[0] == "Hà Nội"
    assert by_revenue.chart_caption.text() == "Hà Nội · Revenue"
    assert list(by_revenue.curve.getData()[1]) == [100_000, 0, 0, 0, 0, 0, 200_000]
    by_revenue.back.emit()

    page.detail_buttons["carriers"].click()  # a top 5 by orders too
    carriers = page.detail
    assert carriers is not None
    detail_loaded(qtbot, carriers)
    assert carriers.table.horizontalHeader().sortIndicatorSection() == 1
    # The orders of no carrier (O7 and the 3 small ones) first: the most orders.
    assert first_names(carriers.table)[:2] == ["Unknown", "GHN"]
    assert carriers.chart_caption.text() == "Unknown · Orders"
    assert list(carriers.curve.getData()[1]) == [0, 1, 0, 0, 0, 3, 0]


# 3 ---------------------------------------------------------------------------------------
def _bold(table: QTableWidget) -> QFontMetrics:
    font = QFont(table.horizontalHeader().font())
    font.setBold(True)
    return QFontMetrics(font)


def _arrow_rows(table: QTableWidget, section: int) -> list[int]:
    """The rows of header pixels the sort arrow changes in its section: the header drawn
    with the indicator and without it, compared (the title, which moves aside by the
    arrow's width, too)."""
    header = table.horizontalHeader()
    left, width = header.sectionViewportPosition(section), header.sectionSize(section)

    def image() -> QImage:
        return header.viewport().grab().toImage()

    shown = image()
    header.setSortIndicatorShown(False)
    hidden = image()
    header.setSortIndicatorShown(True)
    return sorted({y for y in range(shown.height()) for x in range(left, left + width)
                   if shown.pixel(x, y) != hidden.pixel(x, y)})  # fmt: skip


@pytest.mark.usefixtures("app_style", "english")
@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("size", [(1366, 700), (1600, 920)])
def test_product_rank_names_and_titles_whole(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, lang: str, size: tuple[int, int]
) -> None:
    """A long product name is whole in the rank at half a 1366-pixel window (it was cut
    at about 12 characters: the figures' columns kept room for the sort arrow as wide as
    their two-line titles were high), every title is whole, and the sort arrow is drawn
    in the header's top padding, above the title (it sat over the last letters)."""
    variant = make_product(ctx.engine, LONG_NAME, [("LONG", 10_000, 500)])[0]
    with ctx.engine.begin() as conn:
        order = add_order(conn, shop.a, "LONG1", datetime(2026, 11, 12, 9),
                          OrderStatus.COMPLETED, lines=[(variant, 300, 10_000, 0)])  # fmt: skip
        orders_changed(conn, [order], now=NOW)
    install_language(lang)
    page = show_widget(qtbot, AnalyticsPage(ctx), *size)
    settled(qtbot, page)
    table = page.tables["products"]
    qtbot.waitUntil(lambda: table.viewport().width() > 300, timeout=WAIT)
    assert first_names(table)[0] == LONG_NAME  # most units
    cell = table.fontMetrics().horizontalAdvance(LONG_NAME) + 16  # the cells' padding
    assert table.columnWidth(0) >= cell
    header = table.horizontalHeader()
    titles = [str(table.model().headerData(c, Qt.Orientation.Horizontal)) for c in range(5)]
    for c, title in enumerate(titles):  # whole: the title, the padding, the arrow's width
        assert header.sectionSize(c) >= _bold(table).size(0, title).width() + 16 + 9, title
    assert header.sortIndicatorSection() == 1
    # The arrow in the style sheet's top padding (8 px), above the title's first line.
    assert [y for y in _arrow_rows(table, 1) if y < 8]


# 4 ---------------------------------------------------------------------------------------
def test_the_detail_chart_counts_from_zero(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    """Revenue of 100,000 then 30,000: the value axis starts at 0 (it started near the
    lowest point, making a small change look like a fall to nothing)."""
    detail = show_widget(qtbot, DetailPage(ctx, "revenue", FROM, date(2026, 11, 11), ()),
                         900, 600)  # fmt: skip
    detail_loaded(qtbot, detail)
    assert list(detail.curve.getData()[1]) == [100_000, 30_000]
    view = detail.plot.getPlotItem().getViewBox()
    qtbot.waitUntil(lambda: view.viewRange()[1][1] >= 100_000, timeout=WAIT)
    low, high = view.viewRange()[1]
    assert low <= 0 < 100_000 <= high
    assert low > -high * 0.2  # from 0, not from far below it


# 5 ---------------------------------------------------------------------------------------
@pytest.mark.usefixtures("english")
def test_no_change_is_a_grey_zero(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    """The previous period with as many orders as the range: "0%" in grey on the card,
    with no arrow (it read "▲ 0.00%" in green, as a rise)."""
    with ctx.engine.begin() as conn:  # 2 + 2 counted orders before, as 4 in the range
        before = [add_order(conn, shop.a, f"B{i}", datetime(2026, 11, 4, 9 + i),
                            OrderStatus.COMPLETED, total=10_000) for i in range(2)]  # fmt: skip
        orders_changed(conn, before, now=NOW)
    page = show_widget(qtbot, AnalyticsPage(ctx), 1366, 700)
    settled(qtbot, page)
    assert page.data is not None and page.data.orders.change_pct == 0
    change = page.cards["orders"].change.text()
    assert "<span style='color:#6b7280'>0%</span>" in change and "▲" not in change
    assert change_text(0.0) == ("0%", "#6b7280")
    assert change_text(-0.0, points=True) == ("0 pt", "#6b7280")
    assert change_text(0.01, "vi") == ("▲ 0,01%", "#15803d")
    install_language("en")
