"""Backup and restore as use-cases: permission, audit, retention, the daily backup, and
the restore of a data dir whose database is missing or damaged (no one to sign in).

On a PostgreSQL database the backups are pg_dump files (`db.pg_backup`) in this PC's
backups folder, and the daily one is the shop's: taken by one PC a day (the first whose
hourly check finds none taken today by any PC: the audit log says which, when), under
the job's lease. Restoring is left to pg_restore, run when every PC has closed the app.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.config import Settings
from primedist.core.clock import as_utc, shop_tz, to_local
from primedist.core.messages import Message, msg, restored, stored_args
from primedist.db import backup as store_backup
from primedist.db import backup_diff, pg_backup
from primedist.db.engine import is_sqlite_busy, make_engine
from primedist.db.store import open_store
from primedist.domain.audit import ActivityEvent, AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import ActivityKind
from primedist.domain.order import Order
from primedist.domain.settings import AppSetting
from primedist.domain.user import User
from primedist.errors import (
    Cancelled,
    PermissionDenied,
    PrimedistError,
    StoreError,
    ValidationError,
)
from primedist.services import activity, channels
from primedist.services.activity import event_args
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import SYSTEM, Actor, ServiceContext

log = logging.getLogger(__name__)

DEFAULT_KEEP = store_backup.DEFAULT_KEEP
MAX_KEEP = store_backup.MAX_KEEP
KEEP_KEY = store_backup.KEEP_KEY
#: The scheduler's backup: one a day, the reason in its file name.
DAILY = "daily"
#: On PostgreSQL, a PC that cannot take the shop's daily backup (no pg_dump) says so only
#: when no PC has taken one for this long: a day and the hourly checks of another PC that
#: can (it would otherwise be told every day on a PC that never needs to take one).
NOT_HERE_GRACE = timedelta(hours=26)


@dataclass(frozen=True)
class BackupFile:
    """A backup in the data dir's backups folder."""

    path: Path
    reason: str
    created_at: datetime
    size: int
    #: Named after now: taken while the PC's clock was set ahead (listed last, as the
    #: oldest: `db.backup.dated_in_future`).
    in_future: bool = False
    #: Its name holds the UTC time (named by an older version), not the shop's.
    utc_name: bool = False


def _settings(ctx: ServiceContext) -> Settings:
    if ctx.settings is None:
        raise StoreError(msg("No data dir is open."))
    return ctx.settings


def _suffix(settings: Settings) -> str:
    """The ending of this store's backups: `.db` (SQLite) or `.dump` (pg_dump)."""
    return store_backup.backup_suffix(settings.is_sqlite)


def backup_tool_problem(settings: Settings) -> str | None:
    """Why this PC cannot back the shop's data up (a PostgreSQL database and no pg_dump
    found here), else None."""
    if settings.is_sqlite:
        return None
    try:
        pg_backup.find_pg_dump()
    except pg_backup.PgDumpMissing as exc:
        return exc.user_message
    return None


def pg_restore_command(settings: Settings, dump: Path) -> str:
    """The command that restores the pg_dump backup `dump` into the shop's PostgreSQL
    database (its server, port, user and database; never the password)."""
    return pg_backup.restore_command(settings.database_url, dump, pg_backup.pg_restore_program())


def checked_pg_restore_command(
    ctx: ServiceContext, dump: Path, *, stop: threading.Event | None = None
) -> tuple[str, Message | None]:
    """`pg_restore_command` of `dump` once pg_restore has read it back whole
    (`pg_backup.check_dump`: a dump damaged on disk since it was made, cut short by a copy,
    or not a shop's gets no command but BadDump); with the note said when pg_restore is
    not on this PC and only the first bytes could be checked. `stop` set: DumpStopped."""
    ctx.require_manager()
    settings = _settings(ctx)
    try:
        note = pg_backup.check_dump(dump, stop=stop)
    except pg_backup.DumpStopped as exc:
        raise Cancelled() from exc
    return pg_restore_command(settings, dump), note


# Retention setting ---------------------------------------------------------------------
def keep_in(session: Session) -> int:
    """How many backups of each kind (manual, daily, and the safety copies taken before a
    restore or an upgrade) stay in the backups folder."""
    return store_backup.clamp_keep(get_setting(session, KEEP_KEY, DEFAULT_KEEP))


def backup_keep(ctx: ServiceContext) -> int:
    with ctx.uow() as session:
        return keep_in(session)


