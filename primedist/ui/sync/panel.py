"""The Sync panel: actions waiting for (or refused by) a marketplace, with Retry and
Discard, and each shop's sync state and log, with Sync now and Re-fetch.

Reached from the status bar's sync indicator. Every read and write runs through `Op`
(off the UI thread); the lists are small (at most a thousand actions, 200 log lines).
The actions list follows the outbox by itself: after an action of this window
(`outbox_changes()`) and after the scheduler's deliveries (the counts of `SYNC_STATE`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from PySide6.QtCore import QDate, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from primedist.core.clock import format_datetime, shop_tz, to_local, to_utc
from primedist.core.messages import Message
from primedist.core.money import format_number
from primedist.domain.enums import OutboxStatus, ShopStatus
from primedist.services import outbox_delivery as od
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.services.sync import SYNC_STATE, SyncState
from primedist.ui.i18n import current_language
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import count_text
from primedist.ui.messages import localize
from primedist.ui.ops import Job, Op
from primedist.ui.sync.status import POLL_MS, last_message_text, outbox_changed, outbox_changes
from primedist.ui.widgets import align_headers


def _local(dt: datetime | None) -> str:
    """A time as the app shows times (shop's zone, the language's format)."""
    return format_datetime(dt, shop_tz(), current_language()) if dt else ""


#: The least width of a table's last column (a message), beside its header's own width.
MESSAGE_MIN_WIDTH = 220
#: Changes in a burst (a bulk confirm, a delivery run) reload the actions once.
RELOAD_DELAY_MS = 300
#: The panel's width at first: the actions' columns whole with MESSAGE_MIN_WIDTH left for
#: their last message in Vietnamese (a stock push of a shop with a long name); on a
#: smaller screen as wide as it allows, not below MINIMUM_WIDTH.
DEFAULT_WIDTH = 1200
MINIMUM_WIDTH = 900


class _Table(QTableWidget):
    """A small read-only table: columns as wide as their texts, the last (a message) takes
    the rest of the width and is cut with "…" (the whole text is its tooltip).

    Every header is shown whole: when the texts are wider than the table, the last column
    gives up its room first (down to its header's width: its whole text is the tooltip),
    then the columns `gives_way` are cut, in that order, only as far as their rare long
    texts (what most rows say stays whole), then the table scrolls sideways."""

    def __init__(self, headers: list[str], gives_way: Sequence[int]) -> None:
        super().__init__(0, len(headers))
        self.gives_way = gives_way
        self.setHorizontalHeaderLabels(headers)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def fit_columns(self) -> None:
        header = self.horizontalHeader()
        last = self.columnCount() - 1
        heads = [header.sectionSizeFromContents(c).width() for c in range(last + 1)]
        widths = [max(self.sizeHintForColumn(c), heads[c]) for c in range(last)]
        spare = self.viewport().width() - sum(widths)
        least = max(heads[last], min(MESSAGE_MIN_WIDTH, spare))
        spare -= least
        for c in self.gives_way:
            if spare >= 0:
                break
            cut = max(heads[c], self._most_rows_need(c), widths[c] + spare)
            spare += widths[c] - cut
            widths[c] = cut
        for c, width in enumerate(widths):
            self.setColumnWidth(c, width)
        self.setColumnWidth(last, max(least, self.viewport().width() - sum(widths)))

    def _most_rows_need(self, column: int) -> int:
        """The width three rows in four need whole in `column` (with the grid line, as
        `sizeHintForColumn` counts it: a pixel less cuts the text)."""
        model = self.model()
        grid = 1 if self.showGrid() else 0
        needs = sorted(self.sizeHintForIndex(model.index(r, column)).width() + grid
                       for r in range(min(self.rowCount(), 1000)))  # fmt: skip
        return needs[(len(needs) * 3) // 4 - 1] if len(needs) >= 4 else min(needs, default=0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()


def _table(headers: list[str], right: Iterable[int] = (), gives_way: Sequence[int] = ()) -> _Table:
    table = _Table(headers, gives_way)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.verticalHeader().setVisible(False)
    align_headers(table, right)
    return table


#: A failed action's status, in the error colour of the lists.
FAILED_COLOUR = "#B91C1C"
#: Where a row's sort value rides (the shown text of a time or a count sorts wrong).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


class _SortItem(QTableWidgetItem):
    """A cell that sorts by its SORT_ROLE value (a time, a number, a rank), not its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is None or theirs is None or type(mine) is not type(theirs):
            return super().__lt__(other)
        return bool(mine < theirs)


def _item(text: str, tip: str | None = None, sort: Any = None) -> QTableWidgetItem:
    item = _SortItem(text)
    if tip:
        item.setToolTip(tip)
    if sort is not None:
        item.setData(SORT_ROLE, sort)
    return item


def _rank(row: od.OutboxRow) -> int:
    """Failed actions first (they need the owner), then those being sent or waiting for
    the network, then those waiting for their shop to be linked again."""
    if row.status == OutboxStatus.FAILED:
        return 0
    return 2 if row.shop_state is not None else 1


class ActionsPage(QWidget):
    """Waiting and failed outbox actions."""

    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, state: SyncState = SYNC_STATE
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[od.OutboxRow] = []
        #: Retries, discards and sends of the user not finished yet: no reload meanwhile.
        self.acting = 0
        #: What the last "Send now" did, kept under the list until the user acts again.
        self.outcome = ""
        self._state = state
        self._counts = self._outbox_counts()
        self.table = _table([self.tr("Shop"), self.tr("Action"), self.tr("About"),
                             self.tr("Status"), self.tr("Tries"), self.tr("Queued"),
                             self.tr("Last message")], right=[4],
                            # The action's label (the longest ones, at the end) before its
                            # subject: a SKU and quantity cut would hide what it sends.
                            gives_way=(1, 2))  # fmt: skip
        self.table.itemSelectionChanged.connect(self._selection_changed)
        #: (column, order) the user sorted by; None: failed first (`_rank`), then oldest.
        self.sorted_by: tuple[int, Qt.SortOrder] | None = None
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._sort_clicked)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.discard_button = QPushButton(self.tr("Discard…"))
        self.deliver_button = QPushButton(self.tr("Send now"))
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("muted")
        # The chosen action's whole last message (the column cuts a long one).
        self.detail = QLabel()
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setObjectName("actionDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        self.retry_button.clicked.connect(self.retry_selected)
        self.discard_button.clicked.connect(self.discard_selected)
        self.deliver_button.clicked.connect(self.deliver_now)
        self.refresh_button.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        for b in (self.retry_button, self.discard_button, self.deliver_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reload_timer = QTimer(self)
        self.reload_timer.setSingleShot(True)
        self.reload_timer.setInterval(RELOAD_DELAY_MS)
        self.reload_timer.timeout.connect(self._reload_when_idle)
        outbox_changes().changed.connect(self.reload_soon)
        # The scheduler's deliveries change the outbox too; they only update SYNC_STATE.
        self.watch_timer = QTimer(self)
        self.watch_timer.setInterval(POLL_MS)
        self.watch_timer.timeout.connect(self._watch_counts)
        self.watch_timer.start()
        self._selection_changed()
        self.reload()

    # Following the outbox ----------------------------------------------------------------
    def _outbox_counts(self) -> tuple[Any, ...]:
        snap = self._state.snapshot()
        return snap["waiting"], snap["failed"], snap["last_sync_at"]

    def _watch_counts(self) -> None:
        counts = self._outbox_counts()
        if counts != self._counts:
            self._counts = counts
            self.reload_soon()

    def reload_soon(self) -> None:
        """The outbox may have changed: reload once the burst of changes is over."""
        self.reload_timer.start()

    def _reload_when_idle(self) -> None:
        if self.acting:  # the user's own action reloads when it ends; ask again later
            self.reload_timer.start()
        else:
            self.reload()

    def _act(self) -> None:
        self.acting += 1
        self.outcome = ""

    def _acted(self) -> None:
        self.acting -= 1

    def kind_label(self, kind: str) -> str:
        return enum_label(kind)

    def status_label(self, status: str, shop_state: ShopStatus | None = None) -> str:
        if shop_state is not None:
            # It waits for its shop, said as Sales channels says it (Last message: what to do).
            return enum_label(shop_state)
        return {
            "pending": self.tr("Waiting"),
            "in_progress": self.tr("Sending"),
            "failed": self.tr("Failed"),
        }.get(status, status)

    def reload(self) -> None:
        Op(self, lambda _job: od.list_actions(self.ctx), engine=self.ctx.engine).success(
            self._show
        ).run()

    def _show(self, rows: list[od.OutboxRow]) -> None:
        chosen = set(self.selected_ids())  # kept by id: rows may come and go beside them
        self.table.clearSelection()
        # Failed first, then waiting, oldest first in each (the user's column sort, once
        # chosen, is kept over reloads).
        self.rows = sorted(rows, key=_rank)
        self.table.setSortingEnabled(False)  # rows filled in place, sorted once after
        self.table.setRowCount(len(rows))
        lang = current_language()
        for r, row in enumerate(self.rows):
            last = last_message_text(row.last_error)
            cells = [row.shop, self.kind_label(row.kind), self.subject_text(row),
                     self.status_label(row.status.value, row.shop_state),
                     format_number(row.attempts, lang),
                     _local(row.created_at), last]  # fmt: skip
            sorts = [None, None, None, (_rank(row), row.id), row.attempts,
                     row.created_at.timestamp(), None]  # fmt: skip
            for c, text in enumerate(cells):
                item = _item(text, last, sorts[c])
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                if c == 3 and row.status == OutboxStatus.FAILED:
                    item.setForeground(QColor(FAILED_COLOUR))
                if c == 4:  # the tries
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        if self.sorted_by is not None:
            self.table.setSortingEnabled(True)
            self.table.sortByColumn(*self.sorted_by)
        for r in range(self.table.rowCount()):
            if self._row_id(r) in chosen:
                self._add_to_selection(r)
        self.table.fit_columns()
        count = (
            self.tr("No actions waiting.")
            if not rows
            else count_text(len(rows), self.tr("%n action"), self.tr("%n actions"))
        )
        self.message.setText(" · ".join(t for t in (self.outcome, count) if t))
        self._selection_changed()

    def _add_to_selection(self, row: int) -> None:
        flags = QItemSelectionModel.SelectionFlag
        index = self.table.model().index(row, 0)
        self.table.selectionModel().select(index, flags.Select | flags.Rows)

    def subject_text(self, row: od.OutboxRow) -> str:
        if row.available is None:
            return row.subject
        return (
            self.tr("%1 · %2 available")
            .replace("%1", row.subject)
            .replace("%2", format_number(row.available, current_language()))
        )

    def _row_id(self, r: int) -> int | None:
        item = self.table.item(r, 0)
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def _sort_clicked(self, column: int) -> None:
        """A header click sorts by that column (the table's own sort), kept over reloads."""
        header = self.table.horizontalHeader()
        self.sorted_by = (column, header.sortIndicatorOrder())
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(*self.sorted_by)

    def selected_ids(self) -> list[int]:
        # By the rows' own ids: a column sort moves rows away from `self.rows`' order.
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [i for r in rows if (i := self._row_id(r)) is not None]

    def _selection_changed(self) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        self.retry_button.setEnabled(chosen)
        self.discard_button.setEnabled(chosen)
        ids = self.selected_ids()
        row = next((r for r in self.rows if ids and r.id == ids[0]), None)
        text = last_message_text(row.last_error) if row is not None and len(ids) == 1 else None
        self.detail.setText(self.tr("Last message: %s") % text if text else "")
        self.detail.setVisible(bool(text))

    def retry_selected(self) -> None:
        ids = self.selected_ids()

        def work(_job: Any) -> None:
            for i in ids:
                od.retry_action(self.ctx, i)

        self._act()
        Op(self, work, engine=self.ctx.engine).success(lambda _r: self._changed()).finally_(
            self._acted
        ).run()

    def _changed(self) -> None:
        """Actions retried or discarded: the list and the status bar's counts follow."""
        self.reload()
        outbox_changed()

    def confirm_discard(self, count: int) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Discard actions"),
            count_text(
                count,
                self.tr(
                    "Discard this action? It will not be sent to the marketplace; the "
                    "change stays in this app only."
                ),
                self.tr(
                    "Discard %n actions? They will not be sent to the marketplace; the "
                    "changes stay in this app only."
                ),
            ),  # fmt: skip
        )
        return answer == QMessageBox.StandardButton.Yes

    def discard_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        self._act()  # the question stays open as long as the user wants: no reload under it
        if not self.confirm_discard(len(ids)):
            self._acted()
            return

        def work(_job: Any) -> None:
            for i in ids:
                od.discard_action(self.ctx, i)

        Op(self, work, engine=self.ctx.engine).success(lambda _r: self._changed()).finally_(
            self._acted
        ).run()

    def deliver_now(self) -> None:
        self.deliver_button.setEnabled(False)
        self._act()
        Op(self, lambda _job: od.deliver_outbox(self.ctx), network=True).success(
            self._report
        ).finally_(self._delivered).run()

    def _report(self, report: od.DeliveryReport) -> None:
        self.outcome = self.delivery_text(report)
        self.message.setText(self.outcome)

    def delivery_text(self, report: od.DeliveryReport) -> str:
        """What "Send now" did, in the user's language (the report's `summary()` is the
        CLI's English)."""
        parts = []
        if report.delivered:
            parts.append(count_text(report.delivered, self.tr("%n action sent"),
                                    self.tr("%n actions sent")))  # fmt: skip
        if report.retrying:
            parts.append(count_text(report.retrying,
                                    self.tr("%n action will be tried again later"),
                                    self.tr("%n actions will be tried again later")))  # fmt: skip
        if report.failed:
            parts.append(count_text(report.failed, self.tr("%n action failed"),
                                    self.tr("%n actions failed")))  # fmt: skip
        if held := report.held + report.not_ready:
            parts.append(
                count_text(
                    held,
                    self.tr("%n action waiting for a shop to be linked in Sales channels"),
                    self.tr("%n actions waiting for a shop to be linked in Sales channels"),
                )
            )
        if report.offline:
            parts.append(self.tr("the marketplace could not be reached"))
        elif report.marketplace_error:
            parts.append(self.tr("the marketplace answered with an error"))
        if report.carrier_offline:
            parts.append(self.tr("a carrier could not be reached"))
        return "; ".join(parts) if parts else self.tr("Nothing was due to be sent")

    def _delivered(self) -> None:
        self.acting -= 1
        self.deliver_button.setEnabled(True)
        self.reload()
        outbox_changed()  # the status bar's counts follow at once


def _not_syncable(state: sync.ShopSyncState) -> ShopStatus | None:
    """Disconnected or Not linked (no tokens), as Settings → Sales channels says it; None
    for a shop a sync can be asked of."""
    if state.status == ShopStatus.DISCONNECTED:
        return ShopStatus.DISCONNECTED
    if state.status == ShopStatus.NOT_LINKED or not state.linked:
        return ShopStatus.NOT_LINKED
    return None


class ShopLogPage(QWidget):
    """A shop's sync state and log, with Sync now and Re-fetch of a date range."""

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.states: list[sync.ShopSyncState] = []
        #: (shop id, why) of the last Sync now or Re-fetch that did not run (the shop syncs
        #: elsewhere now) or was cancelled: said once, under the shop's state.
        self.not_run: tuple[int, str] | None = None
        self.shop = QComboBox()
        self.shop.currentIndexChanged.connect(self._shop_changed)
        self.state_label = QLabel()
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)
        self.state_label.setWordWrap(True)
        self.sync_button = QPushButton(self.tr("Sync now"))
        self.sync_button.clicked.connect(self.sync_now)
        today = self._today()
        self.date_from = QDateEdit(today.addDays(-7))
        self.date_to = QDateEdit(today)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self._limit_dates()
        self.refetch_button = QPushButton(self.tr("Re-fetch"))
        self.refetch_button.clicked.connect(self.refetch)
        self.table = _table([self.tr("Time"), self.tr("Level"), self.tr("Message")])
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Shop:")))
        top.addWidget(self.shop, 1)
        top.addWidget(self.sync_button)
        again = QHBoxLayout()
        again.addWidget(QLabel(self.tr("Re-fetch orders updated from")))
        again.addWidget(self.date_from)
        again.addWidget(QLabel(self.tr("to")))
        again.addWidget(self.date_to)
        again.addWidget(self.refetch_button)
        again.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state_label)
        layout.addLayout(again)
        layout.addWidget(self.table, 1)
        self.reload()

    def _today(self) -> QDate:
        """The shop's day, not the PC's."""
        today = to_local(self.ctx.clock.now(), shop_tz()).date()
        return QDate(today.year, today.month, today.day)

    def _limit_dates(self) -> None:
        """No day after today: the marketplace has no orders updated then (the panel may
        stay open past midnight, so it follows the day at each reload)."""
        for edit in (self.date_from, self.date_to):
            edit.setMaximumDate(self._today())

    def reload(self) -> None:
        self._limit_dates()
        Op(self, lambda _job: sync.shop_states(self.ctx), engine=self.ctx.engine).success(
            self._show_shops
        ).run()

    def _show_shops(self, states: list[sync.ShopSyncState]) -> None:
        current = self.current_shop_id()
        self.states = states
        self.shop.blockSignals(True)
        self.shop.clear()
        for s in states:
            why = _not_syncable(s)  # said beside the name, as Settings → Sales channels does
            self.shop.addItem(f"{s.name} ({enum_label(why)})" if why else s.name, s.shop_id)
        if current is not None and (i := self.shop.findData(current)) >= 0:
            self.shop.setCurrentIndex(i)
        self.shop.blockSignals(False)
        if not states:
            self.state_label.setText(
                self.tr("No marketplace shop yet: connect one in Settings → Sales channels.")
            )
        self._shop_changed()

    def current_shop_id(self) -> int | None:
        data = self.shop.currentData()
        return int(data) if data is not None else None

    def _shop_changed(self) -> None:
        shop_id = self.current_shop_id()
        state = next((s for s in self.states if s.shop_id == shop_id), None)
        why = _not_syncable(state) if state is not None else None
        # Its tokens are gone (or never were): a sync would only be refused.
        self.sync_button.setEnabled(state is not None and why is None)
        self.refetch_button.setEnabled(state is not None and why is None)
        if state is None:
            self.table.setRowCount(0)
            return
        parts = [self.tr("Last sync: %s") % (_local(state.last_success_at) or self.tr("never"))]
        if why == ShopStatus.DISCONNECTED:
            parts.append(self.tr("Disconnected: authorise it again in Settings → Sales "
                                 "channels to sync it"))  # fmt: skip
        elif why == ShopStatus.NOT_LINKED:
            parts.append(self.tr("Not linked: authorise it in Settings → Sales channels to "
                                 "sync it"))  # fmt: skip
        elif state.status == ShopStatus.NEEDS_REAUTH:
            parts.append(self.tr("Needs re-authorisation (Settings → Sales channels)"))
        if state.paused_until is not None and state.paused_until > self.ctx.clock.now():
            # The daily limit's error is this pause (its platform text gives the time in UTC).
            parts.append(self.tr("Paused (daily limit) until %s") % _local(state.paused_until))
        elif state.last_error:
            parts.append(self.tr("Last error: %s") % last_message_text(state.last_error))
        if self.not_run is not None and self.not_run[0] == state.shop_id:
            parts.append(self.not_run[1])
            self.not_run = None
        self.state_label.setText(" · ".join(parts))
        Op(self, lambda _job: sync.sync_log(self.ctx, state.shop_id),
           engine=self.ctx.engine).success(self._show_log).run()  # fmt: skip

    def level_label(self, level: str) -> str:
        return {"info": self.tr("Info"), "warning": self.tr("Warning"),
                "error": self.tr("Error")}.get(level, level)  # fmt: skip

    def _show_log(self, lines: list[sync.LogLine]) -> None:
        self.table.setRowCount(len(lines))
        for r, line in enumerate(lines):
            message = localize(line.message)
            for c, text in enumerate((_local(line.created_at), self.level_label(line.level),
                                      message)):  # fmt: skip
                self.table.setItem(r, c, _item(text, message))
        self.table.fit_columns()

    def sync_now(self) -> None:
        shop_id = self.current_shop_id()
        if shop_id is not None:
            self._run(lambda job: sync.sync_shop(self.ctx, shop_id, progress=job.progress))

    def refetch(self) -> None:
        shop_id = self.current_shop_id()
        if shop_id is None:
            return
        first = self.date_from.date()
        if first > self._today():  # the PC's clock was put back while the panel was open
            self._limit_dates()
            self.state_label.setText(
                self.tr("The start day %s is in the future: choose today or an earlier day.")
                % first.toString("dd/MM/yyyy")
            )
            return
        tz = shop_tz()
        last = self.date_to.date().addDays(1)
        start = to_utc(datetime(first.year(), first.month(), first.day()), tz)
        end = to_utc(datetime(last.year(), last.month(), last.day()), tz)
        end = min(end, self.ctx.clock.now())
        self._run(lambda job: sync.refetch_range(self.ctx, shop_id, start, end,
                                                 progress=job.progress))  # fmt: skip

    def _run(self, fn: Callable[[Job], sync.SyncReport]) -> None:
        """Run the sync `fn` in the jobs indicator: its progress bar and Cancel reach the
        sync through the job's progress."""
        self.sync_button.setEnabled(False)
        self.refetch_button.setEnabled(False)
        self.state_label.setText(self.tr("Syncing…"))
        self.not_run = None
        Op(self, fn, network=True, title=self.tr("Marketplace sync")) \
            .with_progress().success(self._ran).finally_(self.reload).run()  # fmt: skip

    def _ran(self, report: sync.SyncReport) -> None:
        """A run another sync of the shop kept from running says so (the shop's state and
        log would not: nothing happened), and so does one the user stopped (how much it
        saved: the log has it too); what a run did is in them."""
        if report.outcome == "cancelled" and isinstance(report.message, Message):
            self.not_run = (report.shop_id, localize(report.message))
            return
        if report.outcome != "busy" or report.fetched:
            return
        if isinstance(report.message, Message):  # "Already syncing on KHO-PC; …"
            why = localize(report.message)
        else:
            why = self.tr("A sync of this shop is already running.")
        self.not_run = (report.shop_id, why)


