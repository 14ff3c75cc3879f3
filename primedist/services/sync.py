"""The marketplace sync engine: pull each shop's changed orders into the store.

Per shop, incremental from its checkpoint (`sync_checkpoints`, resource "orders"): the
time since the last synced point (less a small overlap) is cut into windows no longer
than the platform allows (Shopee: 15 days). Each window's changed orders are listed page
by page, fetched in detail batches, and written by `sync_writer.write_batch` in batches,
ONE transaction each: orders, lines, customers, stock and the checkpoint commit together.
The checkpoint moves to a window's end only in the transaction of that window's last
batch, so a crash at any point (even `kill -9`) loses nothing: the next run starts again
at the window it was in, and the idempotent upsert (by shop and order number, skipping
orders whose update time did not move) writes nothing twice.

Failures never escape as exceptions from `sync_shop`: they land in the shop's checkpoint
(last error, error count), the shop's sync log, and the returned report:
- no answer (network down, timeouts) after the connector's retries: "offline" (quietly
  retried on the next run);
- an answer that is a passing error (HTTP 5xx, rate limit) after the retries:
  "marketplace_error" (the platform is there; quietly retried on the next run);
- the daily API limit: the shop pauses until the time the platform gave;
- an authorisation problem: the shop is marked "needs re-authorisation";
- anything else from the platform: an error line in the shop's log.

One sync of a shop at a time: in this process (`shop_sync_lock`), across processes and PCs
(the shop's pull job lease in `job_locks`, held by a scheduled sync and one asked for by
hand alike; a PostgreSQL advisory lock besides). A sync refused is outcome "busy", naming
the PC that syncs the shop now.

A disconnected or never linked shop is not synced (outcome "disconnected" / "not_linked",
no log line: nothing failed), and a run stops at its next batch once the shop got
disconnected meanwhile (the batches before stay).

A run asked for by hand (Sync now, Re-fetch) reports its progress per detail batch and
can be cancelled (`progress`): it stops at the next detail batch, writes what it fetched
(without moving the checkpoint past the window it was in) and ends as "cancelled", with a
line in the shop's log; the next run starts again at that window. The scheduler's and the
CLI's runs take no progress (NullProgress).

`SYNC_STATE` is a small thread-safe status object the scheduler's jobs update and the
status bar polls (running shops, offline or a marketplace answering with errors, actions
waiting). With several PCs on one database the jobs run on one PC at a time, so the
status bar also reads what the database has (`shared_sync_status`: the last sync and
failure of every shop, the syncs another PC runs now, the outbox counts) into the state's
`shared` part, which `snapshot()` merges with this process's own.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from primedist.connectors.base import (
    AuthError,
    ConnectorError,
    DailyLimitReached,
    RemoteOrder,
    TransientError,
    Unreachable,
)
from primedist.connectors.base import Connector as ConnectorProtocol
from primedist.core.clock import shop_tz, to_local
from primedist.core.messages import Message, msg, restored, stored_args
from primedist.core.security import redact
from primedist.db.advisory import AdvisoryLock
from primedist.db.bulk import checkpoint_wal
from primedist.db.engine import retry_when_busy
from primedist.domain.base import table_of
from primedist.domain.enums import ActivityKind, Channel, Module, ShopStatus
from primedist.domain.shop import Shop, ShopCredential
from primedist.domain.sync import SyncCheckpoint, SyncLogEntry
from primedist.errors import Busy, Cancelled, NotFound, ValidationError
from primedist.jobs import lease
from primedist.jobs.progress import NullProgress, Progress
from primedist.services import activity
from primedist.services.context import ServiceContext
from primedist.services.sync_writer import BatchResult, ShopRef, aware, write_batch

ORDERS = "orders"
#: Each window starts this much before the last synced point (late-committed updates).
OVERLAP = timedelta(minutes=5)
#: How far back the first sync of a shop looks.
FIRST_SYNC_DAYS = 30
#: Orders written per transaction: each transaction has fixed costs (the hooks' set-based
#: statements, the commit), and a kill loses at most one batch to fetch again.
BATCH_ORDERS = 10_000
#: Detail calls in flight at once (the platform's rate limit allowing).
FETCHERS = 3
#: Orders fetched ahead while a batch is written, so the HTTP calls (and the
#: sandbox/platform) work while this thread writes instead of after it.
LOOK_AHEAD_ORDERS = 5_000
#: Longest message kept in the sync log.
LOG_MAX = 500

Connector = ConnectorProtocol
ConnectorFactory = Callable[[ServiceContext, int], Connector]


# --------------------------------------------------------------------------- status


class SyncState:
    """What the status bar shows, updated by the jobs from their threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running: set[str] = set()
        self.offline = False
        #: A marketplace answered with an error (HTTP 5xx, rate limit): it is not offline.
        self.marketplace_error = False
        self.waiting = 0
        #: Of those waiting, the ones waiting for their shop to be linked (not the network).
        self.held = 0
        self.failed = 0
        self.last_error: str | None = None
        #: When `last_error` happened: a sync after it means the failure is over.
        self.last_error_at: datetime | None = None
        self.last_sync_at: datetime | None = None
        #: What the database says of the syncs, whichever PC ran them (None: not read).
        self.shared: SharedSync | None = None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            snap = {
                "running": sorted(self.running),
                "offline": self.offline,
                "marketplace_error": self.marketplace_error,
                "waiting": self.waiting,
                "held": self.held,
                "failed": self.failed,
                "last_error": self.last_error,
                "last_error_at": self.last_error_at,
                "last_sync_at": self.last_sync_at,
                "elsewhere": [],
            }
            shared = self.shared
        return snap if shared is None else _with_shared(snap, shared)

    def update(self, **values: Any) -> None:
        with self._lock:
            for key, value in values.items():
                setattr(self, key, value)

    def started(self, shop: str) -> None:
        with self._lock:
            self.running.add(shop)

    def finished(self, shop: str) -> None:
        with self._lock:
            self.running.discard(shop)


