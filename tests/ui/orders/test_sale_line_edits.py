# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Typing into the sale's lines: "1.000" is a thousand in the quantity as in the money
fields; a value the line cannot take is not dropped in silence any more, the cashier reads
why under the lines (until the lines change)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from primedist.ui.i18n import install_language
from primedist.ui.orders.sale import LinesModel, SaleDialog
from tests.ui.orders.test_sale_dialog import (  # noqa: F401  (fixtures)
    SHIRT_S,
    dialog,
    products,
    questions,
    scan,
    settle,
)

pytestmark = pytest.mark.usefixtures("english")


def type_into(qtbot, dialog: SaleDialog, col: int, text: str) -> None:
    """Edit the first line's cell as the cashier does: type over it, Enter."""
    view = dialog.lines
    index = dialog.model.index(0, col)
    view.setCurrentIndex(index)
    view.edit(index)
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    qtbot.keyClick(editor, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.viewport().findChild(QLineEdit) is None)


def refusal(dialog: SaleDialog) -> str | None:
    label = dialog.line_refusal
    return label.text() if label.isVisibleTo(dialog) else None


def test_a_quantity_with_a_thousands_dot(qtbot, dialog: SaleDialog) -> None:
    scan(qtbot, dialog, SHIRT_S)
    type_into(qtbot, dialog, LinesModel.QTY, "1.000")
    assert dialog.model.lines[0].quantity == 1000 and refusal(dialog) is None
    install_language("vi")
    type_into(qtbot, dialog, LinesModel.QTY, "1.200")
    assert dialog.model.lines[0].quantity == 1200
    settle(qtbot, dialog)
    assert dialog.total_values["total"].text() == "118.800.000 ₫"


def test_a_refused_value_says_why(qtbot, dialog: SaleDialog) -> None:
    scan(qtbot, dialog, SHIRT_S)
    model = dialog.model
    assert refusal(dialog) is None
    type_into(qtbot, dialog, LinesModel.QTY, "0")
    assert model.lines[0].quantity == 1
    assert refusal(dialog) == "Quantity “0”: type a whole number from 1 to 1,000,000."
    assert not model.setData(model.index(0, LinesModel.QTY), "1,5")
    assert refusal(dialog) == "Quantity “1,5”: type a whole number from 1 to 1,000,000."
    assert not model.setData(model.index(0, LinesModel.DISCOUNT), "10%")
    assert model.lines[0].discount == 0
    assert refusal(dialog) == "Discount: “10%” is not an amount of money."
    assert not model.setData(model.index(0, LinesModel.PRICE), "12345678901234567890")
    assert model.lines[0].unit_price is None
    assert refusal(dialog) == "Unit price cannot be more than 1,000,000,000,000."
    settle(qtbot, dialog)
    assert dialog.save_button.isEnabled()  # the line kept what it had: nothing to fix
    # A change that is taken: the note has said its piece.
    type_into(qtbot, dialog, LinesModel.QTY, "3")
    assert model.lines[0].quantity == 3 and refusal(dialog) is None
    assert not model.setData(model.index(0, LinesModel.QTY), "")
    assert refusal(dialog) is not None
    dialog.remove_line()
    assert refusal(dialog) is None


def test_a_discount_over_its_line_is_the_only_problem(qtbot, dialog: SaleDialog) -> None:
    """Not also "the order discount must be between 0 and −101,000", nor a total below 0."""
    scan(qtbot, dialog, SHIRT_S)
    type_into(qtbot, dialog, LinesModel.DISCOUNT, "200.000")
    settle(qtbot, dialog)
    assert dialog.problems == ["Line 1 (AO-S): the discount must be between 0 and 99,000."]
    assert dialog.total_values["total"].text() == "0 VND"
    assert not dialog.save_button.isEnabled()
    dialog.order_discount.setText("150.000")  # and an order discount over the goods
    type_into(qtbot, dialog, LinesModel.DISCOUNT, "")
    settle(qtbot, dialog)
    assert dialog.problems == ["The order discount must be between 0 and 99,000."]
    assert dialog.total_values["total"].text() == "0 VND"


def test_a_quantity_of_thousands_is_not_cut(qtbot, dialog: SaleDialog) -> None:
    scan(qtbot, dialog, SHIRT_S)
    view = dialog.lines
    type_into(qtbot, dialog, LinesModel.QTY, "1.000.000")
    assert dialog.model.lines[0].quantity == 1_000_000
    text = dialog.model.data(dialog.model.index(0, LinesModel.QTY))
    assert text == "1,000,000"
    assert view.columnWidth(LinesModel.QTY) >= view.sizeHintForColumn(LinesModel.QTY)
