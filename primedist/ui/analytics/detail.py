"""A metric's detail page: a line chart by day / week / month (hover: date and value), the
table under it, a search over the table, and export to .xlsx.

For a ranking (locations, carriers, products) the table lists every row of the range and
the chart follows the selected row (the first one at start).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QFontMetricsF, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_date, shop_tz, to_local
from primedist.core.money import format_money, format_number
from primedist.core.text import fold
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.ui.analytics.definitions import definition
from primedist.ui.export_right import gate_export
from primedist.ui.formatting import format_compact, format_percent
from primedist.ui.home.controls import change_text
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import alive, ask_save_path, count_text, export_finished, xlsx_path
from primedist.ui.ops import Op
from primedist.ui.widgets import CELL_PADDING, SearchBox, align_headers

#: lupdate extracts translate("Context", "literal") calls, not a wrapper's.
translate = QCoreApplication.translate
#: The metrics whose chart counts money (a ranking's row: its revenue).
MONEY_SERIES = ("revenue", "profit", "province", "carrier")
#: The chart's colour.
BLUE = "#2563eb"
#: The previous period's line (dashed).
GREY = "#9ca3af"
#: A ranking cell's data: the value it sorts by; the first cell's: its row's key.
SORT_VALUE = Qt.ItemDataRole.UserRole
ROW_KEY = Qt.ItemDataRole.UserRole + 1
#: Beside a figure's text: the style sheet's cell padding, the style's text margins (3 px
#: a side), the grid line and a few pixels for glyphs drawn wider than measured.
FIGURE_ROOM = CELL_PADDING + 2 * 3 + 1 + 6


def _ts(day: date) -> float:
    return datetime.combine(day, time()).timestamp()


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: pyqtgraph writes months and weekdays with the C locale's English names (its own ticks:
#: a chart with no period yet).
_VI_NAMES = {
    **{m: f"Th{i}" for i, m in enumerate(_MONTHS, start=1)},
    "Mon": "T2", "Tue": "T3", "Wed": "T4", "Thu": "T5", "Fri": "T6", "Sat": "T7", "Sun": "CN",
}  # fmt: skip
#: Between two tick labels of the date axis, in pixels.
TICK_GAP = 16


class DayAxis(pg.DateAxisItem):  # type: ignore[misc]  # pyqtgraph has no type hints
    """The date axis, ticked on the chart's points (`set_points`): a day or a week by its
    first day "01/12", a month by its name ("Dec", "Th12"; January with its year), every
    n-th one when there is no room for all. pyqtgraph's own ticks named the 1st of a month
    "Dec" among days ("Dec 02 03") and went to hours when zoomed."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.days: list[date] = []
        self.grain = "day"

    def set_points(self, days: list[date], grain: str) -> None:
        self.days, self.grain = days, grain
        self.picture = None  # the ticks drawn are cached: draw them again
        self.update()

    def tick_text(self, day: date) -> str:
        if self.grain != "month":
            return f"{day.day:02d}/{day.month:02d}"
        vi = current_language() == "vi"
        name = f"Th{day.month}" if vi else _MONTHS[day.month - 1]
        return f"{name} {day.year}" if day.month == 1 else name

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        if not self.days:  # no period (no data yet): pyqtgraph's ticks
            return super().tickValues(minVal, maxVal, size)  # type: ignore[no-any-return]
        shown = [d for d in self.days if minVal <= _ts(d) <= maxVal]
        if not shown:
            return []
        metrics = QFontMetrics(self.style["tickFont"] or self.font())
        widest = max(metrics.horizontalAdvance(self.tick_text(d)) for d in shown) + TICK_GAP
        step = max(1, math.ceil(len(shown) * widest / max(size, 1.0)))
        values = [_ts(d) for d in shown[::step]]
        return [(values[1] - values[0] if len(values) > 1 else 86_400.0, values)]

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if self.days:
            return [self.tick_text(datetime.fromtimestamp(v).date()) for v in values]
        texts: list[str] = super().tickStrings(values, scale, spacing)
        if current_language() != "vi":
            return texts
        return [" ".join(_VI_NAMES.get(word, word) for word in t.split(" ")) for t in texts]


