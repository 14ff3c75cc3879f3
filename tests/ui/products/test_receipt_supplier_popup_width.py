# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""The goods receipt's supplier suggestions are as wide as the longest name offered
(within the screen): a long company name was cut to "Công ty TNHH May m…" in a popup as
narrow as the field."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from primedist.ui.products.receipts import GoodsReceiptDialog
from tests.ui.products.test_receipt_supplier_typed import (  # noqa: F401  (fixtures)
    NAME,
    cup,
    dialog,
)
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def test_the_whole_name_shows_in_the_suggestions(qtbot, dialog: GoodsReceiptDialog) -> None:
    field = dialog.supplier
    # As narrow as in the walk, the "Did you mean …?" beside it taking the row.
    field.setMaximumWidth(150)
    qtbot.waitUntil(lambda: field.width() <= 150, timeout=WAIT)
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(field, "duc minh")
    popup = field.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT)
    name_width = QFontMetrics(popup.font()).horizontalAdvance(NAME)
    assert name_width > field.width()  # the field alone is too narrow for it
    assert popup.viewport().width() >= name_width  # the whole name, not elided
    screen = field.screen().availableGeometry()
    assert screen.contains(popup.frameGeometry())
