"""Backup and restore as use-cases: permission, audit, retention."""

from __future__ import annotations

from pathlib import Path

from primedist.config import Settings
from primedist.db import backup as store_backup
from primedist.db.store import open_store
from primedist.domain.user import User
from primedist.errors import StoreError
from primedist.services.context import SYSTEM, ServiceContext

DEFAULT_KEEP = 10


def _settings(ctx: ServiceContext) -> Settings:
    if ctx.settings is None:
        raise StoreError("No data dir is open.")
    return ctx.settings


def backup_now(ctx: ServiceContext, target: Path | None = None, *, keep: int | None = None) -> Path:
    """Write a consistent backup (to `target` or the data dir's backups folder)."""
    ctx.require_manager()
    settings = _settings(ctx)
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


def restore(ctx: ServiceContext, backup_file: Path) -> tuple[ServiceContext, Path]:
    """Replace the database with a backup; returns a context on the restored store and
    the safety copy of the database that was replaced."""
    ctx.require_manager()
    settings = _settings(ctx)
    if settings.db_path is None:
        raise StoreError("Restore is for the embedded SQLite store; use pg_restore for PostgreSQL.")
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
            summary=f"restored {backup_file}; previous data saved as {safety}",
        )
    return new_ctx, safety