def set_backup_keep(ctx: ServiceContext, keep: int) -> int:
    """Store how many backups to keep (1..365), audited; older ones go at the next backup."""
    ctx.require_manager()
    if isinstance(keep, bool) or not 1 <= keep <= MAX_KEEP:
        raise ValidationError(
            msg(
                "Keep between 1 and {limit} backups (got {keep}).",
                limit=str(MAX_KEEP),
                keep=str(keep),
            ),
            field="backup_keep",
        )
    with ctx.uow() as session:
        if get_setting(session, KEEP_KEY) != keep:
            put_setting(ctx, session, KEEP_KEY, keep, default=DEFAULT_KEEP)
    return keep


# A second copy outside this PC ----------------------------------------------------------
#: The folder the daily backup (and Back up now) is also copied to: a USB stick, a synced
#: Google Drive/OneDrive folder ("" or none: no copy). One for the shop: on PostgreSQL the
#: PC that takes the daily backup copies it (the folder as that PC sees it).
ALSO_TO_KEY = "backup.also_to"
#: Home says "No backup outside this PC for N days" from this many days.
OUTSIDE_DAYS = 7


def _also_to_in(session: Session) -> Path | None:
    value = get_setting(session, ALSO_TO_KEY)
    return Path(value) if isinstance(value, str) and value.strip() else None


def backup_also_to(ctx: ServiceContext) -> Path | None:
    """The second folder the backups are copied to, None when there is none."""
    ctx.require_manager()
    with ctx.uow() as session:
        return _also_to_in(session)


def set_backup_also_to(ctx: ServiceContext, folder: Path | None) -> Path | None:
    """Store the second folder (None: no copy), audited. It must be there and writable
    now (chosen with the stick plugged in) and not the backups folder itself."""
    ctx.require_manager()
    settings = _settings(ctx)
    if folder is not None:
        problem = None
        if not folder.is_dir():
            problem = msg("The folder {folder} does not exist.", folder=repr(str(folder)))
        elif _same_folder(folder, settings.backup_dir):
            problem = msg(
                "That is the backups folder itself: choose a folder on a USB stick, "
                "another drive, or a synced Google Drive/OneDrive folder."
            )
        elif not os.access(folder, os.W_OK):
            problem = msg(
                "The folder {folder} cannot be written to: choose another.",
                folder=repr(str(folder)),
            )
        if problem is not None:
            raise ValidationError(problem, field="backup_also_to")
    with ctx.uow() as session:
        put_setting(ctx, session, ALSO_TO_KEY, "" if folder is None else str(folder), default="")
    return folder


def _copy_outside(ctx: ServiceContext, backup: Path) -> Path | None:
    """Copy a backup just made into the second folder, when one is set; returns the copy.
    The backup stands whatever happens here: a folder that is not there (the stick not
    plugged in) or cannot be written is posted on Home once for a run of the same
    failure, shown on the Backup & restore page, and logged; nothing is raised."""
    try:
        with ctx.uow() as session:
            folder, keep = _also_to_in(session), keep_in(session)
    except Exception:
        log.exception("the second backup folder could not be read")
        return None
    if folder is None:
        return None
    try:
        copy = store_backup.copy_backup(backup, folder, keep=keep)
    except Exception as exc:
        log.warning("the backup was not copied to %s: %s", folder, exc)
        _post_copy_failure(ctx, folder, exc)
        return None
    try:
        with ctx.uow() as session:
            ctx.audit(session, "backup.copy", entity_type="backup", entity_id=copy.name,
                      summary=str(copy))  # fmt: skip
    except Exception:
        log.exception("the copy of the backup to %s could not be recorded", folder)
    return copy


def _post_copy_failure(ctx: ServiceContext, folder: Path, exc: BaseException) -> None:
    """Home's "The backup was not copied to <folder>: …", once for a run of the same
    failure since the last copy made (the stick stays out for days)."""
    reason = _failure_reason(ctx, exc)
    try:
        before = _copy_failure_since(ctx, _last_outside(ctx))
        if before is not None and _same_failure(before, reason, str(folder)):
            return
        with ctx.uow() as session:
            activity.post(session, ActivityKind.BACKUP_COPY, ctx.clock.now(), reason=reason,
                          reason_args=stored_args(reason), folder=str(folder))  # fmt: skip
    except Exception:
        log.exception("the failed copy of the backup could not be posted on Home")


