"""The end-of-day report (Orders tab → *End of day*): a day's sales by payment method and
by shop, refunds, cash in the drawer and products sold; print it on the receipt printer or
export it to Excel. The figures come from `services.end_of_day` on a worker thread.
"""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import shop_tz, to_local
from primedist.core.money import format_money, format_number
from primedist.domain.enums import PaymentMethod
from primedist.printing.errors import PrintError
from primedist.services import end_of_day as eod
from primedist.services import till
from primedist.services.context import ServiceContext
from primedist.services.shops import list_shops
from primedist.services.till import NOTE_MAX, TillCount
from primedist.ui.export_right import gate_export
from primedist.ui.home.controls import ShopPicker
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import alive, ask_save_path, count_text, export_done_box
from primedist.ui.money_form import MoneyEdit
from primedist.ui.ops import Op, failure_text, report_in
from primedist.ui.widgets import align_headers, column_scroll, fit_to_screen

#: The difference's colour: short (red), exact (green), over (amber).
TONES = {-1: "#B91C1C", 0: "#16A34A", 1: "#B45309"}
# The summary figures, left to right.
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
#: The cash count's width where the payments' columns leave room for it.
COUNT_WIDTH = 320
#: The figures across the top; "profit" only for users who see Analytics.
FIGURES = ("sales", "refunded", "net", "cash", "profit")


class _NoEnter(QObject):
    """Swallows Enter in a line edit (see EndOfDayDialog's note)."""

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        return (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        )


