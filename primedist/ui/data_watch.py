"""The main window's watch on the shop's data: the lists follow what changed elsewhere.

Another PC on the same PostgreSQL database, `primedist sync --loop` or a CLI import on
the same SQLite file, or a second window write the data the lists show. Every
`interval_ms` the watch reads `services.changes.change_stamp` (a few primary-key ends)
off the UI thread; when it differs from the last one read, `changed` is emitted (the
main window reads the list shown again and marks the others; an open order or customer
detail reads whether its own record changed: `ui.detail_follow`). `checked` follows every
read answered, changed or not: a refresh put off (the user was busy in the list) is
tried again then.

A sync another PC ran also ends with a new last sync in `SYNC_STATE` (the status bar
reads it from the database): it counts as a change too, so a synced order whose status
did not change (a new tracking number, an address) is read again after the sync.

One read at a time; none while `may_read()` says no (the window locked, the session
ended). `stop()` (the window closing) ends the watch: a read still running then is
answered to no one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from primedist.services.changes import ChangeStamp, change_stamp
from primedist.services.context import ServiceContext
from primedist.services.sync import SYNC_STATE, SyncState
from primedist.ui.ops import Op

log = logging.getLogger(__name__)

#: How often the data is looked at (as often as the status bar reads the sync).
INTERVAL_MS = 5000


class DataWatch(QObject):
    """See the module docstring. `window` owns it (and the reads' answers); `ctx()` is the
    window's context as it is at each read (it changes with the account's details)."""

    #: The data changed since the last read.
    changed = Signal()
    #: A read was answered (after `changed`, when it changed).
    checked = Signal()

    def __init__(
        self,
        window: QWidget,
        ctx: Callable[[], ServiceContext],
        may_read: Callable[[], bool],
        *,
        interval_ms: int | None = None,
        sync_state: SyncState = SYNC_STATE,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._ctx = ctx
        self._may_read = may_read
        self._sync_state = sync_state
        #: The last stamp read, and the last sync known then (None until the first read).
        self.seen: tuple[ChangeStamp, datetime | None] | None = None
        #: A read not answered yet (tests wait on False).
        self.reading = False
        #: Reads started (tests count them).
        self.reads = 0
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms or INTERVAL_MS)  # (read now: tests shorten it)
        self.timer.timeout.connect(self.read)

    def start(self) -> None:
        """Read now (the first read only notes the stamp), then every interval."""
        if self._stopped:
            return
        self.timer.start()
        self.read()

    def stop(self) -> None:
        """No more reads; the answer of one running is dropped (the window is closing)."""
        self._stopped = True
        self.timer.stop()

    @property
    def active(self) -> bool:
        return not self._stopped and self.timer.isActive()

    def read(self) -> None:
        if self._stopped or self.reading or not self._may_read():
            return
        self.reading = True
        self.reads += 1
        ctx = self._ctx()
        # The closure holds the context only: no widget is ever dropped on the worker.
        Op(self._window, lambda _job: change_stamp(ctx)).success(self._answered).failure(
            self._failed
        ).finally_(self._done).run()

    def _answered(self, stamp: ChangeStamp) -> None:
        if self._stopped:
            return
        synced = self._sync_state.snapshot()["last_sync_at"]
        before, self.seen = self.seen, (stamp, synced)
        if before is not None and (
            stamp != before[0]
            # Not the status bar's first read of the database (no sync known yet): that
            # says when the last sync was, not that one just ended.
            or (before[1] is not None and synced != before[1])
        ):
            self.changed.emit()
        self.checked.emit()

    @staticmethod
    def _failed(exc: BaseException) -> None:
        # The database away for a moment: the lists stay as they are; the next read tries
        # again (the status bar and the next action say what is wrong).
        log.warning("could not read whether the data changed", exc_info=exc)

    def _done(self) -> None:
        self.reading = False
