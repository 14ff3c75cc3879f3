"""An open detail (an order's, a customer's) follows what is changed elsewhere.

The main window's `DataWatch` says when anything of the shop's data changed (another PC,
a sync, an import). A detail over the window then reads the stamp of its own record
(`services.changes.order_stamp` / `customer_stamp`: by primary key) off the UI thread;
when it differs from the stamp of what the detail shows, `RecordFollow.moved` hands the
new stamp to the detail, which reads the record again in place, or, with something typed
and not saved, says so in a `ChangedBanner` and lets the user reload. When the change has
an audit row of the record's written at another PC, the detail names that PC ("… on
KHO-PC at 10:42"); a sync, another window of this PC, a row without a PC: "elsewhere".

Nothing is read while the detail is hidden (it reads once it shows again) nor once it
has finished; a detail outside a main window (a test's, a dialog of its own) follows
nothing. The reads' answers go to the follower, a child of the detail: the detail
deleted meanwhile, the answer is dropped (`Op` checks its parent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
)

from primedist.core.clock import as_utc, format_datetime, shop_tz, to_local
from primedist.services.changes import RecordStamp
from primedist.ui.data_watch import DataWatch
from primedist.ui.i18n import current_language
from primedist.ui.ops import Op

log = logging.getLogger(__name__)


def window_watch(widget: QObject) -> DataWatch | None:
    """The watch of the main window `widget` is over (a dialog's parent is the window or
    one of its pages); None outside one."""
    node = widget.parent()
    while node is not None:
        watch = getattr(node, "data_watch", None)
        if isinstance(watch, DataWatch):
            return watch
        node = node.parent()
    return None


def change_time_text(when: datetime, now: datetime) -> str:
    """The time alone today ("10:42"); with its date before on another day."""
    local = to_local(as_utc(when), shop_tz())
    if local.date() == to_local(as_utc(now), shop_tz()).date():
        return f"{local:%H:%M}"
    return format_datetime(as_utc(when), shop_tz(), current_language())


@contextmanager
def scroll_kept(*areas: QAbstractScrollArea) -> Iterator[None]:
    """The tables and panels scrolled where they were after the detail is filled again."""
    places = [(a, a.verticalScrollBar().value(), a.horizontalScrollBar().value())
              for a in areas]  # fmt: skip
    yield
    for area, down, across in places:
        area.verticalScrollBar().setValue(down)
        area.horizontalScrollBar().setValue(across)


class RecordFollow(QObject):
    """The eye of an open detail on its record (see the module docstring). `read()` is
    the stamp of the record as stored now: a function of the context and the record's id
    alone (it runs on the database worker: no widget in it); `now()` the context's clock."""

    #: The record as stored differs from what the detail shows: its stamp now.
    moved = Signal(object)

    def __init__(self, dialog: QDialog, read: Callable[[], RecordStamp],
                 now: Callable[[], datetime]) -> None:  # fmt: skip
        super().__init__(dialog)
        self._dialog = dialog
        self._read = read
        self._now = now
        #: The stamp of what the detail shows (`mark_shown`).
        self.shown: RecordStamp | None = None
        #: A read not answered yet (tests wait on False), and the reads started (counted).
        self.reading = False
        self.reads = 0
        self._again = False  # the data changed again while a read ran
        self._behind = False  # it changed while the detail was hidden
        self._finished = False
        #: When each new stamp was first seen (a change that says no time of its own).
        self._seen_at: tuple[RecordStamp, datetime] | None = None
        self.watch = window_watch(dialog)
        if self.watch is not None:
            self.watch.changed.connect(self.check)
            dialog.installEventFilter(self)
            dialog.finished.connect(self._finish)

    def mark_shown(self) -> None:
        """Read the stamp now, on the UI thread (one read by primary key), as the detail
        reads the record it then shows: read first, a change between the two is seen.
        Outside a main window nothing is followed: nothing is read."""
        if self.watch is not None:
            self.shown = self._read()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._dialog and event.type() == QEvent.Type.Show:
            self._finished = False  # opened again
            if self._behind:
                self._behind = False
                self.check()  # what changed while it was hidden
        return False

    def _finish(self) -> None:
        self._finished = True

    def check(self) -> None:
        """The shop's data changed: read whether this record did (one read at a time)."""
        if self.watch is None or self._finished or not shiboken6.isValid(self._dialog):
            return
        if not self._dialog.isVisible():
            self._behind = True
            return
        if self.reading:
            self._again = True
            return
        self.reading = True
        self.reads += 1
        read = self._read  # the closure holds the context and an id: no widget
        Op(self._dialog, lambda _job: read()).success(self._answered).failure(
            self._failed
        ).finally_(self._done).run()

    def _answered(self, stamp: RecordStamp) -> None:
        if self._finished or self.shown is None or stamp.state == self.shown.state:
            return
        if not self._dialog.isVisible():
            self._behind = True
            return
        self.moved.emit(stamp)

    @staticmethod
    def _failed(exc: BaseException) -> None:
        # The database away for a moment, the access taken away: the detail stays as it
        # is (its next action says what is wrong); the next change tries again.
        log.warning("could not read whether the record changed", exc_info=exc)

    def _done(self) -> None:
        self.reading = False
        if self._again:
            self._again = False
            self.check()

    def changed_at(self, stamp: RecordStamp) -> datetime:
        """When the record changed: the time it says, when that moved; else when the
        change was first seen (a flag says no time)."""
        shown = self.shown.changed_at if self.shown is not None else None
        if stamp.changed_at is not None and stamp.changed_at != shown:
            return stamp.changed_at
        if self._seen_at is None or self._seen_at[0].state != stamp.state:
            self._seen_at = (stamp, self._now())
        return self._seen_at[1]

    def changed_on(self, stamp: RecordStamp) -> str:
        """The PC the change was made on: another PC's, named by an audit row of the
        record's written since what the detail shows; "" when not known (a sync or an
        import without one, this PC's other window, a row from before PCs were named).
        Newer, not just another: a customer's row may be an older one of the order a sync
        changed last (`changes._CUSTOMER_AUDIT`), which is not this change's."""
        shown = self.shown.audit_id if self.shown is not None else None
        if stamp.pc and stamp.audit_id is not None and (shown is None or stamp.audit_id > shown):
            return stamp.pc
        return ""


