"""A filter dialog is wide enough for its window title in Vietnamese: the title bar of a
dialog only as wide as its two inputs read "Tổng chi… khoảng"."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QFont, QFontMetrics

from primedist.queries.customers import CustomerFilter
from primedist.ui.customers.list_page import FilterDialog
from tests.ui.support import show_widget

pytestmark = pytest.mark.usefixtures("app_style", "vietnamese", "shown")

#: What a title bar takes besides its title, at the least: the icon and three buttons.
BAR_ROOM = 120


@pytest.mark.parametrize("kind", ["expenses", "successful", "success_rate", "created"])
def test_the_window_title_fits_in_the_title_bar(qtbot: Any, kind: str) -> None:
    dialog = FilterDialog(kind, CustomerFilter())
    show_widget(qtbot, dialog, 10, 10)  # as small as it lets itself be
    title = dialog.windowTitle()
    assert title == dialog.title.text() and " " in title  # the whole title, a sentence
    bold = QFont(dialog.font())
    bold.setBold(True)
    assert dialog.width() >= QFontMetrics(bold).horizontalAdvance(title) + BAR_ROOM
