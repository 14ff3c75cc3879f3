"""Consistent online backups of the store, retention, and restore.

The backup of the SQLite store uses SQLite's online backup API, so it is a consistent copy
even while the app (or a sync) is writing; each copy passes SQLite's quick check before it
is kept. A PostgreSQL database is backed up with pg_dump (`db.pg_backup`: a `.dump` file,
named and kept as the `.db` ones), and never restored from the app. Restore
validates the file first and keeps a safety copy of the database it replaces; a database
that is damaged is set aside (renamed) instead. A restore holds the store lock alone: it
is refused while another process has the database open.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core import app_lock
from primedist.core.clock import shop_tz
from primedist.core.messages import Message, msg
from primedist.db import pg_backup
from primedist.db.bulk import wait_for_background_checkpoints
from primedist.errors import StoreError

log = logging.getLogger(__name__)

BACKUP_SUFFIX = ".db"
#: A PostgreSQL database's backups (pg_dump's custom format).
DUMP_SUFFIX = pg_backup.DUMP_SUFFIX
SQLITE_HEADER = b"SQLite format 3\x00"
#: The copies taken before the data is replaced (a restore, an upgrade): kept as many
#: as the setting says, like the other kinds, when the caller gives no `keep`.
SAFETY_REASONS = ("pre-restore", "pre-migrate")
#: The "keep the newest N backups of each kind" setting (Settings → Backup & restore).
KEEP_KEY = "backup.keep"
DEFAULT_KEEP = 10
MAX_KEEP = 365
#: The files of a SQLite database beside the main one.
SIDE_FILES = ("-wal", "-shm", "-journal")
#: A restore copies the backup beside the database under this name, then moves it in.
RESTORE_SUFFIX = ".restore"
#: A backup is written under its name plus this, then renamed (SQLite's -journal beside).
PART_SUFFIX = ".part"
#: Pages copied between two looks at the stop flag (8 MB of 4 KB pages: a few hundredths
#: of a second), so the app's quit stops a copy of a big store at once.
PAGES_PER_STEP = 2048


class BackupStopped(StoreError):
    """A backup stopped before the end (the app is closing): its `.part` is removed and
    no backup was kept."""


class BackupFailed(StoreError):
    """Writing a backup failed: `reason` says why (without the file: a Message where the
    words are ours), `folder` where it was going; the message says both, for the CLI."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(msg("The backup to {path} failed: {exc}", path=str(path), exc=reason))
        self.reason = reason
        self.folder = path.parent


#: The time in a backup's name: local with its offset (`_stamp`), or UTC without one.
_TIME = r"primedist-(?P<time>\d{8}-\d{6})(?P<offset>[+-]\d{4})?-(?P<micro>\d{6})"


def _stamp(now: datetime | None = None) -> str:
    """The time part of a new backup's name: the shop's local time with its UTC offset,
    `20261207-100000+0700-123456` for 10:00 in Vietnam (the microseconds keep two backups
    of one second apart). The offset tells these names from the older UTC ones
    (`20261207-030000-123456`), and an older version of the app, which reads characters
    10-32 of a name as UTC, finds no time in them instead of one seven hours ahead."""
    local = (now or datetime.now(UTC)).astimezone(shop_tz())
    return local.strftime("%Y%m%d-%H%M%S%z-%f")


def backup_suffix(sqlite: bool) -> str:
    """The file name ending of the backups of a SQLite store (`.db`) or of a PostgreSQL
    database (`.dump`): each store lists, keeps and prunes its own kind only (the `.db`
    backups taken before a move to PostgreSQL stay as they are)."""
    return BACKUP_SUFFIX if sqlite else DUMP_SUFFIX


def _suffix_of(engine: Engine) -> str:
    return backup_suffix(engine.dialect.name == "sqlite")


