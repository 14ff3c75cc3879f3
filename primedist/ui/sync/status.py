"""The status bar's sync indicator: polls `services.sync.SYNC_STATE` (updated by the
scheduler's threads) with a QTimer, so the UI never waits on a job; click opens the panel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QToolButton, QWidget

from primedist.core.clock import shop_tz
from primedist.services.context import ServiceContext
from primedist.services.sync import SYNC_STATE, SyncState

POLL_MS = 1000


class SyncStatusWidget(QToolButton):
    """ "Offline — N actions waiting", "Syncing Shop…", "N actions failed", "Synced 10:42"."""

    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, state: SyncState = SYNC_STATE
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setAutoRaise(True)
        self.ctx = ctx
        self._state = state
        self._shown: dict[str, Any] | None = None
        self.clicked.connect(self.open_panel)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        snap = self._state.snapshot()
        if snap == self._shown:
            return
        self._shown = snap
        self.setText(self.describe(snap))
        self.setToolTip(snap["last_error"] or self.tr("Marketplace sync: click for details"))
        self.setVisible(bool(self.text()))

    def describe(self, snap: dict[str, Any]) -> str:
        waiting: int = snap["waiting"]
        failed: int = snap["failed"]
        if snap["offline"]:
            return self.tr("Offline — %n action(s) waiting", "", waiting)
        if snap["running"]:
            return self.tr("Syncing %s…") % ", ".join(map(str, snap["running"]))
        if failed:
            return self.tr("%n action(s) failed", "", failed)
        if waiting:
            return self.tr("%n action(s) waiting", "", waiting)
        if snap["last_sync_at"] is not None:
            when: datetime = snap["last_sync_at"]
            return self.tr("Synced %s") % when.astimezone(shop_tz()).strftime("%H:%M")
        return ""

    def open_panel(self) -> None:
        from primedist.ui.sync.panel import SyncPanel

        SyncPanel.show_for(self.ctx, self.window())