class FixedChart(pg.PlotWidget):  # type: ignore[misc]  # pyqtgraph has no type hints
    """A chart that stays on the period chosen: no zoom or pan by the mouse, no "A"
    (auto-range) button nor range menu, and the wheel left to the page's scroll area (it
    zoomed the chart to hours, the line leaving it, under an owner scrolling the page).
    Hover still works: it follows the scene's mouse moves."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.setMouseEnabled(x=False, y=False)
        self.setMenuEnabled(False)
        self.hideButtons()

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # on to the parents: the scroll area around the page


class ValueAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph has no type hints
    """The chart's left axis in the shop's words: ``25 tr``, ``1,5 tỷ``, ``5%``, not
    pyqtgraph's ``2.5e+07``. `whole`: the values are counts or đồng, ticked at whole
    numbers only (a chart of zeros read "0 / 0 / 0", ticks at 0.2 and 0.4 rounded)."""

    def __init__(self, text: Callable[[float], str], whole: Callable[[], bool]) -> None:
        super().__init__("left")
        self.enableAutoSIPrefix(False)
        self._text = text
        self._whole = whole

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:
        levels: list[Any] = super().tickValues(minVal, maxVal, size)
        if not self._whole():
            return levels
        kept = [(spacing, [v for v in values if float(v).is_integer()])
                for spacing, values in levels if spacing >= 1]  # fmt: skip
        if kept:
            return kept
        ones = range(math.ceil(minVal), math.floor(maxVal) + 1)
        return [(1.0, [float(v) for v in ones])]

    def tickStrings(self, values: list[float], scale: float, _spacing: float) -> list[str]:
        return [self._text(value * scale) for value in values]


class FigureHeader(QHeaderView):
    """A sortable table's header whose sort arrow sits above its title, as Qt's own style
    draws it: the style sheet's padding put it beside the title's end, over the last
    letters of a right-aligned figure's title. A section is as wide as its title (and
    the arrow's width, which Qt keeps beside the sorted one's title all the same): Qt
    added a room as wide as the header is high to every section, taken from the names."""

    ARROW = ("QHeaderView::up-arrow, QHeaderView::down-arrow { subcontrol-origin: border;"
             " subcontrol-position: top center; width: 9px; height: 6px; }")  # fmt: skip
    #: Beside a title: the style sheet's padding (8 px a side), the arrow, Qt's margins.
    TITLE_ROOM = 2 * 8 + 9 + 2 * 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setStyleSheet(self.ARROW)
        self.setSectionsClickable(True)  # as a table's own header
        self.setHighlightSections(True)

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:
        size = super().sectionSizeFromContents(logicalIndex)
        if self.isSortIndicatorShown():
            font = QFont(self.font())
            font.setBold(True)  # as Qt measures a title
            title = self.model().headerData(logicalIndex, self.orientation())
            width = QFontMetrics(font).size(0, str(title or "")).width() + self.TITLE_ROOM
            size.setWidth(min(size.width(), width))
        return size


class DetailPage(QWidget):
    """See module docstring. `loaded` after each chart/table refresh (tests wait on it)."""

    back = Signal()
    loaded = Signal()

    def __init__(self, ctx: ServiceContext, metric: str, first: date, last: date,
                 shop_ids: tuple[int, ...], parent: QWidget | None = None, *,
                 by_orders: bool = False, compare: str = "span") -> None:  # fmt: skip
        super().__init__(parent)
        #: The previous period of the ranking's changes, as on the overview (reports.COMPARES).
        self.compare = compare
        self.setObjectName("detailPage")
        self.ctx, self.metric_key, self.first, self.last, self.shop_ids = (
            ctx,
            metric,
            first,
            last,
            shop_ids,
        )
        self.is_ranking = metric in reports.RANKINGS
        #: A province or carrier ranking opened from a top 5 by orders: sorted by orders,
        #: the chart counting the row's orders (else by revenue, charting its revenue).
        self.by_orders = by_orders and metric in ("province", "carrier")
        self.series: reports.Series | None = None
        self.rows: list[reports.RankRow] = []
        self.key: str | None = None
        self._seq = 0
        self.running = 0
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.back_button = QPushButton(translate("DetailPage", "← Back"))
        self.back_button.clicked.connect(self.back.emit)
        self.title = QLabel(self.metric_title())
        self.title.setObjectName("pageTitle")
        self.grain = QComboBox()
        self.grain.setObjectName("grain")
        for key, text in (
            ("day", translate("DetailPage", "By day")),
            ("week", translate("DetailPage", "By week")),
            ("month", translate("DetailPage", "By month")),
        ):
            self.grain.addItem(text, key)
        # Chosen before the signal is wired: the first read is at the end of __init__.
        self.grain.setCurrentIndex(self.grain.findData(reports.default_grain(metric, first, last)))
        self.grain.currentIndexChanged.connect(lambda _i: self.load_series())
        self.search = SearchBox()
        self.search.setPlaceholderText(translate("DetailPage", "Search the table"))
        self.search.searchChanged.connect(self.apply_search)
        self.export_button = QPushButton(translate("DetailPage", "Export to Excel"))
        self.export_button.clicked.connect(lambda: self.export())
        gate_export(self.export_button, self.ctx)  # the right "Export data"
        top.addWidget(self.back_button)
        top.addWidget(self.title)
        top.addStretch(1)
        for widget in (self.grain, self.search, self.export_button):
            top.addWidget(widget)
        layout.addLayout(top)
        self.definition = QLabel("ⓘ " + definition(metric))
        self.definition.setWordWrap(True)
        self.definition.setObjectName("muted")
        layout.addWidget(self.definition)
        # Which row the chart follows, and what it counts (rankings only).
        self.chart_caption = QLabel()
        self.chart_caption.setObjectName("cardTitle")
        self.chart_caption.setVisible(self.is_ranking)
        layout.addWidget(self.chart_caption)
        whole = lambda: metric != "repeat_rate"  # noqa: E731  (counts and đồng)
        self.axis = DayAxis()
        self.plot = FixedChart(axisItems={"bottom": self.axis,
                                          "left": ValueAxis(self.axis_text, whole)})  # fmt: skip
        self.plot.setBackground("w")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        # The previous period's values, dashed grey under the range's line, each at the
        # range's day as far from its start.
        self.previous_curve = self.plot.plot(
            [], [], pen=pg.mkPen(GREY, width=2, style=Qt.PenStyle.DashLine)
        )
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#2563eb", width=2), symbol="o",
                                    symbolSize=5, symbolBrush=BLUE, symbolPen=BLUE)  # fmt: skip
        #: The line to and from a week or month the range cut short, dashed.
        self.partial_line = self.plot.plot(
            [], [], pen=pg.mkPen(BLUE, width=2, style=Qt.PenStyle.DashLine)
        )
        self.marker = pg.TextItem(
            anchor=(0, 1), color="#111827", fill=pg.mkBrush(255, 255, 255, 230)
        )
        self.marker.hide()
        # Not in the view's range: shown over a chart of zeros it shrank the range to
        # ±1e-45 (and cut the label).
        self.plot.addItem(self.marker, ignoreBounds=True)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse)
        self.plot.setMinimumHeight(160)
        layout.addWidget(self.plot, 2)  # the table under it gets the larger share
        self.partial_note = QLabel()  # what a dashed line and hollow dot mean (_draw)
        self.partial_note.setObjectName("muted")
        self.partial_note.setVisible(False)
        layout.addWidget(self.partial_note)
        self.previous_note = QLabel()  # which days the grey line is
        self.previous_note.setObjectName("muted")
        layout.addWidget(self.previous_note)
        self.table = QTableWidget(0, (7 if metric == "product" else 5) if self.is_ranking else 4)
        self.table.setObjectName("detailTable")
        self.table.setHorizontalHeader(FigureHeader(self.table))
        align_headers(self.table, right=(1, 2, 3, 4) if self.is_ranking else (1, 2, 3))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemSelectionChanged.connect(self._on_row)
        header = self.table.horizontalHeader()  # the name/period column takes spare width
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # see fit_figures
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        if self.is_ranking:  # every row is here: sorted in place, as the service ordered
            by_count = metric == "product" or self.by_orders  # units / orders, else revenue
            header.setSortIndicator(1 if by_count else 3, Qt.SortOrder.DescendingOrder)
            self.table.setSortingEnabled(True)
        layout.addWidget(self.table, 3)
        if self.is_ranking:
            self.load_ranking()
        else:
            self.load_series()

    def metric_title(self) -> str:
        titles = {
            "revenue": translate("DetailPage", "Total revenue"),
            "orders": translate("DetailPage", "Total orders"),
            "new_orders": translate("DetailPage", "New orders"),
            "units": translate("DetailPage", "Products sold"),
            "profit": translate("DetailPage", "Gross profit"),
            "repeat_rate": translate("DetailPage", "Repeat purchase customer rate"),
            "province": translate("DetailPage", "Locations"),
            "carrier": translate("DetailPage", "Shipping providers"),
            "product": translate("DetailPage", "Product rank"),
        }
        return titles.get(self.metric_key, self.metric_key)

    # Loading ------------------------------------------------------------------------------
    def load_ranking(self) -> None:
        ctx, metric, first, last, shops = (
            self.ctx,
            self.metric_key,
            self.first,
            self.last,
            self.shop_ids,
        )
        self.running += 1
        compare = self.compare
        Op(self, lambda _job: reports.ranking(ctx, metric, first, last, shops,
                                              compare=compare)).success(
            self._show_ranking).finally_(self._done).run()  # fmt: skip

    def _show_ranking(self, rows: list[reports.RankRow]) -> None:
        if not alive(self):
            return
        self.rows = rows
        lang = current_language()
        self.table.setSortingEnabled(False)  # rows stay where they are put while filling
        self.table.setHorizontalHeaderLabels(self.ranking_headers())
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            count = row.units if row.units is not None else row.orders
            label = self.row_label(row)
            name = _SortCell(label, fold(label))
            name.setData(ROW_KEY, row.key)  # the row's key wherever sorting puts it
            self.table.setItem(r, 0, name)
            figures: list[tuple[int, float | None]] = [  # (figure, its change %)
                (count.current, count.change_pct),
                (row.revenue.current, row.revenue.change_pct),
            ]
            if row.profit is not None:
                figures.append((row.profit.current, row.profit.change_pct))
            for i, (figure, pct) in enumerate(figures):
                shown = format_number(figure, lang) if i == 0 else format_money(figure, lang)
                self.table.setItem(r, 1 + 2 * i, _SortCell(shown, figure, right=True))
                text, colour = change_text(pct)
                change = _SortCell(text, float("-inf") if pct is None else pct, right=True)
                change.setForeground(QColor(colour))  # ▲ green / ▼ red, as on the cards
                self.table.setItem(r, 2 + 2 * i, change)
        self.table.setSortingEnabled(True)
        self.fit_figures()
        # The chart follows the selection: the row it followed (read again), else the first.
        keep, self.key = self.key, None
        if rows:
            at = next((r for r in range(len(rows)) if self.row_key(r) == keep), 0)
            self.table.selectRow(at)
            self._on_row()  # the same row selected as before: no signal, read it all the same
        else:
            self.load_series()

    def reload(self) -> None:
        """Read the table and the chart again (orders changed since they were read)."""
        if self.is_ranking:
            self.load_ranking()
        else:
            self.load_series()

    def fit_figures(self) -> None:
        """Each figure column as wide as its title or its longest text, in every row shown
        or not (the columns stay put while searching), with room to spare: Qt's own fit
        (ResizeToContents) left none, and a screen drawing the glyphs a little wider cut
        the revenue to "30.387.00…"."""
        metrics = QFontMetricsF(self.table.font())
        header = self.table.horizontalHeader()
        for c in range(1, self.table.columnCount()):
            cells = (self.table.item(r, c) for r in range(self.table.rowCount()))
            widest = max((metrics.horizontalAdvance(i.text()) for i in cells if i is not None),
                         default=0.0)  # fmt: skip
            header.resizeSection(c, max(math.ceil(widest) + FIGURE_ROOM,
                                        header.sectionSizeHint(c)))  # fmt: skip

    def row_label(self, row: reports.RankRow) -> str:
        return row.label or self.unknown_label()

    def unknown_label(self) -> str:
        """The name of the row without one: orders of no province or carrier, or the items
        no longer in the catalogue (the Analytics page's words)."""
        if self.metric_key == "product":
            return translate("DetailPage", "Items no longer in the catalogue")
        return translate("DetailPage", "Unknown")

    def row_key(self, r: int) -> str | None:
        """The key of the table's row `r` (as sorted)."""
        item = self.table.item(r, 0)
        key = None if item is None else item.data(ROW_KEY)
        return None if key is None else str(key)

    def ranking_headers(self) -> list[str]:
        """The ranking's column titles (products: with their gross profit)."""
        product = self.metric_key == "product"
        count = translate("DetailPage", "Units sold") if product else translate(
            "DetailPage", "Orders")  # fmt: skip
        change = translate("DetailPage", "Change")
        first = translate("DetailPage", "Product") if product else self.metric_title()
        headers = [first, count, change, translate("DetailPage", "Revenue"), change]
        return headers + ([translate("DetailPage", "Gross profit"), change] if product else [])

    def _on_row(self) -> None:
        if not self.is_ranking:
            return
        rows = self.table.selectionModel().selectedRows()
        if rows:
            key = self.row_key(rows[0].row())
            if key is not None and key != self.key:
                self.key = key
                self.load_series()

    def load_series(self) -> None:
        """The chart (and, for a series metric, the table) for the chosen grain."""
        self._seq += 1
        seq, grain = self._seq, self.grain.currentData()
        ctx, metric, first, last, shops, key = (self.ctx, self.metric_key, self.first, self.last,
                                                self.shop_ids, self.key)  # fmt: skip
        if self.is_ranking and key is None:
            self.curve.setData([], [])
            self.partial_line.setData([], [])
            self.previous_curve.setData([], [])
            self.loaded.emit()
            return
        self.running += 1
        by_orders, compare = self.by_orders, self.compare
        Op(self, lambda _job: reports.series(ctx, metric, first, last, shops, grain=grain,
                                             key=key, by_orders=by_orders, previous=True,
                                             compare=compare)).success(
            lambda s: self._show_series(seq, s)).finally_(self._done).run()  # fmt: skip

    def _done(self) -> None:
        self.running -= 1

    def _show_series(self, seq: int, data: reports.Series) -> None:
        if seq != self._seq or not alive(self):
            return
        self.series = data
        self._caption_chart()
        self._draw(data)
        if not self.is_ranking:
            lang = current_language()
            self.table.setHorizontalHeaderLabels(
                [translate("DetailPage", "Period"), self.metric_title(),
                 translate("DetailPage", "Previous period"), translate("DetailPage", "Change")]
            )  # fmt: skip
            self.table.setRowCount(len(data.points) + 1)  # and the total under them
            before = data.previous or [None] * len(data.points)
            for r, (p, prev) in enumerate(zip(data.points, before, strict=True)):
                self.table.setItem(r, 0, _cell(self.period_text(p)))
                current = None if p.empty else p.value
                self._figure_cells(r, current, prev, lang)
            total = len(data.points)
            label = (translate("DetailPage", "Whole range") if self.metric_key == "repeat_rate"
                     else translate("DetailPage", "Total"))  # fmt: skip
            self.table.setItem(total, 0, _cell(label))
            self._figure_cells(total, data.total, data.previous_total, lang)
            for c in range(self.table.columnCount()):
                item = self.table.item(total, c)
                if item is not None:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
            self.fit_figures()
            self.apply_search(self.search.text())
        self.loaded.emit()

    def _figure_cells(self, r: int, value: float | None, previous: float | None,
                      lang: str) -> None:  # fmt: skip
        """A row's value, the previous period's and the change (a rate's in points)."""
        self.table.setItem(r, 1, _cell(self.figure_text(value, lang), right=True))
        self.table.setItem(r, 2, _cell(self.figure_text(previous, lang), right=True))
        rate = self.metric_key == "repeat_rate"
        if value is None or previous is None or (not rate and previous == 0):
            pct = None
        else:
            pct = round(value - previous, 2) if rate else round(
                (value - previous) * 100 / previous, 2)  # fmt: skip
        text, colour = change_text(pct, lang, points=rate)
        change = _cell(text, right=True)
        change.setForeground(QColor(colour))
        self.table.setItem(r, 3, change)

    def figure_text(self, value: float | None, lang: str) -> str:
        return "—" if value is None else self.value_text(value, lang)

    def _draw(self, data: reports.Series) -> None:
        """The line of the points with a value (a rate with no buyer has none: a gap), solid
        between whole periods, dashed to and from one the range cut short or today's,
        counted so far (hollow dot): today's morning drawn as a whole day read as a crash."""
        shown = [(i, p) for i, p in enumerate(data.points) if not p.empty]
        xs = [_ts(p.start) for _i, p in shown]
        ys = [p.value for _i, p in shown]
        short = [reports.partial_bucket(p.start, p.end, data.grain) for _i, p in shown]
        today = [data.in_progress(p) for _i, p in shown]
        cut = [a or b for a, b in zip(short, today, strict=True)]
        self.axis.set_points([p.start for p in data.points], data.grain)
        notes = []
        if any(short):
            notes.append(translate(
                "DetailPage", "Dashed line, hollow dot: a week or month the range cuts short "
                "(fewer days than a whole one)."))  # fmt: skip
        if any(today):
            notes.append(translate(
                "DetailPage", "Dashed line, hollow dot: today, counted so far (to %1), not a "
                "whole period yet.").replace("%1", self.until_text()))  # fmt: skip
        self.partial_note.setText(" ".join(notes))
        self.partial_note.setVisible(bool(notes))
        before = [(_ts(p.start), v) for p, v in zip(data.points, data.previous, strict=False)
                  if v is not None]  # fmt: skip
        self.previous_curve.setData([x for x, _v in before], [v for _x, v in before])
        if data.previous_days is not None:
            lang = current_language()
            days = " – ".join(format_date(d, lang) for d in data.previous_days)
            self.previous_note.setText(
                translate("DetailPage", "Grey dashed line: the previous period, %1").replace(
                    "%1", days))  # fmt: skip
        ys_before = [v for _x, v in before]
        if not shown:
            self.curve.setData([], [])
            self.partial_line.setData([], [])
        else:
            # connect[k]: a line from point k to point k+1 (neighbours, no gap between).
            joined = [shown[k + 1][0] == shown[k][0] + 1 for k in range(len(shown) - 1)]
            solid = [j and not (cut[k] or cut[k + 1]) for k, j in enumerate(joined)]
            dashed = [j and (cut[k] or cut[k + 1]) for k, j in enumerate(joined)]
            fill = [pg.mkBrush("w" if c else BLUE) for c in cut]
            self.curve.setData(xs, ys, connect=np.array([*solid, False]), symbolBrush=fill)
            self.partial_line.setData(xs, ys, connect=np.array([*dashed, False]))
        # The value axis from 0 (money, counts, rates; below it only for a loss): from the
        # lowest point a small change looked like a fall to nothing. All zeros (or none):
        # 0 to 1, not −0.5 to 0.5 with "-0.2" on a count (whole ticks: ValueAxis).
        # A hair below 0 all the same: a tick right on the range's edge is not labelled.
        low, high = min([0.0, *ys, *ys_before]), max([0.0, *ys, *ys_before])
        if high == low:
            low, high = 0.0, 1.0
        room = (high - low) * 0.08
        self.plot.setYRange(low - (room if low < 0 else room / 2), high + room, padding=0)
        if shown or not data.points:
            self.plot.enableAutoRange(axis="x")
        else:  # no point to fit (a rate with no buyer): the periods' days, not 1970's seconds
            self.plot.setXRange(_ts(data.points[0].start), _ts(data.points[-1].start))

    def period_text(self, p: reports.Point) -> str:
        """A period's dates, and what is not whole in it: "(part: 3 days)", "(to 10:30)"."""
        lang = current_language()
        if p.start == p.end:
            text = format_date(p.start, lang)
        else:
            text = f"{format_date(p.start, lang)} – {format_date(p.end, lang)}"
        note = self.period_note(p)
        return f"{text} {note}" if note else text

    def period_note(self, p: reports.Point) -> str:
        """What makes a period not a whole one, in brackets ("" for a whole one): a week or
        month the range cuts short, the one holding today counted up to now."""
        data = self.series
        if data is None:
            return ""
        until = self.until_text() if data.in_progress(p) else ""
        if p.start != p.end and reports.partial_bucket(p.start, p.end, data.grain):
            days = (p.end - p.start).days + 1
            if until:
                return count_text(days, translate("DetailPage", "(part: %n day, to %1)"),
                                  translate("DetailPage", "(part: %n days, to %1)")
                                  ).replace("%1", until)  # fmt: skip
            return count_text(days, translate("DetailPage", "(part: %n day)"),
                              translate("DetailPage", "(part: %n days)"))  # fmt: skip
        if until:
            return translate("DetailPage", "(to %1)").replace("%1", until)
        return ""

    def until_text(self) -> str:
        """The shop's time of day the series was read at ("10:30"): today counts to it."""
        if self.series is None or self.series.until is None:
            return ""
        return to_local(self.series.until, shop_tz()).strftime("%H:%M")

    def point_text(self, p: reports.Point, lang: str) -> str:
        """A point's value as the table and the hover say it: "—" for a rate with no base."""
        return "—" if p.empty else self.value_text(p.value, lang)

    def value_text(self, value: float, lang: str) -> str:
        if self.metric_key == "repeat_rate":
            return format_percent(value, lang)
        money = self.is_money()
        return format_money(int(value), lang) if money else format_number(int(value), lang)

    def is_money(self) -> bool:
        """Whether the chart counts money (a ranking's row: its revenue, not its orders)."""
        return self.metric_key in MONEY_SERIES and not self.by_orders

    def axis_text(self, value: float) -> str:
        """A tick of the left axis: short money and counts, whole-ish percentages."""
        text = format_compact(value, current_language())
        return text + "%" if self.metric_key == "repeat_rate" else text

    def _caption_chart(self) -> None:
        """ "Hà Nội · Revenue": the selected row the chart follows, and what it counts."""
        row = next((r for r in self.rows if r.key == self.key), None)
        if not self.is_ranking or row is None:
            self.chart_caption.clear()
            return
        if self.by_orders:
            what = translate("DetailPage", "Orders")
        elif self.is_money():
            what = translate("DetailPage", "Revenue")
        else:
            what = translate("DetailPage", "Units sold")
        label = self.row_label(row)
        self.chart_caption.setText(f"{label} · {what}")

    # Hover --------------------------------------------------------------------------------
    def point_at(self, x: float) -> reports.Point | None:
        """The series point nearest to a chart x (a timestamp)."""
        if self.series is None or not self.series.points:
            return None
        return min(self.series.points, key=lambda p: abs(_ts(p.start) - x))

    def _on_mouse(self, pos: QPointF) -> None:
        vb = self.plot.getPlotItem().getViewBox()
        if not self.plot.sceneBoundingRect().contains(pos):
            self.marker.hide()
            return
        at = vb.mapSceneToView(pos)
        self.show_hover(at.x())

    def show_hover(self, x: float) -> str:
        """Show the nearest point's date and value next to it; returns the text."""
        point = self.point_at(x)
        if point is None:
            self.marker.hide()
            return ""
        lang = current_language()
        text = f"{self.period_text(point)}\n{self.point_text(point, lang)}"
        before = self.series.previous if self.series is not None else []
        at = self.series.points.index(point) if self.series is not None else -1
        if before and 0 <= at < len(before):
            text += "\n" + translate("DetailPage", "Previous period: %1").replace(
                "%1", self.figure_text(before[at], lang))
        self.marker.setText(text)
        x, y = _ts(point.start), point.value
        self.marker.setAnchor(self.hover_anchor(x, y))
        self.marker.setPos(x, y)
        self.marker.show()
        return text

    def hover_anchor(self, x: float, y: float) -> tuple[float, float]:
        """Where the label sits against its point: above and to the right, but below the
        point when it would leave the plot's top (the highest point) and to the left when
        it would leave its right edge (the last one)."""
        vb = self.plot.getPlotItem().getViewBox()
        at = vb.mapViewToScene(QPointF(x, y))
        size = self.marker.textItem.boundingRect()  # in pixels: the label keeps its size
        plot = vb.sceneBoundingRect()
        left = at.x() + size.width() > plot.right()
        below = at.y() - size.height() < plot.top()
        return (1.0 if left else 0.0, 0.0 if below else 1.0)

    # Search and export --------------------------------------------------------------------
    def apply_search(self, text: str) -> None:
        """Hide the table rows whose first column does not contain the text (accents optional).
        A series' Total row is the whole range's (as the cards count it, a rate included):
        hidden while the search hides a period, as under fewer rows it read as their sum."""
        needle = fold(text.strip())
        rows = self.table.rowCount()
        if not self.is_ranking and self.series is not None:
            rows = min(rows, len(self.series.points))
        for r in range(rows):
            item = self.table.item(r, 0)
            hay = fold(item.text()) if item is not None else ""
            self.table.setRowHidden(r, bool(needle) and needle not in hay)
        if rows < self.table.rowCount():  # the Total row
            cut = any(self.table.isRowHidden(r) for r in range(rows))
            self.table.setRowHidden(rows, cut)

    def export(self, target: Path | None = None) -> None:
        """Write the rows the table shows (as sorted, without those the search hides) to
        .xlsx in the background (asks where when no target; .xlsx added to a name
        without it, as every export does)."""
        if target is None:
            folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
            target = ask_save_path(self, translate("DetailPage", "Export to Excel"), folder,
                                   f"{self.metric_key}-{self.first}-{self.last}.xlsx",
                                   self.ctx)  # fmt: skip
            if target is None:
                return
        target = xlsx_path(target)
        ctx, title = self.ctx, self.metric_title()
        if self.is_ranking:
            by_key = {row.key: row for row in self.rows}
            rows = [by_key[k] for r in self.shown_rows()  # as sorted on screen
                    if (k := self.row_key(r)) is not None and k in by_key]  # fmt: skip
            headers = self.ranking_headers()
            unknown = self.unknown_label()

            def fn(job: Any) -> Any:
                return reports.export_ranking(
                    ctx, target, rows, title=title, headers=headers, unknown=unknown,
                    progress=job.progress,
                )  # fmt: skip
        else:
            if self.series is None:
                return
            shown = set(self.shown_rows())  # the table's row r is the series' point r
            kept = [r for r in range(len(self.series.points)) if r in shown]
            totals = len(self.series.points) in shown  # the Total row, as on screen
            before = self.series.previous
            data = replace(self.series, points=[self.series.points[r] for r in kept],
                           previous=[before[r] for r in kept] if before else [])  # fmt: skip
            money = self.is_money()
            # A week cut short or today so far, said beside its row as on screen.
            notes = [self.period_note(p).removeprefix("(").removesuffix(")")
                     for p in data.points]  # fmt: skip
            note_header = translate("DetailPage", "Note")
            period = (translate("DetailPage", "From"), translate("DetailPage", "To"))
            compared = (translate("DetailPage", "Previous period"),
                        translate("DetailPage", "Change"))  # fmt: skip

            def fn(job: Any) -> Any:
                return reports.export_series(
                    ctx, target, data, title=title, value_header=title, money=money,
                    period_headers=period, previous_headers=compared, totals=totals,
                    notes=notes, note_header=note_header, progress=job.progress,
                )  # fmt: skip

        self.running += 1
        Op(self, fn, title=translate("DetailPage", "Exporting")).with_progress(beside=True).success(
            self._exported
        ).finally_(self._done).run()

    def shown_rows(self) -> list[int]:
        """The table's rows the search leaves shown, top to bottom."""
        return [r for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)]

    def _exported(self, report: Any) -> None:
        self.last_export = report
        if alive(self):
            what = count_text(report.rows, translate("DetailPage", "%n row"),
                              translate("DetailPage", "%n rows"))  # fmt: skip
            self.finished_box = export_finished(self, what, report.path)


class _SortCell(QTableWidgetItem):
    """A ranking's cell that sorts by its figure (or folded name), not its shown text."""

    def __init__(self, text: str, value: float | str, *, right: bool = False) -> None:
        super().__init__(text)
        self.setData(SORT_VALUE, value)
        if right:
            self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_VALUE), other.data(SORT_VALUE)
        numbers = all(isinstance(v, int | float) for v in (mine, theirs))
        if numbers or (isinstance(mine, str) and isinstance(theirs, str)):
            return bool(mine < theirs)
        return super().__lt__(other)


def _cell(text: str, *, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item
