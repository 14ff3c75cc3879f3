"""Consistent online backups of the SQLite store, retention, and restore.

The backup uses SQLite's online backup API, so it is a consistent copy even while the app
(or a sync) is writing. Restore validates the file first and keeps a safety copy of the
database it replaces.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from primedist.core.messages import msg
from primedist.db.bulk import wait_for_background_checkpoints
from primedist.errors import StoreError

BACKUP_SUFFIX = ".db"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")


def _require_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        raise StoreError(
            msg(
                "Backups from the app are for the embedded SQLite store; back a PostgreSQL server "
                "up with pg_dump."
            )
        )


def create_backup(
    engine: Engine, target: Path, *, reason: str = "manual", keep: int | None = None
) -> Path:
    """Write a consistent copy of the database. `target` is a folder or a file path.

    With `keep`, only the newest `keep` backups of the same reason stay in the folder.
    """
    _require_sqlite(engine)
    if target.suffix == BACKUP_SUFFIX and not target.is_dir():
        path, folder = target, target.parent
    else:
        folder = target
        path = target / f"primedist-{_stamp()}-{reason}{BACKUP_SUFFIX}"
    tmp = path.with_name(path.name + ".part")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _copy_database(engine, tmp)
        os.replace(tmp, path)
    except (sqlite3.Error, OSError) as exc:  # a read-only place, a full disk, a file in the way
        _remove_quietly(tmp, Path(f"{tmp}-journal"))
        reason_text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(
            msg("The backup to {path} failed: {exc}", path=str(path), exc=reason_text)
        ) from exc
    if keep is not None:
        prune_backups(path.parent, reason=reason, keep=keep)
    return path


def _copy_database(engine: Engine, tmp: Path) -> None:
    raw = engine.raw_connection()
    try:
        src = raw.driver_connection
        assert isinstance(src, sqlite3.Connection)
        _snapshot_into(src, tmp)
    finally:
        raw.close()


def _snapshot_into(src: sqlite3.Connection, tmp: Path) -> None:
    """Write `src` into a new standalone file `tmp` through SQLite's backup API."""
    dst = sqlite3.connect(tmp)
    try:
        # One step (pages=-1): a single read snapshot of the source. Stepping in chunks
        # restarts the copy whenever another connection commits, so under steady writes it
        # might never finish; in WAL mode one snapshot never blocks writers.
        src.backup(dst, pages=-1)
        # A standalone file: no WAL side files when it is later opened or validated.
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()


def _remove_quietly(*paths: Path) -> None:
    """Leftovers of a failed copy; where even that fails, the first error is the one told."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


def list_backups(folder: Path, *, reason: str | None = None) -> list[Path]:
    """Backups in a folder, newest first."""
    if not folder.is_dir():
        return []
    pattern = f"primedist-*-{reason}{BACKUP_SUFFIX}" if reason else f"primedist-*{BACKUP_SUFFIX}"
    return sorted(folder.glob(pattern), reverse=True)


def prune_backups(folder: Path, *, reason: str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups of one reason; returns what was deleted."""
    doomed = list_backups(folder, reason=reason)[keep:]
    for path in doomed:
        for extra in ("", "-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
    return doomed


def validate_backup(path: Path) -> str:
    """Check that `path` is an intact primedist database; returns its schema revision."""
    if path.is_dir():
        raise StoreError(msg("{path} is a folder: give the backup file in it.", path=str(path)))
    if not path.is_file():
        raise StoreError(msg("{path} does not exist.", path=str(path)))
    try:
        with open(path, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise StoreError(
                    msg("{name} is not a Prime Distribution backup (not SQLite).", name=path.name)
                )
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise StoreError(msg("{name} is damaged: {ok}", name=path.name, ok=str(ok)))
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            conn.execute("SELECT count(*) FROM shops").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            msg("{name} is not a Prime Distribution backup: {exc}", name=path.name, exc=str(exc))
        ) from exc
    if row is None:
        raise StoreError(msg("{name} has no schema version.", name=path.name))
    revision = str(row[0])
    if revision not in known_revisions():
        raise StoreError(
            msg(
                "{name} has schema version {revision}, which this version of Prime Distribution "
                "does not know (a newer app's backup, or another app's database).",
                name=path.name,
                revision=repr(revision),
            )
        )
    return revision


def known_revisions() -> set[str]:
    """The schema revisions of this app's migrations (a backup must be at one of them)."""
    from primedist.db.store import MIGRATIONS_DIR

    return {p.stem for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py")}


def restore_backup(engine: Engine, db_path: Path, backup: Path, safety_dir: Path) -> Path:
    """Replace the database with `backup`; returns the safety copy of the replaced one.

    The engine is disposed (all pooled connections closed) before the file is swapped.
    """
    _require_sqlite(engine)
    validate_backup(backup)
    safety = create_backup(engine, safety_dir, reason="pre-restore")
    wait_for_background_checkpoints()  # none may still write the file being replaced
    engine.dispose()
    tmp = db_path.with_name(db_path.name + ".restore")
    try:
        _copy_database_file(backup, tmp)
    except (sqlite3.Error, OSError) as exc:  # a full disk: the database is left as it was
        _remove_quietly(tmp, Path(f"{tmp}-journal"))
        reason_text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(
            msg("The restore from {name} failed: {exc}. The database was not changed.",
                name=backup.name, exc=reason_text)
        ) from exc  # fmt: skip
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    os.replace(tmp, db_path)
    return safety


def _copy_database_file(source: Path, tmp: Path) -> None:
    """Copy a database file through SQLite (what was validated): the transactions still in
    its `-wal` beside it come along, which a plain file copy would drop."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _snapshot_into(src, tmp)
    finally:
        src.close()
