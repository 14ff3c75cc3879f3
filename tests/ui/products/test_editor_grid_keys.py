# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The product editor's variant grid from the keyboard: Tab leaves the grid (it went from
cell to cell and never out), while a cell is still edited with F2 or by typing over it,
the arrows move between cells and Tab in a cell being edited goes on to the next one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QTableWidget

from primedist.services.context import ServiceContext
from primedist.ui.products.editor import PRICE, SKU, ProductEditor
from tests.ui.products.test_editor import (  # noqa: F401  (fixtures)
    WAIT_MS,
    open_editor,
    questions,
    quiet,
)

SHIFT = Qt.KeyboardModifier.ShiftModifier


def editing(grid: QTableWidget) -> QLineEdit:
    editor = grid.indexWidget(grid.currentIndex())
    assert isinstance(editor, QLineEdit) and grid.state() == QTableWidget.State.EditingState
    return editor


def committed(qtbot, grid: QTableWidget) -> None:
    qtbot.waitUntil(lambda: grid.state() != QTableWidget.State.EditingState, timeout=WAIT_MS)


def grid_with_rows(qtbot, ctx: ServiceContext) -> tuple[ProductEditor, QTableWidget]:
    dialog = open_editor(qtbot, ctx)
    dialog.add_row()
    dialog.add_row()
    grid = dialog.grid
    grid.setCurrentCell(0, SKU)
    grid.setFocus()
    return dialog, grid


def test_tab_leaves_the_variant_grid(qtbot, owner_ctx: ServiceContext) -> None:
    dialog, grid = grid_with_rows(qtbot, owner_ctx)
    qtbot.keyClick(grid, Qt.Key.Key_Tab)
    after = dialog.focusWidget()
    assert after is not grid and grid.currentColumn() == SKU
    after.setFocus()
    qtbot.keyClick(after, Qt.Key.Key_Backtab, SHIFT)
    assert dialog.focusWidget() is grid
    qtbot.keyClick(grid, Qt.Key.Key_Backtab, SHIFT)
    assert dialog.focusWidget() not in (grid, after)
    assert (grid.currentRow(), grid.currentColumn()) == (0, SKU)


def test_a_grid_cell_is_still_edited_from_the_keyboard(qtbot, owner_ctx: ServiceContext) -> None:
    _dialog, grid = grid_with_rows(qtbot, owner_ctx)
    qtbot.keyClick(grid, Qt.Key.Key_F2)
    editor = editing(grid)
    editor.selectAll()
    qtbot.keyClicks(editor, "AO-DO-S")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # on to the next cell, edited
    assert grid.currentColumn() == SKU + 1 and grid.item(0, SKU).text() == "AO-DO-S"
    qtbot.keyClick(editing(grid), Qt.Key.Key_Escape)
    committed(qtbot, grid)
    grid.setCurrentCell(0, PRICE)
    qtbot.keyClick(grid, Qt.Key.Key_Down)  # arrows move between the cells
    assert (grid.currentRow(), grid.currentColumn()) == (1, PRICE)
    qtbot.keyClicks(grid, "9")  # typing over a cell edits it
    editor = editing(grid)
    qtbot.keyClicks(editor, "9000")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    committed(qtbot, grid)
    assert grid.item(1, PRICE).text().replace(",", "").replace(".", "") == "99000"