# Retention -----------------------------------------------------------------------------
def clamp_keep(value: object) -> int:
    """A stored keep value as a number of backups (1..MAX_KEEP; the default when odd)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_KEEP
    return min(max(value, 1), MAX_KEEP)


def stored_keep(engine: Engine) -> int:
    """The keep setting stored in the database itself (the default when it has none or
    cannot be read, e.g. an old schema)."""
    try:
        with engine.connect() as conn:
            # A bound parameter, not the driver's own style: psycopg has no `?`.
            row = conn.execute(
                sa.text("SELECT value_json FROM app_settings WHERE key = :key"), {"key": KEEP_KEY}
            ).first()
    except sa.exc.SQLAlchemyError:
        return DEFAULT_KEEP
    if row is None:
        return DEFAULT_KEEP
    try:
        return clamp_keep(json.loads(row[0]))
    except (TypeError, ValueError):
        return DEFAULT_KEEP


# Backups -------------------------------------------------------------------------------
def create_backup(
    engine: Engine,
    folder: Path,
    *,
    reason: str = "manual",
    keep: int | None = None,
    spare: Path | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Write a consistent copy of the database into `folder` (made if needed), named
    primedist-<local time>-<reason>.db (.dump: a PostgreSQL database's; `_stamp`); returns
    its path.
    `cancelled`: asked while a pg_dump runs; true stops it (Cancelled, nothing kept).

    With `keep`, only the newest `keep` backups of the same reason stay in the folder (never
    the one just made, nor `spare`: the backup a restore is about to copy in). The safety
    copies (SAFETY_REASONS) keep as many as the database's own setting says when no `keep`
    is given.
    """
    remove_stale_parts(folder)
    suffix = _suffix_of(engine)
    path = folder / f"primedist-{_stamp()}-{reason}{suffix}"
    _write_backup(engine, path, cancelled=cancelled)
    if keep is None and reason in SAFETY_REASONS:
        keep = stored_keep(engine)
    if keep is not None:
        spared = [path] if spare is None else [path, spare]
        prune_backups(folder, reason=reason, keep=keep, spare=spared, suffix=suffix)
    return path


def backup_to(
    engine: Engine, target: Path, *, folder: bool = False,
    cancelled: Callable[[], bool] | None = None,
) -> Path:  # fmt: skip
    """A backup where the user says (`primedist backup TARGET`): into a folder that exists
    (named as in the backups folder), else into the file `target`, which must not exist yet
    (an older backup, or any other file, is never overwritten), in a folder that exists:
    a missing one is never made (a USB stick not plugged in would get a folder of its
    name on the PC's own disk, and the backup with it). `folder`: `target` is a folder
    (the app's folder chooser), never taken for a file's name when it is gone since (the
    stick was pulled)."""
    if target.is_dir():
        return create_backup(engine, target, reason="manual", cancelled=cancelled)
    missing = target if folder else target.parent
    if folder or not missing.is_dir():
        raise StoreError(msg("The folder {folder} does not exist.", folder=repr(str(missing))))
    _write_backup(engine, target, new_file=True, cancelled=cancelled)
    return target


def _already_exists(path: Path) -> StoreError:
    return StoreError(
        msg(
            "{path} already exists: give the name of a new file, or a folder to write the "
            "backup in.",
            path=str(path),
        )
    )


def _write_backup(
    engine: Engine, path: Path, *, new_file: bool = False,
    cancelled: Callable[[], bool] | None = None,
) -> None:  # fmt: skip
    """Copy the database into `path` through a `.part` file, held (`_owned_part`) until it
    takes its name: SQLite's copy, or a PostgreSQL database's pg_dump (found first: none
    on this PC is said before anything is made). `new_file`: refuse a `path` that exists
    (checked again just before the copy takes its name), and make no folder for it (the
    app's own backups folder is made when missing). Nothing of a copy that failed, was
    stopped or cancelled is left."""
    if new_file and (path.exists() or path.is_symlink()):
        raise _already_exists(path)
    sqlite = engine.dialect.name == "sqlite"
    pg_dump = None if sqlite else pg_backup.find_pg_dump()
    tmp = path.with_name(path.name + PART_SUFFIX)
    try:
        if not new_file:
            path.parent.mkdir(parents=True, exist_ok=True)
        with _owned_part(tmp), _running_copy(engine) as stop:
            if pg_dump is None:
                _copy_database(engine, tmp, stop)
                _refuse_damaged_copy(tmp, stop)
            else:
                pg_backup.dump_into(pg_dump, engine.url, tmp, stop=stop, cancelled=cancelled)
                _refuse_unreadable_dump(tmp, stop)
            if new_file and (path.exists() or path.is_symlink()):
                _remove_quietly(tmp)
                raise _already_exists(path)
            os.replace(tmp, path)
            _sync_folder(path.parent)
    except (_Stop, pg_backup.DumpStopped) as exc:
        _remove_quietly(tmp, Path(f"{tmp}-journal"))
        raise BackupStopped(
            msg("The backup was stopped because the app is closing; no backup was kept.")
        ) from exc
    except (sqlite3.Error, OSError) as exc:  # a read-only place, a full disk, a file in the way
        _remove_quietly(tmp, Path(f"{tmp}-journal"))
        raise BackupFailed(path, _reason(exc)) from exc
    except pg_backup.DumpFailed as exc:
        _remove_quietly(tmp)
        raise BackupFailed(path, exc.reason) from exc
    except BaseException:  # a cancel, Ctrl+C in the CLI: pg_dump was killed
        _remove_quietly(tmp, Path(f"{tmp}-journal"))
        raise


