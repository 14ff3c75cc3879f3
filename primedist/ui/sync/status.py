"""The status bar's sync indicator: polls `services.sync.SYNC_STATE` (updated by the
scheduler's threads) with a QTimer, so the UI never waits on a job; click opens the panel.

The scheduler's jobs run on one PC at a time (their leases), so the main window's
indicator also reads the database every few seconds off the UI thread
(`shared_sync_status`) into the state: the last sync and failure of every shop, the syncs
another PC runs now and the outbox counts, whichever PC sent the actions.

The scheduler counts the waiting actions when it delivers them (every minute); an action
of this window that may queue or settle some (a confirm, a cancel, a retry…) calls
`outbox_changed()`, and the indicator recounts them off the UI thread at once; the app's
scheduler delivers them at once too (`DeliverOnChanges`)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QToolButton, QWidget

from primedist.connectors.http import UNANSWERED
from primedist.connectors.token_keeper import NOT_AUTHORISED
from primedist.core.clock import format_datetime, shop_tz, to_local
from primedist.core.messages import Message, reread
from primedist.jobs.sync import deliver_soon
from primedist.services.channels import CHANNEL_APPS, NO_APP_CREDENTIALS, NOT_LINKED_YET
from primedist.services.context import ServiceContext
from primedist.services.outbox_delivery import (
    ACTION_WORDS,
    FAILURE_TEMPLATES,
    LISTING_NOT_READY,
    SHOP_DISCONNECTED,
)
from primedist.services.sync import SYNC_STATE, SharedSync, SyncState, shared_sync_status
from primedist.ui.i18n import current_language
from primedist.ui.messages import localize
from primedist.ui.ops import Op

log = logging.getLogger(__name__)

POLL_MS = 1000
#: How often the main window's indicator reads the sync as the database has it.
SHARED_POLL_MS = 5000
#: Changes in a burst (a bulk action refreshes several lists) are counted once.
RECOUNT_DELAY_MS = 150
#: ... and kick the outbox deliveries once.
DELIVER_DELAY_MS = 300


#: The connectors' words a last message may be, why a shop has no connector yet and why
#: a push cannot go to its listing (kept as plain English).
_REREAD = (*(m.template for m in (*UNANSWERED, NOT_AUTHORISED, SHOP_DISCONNECTED,
                                   NO_APP_CREDENTIALS, NOT_LINKED_YET, *LISTING_NOT_READY)),
           *FAILURE_TEMPLATES)  # fmt: skip
#: What a failed action asked the platform, by its English words (read back as messages).
_ACTIONS = {str(words): words for words in ACTION_WORDS.values()}
#: A channel's credentials as read back ("app key/secret"), by their message: named in the
#: reader's words too.
_CREDENTIALS = {str(app.credentials): app.credentials for app in CHANNEL_APPS.values()}


def _reworded(found: Message) -> Message:
    """A message read back from plain English with its channel credentials and the action
    a failure names as messages (worded in the reader's language too)."""
    values = dict(found.values)
    said = values.get("credentials")
    if isinstance(said, str) and said in _CREDENTIALS:
        values["credentials"] = _CREDENTIALS[said]
    action = values.get("action")
    if isinstance(action, str) and action in _ACTIONS:
        values["action"] = _ACTIONS[action]
    return Message(found.template, values)


def last_message_text(text: str | None) -> str:
    """A last message (an action's, a shop's last sync error) in the reader's language:
    the outbox and the sync checkpoint keep it as plain English, so a connector's own
    words are read back by their template (`reread`); a marketplace's own words stay as
    they came."""
    if not text:
        return ""
    if isinstance(text, Message):  # kept as a message (the status, a shop's log)
        return localize(text)
    for template in _REREAD:
        if (found := reread(text, template)) is not None:
            return localize(_reworded(found))
    return localize(text)


class _OutboxChanges(QObject):
    """Tells the indicators that the waiting actions may have changed in this window."""

    changed = Signal()


_changes: _OutboxChanges | None = None


def outbox_changes() -> _OutboxChanges:
    global _changes
    if _changes is None:
        _changes = _OutboxChanges()
    return _changes


def outbox_changed() -> None:
    """Something done here may have queued or settled marketplace actions: the status
    bar recounts them now rather than at the next delivery (call on the UI thread)."""
    outbox_changes().changed.emit()


class DeliverOnChanges(QObject):
    """Runs the scheduler's outbox deliveries as soon as this window's actions may have
    queued some (`outbox_changed`): a confirmed order goes to the marketplace in seconds,
    not at the delivery's next minute (while offline the try fails and waits as usual)."""

    def __init__(self, scheduler: BaseScheduler | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scheduler = scheduler
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELIVER_DELAY_MS)
        self.timer.timeout.connect(lambda: deliver_soon(self.scheduler))
        outbox_changes().changed.connect(self.timer.start)


def count_actions(ctx: ServiceContext) -> tuple[int, int, int]:
    """(waiting, failed, held) actions of the outbox: held are those of the waiting that
    wait for their shop to be linked, not for the network (`held_count`)."""
    from primedist.services.outbox_delivery import failed_count, held_count, waiting_count

    return waiting_count(ctx), failed_count(ctx), held_count(ctx)


def _count_text(n: int, one: str, many: str) -> str:
    from primedist.ui.list_tools import count_text  # not at the top: it imports this module

    return count_text(n, one, many)


def sync_failed(snap: dict[str, Any]) -> bool:
    """Whether the last sync failed: an error no sync came after (one of unknown time
    counts: the state may be set without it)."""
    if not snap["last_error"]:
        return False
    error_at, synced_at = snap.get("last_error_at"), snap["last_sync_at"]
    return error_at is None or synced_at is None or error_at >= synced_at


class SyncStatusWidget(QToolButton):
    """ "Offline — N actions waiting" ("Offline" with none), "Syncing Shop…", "N actions
    failed · M actions waiting", "Synced 10:42" (today; "Synced 03/12/2026 10:42" before),
    "Sync failed · last synced 03/12/2026 10:42". The actions of a shop not linked (not set
    up yet, or disconnected) wait for the owner, not the network: they are counted apart,
    "N actions waiting for a shop to be linked in Sales channels". Another PC's sync (its
    job lease) says "Syncing Shop on PC-NAME…".

    `follow_database` (the main window's): the state also gets what the database has, so
    every PC shows the syncs and deliveries whichever PC ran them."""

    def __init__(
        self, ctx: ServiceContext, parent: QWidget | None = None, state: SyncState = SYNC_STATE,
        *, follow_database: bool = False,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setAutoRaise(True)
        self.ctx = ctx
        self._state = state
        self._shown: dict[str, Any] | None = None
        #: Recounts asked for and not answered yet (tests wait on 0).
        self.recounting = 0
        self.clicked.connect(self.open_panel)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.recount_timer = QTimer(self)
        self.recount_timer.setSingleShot(True)
        self.recount_timer.setInterval(RECOUNT_DELAY_MS)
        self.recount_timer.timeout.connect(self._recount)
        outbox_changes().changed.connect(self.recount)
        #: A read of the database not answered yet (tests wait on False).
        self.reading = False
        self.shared_timer = QTimer(self)
        self.shared_timer.setInterval(SHARED_POLL_MS)
        self.shared_timer.timeout.connect(self.read_shared)
        if follow_database:
            self.shared_timer.start()
            self.read_shared()
            # Closed (signed out, quit): what it read is no longer followed.
            self.destroyed.connect(lambda: state.update(shared=None))
        self.refresh()

    def refresh(self) -> None:
        snap = self._state.snapshot()
        # Today is part of what is shown: past midnight "Synced 14:05" needs its date.
        shown = {**snap, "today": self._today()}
        if shown == self._shown:
            return
        self._shown = shown
        self.setText(self.describe(snap))
        error = last_message_text(snap["last_error"])  # the failure in the reader's language
        self.setToolTip(error or self.tr("Marketplace sync: click for details"))
        self.setVisible(bool(self.text()))

    def describe(self, snap: dict[str, Any]) -> str:
        held: int = min(snap.get("held", 0), snap["waiting"])
        waiting: int = snap["waiting"] - held  # those the network (or the platform) holds
        failed: int = snap["failed"]
        # Failed actions never hide the waiting ones, nor the other way round.
        failed_text = self.failed_text(failed) if failed else ""
        held_text = self.held_text(held) if held else ""
        if snap["offline"]:
            offline = self.offline_text(waiting)
            return " · ".join(t for t in (offline, failed_text, held_text) if t)
        if snap["running"] or snap.get("elsewhere"):
            return self.syncing_text(snap["running"], snap.get("elsewhere", []))
        waiting_text = self.waiting_text(waiting) if waiting else ""
        if snap.get("marketplace_error"):
            # It answered (HTTP 5xx, rate limit): not offline; the next try may go through.
            error = self.tr("The marketplace answered with an error, will retry")
            return " · ".join(t for t in (error, failed_text, waiting_text, held_text) if t)
        # A failing sync says so, not only its tooltip: "Synced 14:05" days later misleads.
        failed_sync = self.tr("Sync failed") if sync_failed(snap) else ""
        if failed or waiting or held:
            return " · ".join(t for t in (failed_sync, failed_text, waiting_text, held_text)
                              if t)  # fmt: skip
        when: datetime | None = snap["last_sync_at"]
        if when is None:
            return failed_sync
        if failed_sync:
            return self.tr("Sync failed · last synced %s") % self._when(when)
        return self.tr("Synced %s") % self._when(when)

    def syncing_text(self, here: list[str], elsewhere: list[tuple[str, str]]) -> str:
        """ "Syncing Shop A…" here; "Syncing Shop B on KHO-PC…" for each other PC."""
        pcs: dict[str, list[str]] = {}
        for shop, pc in elsewhere:
            pcs.setdefault(pc, []).append(shop)
        texts = [self.tr("Syncing %s…") % ", ".join(here)] if here else []
        texts += [self.tr("Syncing %s on %s…") % (", ".join(shops), pc)
                  for pc, shops in pcs.items()]  # fmt: skip
        return " · ".join(texts)

    def failed_text(self, n: int) -> str:
        return _count_text(n, self.tr("%n action failed"), self.tr("%n actions failed"))

    def waiting_text(self, n: int) -> str:
        return _count_text(n, self.tr("%n action waiting"), self.tr("%n actions waiting"))

    def held_text(self, n: int) -> str:
        """The actions waiting for the owner to link their shop (nothing else sends them)."""
        return _count_text(
            n,
            self.tr("%n action waiting for a shop to be linked in Sales channels"),
            self.tr("%n actions waiting for a shop to be linked in Sales channels"),
        )

    def offline_text(self, waiting: int) -> str:
        """ "Offline", with what waits for the network when something does."""
        if not waiting:
            return self.tr("Offline")
        return _count_text(waiting, self.tr("Offline — %n action waiting"),
                           self.tr("Offline — %n actions waiting"))  # fmt: skip

    def _today(self) -> date:
        return to_local(self.ctx.clock.now(), shop_tz()).date()

    def _when(self, when: datetime) -> str:
        """The time alone today; with its date before (a sync days ago is not 14:05)."""
        local = to_local(when, shop_tz())
        if local.date() == self._today():
            return f"{local:%H:%M}"
        return format_datetime(when, shop_tz(), current_language())

    # Recount after the user's own actions ---------------------------------------------------
    def recount(self) -> None:
        """Count the waiting and failed actions again soon (off the UI thread)."""
        if not self.recount_timer.isActive():
            self.recounting += 1
        self.recount_timer.start()

    def _recount(self) -> None:
        ctx = self.ctx
        Op(self, lambda _job: count_actions(ctx)).success(self._counted).failure(
            self._count_failed
        ).finally_(self._recounted).run()

    def _counted(self, counts: tuple[int, int, int]) -> None:
        waiting, failed, held = counts
        self._state.update(waiting=waiting, failed=failed, held=held)
        self.refresh()

    @staticmethod
    def _count_failed(exc: BaseException) -> None:
        # The next delivery counts them anyway: nothing to trouble the user with.
        log.warning("could not count the waiting actions", exc_info=exc)

    def _recounted(self) -> None:
        self.recounting -= 1

    # The sync as the database has it (other PCs' too) --------------------------------------
    def read_shared(self) -> None:
        """Read the database's sync state off the UI thread (one read at a time: a slow
        database is not asked again meanwhile)."""
        if self.reading:
            return
        self.reading = True
        ctx = self.ctx
        Op(self, lambda _job: shared_sync_status(ctx)).success(self._shared_read).failure(
            self._shared_failed
        ).finally_(self._shared_done).run()

    def _shared_read(self, shared: SharedSync) -> None:
        waiting, failed, held = shared.actions
        self._state.update(shared=shared, waiting=waiting, failed=failed, held=held)
        self.refresh()

    @staticmethod
    def _shared_failed(exc: BaseException) -> None:
        # The database away: this PC's own state still shows; the next read tries again.
        log.warning("could not read the sync state of the database", exc_info=exc)

    def _shared_done(self) -> None:
        self.reading = False

    # Language -------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._shown = None  # the same counts, said in the new language
            self.refresh()
        super().changeEvent(event)

    def open_panel(self) -> None:
        from primedist.ui.sync.panel import SyncPanel

        SyncPanel.show_for(self.ctx, self.window())
