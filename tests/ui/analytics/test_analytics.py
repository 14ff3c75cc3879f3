"""Analytics tab and a metric's detail page with real widgets (tests/services/report_data.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from python_calamine import CalamineWorkbook

from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.ui.analytics.detail import DetailPage, _ts
from primedist.ui.analytics.page import AnalyticsPage
from primedist.ui.i18n import install_language
from tests.services.report_data import FROM, TO, Shop2, build

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def make_page(qtbot: QtBot, ctx: ServiceContext) -> AnalyticsPage:
    page = AnalyticsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.set_range(FROM, TO)
    qtbot.waitUntil(lambda: page.running == 0)
    return page


def wait_loaded(qtbot: QtBot, detail: DetailPage, change: Any = None) -> None:
    if change is not None:
        with qtbot.waitSignal(detail.loaded, timeout=5000):
            change()
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None)


def test_cards_and_tables(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    page = make_page(qtbot, ctx)
    assert page.cards["revenue"].value.text() == "390,000 VND"
    assert page.cards["orders"].value.text() == "4"
    assert page.cards["units"].value.text() == "7"
    assert page.cards["repeat_rate"].value.text() == "66.67%"
    assert "▲ 66.67 pt" in page.cards["repeat_rate"].change.text()
    assert "excluding cancelled" in page.cards["revenue"].title.toolTip()
    assert "2 or more non-cancelled" in page.cards["repeat_rate"].title.toolTip()
    assert "Top shipping providers =" in page.table_titles["carriers"].toolTip()
    t = page.tables["locations_orders"]
    assert [t.item(r, 0).text() for r in range(t.rowCount())] == [
        "Hà Nội", "Đà Nẵng", "TP. Hồ Chí Minh"]  # fmt: skip
    headers = {key: page.tables[key].horizontalHeaderItem(0).text()
               for key in ("locations_orders", "carriers")}  # fmt: skip
    assert headers == {"locations_orders": "Province/city", "carriers": "Carrier"}
    products = page.tables["products"]
    assert [products.item(r, 0).text() for r in range(2)] == ["Quần jean", "Áo thun"]
    header = products.horizontalHeader()  # a rank: most units first, not by name
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        1, Qt.SortOrder.DescendingOrder)  # fmt: skip
    units = [products.item(r, 1).data(Qt.ItemDataRole.UserRole) for r in range(2)]
    assert units == sorted(units, reverse=True)
    products.sortItems(2)  # revenue, ascending
    assert [products.item(r, 0).text() for r in range(2)] == ["Áo thun", "Quần jean"]
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.tick_shops({shop.b})
    assert page.cards["revenue"].value.text() == "30,000 VND"


@pytest.mark.usefixtures("app_style")
def test_product_names_get_the_rank_table_width(qtbot: QtBot, ctx: ServiceContext,
                                                 shop: Shop2) -> None:  # fmt: skip
    """Half of a 1366-pixel window: the figures' titles take two lines, so the product
    column keeps at least a third of the table (it had a sixth: names cut to one word)."""
    page = make_page(qtbot, ctx)
    page.resize(1366, 700)
    page.show()
    products = page.tables["products"]
    qtbot.waitUntil(lambda: products.viewport().width() > 300)
    assert products.columnWidth(0) >= products.viewport().width() / 3
    header = products.model().headerData(3, Qt.Orientation.Horizontal)
    assert header == "Gross\nprofit"


@pytest.mark.usefixtures("app_style")
def test_a_top_five_fits_whole_on_a_laptop_screen(qtbot: QtBot, ctx: ServiceContext,
                                                  shop: Shop2) -> None:  # fmt: skip
    """The page's room in a 1366 × 768 window: five rows and the header, no scroll bar
    (the style's 30-pixel rows left the fifth row cut and a bar beside it)."""
    page = make_page(qtbot, ctx)
    page.resize(1366, 619)
    page.show()
    table = page.tables["locations_orders"]
    names = ("Hà Nội", "Đà Nẵng", "Huế", "Cần Thơ", "Hải Phòng")
    rows = [reports.RankRow(str(i), name, reports.Change(9 - i, 1), reports.Change(1, 1))
            for i, name in enumerate(names)]  # fmt: skip
    page._fill_groups(table, rows, "orders")
    qtbot.waitUntil(lambda: table.viewport().height() > 100)
    assert table.rowCount() == 5
    assert sum(table.rowHeight(r) for r in range(5)) <= table.viewport().height()
    assert not table.verticalScrollBar().isVisible()


def test_detail_chart_points_grain_hover_search_export(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    page = make_page(qtbot, ctx)
    detail = page.open_detail("revenue")
    wait_loaded(qtbot, detail)
    xs, ys = detail.curve.getData()
    assert list(ys) == [100_000, 30_000, 0, 0, 60_000, 0, 200_000]
    assert list(xs) == [_ts(date(2026, 11, d)) for d in range(10, 17)]
    # The seven days and the total under them.
    assert detail.table.rowCount() == 8 and detail.table.item(6, 1).text() == "200,000 VND"
    assert detail.show_hover(_ts(date(2026, 11, 16)) - 3600).startswith(
        "16/11/2026\n200,000 VND\nPrevious period: ")
    wait_loaded(qtbot, detail, lambda: detail.grain.setCurrentIndex(1))  # by week
    xs, ys = detail.curve.getData()
    assert list(ys) == [190_000, 200_000]  # Tue 10th – Sun 15th, Mon 16th
    detail.apply_search("16/11")
    assert [detail.table.isRowHidden(r) for r in range(2)] == [True, False]
    target = tmp_path / "revenue.xlsx"
    detail.export(target)
    qtbot.waitUntil(lambda: detail.running == 0 and target.exists())
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    # The rows the search leaves shown, without the range's total (not their sum).
    assert [r[2] for r in rows[1:]] == [200_000]
    with qtbot.waitSignal(detail.back):
        detail.back_button.click()
    assert page.stack.currentIndex() == 0


def test_ranking_detail_follows_the_selected_row(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, ctx)
    detail = page.open_detail("province")
    wait_loaded(qtbot, detail)
    assert [detail.table.item(r, 0).text() for r in range(3)] == [
        "Hà Nội", "Đà Nẵng", "TP. Hồ Chí Minh"]  # fmt: skip
    assert detail.key == "01"
    assert list(detail.curve.getData()[1]) == [100_000, 0, 0, 0, 0, 0, 200_000]
    wait_loaded(qtbot, detail, lambda: detail.table.selectRow(2))
    assert detail.key == "79"
    assert list(detail.curve.getData()[1]) == [0, 30_000, 0, 0, 0, 0, 0]
    detail.apply_search("ho chi minh")
    assert [detail.table.isRowHidden(r) for r in range(3)] == [True, True, False]


@pytest.mark.usefixtures("english")  # back to English afterwards
def test_vietnamese_rates_and_changes_use_a_decimal_comma(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, ctx)
    install_language("vi")  # the (posted) LanguageChange event refills the page
    qtbot.waitUntil(lambda: page.detail_buttons["revenue"].text() == "Xem chi tiết")
    card = page.cards["repeat_rate"]
    assert card.value.text() == "66,67%"
    assert "▲ 66,67 điểm %" in card.change.text() and "kỳ trước: 0,00%" in card.change.text()
    assert "▲ 225,00%" in page.cards["revenue"].change.text()
    revenue = page.tables["locations_revenue"]
    assert revenue.item(2, 2).text() == "▼ 62,50%"
    header = revenue.horizontalHeader()  # the name column takes the panel's spare width
    assert header.sectionResizeMode(0) == header.ResizeMode.Stretch
    detail = page.open_detail("province")
    qtbot.waitUntil(lambda: detail.running == 0 and detail.table.rowCount() == 3)
    changes = [detail.table.item(r, 4).text() for r in range(3)]
    assert "▼ 62,50%" in changes  # as on the cards: ▲ green, ▼ red
    down = detail.table.item(changes.index("▼ 62,50%"), 4)
    assert down.foreground().color().name() == "#b91c1c"
    products = page.open_detail("product")
    qtbot.waitUntil(lambda: products.running == 0)
    assert products.table.horizontalHeaderItem(0).text() == "Sản phẩm"  # not "Xếp hạng…"


def test_chart_axes_speak_the_shops_language(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    """Money ticks read ``25M`` / ``25 tr``, not pyqtgraph's ``2.5e+07`` (the date axis's
    days and months: test_detail_chart_fixed.py)."""
    page = make_page(qtbot, ctx)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    detail = page.open_detail("revenue")
    wait_loaded(qtbot, detail)
    left = detail.plot.getPlotItem().getAxis("left")
    ticks = [0.0, 500.0, 5_000_000.0, 25_000_000.0, 1_500_000_000.0]
    assert left.tickStrings(ticks, 1.0, 1.0) == ["0", "500", "5M", "25M", "1.5B"]
    install_language("vi")
    try:
        assert left.tickStrings(ticks, 1.0, 1.0) == ["0", "500", "5 tr", "25 tr", "1,5 tỷ"]
    finally:
        install_language("en")
    rate = page.open_detail("repeat_rate")
    wait_loaded(qtbot, rate)
    assert rate.plot.getPlotItem().getAxis("left").tickStrings([0.0, 5.0], 1.0, 1.0) == [
        "0%",
        "5%",
    ]


def test_ranking_chart_says_what_it_follows_and_numbers_sit_right(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, ctx)
    detail = page.open_detail("province")
    wait_loaded(qtbot, detail)
    assert detail.chart_caption.text() == "Hà Nội · Revenue"
    wait_loaded(qtbot, detail, lambda: detail.table.selectRow(2))
    assert detail.chart_caption.text() == "TP. Hồ Chí Minh · Revenue"
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    model = detail.table.model()
    for column in (1, 2, 3, 4):
        assert detail.table.item(0, column).textAlignment() == right
        assert model.headerData(column, Qt.Orientation.Horizontal,
                                Qt.ItemDataRole.TextAlignmentRole) == right  # fmt: skip
    products = page.open_detail("product")
    wait_loaded(qtbot, products)
    assert products.chart_caption.text().endswith(" · Units sold")


def test_gross_profit_card_rank_column_and_detail(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    """Every unit sold here cost the shop 5,000 VND: the card, the rank's column and the
    detail page show the profit the service works out, in money."""
    import sqlalchemy as sa

    with ctx.engine.begin() as conn:
        conn.execute(sa.text("UPDATE order_lines SET unit_cost = 5000"))
    reports.rebuild(ctx)  # the summaries follow the costs
    figures = reports.analytics(ctx, FROM, TO)
    assert 0 < figures.profit.current < figures.revenue.current
    page = make_page(qtbot, ctx)
    card = page.cards["profit"]
    assert card.value.text() == f"{figures.profit.current:,} VND"
    margin = figures.profit.current * 100 / figures.revenue.current
    assert card.note.text() == f"Margin {margin:.1f}%"
    assert "Gross profit =" in card.title.toolTip() and card.title.text() == "Gross profit ⓘ"
    products = page.tables["products"]
    shown = {products.item(r, 0).text(): products.item(r, 3).data(Qt.ItemDataRole.UserRole)
             for r in range(products.rowCount())}  # fmt: skip
    assert shown == {r.label: r.profit.current for r in figures.products if r.profit}
    detail = page.open_detail("profit")
    wait_loaded(qtbot, detail)
    _xs, ys = detail.curve.getData()
    assert sum(ys) == figures.profit.current
    assert detail.table.item(6, 1).text().endswith(" VND")
    ranking = page.open_detail("product")
    qtbot.waitUntil(lambda: ranking.running == 0 and ranking.table.rowCount() > 0)
    assert ranking.table.columnCount() == 7
    assert ranking.table.horizontalHeaderItem(5).text() == "Gross profit"


def test_detail_page_compares_with_the_previous_period(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    """The metric page draws the previous period (dashed grey, day by day from its start),
    tables it beside each day with the change, and totals both as the card does."""
    page = make_page(qtbot, ctx)
    card = page.cards["revenue"]
    detail = page.open_detail("revenue")
    wait_loaded(qtbot, detail)
    series = detail.series
    assert series is not None and series.previous_days == (date(2026, 11, 3), date(2026, 11, 9))
    xs, ys = detail.previous_curve.getData()
    assert list(xs) == [_ts(date(2026, 11, d)) for d in range(10, 17)]  # on the range's days
    assert sum(ys) == 120_000 and list(ys) == series.previous
    assert detail.previous_curve.opts["pen"].style() == Qt.PenStyle.DashLine
    assert detail.previous_curve in detail.plot.getPlotItem().listDataItems()
    assert "03/11/2026 – 09/11/2026" in detail.previous_note.text()
    headers = [detail.table.horizontalHeaderItem(c).text() for c in range(4)]
    assert headers == ["Period", "Total revenue", "Previous period", "Change"]
    total = detail.table.rowCount() - 1
    assert detail.table.item(total, 0).text() == "Total"
    assert detail.table.item(total, 1).text() == card.value.text() == "390,000 VND"
    assert detail.table.item(total, 2).text() == "120,000 VND"
    assert detail.table.item(total, 3).text() == "▲ 225.00%"
    assert "▲ 225.00%" in card.change.text()
    # The total is the whole range's: hidden while the search hides days (it read as the
    # sum of those left), back with them.
    detail.apply_search("16/11")
    assert [r for r in range(total + 1) if not detail.table.isRowHidden(r)] == [6]
    detail.apply_search("")
    assert not detail.table.isRowHidden(total)
    target = tmp_path / "revenue.xlsx"
    detail.export(target)
    qtbot.waitUntil(lambda: detail.running == 0 and target.exists())
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert rows[0][2:] == ["Total revenue", "Previous period", "Change"]
    assert rows[-1][2:] == [390_000, 120_000, 2.25]
    assert len(rows) == 1 + 7 + 1
    # The repeat rate: the whole range's rate, as its card.
    rate = page.open_detail("repeat_rate")
    wait_loaded(qtbot, rate)
    last = rate.table.rowCount() - 1
    assert rate.table.item(last, 0).text() == "Whole range"
    assert rate.table.item(last, 1).text() == page.cards["repeat_rate"].value.text()
