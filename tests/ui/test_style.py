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


def test_dialog_buttons_carry_words_only(qtbot: Any) -> None:
    """Save / Cancel look the same on every system: no stock icons beside the words (Linux
    desktop styles add them, Windows does not), as in the dialogs that build their own
    buttons. The box is given a style that asks for icons, as a Linux desktop's does."""
    from PySide6.QtWidgets import QDialogButtonBox, QProxyStyle, QStyle

    class IconsOnDialogButtons(QProxyStyle):
        def styleHint(self, hint: Any, *args: Any) -> int:
            if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
                return 1
            return int(super().styleHint(hint, *args))

    style = IconsOnDialogButtons("Fusion")
    box = QDialogButtonBox()
    box.setStyle(style)
    box.setStandardButtons(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(box)
    for which in (QDialogButtonBox.StandardButton.Save, QDialogButtonBox.StandardButton.Cancel):
        assert box.button(which).icon().isNull(), which
