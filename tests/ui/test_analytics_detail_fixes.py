"""A metric's detail page: the ranking sorts on a header click (the chart and the export
follow the rows as sorted), the hover label stays inside the plot, the export's texts are
the screen's (tests/services/report_data.py)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from primedist.domain.enums import OrderStatus
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from primedist.ui.analytics.detail import DetailPage, _ts, translate
from primedist.ui.i18n import install_language
from tests.services.report_data import FROM, NOW, TO, Shop2, add_order, build

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def open_detail(qtbot: QtBot, ctx: ServiceContext, metric: str) -> DetailPage:
    detail = DetailPage(ctx, metric, FROM, TO, ())
    qtbot.addWidget(detail)
    detail.resize(900, 600)
    detail.show()
    qtbot.waitExposed(detail)
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None)
    return detail


def click_header(qtbot: QtBot, detail: DetailPage, section: int) -> None:
    header = detail.table.horizontalHeader()
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))  # type: ignore[no-untyped-call]


def names(detail: DetailPage) -> list[str]:
    items = [detail.table.item(r, 0) for r in range(detail.table.rowCount())]
    return [item.text() for item in items if item is not None]


def test_the_product_ranking_sorts_by_revenue_on_a_click(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    with ctx.engine.begin() as conn:  # a line of a product no longer in the catalogue
        gone = add_order(conn, shop.a, "GONE", datetime(2026, 11, 12, 9), OrderStatus.COMPLETED,
                         lines=[(None, 5, 1_000, 0)])  # fmt: skip
        orders_changed(conn, [gone], now=NOW)
    detail = open_detail(qtbot, ctx, "product")
    gone_label = "Items no longer in the catalogue"
    # By units: the 5 units of the product gone first, then 4 jeans, 3 shirts.
    assert names(detail) == [gone_label, "Quần jean", "Áo thun"]
    click_header(qtbot, detail, 3)  # Revenue: the lowest first, then the highest
    assert names(detail) == [gone_label, "Áo thun", "Quần jean"]
    click_header(qtbot, detail, 3)
    assert names(detail) == ["Quần jean", "Áo thun", gone_label]
    # The chart follows the row chosen as sorted, not the service's row at that place.
    with qtbot.waitSignal(detail.loaded, timeout=5000):
        detail.table.selectRow(1)
    assert detail.chart_caption.text().startswith("Áo thun ·")
    target = tmp_path / "products.xlsx"
    detail.export(target)
    qtbot.waitUntil(lambda: detail.running == 0 and target.exists())
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    assert [r[0].value for r in sheet.iter_rows(min_row=2)] == names(detail)


def test_the_hover_label_of_the_highest_last_point_stays_in_the_plot(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    detail = open_detail(qtbot, ctx, "revenue")
    qtbot.wait(50)  # the view's range settles
    assert detail.series is not None
    points = detail.series.points
    top = max(points, key=lambda p: p.value)
    assert top.start == TO  # the highest point is also the last: top and right edges
    detail.show_hover(_ts(top.start))
    qtbot.wait(20)
    vb = detail.plot.getPlotItem().getViewBox()
    label = detail.marker.mapRectToScene(detail.marker.boundingRect())
    view = vb.sceneBoundingRect()
    assert view.contains(label), (label, view)
    low = min(points, key=lambda p: (p.value, p.start))
    assert low.start == date(2026, 11, 12)  # the first zero: room above and to the right
    detail.show_hover(_ts(low.start))
    qtbot.wait(20)
    above = detail.marker.mapRectToScene(detail.marker.boundingRect())
    assert view.contains(above) and tuple(detail.marker.anchor) == (0.0, 1.0)


@pytest.mark.usefixtures("english")  # back to English afterwards
def test_the_export_uses_the_screens_words(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    install_language("vi")  # after `quiet`'s English
    detail = open_detail(qtbot, ctx, "carrier")
    target = tmp_path / "carriers.xlsx"
    detail.export(target)
    qtbot.waitUntil(lambda: detail.running == 0 and target.exists())
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    labels = [r[0].value for r in sheet.iter_rows(min_row=2)]
    assert "Không rõ" in labels and None not in labels  # o7 has no carrier, as on screen
    changes = [r[2] for r in sheet.iter_rows(min_row=2) if r[2].value is not None]
    assert changes and all(isinstance(c.value, int | float) and "%" in c.number_format
                           for c in changes)  # fmt: skip
    rate = open_detail(qtbot, ctx, "repeat_rate")
    target = tmp_path / "rate.xlsx"
    rate.export(target)
    qtbot.waitUntil(lambda: rate.running == 0 and target.exists())
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]][:2]
    assert headers == [translate("DetailPage", "From"), translate("DetailPage", "To")]
    *values, whole = [r[2] for r in sheet.iter_rows(min_row=2)]
    # A day with no buyer has no rate: blank, as "—" on screen (not 0%).
    assert rate.series is not None
    assert [v.value is None for v in values] == [p.empty for p in rate.series.points]
    assert all(isinstance(v.value, int | float) and "%" in v.number_format
               for v in [*values, whole] if v.value is not None)  # fmt: skip
    # The last row: the whole range's rate, as its card counts it (not the periods' mean).
    card = reports.analytics(ctx, FROM, TO).repeat_rate.current_pct
    assert card is not None and whole.value == pytest.approx(card / 100)


def test_a_rate_with_no_buyer_charts_the_ranges_days(qtbot: QtBot, ctx: ServiceContext) -> None:
    """A new shop: the repeat rate has no value on any day. The date axis still runs over
    the range's days, not over pyqtgraph's default 0 to 1 (seconds of 1970, "00.100")."""
    detail = open_detail(qtbot, ctx, "repeat_rate")
    assert detail.series is not None and all(p.empty for p in detail.series.points)
    first, last = detail.plot.getViewBox().viewRange()[0]
    assert first <= _ts(FROM) + 1 and last >= _ts(TO) - 1
    assert last - first < 30 * 86_400
