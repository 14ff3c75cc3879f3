"""The progress/cancel protocol every long job takes: GUI bar, CLI and scheduler alike.

A job is a plain function `fn(..., progress)` that calls `progress.update(fraction, msg)`
now and then and `progress.check()` at safe points (raises `Cancelled`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from primedist.errors import Cancelled


class Progress(Protocol):
    """What a long job may report and ask."""

    def update(self, fraction: float, message: str = "") -> None:
        """Report progress in [0, 1] with a short message."""

    @property
    def cancelled(self) -> bool:
        """True once the user asked to stop."""

    def check(self) -> None:
        """Raise `Cancelled` if cancellation was requested."""


class JobProgress:
    """A thread-safe Progress: cancel from any thread, listen with a callback."""

    def __init__(self, on_update: Callable[[float, str], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._on_update = on_update
        self.fraction = 0.0
        self.message = ""

    def update(self, fraction: float, message: str = "") -> None:
        self.fraction = min(max(fraction, 0.0), 1.0)
        if message:
            self.message = message
        if self._on_update is not None:
            self._on_update(self.fraction, self.message)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def stop(self) -> threading.Event:
        """Set on cancel: for work that waits on an Event (a subprocess it kills)."""
        return self._cancel

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


class NullProgress(JobProgress):
    """Progress that nobody watches (tests, scheduler jobs)."""
