"""Helpers of the UI tests (the fixtures are in tests/ui/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from PySide6.QtWidgets import QWidget

from primedist.ui import ops
from primedist.ui.list_tools import alive

#: How long a UI test waits for a background answer (ms).
WAIT = 20_000

W = TypeVar("W", bound=QWidget)


def assert_db_worker_idle() -> None:
    """The database workers are shared: nothing of the test may still run on them (the
    short jobs' worker, and the long jobs' beside it)."""
    assert ops._db_pool.submit(lambda: None).result(timeout=20) is None
    assert ops._long_pool.submit(lambda: None).result(timeout=20) is None


def show_widget(qtbot: Any, widget: W, width: int = 1300, height: int = 700) -> W:
    """Show `widget` at this size (qtbot closes it after the test) and wait until it is."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def close_page(qtbot: Any, page: Any, idle: Callable[[], bool] | None = None) -> None:
    """Stop a list page, wait until it is idle (`idle`, else not busy) and check that no
    job of it outlives it.

    In a fixture's teardown the page may already be closed: pytest-qt closes the test's
    widgets before fixtures tear down, and Qt then deletes them. A job in flight then
    finds its page gone and drops its answer (the page's idle state never comes back):
    the shared worker's idleness is what is checked."""
    page.shutdown()
    ready = idle or (lambda: not page.busy)
    try:
        qtbot.waitUntil(lambda: not alive(page) or ready(), timeout=WAIT)
    except Exception as exc:
        raise AssertionError(f"the page did not go idle: {_state(page)}") from exc
    assert_db_worker_idle()


def _state(page: Any) -> str:
    """What a page still waits for (for a test that times out waiting for it)."""
    names = ("busy", "counts_pending", "_counts_running", "_exporting", "_busy")
    found = {n: getattr(page, n) for n in names if hasattr(page, n)}
    timer = getattr(page, "_counts_timer", None)
    if timer is not None:
        found["counts timer active"] = timer.isActive()
    found["model busy"] = getattr(getattr(page, "model", None), "busy", None)
    found["db jobs queued"] = ops._db_pool._work_queue.qsize()
    try:
        found["db worker answers"] = ops._db_pool.submit(lambda: True).result(timeout=2)
    except Exception as exc:  # a hung worker is what this is here to show
        found["db worker answers"] = repr(exc)
    return repr(found)


@contextmanager
def watched_window(qtbot: Any, ctx: Any, settings: Any, monkeypatch: Any) -> Iterator[Any]:
    """The main window of `ctx`, its watch on changes made elsewhere (`ui.data_watch`)
    reading every 50 ms (5 s in the app). After the test its reads and the Orders tab's
    counts are waited for while it lives: one answered after Qt deleted it is dropped."""
    from primedist.ui import data_watch
    from primedist.ui.app import ui_settings_for
    from primedist.ui.main_window import MainWindow
    from primedist.ui.orders.tab import OrdersPage

    monkeypatch.setattr(data_watch, "INTERVAL_MS", 50)
    window = MainWindow(ctx, ui_settings_for(settings), "Cửa hàng Thử")
    show_widget(qtbot, window, 1300, 760)
    yield window
    if alive(window):
        window.close()
        qtbot.waitUntil(lambda: not alive(window) or not window.data_watch.reading,
                        timeout=WAIT)  # fmt: skip
        page = window.tab_pages["orders"].page
        if isinstance(page, OrdersPage):
            qtbot.waitUntil(lambda: not alive(page) or not page.counts_pending, timeout=WAIT)
    assert_db_worker_idle()


def reads_after(qtbot: Any, window: Any, n: int) -> None:
    """Wait until the watch answered `n` more reads (the first one only notes the stamp)."""
    watch = window.data_watch
    target = watch.reads + n
    qtbot.waitUntil(lambda: watch.reads >= target and not watch.reading, timeout=WAIT)
