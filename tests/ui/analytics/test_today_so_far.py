"""A detail chart over a range ending today: today is counted so far, drawn as a period
not yet whole (dashed line to a hollow dot, as a week the range cuts short) and dated
"(to 10:00)" in the table, the hover and the Excel export (its morning drawn as a whole
day read as a crash)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pytestqt.qtbot import QtBot

from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.ui.analytics.detail import DetailPage, _ts
from tests.services.report_data import FROM, Shop2, build
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")

#: The tests' clock: 2026-11-20 03:00 UTC, 10:00 in the shop (Vietnam).
TODAY = date(2026, 11, 20)


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def open_detail(qtbot: QtBot, ctx: ServiceContext, last: date) -> DetailPage:
    detail = show_widget(qtbot, DetailPage(ctx, "revenue", FROM, last, ()), 1000, 650)
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None, timeout=WAIT)
    return detail


def regrained(qtbot: QtBot, detail: DetailPage, grain: str) -> None:
    seq = detail._seq
    detail.grain.setCurrentIndex(detail.grain.findData(grain))
    qtbot.waitUntil(lambda: detail._seq > seq and detail.running == 0, timeout=WAIT)


def periods(detail: DetailPage) -> list[str]:
    items = [detail.table.item(r, 0) for r in range(detail.table.rowCount())]
    return [item.text() if item is not None else "" for item in items]


def hollow(detail: DetailPage) -> list[bool]:
    """Per point drawn, whether its dot is white (hollow)."""
    return [b.color().name() == "#ffffff" for b in detail.curve.opts["symbolBrush"]]


def test_today_is_drawn_and_dated_as_not_whole(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    detail = open_detail(qtbot, ctx, TODAY)
    days = (TODAY - FROM).days + 1
    rows = periods(detail)
    assert rows[days - 1] == "20/11/2026 (to 10:00)"
    assert rows[days - 2] == "19/11/2026"  # yesterday is whole
    # The last dot hollow, the line to it dashed; the others solid.
    assert hollow(detail) == [False] * (days - 1) + [True]
    assert list(detail.curve.opts["connect"]) == [True] * (days - 2) + [False, False]
    assert list(detail.partial_line.opts["connect"]) == [False] * (days - 2) + [True, False]
    assert detail.partial_note.isVisible()
    assert "today, counted so far (to 10:00)" in detail.partial_note.text()
    assert "(to 10:00)" in detail.show_hover(_ts(TODAY))

    # The Excel export says it beside the row: a Note column, empty for whole days.
    target = tmp_path / "revenue.xlsx"
    detail.export(target)
    qtbot.waitUntil(lambda: detail.running == 0 and target.exists(), timeout=WAIT)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    table = [[c.value for c in r] for r in sheet.iter_rows()]
    assert table[0][-1] == "Note"
    notes = {r[0].date(): r[-1] for r in table[1 : days + 1]}
    assert notes[TODAY] == "to 10:00"
    assert [d for d, n in notes.items() if n] == [TODAY]
    assert table[-1][-1] is None  # the totals' row

    # By week: the week holding today is cut by the range and counted so far.
    regrained(qtbot, detail, "week")
    assert periods(detail)[-2] == "16/11/2026 – 20/11/2026 (part: 5 days, to 10:00)"
    assert hollow(detail)[-1]


def test_a_range_ending_before_today_has_no_partial_day(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    detail = open_detail(qtbot, ctx, date(2026, 11, 19))
    assert not any(hollow(detail))
    assert not detail.partial_note.isVisible()
    assert all("(" not in text for text in periods(detail))
    target = tmp_path / "revenue.xlsx"
    detail.export(target)
    qtbot.waitUntil(lambda: detail.running == 0 and target.exists(), timeout=WAIT)
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    assert "Note" not in [c.value for c in next(sheet.iter_rows())]  # no column of blanks


def test_the_series_says_until_when_it_holds_today(ctx: ServiceContext, shop: Shop2) -> None:
    now = ctx.clock.now()
    assert reports.series(ctx, "revenue", FROM, TODAY).until == now
    assert reports.series(ctx, "revenue", FROM, TODAY, previous=True).until == now
    assert reports.series(ctx, "revenue", FROM, date(2026, 11, 19)).until is None