class SyncPanel(QDialog):
    """Actions | Shops and log."""

    _open: ClassVar[SyncPanel | None] = None

    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncPanel")
        self.setWindowTitle(self.tr("Marketplace sync"))
        self.resize(self._default_width(), 560)
        self.tabs = QTabWidget()
        self.actions_page = ActionsPage(ctx)
        self.log_page = ShopLogPage(ctx)
        self.tabs.addTab(self.actions_page, self.tr("Waiting actions"))
        self.tabs.addTab(self.log_page, self.tr("Shops and sync log"))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)

    def _default_width(self) -> int:
        """Wide enough for every column of the actions whole and room for their last
        message (Vietnamese labels are the longest), within the screen."""
        screen = self.screen()
        room = screen.availableGeometry().width() - 40 if screen is not None else DEFAULT_WIDTH
        return max(MINIMUM_WIDTH, min(DEFAULT_WIDTH, room))

    @classmethod
    def show_for(cls, ctx: ServiceContext, parent: QWidget | None) -> SyncPanel:
        """One panel at a time: raise it when already open."""
        if cls._open is None or not cls._open.isVisible():
            cls._open = SyncPanel(ctx, parent)
        cls._open.show()
        cls._open.raise_()
        cls._open.activateWindow()
        return cls._open
