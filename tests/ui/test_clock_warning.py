"""The main window's status bar warns while this PC's clock is off from the database
server's (each PC stamps its sales with its own clock), and stops once it is fixed.

The comparison itself needs a PostgreSQL server (tests/services/test_clock_check.py):
here the service the window calls answers what a server would."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from primedist.config import Settings
from primedist.services import clock_check
from primedist.services.context import ServiceContext
from primedist.ui import clock_warning
from primedist.ui.app import ui_settings_for
from primedist.ui.main_window import MainWindow
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("no_crash")


class Server:
    """What `clock_skew` answers (the server's clock minus this PC's), and how often."""

    def __init__(self, skew: timedelta | None) -> None:
        self.skew = skew
        self.asked = 0

    def __call__(self, _ctx: ServiceContext) -> timedelta | None:
        self.asked += 1
        return self.skew


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Server:
    """A server whose clock is 7 minutes ahead of this PC's; checked every 50 ms."""
    fake = Server(timedelta(minutes=7))
    monkeypatch.setattr(clock_check, "clock_skew", fake)
    monkeypatch.setattr(clock_warning, "CHECK_MS", 50)
    return fake


@pytest.fixture
def open_window(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings
) -> Callable[[], MainWindow]:
    def open_it() -> MainWindow:
        window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
        qtbot.addWidget(window)
        window.resize(1366, 740)
        window.show()
        qtbot.waitExposed(window)
        return window

    return open_it


def checked(qtbot: Any, window: MainWindow, server: Server, after: int = 0) -> None:
    """Wait for a check asked after `after` checks to be answered."""
    warning = window.clock_warning
    qtbot.waitUntil(lambda: server.asked > after and not warning.checking, timeout=WAIT)


@pytest.mark.usefixtures("english")
def test_a_pc_behind_the_server_is_warned_until_its_clock_is_fixed(
    qtbot: Any, server: Server, open_window: Callable[[], MainWindow],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.WARNING, logger=clock_warning.__name__)
    window = open_window()
    warning = window.clock_warning
    checked(qtbot, window, server)  # at sign-in
    assert warning.text() == "⚠ This PC's clock is 7 min behind the server's"
    assert warning.isVisible()
    assert "Set time automatically" in warning.toolTip()
    assert "end-of-day report" in warning.toolTip()
    # Whole, even in a window as narrow as the test screen (800 px): the labels beside it
    # give way.
    assert warning.width() >= warning.sizeHint().width()

    asked = server.asked
    checked(qtbot, window, server, asked + 1)  # checked again, still off: said once
    assert warning.isVisible()
    assert len([r for r in caplog.records if "clock" in r.getMessage()]) == 1

    server.skew = timedelta(seconds=1)  # the owner turned "Set time automatically" on
    qtbot.waitUntil(lambda: not warning.isVisible(), timeout=WAIT)
    assert warning.text() == ""


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("skew", "text"),
    [
        (timedelta(minutes=-3), "⚠ This PC's clock is 3 min ahead of the server's"),
        (timedelta(hours=7), "⚠ This PC's clock is 7 hours behind the server's"),
        (timedelta(hours=-1, minutes=-40), "⚠ This PC's clock is 2 hours ahead of the server's"),
        (timedelta(days=1, minutes=3), "⚠ This PC's clock is 1 day behind the server's"),
        (timedelta(days=-3), "⚠ This PC's clock is 3 days ahead of the server's"),
    ],
)
def test_how_far_off_is_said_in_minutes_hours_or_days(
    qtbot: Any, server: Server, open_window: Callable[[], MainWindow], skew: timedelta,
    text: str,
) -> None:  # fmt: skip
    server.skew = skew
    window = open_window()
    checked(qtbot, window, server)
    assert window.clock_warning.text() == text
    assert window.clock_warning.isVisible()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    "skew", [None, timedelta(0), timedelta(seconds=90), timedelta(minutes=-2)]
)  # fmt: skip
def test_clocks_that_agree_or_one_database_file_show_nothing(
    qtbot: Any, server: Server, open_window: Callable[[], MainWindow], skew: timedelta | None
) -> None:
    server.skew = skew
    window = open_window()
    checked(qtbot, window, server)
    assert not window.clock_warning.isVisible()
    assert window.clock_warning.text() == ""


@pytest.mark.usefixtures("vietnamese")
def test_the_warning_in_vietnamese(
    qtbot: Any, server: Server, open_window: Callable[[], MainWindow]
) -> None:
    window = open_window()
    checked(qtbot, window, server)
    assert window.clock_warning.text() == "⚠ Đồng hồ máy này chậm 7 phút so với máy chủ"
    assert "Đặt thời gian tự động" in window.clock_warning.toolTip()
    server.skew = timedelta(hours=-7)
    qtbot.waitUntil(
        lambda: window.clock_warning.text() == "⚠ Đồng hồ máy này nhanh 7 giờ so với máy chủ",
        timeout=WAIT,
    )


def test_a_server_out_of_reach_shows_no_warning_and_no_error(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch, open_window: Callable[[], MainWindow]
) -> None:
    """The comparison failing (the server away) is no one's business here: the status
    bar's sync read says the server is away; the next check tries again."""
    asked: list[int] = []

    def away(_ctx: ServiceContext) -> timedelta | None:
        asked.append(1)
        raise ConnectionError("server away")

    monkeypatch.setattr(clock_check, "clock_skew", away)
    window = open_window()
    qtbot.waitUntil(lambda: bool(asked) and not window.clock_warning.checking, timeout=WAIT)
    assert not window.clock_warning.isVisible()
