"""Python's cyclic garbage collector runs on the UI thread only, from a timer.

CPython starts a collection in whichever thread happens to allocate when a threshold
trips: a database worker (ui/ops.py), the search pool, the scheduler's or the sync's
threads. A collection frees every unreachable cycle, and a cycle may hold the last
reference to a Python-owned QObject (a closed window whose slots are lambdas over `self`,
a dialog). Its C++ object is then deleted on that worker thread: Qt cannot stop the
object's timers there ("Timers cannot be stopped from another thread") and the UI
thread's timer list later fires a timer of freed memory, a segfault in
QTimerInfoList::activateTimers.

So while the app runs, automatic collection is off and the UI thread collects on a
timer, with the interpreter's own generation thresholds (the same work, on the right
thread). Threads keep freeing non-cyclic garbage by reference counting as usual.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

#: How often the UI thread looks at the allocation counts (a collection only runs when
#: a generation is over its threshold, as automatic collection would).
INTERVAL_MS = 500


class UiThreadCollector(QObject):
    """Turns automatic GC off and collects on the UI thread; `stop()` gives it back."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)

    def start(self) -> None:
        self._was_enabled = gc.isenabled() or self._was_enabled
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._was_enabled:
            gc.enable()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def collect_due(self) -> int:
        """Collect the generations over their thresholds, youngest first (what automatic
        collection does); returns the number of objects found unreachable."""
        if gc.isenabled():  # turned back on (services.import_support.gc_paused ending)
            self._was_enabled = True
            gc.disable()
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        found = 0
        generation = -1
        for gen in range(3):
            if thresholds[gen] and counts[gen] > thresholds[gen]:
                generation = gen
            else:
                break
        if generation >= 0:
            found = gc.collect(generation)
        return found


_collector: UiThreadCollector | None = None


def collect_on_ui_thread(app: QCoreApplication) -> UiThreadCollector:
    """Start collecting on `app`'s thread (idempotent); call it on the UI thread."""
    global _collector
    if _collector is None:
        _collector = UiThreadCollector(app)
    if not _collector.active:
        _collector.start()
    return _collector


def current_collector() -> UiThreadCollector | None:
    """The collector, if one was started."""
    return _collector
