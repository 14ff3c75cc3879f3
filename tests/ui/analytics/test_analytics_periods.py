"""The range bar's periods (Yesterday, This/Last week, Last month, This year beside the
rolling ones), each compared as a shop owner reads it: calendar periods with the same days
of the period before. The comparison's dates show on the change line and in the ⓘ texts
at the real time; the product rank's names get the width at 1024 pixels, and a selected
row keeps its green ▲ / red ▼."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from primedist.domain.enums import OrderStatus
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from primedist.ui.analytics.page import AnalyticsPage
from primedist.ui.home.controls import compared_with, range_days
from tests.factories import make_product
from tests.services.report_data import FROM, NOW, TO, Shop2, add_order, build
from tests.ui.home.test_home import make_page, refreshed
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")

FRIDAY = date(2026, 11, 20)


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


@pytest.mark.parametrize(
    ("choice", "today", "expected"),
    [
        ("today", FRIDAY, (FRIDAY, FRIDAY)),
        ("yesterday", FRIDAY, (date(2026, 11, 19), date(2026, 11, 19))),
        ("week", FRIDAY, (date(2026, 11, 16), FRIDAY)),  # Monday to today
        ("week", date(2026, 11, 16), (date(2026, 11, 16), date(2026, 11, 16))),  # a Monday
        ("last_week", FRIDAY, (date(2026, 11, 9), date(2026, 11, 15))),
        ("last_week", date(2026, 11, 22), (date(2026, 11, 9), date(2026, 11, 15))),  # Sunday
        ("7d", FRIDAY, (date(2026, 11, 14), FRIDAY)),
        ("30d", FRIDAY, (date(2026, 10, 22), FRIDAY)),
        ("month", FRIDAY, (date(2026, 11, 1), FRIDAY)),
        ("last_month", FRIDAY, (date(2026, 10, 1), date(2026, 10, 31))),
        ("last_month", date(2026, 1, 15), (date(2025, 12, 1), date(2025, 12, 31))),
        ("last_month", date(2028, 3, 31), (date(2028, 2, 1), date(2028, 2, 29))),
        ("year", FRIDAY, (date(2026, 1, 1), FRIDAY)),
    ],
)
def test_preset_days(choice: str, today: date, expected: tuple[date, date]) -> None:
    assert range_days(choice, today) == expected


def settled(qtbot: QtBot, page: AnalyticsPage) -> None:
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None, timeout=WAIT)


def choose(qtbot: QtBot, page: AnalyticsPage, preset: str) -> None:
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.bar.set_preset(preset)
    settled(qtbot, page)


def test_calendar_periods_compare_with_the_same_days_and_say_which(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    """The clock: 10:00 on Friday 20 November 2026, Vietnam time."""
    page = show_widget(qtbot, AnalyticsPage(ctx))
    settled(qtbot, page)
    choose(qtbot, page, "month")  # 1–20 November against 1–20 October, not 12–31 October
    against = "vs 01/10/2026 – 20/10/2026 until 10:00"
    assert all(card.change.toolTip() == against for card in page.cards.values())
    tip = page.cards["revenue"].title.toolTip()
    assert tip.endswith("For the dates chosen: " + against) and "17:50" not in tip
    assert page.table_titles["products"].toolTip().endswith(against)
    choose(qtbot, page, "week")  # Monday–today against Monday–Friday last week
    assert page.cards["orders"].change.toolTip() == "vs 09/11/2026 – 13/11/2026 until 10:00"
    choose(qtbot, page, "last_month")  # whole months, the ⓘ follows the range
    assert page.cards["units"].change.toolTip() == "vs 01/09/2026 – 30/09/2026"
    assert page.cards["units"].title.toolTip().endswith("vs 01/09/2026 – 30/09/2026")
    choose(qtbot, page, "year")
    assert page.cards["revenue"].change.toolTip() == "vs 01/01/2025 – 20/11/2025 until 10:00"
    choose(qtbot, page, "yesterday")  # a rolling period: the day before
    assert page.cards["revenue"].change.toolTip() == "vs 18/11/2026"


def test_home_compares_the_same_way(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    page = make_page(qtbot, ctx)
    refreshed(qtbot, page, lambda: page.bar.set_preset("month"))
    assert page.revenue.change.toolTip() == "vs 01/10/2026 – 20/10/2026 until 10:00"


def test_a_single_day_not_yesterday_is_named(qapp: object) -> None:
    """This week on a Monday: against last Monday (it read "vs yesterday")."""
    monday = date(2026, 11, 16)
    now = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
    w = reports.window(monday, monday, now=now, compare="week")
    period = reports.Period(w.date_from, w.date_to, w.prev_from, w.prev_to, (), w.prev_until)
    assert compared_with(period, "en") == "vs 09/11/2026 until 10:00"


@pytest.mark.usefixtures("app_style")
def test_product_names_are_whole_at_1024_and_the_arrows_keep_their_colour(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    long_name = "Áo sơ mi linen phong cách Hàn Quốc tay dài"
    variant = make_product(ctx.engine, long_name, [("LINEN", 350_000, 10)])[0]
    with ctx.engine.begin() as conn:
        order = add_order(conn, shop.a, "L1", datetime(2026, 11, 11, 9), OrderStatus.COMPLETED,
                          lines=[(variant, 1, 350_000, 0)])  # fmt: skip
        orders_changed(conn, [order], now=NOW)
    page = show_widget(qtbot, AnalyticsPage(ctx), 1000, 700)  # a 1024 × 768 window's page
    settled(qtbot, page)
    with qtbot.waitSignal(page.refreshed, timeout=WAIT):
        page.bar.set_range(FROM, TO)
    settled(qtbot, page)
    table = page.tables["products"]
    assert long_name in [table.item(r, 0).text() for r in range(table.rowCount())]
    metrics = table.fontMetrics()
    for r in range(table.rowCount()):
        name = table.item(r, 0)
        assert name.toolTip() == name.text()
        assert table.columnWidth(0) > metrics.horizontalAdvance(name.text()) + 16
    header = table.horizontalHeader()
    for c in range(1, table.columnCount()):  # the figures as wide as their contents
        assert table.columnWidth(c) <= max(header.sectionSizeHint(c), table.sizeHintForColumn(c))
    # A selected row: its change keeps green ▲ / red ▼ (the selection's text turned it black).
    row = next(r for r in range(table.rowCount()) if table.item(r, 4).text()[:1] in "▲▼")
    up = table.item(row, 4).text().startswith("▲")
    table.selectRow(row)
    qtbot.wait(50)
    image = table.viewport().grab(table.visualItemRect(table.item(row, 4))).toImage()
    coloured = 0
    for x in range(image.width()):
        for y in range(image.height()):
            c = QColor(image.pixel(x, y))
            main, others = (c.green(), (c.red(), c.blue())) if up else (
                c.red(), (c.green(), c.blue()))  # fmt: skip
            coloured += all(main > o + 40 for o in others)
    assert coloured > 10