@dataclass(frozen=True)
class SharedSync:
    """The marketplace sync as the database has it, whichever PC (or process) ran it."""

    last_sync_at: datetime | None = None
    #: The newest failure of a shop not synced since ("{shop}: {reason}"), when its run
    #: started, and whether the marketplace answered with an error (HTTP 5xx, rate limit).
    last_error: str | None = None
    last_error_at: datetime | None = None
    marketplace_error: bool = False
    #: (shop, PC) of the syncs another process runs now (it holds the shop's job lease).
    elsewhere: tuple[tuple[str, str], ...] = ()
    #: (waiting, failed, held) actions of the outbox, as `outbox_delivery` counts them.
    actions: tuple[int, int, int] = (0, 0, 0)


def _later(value: datetime | None, than: datetime | None) -> bool:
    return value is not None and (than is None or value > than)


def _with_shared(snap: dict[str, Any], shared: SharedSync) -> dict[str, Any]:
    """This process's state completed by the database's: the later last sync, the later
    failure (this process's own is kept when it knows a later one: it says offline and
    the marketplace's errors first-hand), the syncs running elsewhere."""
    out = {**snap, "elsewhere": [e for e in shared.elsewhere if e[0] not in snap["running"]]}
    if _later(shared.last_sync_at, snap["last_sync_at"]):
        out["last_sync_at"] = shared.last_sync_at
    if shared.last_error and (not snap["last_error"]
                              or _later(shared.last_error_at, snap["last_error_at"])):  # fmt: skip
        out["last_error"], out["last_error_at"] = shared.last_error, shared.last_error_at
        at, synced = shared.last_error_at, out["last_sync_at"]
        current = at is None or synced is None or at >= synced  # as the status bar says
        out["marketplace_error"] = snap["marketplace_error"] or (
            shared.marketplace_error and current
        )
    return out


SYNC_STATE = SyncState()
_SHOP_LOCKS: dict[int, threading.Lock] = {}
_SHOP_LOCKS_GUARD = threading.Lock()


#: The scheduler's pull job of a shop is this and the shop's id (`jobs/sync.py`); its
#: lease in `job_locks` has the same name, held by every sync of the shop (`sync_shop`).
PULL_PREFIX = "sync.pull."

#: The advisory lock space of shop syncs: one sync of a shop at a time across the PCs
#: sharing a PostgreSQL database (`db/advisory.py`; keyed by shop id).
SYNC_LOCK_SPACE = 1


def shop_sync_lock(shop_id: int) -> threading.Lock:
    """One sync of a shop at a time in this process (the scheduler and "Sync now")."""
    with _SHOP_LOCKS_GUARD:
        return _SHOP_LOCKS.setdefault(shop_id, threading.Lock())


# --------------------------------------------------------------------------- reports


@dataclass
class SyncReport:
    """What one sync of one shop did."""

    shop_id: int
    shop: str
    #: ok | offline | marketplace_error | paused | needs_reauth | error | busy | cancelled
    #: (the user stopped it), or one of SKIPPED (the shop is not linked: nothing was asked
    #: of the marketplace)
    outcome: str = "ok"
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    customers_created: int = 0
    stock_moves: int = 0
    #: Published listings that got their marketplace ids from these orders.
    listings_linked: int = 0
    windows: int = 0
    synced_until: datetime | None = None
    message: str | None = None
    seconds: float = 0.0
    batches: list[BatchResult] = field(default_factory=list, repr=False)

    def summary(self) -> str:
        if self.outcome != "ok":
            return f"{self.shop}: {self.outcome}: {self.message or ''}".rstrip(": ")
        values: dict[str, Any] = {
            "shop": self.shop, "fetched": self.fetched, "new": self.inserted,
            "updated": self.updated, "unchanged": self.unchanged,
            "seconds": seconds_text(self.seconds),
        }  # fmt: skip
        if self.listings_linked:
            return msg(
                "{shop}: {fetched} orders fetched, {new} new, {updated} updated, "
                "{unchanged} unchanged; {linked} listings linked to their marketplace ids "
                "({seconds} s)",
                linked=self.listings_linked, **values,
            )  # fmt: skip
        if self.fetched == 1:  # "1 order", not "1 orders"
            return msg(
                "{shop}: 1 order fetched, {new} new, {updated} updated, {unchanged} unchanged "
                "({seconds} s)",
                **values,
            )  # fmt: skip
        return msg(
            "{shop}: {fetched} orders fetched, {new} new, {updated} updated, "
            "{unchanged} unchanged ({seconds} s)",
            **values,
        )  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "batches"}
        data["synced_until"] = self.synced_until.isoformat() if self.synced_until else None
        return data


