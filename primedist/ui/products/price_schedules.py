"""Scheduled prices… (Products list): the price changes waiting to start or running, with
*Show finished* for those over; the selected one's variants below it (each price before,
during and after the change), edited (waiting), cancelled (waiting) or ended now
(running: its prices go back). *New schedule…* schedules a change on the products
selected in the list (*Change prices…* → *When: At a set time*, as from the list)."""

from __future__ import annotations

from datetime import datetime

import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_datetime, shop_tz
from primedist.core.money import format_money, format_number
from primedist.domain.price_schedule import PENDING_STATES, ScheduleState
from primedist.errors import PrimedistError
from primedist.services import price_schedule as ps
from primedist.services.context import ServiceContext
from primedist.ui.i18n import current_language
from primedist.ui.list_tools import alive
from primedist.ui.messages import error_text, localize
from primedist.ui.ops import Op, report_in

COLUMNS = 7
#: The detail's columns: SKU, product, before, during, after the end.
ITEM_COLUMNS = 5


class PriceSchedulesDialog(QDialog):
    """The scheduled price changes (see the module's docstring)."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None,
                 product_ids: list[int] | None = None) -> None:  # fmt: skip
        """`product_ids`: the products selected in the list (what *New schedule…* changes)."""
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[ps.ScheduleRow] = []
        self.product_ids = list(product_ids or [])
        self.items: list[ps.ScheduleItem] = []
        self._asked = 0  # the detail last asked for: older answers are dropped
        self.setObjectName("priceSchedulesDialog")
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setObjectName("muted")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.table = QTableWidget(0, COLUMNS)
        self.table.setObjectName("priceSchedules")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected_changed)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 6, 0, 0)
        self.detail_title = QLabel()
        self.detail_title.setObjectName("sectionTitle")
        self.detail_title.setWordWrap(True)
        detail_layout.addWidget(self.detail_title)
        self.item_table = QTableWidget(0, ITEM_COLUMNS)
        self.item_table.setObjectName("scheduleItems")
        self.item_table.verticalHeader().hide()
        self.item_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.item_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        items_header = self.item_table.horizontalHeader()
        items_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        items_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        detail_layout.addWidget(self.item_table, 1)
        split.addWidget(detail)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        self.problem = QLabel()
        self.problem.setObjectName("formProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout.addWidget(self.problem)
        bar = QHBoxLayout()
        self.finished_check = QCheckBox()
        self.finished_check.setObjectName("showFinished")
        self.finished_check.toggled.connect(lambda _on: self.refresh())
        self.stop_button = QPushButton()
        self.stop_button.setObjectName("dangerButton")
        self.stop_button.setAutoDefault(False)
        self.stop_button.clicked.connect(self.stop_selected)
        self.close_button = QPushButton()
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.accept)
        self.new_button = QPushButton()
        self.new_button.setObjectName("newSchedule")
        self.new_button.setAutoDefault(False)
        self.new_button.setEnabled(bool(self.product_ids))
        self.new_button.clicked.connect(self.new_schedule)
        self.edit_button = QPushButton()
        self.edit_button.setObjectName("editSchedule")
        self.edit_button.setAutoDefault(False)
        self.edit_button.clicked.connect(self.edit_selected)
        bar.addWidget(self.finished_check)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.edit_button)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.close_button)
        layout.addLayout(bar)
        self._retranslate()
        self.resize(1000, 640)
        self.refresh()

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._fill()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Scheduled price changes"))
        self.intro.setText(self.tr(
            "Price changes that start at a set time and, if an end is set, give the prices "
            "back then (a price changed by hand meanwhile stays). To schedule one, choose "
            "Change prices… and set When to “At a set time”. New schedule… does the same for "
            "the products selected in the list. Select a change to see its prices. The app "
            "applies them while it runs, and at its next start if the PC "
            "was off."))  # fmt: skip
        # "Start", "End": the planned times, or once done the time it ended (earlier with
        # End now).
        self.table.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("Change"), self.tr("Products"), self.tr("Start"),
            self.tr("End"), self.tr("State"), self.tr("Note")])  # fmt: skip
        self.finished_check.setText(self.tr("Show finished"))
        self.close_button.setText(self.tr("Close"))
        self.new_button.setText(self.tr("New schedule…"))
        count = format_number(len(self.product_ids), current_language())
        self.new_button.setToolTip(
            self.tr("Schedule a price change on the %1 products selected in the list")
            .replace("%1", count) if self.product_ids
            else self.tr("Select the products in the Products list first, then open "
                         "Scheduled prices again."))  # fmt: skip
        self.edit_button.setText(self.tr("Edit…"))
        self.item_table.setHorizontalHeaderLabels([
            self.tr("SKU"), self.tr("Product"), self.tr("Before"), self.tr("During"),
            self.tr("After the end")])  # fmt: skip
        self._update_stop()
        self._show_items()

    def _state_text(self, state: ScheduleState) -> str:
        return {
            ScheduleState.SCHEDULED: self.tr("Waiting"),
            ScheduleState.RUNNING: self.tr("Running"),
            ScheduleState.DONE: self.tr("Done"),
            ScheduleState.CANCELLED: self.tr("Cancelled"),
            ScheduleState.FAILED: self.tr("Failed"),
        }[state]

    # ------------------------------------------------------------------ rows

    def refresh(self) -> None:
        chosen = self.selected()
        try:
            self.rows = ps.list_schedules(self.ctx, finished=self.finished_check.isChecked())
        except PrimedistError as exc:
            self._say(error_text(exc))
            return
        self._fill()
        # The change looked at stays selected (its detail read again: an edit changed it).
        at = next((i for i, r in enumerate(self.rows) if chosen and r.id == chosen.id), None)
        if at is not None:
            self.table.selectRow(at)
        self.load_items()

    def _fill(self) -> None:
        lang, tz = current_language(), shop_tz()

        def when(value: datetime | None) -> str:
            return "—" if value is None else format_datetime(value, tz, lang)

        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            # Stored in English, read back as the service's message: in the user's words.
            note = localize(row.message)
            if row.state == ScheduleState.DONE and row.ends_at is not None:
                note = note or self.tr("%1 variants had their price back").replace(
                    "%1", format_number(row.restored, lang))  # fmt: skip
            cells = (row.name, localize(ps.describe(row)), str(row.products),
                     when(row.starts_at), when(row.end), self._state_text(row.state),
                     note)  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 4 and row.ended_early:
                    item.setToolTip(self.tr("Ended early; planned end: %1").replace(
                        "%1", when(row.ends_at)))  # fmt: skip
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                self.table.setItem(r, c, item)
        self._update_stop()

    def selected(self) -> ps.ScheduleRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def _selected_changed(self) -> None:
        self._update_stop()
        self.load_items()

    def _update_stop(self) -> None:
        row = self.selected()
        waiting = row is not None and row.state == ScheduleState.SCHEDULED
        self.edit_button.setEnabled(waiting)
        self.edit_button.setToolTip(
            self.tr("Change its name, prices or times") if waiting or row is None
            else self.tr("Only a change still waiting can be edited: end or cancel it, and "
                         "schedule a new one."))  # fmt: skip
        running = row is not None and row.state == ScheduleState.RUNNING
        self.stop_button.setText(self.tr("End now") if running
                                 else self.tr("Cancel schedule"))  # fmt: skip
        self.stop_button.setToolTip(self.tr("End it now: its prices go back") if running
                                    else self.tr("Cancel it before it starts"))  # fmt: skip
        self.stop_button.setEnabled(row is not None and row.state in PENDING_STATES)

    # ------------------------------------------------------------------ detail

    def load_items(self) -> None:
        """The selected change's variants, read in the background (the newest ask wins)."""
        row = self.selected()
        self._asked += 1
        self.items = []
        if row is None:
            self._show_items()
            return
        asked, ctx = self._asked, self.ctx
        Op(self, lambda _job: ps.schedule_items(ctx, row.id)).success(
            lambda items: self._loaded(asked, items)).failure(
            lambda exc: report_in(self.problem, self, exc)).run()  # fmt: skip

    def _loaded(self, asked: int, items: list[ps.ScheduleItem]) -> None:
        if alive(self) and asked == self._asked:
            self.items = items
            self._show_items()

    def _show_items(self) -> None:
        row, lang = self.selected(), current_language()
        items = self.items if row is not None else []
        if row is None:
            self.detail_title.setText(self.tr("Select a change to see its prices."))
        else:
            self.detail_title.setText(self.tr("%1 — %2 variants").replace("%1", row.name)
                                      .replace("%2", format_number(len(items), lang)))  # fmt: skip
        # A change with no end keeps its prices: no "after" to show.
        self.item_table.setColumnHidden(4, row is not None and row.ends_at is None)
        self.item_table.setRowCount(len(items))
        for r, item in enumerate(items):
            during = _money(item.after, lang)
            if item.problem:
                during = f"{during}   ✗ {localize(item.problem)}"
            after = _money(item.before if item.goes_back else item.after, lang)
            cells = (item.sku, item.name, _money(item.before, lang), during, after)
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if c >= 2:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                if (
                    c == 3
                    and item.now != item.after
                    and row is not None
                    and row.state in (ScheduleState.RUNNING, ScheduleState.DONE)
                ):
                    cell.setToolTip(self.tr("Changed by hand since: %1 now").replace(
                        "%1", _money(item.now, lang)))  # fmt: skip
                self.item_table.setItem(r, c, cell)

    # ------------------------------------------------------------------ new, edit

    def new_schedule(self) -> QDialog | None:
        """Change prices… at a set time, on the products selected in the list."""
        if not self.product_ids:
            return None
        from primedist.ui.products.price_dialog import PriceChangeDialog

        return self._open(PriceChangeDialog(self.ctx, self.product_ids, parent=self,
                                            scheduled=True))  # fmt: skip

    def edit_selected(self) -> QDialog | None:
        """The selected waiting change in the Change prices form, to change and save."""
        row = self.selected()
        if row is None or row.state != ScheduleState.SCHEDULED:
            return None
        from primedist.ui.products.price_dialog import PriceChangeDialog

        return self._open(PriceChangeDialog(self.ctx, [], parent=self, schedule=row))

    def _open(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.scheduled.connect(lambda _row: self.refresh())  # type: ignore[attr-defined]
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ stop

    def stop_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            ps.stop_schedule(self.ctx, row.id)
        except PrimedistError as exc:
            self._say(error_text(exc))
            return
        if shiboken6.isValid(self):
            self._say("")
            self.refresh()

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))


def _money(value: int | None, lang: str) -> str:
    return "—" if value is None else format_money(value, lang)
