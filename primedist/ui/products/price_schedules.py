"""Scheduled prices… (Products list): the price changes waiting to start or running, with
*Show finished* for those over; the selected one cancelled (waiting) or ended now (running:
its prices go back). New ones are made in *Change prices…* → *When: At a set time*."""

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
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_datetime, shop_tz
from primedist.core.money import format_number
from primedist.domain.price_schedule import PENDING_STATES, ScheduleState
from primedist.errors import PrimedistError
from primedist.services import price_schedule as ps
from primedist.services.context import ServiceContext
from primedist.ui.i18n import current_language
from primedist.ui.messages import error_text, localize

COLUMNS = 7


class PriceSchedulesDialog(QDialog):
    """The scheduled price changes (see the module's docstring)."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[ps.ScheduleRow] = []
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
        self.table.itemSelectionChanged.connect(self._update_stop)
        layout.addWidget(self.table, 1)
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
        bar.addWidget(self.finished_check)
        bar.addStretch(1)
        bar.addWidget(self.stop_button)
        bar.addWidget(self.close_button)
        layout.addLayout(bar)
        self._retranslate()
        self.resize(1000, 460)
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
            "Change prices… and set When to “At a set time”. The app applies them while it "
            "runs, and at its next start if the PC was off."))  # fmt: skip
        # "Start", "End": the planned times, or once done the time it ended (earlier with
        # End now).
        self.table.setHorizontalHeaderLabels([
            self.tr("Name"), self.tr("Change"), self.tr("Products"), self.tr("Start"),
            self.tr("End"), self.tr("State"), self.tr("Note")])  # fmt: skip
        self.finished_check.setText(self.tr("Show finished"))
        self.close_button.setText(self.tr("Close"))
        self._update_stop()

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
        try:
            self.rows = ps.list_schedules(self.ctx, finished=self.finished_check.isChecked())
        except PrimedistError as exc:
            self._say(error_text(exc))
            return
        self._fill()

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

    def _update_stop(self) -> None:
        row = self.selected()
        running = row is not None and row.state == ScheduleState.RUNNING
        self.stop_button.setText(self.tr("End now") if running
                                 else self.tr("Cancel schedule"))  # fmt: skip
        self.stop_button.setToolTip(self.tr("End it now: its prices go back") if running
                                    else self.tr("Cancel it before it starts"))  # fmt: skip
        self.stop_button.setEnabled(row is not None and row.state in PENDING_STATES)

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