def _last_outside(ctx: ServiceContext) -> tuple[datetime, str] | None:
    """When and where the newest backup outside this PC was written: a copy into the
    second folder, or a backup the owner wrote into a folder of their choice."""
    a = table_of(AuditEvent).c
    ahead = ctx.clock.now() + store_backup.FUTURE_MARGIN
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(a.created_at, a.summary)
            .where(sa.or_(a.action == "backup.copy",
                          sa.and_(a.action == "backup.create", a.after_json.is_not(None))),
                   a.entity_type == "backup", a.created_at <= ahead)
            .order_by(a.created_at.desc(), a.id.desc())
            .limit(1)
        ).first()  # fmt: skip
    return None if row is None else (as_utc(row.created_at), str(row.summary or ""))


def _copy_failure_since(
    ctx: ServiceContext, last: tuple[datetime, str] | None
) -> BackupFailure | None:
    """The newest failed copy, unless a backup outside this PC was written since."""
    e = table_of(ActivityEvent).c
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(e.created_at, e.args)
            .where(e.kind == ActivityKind.BACKUP_COPY.value)
            .order_by(e.created_at.desc(), e.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    at = as_utc(row.created_at)
    if last is not None and last[0] >= at:
        return None
    found = posted_failure(event_args(row.args))
    return None if found is None else BackupFailure(at, *found)


@dataclass(frozen=True)
class OutsideCopy:
    """The backups outside this PC: the second folder (None: not set) and since when it
    is set, the newest backup written outside (when, its path), and the newest failed
    copy since (why, into which folder)."""

    folder: Path | None
    folder_set_at: datetime | None
    last_at: datetime | None
    last_file: str
    failure: BackupFailure | None


def outside_copy(ctx: ServiceContext) -> OutsideCopy:
    """The Backup & restore page's "Also copy the daily backup to" and its outcome."""
    ctx.require_manager()
    with ctx.uow() as session:
        folder = _also_to_in(session)
        row = session.get(AppSetting, ALSO_TO_KEY)
        set_at = as_utc(row.updated_at) if row is not None and folder is not None else None
    last = _last_outside(ctx)
    failure = _copy_failure_since(ctx, last)
    if last is None:
        return OutsideCopy(folder, set_at, None, "", failure)
    return OutsideCopy(folder, set_at, last[0], last[1], failure)


@dataclass(frozen=True)
class OutsideNotice:
    """Home's advice: `days` without a backup outside this PC (None: never one), whether
    a second folder is set, and the last copy's failure (why it was not made)."""

    days: int | None
    folder_set: bool
    failure: BackupFailure | None


def outside_notice(ctx: ServiceContext) -> OutsideNotice | None:
    """Home's notice, when the shop's backups have all stayed on this PC for OUTSIDE_DAYS
    days or more (a dead disk, a theft or ransomware would take them with the data):
    since the last backup written outside; with none ever, since the second folder was
    set, or at once when none is set and the shop has orders (something to lose)."""
    ctx.require_manager()
    status = outside_copy(ctx)
    tz = shop_tz()
    today = to_local(ctx.clock.now(), tz).date()
    since = status.last_at or status.folder_set_at
    if since is not None:
        days = (today - to_local(since, tz).date()).days
        if days < OUTSIDE_DAYS:
            return None
        return OutsideNotice(days if status.last_at else None, status.folder is not None,
                             status.failure)  # fmt: skip
    if not _has_orders(ctx):
        return None
    return OutsideNotice(None, False, status.failure)


def _has_orders(ctx: ServiceContext) -> bool:
    o = table_of(Order)
    with ctx.engine.connect() as conn:
        return conn.execute(sa.select(sa.exists().select_from(o))).scalar() is True


# Backups -------------------------------------------------------------------------------
def backup_now(
    ctx: ServiceContext, target: Path | None = None, *, keep: int | None = None,
    folder: bool = False, cancelled: Callable[[], bool] | None = None,
) -> Path:  # fmt: skip
    """Write a consistent backup: into the data dir's backups folder, keeping the newest
    `keep` manual ones there (the stored setting when not given); or to `target` — into it
    when it is a folder that exists, else as that file, which must not exist yet.
    `folder`: `target` is a folder (chosen in the app): refused when it is gone. On
    PostgreSQL a pg_dump file; `cancelled` true stops it (Cancelled, nothing kept)."""
    ctx.require_manager()
    settings = _settings(ctx)
    outside = None
    if target is not None:
        path = store_backup.backup_to(ctx.engine, target, folder=folder, cancelled=cancelled)
        if not _same_folder(path.parent, settings.backup_dir):
            # A copy the owner put elsewhere (a USB stick): it counts as one outside this
            # PC for Home's notice (`outside_copy`).
            outside = {"folder": str(path.parent)}
    else:
        path = store_backup.create_backup(
            ctx.engine,
            settings.backup_dir,
            reason="manual",
            keep=backup_keep(ctx) if keep is None else keep,
            cancelled=cancelled,
        )
    with ctx.uow() as session:
        ctx.audit(session, "backup.create", entity_type="backup", entity_id=path.name,
                  summary=str(path), after=outside)  # fmt: skip
    if target is None:
        _copy_outside(ctx, path)
    return path


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def list_backups(ctx: ServiceContext) -> list[BackupFile]:
    """The backups in the data dir's backups folder, newest first, those dated in the
    future last (the leftovers of a backup that was cut off are removed first)."""
    ctx.require_manager()
    settings = _settings(ctx)
    store_backup.remove_stale_parts(settings.backup_dir)
    return _backup_files(settings.backup_dir, _suffix(settings))


def stop_running_backups(ctx: ServiceContext) -> int:
    """The app is closing: the backups it is writing stop now, leaving no partial file
    (`db.backup.stop_running_backups`)."""
    return store_backup.stop_running_backups(ctx.engine)


def _backup_files(folder: Path, suffix: str) -> list[BackupFile]:
    found = []
    now = datetime.now(UTC)  # the clock the backups are named by
    for path in store_backup.list_backups(folder, suffix=suffix):
        try:
            stat = path.stat()
        except FileNotFoundError:  # pruned meanwhile
            continue
        reason = store_backup.backup_reason(path)  # may hold a dash (pre-restore)
        created = datetime.fromtimestamp(stat.st_mtime, UTC)
        future = store_backup.dated_in_future(path, now)
        utc = store_backup.named_in_utc(path)
        found.append(BackupFile(path, reason, created, stat.st_size, future, utc))
    return found


def _daily_backups(folder: Path, suffix: str) -> list[BackupFile]:
    """The daily backups, newest first, without those dated in the future: one taken while
    the clock was set ahead is no backup of today (it would hold the daily ones off until
    its date)."""
    return [b for b in _backup_files(folder, suffix) if b.reason == DAILY and not b.in_future]


@dataclass(frozen=True)
class DailyBackup:
    """The shop's latest daily backup: when, on which PC (None: a row from before PCs
    were named) and its file (the path on that PC)."""

    at: datetime
    pc: str | None
    file: str


def last_daily_backup(ctx: ServiceContext) -> DailyBackup | None:
    """The shop's latest daily backup: on PostgreSQL as the audit log has it (any PC of
    the shop may have taken it, into its own folder), on SQLite this data dir's."""
    ctx.require_manager()
    return _last_daily(ctx)


def _last_daily(ctx: ServiceContext) -> DailyBackup | None:
    settings = _settings(ctx)
    if settings.is_sqlite:
        daily = _daily_backups(settings.backup_dir, _suffix(settings))
        return DailyBackup(daily[0].created_at, ctx.pc, str(daily[0].path)) if daily else None
    return _last_daily_dump(ctx)


def _last_daily_dump(ctx: ServiceContext) -> DailyBackup | None:
    """The newest daily pg_dump any PC of the shop took (its audit row), none dated in the
    future (a PC whose clock was ahead: it would hold the daily backups off until then)."""
    a = table_of(AuditEvent).c
    ahead = ctx.clock.now() + store_backup.FUTURE_MARGIN
    with ctx.engine.connect() as conn:
        row = conn.execute(
            sa.select(a.created_at, a.pc, a.entity_id, a.summary, a.summary_args)
            .where(a.action == "backup.create", a.entity_type == "backup",
                   a.entity_id.like(f"primedist-%-{DAILY}{store_backup.DUMP_SUFFIX}"),
                   a.created_at <= ahead)
            .order_by(a.created_at.desc(), a.id.desc())
            .limit(1)
        ).first()  # fmt: skip
    if row is None:
        return None
    summary = restored(row.summary, row.summary_args)
    file = summary.values.get("file") if isinstance(summary, Message) else None
    return DailyBackup(as_utc(row.created_at), row.pc, str(file or row.entity_id))


def daily_backup_due(ctx: ServiceContext) -> bool:
    """True when no daily backup was taken today, shop time: the first check of the day
    takes it (the hourly check at the same hour every day, or the start when the app was
    off); "24 h since the last one", checked hourly, slipped an hour later a day. Never before
    the shop is set up: a copy of an empty store is no backup (a restore refuses it), and
    it would hold off the first real one for a day."""
    if not _is_set_up(ctx):
        return False
    folder = _settings(ctx).backup_dir
    store_backup.remove_stale_parts(folder)  # checked at every start and every hour
    last = _last_daily(ctx)  # on PostgreSQL: taken by any PC of the shop
    tz = shop_tz()
    today = to_local(ctx.clock.now(), tz).date()
    return last is None or to_local(last.at, tz).date() < today


def _is_set_up(ctx: ServiceContext) -> bool:
    """Whether the store holds a shop and its (active) owner."""
    with ctx.engine.connect() as conn:
        found = conn.exec_driver_sql(store_backup.SET_UP_SQL).first()
    return found is not None and all(found)


def daily_backup(ctx: ServiceContext) -> Path:
    """The scheduler's daily backup into the backups folder, keeping the newest N. A
    failure is posted on Home and shown on the Backup & restore page (`daily_failure`;
    on PostgreSQL naming this PC: every PC shows it), then raised (for the log): no one
    reads the log, and the page says a backup is taken every day."""
    settings = _settings(ctx)
    try:
        path = store_backup.create_backup(
            ctx.engine, settings.backup_dir, reason=DAILY, keep=backup_keep(ctx)
        )
        with ctx.uow() as session:
            ctx.audit(session, "backup.create", entity_type="backup", entity_id=path.name,
                      summary=msg("daily: {file}", file=str(path)))  # fmt: skip
    except Exception as exc:
        # Another writer for a moment, or the app closing: the next try will do.
        if not is_sqlite_busy(exc) and not isinstance(exc, store_backup.BackupStopped):
            _post_failure(ctx, exc)
        raise
    _copy_outside(ctx, path)
    return path


def daily_backup_not_here(ctx: ServiceContext) -> bool:
    """The daily backup is due on a PostgreSQL database, and this PC has no pg_dump to
    take it (`backup_tool_problem`): another PC of the shop may, so it is left to them
    (this PC neither fails every hour nor holds the job's lease). Only when no PC has
    taken one for NOT_HERE_GRACE is it posted as the daily backup's failure, naming this
    PC. Returns whether it was posted (False too when pg_dump is here after all)."""
    try:
        pg_backup.find_pg_dump()
    except pg_backup.PgDumpMissing as exc:
        last = _last_daily(ctx)
        if last is not None and ctx.clock.now() - last.at < NOT_HERE_GRACE:
            return False
        _post_failure(ctx, exc)
        return True
    return False


@dataclass(frozen=True)
class BackupFailure:
    """The daily backup's latest failure: when, why (a Message where the words are ours,
    so the UI says it in its language; never the backup's file) and the folder it was
    going to ("" when not known: a failure posted by an older version)."""

    at: datetime
    reason: str
    folder: str = ""


def daily_failure(ctx: ServiceContext) -> BackupFailure | None:
    """The daily backup's latest failure, unless a daily backup was taken since."""
    ctx.require_manager()
    return _latest_failure(ctx)


def _latest_failure(ctx: ServiceContext) -> BackupFailure | None:
    found = _failures_since_daily(ctx, 1)
    return found[0] if found else None


def _failures_since_daily(ctx: ServiceContext, limit: int) -> list[BackupFailure]:
    """The newest `limit` failures posted, newest first, of those after the latest daily
    backup (on PostgreSQL any PC's puts them right)."""
    e = table_of(ActivityEvent).c
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(e.created_at, e.message, e.args)
            .where(e.kind == ActivityKind.BACKUP.value)
            .order_by(e.created_at.desc(), e.id.desc())
            .limit(limit)
        ).all()
    if not rows:
        return []
    last = _last_daily(ctx)
    failures = []
    for row in rows:
        at = as_utc(row.created_at)
        if last is not None and last.at >= at:
            break
        found = posted_failure(event_args(row.args))
        if found is None:
            failures.append(BackupFailure(at, str(row.message)))
        else:
            failures.append(BackupFailure(at, *found))
    return failures


