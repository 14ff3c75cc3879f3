"""Exports as a shop owner meets them: a name typed without ".xlsx" asks before replacing
the file that ending names; Analytics' detail exports the rows its search leaves shown,
adds the ending and says where the file is; its figure columns show whole amounts; the
status bar words an export's progress in the user's language; the end-of-day workbook
has the cash count just recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from primedist.core.messages import msg
from primedist.core.money import format_money
from primedist.services.context import ServiceContext
from primedist.ui import file_dialogs, list_tools
from primedist.ui.analytics.detail import DetailPage
from primedist.ui.i18n import install_language
from primedist.ui.ops import Job, tracker
from primedist.ui.orders.end_of_day import EndOfDayDialog
from primedist.ui.widgets import CELL_PADDING, JobsIndicator
from tests.services.report_data import FROM, TO, Shop2, build
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


class SaveDialog:
    """Stands in for the save dialog: answers in turn (a path, or None: cancelled)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: Path | None) -> None:
        self.answers = list(answers)
        self.offered: list[str] = []
        monkeypatch.setattr(file_dialogs, "run_dialog", self)

    def __call__(self, dialog: Any) -> tuple[list[str], str]:
        self.offered.append(Path(dialog.selectedFiles()[0]).name)
        answer = self.answers.pop(0)
        return ([str(answer)], "") if answer is not None else ([], "")


def replies(monkeypatch: pytest.MonkeyPatch, *answers: bool) -> list[str]:
    """Answer the "replace?" question in turn; returns the names asked about."""
    asked: list[str] = []
    left = list(answers)

    def ask(_parent: Any, path: Path, _title: str) -> bool:
        asked.append(path.name)
        return left.pop(0)

    monkeypatch.setattr(list_tools, "ask_replace", ask)
    return asked


# --------------------------------------------------------------------------- replace


def test_a_name_without_its_ending_asks_before_replacing_that_file(
    qtbot: QtBot, ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "orders-20261206.xlsx").write_bytes(b"orders")
    typed = tmp_path / "orders-20261206"
    asked = replies(monkeypatch, False, True)
    dialog = SaveDialog(monkeypatch, typed, typed)
    # "No": the dialog shows again, offering the file really meant; "Yes": that file.
    chosen = list_tools.ask_save_path(None, "Export", tmp_path, "eod.xlsx", ctx)  # type: ignore[arg-type]
    assert chosen == tmp_path / "orders-20261206.xlsx"
    assert asked == ["orders-20261206.xlsx"] * 2
    assert dialog.offered == ["eod.xlsx", "orders-20261206.xlsx"]
    # A new name, or the name typed with its ending (the dialog asked then): no question.
    SaveDialog(monkeypatch, tmp_path / "new", tmp_path / "orders-20261206.xlsx")
    assert list_tools.ask_save_path(None, "Export", tmp_path, "a.pdf", ctx) == tmp_path / "new.pdf"  # type: ignore[arg-type]
    assert list_tools.ask_save_path(None, "Export", tmp_path, "a.xlsx", ctx) == (  # type: ignore[arg-type]
        tmp_path / "orders-20261206.xlsx")  # fmt: skip
    assert len(asked) == 2


def test_the_replace_question_names_the_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str]] = []

    def question(_p: Any, title: str, text: str, *_a: Any) -> QMessageBox.StandardButton:
        seen.append((title, text))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    assert list_tools.ask_replace(None, tmp_path / "X.xlsx", "Export") is False  # type: ignore[arg-type]
    assert seen == [("Export", "X.xlsx already exists.\nDo you want to replace it?")]


