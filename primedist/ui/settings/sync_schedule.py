"""Settings → Sync schedule: how often the marketplace shops are synced, and per shop when
it was last synced and is synced next (the shop's time), with Sync now (the one of Sales
channels: `services.channels.sync_now`) for the selected shop."""

from __future__ import annotations

from datetime import datetime

import shiboken6
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from primedist.domain.enums import ShopStatus
from primedist.errors import PrimedistError
from primedist.services import channels
from primedist.services import schedule_settings as svc
from primedist.services.context import ServiceContext
from primedist.services.schedule_settings import PlannedSync
from primedist.services.sync import SYNC_STATE, SyncReport
from primedist.ui.formatting import when_text
from primedist.ui.labels import enum_label
from primedist.ui.list_tools import EmptyHint
from primedist.ui.messages import error_text, say, say_error
from primedist.ui.ops import Op
from primedist.ui.settings.account import message_label, run_inline
from primedist.ui.settings.channels import sync_report_text
from primedist.ui.widgets import align_headers

COL_SHOP, COL_CHANNEL, COL_LAST, COL_NEXT = range(4)
#: The list is read again this often while shown (the scheduler's runs move the times).
REFRESH_MS = 30_000


class SyncScheduleSettings(QWidget):
    def __init__(self, ctx: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.plan: list[PlannedSync] = []
        self._busy = False
        self.setObjectName("syncScheduleSettings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        layout.addWidget(self.title)
        self.explanation = QLabel()
        self.explanation.setObjectName("banner")
        self.explanation.setWordWrap(True)
        layout.addWidget(self.explanation)
        # The interval: a box as wide as its number and unit ("1440 min"), then Save.
        row = QHBoxLayout()
        self.caption = QLabel()
        self.minutes = QSpinBox()
        self.minutes.setObjectName("syncMinutes")
        self.minutes.setRange(svc.MIN_SYNC_INTERVAL, svc.MAX_SYNC_INTERVAL)
        self.minutes.setValue(svc.get_sync_interval(ctx))
        self.caption.setBuddy(self.minutes)
        self.save = QPushButton()
        self.save.setObjectName("primaryButton")
        self.save.clicked.connect(self.on_save)
        row.addWidget(self.caption)
        row.addWidget(self.minutes)
        row.addWidget(self.save)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = message_label("syncMessage")
        layout.addWidget(self.message)
        # Each marketplace shop: its last sync and the next one planned.
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("syncPlan")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        align_headers(self.table)
        self.table.itemSelectionChanged.connect(self._update)
        layout.addWidget(self.table, 1)
        # An empty table says why (no shop yet) rather than nothing.
        self.empty_hint = EmptyHint(self.table, lambda: ("", self.empty_text()), lambda: False)
        bar = QHBoxLayout()
        self.sync_button = QPushButton()
        self.sync_button.setObjectName("actionButton")  # greyed out when disabled
        self.sync_button.clicked.connect(self.sync_now)
        bar.addWidget(self.sync_button)
        bar.addStretch(1)
        layout.addLayout(bar)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.reload)
        self.retranslate()
        self.reload()

    # ------------------------------------------------------------------ the interval

    def on_save(self) -> None:
        minutes = self.minutes.value()
        run_inline(self, lambda: svc.set_sync_interval(self.ctx, minutes), self.message,
                   lambda _m: self._saved(), self.save)  # fmt: skip

    def _saved(self) -> None:
        say(self.message, lambda: self.tr("Saved: the next syncs follow the new interval."))
        self.message.show()

    # ------------------------------------------------------------------ texts

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("Sync schedule"))
        self.explanation.setText(
            self.tr(
                "While the app runs, each connected shop's new and changed orders are fetched "
                "at this interval; waiting actions (confirm, cancel, stock) go out every minute."
            )
        )
        self.caption.setText(self.tr("Sync every"))
        self.minutes.setSuffix(self.tr(" min"))
        self.minutes.setFixedWidth(self.minutes.sizeHint().width())  # the unit's length
        self.save.setText(self.tr("Save"))
        self.table.setHorizontalHeaderLabels(
            [self.tr("Shop"), self.tr("Channel"), self.tr("Last sync"), self.tr("Next sync")]
        )
        self.sync_button.setText(self.tr("&Sync now"))
        self.sync_button.setToolTip(self.tr("Fetch the selected shop's new and changed orders now"))
        self.empty_hint.update_hint()  # in the new language
        self._fill()

    def empty_text(self) -> str:
        return self.tr(
            "No marketplace shop is connected yet: add one in Settings → Sales channels."
        )

    def next_text(self, planned: PlannedSync) -> str:
        """When the shop is synced next, or why it is not."""
        shop = planned.shop
        if shop.name in SYNC_STATE.snapshot()["running"]:
            return self.tr("Syncing now…")
        if planned.next_at is not None:
            text = self._when(planned.next_at)
            if shop.paused_until is not None and planned.next_at == shop.paused_until:
                text = self.tr("%1 (daily API limit reached)").replace("%1", text)
            return text
        if shop.status == ShopStatus.DISCONNECTED:
            return self.tr("Not synced: disconnected")
        if shop.needs_reauth:
            return self.tr("Not synced: authorise it again in Sales channels")
        return self.tr("Not synced: link it in Sales channels")

    def _when(self, value: datetime | None) -> str:
        return "—" if value is None else when_text(value)

    # ------------------------------------------------------------------ the shops

    def reload(self) -> None:
        """Read the shops and their plan again (the selection is kept)."""
        if not shiboken6.isValid(self):
            return
        try:
            self.plan = svc.sync_plan(self.ctx)
        except PrimedistError as exc:
            self.plan = []
            say_error(self.message, exc)
            self.message.show()
        self._fill()

    def _fill(self) -> None:
        keep = self.selected()
        self.table.setRowCount(len(self.plan))
        for row, planned in enumerate(self.plan):
            shop = planned.shop
            name = QTableWidgetItem(shop.name)
            name.setData(Qt.ItemDataRole.UserRole, shop.id)
            name.setToolTip(shop.name)
            cells = (name, QTableWidgetItem(enum_label(shop.channel)),
                     QTableWidgetItem(self._when(shop.last_sync_at)),
                     QTableWidgetItem(self.next_text(planned)))  # fmt: skip
            for col, item in enumerate(cells):
                self.table.setItem(row, col, item)
            if keep is not None and shop.id == keep.shop.id:
                self.table.selectRow(row)
        self._update()

    def selected(self) -> PlannedSync | None:
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) != 1:
            return None
        item = self.table.item(rows.pop(), COL_SHOP)
        if item is None:
            return None
        shop_id = int(item.data(Qt.ItemDataRole.UserRole))
        return next((p for p in self.plan if p.shop.id == shop_id), None)

    def select_shop(self, shop_id: int) -> None:
        for row, planned in enumerate(self.plan):
            if planned.shop.id == shop_id:
                self.table.selectRow(row)

    def _update(self) -> None:
        planned = self.selected()
        shop = planned.shop if planned is not None else None
        # As on Sales channels: a shop that is linked and not waiting for authorisation.
        usable = shop is not None and shop.linked and not shop.needs_reauth
        self.sync_button.setEnabled(not self._busy and usable)

    def showEvent(self, event: QShowEvent) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    # ------------------------------------------------------------------ Sync now

    def sync_now(self) -> None:
        planned = self.selected()
        if planned is None:
            return
        shop = planned.shop
        self._busy = True
        self._update()
        say(self.message, lambda: self.tr("Syncing %1…").replace("%1", shop.name))
        self.message.show()
        self._fill()  # its next sync reads "Syncing now…" once the sync has started

        def synced(report: SyncReport) -> None:
            if shiboken6.isValid(self):
                say(self.message, lambda: sync_report_text(report))

        def failed(exc: BaseException) -> None:
            if shiboken6.isValid(self):
                say(self.message, lambda: error_text(exc) if isinstance(exc, PrimedistError)
                    else str(exc), error=True)  # fmt: skip

        def idle() -> None:
            if shiboken6.isValid(self):
                self._busy = False
                self.reload()

        # In the jobs indicator, with its progress and Cancel (a first sync takes a while).
        op: Op[SyncReport] = Op(
            self, lambda job: channels.sync_now(self.ctx, shop.id, job.progress),
            engine=self.ctx.engine, title=self.tr("Marketplace sync"), network=True,
        )  # fmt: skip
        op.with_progress()
        op.success(synced).failure(failed).finally_(idle).run()
