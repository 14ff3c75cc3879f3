"""Home and Analytics, round 6: a custom range kept within the reports' limit (and the
dates put back when the figures are refused), an open detail page read again, shops
added after sign-in in the picker, a chart of zeros from 0 to 1, a rate with no buyer
as "—", weeks and months the range cuts short marked, the range choice whole after a
language switch, and the layout of a 1920 × 1080 screen."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate
from pytestqt.qtbot import QtBot

from primedist.core.messages import msg
from primedist.core.money import format_money
from primedist.domain.enums import Channel, OrderStatus
from primedist.errors import ValidationError
from primedist.services import orders as order_svc
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.ui.analytics.detail import DetailPage, _ts
from primedist.ui.analytics.page import AnalyticsPage
from primedist.ui.formatting import format_percent
from primedist.ui.home.controls import RangeBar
from primedist.ui.home.page import HomePage
from primedist.ui.i18n import install_language
from tests.factories import make_shop
from tests.services.report_data import FROM, TO, Shop2, build
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def settled(qtbot: QtBot, page: HomePage | AnalyticsPage) -> None:
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None, timeout=WAIT)


def cell(detail: DetailPage, r: int, c: int) -> str:
    item = detail.table.item(r, c)
    assert item is not None
    return item.text()


def loaded(qtbot: QtBot, detail: DetailPage) -> None:
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None, timeout=WAIT)


# 1 ---------------------------------------------------------------------------------------
def test_a_custom_range_stays_within_the_limit(
    qtbot: QtBot, owner_ctx: ServiceContext, shop: Shop2
) -> None:
    """A first day chosen 17 years back: the last day follows at the longest range the
    reports read (it was refused, and the cards kept the figures of the range before
    under the new dates)."""
    page = show_widget(qtbot, HomePage(owner_ctx))
    settled(qtbot, page)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.bar.set_range(FROM, TO)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.bar.date_from.setDate(QDate(2010, 1, 1))
    first, last = page.bar.range()
    assert first == date(2010, 1, 1)
    assert (last - first).days + 1 == reports.MAX_DAYS
    assert page.shown_range == (first, last)  # the figures are those of the dates shown


def test_a_refused_range_puts_the_dates_back(
    qtbot: QtBot, owner_ctx: ServiceContext, shop: Shop2, quiet: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """The figures of a range refused: the dates go back to those of the figures shown
    (a to-do card opened the Orders of the refused range, over the old figures)."""
    page = show_widget(qtbot, HomePage(owner_ctx))
    settled(qtbot, page)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.bar.set_range(FROM, TO)

    def refuse(*_args: object, **_kw: object) -> reports.Dashboard:
        raise ValidationError(msg("Choose a range of at most {limit} days.", limit=3660))

    monkeypatch.setattr(reports, "dashboard", refuse)
    page.bar.set_range(date(2026, 1, 1), date(2026, 1, 31))
    qtbot.waitUntil(lambda: page.running == 0 and bool(quiet), timeout=WAIT)
    assert quiet == ["Choose a range of at most 3,660 days."]  # said once
    quiet.clear()
    assert page.bar.range() == (FROM, TO) == page.shown_range
    assert page.todo["pending"].value.text() != "…"  # the figures of those dates stay


# 2 ---------------------------------------------------------------------------------------
def test_an_open_detail_page_reads_again_when_shown_again(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = show_widget(qtbot, AnalyticsPage(ctx))
    settled(qtbot, page)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.bar.set_range(FROM, TO)
    detail = page.open_detail("revenue")
    loaded(qtbot, detail)
    assert detail.series is not None
    assert sum(p.value for p in detail.series.points) == 390_000
    page.hide()  # another tab opens; O7 (30,000) is cancelled there
    order_svc.change_status(ctx, shop.orders["o7"], OrderStatus.CANCELLED, reason="test")
    page.show()
    qtbot.waitUntil(lambda: detail.series is not None and detail.running == 0
                    and sum(p.value for p in detail.series.points) == 360_000,
                    timeout=WAIT)  # fmt: skip
    assert page.stack.currentWidget() is detail


def test_a_ranking_detail_read_again_follows_the_same_row(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = show_widget(qtbot, AnalyticsPage(ctx))
    settled(qtbot, page)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.bar.set_range(FROM, TO)
    detail = page.open_detail("product")
    qtbot.waitUntil(lambda: detail.running == 0 and detail.table.rowCount() > 1, timeout=WAIT)
    detail.table.selectRow(1)
    key = detail.key
    qtbot.waitUntil(lambda: detail.running == 0, timeout=WAIT)
    assert key is not None and key != detail.row_key(0)
    seq = detail._seq
    detail.reload()
    qtbot.waitUntil(lambda: detail.running == 0 and detail._seq > seq, timeout=WAIT)
    assert detail.key == key  # the chart read again for the same product
    assert detail.series is not None and detail.series.key == key


# 3 ---------------------------------------------------------------------------------------
def picker_names(page: HomePage | AnalyticsPage) -> list[str]:
    return [a.text() for a in page.bar.shops_button.menu().actions()]


def test_a_shop_added_later_joins_the_picker_keeping_the_ticks(
    qtbot: QtBot, owner_ctx: ServiceContext, shop: Shop2
) -> None:
    home = show_widget(qtbot, HomePage(owner_ctx))
    settled(qtbot, home)
    with qtbot.waitSignal(home.refreshed, timeout=WAIT):
        home.bar.tick_shops({shop.a})
    new = make_shop(owner_ctx.engine, "Shop C", Channel.TIKI)
    with qtbot.waitSignal(home.refreshed, timeout=WAIT):
        home.refresh()
    assert "Shop C" in picker_names(home)
    assert home.bar.shop_ids() == (shop.a,)  # the owner's choice kept, the new one not ticked
    analytics = show_widget(qtbot, AnalyticsPage(owner_ctx))
    settled(qtbot, analytics)
    make_shop(owner_ctx.engine, "Shop D", Channel.TIKTOK)
    analytics.hide()
    with qtbot.waitSignal(analytics.refreshed, timeout=WAIT):
        analytics.show()
    assert "Shop D" in picker_names(analytics)
    assert analytics.bar.shop_ids() == ()  # all were ticked: all still are
    assert new in {a.data() for a in analytics.bar.shops_button.menu().actions()}


# 5 ---------------------------------------------------------------------------------------
def test_a_chart_of_zeros_runs_from_zero_to_one(qtbot: QtBot, ctx: ServiceContext) -> None:
    """No order in the range: the count axis from 0 to 1 with whole ticks (it ran from
    −0.5 to 0.5 with "-0.2", and a hover shrank it to ±1e-45)."""
    detail = show_widget(qtbot, DetailPage(ctx, "orders", date(2025, 1, 1),
                                           date(2025, 1, 7), ()), 900, 600)  # fmt: skip
    loaded(qtbot, detail)
    view = detail.plot.getPlotItem().getViewBox()
    low, high = shown = view.viewRange()[1]
    assert -0.05 < low < 0 and 1 < high < 1.1  # 0 and 1 inside, to be labelled
    axis = detail.plot.getPlotItem().getAxis("left")
    ticks = [v for _spacing, values in axis.tickValues(low, high, 300) for v in values]
    assert ticks == [0.0, 1.0]  # whole counts, none below 0
    assert axis.tickStrings(ticks, 1.0, 1.0) == ["0", "1"]
    detail.show_hover(_ts(date(2025, 1, 7)))
    qtbot.wait(50)
    assert view.viewRange()[1] == shown
    label = detail.marker.mapRectToScene(detail.marker.boundingRect())
    assert view.sceneBoundingRect().contains(label)


def test_a_day_with_no_buyer_has_no_rate(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    detail = show_widget(qtbot, DetailPage(ctx, "repeat_rate", FROM, TO, ()), 900, 600)
    loaded(qtbot, detail)
    with qtbot.waitSignal(detail.loaded, timeout=WAIT):  # it opens by week: the days asked
        detail.grain.setCurrentIndex(detail.grain.findData("day"))
    loaded(qtbot, detail)
    assert detail.series is not None and detail.series.grain == "day"
    empty = [p.empty for p in detail.series.points]
    cells = [cell(detail, r, 1) for r in range(len(empty))]  # the days, not the last row
    assert any(empty) and not all(empty)
    assert [c == "—" for c in cells] == empty  # not "0.00%", as the card says "—"
    # Under them, the whole range's rate as its card counts it.
    card = reports.analytics(ctx, FROM, TO).repeat_rate.current_pct
    assert card is not None and detail.table.rowCount() == len(empty) + 1
    assert [cell(detail, len(empty), c) for c in (0, 1)] == ["Whole range", format_percent(card)]
    _xs, ys = detail.curve.getData()
    assert len(ys) == empty.count(False)  # no point drawn at 0 for them


# 7 ---------------------------------------------------------------------------------------
@pytest.mark.usefixtures("english")
def test_the_range_choice_is_whole_after_a_language_switch(qtbot: QtBot) -> None:
    install_language("vi")
    bar = show_widget(qtbot, RangeBar(lambda: TO), 1000, 60)
    bar.set_preset("custom")
    install_language("en")
    qtbot.wait(50)
    text = bar.preset.currentText()
    assert text == "Custom range"
    assert bar.preset.width() >= bar.preset.fontMetrics().horizontalAdvance(text) + 20


# 8 ---------------------------------------------------------------------------------------
def test_weeks_and_months_the_range_cuts_short_are_marked(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    detail = show_widget(qtbot, DetailPage(ctx, "revenue", date(2026, 9, 20), TO, ()), 900, 600)
    loaded(qtbot, detail)
    seq = detail._seq
    detail.grain.setCurrentIndex(detail.grain.findData("month"))
    qtbot.waitUntil(lambda: detail._seq > seq and detail.running == 0, timeout=WAIT)
    periods = [cell(detail, r, 0) for r in range(detail.table.rowCount())]
    assert periods == ["20/09/2026 – 30/09/2026 (part: 11 days)", "01/10/2026 – 31/10/2026",
                       "01/11/2026 – 16/11/2026 (part: 16 days)", "Total"]  # fmt: skip
    revenue = reports.analytics(ctx, date(2026, 9, 20), TO).revenue.current
    assert cell(detail, 3, 1) == format_money(revenue, "en")  # the range's, whole or cut months
    assert detail.partial_note.isVisible()
    assert list(detail.curve.opts["connect"]) == [False, False, False]  # no whole pair
    assert list(detail.partial_line.opts["connect"]) == [True, True, False]  # dashed
    seq = detail._seq
    detail.grain.setCurrentIndex(detail.grain.findData("day"))
    qtbot.waitUntil(lambda: detail._seq > seq and detail.running == 0, timeout=WAIT)
    assert not detail.partial_note.isVisible()


# 6 ---------------------------------------------------------------------------------------
@pytest.mark.usefixtures("app_style")
def test_a_1920_screen_shares_its_room(
    qtbot: QtBot, owner_ctx: ServiceContext, shop: Shop2
) -> None:
    """Home: the latest events as tall as their lines (they took 40% of the screen), the
    marketplace table's columns across its width (packed in its left third). Analytics:
    the top 5s as tall as five rows, the product rank taller (half-empty tables)."""
    home = show_widget(qtbot, HomePage(owner_ctx), 1920, 950)
    settled(qtbot, home)
    qtbot.wait(50)
    lines = sum(home.events.sizeHintForRow(r) for r in range(home.events.count()))
    assert home.events.height() <= max(home.events.minimumHeight(), lines + 20)
    table = home.channels
    header = table.horizontalHeader()
    assert sum(header.sectionSize(c) for c in range(4)) >= table.viewport().width() - 4
    for c in range(4):  # the spare width shared, not all in the last column
        assert header.sectionSize(c) > table.sizeHintForColumn(c) + 50
    analytics = show_widget(qtbot, AnalyticsPage(owner_ctx), 1920, 950)
    settled(qtbot, analytics)
    qtbot.wait(50)
    tops = [analytics.tables[k] for k in ("locations_orders", "locations_revenue", "carriers")]
    for top in tops:
        head = top.horizontalHeader().height()
        assert top.height() <= head + 5 * 28 + 2 * top.frameWidth() + 2
    assert analytics.tables["products"].height() > tops[0].height() + 100