#: How versions before `folder` was posted worded a failed copy (db.backup.BackupFailed):
#: the backup file's whole path, then the reason.
_FAILED_COPY = "The backup to {path} failed: {exc}"


def posted_failure(args: dict[str, Any]) -> tuple[str, str] | None:
    """The reason and the folder of a posted failure (its event's `args`), None when it has
    no reason. An older version's "The backup to <file> failed: <reason>" is read as its
    reason and the file's folder, as a failure is posted now."""
    reason = args.get("reason")
    if not isinstance(reason, str):
        return None
    reason = restored(reason, args.get("reason_args"))
    folder = args.get("folder")
    if isinstance(reason, Message) and reason.template == _FAILED_COPY:
        why = reason.values["exc"]  # a Message where the words are ours
        return why if isinstance(why, str) else str(why), str(Path(reason.values["path"]).parent)
    return reason, folder if isinstance(folder, str) else ""


def _same_failure(before: BackupFailure, reason: str, folder: str) -> bool:
    """The same failure again: the same words into the same folder, whatever backup file
    a reason names (its name holds the time of the try)."""
    if before.folder != folder:
        return False
    if isinstance(before.reason, Message) and isinstance(reason, Message):
        return before.reason.template == reason.template and (
            _but_path(before.reason) == _but_path(reason)
        )
    return str(before.reason) == str(reason)