def seconds_text(seconds: float) -> Message:
    """Seconds to the tenth, "0.4" in English and "0,4" in Vietnamese: a message's values
    are whole numbers (the UI writes them in the reader's way), so the tenths are one of
    their own, after the language's decimal mark (the template's translation)."""
    tenths = round(seconds * 10)
    return msg("{whole}.{tenths}", whole=tenths // 10, tenths=tenths % 10)


# --------------------------------------------------------------------------- engine


def default_connector(ctx: ServiceContext, shop_id: int) -> Connector:
    """The shop's connector (partner app, host, encrypted token store)."""
    ctx.require(Module.ORDERS)
    from primedist.services.channels import shop_connector

    return shop_connector(ctx, shop_id)


def syncable_shops(ctx: ServiceContext) -> list[tuple[int, str]]:
    """(id, name) of the marketplace shops that are linked and active."""
    return _linked_shops(ctx, ShopStatus.ACTIVE)


def shops_needing_reauth(ctx: ServiceContext) -> list[tuple[int, str]]:
    """(id, name) of the linked marketplace shops waiting to be authorised again: the
    scheduler skips them (their calls would only be refused), but a sync of every shop
    asked for by hand names them, so the owner learns there is something to do."""
    return _linked_shops(ctx, ShopStatus.NEEDS_REAUTH)


def _linked_shops(ctx: ServiceContext, status: ShopStatus) -> list[tuple[int, str]]:
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        stmt = (
            select(Shop.id, Shop.name)
            .join(ShopCredential, col(ShopCredential.shop_id) == col(Shop.id))
            .where(
                col(Shop.channel).in_([c for c in Channel if c.is_marketplace]),
                col(Shop.status) == status,
                col(Shop.is_active).is_(True),
            )
            .order_by(col(Shop.id))
        )
        return [(int(i), n) for i, n in session.exec(stmt) if i is not None]


#: The outcomes of a shop that cannot be synced, by its status: not an error (the owner
#: disconnected it, or never linked it), so no log line and no "sync failed".
SKIPPED = {ShopStatus.DISCONNECTED: "disconnected", ShopStatus.NOT_LINKED: "not_linked"}


def _skipped_message(outcome: str) -> Message:
    if outcome == "disconnected":
        return msg("The shop is disconnected: authorise it again in Settings → Sales channels "
                   "to sync its orders.")  # fmt: skip
    return msg("The shop is not linked yet: authorise it in Settings → Sales channels to "
               "sync its orders.")  # fmt: skip


class _Disconnected(Exception):
    """The shop was disconnected while its sync ran: the run stops before its next batch."""


def needs_reauth_report(shop_id: int, name: str) -> SyncReport:
    """What a sync of every shop says of a shop it skipped for its lost authorisation."""
    return SyncReport(
        shop_id, name, outcome="needs_reauth",
        message=msg("Re-authorise the shop in Settings → Sales channels, then sync again."),
    )  # fmt: skip


def sync_shop(
    ctx: ServiceContext,
    shop_id: int,
    *,
    connector: Connector | None = None,
    factory: ConnectorFactory = default_connector,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Progress | None = None,
    advance_checkpoint: bool = True,
) -> SyncReport:
    """Pull the shop's orders changed since its checkpoint (or in [since, until]).

    With `advance_checkpoint=False` (a re-fetch) the checkpoint is left where it is.
    Never raises for platform or network trouble (see the module docstring).
    """
    ctx.require(Module.ORDERS)
    prog = progress or NullProgress()
    with ctx.uow() as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            raise NotFound(msg("Shop {shop_id} does not exist.", shop_id=str(shop_id)))
        ref = ShopRef(shop_id, shop.name, Channel(shop.channel))
        skipped = SKIPPED.get(ShopStatus(shop.status))
    report = SyncReport(shop_id, ref.name)
    if skipped is not None:  # its tokens are gone (or never were): nothing to ask for
        report.outcome, report.message = skipped, _skipped_message(skipped)
        return report
    lock = shop_sync_lock(shop_id)
    if not lock.acquire(blocking=False):
        report.outcome, report.message = "busy", "a sync of this shop is already running"
        return report
    try:
        # Every sync of the shop holds its pull job's lease (the scheduler's job takes none
        # of its own: scheduler.py), so a scheduled sync and a Sync now or `primedist sync`
        # never overlap, whichever process or PC runs them, and every PC's status bar shows
        # it running. Under the shop's lock nothing else in this process holds the lease: a
        # running lease of ours is one a failed release left, and is taken back.
        with lease.held(ctx.engine, pull_job(shop_id), reclaim=True) as ours:
            if not ours:
                report.outcome, report.message = "busy", _syncing_elsewhere(ctx, shop_id)
                return report
            if not _run_leased(ctx, ref, report, connector, factory, prog, since, until,
                               advance_checkpoint):  # fmt: skip
                return report
    finally:
        lock.release()
    try:
        retry_when_busy(lambda: _record(ctx, shop_id, report))
    except Busy:
        if not report.fetched:
            raise
        _stopped_by_another_writer(report)  # the orders are in; only the log line is not
    return report


def pull_job(shop_id: int) -> str:
    """The scheduler's pull job of the shop, and the name of its lease in `job_locks`."""
    return f"{PULL_PREFIX}{shop_id}"


def _syncing_elsewhere(ctx: ServiceContext, shop_id: int) -> Message:
    """Why a sync did not run: another process (another PC's, or `primedist sync` on this
    one) holds the shop's pull lease and syncs it now."""
    holder = lease.holder_of(ctx.engine, pull_job(shop_id))
    return msg("Already syncing on {pc}; its orders show when that sync finishes.",
               pc=lease.holder_pc(holder) if holder else "?")  # fmt: skip


def _run_leased(
    ctx: ServiceContext,
    ref: ShopRef,
    report: SyncReport,
    connector: Connector | None,
    factory: ConnectorFactory,
    prog: Progress,
    since: datetime | None,
    until: datetime | None,
    advance_checkpoint: bool,
) -> bool:
    """The run, under the shop's lock and lease; False when a sync of the shop on another
    PC kept it from running (its advisory lock: that PC's lease ran out while it synced,
    its renewals failing)."""
    other_pcs = AdvisoryLock(ctx.engine, SYNC_LOCK_SPACE, ref.id)
    if not other_pcs.acquire():
        report.outcome, report.message = "busy", "a sync of this shop is running on another PC"
        return False
    started = time.perf_counter()
    SYNC_STATE.started(ref.name)
    own = connector is None
    try:
        conn = connector if connector is not None else factory(ctx, ref.id)
        try:
            _run(ctx, conn, ref, report, prog, since, until, advance_checkpoint)
        finally:
            if own:
                conn.close()
    except ConnectorError as exc:
        _failed(ctx, ref, report, exc)
    except _Disconnected:
        _stopped_by_disconnection(report)
    except Cancelled:  # at a safe point: what was fetched is committed, the checkpoint true
        _stopped_by_user(report, refetch=not advance_checkpoint)
    except Busy:
        if not report.fetched:
            raise  # nothing of the run was saved, as the error says: try again
        _stopped_by_another_writer(report)
    finally:
        SYNC_STATE.finished(ref.name)
        other_pcs.release()
        report.seconds = time.perf_counter() - started
    return True


def _stopped_by_another_writer(report: SyncReport) -> None:
    """Another writer (a second sync of the shop in another process, an import) held the
    database past the busy timeout after some batches were committed: they stay saved, and
    the report says how many (the next run starts from the last committed window)."""
    report.outcome = "busy"
    report.message = msg(
        "The sync stopped because another task was writing to the shop's data: {saved} "
        "orders were saved ({new} new, {updated} updated); the next sync picks up from there.",
        saved=report.fetched, new=report.inserted, updated=report.updated,
    )  # fmt: skip


def _stopped_by_user(report: SyncReport, *, refetch: bool) -> None:
    """The user cancelled the run: the batches committed before stay; a sync's next run
    starts again at the window it stopped in (its checkpoint did not move past it)."""
    report.outcome = "cancelled"
    values = {"saved": report.fetched, "new": report.inserted, "updated": report.updated}
    if refetch:
        report.message = msg(
            "Re-fetch stopped: {saved} orders were saved before the stop ({new} new, "
            "{updated} updated).",
            **values,
        )  # fmt: skip
    else:
        report.message = msg(
            "Stopped: {saved} orders were saved before the stop ({new} new, {updated} "
            "updated); the next sync continues from there.",
            **values,
        )  # fmt: skip


def _stopped_by_disconnection(report: SyncReport) -> None:
    """The owner disconnected the shop during its sync: it stopped without error; the
    batches committed before stay (the report says how many)."""
    report.outcome = "disconnected"
    report.message = msg(
        "The shop was disconnected during the sync: it stopped; {saved} orders saved before "
        "stay ({new} new, {updated} updated).",
        saved=report.fetched, new=report.inserted, updated=report.updated,
    )  # fmt: skip


def _record(ctx: ServiceContext, shop_id: int, report: SyncReport) -> None:
    """What a run leaves besides its orders: a shop whose tokens worked is active again;
    the shop's sync log and Home's "new orders synced" for a run that saved orders (also
    one stopped by another writer or by the user)."""
    if report.outcome == "ok":
        _shop_answers(ctx, shop_id)
        SYNC_STATE.update(offline=False, marketplace_error=False, last_sync_at=ctx.clock.now())
        if report.inserted or report.updated:
            _log(ctx, shop_id, "info", report.summary(), new_orders=report)
    elif report.outcome == "busy" and report.fetched and report.message:
        _log(ctx, shop_id, "warning", report.message, new_orders=report)
    elif report.outcome == "disconnected" and report.fetched and report.message:
        _log(ctx, shop_id, "info", report.message, new_orders=report)
    elif report.outcome == "cancelled" and report.message:  # even with nothing saved
        _log(ctx, shop_id, "info", report.message, new_orders=report)


def _shop_answers(ctx: ServiceContext, shop_id: int) -> None:
    """The shop just synced: the marketplace answers and its tokens work. What waited in
    its outbox goes out at the next delivery, not after the rest of its backoff (up to
    BACKOFF_MAX after a long outage). A shop flagged for re-authorisation (`sync --shop`,
    Sync now) is active again: the scheduler syncs it, as after authorising it."""
    from primedist.services.outbox_delivery import wake_shop_actions

    with ctx.uow(write=True) as session:  # reads then writes (as _finish)
        shop = session.get(Shop, shop_id)
        if shop is None or ShopStatus(shop.status) == ShopStatus.DISCONNECTED:
            return  # disconnected meanwhile: its actions keep waiting for authorisation
        reauthorised = ShopStatus(shop.status) == ShopStatus.NEEDS_REAUTH
        if reauthorised:
            shop.status = ShopStatus.ACTIVE
            session.add(shop)
        wake_shop_actions(session.connection(), shop_id, ctx.clock.now(),
                          backing_off_only=not reauthorised)  # fmt: skip


def refetch_range(
    ctx: ServiceContext,
    shop_id: int,
    start: datetime,
    end: datetime,
    *,
    connector: Connector | None = None,
    factory: ConnectorFactory = default_connector,
    progress: Progress | None = None,
) -> SyncReport:
    """Pull every order updated in [start, end] again (the checkpoint stays put)."""
    if end <= start:
        raise ValidationError(msg("The end of the range must be after its start."), field="end")
    if end > ctx.clock.now() + timedelta(days=1):
        raise ValidationError(msg("The range cannot end in the future."), field="end")
    return sync_shop(
        ctx, shop_id, connector=connector, factory=factory, since=start, until=end,
        progress=progress, advance_checkpoint=False,
    )  # fmt: skip


def sync_all(
    ctx: ServiceContext,
    *,
    factory: ConnectorFactory = default_connector,
    shop_ids: Sequence[int] | None = None,
) -> list[SyncReport]:
    """Sync every linked active marketplace shop (or those of `shop_ids`), one by one.

    A shop of the list disconnected before its turn is left out (it is no longer one to
    sync: not a failure of a run of every shop); one of `shop_ids` says so."""
    ids = [i for i, _n in syncable_shops(ctx)] if shop_ids is None else list(shop_ids)
    reports = [sync_shop(ctx, shop_id, factory=factory) for shop_id in ids]
    if shop_ids is not None:
        return reports
    return [r for r in reports if r.outcome not in SKIPPED.values() or r.fetched]


def _run(
    ctx: ServiceContext,
    connector: Connector,
    shop: ShopRef,
    report: SyncReport,
    prog: Progress,
    since: datetime | None,
    until: datetime | None,
    advance: bool,
) -> None:
    now = ctx.clock.now()
    checkpoint = _checkpoint(ctx, shop.id, now)
    if checkpoint.paused_until is not None and aware(checkpoint.paused_until) > now and advance:
        report.outcome = "paused"
        report.message = f"daily API limit reached; resumes at {aware(checkpoint.paused_until)}"
        return
    stock_since = aware(checkpoint.stock_since) if checkpoint.stock_since else now
    from_checkpoint = since is None
    if since is None:
        since = (
            aware(checkpoint.synced_until) - OVERLAP
            if checkpoint.synced_until
            else now - timedelta(days=FIRST_SYNC_DAYS)
        )
    end = until or now
    if from_checkpoint and checkpoint.synced_until and since > end:
        # The clock is behind the last synced point by more than the overlap (put back, or
        # a PC whose clock runs late): no window would be fetched and "0 orders" would
        # hide the orders waiting. A failed run, as when the platform finds it ahead.
        raise ConnectorError(_clock_behind(aware(checkpoint.synced_until)))
    windows = list(_windows(since, end, connector.max_window))
    tz = shop_tz()
    # The next window is listed on a thread while this one is fetched and written.
    lister = ThreadPoolExecutor(1, thread_name_prefix="sync-list")
    try:
        listed = lister.submit(_changed_ids, connector, *windows[0], prog) if windows else None
        for n, (w_from, w_to) in enumerate(windows):
            prog.check()  # a safe point: every batch before is committed
            step = _Step(prog, shop.name, n, len(windows), to_local(w_from, tz).date(),
                         to_local(w_to, tz).date())  # fmt: skip
            step.listing()
            assert listed is not None
            external_ids = listed.result()
            if n + 1 < len(windows):
                listed = lister.submit(_changed_ids, connector, *windows[n + 1], prog)
            _fetch_and_write(ctx, connector, shop, report, external_ids, stock_since,
                             (w_to if advance else None), step)  # fmt: skip
            report.windows += 1
            if advance:
                report.synced_until = w_to
    finally:
        lister.shutdown(wait=True, cancel_futures=True)
        checkpoint_wal(ctx.engine)  # the batches spaced their checkpoints (write_batch)
    retry_when_busy(lambda: _finish(ctx, shop.id, synced=advance))


def _clock_behind(synced_until: datetime) -> Message:
    return msg(
        "This computer's clock is probably wrong by more than 5 minutes: it is earlier than "
        "the last sync of this shop ({synced_until}). Set the right date and time, then sync "
        "again.",
        synced_until=synced_until,  # shown in the shop's time
    )


def _windows(
    start: datetime, end: datetime, size: timedelta
) -> Iterator[tuple[datetime, datetime]]:
    """[start, end] cut into windows of at most `size`."""
    step = size
    while start < end:
        stop = min(start + step, end)
        yield start, stop
        start = stop


@dataclass(frozen=True)
class _Step:
    """The progress of window `n` of `count` (its first and last day in the shop's time):
    the windows before it done, and the share of its orders fetched."""

    prog: Progress
    shop: str
    n: int
    count: int
    first: date
    last: date

    def listing(self) -> None:
        self.prog.update(self.n / self.count,
                         msg("{shop}: looking for orders changed {first} – {last}",
                             shop=self.shop, first=self.first, last=self.last))  # fmt: skip

    def fetched(self, done: int, total: int) -> None:
        share = done / total if total else 1.0
        self.prog.update((self.n + share) / self.count,
                         msg("{shop}: {done} of {total} orders changed {first} – {last}",
                             shop=self.shop, done=done, total=total, first=self.first,
                             last=self.last))  # fmt: skip


def _changed_ids(
    connector: Connector, since: datetime, until: datetime, prog: Progress
) -> list[str]:
    """Every order number changed in the window, in the platform's order, once each
    (listed ahead on a thread: a cancelled run stops it at its next page)."""
    seen: dict[str, None] = {}
    cursor: str | None = None
    while True:
        prog.check()
        page = connector.changed_orders(since, until, cursor)
        for row in page.orders:
            seen[row.external_id] = None
        if not page.more or not page.next_cursor:
            return list(seen)
        cursor = page.next_cursor


def _fetch_and_write(
    ctx: ServiceContext,
    connector: Connector,
    shop: ShopRef,
    report: SyncReport,
    external_ids: list[str],
    stock_since: datetime,
    window_end: datetime | None,
    step: _Step,
) -> None:
    """Fetch details in the platform's batch size (a few calls ahead, on worker threads,
    while this thread writes); write BATCH_ORDERS per transaction. The last transaction
    of the window also moves the checkpoint to `window_end`.

    Progress is reported per detail batch, and a cancel is seen there: what was fetched
    is written (without moving the checkpoint: the window is not whole), then `Cancelled`
    is raised, every batch of the run committed."""
    size = connector.detail_batch_size
    chunks = [external_ids[i : i + size] for i in range(0, len(external_ids), size)]
    look_ahead = max(FETCHERS * 2, min(LOOK_AHEAD_ORDERS, BATCH_ORDERS) // size)
    pending: list[RemoteOrder] = []
    stopped: Cancelled | None = None
    step.fetched(0, len(external_ids))
    with ThreadPoolExecutor(FETCHERS, thread_name_prefix="sync-fetch") as pool:
        ahead: deque[Future[list[RemoteOrder]]] = deque()
        try:
            for n in range(len(chunks)):
                while len(ahead) < look_ahead and n + len(ahead) < len(chunks):
                    ahead.append(pool.submit(connector.order_details, chunks[n + len(ahead)]))
                pending += ahead.popleft().result()
                step.fetched(min((n + 1) * size, len(external_ids)), len(external_ids))
                if n + 1 < len(chunks):  # (after the last, the window is written whole)
                    try:
                        step.prog.check()
                    except Cancelled as exc:
                        stopped = exc
                        break
                if len(pending) >= BATCH_ORDERS and n + 1 < len(chunks):
                    _commit_batch(ctx, shop, report, pending, stock_since, None)
                    pending = []
        finally:
            for future in ahead:  # a failure or a cancel: no waiting for calls nobody uses
                future.cancel()
    _commit_batch(ctx, shop, report, pending, stock_since,
                  window_end if stopped is None else None)  # fmt: skip
    if stopped is not None:
        raise stopped


def _commit_batch(
    ctx: ServiceContext,
    shop: ShopRef,
    report: SyncReport,
    orders: list[RemoteOrder],
    stock_since: datetime,
    synced_until: datetime | None,
) -> None:
    """One transaction: the orders and (at a window's end) the checkpoint; none once the
    shop got disconnected (its owner wants nothing more of it)."""
    with ctx.uow(write=True) as session:
        status = session.exec(select(Shop.status).where(col(Shop.id) == shop.id)).first()
        if status is None or ShopStatus(status) == ShopStatus.DISCONNECTED:
            raise _Disconnected
        conn = session.connection()
        result = write_batch(ctx, conn, shop, orders, stock_since=stock_since)
        values: dict[str, Any] = {"last_attempt_at": ctx.clock.now()}
        if synced_until is not None:
            values.update(synced_until=synced_until, cursor=None)
        conn.execute(
            sa.update(SyncCheckpoint)
            .where(col(SyncCheckpoint.shop_id) == shop.id, col(SyncCheckpoint.resource) == ORDERS)
            .values(**values)
        )
    report.fetched += len(orders)
    report.inserted += result.inserted
    report.updated += result.updated
    report.unchanged += result.unchanged
    report.customers_created += result.customers_created
    report.stock_moves += result.stock_moves
    report.listings_linked += result.listings_linked


def _checkpoint(ctx: ServiceContext, shop_id: int, now: datetime) -> SyncCheckpoint:
    """The shop's orders checkpoint, created at its first sync (stock counts from then)."""
    with ctx.uow() as session:
        cp = session.get(SyncCheckpoint, (shop_id, ORDERS))
        if cp is None:
            cp = SyncCheckpoint(shop_id=shop_id, resource=ORDERS, stock_since=now)
            session.add(cp)
        elif cp.stock_since is None:
            cp.stock_since = now
            session.add(cp)
        cp.last_attempt_at = now
        session.flush()
        session.expunge(cp)
        return cp


def _finish(ctx: ServiceContext, shop_id: int, *, synced: bool) -> None:
    """A run that went through: the last failure is over ("Last sync failed" goes, also
    after a re-fetch); a sync (`synced`, not a re-fetch) is also the shop's last sync."""
    # It reads then writes: take the write lock first, so another process's batch makes
    # it wait instead of failing it at once.
    with ctx.uow(write=True) as session:
        cp = session.get(SyncCheckpoint, (shop_id, ORDERS))
        if cp is not None:
            cp.last_error = None
            cp.error_count = 0
            if synced:
                cp.last_success_at = ctx.clock.now()
                cp.paused_until = None
            session.add(cp)


def _failed(ctx: ServiceContext, shop: ShopRef, report: SyncReport, exc: ConnectorError) -> None:
    """Record a failure in the checkpoint and the shop's log (the report says which)."""
    message = _cause(exc)
    report.message = message
    if isinstance(exc, Unreachable):
        report.outcome = "offline"
        SYNC_STATE.update(offline=True, last_error=message, last_error_at=ctx.clock.now())
    elif isinstance(exc, TransientError):
        report.outcome = "marketplace_error"
        SYNC_STATE.update(offline=False, marketplace_error=True)  # it answered
    elif isinstance(exc, DailyLimitReached):
        report.outcome = "paused"
    elif isinstance(exc, AuthError):
        report.outcome = "needs_reauth"
    else:
        report.outcome = "error"
    if report.outcome != "offline":
        SYNC_STATE.update(last_error=msg("{shop}: {reason}", shop=shop.name, reason=message),
                          last_error_at=ctx.clock.now())  # fmt: skip
    with ctx.uow() as session:
        cp = session.get(SyncCheckpoint, (shop.id, ORDERS)) or SyncCheckpoint(
            shop_id=shop.id, resource=ORDERS
        )
        if report.outcome not in _PASSING and not cp.error_count:
            # The first failure of a run of them (not each retry of the scheduler): Home.
            activity.post(session, ActivityKind.SYNC_FAILED, ctx.clock.now(), shop_id=shop.id,
                          outcome=report.outcome, reason=message,
                          reason_args=stored_args(message))  # fmt: skip
        cp.last_error = message
        cp.error_count = (cp.error_count or 0) + 1
        if isinstance(exc, DailyLimitReached):
            cp.paused_until = exc.resume_at
        session.add(cp)
        if isinstance(exc, AuthError):
            from primedist.services.channels import mark_needs_reauth

            mark_needs_reauth(ctx, session, shop.id, message)
        level = "warning" if report.outcome in (*_PASSING, "paused") else "error"
        _add_log(session, shop.id, level, _failure_text(report.outcome, message), ctx.clock.now())


#: Outcomes that pass by themselves (quietly retried; no "sync failed" on Home).
_PASSING = ("offline", "marketplace_error")


def _cause(exc: ConnectorError) -> str:
    """The failure's message, redacted and cut to the log's width. Our own `msg()` stays
    a message with its values redacted (the log reads it in the reader's language; its
    template is our words, and redacting the English would take "secret: add them…" for
    a header); the platform's words are kept as they came."""
    raw = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    if isinstance(raw, Message):
        return _redacted(raw)
    return redact(str(raw))[:LOG_MAX]


def _redacted(message: Message) -> Message:
    """`message` with every text value redacted (the values may quote an answer)."""
    values = {
        k: _redacted(v) if isinstance(v, Message) else redact(v) if isinstance(v, str) else v
        for k, v in message.values.items()
    }
    return Message(message.template, values)


def _failure_text(outcome: str, message: str) -> str:
    """The log line of a failed run: what happened, then the cause (`message`, redacted)."""
    if outcome == "offline":
        return msg("Could not reach the marketplace (will retry): {reason}", reason=message)
    if outcome == "marketplace_error":
        return msg("The marketplace answered with an error (will retry): {reason}",
                   reason=message)  # fmt: skip
    if outcome == "paused":
        return msg("Daily API limit reached (paused): {reason}", reason=message)
    if outcome == "needs_reauth":
        return msg(
            "Authorisation lost: re-authorise the shop in Settings → Sales channels: {reason}",
            reason=message,
        )
    return msg("Sync failed: {reason}", reason=message)


def add_log_line(session: Session, shop_id: int, level: str, message: str, now: datetime) -> None:
    """A line of the shop's sync log in the caller's unit of work (another service's run
    on the shop, e.g. Fetch listings); `message` a msg() of our own words."""
    _add_log(session, shop_id, level, message, now)


def _add_log(session: Session, shop_id: int, level: str, message: str, now: datetime) -> None:
    """A line of the shop's log; a `msg()` keeps its template, for the reader's language."""
    session.add(SyncLogEntry(shop_id=shop_id, level=level, message=message[:LOG_MAX],
                             args=stored_args(message), created_at=now))  # fmt: skip


def _log(
    ctx: ServiceContext,
    shop_id: int,
    level: str,
    message: str,
    *,
    new_orders: SyncReport | None = None,
) -> None:
    """A line in the shop's sync log; for a run that brought new orders (`new_orders`),
    also Home's "N new orders synced"."""
    with ctx.uow() as session:
        # A msg() is our own words with our own values (a failure's cause is redacted
        # where it is made); plain text may quote an answer.
        text = message if isinstance(message, Message) else redact(message)
        _add_log(session, shop_id, level, text, ctx.clock.now())
        if new_orders is not None and new_orders.inserted:
            activity.post(session, ActivityKind.ORDERS_SYNCED, ctx.clock.now(), shop_id=shop_id,
                          new=new_orders.inserted, updated=new_orders.updated)  # fmt: skip


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LogLine:
    created_at: datetime
    level: str
    #: English; a Message where the line was written with msg() (the UI translates it).
    message: str


@dataclass(frozen=True)
class ShopSyncState:
    """A shop's sync health for the Sync panel and `primedist sync --json`."""

    shop_id: int
    name: str
    status: ShopStatus
    synced_until: datetime | None
    last_success_at: datetime | None
    #: The Message it was where the shop's log still has it (the UI translates it).
    last_error: str | None
    error_count: int
    paused_until: datetime | None
    #: Tokens are stored (as Settings → Sales channels says "Not linked" when not).
    linked: bool = True


def sync_log(ctx: ServiceContext, shop_id: int, limit: int = 200) -> list[LogLine]:
    """The newest lines of a shop's sync log, newest first."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        rows = session.exec(
            select(SyncLogEntry)
            .where(col(SyncLogEntry.shop_id) == shop_id)
            .order_by(col(SyncLogEntry.created_at).desc(), col(SyncLogEntry.id).desc())
            .limit(limit)
        ).all()
        return [LogLine(aware(r.created_at), r.level, restored(r.message, r.args)) for r in rows]


def shop_states(ctx: ServiceContext) -> list[ShopSyncState]:
    """Every marketplace shop with its orders checkpoint."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        shops = session.exec(
            select(Shop)
            .where(col(Shop.channel).in_([c for c in Channel if c.is_marketplace]))
            .order_by(col(Shop.name))
        ).all()
        out = []
        for shop in shops:
            assert shop.id is not None
            cp = session.get(SyncCheckpoint, (shop.id, ORDERS))
            cred = session.get(ShopCredential, shop.id)
            out.append(
                ShopSyncState(
                    shop.id, shop.name, ShopStatus(shop.status),
                    _opt(cp.synced_until) if cp else None,
                    _opt(cp.last_success_at) if cp else None,
                    _last_error(session, shop.id, cp.last_error) if cp else None,
                    cp.error_count if cp else 0,
                    _opt(cp.paused_until) if cp else None,
                    linked=cred is not None and bool(cred.refresh_token_enc),
                )
            )  # fmt: skip
        return out


def _last_error(session: Session, shop_id: int, stored: str | None) -> str | None:
    """The checkpoint's last error (kept as plain English) as the Message it was: the
    `reason` of the shop's failure line that holds it (`_failed` writes both)."""
    if not stored:
        return stored
    line = _failure_line(session, shop_id, stored)
    return line.values["reason"] if line is not None else stored


def _failure_line(session: Session, shop_id: int, stored: str) -> Message | None:
    """The newest failure line of the shop's log whose `reason` is `stored` (indexed by
    shop and time)."""
    rows = session.exec(
        select(SyncLogEntry)
        .where(col(SyncLogEntry.shop_id) == shop_id,
               col(SyncLogEntry.level).in_(("warning", "error")))
        .order_by(col(SyncLogEntry.created_at).desc(), col(SyncLogEntry.id).desc())
        .limit(20)
    ).all()  # fmt: skip
    for row in rows:
        line = restored(row.message, row.args)
        reason = line.values.get("reason") if isinstance(line, Message) else None
        if isinstance(line, Message) and isinstance(reason, str) and reason == stored:
            return line
    return None


def shared_sync_status(ctx: ServiceContext) -> SharedSync:
    """The sync as every PC on the database sees it, and the outbox counts (`SharedSync`).

    The status bar reads it every few seconds off the UI thread: one statement over the
    marketplace shops (a handful) with their checkpoint and pull job lease by key, one
    count of the outbox by its status index, and the failing shop's log line by its index
    only when a shop's last sync failed. Shown to everyone, as the status bar is."""
    from primedist.services.outbox_delivery import action_counts

    with ctx.uow() as session:
        conn = session.connection()
        shops = conn.execute(_shops_sync_query(lease.db_now(conn))).all()
        counts = action_counts(conn)
        failing = _newest_failure(shops, ctx.clock.now())
        line = _failure_line(session, failing.id, failing.last_error) if failing else None
    shared = SharedSync(
        last_sync_at=max((aware(r.last_success_at) for r in shops if r.last_success_at),
                         default=None),
        elsewhere=tuple(sorted((r.name, lease.holder_pc(r.holder)) for r in shops
                               if r.holder and not lease.dead_here(r.holder))),
    )  # fmt: skip
    if failing is not None:
        reason = line.values["reason"] if line is not None else failing.last_error
        shared = replace(
            shared, last_error=msg("{shop}: {reason}", shop=failing.name, reason=reason),
            last_error_at=_opt(failing.last_attempt_at),
            marketplace_error=line is not None and _answered_with_error(line),
        )  # fmt: skip
    return replace(shared, actions=counts)


def _shops_sync_query(now: datetime) -> sa.Select[Any]:
    """Each marketplace shop with its orders checkpoint and, while another process holds
    it (not expired: a crashed PC's runs no more), its pull job's lease."""
    shops, cp, locks = table_of(Shop), table_of(SyncCheckpoint), lease.locks_t
    pull_job = sa.literal(PULL_PREFIX) + sa.cast(shops.c.id, sa.String)
    running = sa.and_(locks.c.name == pull_job, locks.c.expires_at > now,
                      locks.c.holder != lease.HOLDER)  # fmt: skip
    return (
        sa.select(shops.c.id, shops.c.name, shops.c.status, cp.c.last_success_at,
                  cp.c.last_attempt_at, cp.c.last_error, cp.c.paused_until, locks.c.holder)
        .select_from(
            shops.outerjoin(cp, sa.and_(cp.c.shop_id == shops.c.id, cp.c.resource == ORDERS))
            .outerjoin(locks, running)
        )
        .where(shops.c.channel.in_([c for c in Channel if c.is_marketplace]))
    )  # fmt: skip


def _newest_failure(shops: Sequence[sa.Row[Any]], now: datetime) -> sa.Row[Any] | None:
    """The shop whose last run failed (its checkpoint keeps the error until a sync goes
    through) latest. A shop not linked any more is not one to sync; one paused by its
    daily API limit waits, and its runs meanwhile (each a new attempt) are no failures."""
    failing = [r for r in shops if r.last_error and ShopStatus(r.status) not in SKIPPED
               and not _later(_opt(r.paused_until), now)]  # fmt: skip
    earliest = datetime.min.replace(tzinfo=UTC)
    return max(failing, key=lambda r: _opt(r.last_attempt_at) or earliest, default=None)


def _answered_with_error(line: Message) -> bool:
    """Whether a failure line of the log says the marketplace answered with a passing
    error (HTTP 5xx, rate limit), not that it could not be reached."""
    said = _failure_text("marketplace_error", "")
    return isinstance(said, Message) and line.template == said.template


def _opt(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


def utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