class ChangedBanner(QFrame):
    """ "This order was changed elsewhere at 10:42. [Reload]": the record changed while
    the user had something typed in its detail; Reload reads it again (the typed text
    stays). Without Reload: the record is gone."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("changedBanner")
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.reload_button = QPushButton()
        self.reload_button.setObjectName("reloadChanged")
        self.reload_button.setAutoDefault(False)
        row.addWidget(self.label, 1)
        row.addWidget(self.reload_button)
        self.hide()

    def say(self, text: str, *, reload: bool = True) -> None:
        self.label.setText(text)
        self.reload_button.setVisible(reload)
        self.show()


class FollowTexts(NamedTuple):
    """A detail's words of a change, in the language shown: read again, changed with
    something typed ("%1" the time), the record gone; and the first two naming the PC
    ("%1" the PC, "%2" the time)."""

    updated: str
    changed: str
    gone: str
    updated_on: str
    changed_on: str


def _worded(elsewhere: str, on_pc: str, at: str, pc: str) -> str:
    if pc:
        return on_pc.replace("%1", pc).replace("%2", at)
    return elsewhere.replace("%1", at)


class FollowNotes:
    """What an open detail says of a change made elsewhere: after a quiet read again, the
    muted `note` ("Updated with a change made on KHO-PC at 10:42", or "elsewhere" when the
    PC is not known); with something typed here, the `banner` and its Reload; the record
    gone, the banner alone. `texts()` are the detail's own words (`FollowTexts`)."""

    def __init__(self, note: QLabel, texts: Callable[[], FollowTexts]) -> None:
        self.note = note
        self.note.hide()
        self.banner = ChangedBanner()
        self._texts = texts
        #: When ("10:42") and on which PC ("": not known): as the muted line says it, and
        #: as the banner says it.
        self.followed_at = self.followed_on = ""
        self.banner_at = self.banner_on = ""
        self.gone = False

    def react(self, stamp: RecordStamp, at: str, *, unsaved: bool, on: str = "") -> bool:
        """A change seen at `at` (made on the PC `on`): True when the detail is to read
        itself again now (nothing typed there); else the banner says so (the record gone:
        without Reload)."""
        if stamp.gone:
            self.gone, self.banner_at, self.banner_on = True, at, on
        elif unsaved:
            self.banner_at, self.banner_on = at, on
        else:
            return True
        self.say()
        return False

    def read_again(self, at: str, on: str = "") -> None:
        """The detail read itself again for the change seen at `at` (made on `on`)."""
        self.followed_at, self.followed_on = at, on
        self.say()

    def clear(self) -> None:
        """What the detail shows is the record as stored (it was just read)."""
        self.followed_at = self.followed_on = self.banner_at = self.banner_on = ""
        self.gone = False
        self.say()

    def say(self) -> None:
        """The line or the banner, in the language shown."""
        texts = self._texts()
        self.note.setText(_worded(texts.updated, texts.updated_on, self.followed_at,
                                  self.followed_on))  # fmt: skip
        self.note.setVisible(bool(self.followed_at))
        if self.gone:
            self.banner.say(texts.gone, reload=False)
        elif self.banner_at:
            self.banner.say(_worded(texts.changed, texts.changed_on, self.banner_at,
                                    self.banner_on))  # fmt: skip
        else:
            self.banner.hide()