def _but_path(message: Message) -> dict[str, object]:
    return {k: v for k, v in message.values.items() if k != "path"}


def _post_failure(ctx: ServiceContext, exc: BaseException) -> None:
    """Home's "The daily backup to <folder> failed: …", once for a run of the same failure
    (the scheduler tries again every hour). The reason and the folder are kept apart, so
    the UI names the folder once, as short as it likes. Where even that cannot be written
    (a full disk), the log has it."""
    reason = _failure_reason(ctx, exc)
    folder = str(_settings(ctx).backup_dir)
    try:
        # On PostgreSQL every PC of the shop posts its own (two PCs without pg_dump would
        # take turns as the latest, and post every hour): each one once since the last
        # daily backup.
        seen = _failures_since_daily(ctx, 1 if _settings(ctx).is_sqlite else 20)
        if any(_same_failure(before, reason, folder) for before in seen):
            return
        with ctx.uow() as session:
            activity.post(session, ActivityKind.BACKUP, ctx.clock.now(), outcome="failed",
                          reason=reason, reason_args=stored_args(reason),
                          folder=folder)  # fmt: skip
    except Exception:
        log.exception("the daily backup's failure could not be posted on Home")


def _failure_reason(ctx: ServiceContext, exc: BaseException) -> str:
    """Why the daily backup failed, without the backup's file (the folder is posted apart).
    On PostgreSQL every PC of the shop shows it: it names the PC it failed on."""
    if isinstance(exc, store_backup.BackupFailed):
        reason = exc.reason
    else:
        reason = exc.user_message if isinstance(exc, PrimedistError) else str(exc) or repr(exc)
    if _settings(ctx).is_sqlite:
        return reason
    if isinstance(exc, pg_backup.PgDumpMissing) and exc.not_found:
        return msg("pg_dump was not found on {pc}: install the PostgreSQL client tools there "
                   "or set PRIMEDIST_PG_DUMP to its path.", pc=ctx.pc)  # fmt: skip
    return msg("{reason} (on {pc})", reason=reason, pc=ctx.pc)