def test_the_end_of_day_export_does_not_silently_replace_the_orders_file(
    qtbot: QtBot, owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tester's steps: Orders wrote orders-20261206.xlsx; End of day → Export Excel…,
    `orders-20261206` typed, Enter."""
    orders_file = tmp_path / "orders-20261206.xlsx"
    orders_file.write_bytes(b"the orders")
    dialog = show_widget(qtbot, EndOfDayDialog(owner_ctx), width=960, height=640)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    asked = replies(monkeypatch, False)
    SaveDialog(monkeypatch, tmp_path / "orders-20261206", None)  # No, then cancelled
    dialog.export()
    assert asked == ["orders-20261206.xlsx"]
    assert orders_file.read_bytes() == b"the orders"
    dialog.close()


# --------------------------------------------------------------------------- end of day


def test_the_end_of_day_export_has_the_count_just_recorded(
    qtbot: QtBot, owner_ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EndOfDayDialog, "confirm_difference", lambda *_a: True)  # 17,000 short
    dialog = show_widget(qtbot, EndOfDayDialog(owner_ctx), width=960, height=640)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    qtbot.keyClicks(dialog.float_edit, "100000")
    qtbot.keyClicks(dialog.counted_edit, "83000")
    dialog.count_note.setText("Thiếu tiền lẻ")
    dialog.close_till()
    qtbot.waitUntil(lambda: dialog.last_count is not None, timeout=WAIT)
    target = tmp_path / "eod.xlsx"
    dialog.export_to(target)
    qtbot.waitUntil(lambda: "Exported to" in dialog.status.text(), timeout=WAIT)
    book = openpyxl.load_workbook(target)
    rows = {r[0]: r[1] for r in book.worksheets[0].iter_rows(values_only=True)}
    assert rows["Opening float"] == 100_000 and rows["Expected"] == 100_000
    assert rows["Cash counted"] == 83_000 and rows["Difference"] == -17_000
    assert rows["Note"] == "Thiếu tiền lẻ"
    assert rows["Gross profit"] == 0  # the owner sees it
    for box in dialog.findChildren(QMessageBox):
        box.close()
    dialog.close()


# --------------------------------------------------------------------------- analytics


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def open_detail(qtbot: QtBot, ctx: ServiceContext, metric: str) -> DetailPage:
    detail = DetailPage(ctx, metric, FROM, TO, ())
    show_widget(qtbot, detail, 1100, 640)
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None, timeout=WAIT)
    return detail


def exported(qtbot: QtBot, detail: DetailPage, target: Path | None = None) -> list[tuple[Any, ...]]:
    before = getattr(detail, "last_export", None)
    detail.export(target)
    qtbot.waitUntil(lambda: detail.running == 0 and getattr(detail, "last_export", None)
                    is not before, timeout=WAIT)  # fmt: skip
    sheet = openpyxl.load_workbook(detail.last_export.path).active
    assert sheet is not None
    return list(sheet.iter_rows(min_row=2, values_only=True))


def shown_names(detail: DetailPage) -> list[str]:
    return [detail.table.item(r, 0).text() for r in range(detail.table.rowCount())
            if not detail.table.isRowHidden(r)]  # fmt: skip


def close_boxes(detail: DetailPage) -> None:
    for box in detail.findChildren(QMessageBox):
        box.close()


def test_the_detail_export_holds_the_rows_the_search_leaves(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path
) -> None:
    detail = open_detail(qtbot, ctx, "product")
    assert detail.table.rowCount() == 2
    detail.apply_search("quan")  # accents optional
    assert shown_names(detail) == ["Quần jean"]
    assert [r[0] for r in exported(qtbot, detail, tmp_path / "rank.xlsx")] == ["Quần jean"]
    detail.apply_search("")
    assert len(exported(qtbot, detail, tmp_path / "rank.xlsx")) == 2
    close_boxes(detail)
    series = open_detail(qtbot, ctx, "revenue")
    assert series.table.rowCount() == 7 + 1  # by day, and the range's Total
    series.apply_search(series.table.item(2, 0).text())
    # The Total is the whole range's, not the day left's: hidden, and not exported.
    assert shown_names(series) == [series.table.item(2, 0).text()]
    rows = exported(qtbot, series, tmp_path / "revenue.xlsx")
    assert len(rows) == 1 and rows[0][0].date() == series.series.points[2].start  # type: ignore[union-attr]
    close_boxes(series)
    series.apply_search("")
    assert shown_names(series)[-1] == "Total"
    rows = exported(qtbot, series, tmp_path / "revenue.xlsx")
    # The last row: the range's revenue and the previous period's (03–09/11: O8, O6).
    assert len(rows) == 8 and rows[-1][:2] == rows[0][:1] + rows[-2][1:2]
    assert rows[-1][2:4] == (390_000, 120_000)
    close_boxes(series)


def test_the_detail_export_adds_the_ending_and_says_where_the_file_is(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    detail = open_detail(qtbot, ctx, "carrier")
    SaveDialog(monkeypatch, tmp_path / "van-chuyen")
    rows = exported(qtbot, detail)
    target = tmp_path / "van-chuyen.xlsx"
    assert detail.last_export.path == target and len(rows) == detail.table.rowCount()
    qtbot.waitUntil(lambda: detail.findChild(QMessageBox) is not None, timeout=WAIT)
    box = detail.findChild(QMessageBox)
    assert box.text() == f"{detail.table.rowCount()} rows exported to {target}."
    box.close()


def test_the_figure_columns_show_whole_amounts(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, app_style: None, english: None
) -> None:
    """Qt's own fit left no pixel to spare: a screen drawing the glyphs a little wider cut
    "30.387.000 ₫" to "30.387.00…". Each figure has room beside it."""
    from datetime import datetime

    from primedist.domain.enums import OrderStatus
    from primedist.services.order_effects import orders_changed
    from tests.services.report_data import NOW, add_order

    with ctx.engine.begin() as conn:
        big = add_order(conn, shop.a, "BIG", datetime(2026, 11, 12, 9), OrderStatus.COMPLETED,
                        lines=[(shop.p3, 1, 30_387_000, 0)])  # fmt: skip
        orders_changed(conn, [big], now=NOW)
    install_language("vi")
    detail = open_detail(qtbot, ctx, "product")
    detail.apply_search("mu")
    metrics = QFontMetricsF(detail.table.font())
    checked = 0
    for r in range(detail.table.rowCount()):
        for c in range(1, detail.table.columnCount()):
            text = detail.table.item(r, c).text()
            # The cell less the grid line, the style sheet's padding and the text margins.
            room = detail.table.columnWidth(c) - 1 - CELL_PADDING - 2 * 3
            assert metrics.elidedText(text, Qt.TextElideMode.ElideRight, room) == text
            assert room - metrics.horizontalAdvance(text) >= 3, (text, room)
            checked += 1
    revenues = [detail.table.item(r, 3).text() for r in range(detail.table.rowCount())]
    assert checked == 3 * 6 and format_money(30_387_000, "vi") in revenues


# --------------------------------------------------------------------------- progress


def test_the_jobs_indicator_words_the_progress_in_the_language(
    qtbot: QtBot, vietnamese: None
) -> None:
    indicator = JobsIndicator()
    qtbot.addWidget(indicator)
    job = Job("Đang xuất đơn hàng", None)
    tracker().add(job)
    try:
        job.progress.update(0.1, msg("Exported {done} of {total}", done=2_000, total=20_182))
        tracker().update()
        text = indicator.label.text()
        assert text.startswith("Đang xuất đơn hàng ") and "2.000" in text and "20.182" in text
        assert "2,000" not in text
        job.progress.update(0.2, "Reading row 5")  # a plain text (imports): as it is
        tracker().update()
        assert indicator.label.text() == "Đang xuất đơn hàng Reading row 5"
    finally:
        tracker().remove(job)
    assert indicator.label.text() == "Không có việc đang chạy"
