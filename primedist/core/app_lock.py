"""One app per data dir: the window holds a lock on a file in the data dir while it runs,
so a second window on the same data, or a command that would replace the database under
it (`primedist restore`), can tell and refuse. The operating system drops the lock when
the process ends, however it ends: no stale lock after a crash."""

from __future__ import annotations

import sys
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
