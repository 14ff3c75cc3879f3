# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""The goods receipt's supplier field is as wide as the Note field under it, whatever is
said about the supplier: that (what it is owed, "Did you mean …?") shows on a wrapped
line of its own under the field, kept while empty (nothing moves as it comes). Beside the
field, the long hint left it ~120 px wide."""

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
    gap = note.y() - supplier.y()
    # A known supplier typed: what it is owed shows under the field, which keeps its width.
    qtbot.mouseClick(supplier, Qt.MouseButton.LeftButton)
    supplier.setText(NAME)
    said = dialog.supplier_debt
    qtbot.waitUntil(lambda: said.text() != "", timeout=WAIT)
    qtbot.wait(50)
    assert supplier.width() == note.width()
    assert said.y() >= supplier.geometry().bottom() and said.x() == supplier.x()
    assert note.y() >= said.geometry().bottom()
    assert note.y() - supplier.y() == gap  # its line was there: nothing moved
    supplier.clear()
    qtbot.waitUntil(lambda: said.text() == "", timeout=WAIT)
    qtbot.wait(50)
    assert note.y() - supplier.y() == gap


@pytest.mark.parametrize("width", [980, 760])
def test_a_long_hint_wraps_under_the_field(qtbot, dialog: GoodsReceiptDialog, width: int) -> None:
    dialog.resize(width, dialog.height())
    supplier, note, said = dialog.supplier, dialog.note, dialog.supplier_debt
    qtbot.keyClicks(supplier, "may mac duc minh")
    supplier.completer().popup().hide()  # typed on, nothing picked
    qtbot.waitUntil(lambda: said.text().startswith("Did you mean"), timeout=WAIT)
    qtbot.wait(50)
    assert supplier.width() == note.width()  # was ~120 px beside the hint
    assert said.y() >= supplier.geometry().bottom()
    assert right_edge(said) <= right_edge(note)
    # Whole: wrapped on as many lines as its width needs.
    assert said.wordWrap() and said.height() >= said.heightForWidth(said.width())