def _sync_folder(folder: Path) -> None:
    """Put the folder's entries on the disk: SQLite synced the file's content, but its new
    name may still sit in the page cache, and a USB stick pulled right after the backup
    would have none. Skipped where a folder cannot be opened or synced (Windows, some
    filesystems): the backup is written all the same."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# A second copy outside this PC (Settings → Backup & restore) --------------------------------
#: Our backups' names exactly: primedist-<time>-<reason>.db|.dump, the time local with its
#: offset (`_stamp`) or, in older names, UTC without one. Only these are ever pruned from
#: the second folder, a USB stick or a synced Drive folder that holds the owner's other
#: files too (a glob like primedist-*-daily.db would catch their own).
OUR_NAME = re.compile(_TIME + r"-(?P<reason>[a-z]+(?:-[a-z]+)?)\.(?:db|dump)")
#: How old a `.part` in the second folder must be before it counts as left by a copy
#: that was cut off (a stick pulled mid-copy): another PC of the shop may be writing one.
STALE_COPY_PART = timedelta(hours=6)


def copy_backup(backup: Path, folder: Path, *, keep: int) -> Path:
    """Copy the backup file `backup` into `folder` (another disk: a USB stick, a synced
    Google Drive/OneDrive folder) under the same name, through a `.part` renamed once
    whole; then only the newest `keep` copies of its reason and kind stay there (our
    names only: nothing else in the folder is touched). The folder is never made: a stick
    that is not plugged in would get one of its name on this PC's disk. BackupFailed says
    why nothing was copied (the backup itself is not touched)."""
    target = folder / backup.name
    if not folder.is_dir():
        raise BackupFailed(target, msg("The folder is not there (a USB stick not plugged in, "
                                       "or a drive not connected)."))  # fmt: skip
    _remove_stale_copy_parts(folder)
    tmp = target.with_name(target.name + PART_SUFFIX)
    try:
        with open(backup, "rb") as src, open(tmp, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())  # on the stick, not in the page cache, before the rename
        os.replace(tmp, target)
        _sync_folder(folder)
    except OSError as exc:  # read-only, full, not ours to write, unplugged mid-copy
        _remove_quietly(tmp)
        raise BackupFailed(target, _reason(exc)) from exc
    match = OUR_NAME.fullmatch(backup.name)
    if match is not None:
        prune_copies(folder, reason=match["reason"], keep=keep, suffix=backup.suffix,
                     spare=target)  # fmt: skip
    return target


def our_copies(folder: Path, *, reason: str, suffix: str) -> list[Path]:
    """Our backups of one reason and kind in `folder`, newest first (by the time in their
    names, local or UTC: not by the names, which mix both); any other file is left out,
    whatever its name looks like."""
    try:
        names = [p for p in folder.iterdir() if p.suffix == suffix]
    except OSError:
        return []
    found = []
    for path in names:
        match = OUR_NAME.fullmatch(path.name)
        if match is not None and match["reason"] == reason and path.is_file():
            found.append(path)
    return sorted(found, key=_taken_key, reverse=True)


def prune_copies(
    folder: Path, *, reason: str, keep: int, suffix: str, spare: Path | None = None
) -> list[Path]:
    """Delete all but the newest `keep` of our copies of one reason and kind in `folder`
    (never `spare`: the copy just made); returns what was deleted. A file that will not
    go (read-only, in use by a sync client) stays, to be tried at the next copy."""
    found = [p for p in our_copies(folder, reason=reason, suffix=suffix) if p != spare]
    doomed = found[max(keep - (spare is not None), 0) :]
    gone = []
    for path in doomed:
        try:
            path.unlink()
        except OSError as exc:
            log.warning("could not remove the old copy %s: %s", path, exc)
            continue
        gone.append(path)
    return gone


def _remove_stale_copy_parts(folder: Path) -> None:
    now = datetime.now(UTC).timestamp()
    try:
        parts = [p for p in folder.iterdir() if p.name.endswith(PART_SUFFIX)]
    except OSError:
        return
    for part in parts:
        if OUR_NAME.fullmatch(part.name.removesuffix(PART_SUFFIX)) is None:
            continue
        try:
            if now - part.stat().st_mtime > STALE_COPY_PART.total_seconds():
                part.unlink()
        except OSError:
            continue


# Stopping a running backup (the app's quit) ----------------------------------------------
class _Stop(Exception):
    """Raised between two steps of a copy asked to stop."""


#: The copies running in this process, by engine: `stop_running_backups` stops them.
_running: dict[threading.Event, Engine] = {}
_running_guard = threading.Lock()


@contextmanager
def _running_copy(engine: Engine) -> Iterator[threading.Event]:
    stop = threading.Event()
    with _running_guard:
        _running[stop] = engine
    try:
        yield stop
    finally:
        with _running_guard:
            del _running[stop]


def stop_running_backups(engine: Engine) -> int:
    """Ask the backups of `engine` running in this process now to stop (the app is
    closing): each stops within one step of its copy, removes its `.part` and raises
    BackupStopped. Backups started later run as usual. Returns how many were asked."""
    with _running_guard:
        asked = [stop for stop, of in _running.items() if of is engine]
    for stop in asked:
        stop.set()
    return len(asked)


# Leftovers of a backup that was cut off ---------------------------------------------------
# A backup that never finished (the process killed mid-copy, a power cut) leaves its .part
# (as big as the database) and SQLite's .part-journal. A running backup holds a lock on its
# .part from before the copy to after the rename (`_owned_part`; another process's too), so
# a .part nobody holds is a leftover. Windows has no shared advisory lock here; there a
# .part being written cannot be deleted (SQLite has it open), and the removal is skipped.


@contextmanager
def _owned_part(tmp: Path) -> Iterator[None]:
    """Hold the lock that tells `remove_stale_parts` this `.part` is being written."""
    handle = open(tmp, "a+b")  # noqa: SIM115 (held open as long as the lock)
    try:
        _lock_part(handle, wait=True)
        handle.truncate(0)  # what an earlier copy of the same name left (`backup_to`)
        Path(f"{tmp}-journal").unlink(missing_ok=True)
        if sys.platform == "win32":  # an open handle would stop the rename (no lock there)
            handle.close()
        yield
    finally:
        handle.close()  # drops the lock (after the copy took its name, or was removed)


def remove_stale_parts(folder: Path) -> list[Path]:
    """Remove the `.part` files (and their -journal) of backups that were cut off: every
    one that no running backup holds, in this process or another. Returns what went."""
    if not folder.is_dir():
        return []
    gone: list[Path] = []
    for suffix in (BACKUP_SUFFIX, DUMP_SUFFIX):
        for part in sorted(folder.glob(f"primedist-*{suffix}{PART_SUFFIX}")):
            gone += _remove_if_unheld(part)
    for journal in sorted(folder.glob(f"primedist-*{BACKUP_SUFFIX}{PART_SUFFIX}-journal")):
        part = journal.with_name(journal.name.removesuffix("-journal"))
        if not part.exists():  # a running backup makes its .part before SQLite's journal
            gone += _unlink_leftovers(journal)
    if gone:
        log.info("removed %s left by a backup that was cut off", ", ".join(p.name for p in gone))
    return gone


def _remove_if_unheld(part: Path) -> list[Path]:
    try:
        handle = open(part, "rb")  # noqa: SIM115
    except OSError:  # gone meanwhile (renamed by its backup)
        return []
    with handle:
        try:
            _lock_part(handle, wait=False)
        except OSError:  # a running backup holds it
            return []
        return _unlink_leftovers(part, Path(f"{part}-journal"))


def _unlink_leftovers(*paths: Path) -> list[Path]:
    gone = []
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # in use (Windows), no permission: tried again next time
            log.warning("could not remove %s left by a backup that was cut off: %s", path, exc)
            continue
        gone.append(path)
    return gone


if sys.platform == "win32":

    def _lock_part(handle: IO[bytes], *, wait: bool) -> None:
        """No lock (see above): the file in use cannot be deleted."""

else:
    import fcntl

    def _lock_part(handle: IO[bytes], *, wait: bool) -> None:
        # flock, not SQLite's fcntl locks: the two never meet on Linux, and SQLite's own
        # locks on the .part are left alone.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))


def _refuse_damaged_copy(tmp: Path, stop: threading.Event) -> None:
    """SQLite's quick check of the copy (0.08 s for the 40 MB of a 20,000-order shop, as
    long as the copy itself; the file is still in the OS cache): a damaged database copies
    as it is, and a damaged copy kept as the newest backup would push the good ones out.
    Nothing is pruned when it fails (the caller prunes after). Cut short by `stop`."""
    damage = find_damage(tmp, stop=stop)
    if stop.is_set():
        raise _Stop
    if damage is None:
        return
    _remove_quietly(tmp, Path(f"{tmp}-journal"))
    raise StoreError(
        msg(
            "The shop's data is damaged ({error}), so no backup was taken and the older "
            "backups were all kept: restore the newest good backup (Settings → Backup & "
            "restore, or `primedist restore FILE`).",
            error=damage.detail,
        )
    )


def _refuse_unreadable_dump(tmp: Path, stop: threading.Event) -> None:
    """pg_restore reads the dump just written back (`pg_backup.check_dump`: a sixth of the
    dump's own time): a dump that cannot be restored, kept as the newest backup, would
    push the good ones out. Without pg_restore only its first bytes are checked (logged)."""
    try:
        note = pg_backup.check_dump(tmp, stop=stop)
    except pg_backup.BadDump as exc:
        raise pg_backup.DumpFailed(exc.reason) from exc
    if note is not None:
        log.info("%s", note)


def _reason(exc: BaseException) -> str:
    """Why a copy failed: a full disk, a read-only place or a refused write as messages
    the UI translates (the owner reads them in Vietnamese too), any other in the system's
    or SQLite's own words."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL:  # "database or disk is full"
            return msg("No space left on device")
        if code == sqlite3.SQLITE_READONLY:  # "attempt to write a readonly database"
            return msg("Permission denied")
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return msg("No space left on device")
        if exc.errno == errno.EROFS:
            return msg("Read-only file system")
        if exc.errno in (errno.EACCES, errno.EPERM):
            return msg("Permission denied")
        if exc.strerror:
            return exc.strerror
    return str(exc)


def _copy_database(engine: Engine, tmp: Path, stop: threading.Event) -> None:
    raw = engine.raw_connection()
    try:
        src = raw.driver_connection
        assert isinstance(src, sqlite3.Connection)
        _snapshot_into(src, tmp, stop)
    finally:
        raw.close()


def _snapshot_into(src: sqlite3.Connection, tmp: Path, stop: threading.Event | None = None) -> None:
    """Write `src` into a new standalone file `tmp` through SQLite's backup API, looking at
    `stop` between steps (raises _Stop when it is set)."""

    def step_done(_status: int, _remaining: int, _pages: int) -> None:
        if stop is not None and stop.is_set():
            raise _Stop  # sqlite3 ends the backup and raises it here

    dst = sqlite3.connect(tmp)
    try:
        # Copied in steps under one read transaction: a backup copying in steps restarts
        # whenever another connection commits (under steady writes it might never finish),
        # unless the source holds its read snapshot the whole time. In WAL mode the snapshot
        # never blocks writers.
        src.execute("BEGIN")
        try:
            src.execute("SELECT count(*) FROM sqlite_master").fetchall()  # the snapshot
            src.backup(dst, pages=PAGES_PER_STEP, progress=step_done)
        finally:
            src.rollback()
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


def list_backups(
    folder: Path, *, reason: str | None = None, suffix: str = BACKUP_SUFFIX
) -> list[Path]:
    """Backups of one kind (`suffix`: `.db` or `.dump`) in a folder, newest first by the
    time in their names (`taken_at`: the older names UTC, the newer local, so never by
    the names themselves; a name without a time by the file's last write); those dated in
    the future (`dated_in_future`) come last, as the oldest."""
    if not folder.is_dir():
        return []
    pattern = f"primedist-*-{reason}{suffix}" if reason else f"primedist-*{suffix}"
    newest_first = sorted(folder.glob(pattern), key=_taken_key, reverse=True)
    now = datetime.now(UTC)
    return sorted(newest_first, key=lambda path: dated_in_future(path, now))  # stable


def _taken_key(path: Path) -> tuple[float, str]:
    """Sort key by when the backup was taken (then by name)."""
    taken = taken_at(path)
    if taken is not None:
        return taken.timestamp(), path.name
    try:
        return path.stat().st_mtime, path.name
    except OSError:  # pruned meanwhile: the oldest
        return float("-inf"), path.name


#: How far past the clock a backup's name may be before it is "dated in the future" (the
#: clocks of two PCs sharing a backups folder differ by a little).
FUTURE_MARGIN = timedelta(minutes=5)


def taken_at(path: Path) -> datetime | None:
    """The time in a backup's name, as UTC: primedist-YYYYMMDD-HHMMSS+HHMM-ffffff-<reason>
    (local, with its offset: `_stamp`) or primedist-YYYYMMDD-HHMMSS-ffffff-<reason> (the
    older names, UTC); None when the name holds none."""
    match = _NAME_TIME.match(path.name)
    if match is None:
        return None
    offset = match["offset"] or "+0000"
    try:
        at = datetime.strptime(f"{match['time']}{offset}-{match['micro']}", "%Y%m%d-%H%M%S%z-%f")
    except ValueError:
        return None
    return at.astimezone(UTC)


def backup_reason(path: Path) -> str:
    """The reason in a backup's name ("daily", "pre-restore"); "" when it holds none."""
    match = _NAME_TIME.match(path.name)
    return match["reason"] if match is not None and match["reason"] else ""


def named_in_utc(path: Path) -> bool:
    """Whether the time in the backup's name is UTC (named by an older version): the
    newer names are local, with their offset."""
    match = _NAME_TIME.match(path.name)
    return match is not None and not match["offset"]


#: The time (and reason) at the start of a backup's name, whatever follows.
_NAME_TIME = re.compile(_TIME + r"(?:-(?P<reason>[a-z]+(?:-[a-z]+)?)\.)?")


def dated_in_future(path: Path, now: datetime | None = None) -> bool:
    """Whether the backup is named after the clock's `now` (+ a small margin): it was
    taken while the PC's clock was set ahead, since put right. Its data is older than
    that of every backup taken since, so it ranks as the oldest: it is pruned first and
    never passes for the newest (nor for today's daily backup)."""
    taken = taken_at(path)
    return taken is not None and taken > (now or datetime.now(UTC)) + FUTURE_MARGIN


def prune_backups(
    folder: Path, *, reason: str, keep: int, spare: Iterable[Path] = (),
    suffix: str = BACKUP_SUFFIX,
) -> list[Path]:  # fmt: skip
    """Delete all but the newest `keep` backups of one reason and kind (`suffix`), those
    dated in the future ranking as the oldest (never one of `spare`: the backup just made,
    whatever the clock says, and the one a restore copies in); returns what was deleted."""
    spared = {p.resolve() for p in spare}
    found = list_backups(folder, reason=reason, suffix=suffix)
    doomed = [p for p in found[keep:] if p.resolve() not in spared]
    for path in doomed:
        for extra in ("", "-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
    return doomed


# Checking a database file --------------------------------------------------------------
@dataclass(frozen=True)
class Damage:
    """Why a database file cannot be used: not SQLite at all, shorter than its own header
    says (a copy cut short), or damaged inside (SQLite's words)."""

    kind: str  # "not sqlite" | "incomplete" | "damaged"
    detail: str
    size: int = 0
    expected: int = 0


def find_damage(path: Path, *, stop: threading.Event | None = None) -> Damage | None:
    """None when the SQLite file at `path` opens and passes SQLite's quick check, else what
    is wrong with it. Read-only: nothing of the file (or its -wal) is changed. Raises
    OSError when the file cannot be read at all. When `stop` is set meanwhile, the check
    ends early (with a meaningless answer: the caller looks at `stop`)."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        header = fh.read(100)
    if not header.startswith(SQLITE_HEADER):
        return Damage("not sqlite", "not SQLite")
    if len(header) < 100:
        return Damage("damaged", f"only {size} bytes")
    expected = _size_in_header(header)
    if expected > size and not _has_wal(path):
        return Damage("incomplete", f"{size:,} of {expected:,} bytes", size, expected)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        if stop is not None:
            conn.set_progress_handler(stop.is_set, 10_000)  # true: the check is interrupted
        try:
            ok = str(conn.execute("PRAGMA quick_check").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return Damage("damaged", str(exc))
    if ok == "ok":
        return None
    # The first finding, on one line ("*** in database main ***" heads a list of them).
    findings = [line for line in ok.splitlines() if line.strip() and not line.startswith("***")]
    return Damage("damaged", findings[0] if findings else ok.replace("\n", " "))


def _size_in_header(header: bytes) -> int:
    """The database size its header gives (bytes; 0 when the header does not say or is
    damaged). SQLite trusts that figure only when the change counter matches the
    version-valid-for number."""
    if header[24:28] != header[92:96]:
        return 0
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    return page_size * int.from_bytes(header[28:32], "big")


#: The first 4 bytes of a write-ahead log (its checksums' byte order in the last bit).
WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")


def _has_wal(path: Path) -> bool:
    """Whether a write-ahead log lies beside (the main file may then lag its header: a
    checkpoint that was cut off is finished from the log). One without a WAL's header is
    ignored by SQLite, and here."""
    try:
        with open(f"{path}-wal", "rb") as fh:
            return fh.read(4) in WAL_MAGIC
    except OSError:
        return False


def _damage_error(name: str, damage: Damage) -> StoreError:
    text: Message
    if damage.kind == "not sqlite":
        text = msg("{name} is not a Prime Distribution backup (not SQLite).", name=name)
    elif damage.kind == "incomplete":
        text = msg(
            "{name} is incomplete ({size} of {expected} bytes): a copy that did not finish? "
            "Copy it again from where the backup is kept.",
            name=name,
            size=damage.size,
            expected=damage.expected,
        )
    else:
        text = msg(
            "{name} is damaged or incomplete ({error}): copy it again from where the backup "
            "is kept, or choose another backup.",
            name=name,
            error=damage.detail,
        )
    return StoreError(text)


#: (shops, active owners) in a database: a backup or a store without both holds no shop.
SET_UP_SQL = (
    "SELECT (SELECT count(*) FROM shops),"
    " (SELECT count(*) FROM users WHERE role = 'owner' AND is_active)"
)


def validate_backup(path: Path) -> str:
    """Check that `path` is an intact primedist database with a shop and its owner (not
    one made before the set-up); returns its schema revision."""
    if path.is_dir():
        raise StoreError(msg("{path} is a folder: give the backup file in it.", path=str(path)))
    if not path.is_file():
        raise StoreError(msg("{path} does not exist.", path=str(path)))
    if pg_backup.is_dump(path):  # "not SQLite" would send the owner looking for another file
        raise pg_backup.not_for_sqlite(path.name)
    try:
        damage = find_damage(path)
    except OSError as exc:  # no permission, a USB stick that fails to read
        raise StoreError(
            msg("{name} cannot be read: {error}.", name=path.name, error=_reason(exc))
        ) from exc
    if damage is not None:
        raise _damage_error(path.name, damage)
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            conn.execute("SELECT count(*) FROM shops").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:  # intact SQLite, but another app's (no such table)
        # SQLite's "no such table: alembic_version" tells the owner nothing (the log has it).
        raise StoreError(
            msg("{name} is not a Prime Distribution backup (another app's database).",
                name=path.name)
        ) from exc  # fmt: skip
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
    if not _holds_a_shop(path):
        # Restoring it would wipe the shop and leave the first-run setup open to anyone.
        raise StoreError(
            msg(
                "{name} holds no shop and owner (a backup made before the shop was set up): "
                "choose another backup.",
                name=path.name,
            )
        )
    return revision


def _holds_a_shop(path: Path) -> bool:
    """Whether the database at `path` (at a known revision) has a shop and an active owner."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return all(conn.execute(SET_UP_SQL).fetchone())
    finally:
        conn.close()


def known_revisions() -> set[str]:
    """The schema revisions of this app's migrations (a backup must be at one of them)."""
    from primedist.db.store import known_revisions as of_migrations

    return of_migrations()


def is_missing(db_path: Path) -> bool:
    """No database at `db_path`: no file (or an empty one) and no -wal or -journal with
    transactions in it."""
    return not any(_has_content(Path(f"{db_path}{end}")) for end in ("", "-wal", "-journal"))


def _has_content(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


# Restore -------------------------------------------------------------------------------
def restore_backup(engine: Engine, db_path: Path, backup: Path, safety_dir: Path) -> Path:
    """Replace the database with `backup`; returns the safety copy of the replaced one
    (the newest N safety copies are kept, N as the replaced database's setting says).

    The engine is disposed (all pooled connections closed) before the file is swapped.
    Refused, nothing changed, while another process has the store open (`sole_user`).
    """
    if engine.dialect.name != "sqlite":
        raise StoreError(pg_backup.restore_refusal(engine.url, backup))
    with sole_user(db_path):
        validate_backup(backup)
        # Restoring an older safety copy (undoing a restore): pruning must not delete it.
        safety = create_backup(engine, safety_dir, reason="pre-restore", spare=backup)
        wait_for_background_checkpoints()  # none may still write the file being replaced
        engine.dispose()
        tmp = _restore_copy(db_path, backup)
        for suffix in ("-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)
        os.replace(tmp, db_path)
    return safety


@contextmanager
def sole_user(db_path: Path) -> Iterator[None]:
    """Hold the store lock alone (core/app_lock) for a restore: with another process
    using the database (an import, a sync, a report), its writes would go on into the
    file being replaced and be lost, so the restore is refused without waiting."""
    with app_lock.sole_user(app_lock.store_lock_path(db_path)) as alone:
        if not alone:
            raise StoreError(msg("Another Prime Distribution process is using the data "
                                 "(an import, a sync…): wait for it to finish, then "
                                 "restore."))  # fmt: skip
        yield


def _sole_user_unless_new(db_path: Path) -> AbstractContextManager[None]:
    """`sole_user`, but no lock file is made in a data dir that never had a database
    (a new PC): no process can have one open there."""
    if is_missing(db_path) and not app_lock.store_lock_path(db_path).exists():
        return nullcontext()
    return sole_user(db_path)


def restore_over_damaged(db_path: Path, backup: Path) -> list[Path]:
    """Put `backup` where the database is missing or cannot be used (nothing there that
    SQLite could copy): validates it, copies it beside `db_path`, then sets aside what is
    there — renamed <name>.damaged-<UTC time>, with its -wal, -shm and -journal, so that
    SQLite still opens them together — and moves the copy in. Returns the files set aside
    (none for a missing database; an empty file is just replaced)."""
    validate_backup(backup)
    wait_for_background_checkpoints()
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _restore_failed(backup, exc) from exc
    with _sole_user_unless_new(db_path):
        tmp = _restore_copy(db_path, backup)
        try:
            moved = _set_aside(db_path)
        except OSError as exc:
            _remove_quietly(tmp)
            raise _restore_failed(backup, exc) from exc
        os.replace(tmp, db_path)
    return moved


def _restore_copy(db_path: Path, backup: Path) -> Path:
    """The backup copied (through SQLite) into <db>.restore, beside the database (over
    what an interrupted restore left there)."""
    remove_interrupted_restore(db_path)
    tmp = _restore_path(db_path)
    try:
        _copy_database_file(backup, tmp)
    except (sqlite3.Error, OSError) as exc:  # a full disk: the database is left as it was
        _remove_quietly(tmp, Path(f"{tmp}-journal"))
        raise _restore_failed(backup, exc) from exc
    return tmp


def _restore_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + RESTORE_SUFFIX)


def remove_interrupted_restore(db_path: Path) -> list[Path]:
    """Remove the copy a restore was making beside the database (<db>.restore and its
    -journal) when it was cut off (a kill, a power cut): it is never used again and may
    be as big as the database. Only while no restore runs (the caller shares the store
    lock, or holds it alone). Returns what was removed."""
    tmp = _restore_path(db_path)
    gone = []
    for path in (tmp, Path(f"{tmp}-journal")):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:  # in use on Windows, no permission: tried again next time
            log.warning("could not remove %s left by an interrupted restore: %s", path, exc)
            continue
        gone.append(path)
    if gone:
        log.info("removed %s left by an interrupted restore", ", ".join(p.name for p in gone))
    return gone


def _restore_failed(backup: Path, exc: BaseException) -> StoreError:
    return StoreError(
        msg("The restore from {name} failed: {exc}. The database was not changed.",
            name=backup.name, exc=_reason(exc))
    )  # fmt: skip


def _set_aside(db_path: Path) -> list[Path]:
    """Rename the database and its side files out of the way (side files first, so no
    -wal of the old database is ever left beside the new one); an empty main file and a
    lone -shm hold nothing and are removed. Undone when a rename fails."""
    present = [end for end in ("", *SIDE_FILES) if Path(f"{db_path}{end}").exists()]
    if is_missing(db_path):
        for end in present:
            Path(f"{db_path}{end}").unlink()
        return []
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    n = 1
    while any(Path(f"{aside}{end}").exists() for end in ("", *SIDE_FILES)):
        n += 1
        aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}-{n}")
    done: list[tuple[Path, Path]] = []
    try:
        for end in sorted(present, key=lambda e: e == ""):  # the main file last
            source, target = Path(f"{db_path}{end}"), Path(f"{aside}{end}")
            os.rename(source, target)
            done.append((source, target))
    except OSError:
        for source, target in reversed(done):
            try:
                os.rename(target, source)
            except OSError:
                pass
        raise
    return sorted((target for _source, target in done), key=lambda p: p != aside)


def _copy_database_file(source: Path, tmp: Path) -> None:
    """Copy a database file through SQLite (what was validated): the transactions still in
    its `-wal` beside it come along, which a plain file copy would drop."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _snapshot_into(src, tmp)
    finally:
        src.close()
