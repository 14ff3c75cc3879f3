"""The app's stylesheet as a user sees it: drawn widgets, read back pixel by pixel."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

pytestmark = pytest.mark.usefixtures("app_style")


def darkest_text(button: QPushButton) -> int:
    """The lowest grey level drawn (the label's ink), 0 = black."""
    image = button.grab().toImage()
    return min(
        image.pixelColor(x, y).lightness()
        for x in range(image.width())
        for y in range(image.height())
    )


def test_a_disabled_button_looks_disabled(qtbot: Any) -> None:
    """Any button, not only the named ones: greyed text tells the user it does nothing
    now (the sync panel's Retry and Discard looked as live as Send now)."""
    enabled, disabled = QPushButton("Retry"), QPushButton("Retry")
    for button in (enabled, disabled):
        qtbot.addWidget(button)
        button.resize(120, 36)
        button.show()
    disabled.setEnabled(False)
    qtbot.waitExposed(disabled)
    assert darkest_text(enabled) < 80  # near-black ink
    assert darkest_text(disabled) > 120  # grey ink only
