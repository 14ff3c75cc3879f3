"""QObjects are deleted on the UI thread only: Python's cyclic GC does not run on worker
threads (it would delete a Python-owned QObject there, and a timer of it later fires on
freed memory), and an Op lets go of its widget on the UI thread once it has delivered."""

from __future__ import annotations

import gc
import threading
from concurrent.futures import Future

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from primedist.ui.ops import Job, Op
from primedist.ui.ui_thread_gc import collect_on_ui_thread

WAIT_MS = 5000


def garbage_qobject(destroyed_on: list[str]) -> None:
    """A Python-owned QObject reachable only from a reference cycle (as a closed window
    whose slots are lambdas over `self`); records the thread its C++ object dies on."""
    obj = QObject()
    obj.destroyed.connect(lambda: destroyed_on.append(threading.current_thread().name))
    obj.cycle = obj  # type: ignore[attr-defined]


def allocate_on_a_worker(kept: list[object]) -> None:
    """Allocate far past every collection threshold on another thread (kept alive, so the
    allocation counts stay high after it ends)."""

    def work() -> None:
        kept.append([[] for _ in range(200_000)])

    worker = threading.Thread(target=work, name="allocating-worker")
    worker.start()
    worker.join(30)


def test_a_worker_thread_never_runs_the_collection_the_ui_thread_does(qtbot, qapp):
    collector = collect_on_ui_thread(qapp)
    assert collector.active and not gc.isenabled()
    destroyed_on: list[str] = []
    kept: list[object] = []
    gc.collect()  # the new cycle is the youngest garbage
    garbage_qobject(destroyed_on)
    allocate_on_a_worker(kept)
    assert destroyed_on == []  # automatic collection would have freed it on the worker
    qtbot.waitUntil(lambda: destroyed_on != [], timeout=WAIT_MS)  # the collector's timer
    assert destroyed_on == [threading.current_thread().name] == ["MainThread"]


def test_stop_gives_automatic_collection_back(qapp):
    collector = collect_on_ui_thread(qapp)
    collector.stop()
    try:
        assert gc.isenabled() and not collector.active
    finally:
        collector.start()
    assert not gc.isenabled()


def run_op_over(widget: QWidget, delivered: list[int]) -> Future[int]:
    """An Op whose function and callback are closures over the widget (as `self` is). The
    work waits until run() returns, so the future holds the Op's done callback."""
    submitted = threading.Event()

    def work(_job: Job) -> int:
        submitted.wait(WAIT_MS / 1000)
        return 42 if widget.objectName() == "" else 0

    op = Op(widget, work)
    future = op.success(lambda value: delivered.append(value + len(widget.objectName()))).run()
    submitted.set()
    return future


def test_an_op_lets_go_of_its_widget_on_the_ui_thread(qtbot):
    """The worker may drop the pool's work item and the future last: by then the Op must
    hold neither the widget nor closures over it."""
    widget = QWidget()  # Python-owned, as a closed page or dialog is
    destroyed_on: list[str] = []
    widget.destroyed.connect(lambda: destroyed_on.append(threading.current_thread().name))
    delivered: list[int] = []
    future = run_op_over(widget, delivered)
    qtbot.waitUntil(lambda: delivered == [42], timeout=WAIT_MS)
    del widget  # the test's reference: the future (as the worker's would) still lives
    assert destroyed_on == ["MainThread"]
    assert future.result() == 42
