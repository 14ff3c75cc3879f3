"""A 1280×720 laptop at 125 % (a 1024×576 screen, common on Windows): the main window and
the customers import wizard fit it (the window's minimum was 960×600, the wizard a fixed
860×600: its Next and Close were below the screen's edge), and `fit_to_screen` keeps a
window's frame on the screen too."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from primedist.config import Settings
from primedist.services.context import ServiceContext
from primedist.ui.customers.import_wizard import MAPPING, ImportWizard
from primedist.ui.widgets import SCREEN_MARGIN, fit_to_screen
from tests.services.test_customer_import import VI_HEADER, hoa, write_csv
from tests.ui.support import WAIT
from tests.ui.test_windows import main_window

pytestmark = pytest.mark.usefixtures("english", "app_style")

SCREEN = QRect(0, 0, 1024, 576)
ROOM_W, ROOM_H = SCREEN.width() - SCREEN_MARGIN, SCREEN.height() - SCREEN_MARGIN


@pytest.fixture(autouse=True)
def small_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: SCREEN)


def whole(widget: QWidget) -> bool:
    """Shown whole: neither cut by its window's edge nor scrolled out of sight."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def test_the_main_window_may_be_as_small_as_the_screen(
    qtbot: QtBot, owner_ctx: ServiceContext, settings: Settings
) -> None:
    window = main_window(qtbot, owner_ctx, settings)
    assert window.minimumWidth() == 960  # as before: the screen is wide enough
    assert window.minimumHeight() <= ROOM_H  # was 600


#: 1366×768 at 150 % with the taskbar: lower than the mapping step's fourteen choices
#: and preview (500 pixels in Vietnamese).
LOWER = QRect(0, 0, 910, 485)


@pytest.mark.parametrize("screen", [SCREEN, LOWER], ids=["125%", "150%"])
@pytest.mark.usefixtures("vietnamese")
def test_the_import_wizard_fits_with_its_buttons_on_every_step(
    qtbot: QtBot, owner_ctx: ServiceContext, tmp_path: Path, screen: QRect,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: screen)
    room_w, room_h = screen.width() - SCREEN_MARGIN, screen.height() - SCREEN_MARGIN
    wizard = ImportWizard(owner_ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.width() <= room_w and wizard.height() <= room_h  # was a fixed 860×600
    assert whole(wizard.next_button) and whole(wizard.close_button)
    wizard.load_file(write_csv(tmp_path / "k.csv", VI_HEADER, [hoa()]))
    qtbot.waitUntil(lambda: wizard.step() == MAPPING, timeout=WAIT)
    qtbot.wait(50)  # the layout of the mapping
    # No step holds the wizard up: the mapping's choices and preview scroll.
    assert wizard.minimumSizeHint().height() <= wizard.height() <= room_h
    assert wizard.next_button.isEnabled() and whole(wizard.next_button)
    assert whole(wizard.back_button) and whole(wizard.close_button)


def test_fit_to_screen_keeps_the_frame_on_the_screen(qtbot: QtBot) -> None:
    """A window with its frame known (shown): its title bar and borders are room taken,
    where they are more than SCREEN_MARGIN (a tall title bar at 150 %)."""
    window = QWidget()
    qtbot.addWidget(window)
    frame_w, frame_h = 16, SCREEN_MARGIN + 30

    def frame_geometry() -> QRect:
        return QRect(0, 0, window.width() + frame_w, window.height() + frame_h)

    window.frameGeometry = frame_geometry  # type: ignore[method-assign]
    assert fit_to_screen(window, 2000, 2000)
    assert window.height() == SCREEN.height() - frame_h  # was 40 short: the frame off-screen
    assert window.width() == ROOM_W  # the frame's 16 are in the margin
    assert not fit_to_screen(window, 800, 400)
    assert (window.width(), window.height()) == (800, 400)
