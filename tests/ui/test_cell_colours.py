"""Cells keep their own colours under the app's style sheet: its `QTableView::item` rule
(padding, a bottom line) made Qt paint every cell white or grey, so the product editor's
refused cell ("in red") and the stock-take's differing lines showed no colour at all. Real
widgets with the app's style sheet, read back pixel by pixel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox

from primedist.services.context import ServiceContext
from primedist.ui.products.editor import DISCOUNT, PRICE, SKU
from primedist.ui.products.stocktake import DIFF_BACKGROUND, StocktakePage
from tests.factories import make_product
from tests.ui.products.test_editor import WAIT_MS, Questions, open_editor, type_cell

pytestmark = pytest.mark.usefixtures("quiet", "app_style", "questions")


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """The editor's "discard the changes?" on closing, answered without a modal box."""
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


UI = Path(__file__).resolve().parents[2] / "primedist" / "ui"


def pixel(view: QAbstractItemView, index: QModelIndex) -> str:
    """The colour at the cell's left edge (in its padding: no text there), mid-height."""
    QApplication.processEvents()
    rect = view.visualRect(index)
    image = view.viewport().grab().toImage()
    return image.pixelColor(rect.left() + 3, rect.center().y()).name()


def test_a_refused_cell_is_red_and_its_row_pink(qtbot: Any, owner_ctx: ServiceContext) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    qtbot.keyClicks(dialog.name, "Mu")
    type_cell(qtbot, dialog.grid, 0, PRICE, "100000")
    type_cell(qtbot, dialog.grid, 0, DISCOUNT, "120000")  # above the price
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.row_in_error() == 0, timeout=WAIT_MS)
    grid = dialog.grid
    assert pixel(grid, grid.model().index(0, DISCOUNT)) == "#fecaca"
    assert pixel(grid, grid.model().index(0, SKU)) == "#fef2f2"


def test_stocktake_lines_that_differ_are_shaded_and_a_selected_one_looks_selected(
    qtbot: Any, engine: Any, owner_ctx: ServiceContext
) -> None:
    make_product(engine, "Áo thun", [("AO-S", 99_000, 10), ("AO-M", 99_000, 3)])
    page = StocktakePage(owner_ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    with qtbot.waitSignal(page.sheetLoaded, timeout=WAIT_MS):
        qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)
    rows = [r.sku for r in page.model.rows]
    differing, plain = rows.index("AO-S"), rows.index("AO-M")
    assert page.model.setData(page.model.index(differing, 6), "4")
    page.view.clearSelection()
    shade = DIFF_BACKGROUND.name()
    assert pixel(page.view, page.model.index(differing, 0)) == shade
    assert pixel(page.view, page.model.index(plain, 0)) != shade
    page.view.selectRow(differing)
    assert pixel(page.view, page.model.index(differing, 0)) == "#dbeafe"  # the selection's


def test_every_screen_that_colours_cells_paints_the_colours() -> None:
    """A new place colouring cells needs show_cell_colours (or a delegate deriving from
    CellColours), else its colour never shows under the style sheet."""
    colouring = re.compile(r"\.setBackground\(|BackgroundRole")
    missing = [
        str(path.relative_to(UI))
        for path in UI.rglob("*.py")
        if path.name != "widgets.py"
        and colouring.search(text := path.read_text(encoding="utf-8"))
        and "show_cell_colours(" not in text
        and not re.search(r"setBackground\(\"w\"\)", text)  # a plot's, not a cell's
    ]
    assert missing == []