class EndOfDayDialog(QDialog):
    """Pick a day, shops and a staff member; the report shows as soon as it is read."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("endOfDayDialog")
        self.ctx = ctx
        self.report: eod.EndOfDay | None = None
        #: What the report shown was read for: (day, shop ids, staff member's id).
        self.report_view: tuple[date, tuple[int, ...], int | None] | None = None
        self._loading = 0
        self._busy = False
        # The payments' seven columns beside the cash count: on a 1366×768 laptop all of
        # them whole (at 1100 the last one, Debts paid, was cut at the edge).
        fit_to_screen(self, 1280, 680)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_controls())
        layout.addWidget(self._build_figures())
        self.breakdown = QLabel()
        self.breakdown.setObjectName("eodBreakdown")
        layout.addWidget(self.breakdown)
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)
        self.body = QHBoxLayout()
        self.body.addWidget(self._build_tables(), 1)
        # The count scrolls on a low screen (1024×576 at 125 %: the buttons were below it).
        self.count_scroll = column_scroll(self._build_count(), "eodCountScroll")
        self.count_scroll.setStyleSheet("QScrollArea#eodCountScroll { background: transparent; }")
        self.body.addWidget(self.count_scroll)
        layout.addLayout(self.body, 1)
        layout.addLayout(self._build_buttons())
        self.retranslate()
        self._fill_choices()
        self.refresh()

    # Building -----------------------------------------------------------------------------
    def _build_controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.day_label = QLabel()
        today = to_local(self.ctx.clock.now(), shop_tz()).date()
        self.day = QDateEdit(QDate(today.year, today.month, today.day))
        self.day.setObjectName("eodDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("dd/MM/yyyy")
        self.day.setMaximumDate(QDate(today.year, today.month, today.day))
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.shops_button = ShopPicker()
        self.shops_button.changed.connect(self.refresh)
        self.staff = QComboBox()
        self.staff.setObjectName("eodStaff")
        self.staff.currentIndexChanged.connect(lambda _i: self.refresh())
        for w in (self.day_label, self.day, self.shops_button, self.staff):
            row.addWidget(w)
        row.addStretch(1)
        return row

    def _build_figures(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("card")
        grid = QGridLayout(frame)
        grid.setHorizontalSpacing(28)
        self.figure_names: dict[str, QLabel] = {}
        self.figures: dict[str, QLabel] = {}
        self.figure_notes: dict[str, QLabel] = {}
        for i, key in enumerate(FIGURES):
            name, value, note = QLabel(), QLabel("—"), QLabel()
            name.setObjectName("muted")
            value.setObjectName("cardValue")  # Home's figures' style (style.qss)
            note.setObjectName("muted")
            note.setWordWrap(True)
            grid.setColumnStretch(i, 1)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, 0, i)
            grid.addWidget(value, 1, i)
            grid.addWidget(note, 2, i)
            self.figure_names[key], self.figures[key], self.figure_notes[key] = name, value, note
        self.figures_grid = grid
        self._show_profit(False)
        return frame

    def _show_profit(self, shown: bool) -> None:
        """The gross profit's column, for users who see Analytics (once a report says so)."""
        for widget in (self.figure_names["profit"], self.figures["profit"],
                       self.figure_notes["profit"]):  # fmt: skip
            widget.setVisible(shown)
        self.figures_grid.setColumnStretch(FIGURES.index("profit"), 1 if shown else 0)

    def _build_count(self) -> QFrame:
        """Count the cash: opening float and cash counted against the day's cash."""
        frame = QFrame()
        frame.setObjectName("card")
        self.count_frame = frame
        column = QVBoxLayout(frame)
        self.count_title = QLabel()
        self.count_title.setObjectName("sectionTitle")
        column.addWidget(self.count_title)
        form = QFormLayout()
        self.float_edit = MoneyEdit("eodFloat")
        self.counted_edit = MoneyEdit("eodCounted")
        self.expected_label = QLabel("—")
        self.expected_label.setObjectName("eodExpected")
        self.difference_label = QLabel("—")
        self.difference_label.setObjectName("eodDifference")
        self.count_note = QLineEdit()
        self.count_note.setObjectName("eodNote")
        self.count_note.setMaxLength(NOTE_MAX)
        # Enter at the end of a note pressed the dialog's default button: the till closed
        # with a shortage, unasked. Recording is Close the till's click (or Space on it).
        self.count_note.installEventFilter(_NoEnter(self.count_note))
        self.count_labels = [QLabel() for _ in range(5)]
        fields = (self.float_edit, self.counted_edit, self.expected_label,
                  self.difference_label, self.count_note)  # fmt: skip
        for label, field in zip(self.count_labels, fields, strict=True):
            form.addRow(label, field)
        column.addLayout(form)
        # An amount the box cannot read says so: "—" alone read as if it were ignored.
        self.count_error = QLabel()
        self.count_error.setObjectName("eodCountError")
        self.count_error.setStyleSheet(f"color: {TONES[-1]};")
        self.count_error.setWordWrap(True)
        self.count_error.hide()
        column.addWidget(self.count_error)
        self.close_till_button = QPushButton()
        self.close_till_button.setObjectName("eodCloseTill")
        self.close_till_button.clicked.connect(self.close_till)
        column.addWidget(self.close_till_button)
        self.counts_label = QLabel()
        self.counts_label.setObjectName("muted")
        # Paragraphs of escaped text: one count alone must not show "&amp;".
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)
        self.counts_label.setWordWrap(True)
        column.addWidget(self.counts_label)
        column.addStretch(1)
        for edit in (self.float_edit, self.counted_edit):
            edit.textChanged.connect(lambda _t: self._show_count())
        self.count_note.textChanged.connect(lambda _t: self._update_buttons())
        self.counts: list[TillCount] = []
        self.last_count: TillCount | None = None
        #: What the last count recorded (`_count_key`): the same again is not offered.
        self._recorded: tuple[object, ...] | None = None
        return frame

    def _build_tables(self) -> QTabWidget:
        self.tabs = QTabWidget()
        self.payments = self._table("eodPayments", 7)
        self.shops = self._table("eodShops", 3)
        self.products = self._table("eodProducts", 4)
        for table in (self.payments, self.shops, self.products):
            self.tabs.addTab(table, "")
        return self.tabs

    @staticmethod
    def _table(name: str, columns: int) -> QTableWidget:
        table = QTableWidget(0, columns)
        table.setObjectName(name)
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        stretch = 1 if name == "eodProducts" else 0
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        align_headers(table, right=range(stretch + 1, columns))  # over the figures (_fill)
        return table

    def _build_buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status = QLabel()
        self.status.setObjectName("muted")
        self.print_button = QPushButton()
        self.print_button.setObjectName("eodPrint")
        self.print_button.clicked.connect(self.print_report)
        self.export_button = QPushButton()
        self.export_button.setObjectName("eodExport")
        self.export_button.clicked.connect(self.export)
        self.copy_button = QPushButton()
        self.copy_button.setObjectName("eodCopy")
        self.copy_button.clicked.connect(self.copy_text)
        self.close_button = QPushButton()
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.status, 1)
        for b in (self.copy_button, self.print_button, self.export_button, self.close_button):
            row.addWidget(b)
        return row

    def _fill_choices(self) -> None:
        self.shops_button.set_shops(list_shops(self.ctx))
        self.staff.blockSignals(True)
        self.staff.addItem(self.tr("All staff"), None)
        for user_id, name in eod.staff_choices(self.ctx):
            self.staff.addItem(name, user_id)
        self.staff.blockSignals(False)

    # State --------------------------------------------------------------------------------
    def chosen_day(self) -> date:
        day = self.day.date().toPython()
        assert isinstance(day, date)
        return day

    def shop_ids(self) -> tuple[int, ...]:
        """The ticked shops; () when all (or none) are ticked."""
        return self.shops_button.shop_ids()

    # Loading ------------------------------------------------------------------------------
    def refresh(self, then: str = "") -> None:
        """Read the report for the chosen day, shops and staff member (off the UI thread);
        an older answer arriving late is dropped. `then`: the status line once it is
        shown (what a count said)."""
        self._loading += 1
        ticket = self._loading
        ctx, day, shops = self.ctx, self.chosen_day(), self.shop_ids()
        user = self.staff.currentData()
        self.status.setText(self.tr("Reading…"))
        self._update_buttons()

        def read(_job: object) -> tuple[eod.EndOfDay, list[TillCount]]:
            return (eod.end_of_day(ctx, day, shop_ids=shops, user_id=user),
                    till.till_counts(ctx, day))  # fmt: skip

        Op(self, read).success(
            lambda got: self._show(*got, (day, shops, user), ticket, then)
        ).run()  # fmt: skip

    def _show(
        self, report: eod.EndOfDay, counts: list[TillCount],
        view: tuple[date, tuple[int, ...], int | None], ticket: int, then: str,
    ) -> None:  # fmt: skip
        if ticket != self._loading or not alive(self):
            return
        self.report, self.counts, self.report_view = report, counts, view
        self.status.setText(then)
        self._show_report()
        self._update_buttons()

    def _show_report(self) -> None:
        r = self.report
        if r is None:
            return
        lang = current_language()

        def money(amount: int) -> str:
            return format_money(amount, lang)

        def count(n: int) -> str:
            return format_number(n, lang)

        values = {
            "sales": (money(r.sales),
                      count_text(r.orders, self.tr("%n order"), self.tr("%n orders")) + " · "
                      + count_text(r.items, self.tr("%n item"), self.tr("%n items"))),
            "refunded": (money(r.refunded), self._refunds_text(r)),
            "net": (money(r.net), self.tr("Sales − refunds")),
            "cash": (money(r.cash_in_drawer), self._cash_note(r)),
            "profit": (money(r.gross_profit or 0),
                       self.tr("On the day's sales, at their cost when sold")),
        }  # fmt: skip
        self.breakdown.setText(
            self.tr("Goods %1 · discounts %2 · shipping %3").replace("%1", money(r.goods))
            .replace("%2", money(r.discounts)).replace("%3", money(r.shipping))
            + " · " + count_text(r.cancelled_orders, self.tr("%n order cancelled"),
                                 self.tr("%n orders cancelled"))
            + f" ({money(r.cancelled_total)})"
        )  # fmt: skip
        for key, (value, note) in values.items():
            self.figures[key].setText(value)
            self.figure_notes[key].setText(note)
        # Below zero is no count to trust: red, and what took it there said.
        short = r.cash_in_drawer < 0
        self.figures["cash"].setStyleSheet(f"color: {TONES[-1]};" if short else "")
        self.figure_notes["cash"].setStyleSheet(f"color: {TONES[-1]};" if short else "")
        self._show_profit(r.gross_profit is not None)
        self.note.setText(self.tr("No sales, cancellations or refunds on this day."))
        self.note.setVisible(r.empty)
        payments: list[tuple[str, ...]] = [
            (enum_label(p.method), count(p.orders), money(p.total), count(p.refunds),
             money(p.refunded), money(p.net), money(p.collected))
            for p in r.payments
        ]  # fmt: skip
        if r.supplier_cash:  # out of the drawer: a line of its own, under the methods
            payments.append((self.tr("Cash paid to suppliers"), "", "", "", "",
                             money(-r.supplier_cash), ""))  # fmt: skip
        self._fill(self.payments, payments)
        self._fill(self.shops, [(s.name, count(s.orders), money(s.total)) for s in r.by_shop])
        self._fill(self.products, [(p.sku, p.name, count(p.units), money(p.revenue))
                                   for p in r.products])  # fmt: skip
        self._share_width()
        self._show_count()

    def _refunds_text(self, r: eod.EndOfDay) -> str:
        """ "2 refunds", and how many of them were exchanges (*đổi hàng*)."""
        text = count_text(r.refunds, self.tr("%n refund"), self.tr("%n refunds"))
        if r.exchanges:
            text += " · " + count_text(r.exchanges, self.tr("%n exchange"),
                                       self.tr("%n exchanges"))  # fmt: skip
        return text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._share_width()

    def _share_width(self) -> None:
        """The cash count COUNT_WIDTH wide, narrower (down to its fields' minimum) where the
        payments' columns need the room: at 1024 wide "Payment method" and "Bank transfer"
        were cut while the count's fields had room to spare."""
        table, header = self.payments, self.payments.horizontalHeader()
        columns = sum(max(header.sectionSizeHint(c), table.sizeHintForColumn(c))
                      for c in range(header.count()))  # fmt: skip
        # The tab's and the table's frames, and a vertical scrollbar when there is one.
        around = self.tabs.width() - table.viewport().width()
        room = self.body.geometry().width() - self.body.spacing() - around - columns
        bar = self.count_scroll.verticalScrollBar()
        scrollbar = bar.sizeHint().width() if bar.isVisible() else 0
        least = self.count_frame.minimumSizeHint().width()
        self.count_scroll.setFixedWidth(max(least, min(COUNT_WIDTH, room - scrollbar)) + scrollbar)

    @staticmethod
    def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
        table.setRowCount(len(rows))
        products = table.objectName() == "eodProducts"
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c >= (2 if products else 1):  # numbers and money
                    item.setTextAlignment(RIGHT)
                table.setItem(r, c, item)

    def typed_count(self) -> tuple[int, int | None] | None:
        """(opening float, cash counted or None) as typed; None when one is not money."""
        try:
            opening, counted = self.float_edit.amount(), self.counted_edit.amount()
        except ValueError:
            return None
        return opening or 0, counted

    def _unreadable(self) -> str | None:
        """The first amount typed that is not money (None when both read)."""
        for edit in (self.float_edit, self.counted_edit):
            try:
                edit.amount()
            except ValueError:
                return edit.text().strip()
        return None

    def _show_count(self) -> None:
        """Expected and difference follow what is typed; the day's counts are listed."""
        bad = self._unreadable()
        if bad is not None:
            self.count_error.setText(
                self.tr("Cannot read “%1” as an amount: type e.g. 1500000, 1500k or 1,5tr.")
                .replace("%1", bad)
            )  # fmt: skip
        self.count_error.setVisible(bad is not None)
        r, typed = self.report, self.typed_count()
        lang = current_language()
        expected = None if r is None or typed is None else typed[0] + r.cash_in_drawer
        self.expected_label.setText("—" if expected is None else format_money(expected, lang))
        below = expected is not None and expected < 0
        self.expected_label.setStyleSheet(f"color: {TONES[-1]};" if below else "")
        difference = None
        if expected is not None and typed is not None and typed[1] is not None:
            difference = typed[1] - expected
        self.difference_label.setText(self._difference_text(difference))
        sign = None if difference is None else (difference > 0) - (difference < 0)
        self.difference_label.setStyleSheet("" if sign is None else f"color: {TONES[sign]};")
        # A paragraph a count, a little apart: wrapped in the narrow column, they ran together.
        self.counts_label.setText("".join(f"<p style='margin-bottom:6px'>{self._count_line(c)}</p>"
                                          for c in self.counts))  # fmt: skip
        self._update_buttons()

    def _difference_text(self, difference: int | None) -> str:
        if difference is None:
            return "—"
        money = format_money(abs(difference), current_language())
        if difference < 0:
            return self.tr("%1 short").replace("%1", money)
        if difference > 0:
            return self.tr("%1 over").replace("%1", money)
        return self.tr("Exact")

    def _count_line(self, c: TillCount) -> str:
        """When, whose drawer (which shops), by whom, and its figures: a day may have a
        count per cashier, and "22:00 by the owner" did not say which one it was."""
        lang = current_language()
        whose = c.staff or self.tr("All staff")
        if c.shops:
            whose += " · " + ", ".join(c.shops)
        text = _filled(
            self.tr("%1 · %2, counted by %3: float %4, expected %5, counted %6, %7"),
            f"{to_local(c.created_at, shop_tz()):%H:%M}", whose, c.counted_by or "—",
            format_money(c.opening_float, lang), format_money(c.expected, lang),
            format_money(c.counted, lang), self._difference_text(c.difference),
        )  # fmt: skip
        if c.note:
            text += f" · {c.note}"
        return html.escape(text)

    def _count_key(self) -> tuple[object, ...] | None:
        """What Close the till would record now: the view (day, shops, staff, the drawer's
        cash) and what is typed; None when there is nothing to record."""
        r, typed = self.report, self.typed_count()
        if r is None or typed is None or typed[1] is None:
            return None
        return (self.chosen_day(), self.shop_ids(), self.staff.currentData(), r.cash_in_drawer,
                *typed, self.count_note.text().strip())  # fmt: skip

    def _update_buttons(self) -> None:
        ready = self.report is not None and not self._busy
        self.print_button.setEnabled(ready)
        gate_export(self.export_button, self.ctx, ready)  # the right "Export data"
        self.copy_button.setEnabled(ready)
        key = self._count_key()
        # The count just recorded stays shown; a second click would only record it twice.
        recorded = key is not None and key == self._recorded
        self.close_till_button.setEnabled(ready and key is not None and not recorded)
        self.close_till_button.setToolTip(
            self.tr("This count is recorded: change an amount or the note to count again")
            if recorded
            else self.tr("Record the count (who, when, the difference); print it with Print")
        )

    def close_till(self) -> None:
        """Record the count (float, counted, note) for the day, shops and staff shown."""
        typed, key = self.typed_count(), self._count_key()
        if typed is None or typed[1] is None or key is None or key == self._recorded:
            return  # nothing typed, or this very count is recorded already
        ctx, day, shops = self.ctx, self.chosen_day(), self.shop_ids()
        staff, note = self.staff.currentData(), self.count_note.text()
        opening, counted = typed[0], typed[1]
        # What the screen says the drawer should hold: the service refuses the count when
        # cash came in or went out since (it would be against figures nobody saw).
        expected = opening + self.report.cash_in_drawer if self.report else None
        if expected is not None and counted != expected:
            if not self.confirm_difference(counted - expected, counted, expected):
                return
        self._busy = True
        self._update_buttons()
        Op(self, lambda _job: till.close_till(ctx, day, opening_float=opening, counted=counted,
                                              shop_ids=shops, staff_id=staff, note=note,
                                              expected=expected),
           title=self.tr("Counting the till")).success(
            lambda count: self._counted(count, key)
        ).failure(self._count_refused).run()  # fmt: skip

    def confirm_difference(self, difference: int, counted: int, expected: int) -> bool:
        """A count that is short or over is recorded for good: asked first, the difference
        named (No is the default: Enter does not record it)."""
        lang = current_language()
        text = _filled(
            self.tr("The drawer is %1: counted %2, expected %3. Record this count?"),
            self._difference_text(difference), format_money(counted, lang),
            format_money(expected, lang),
        )  # fmt: skip
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, self.tr("Close the till"), text, yes | no, no)
        return answer == yes

    def _counted(self, count: TillCount, key: tuple[object, ...] | None) -> None:
        """The count is recorded: the report is read again (the figures the count was made
        against, the day's counts with it); Close the till is off until an amount, the
        note or the view changes."""
        if not alive(self):
            return
        self.last_count = count
        self.counts = [*self.counts, count]
        self._recorded = key
        self._busy = False
        self.refresh(then=self.tr("Till counted: %1").replace(
            "%1", self._difference_text(count.difference)))  # fmt: skip

    def _count_refused(self, exc: BaseException) -> None:
        """Refused (cash taken since the report was shown, …): the report is read again,
        the reason kept in the status line, to count against what the drawer holds now."""
        if not alive(self):
            return
        self._busy = False
        self.refresh(then=failure_text(self, exc))

    def count_for_view(self) -> TillCount | None:
        """The count just recorded, when it is of the report shown: its day, shops and
        staff member, and the drawer's cash it was counted against (a count of Lan's
        drawer is no count of the whole shop's)."""
        count, report, view = self.last_count, self.report, self.report_view
        if count is None or report is None or view is None or count not in self.counts:
            return None
        day, shops, staff = view
        # Ids in any order: the picker lists shops by name, a count keeps them by id.
        if (count.day, sorted(count.shop_ids), count.staff_id) != (day, sorted(shops), staff):
            return None
        return count if count.expected - count.opening_float == report.cash_in_drawer else None

    # Print and export ---------------------------------------------------------------------
    def print_report(self) -> None:
        """On the receipt's printer and paper (Settings → Printers & templates)."""
        report = self.report
        if report is None:
            return
        from primedist.ui.printing.jobs import print_end_of_day

        ctx, lang = self.ctx, current_language()
        self._busy = True
        self._update_buttons()
        self.status.setText(self.tr("Printing…"))
        count = self.count_for_view()
        Op(self, lambda _job: print_end_of_day(ctx, report, lang=lang, till=count),
           title=self.tr("Printing the end-of-day report"), network=True).success(
            lambda result: self._finished(self.tr("Printed to %1").replace("%1", result.where))
        ).failure(self._print_failed).run()  # fmt: skip

    def _print_failed(self, exc: BaseException) -> None:
        """A printer problem (none set up, offline…) in the box every print failure shows:
        Retry when it can help, Preview / Save as PDF, Open printer settings."""
        if not isinstance(exc, PrintError):
            self._failed(exc)
            return
        from primedist.ui.printing.actions import print_failure_box

        self._finished("")
        if alive(self):
            self.error_box = print_failure_box(self, self.ctx, exc, retry=self.print_report,
                                               preview=self.preview_report)  # fmt: skip

    def preview_report(self) -> None:
        """The report as it prints, in the print preview (its Print prints it, its Save as
        PDF… keeps it as a file)."""
        report = self.report
        if report is None:
            return
        from primedist.ui.printing.jobs import end_of_day_print

        ctx, lang, count = self.ctx, current_language(), self.count_for_view()
        Op(self, lambda _job: end_of_day_print(ctx, report, lang=lang, till=count),
           title=self.tr("Printing the end-of-day report")).success(
            self._show_preview).failure(self._failed).run()  # fmt: skip

    def _show_preview(self, made: Any) -> None:
        from primedist.ui.printing import render
        from primedist.ui.printing.actions import open_preview, translate

        if alive(self):
            document, profile = made
            title = translate("printing", "Print preview — %1").replace("%1", self.tr("End of day"))
            self.preview_dialog = open_preview(self, [render.layout(document)], profile.target,
                                               title, self.print_report, self.save_pdf)  # fmt: skip

    def save_pdf(self) -> None:
        report = self.report
        if report is None:
            return
        from primedist.ui.file_dialogs import EXPORT, ask_save_file
        from primedist.ui.printing.actions import translate

        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        chosen = ask_save_file(self, self.ctx, EXPORT, translate("printing", "Save as PDF"),
                               folder / f"end-of-day-{report.day:%Y%m%d}.pdf",
                               translate("printing", "PDF document (*.pdf)"))  # fmt: skip
        if chosen is not None:
            path = str(chosen[0])
            self.save_pdf_to(Path(path if path.lower().endswith(".pdf") else f"{path}.pdf"))

    def save_pdf_to(self, target: Path) -> None:
        report = self.report
        if report is None:
            return
        from primedist.ui.printing.jobs import print_end_of_day

        ctx, lang, count = self.ctx, current_language(), self.count_for_view()
        self._busy = True
        self._update_buttons()
        Op(self, lambda _job: print_end_of_day(ctx, report, pdf=target, lang=lang, till=count),
           title=self.tr("Printing the end-of-day report")).success(
            lambda result: self._finished(self.tr("Saved to %1").replace("%1", result.where))
        ).failure(self._failed).run()  # fmt: skip

    def copy_text(self) -> None:
        """The day's figures as a chat message, on the clipboard (with the cash count
        when the till was closed for this view)."""
        report = self.report
        if report is None:
            return
        from primedist.printing.end_of_day import end_of_day_text
        from primedist.services.auth import shop_profile

        count = self.count_for_view()
        name = shop_profile(self.ctx).get("name")
        text = end_of_day_text(report, name, lang=current_language(), till=count)
        QGuiApplication.clipboard().setText(text)
        self.status.setText(self.tr("Copied: paste it into Zalo or Messenger."))

    def export(self) -> None:
        report = self.report
        if report is None:
            return
        folder = self.ctx.settings.export_dir if self.ctx.settings else Path.home()
        target = ask_save_path(self, self.tr("Export the end-of-day report"), folder,
                               f"end-of-day-{report.day:%Y%m%d}.xlsx", self.ctx)  # fmt: skip
        if target is not None:
            self.export_to(target)

    def export_to(self, target: Path) -> None:
        report = self.report
        assert report is not None
        ctx, texts = self.ctx, self.texts()
        # The count just recorded goes into the workbook, as on the printout and the text.
        count = self.count_for_view()
        self._busy = True
        self._update_buttons()
        Op(self, lambda _job: eod.export_end_of_day(ctx, report, target, texts, till=count),
           title=self.tr("Exporting the end-of-day report")).success(
            self._exported
        ).failure(self._failed).run()  # fmt: skip

    def _exported(self, done: Any) -> None:
        self._finished(self.tr("Exported to %1").replace("%1", str(done.path)))
        if alive(self):
            text = self.tr("The end-of-day report is in %1.").replace("%1", str(done.path))
            export_done_box(self, self.tr("Export finished"), text, self.tr("Open folder"),
                            done.path).open()  # fmt: skip

    def _finished(self, text: str) -> None:
        if not alive(self):
            return
        self._busy = False
        self.status.setText(text)
        self._update_buttons()

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        self._busy = False
        self._update_buttons()
        report_in(self.status, self, exc)

    def texts(self) -> eod.ReportTexts:
        """The export's sheet names and headers in the reader's language."""
        labels = (
            self.tr("Day"), self.tr("Shops"), self.tr("Staff"), self.tr("Orders"),
            self.tr("Items"), self.tr("Goods"), self.tr("Discounts"), self.tr("Shipping"),
            self.tr("Sales"), self.tr("Cancelled orders"), self.tr("Cancelled value"),
            self.tr("Refunds"), self.tr("Items returned"), self.tr("Refunded"), self.tr("Net"),
            self.tr("Cash paid to suppliers"), self.tr("Debts collected"),
            self.tr("Cash in drawer"),
        )  # fmt: skip
        methods = {m.value: enum_label(m) for m in eod.PAYMENT_ORDER}
        return eod.ReportTexts(
            self.tr("End of day"), self.tr("Payment methods"), self.tr("Shops"),
            self.tr("Products sold"), labels, self._payment_headers(), self._shop_headers(),
            self._product_headers(), self.tr("All shops"), self.tr("All staff"), methods,
            self.tr("Gross profit"),
            (self.tr("Opening float"), self.tr("Expected"), self.tr("Cash counted"),
             self.tr("Difference"), self.tr("Note")),
        )  # fmt: skip

    # Text ---------------------------------------------------------------------------------
    def _payment_headers(self) -> tuple[str, ...]:
        return (self.tr("Payment method"), self.tr("Orders"), self.tr("Sales"),
                self.tr("Refunds"), self.tr("Refunded"), self.tr("Net"),
                self.tr("Debts paid"))  # fmt: skip

    def _cash_note(self, r: eod.EndOfDay) -> str:
        """How the cash in the drawer is made up (only the parts the day had); below zero,
        what took it there instead (the sum is in the tooltip and the payments table)."""
        lang = current_language()
        if r.cash_in_drawer < 0:
            return self._below_zero(r)
        collected = next((p.collected for p in r.payments if p.method == PaymentMethod.CASH), 0)
        parts = [self.tr("Cash sales − cash refunds")]
        if collected:
            parts.append(
                self.tr("+ %1 debts collected").replace("%1", format_money(collected, lang))
            )
        if r.supplier_cash:
            parts.append(
                self.tr("− %1 paid to suppliers").replace("%1", format_money(r.supplier_cash, lang))
            )
        return " ".join(parts)

    def _below_zero(self, r: eod.EndOfDay) -> str:
        """What took the drawer's cash below zero: the suppliers paid in cash when the day's
        takings covered the rest, else the cash given back too."""
        lang = current_language()
        paid_out = format_money(r.supplier_cash, lang)
        if r.supplier_cash > 0 and r.cash_in_drawer + r.supplier_cash >= 0:
            return self.tr("Below zero: %1 paid to suppliers in cash").replace("%1", paid_out)
        refunded = next((p.refunded for p in r.payments if p.method == PaymentMethod.CASH), 0)
        if r.supplier_cash > 0:
            text = self.tr("Below zero: %1 given back and %2 paid to suppliers in cash")
        else:
            text = self.tr("Below zero: %1 given back in cash")
        return _filled(text, format_money(refunded, lang), paid_out)

    def _shop_headers(self) -> tuple[str, ...]:
        return self.tr("Shop"), self.tr("Orders"), self.tr("Sales")

    def _product_headers(self) -> tuple[str, ...]:
        return self.tr("SKU"), self.tr("Product"), self.tr("Units"), self.tr("Revenue")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("End of day"))
        self.day_label.setText(self.tr("Day"))
        names = {
            "sales": self.tr("Sales"), "refunded": self.tr("Refunded"), "net": self.tr("Net"),
            "cash": self.tr("Cash in drawer"), "profit": self.tr("Gross profit"),
        }  # fmt: skip
        for key, text in names.items():
            self.figure_names[key].setText(text)
        self.figures["cash"].setToolTip(
            self.tr("Cash taken for the day's sales and for debts customers paid, less cash "
                    "given back for returns and cash paid to suppliers (Products → Suppliers); "
                    "the float the till started with is not included.")
        )  # fmt: skip
        if self.staff.count():
            self.staff.setItemText(0, self.tr("All staff"))
        for table, headers in ((self.payments, self._payment_headers()),
                               (self.shops, self._shop_headers()),
                               (self.products, self._product_headers())):  # fmt: skip
            table.setHorizontalHeaderLabels(list(headers))
        self.tabs.setTabText(0, self.tr("Payment methods"))
        self.tabs.setTabText(1, self.tr("Shops"))
        self.tabs.setTabText(2, self.tr("Products sold"))
        self.copy_button.setText(self.tr("Copy as text"))
        self.copy_button.setToolTip(
            self.tr("Copy the day's figures as a message to paste into Zalo or Messenger")
        )
        self.print_button.setText(self.tr("Print"))
        self.print_button.setToolTip(self.tr("Print on the receipt printer"))
        self.export_button.setText(self.tr("Export Excel…"))
        self.close_button.setText(self.tr("Close"))
        self.count_title.setText(self.tr("Count the cash"))
        labels = (self.tr("Opening float"), self.tr("Cash counted"), self.tr("Expected"),
                  self.tr("Difference"), self.tr("Note"))  # fmt: skip
        for label, text in zip(self.count_labels, labels, strict=True):
            label.setText(text)
        self.expected_label.setToolTip(self.tr("Opening float + cash in drawer"))
        self.close_till_button.setText(self.tr("Close the till"))
        self._show_report()
        self._update_buttons()  # the button's tooltip says whether the count is recorded


def _filled(template: str, *values: str) -> str:
    """`template`'s %1, %2… replaced by `values` in one pass (a name holding "%3" stays
    as it is)."""
    return re.sub(r"%(\d)", lambda m: values[int(m.group(1)) - 1], template)