# Restore -------------------------------------------------------------------------------
def check_backup(ctx: ServiceContext, backup_file: Path) -> str:
    """Validate a file before asking to restore it; returns its schema revision. Refused
    on PostgreSQL (`refuse_restore_on_server`: a dump is checked first)."""
    ctx.require_manager()
    refuse_restore_on_server(_settings(ctx), backup_file)
    return store_backup.validate_backup(backup_file)


@dataclass(frozen=True)
class RestoreLoss:
    """What restoring a backup would lose: what the current data has that the backup
    lacks (rows made since, by the keys of `db.backup_diff.COUNTED`; orders changed since;
    the names of the shops linked since), and the shops linked now (ids), whose link the
    restore may take away (`shops_to_link_again`)."""

    counts: dict[str, int]
    changed_orders: int
    linked_since: tuple[str, ...]
    linked_now: tuple[int, ...]

    @property
    def nothing(self) -> bool:
        return not any(self.counts.values()) and not self.changed_orders and not self.linked_since


def restore_loss(ctx: ServiceContext, backup_file: Path) -> RestoreLoss | None:
    """What the current data has that the backup (validated: `check_backup`) lacks, for
    the restore's confirmation; None when it cannot be told (the question is asked all
    the same). Reads both files: off the UI thread."""
    ctx.require_manager()
    settings = _settings(ctx)
    refuse_restore_on_server(settings, backup_file)
    if settings.db_path is None:
        return None
    try:
        newer = backup_diff.newer_than_backup(settings.db_path, backup_file)
    except sqlite3.Error:  # a backup of a shape this one cannot compare: not worth a refusal
        log.warning("could not compare %s with the current data", backup_file, exc_info=True)
        return None
    linked = [s.id for s in channels.list_channel_shops(ctx) if s.linked and not s.needs_reauth]
    return RestoreLoss(newer.counts, newer.changed_orders,
                       tuple(name for _id, name in newer.linked_since), tuple(linked))  # fmt: skip


