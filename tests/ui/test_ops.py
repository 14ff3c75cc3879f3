"""Op: background work off the UI thread, results and errors back on it, progress/cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread, QTimer

from primedist.errors import Cancelled, NotFound, PrimedistError, ValidationError
from primedist.ui import errors, ops
from primedist.ui.ops import Job, Op, tracker
from primedist.ui.widgets import JobsIndicator

UI_THREAD = threading.get_ident()
WAIT_MS = 5000


@pytest.fixture(autouse=True)
def reported(monkeypatch, qapp) -> Iterator[dict[str, list]]:
    """Record what would have reached the user instead of opening dialogs."""
    seen: dict[str, list] = {"error": [], "crash": []}
    monkeypatch.setattr(
        errors, "show_error", lambda _parent, message, _title=None: seen["error"].append(message)
    )
    monkeypatch.setattr(errors, "show_crash", lambda _parent, exc: seen["crash"].append(exc))
    yield seen
    # No job of a test may outlive it (the database worker is shared and serial).
    for job in list(tracker().jobs):
        job.progress.cancel()
    assert ops._db_pool.submit(lambda: None).result(timeout=20) is None


class Outcome:
    """Collects an Op's callbacks and the threads they ran on."""

    def __init__(self) -> None:
        self.results: list[object] = []
        self.failures: list[BaseException] = []
        self.finished = 0
        self.callback_threads: set[int] = set()

    def success(self, value: object) -> None:
        self.callback_threads.add(threading.get_ident())
        self.results.append(value)

    def failure(self, exc: BaseException) -> None:
        self.callback_threads.add(threading.get_ident())
        self.failures.append(exc)

    def done(self) -> None:
        self.callback_threads.add(threading.get_ident())
        self.finished += 1


def test_runs_off_the_ui_thread_and_delivers_on_it(qtbot):
    outcome = Outcome()

    def work(job: Job) -> tuple[int, str]:
        assert QThread.currentThread() is not ui_qthread
        return threading.get_ident(), threading.current_thread().name

    ui_qthread = QThread.currentThread()
    Op(None, work).success(outcome.success).finally_(outcome.done).run()
    qtbot.waitUntil(lambda: outcome.finished == 1, timeout=WAIT_MS)
    ((worker, name),) = outcome.results
    assert worker != UI_THREAD == threading.get_ident()
    assert name.startswith("primedist-db")
    assert outcome.callback_threads == {UI_THREAD}


def test_network_ops_use_their_own_pool(qtbot):
    outcome = Outcome()
    Op(None, lambda _job: threading.current_thread().name, network=True).success(
        outcome.success
    ).run()
    qtbot.waitUntil(lambda: bool(outcome.results), timeout=WAIT_MS)
    assert outcome.results[0].startswith("primedist-net")


def test_first_delivery_from_a_worker_still_reaches_the_ui_thread(qtbot, monkeypatch):
    """The UI-thread bridge may be created by a worker's done callback (the first Op of
    the app): it must still deliver on the UI thread's event loop."""
    monkeypatch.setattr(ops, "_bridge", None)
    outcome = Outcome()
    started = threading.Event()

    def work(job: Job) -> str:
        started.set()
        time.sleep(0.05)  # finishes after run() returned: the callback runs on the worker
        return "ok"

    Op(None, work).success(outcome.success).run()
    assert started.wait(2)
    qtbot.waitUntil(lambda: outcome.results == ["ok"], timeout=WAIT_MS)
    assert outcome.callback_threads == {UI_THREAD}
    assert ops._bridge is not None
    assert ops._bridge.thread() is QCoreApplication.instance().thread()


def test_primedist_error_without_failure_callback_is_shown(qtbot, reported):
    outcome = Outcome()

    def work(job: Job) -> None:
        raise NotFound("That order no longer exists.")

    Op(None, work).success(outcome.success).finally_(outcome.done).run()
    qtbot.waitUntil(lambda: outcome.finished == 1, timeout=WAIT_MS)
    assert reported["error"] == ["That order no longer exists."]
    assert reported["crash"] == [] and outcome.results == []


def test_failure_callback_takes_the_error_instead(qtbot, reported):
    outcome = Outcome()

    def work(job: Job) -> None:
        raise ValidationError("bad phone", row=3, column="Phone")

    Op(None, work).failure(outcome.failure).finally_(outcome.done).run()
    qtbot.waitUntil(lambda: outcome.finished == 1, timeout=WAIT_MS)
    (exc,) = outcome.failures
    assert (
        isinstance(exc, ValidationError) and exc.user_message == "row 3, column 'Phone': bad phone"
    )
    assert reported == {"error": [], "crash": []}
    assert outcome.callback_threads == {UI_THREAD}


def test_a_bug_goes_to_the_crash_dialog(qtbot, reported, caplog):
    outcome = Outcome()

    def work(job: Job) -> None:
        raise ZeroDivisionError("division by zero in a report")

    Op(None, work).finally_(outcome.done).run()
    qtbot.waitUntil(lambda: outcome.finished == 1, timeout=WAIT_MS)
    assert reported["error"] == []
    (exc,) = reported["crash"]
    assert isinstance(exc, ZeroDivisionError) and not isinstance(exc, PrimedistError)
    assert any(r.exc_info and r.exc_info[1] is exc for r in caplog.records)


