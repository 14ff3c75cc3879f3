# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""The goods receipt's supplier field is as wide as the Note field under it while nothing
is said beside it (an empty note label and the row's spacing left it 14 px short); once a
note shows (what the supplier is owed) the field makes room for it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from primedist.ui.products.receipts import GoodsReceiptDialog
from tests.ui.products.test_receipt_supplier_typed import (  # noqa: F401  (fixtures)
    NAME,
    cup,
    dialog,
)
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("no_crash", "app_style")


def right_edge(widget) -> int:  # type: ignore[no-untyped-def]
    return widget.mapTo(widget.window(), widget.rect().topRight()).x()


@pytest.mark.parametrize("language", ["english", "vietnamese"])
def test_the_supplier_field_lines_up_with_the_note(
    qtbot, dialog: GoodsReceiptDialog, language: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(language)
    qtbot.waitUntil(lambda: dialog.supplier.width() > 0, timeout=WAIT)
    qtbot.wait(50)  # the layout after the language change
    supplier, note = dialog.supplier, dialog.note
    assert supplier.height() == note.height()
    assert supplier.width() == note.width()  # was 14 px narrower
    assert right_edge(supplier) == right_edge(note)
    # A known supplier typed: what it is owed shows beside the field, which gives it room.
    qtbot.mouseClick(supplier, Qt.MouseButton.LeftButton)
    supplier.setText(NAME)
    qtbot.waitUntil(lambda: dialog.supplier_debt.text() != "", timeout=WAIT)
    qtbot.waitUntil(dialog.supplier_debt.isVisible, timeout=WAIT)
    qtbot.waitUntil(lambda: right_edge(supplier) < dialog.supplier_debt.x(), timeout=WAIT)
    supplier.clear()
    qtbot.waitUntil(lambda: not dialog.supplier_debt.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: supplier.width() == note.width(), timeout=WAIT)
