"""One helper for background work: `Op(parent, fn).success(cb).with_progress(..).run()`.

`fn(job)` runs off the UI thread. Database work is serialised on one worker (SQLite has
one writer: a sale saved during an import waits its turn instead of failing as busy); a
long job that only reads (`with_progress(beside=True)`: an export) runs on a worker of
its own, so the pages' reads go on meanwhile (SQLite in WAL mode reads beside a writer).
A job that swaps the database file (`with_progress(alone=True)`: a restore) waits for that
worker too. Network work (`network=True`) runs on a small separate pool. Progress, the
result and errors come back on the UI thread through a queued signal. A PrimedistError is
shown to the user as its message (a refusal because the account was disabled signs the
user out instead); anything else goes to the crash dialog and the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget
from sqlalchemy.engine import Engine
from sqlmodel import Session

from primedist.db.engine import session_scope
from primedist.errors import Cancelled, PrimedistError
from primedist.jobs.progress import JobProgress
from primedist.ui.messages import error_text

log = logging.getLogger(__name__)
T = TypeVar("T")

_db_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="primedist-db")
#: Long reading jobs (exports), one at a time, beside the others.
_long_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="primedist-long")
#: Held by the long reading job and by a job alone (a restore): never both at once.
_beside_gate = threading.Lock()
_net_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="primedist-net")


def shutdown_pools() -> None:
    """Stop accepting work; running jobs see their cancel flag (called at app exit)."""
    for job in list(tracker().jobs):
        job.progress.cancel()
    _db_pool.shutdown(wait=False, cancel_futures=True)
    _long_pool.shutdown(wait=False, cancel_futures=True)
    _net_pool.shutdown(wait=False, cancel_futures=True)


class _Bridge(QObject):
    """Carries closures from worker threads to the UI thread (queued connection)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @staticmethod
    def _run(fn: Callable[[], None]) -> None:
        fn()


_bridge: _Bridge | None = None
_bridge_lock = threading.Lock()


def on_ui_thread(fn: Callable[[], None]) -> None:
    """Run `fn` on the UI thread soon (safe to call from any thread)."""
    global _bridge
    if _bridge is None:
        with _bridge_lock:
            if _bridge is None:
                bridge = _Bridge()
                # The first call may come from a worker thread (a job's done callback): the
                # bridge must live on the UI thread, or queued calls wait for an event loop
                # that thread never runs.
                app = QCoreApplication.instance()
                if app is not None:
                    bridge.moveToThread(app.thread())
                _bridge = bridge
    _bridge.call.emit(fn)


class Job:
    """What a background function gets: progress/cancel and the database."""

    def __init__(self, title: str, engine: Engine | None) -> None:
        self.title = title
        self.engine = engine
        self.progress = JobProgress()

    @contextmanager
    def uow(self) -> Iterator[Session]:
        """This job's own session: commits on success, rolls back on error."""
        if self.engine is None:
            raise RuntimeError("this job has no database")
        with session_scope(self.engine) as session:
            yield session