#: The English words of `RestoreLoss`'s counts, in the order said (the CLI's; the app
#: builds the same sentence in Qt, translated): key, one, many.
_LOSS_WORDS: tuple[tuple[str, str, str], ...] = (
    ("orders", "{n} new order", "{n} new orders"),
    ("changed", "changes to {n} order", "changes to {n} orders"),
    ("returns", "{n} return", "{n} returns"),
    ("goods_receipts", "{n} goods receipt", "{n} goods receipts"),
    ("purchase_orders", "{n} purchase order", "{n} purchase orders"),
    ("supplier_returns", "{n} return to a supplier", "{n} returns to suppliers"),
    ("customers", "{n} new customer", "{n} new customers"),
    ("products", "{n} new product", "{n} new products"),
)


def backup_taken(backup_file: Path) -> datetime:
    """When a backup was taken (UTC): the time in its name, else when the file was last
    written (a backup copied in under another name)."""
    return store_backup.taken_at(backup_file) or datetime.fromtimestamp(
        backup_file.stat().st_mtime, UTC
    )


def restore_loss_lines(loss: RestoreLoss, when: str) -> list[str]:
    """`loss` in English, for the CLI (the app's confirmation says it in Qt, translated):
    "Restoring loses what was made or changed after `when`: 2 new orders, 1 goods
    receipt." and the shops linked since, to authorise again."""
    if loss.nothing:
        return [f"Since {when} no order was made or changed, and no return, goods receipt, "
                "purchase order, customer or product was added."]  # fmt: skip
    counts = {**loss.counts, "changed": loss.changed_orders}
    parts = [(one if counts[key] == 1 else many).format(n=f"{counts[key]:,}")
             for key, one, many in _LOSS_WORDS if counts.get(key)]  # fmt: skip
    lines = []
    if parts:
        lines.append(f"Restoring loses what was made or changed after {when}: {', '.join(parts)}.")
    if loss.linked_since:
        lines.append("Shops linked since then must be authorised again after the restore: "
                     f"{', '.join(loss.linked_since)}.")  # fmt: skip
    return lines


def shops_to_link_again(ctx: ServiceContext, linked_before: Iterable[int]) -> list[str]:
    """After a restore: the shops linked before it (`RestoreLoss.linked_now`) that the
    restored data holds unlinked or waiting to be authorised again (linked after the
    backup was taken, or lost their authorisation then), by name."""
    ctx.require_manager()
    before = set(linked_before)
    return [s.name for s in channels.list_channel_shops(ctx)
            if s.id in before and (not s.linked or s.needs_reauth)]  # fmt: skip


def refuse_restore_on_server(settings: Settings, backup_file: Path | None) -> None:
    """No restore from the app on PostgreSQL: the other PCs using the database meanwhile
    would write into it, or fail, halfway through. The refusal gives the pg_restore
    command to run when every PC has closed the app, once the file passed
    `pg_backup.check_dump` (BadDump: a damaged dump, or not a shop's, gets no command)."""
    if settings.is_sqlite:
        return
    note = None
    if (
        backup_file is not None
        and backup_file.is_file()
        and (backup_file.name.endswith(pg_backup.DUMP_SUFFIX) or pg_backup.is_dump(backup_file))
    ):
        note = pg_backup.check_dump(backup_file)
    raise StoreError(pg_backup.restore_refusal(settings.database_url, backup_file, note))


def restore(ctx: ServiceContext, backup_file: Path) -> tuple[ServiceContext, Path]:
    """Replace the database with a backup; returns a context on the restored store and
    the safety copy of the database that was replaced (the newest N safety copies stay,
    N the keep setting)."""
    ctx.require_manager()
    settings = _settings(ctx)
    refuse_restore_on_server(settings, backup_file)
    if settings.db_path is None:
        raise StoreError(msg("An in-memory database has no backups to restore."))
    safety = store_backup.restore_backup(
        ctx.engine, settings.db_path, backup_file, settings.backup_dir
    )
    engine = open_store(settings)  # migrates an older backup forward
    new_ctx = ServiceContext(engine, ctx.actor, ctx.clock, settings)
    with new_ctx.uow() as session:
        restored_by = None
        if not _holds_account_of(session, ctx.actor):
            new_ctx = new_ctx.with_actor(SYSTEM)
            if ctx.actor.id is not None:  # the row still says who restored
                restored_by = f"{ctx.actor.name} <{ctx.actor.email}>"
        new_ctx.audit(
            session,
            "backup.restore",
            entity_type="backup",
            entity_id=backup_file.name,
            summary=msg(
                "restored {file}; previous data saved as {safety_copy}",
                file=str(backup_file),
                safety_copy=str(safety),
            ),
            after=None if restored_by is None else {"restored_by": restored_by},
        )
    return new_ctx, safety