def test_with_progress_tracks_the_job_while_it_runs(qtbot):
    release = threading.Event()
    outcome = Outcome()
    changes: list[int] = []

    def on_change() -> None:
        changes.append(len(tracker().jobs))

    tracker().changed.connect(on_change)

    def work(job: Job) -> str:
        job.progress.update(0.5, "Halfway")
        assert release.wait(5)
        return "done"

    op = Op(None, work, title="Importing orders").with_progress()
    op.success(outcome.success).finally_(outcome.done).run()
    assert op.job in tracker().jobs
    indicator = JobsIndicator()
    qtbot.addWidget(indicator)
    qtbot.waitUntil(lambda: indicator.label.text() == "Importing orders Halfway", timeout=WAIT_MS)
    assert indicator.bar.value() == 50
    release.set()
    qtbot.waitUntil(lambda: outcome.finished == 1, timeout=WAIT_MS)
    assert op.job not in tracker().jobs and outcome.results == ["done"]
    tracker().changed.disconnect(on_change)
    assert changes[0] == 1 and changes[-1] == 0
    assert indicator.label.text() == "No background jobs"


def _cancellable(job: Job) -> int:
    """A long loop that checks for cancellation at each step (bounded for safety)."""
    steps = 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        job.progress.check()
        job.progress.update(min(steps / 1000, 1.0), f"step {steps}")
        steps += 1
        time.sleep(0.002)
    return steps


def test_cancel_stops_the_loop_without_an_error(qtbot, reported):
    outcome = Outcome()
    op = Op(None, _cancellable, title="Long").with_progress()
    future = op.success(outcome.success).finally_(outcome.done).run()
    qtbot.waitUntil(lambda: op.job.progress.fraction > 0, timeout=WAIT_MS)
    op.job.progress.cancel()
    qtbot.waitUntil(lambda: outcome.finished == 1, timeout=WAIT_MS)
    assert isinstance(future.exception(), Cancelled)
    assert outcome.results == []
    assert reported == {"error": [], "crash": []}
    assert op.job not in tracker().jobs


def test_jobs_indicator_cancel_button_cancels(qtbot, reported):
    indicator = JobsIndicator()
    qtbot.addWidget(indicator)
    indicator.show()
    assert not indicator.cancel_button.isVisible()
    outcome = Outcome()
    op = Op(None, _cancellable, title="Syncing").with_progress()
    op.failure(outcome.failure).finally_(outcome.done).run()
    qtbot.waitUntil(lambda: indicator.cancel_button.isVisible(), timeout=WAIT_MS)
    assert indicator.cancel_button.text() == "Cancel"
    qtbot.mouseClick(indicator.cancel_button, Qt.MouseButton.LeftButton)
    assert op.job.progress.cancelled
    qtbot.waitUntil(lambda: outcome.finished == 1, timeout=WAIT_MS)
    (exc,) = outcome.failures  # a failure callback sees the Cancelled, nothing else does
    assert isinstance(exc, Cancelled)
    assert reported == {"error": [], "crash": []}
    assert indicator.label.text() == "No background jobs"
    assert not indicator.cancel_button.isVisible()


def test_ui_stays_responsive_while_a_job_runs(qtbot):
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    outcome = Outcome()

    def work(job: Job) -> None:
        time.sleep(0.4)

    timer.start()
    try:
        started = time.monotonic()
        Op(None, work).finally_(outcome.done).run()
        qtbot.waitUntil(lambda: outcome.finished == 1, timeout=WAIT_MS)
    finally:
        timer.stop()
    during = [t for t in ticks if t - started < 0.4]
    assert len(during) >= 5, f"the UI thread was blocked: {len(during)} timer ticks in 0.4 s"


def test_job_session_commits_on_success_and_rolls_back_on_error(qtbot, engine):
    from sqlmodel import Session, select

    from primedist.domain.customer import Tag

    def add_tag(name: str, fail: bool):
        def work(job: Job) -> str:
            with job.uow() as session:
                session.add(Tag(name=name))
                session.flush()
                if fail:
                    raise ValidationError("refused after the write")
            return name

        return work

    ok, bad = Outcome(), Outcome()
    Op(None, add_tag("Khách quen", False), engine=engine).success(ok.success).finally_(
        ok.done
    ).run()
    Op(None, add_tag("Không lưu", True), engine=engine).failure(bad.failure).finally_(
        bad.done
    ).run()
    qtbot.waitUntil(lambda: ok.finished == 1 and bad.finished == 1, timeout=WAIT_MS)
    assert ok.results == ["Khách quen"]
    assert isinstance(bad.failures[0], ValidationError)
    with Session(engine) as session:
        names = set(session.exec(select(Tag.name)).all())
    assert "Khách quen" in names and "Không lưu" not in names
