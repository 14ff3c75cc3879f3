# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The sale screen from the keyboard: Tab leaves the lines for the note and the customer
(it cycled through the cells once a line existed) while a cell is still edited by typing
over it, the arrows and Tab inside an edited cell; "+ New customer" takes the phone
before creating on Enter."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from sqlalchemy.engine import Engine

from primedist.domain.customer import Customer, CustomerPhone
from primedist.services.context import ServiceContext
from primedist.ui.orders.sale import LinesModel, QuickCustomerDialog, SaleDialog
from tests.ui.orders.test_sale_dialog import (  # noqa: F401  (fixtures)
    SHIRT_M,
    SHIRT_S,
    dialog,
    field,
    lines,
    products,
    questions,
    scan,
)
from tests.ui.support import show_widget

pytestmark = pytest.mark.usefixtures("english")

SHIFT = Qt.KeyboardModifier.ShiftModifier


def test_tab_leaves_the_lines_for_the_note(qtbot, dialog: SaleDialog) -> None:
    scan(qtbot, dialog, SHIRT_S)
    scan(qtbot, dialog, SHIRT_M)
    view = dialog.lines
    view.setCurrentIndex(dialog.model.index(0, LinesModel.PRODUCT))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is field(dialog, "note")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
    assert dialog.focusWidget() is field(dialog, "customerSearch")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Backtab, SHIFT)
    assert dialog.focusWidget() is field(dialog, "productSearch")
    assert view.currentIndex().row() == 0  # the cursor did not move from cell to cell


def test_a_cell_is_still_edited_from_the_keyboard(qtbot, dialog: SaleDialog) -> None:
    scan(qtbot, dialog, SHIRT_S)
    scan(qtbot, dialog, SHIRT_M)
    view = dialog.lines
    view.setCurrentIndex(dialog.model.index(0, LinesModel.QTY))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Down)  # arrows move between the lines
    assert view.currentIndex().row() == 1
    qtbot.keyClicks(view, "3")  # typing over a cell edits it (F2 is the product search)
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "3"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.viewport().findChild(QLineEdit) is None)
    assert lines(dialog) == [("AO-S", 1), ("AO-M", 3)]
    # Up to the first line; Tab in a cell being edited goes on to the next cell.
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClicks(view, "2")
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert view.currentIndex() == dialog.model.index(0, LinesModel.PRICE)
    assert view.state() == view.State.EditingState
    price = [e for e in view.viewport().findChildren(QLineEdit) if e.isVisible()]
    assert len(price) == 1
    qtbot.keyClick(price[0], Qt.Key.Key_Escape)  # leaves the cell, not the sale
    assert lines(dialog) == [("AO-S", 2), ("AO-M", 3)] and dialog.isVisible()


def test_enter_in_the_new_customers_name_goes_to_the_phone(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    quick = show_widget(qtbot, QuickCustomerDialog(owner_ctx), 400, 200)
    assert quick.focusWidget() is quick.name
    qtbot.keyClicks(quick.name, "Pham Thu Ha")
    qtbot.keyClick(quick.name, Qt.Key.Key_Return)
    assert quick.isVisible() and quick.focusWidget() is quick.phone
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Customer)).scalar_one() == 0
    qtbot.keyClicks(quick.phone, "0912345678")
    with qtbot.waitSignal(quick.created, timeout=5_000) as created:
        qtbot.keyClick(quick.phone, Qt.Key.Key_Return)  # the last field creates
    assert not quick.isVisible() and created.args[0].name == "Pham Thu Ha"
    with engine.connect() as conn:
        phones = conn.execute(sa.select(CustomerPhone.phone)).scalars().all()
    assert [p.replace(" ", "") for p in phones] == ["0912345678"]
