"""Guards the PySide6 pin in pyproject.toml.

PySide6-Essentials 6.12.0 decrements None's reference count on every
QApplication.processEvents() call; on Python 3.11 (None is not immortal there) the app
crashes after a few thousand events. 6.11.x is clean, hence `PySide6-Essentials<6.12`.
Before lifting the pin, this test must pass on the new version.
"""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

CALLS = 2_000


def test_process_events_keeps_none_refcount(qtbot):
    label = QLabel("Đang tải…")  # some real widget work for the event loop
    qtbot.addWidget(label)
    label.show()
    ticks: list[None] = []
    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(lambda: ticks.append(None))
    timer.start()
    try:
        QApplication.processEvents()
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            QApplication.processEvents()
        after = sys.getrefcount(None)
    finally:
        timer.stop()
    assert ticks, "the event loop did not run"
    # Other code may take or drop a few references meanwhile; a leak per call is ~CALLS.
    assert after >= before - 50, (
        f"None's refcount fell by {before - after} over {CALLS} processEvents() calls on "
        f"PySide6 {PySide6.__version__}: this release over-decrements None (as 6.12.0 did) "
        "and will crash the app. Keep PySide6-Essentials pinned below it in pyproject.toml."
    )