class JobTracker(QObject):
    """The running jobs that show progress (the status bar's jobs indicator)."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.jobs: list[Job] = []

    def add(self, job: Job) -> None:
        self.jobs.append(job)
        self.changed.emit()

    def remove(self, job: Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)
            self.changed.emit()

    def update(self) -> None:
        self.changed.emit()


_tracker: JobTracker | None = None


def tracker() -> JobTracker:
    global _tracker
    if _tracker is None:
        _tracker = JobTracker()
    return _tracker


class Op(Generic[T]):
    """A background operation with UI-thread callbacks (see module docstring)."""

    def __init__(
        self,
        parent: QWidget | None,
        fn: Callable[[Job], T],
        *,
        engine: Engine | None = None,
        title: str = "",
        network: bool = False,
    ) -> None:
        self._parent = parent
        self._fn = fn
        self._network = network
        self.job = Job(title, engine)
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._on_finally: Callable[[], None] | None = None
        self._tracked = False
        self._beside = False
        self._alone = False

    def success(self, cb: Callable[[T], None]) -> Op[T]:
        self._on_success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> Op[T]:
        """Handle errors yourself (default: show them to the user)."""
        self._on_failure = cb
        return self

    def finally_(self, cb: Callable[[], None]) -> Op[T]:
        self._on_finally = cb
        return self

    def with_progress(self, *, beside: bool = False, alone: bool = False) -> Op[T]:
        """Show this job in the jobs indicator, with its progress and a Cancel button.

        `beside`: it only reads (an export): it runs beside the other database work, so
        Home and the lists still answer. `alone`: it swaps the database file (a restore):
        no other database job, not even one beside, runs with it."""
        self._tracked = True
        self._beside = beside
        self._alone = alone
        return self

    def run(self) -> Future[T]:
        if self._tracked:
            tracker().add(self.job)
            self.job.progress._on_update = lambda _f, _m: on_ui_thread(tracker().update)
        future = self._pool().submit(self._call, self.job)  # not `self._fn`: see _release
        future.add_done_callback(lambda f: on_ui_thread(lambda: self._deliver(f)))
        return future

    def _pool(self) -> ThreadPoolExecutor:
        if self._network:
            return _net_pool
        return _long_pool if self._beside else _db_pool

    def _call(self, job: Job) -> T:
        if self._beside or self._alone:
            with _beside_gate:
                return self._fn(job)
        return self._fn(job)

    def _deliver(self, future: Future[T]) -> None:
        try:
            self._deliver_to_callbacks(future)
        finally:
            self._release()

    def _deliver_to_callbacks(self, future: Future[T]) -> None:
        if self._tracked:
            tracker().remove(self.job)
        if self._parent is not None and not shiboken6.isValid(self._parent):
            # The page was closed while the job ran: nothing is left to show the result in.
            return
        try:
            exc = future.exception() if not future.cancelled() else Cancelled()
            if exc is None:
                if self._on_success is not None:
                    self._on_success(future.result())
            elif _signs_out(exc):
                pass  # the account was disabled: the window went back to the sign-in
            elif self._on_failure is not None:
                self._on_failure(exc)
            elif not isinstance(exc, Cancelled):
                _report(self._parent, exc)
        finally:
            if self._on_finally is not None:
                self._on_finally()

    def _release(self) -> None:
        """Drop the widget, the function and the callbacks here, on the UI thread.

        The pool's work item and the future keep this Op alive, and the worker thread may
        drop them last: had the Op still held a closed, Python-owned widget (directly or
        in a closure over `self`), the widget would be deleted on that thread.
        """
        self._parent = None
        self._fn = _spent
        self._on_success = self._on_failure = self._on_finally = None


def _spent(_job: Job) -> Any:
    raise RuntimeError("this Op has already run")


def report_in(status: QLabel, parent: QWidget, exc: BaseException) -> None:
    """A refused action or a printer problem (a PrimedistError) said in the dialog's
    `status` line; anything else reported as the app reports a failed job."""
    if isinstance(exc, PrimedistError):
        status.setText(error_text(exc))
    else:
        status.setText("")
        _report(parent, exc)


def failure_text(parent: QWidget, exc: BaseException) -> str:
    """What a status line says of a failed job: the message of a PrimedistError; anything
    else is a bug, reported as the app reports a failed job (log, crash dialog), and the
    line says nothing (never a raw exception's repr)."""
    if isinstance(exc, PrimedistError):
        return error_text(exc)
    _report(parent, exc)
    return ""


def _signs_out(exc: BaseException) -> bool:
    from primedist.ui.errors import signs_out

    return signs_out(exc)


def _report(parent: QWidget | None, exc: BaseException) -> None:
    from primedist.ui.errors import show_crash, show_error

    if isinstance(exc, PrimedistError):
        show_error(parent, error_text(exc))
    else:
        log.error("background job failed", exc_info=exc)
        show_crash(parent, exc)
