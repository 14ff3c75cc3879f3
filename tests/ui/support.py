"""Helpers of the UI tests (the fixtures are in tests/ui/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtWidgets import QWidget

from primedist.ui import ops

#: How long a UI test waits for a background answer (ms).
WAIT = 20_000

W = TypeVar("W", bound=QWidget)


def assert_db_worker_idle() -> None:
    """The database worker is shared: nothing of the test may still run on it."""
    assert ops._db_pool.submit(lambda: None).result(timeout=20) is None


def show_widget(qtbot: Any, widget: W, width: int = 1300, height: int = 700) -> W:
    """Show `widget` at this size (qtbot closes it after the test) and wait until it is."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def close_page(qtbot: Any, page: Any, idle: Callable[[], bool] | None = None) -> None:
    """Stop a list page, wait until it is idle (`idle`, else not busy) and check that no
    job of it outlives it."""
    page.shutdown()
    qtbot.waitUntil(idle or (lambda: not page.busy), timeout=WAIT)
    assert_db_worker_idle()
