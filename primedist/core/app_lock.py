"""One app per data dir: the window holds a lock on a file in the data dir while it runs,
so a second window on the same data, or a command that would replace the database under
it (`primedist restore`), can tell and refuse. The store lock (below) is shared by every
process that has the SQLite store open, so a restore can tell any of them. The operating
system drops a lock when the process ends, however it ends: no stale lock after a crash."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

LOCK_NAME = "primedist.app.lock"


class AppLock:
    """The data dir's app lock (not re-entrant: a process takes it once)."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False when another process holds it."""
        handle = open(self.path, "a+b")  # noqa: SIM115 (held open as long as the lock)
        try:
            _lock(handle)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file drops the lock
            self._file = None


def app_running(data_dir: Path) -> bool:
    """Whether an app window holds this data dir's lock now."""
    if not (Path(data_dir) / LOCK_NAME).exists():
        return False
    probe = AppLock(data_dir)
    if probe.acquire():
        probe.release()
        return False
    return True


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


# The store lock ---------------------------------------------------------------------------
# Every process that uses a SQLite store shares a lock on a file beside it; a restore,
# which swaps the database file, takes it alone or not at all. A restore therefore never
# pulls the file from under an import, a sync or a report still writing to it (their
# writes would land in the replaced file and be lost).
#
# One open file per lock file per process: flock locks belong to an open file, so two of
# them in one process would shut each other out. A process's restore converts its own
# shared lock to exclusive (its own engines are disposed by the restore itself).
#
# Windows: msvcrt has no shared locks, so there the store lock is not taken and a restore
# relies on the app lock alone (the app and `sync --loop`), as before.

STORE_LOCK_NAME = "primedist.store.lock"
SHARED_LOCKS = sys.platform != "win32"


def store_lock_path(db_path: Path) -> Path:
    """The lock file of the SQLite database at `db_path` (beside it: the data dir)."""
    return Path(db_path).parent / STORE_LOCK_NAME


class _Hold:
    """This process's lock on one lock file: how many users hold it, and whether a
    restore in this process has it alone."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.users = 0
        self.exclusive = False


_holds: dict[Path, _Hold] = {}
_holds_guard = threading.Lock()
#: Leaves asked for by a garbage collection while the guard was taken (it may run inside a
#: guarded block of the same thread, where waiting for the guard would never end): done at
#: the next share or leave.
_orphans: list[Path] = []


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


def share_store(path: Path) -> bool:
    """Join this process's shared lock on the lock file `path` (taken on the first join,
    waiting while another process restores). False when no lock could be taken (Windows,
    a folder that cannot hold the file): the caller goes on unlocked."""
    if not SHARED_LOCKS:
        return False
    key = _key(path)
    with _holds_guard:
        _settle_orphans()
        hold = _holds.get(key)
        if hold is None:
            try:
                handle = open(key, "a+b")  # noqa: SIM115 (held open as long as the lock)
            except OSError:
                return False
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH)  # waits out a restore
            except OSError:
                handle.close()
                return False
            hold = _holds[key] = _Hold(handle)
        hold.users += 1
    return True


def leave_store(path: Path) -> None:
    """One user of the shared lock fewer; the last one closes the file (drops the lock)."""
    with _holds_guard:
        _settle_orphans()
        _leave(_key(path))


def leave_store_soon(path: Path) -> None:
    """`leave_store` for a finalizer: now when the guard is free, else at the next share
    or leave (never waits)."""
    if _holds_guard.acquire(blocking=False):
        try:
            _leave(_key(path))
        finally:
            _holds_guard.release()
    else:
        _orphans.append(_key(path))


def _settle_orphans() -> None:
    while _orphans:
        _leave(_orphans.pop())


def _leave(key: Path) -> None:
    hold = _holds.get(key)
    if hold is None:
        return
    hold.users -= 1
    if hold.users <= 0:
        del _holds[key]
        hold.handle.close()


def restoring_here(path: Path) -> bool:
    """Whether a restore in this process holds the lock file `path` alone now."""
    with _holds_guard:
        hold = _holds.get(_key(path))
        return hold is not None and hold.exclusive


@contextmanager
def sole_user(path: Path) -> Iterator[bool]:
    """Hold the lock file `path` alone for the block: yields False at once (nothing
    waited for) when another process shares it, or a restore in this process has it.
    Yields True unlocked where no lock can be taken (Windows, a folder that cannot hold
    the file)."""
    if not share_store(path):
        yield True
        return
    try:
        hold = _holds[_key(path)]
        alone = _take_alone(hold)
        try:
            yield alone
        finally:
            if alone:
                with _holds_guard:
                    fcntl.flock(hold.handle.fileno(), fcntl.LOCK_SH)
                    hold.exclusive = False
    finally:
        leave_store(path)


def _take_alone(hold: _Hold) -> bool:
    with _holds_guard:
        if hold.exclusive:
            return False
        try:
            fcntl.flock(hold.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            # Linux drops the shared lock before it tries the exclusive one: take it back.
            fcntl.flock(hold.handle.fileno(), fcntl.LOCK_SH)
            return False
        hold.exclusive = True
        return True