def _holds_account_of(session: Session, actor: Actor) -> bool:
    """Whether the restored data holds `actor`'s own account: the same id and email. An
    older backup may lack it, or give its id to someone else (a staff member since gone),
    whom the restore's audit row would then name."""
    if actor.id is None:
        return False
    user = session.get(User, actor.id)
    return user is not None and user.email.casefold() == actor.email.casefold()


# Restore where no one can sign in -------------------------------------------------------
#: The SQLite store as a restore finds it (`store_state`).
READY = "ready"  # a shop: its owner or a manager signs in to restore
MISSING = "missing"  # no database (a new PC, a deleted file)
DAMAGED = "damaged"  # a database that cannot be opened or fails SQLite's check
NO_SHOP = "no shop"  # an intact database that nobody has set a shop up in


@dataclass(frozen=True)
class StoreState:
    state: str
    #: Why a DAMAGED database cannot be used (SQLite's words), else "".
    problem: str = ""


@dataclass(frozen=True)
class Restored:
    """A restore where no one signed in: the context on the restored store, the safety
    copy of an intact database that was replaced, and the damaged files set aside."""

    ctx: ServiceContext
    found: StoreState
    safety_copy: Path | None
    set_aside: tuple[Path, ...]


def store_state(settings: Settings) -> StoreState:
    """Whether the data dir's SQLite database is there, intact, and holds a shop with an
    owner. Read-only (SQLite's quick check reads the whole file). A server database is
    READY: restore refuses it with the pg_restore advice."""
    db_path = settings.db_path
    if db_path is None:
        return StoreState(READY)
    if store_backup.is_missing(db_path):
        return StoreState(MISSING)
    try:
        damage = store_backup.find_damage(db_path)
    except OSError as exc:  # a -wal without its database, a file that cannot be read
        return StoreState(DAMAGED, exc.strerror or str(exc))
    if damage is not None:
        return StoreState(DAMAGED, damage.detail)
    return StoreState(READY if _has_owner(settings) else NO_SHOP)


def _has_owner(settings: Settings) -> bool:
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("users"):
                return False
            found = conn.exec_driver_sql("SELECT 1 FROM users WHERE role = 'owner' LIMIT 1")
            return found.first() is not None
    finally:
        engine.dispose()


def backups_without_sign_in(settings: Settings) -> list[BackupFile]:
    """The data dir's backups (as `list_backups`) for a restore where no one can sign in
    (`restore_without_sign_in`: the app's start on a damaged database)."""
    return _backup_files(settings.backup_dir, _suffix(settings))


def restore_without_sign_in(settings: Settings, backup_file: Path, found: StoreState) -> Restored:
    """Restore a backup into a data dir whose database is missing, damaged, or has no shop
    (`found`, from `store_state`): there is no one to ask, so whoever can reach the data
    dir's files may (the CLI). A damaged database is set aside, not copied through SQLite;
    an intact one without a shop is copied as a pre-restore safety copy. The backup is
    validated before anything changes; the restored store is migrated and the restore
    audited there (by the system)."""
    refuse_restore_on_server(settings, backup_file)
    db_path = settings.db_path
    if db_path is None:
        raise StoreError(msg("An in-memory database has no backups to restore."))
    if found.state == READY:
        raise PermissionDenied(msg("Only the owner or a manager may do this."))
    safety: Path | None = None
    moved: list[Path] = []
    if found.state == NO_SHOP:
        engine = make_engine(settings.database_url)
        try:
            safety = store_backup.restore_backup(engine, db_path, backup_file, settings.backup_dir)
        finally:
            engine.dispose()
    else:
        moved = store_backup.restore_over_damaged(db_path, backup_file)
    new_ctx = ServiceContext(open_store(settings), SYSTEM, settings=settings)
    if safety is not None:
        summary = msg(
            "restored {file}; previous data saved as {safety_copy}",
            file=str(backup_file),
            safety_copy=str(safety),
        )
    elif moved:
        summary = msg(
            "restored {file}; the damaged database was set aside as {damaged}",
            file=str(backup_file),
            damaged=str(moved[0]),
        )
    else:
        summary = msg("restored {file} into a data dir without a database", file=str(backup_file))
    with new_ctx.uow() as session:
        new_ctx.audit(
            session,
            "backup.restore",
            entity_type="backup",
            entity_id=backup_file.name,
            summary=summary,
        )
    return Restored(new_ctx, found, safety, tuple(moved))
