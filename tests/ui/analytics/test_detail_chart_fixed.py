"""A metric's detail page inside the Analytics tab's scroll area: the wheel over the chart
scrolls the page (the chart stays on the period, hover still works), "See detail" opens at
the page's top and "← Back" returns where the overview was, and the date axis reads days
as "01/12" (month names only by month)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from primedist.services.context import ServiceContext
from primedist.ui.analytics.detail import DetailPage, _ts
from primedist.ui.analytics.page import AnalyticsPage
from primedist.ui.i18n import install_language
from primedist.ui.main_window import LazyTab
from tests.services.report_data import FROM, TO, Shop2, build

pytestmark = pytest.mark.usefixtures("quiet")
#: The tabs of the running test (a parentless widget lives while Python holds it).
TABS: list[LazyTab] = []


@pytest.fixture(autouse=True)
def _forget_tabs() -> Iterator[None]:
    yield
    TABS.clear()


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def analytics_tab(qtbot: QtBot, ctx: ServiceContext) -> tuple[AnalyticsPage, QScrollArea]:
    """The Analytics page as the main window's tab holds it, in a window too low for it
    (the tab kept alive by the page's window() until the test ends)."""
    tab = LazyTab("analytics", lambda: AnalyticsPage(ctx), scrolls=True)
    qtbot.addWidget(tab)
    TABS.append(tab)
    page = tab.ensure_built()
    assert isinstance(page, AnalyticsPage)
    tab.resize(1366, 420)
    tab.show()
    qtbot.waitExposed(tab)
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.set_range(FROM, TO)
    qtbot.waitUntil(lambda: page.running == 0)
    scroll = tab.findChild(QScrollArea, "scroll_analytics")
    assert scroll is not None
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0)
    return page, scroll


def open_detail(qtbot: QtBot, page: AnalyticsPage, metric: str) -> DetailPage:
    page.detail_buttons[metric].click()
    detail = page.detail
    assert detail is not None
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None)
    return detail


def wheel_down(widget: QWidget, at: QPoint) -> None:
    """A wheel turn as the window system gives it (a sent event goes to one widget only)."""
    window = widget.window()
    QTest.wheelEvent(window.windowHandle(), widget.mapTo(window, at), QPoint(0, -120))


def move(qtbot: QtBot, widget: QWidget, at: QPoint) -> None:
    """A mouse move a little after the last: pyqtgraph drops those less than 10 ms apart."""
    qtbot.wait(20)
    qtbot.mouseMove(widget, at)


def test_the_wheel_over_the_chart_scrolls_the_page_and_the_chart_stays(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page, scroll = analytics_tab(qtbot, ctx)
    detail = open_detail(qtbot, page, "revenue")
    view = detail.plot.getPlotItem().getViewBox()
    first, last = _ts(FROM), _ts(TO)

    def fits_the_period() -> bool:
        """The range's days, with a little room, as the chart shows them once loaded (a
        zoom left points out or days beside them, a drag pushed the first one out)."""
        low, high = view.viewRange()[0]
        return low <= first and last <= high and high - low < 1.3 * (last - first)

    qtbot.waitUntil(fits_the_period)
    viewport = detail.plot.viewport()
    middle = viewport.rect().center()
    bar = scroll.verticalScrollBar()
    assert bar.value() == 0
    wheel_down(viewport, middle)
    assert bar.value() > 0  # the page scrolled
    assert fits_the_period()  # the chart did not zoom
    # Hover: the nearest point's date and value beside it.
    x = view.mapViewToScene(QPointF(_ts(date(2026, 11, 16)), 0)).x()
    move(qtbot, viewport, QPoint(int(x), middle.y()))
    qtbot.waitUntil(
        lambda: (
            detail.marker.isVisible()
            and detail.marker.textItem.toPlainText().startswith("16/11/2026\n200,000 VND\n")
        )
    )
    # Dragging does not pan the chart either, and no "A" (auto-range) button shows.
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=middle)
    for step in range(1, 5):  # a hand's drag: moves one after the other
        move(qtbot, viewport, middle + QPoint(50 * step, 10 * step))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=middle + QPoint(200, 40))
    assert fits_the_period()
    assert not detail.plot.getPlotItem().autoBtn.isVisible()


def test_see_detail_opens_at_the_top_and_back_returns_where_the_overview_was(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page, scroll = analytics_tab(qtbot, ctx)
    bar = scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # down at the product rank
    below, end = bar.value(), bar.maximum()
    assert below > 0
    detail = open_detail(qtbot, page, "products")
    assert bar.value() == 0
    for widget in (detail.title, detail.back_button, detail.grain):  # on screen
        assert widget.mapTo(scroll.viewport(), QPoint(0, 0)).y() >= 0
    detail.back_button.click()
    assert page.stack.currentIndex() == 0
    # As long as before (the detail page's height does not stay under it, blank), where
    # it was.
    assert (bar.maximum(), bar.value()) == (end, below)


def axis_texts(detail: DetailPage) -> list[str]:
    """The date axis's labels over the chart as shown."""
    axis = detail.plot.getPlotItem().getAxis("bottom")
    low, high = detail.plot.getPlotItem().getViewBox().viewRange()[0]
    levels = axis.tickValues(low, high, axis.geometry().width())
    return [text for spacing, values in levels for text in axis.tickStrings(values, 1.0, spacing)]


@pytest.mark.usefixtures("english")  # back to English afterwards
@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_date_axis_reads_days_as_day_and_month(
    qtbot: QtBot, ctx: ServiceContext, lang: str
) -> None:
    install_language(lang)
    detail = DetailPage(ctx, "revenue", date(2026, 12, 1), date(2026, 12, 7), ())
    qtbot.addWidget(detail)
    detail.resize(1340, 600)
    detail.show()
    qtbot.waitExposed(detail)
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None)
    assert axis_texts(detail) == [f"{d:02d}/12" for d in range(1, 8)]  # not "Dec 02 03"
    # By month: the months' names (the first one the range cuts short at its first day),
    # January with its year.
    detail.first, detail.last = date(2026, 10, 15), date(2027, 1, 31)
    with qtbot.waitSignal(detail.loaded, timeout=5000):
        detail.grain.setCurrentIndex(detail.grain.findData("month"))
    qtbot.waitUntil(lambda: detail.running == 0)
    months = (["Th10", "Th11", "Th12", "Th1 2027"] if lang == "vi"
              else ["Oct", "Nov", "Dec", "Jan 2027"])  # fmt: skip
    qtbot.waitUntil(lambda: axis_texts(detail) == months)  # once the chart fits the range
