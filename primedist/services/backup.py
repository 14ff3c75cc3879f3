"""Backup and restore as use-cases: permission, audit, retention, the daily backup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from primedist.config import Settings
from primedist.core.messages import msg
from primedist.db import backup as store_backup
from primedist.db.store import open_store
from primedist.domain.user import User
from primedist.errors import StoreError, ValidationError
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.context import SYSTEM, ServiceContext

DEFAULT_KEEP = 10
MAX_KEEP = 365
KEEP_KEY = "backup.keep"
#: The scheduler's backup: one a day, the reason in its file name.
DAILY = "daily"
DAILY_EVERY = timedelta(hours=24)


@dataclass(frozen=True)
class BackupFile:
    """A backup in the data dir's backups folder."""

    path: Path
    reason: str
    created_at: datetime
    size: int


def _settings(ctx: ServiceContext) -> Settings:
    if ctx.settings is None:
        raise StoreError(msg("No data dir is open."))
    return ctx.settings


# Retention setting ---------------------------------------------------------------------
def keep_in(session: Session) -> int:
    """How many backups of each kind (manual, daily) stay in the backups folder."""
    value = get_setting(session, KEEP_KEY, DEFAULT_KEEP)
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_KEEP
    return min(max(value, 1), MAX_KEEP)


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
            put_setting(ctx, session, KEEP_KEY, keep)
    return keep


# Backups -------------------------------------------------------------------------------
def backup_now(ctx: ServiceContext, target: Path | None = None, *, keep: int | None = None) -> Path:
    """Write a consistent backup (to `target` or the data dir's backups folder, keeping
    the newest `keep` manual ones there: the stored setting when not given)."""
    ctx.require_manager()
    settings = _settings(ctx)
    if target is None and keep is None:
        keep = backup_keep(ctx)
    path = store_backup.create_backup(
        ctx.engine,
        target or settings.backup_dir,
        reason="manual",
        keep=keep if target is None else None,
    )
    with ctx.uow() as session:
        ctx.audit(
            session, "backup.create", entity_type="backup", entity_id=path.name, summary=str(path)
        )
    return path


def list_backups(ctx: ServiceContext) -> list[BackupFile]:
    """The backups in the data dir's backups folder, newest first."""
    ctx.require_manager()
    return _backup_files(_settings(ctx).backup_dir)


def _backup_files(folder: Path) -> list[BackupFile]:
    found = []
    for path in store_backup.list_backups(folder):
        try:
            stat = path.stat()
        except FileNotFoundError:  # pruned meanwhile
            continue
        # primedist-YYYYMMDD-HHMMSS-ffffff-<reason>; the reason may hold a dash (pre-restore)
        parts = path.stem.split("-", 4)
        reason = parts[4] if len(parts) == 5 else ""
        created = datetime.fromtimestamp(stat.st_mtime, UTC)
        found.append(BackupFile(path, reason, created, stat.st_size))
    return found


def daily_backup_due(ctx: ServiceContext) -> bool:
    """True when no daily backup is younger than a day (the app was off at backup time)."""
    daily = [b for b in _backup_files(_settings(ctx).backup_dir) if b.reason == DAILY]
    return not daily or ctx.clock.now() - daily[0].created_at >= DAILY_EVERY


def daily_backup(ctx: ServiceContext) -> Path:
    """The scheduler's daily backup into the backups folder, keeping the newest N."""
    settings = _settings(ctx)
    path = store_backup.create_backup(
        ctx.engine, settings.backup_dir, reason=DAILY, keep=backup_keep(ctx)
    )
    with ctx.uow() as session:
        ctx.audit(session, "backup.create", entity_type="backup", entity_id=path.name,
                  summary=msg("daily: {file}", file=str(path)))  # fmt: skip
    return path


# Restore -------------------------------------------------------------------------------
def check_backup(ctx: ServiceContext, backup_file: Path) -> str:
    """Validate a file before asking to restore it; returns its schema revision."""
    ctx.require_manager()
    return store_backup.validate_backup(backup_file)


def restore(ctx: ServiceContext, backup_file: Path) -> tuple[ServiceContext, Path]:
    """Replace the database with a backup; returns a context on the restored store and
    the safety copy of the database that was replaced."""
    ctx.require_manager()
    settings = _settings(ctx)
    if settings.db_path is None:
        raise StoreError(
            msg("Restore is for the embedded SQLite store; use pg_restore for PostgreSQL.")
        )
    safety = store_backup.restore_backup(
        ctx.engine, settings.db_path, backup_file, settings.backup_dir
    )
    engine = open_store(settings)  # migrates an older backup forward
    new_ctx = ServiceContext(engine, ctx.actor, ctx.clock, settings)
    with new_ctx.uow() as session:
        if ctx.actor.id is not None and session.get(User, ctx.actor.id) is None:
            new_ctx = new_ctx.with_actor(SYSTEM)  # the backup predates this user
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
        )
    return new_ctx, safety
