# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""A barcode scanner types into whatever has the focus: after a cell of a line was edited
(the code became the line's discount or price), after the cash (the code became the cash,
Enter did nothing), while a name search's list shows (the code was typed after the name).
Each scan now adds its product. Also: Backspace on the lines no longer removes a line;
COD is not offered for a counter sale; "+ New customer" withdraws its "Sell to …" offer
when the phone is changed (Enter sold to the other customer)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QListView
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.ui.orders.sale import PAYMENT_METHODS, LinesModel, SaleDialog
from tests.factories import make_customers
from tests.ui.orders.test_sale_dialog import (  # noqa: F401  (fixtures)
    SHIRT_M,
    SHIRT_S,
    dialog,
    field,
    lines,
    products,
    questions,
    scan,
    settle,
)

pytestmark = pytest.mark.usefixtures("english")


def type_at_focus(qtbot, dialog: SaleDialog, text: str, *, enter: bool = True) -> None:
    """What a scanner (or the cashier) does: keys into whatever has the focus now."""
    for char in text:
        widget = dialog.focusWidget()
        assert widget is not None
        qtbot.keyClicks(widget, char)
    if enter:
        widget = dialog.focusWidget()
        assert widget is not None
        qtbot.keyClick(widget, Qt.Key.Key_Return)


def edit_cell(qtbot, dialog: SaleDialog, col: int, text: str) -> None:
    """Over the first line's cell from the keyboard: type, Enter."""
    view = dialog.lines
    view.setFocus()
    view.setCurrentIndex(dialog.model.index(0, col))
    type_at_focus(qtbot, dialog, text)
    qtbot.waitUntil(lambda: view.viewport().findChild(QLineEdit) is None)


@pytest.mark.parametrize("col", [LinesModel.DISCOUNT, LinesModel.PRICE, LinesModel.QTY])
def test_a_scan_after_a_cell_edit_adds_its_product(qtbot, dialog: SaleDialog, col: int) -> None:
    scan(qtbot, dialog, SHIRT_S)
    edit_cell(qtbot, dialog, col, "2")
    assert dialog.focusWidget() is field(dialog, "productSearch")
    type_at_focus(qtbot, dialog, SHIRT_M)
    assert lines(dialog) == [("AO-S", 2 if col == LinesModel.QTY else 1), ("AO-M", 1)]
    first = dialog.model.lines[0]
    assert (first.discount, first.unit_price) == (
        2 if col == LinesModel.DISCOUNT else 0, 2 if col == LinesModel.PRICE else None)  # fmt: skip


def test_backspace_on_the_lines_keeps_the_line(qtbot, dialog: SaleDialog) -> None:
    scan(qtbot, dialog, SHIRT_S)
    dialog.lines.setFocus()
    qtbot.keyClick(dialog.lines, Qt.Key.Key_Backspace)
    assert lines(dialog) == [("AO-S", 1)]
    qtbot.keyClick(dialog.lines, Qt.Key.Key_Delete)  # the key the screen names
    assert lines(dialog) == []


def test_enter_after_the_cash_goes_back_to_the_products(qtbot, dialog: SaleDialog) -> None:
    product, cash = field(dialog, "productSearch"), field(dialog, "cashReceived")
    scan(qtbot, dialog, SHIRT_S)
    qtbot.keyClick(product, Qt.Key.Key_F4)
    type_at_focus(qtbot, dialog, "100.000")
    assert dialog.focusWidget() is product
    type_at_focus(qtbot, dialog, SHIRT_M)  # one more item: a line, not cash
    settle(qtbot, dialog)
    assert lines(dialog) == [("AO-S", 1), ("AO-M", 1)] and cash.text() == "100,000"
    assert dialog.problems == ["The cash received is 119,000 short of the total."]


def test_a_code_scanned_into_the_cash_is_refused(qtbot, dialog: SaleDialog) -> None:
    """Cash "500000", then a scan: 5,000,008,930,000,000,028 đ of cash, saved with its change."""
    product = field(dialog, "productSearch")
    scan(qtbot, dialog, SHIRT_S)
    qtbot.keyClick(product, Qt.Key.Key_F4)
    type_at_focus(qtbot, dialog, "500000", enter=False)
    type_at_focus(qtbot, dialog, SHIRT_M)
    settle(qtbot, dialog)
    assert dialog.focusWidget() is product  # the next scan lands where it should
    assert dialog.problems == ["The cash received cannot be more than 1,000,000,000,000."]
    assert not dialog.save_button.isEnabled()
    assert dialog.total_values["change"].text() == "—"
    qtbot.keyClick(product, Qt.Key.Key_F9)
    assert dialog.last_created is None and lines(dialog) == [("AO-S", 1)]


def test_a_scan_while_the_name_list_shows_adds_its_product(qtbot, dialog: SaleDialog) -> None:
    product = field(dialog, "productSearch")
    type_at_focus(qtbot, dialog, "ao thun")
    assert dialog.product_popup.isVisible() and dialog.product_popup.count() == 2
    type_at_focus(qtbot, dialog, SHIRT_M)  # scanned instead of picked
    assert lines(dialog) == [("AO-M", 1)] and product.text() == ""
    # Typing on after a name still narrows the name down (nothing selected ate it).
    type_at_focus(qtbot, dialog, "ao")
    type_at_focus(qtbot, dialog, " thun")
    assert product.text() == "ao thun"
    popup = dialog.product_popup
    assert popup.isVisible() and popup.count() == 2
    assert "Áo thun cotton" in popup.item(0).text()


def test_cod_is_not_offered_for_a_counter_sale(qtbot, dialog: SaleDialog) -> None:
    payment = dialog.payment
    cod = PAYMENT_METHODS.index(PaymentMethod.COD)
    view = payment.view()
    assert isinstance(view, QListView)
    assert view.isRowHidden(cod)
    for _ in PAYMENT_METHODS:  # the arrows go through every method but COD
        qtbot.keyClick(payment, Qt.Key.Key_Down)
        assert payment.currentData() != PaymentMethod.COD
    assert payment.currentData() == PaymentMethod.ON_ACCOUNT
    dialog.type_buttons[OrderSource.PHONE].click()  # a delivery: COD, the default
    assert payment.currentData() == PaymentMethod.COD and not view.isRowHidden(cod)
    dialog.type_buttons[OrderSource.COUNTER].click()
    assert payment.currentData() == PaymentMethod.CASH and view.isRowHidden(cod)
    # Had it been chosen anyway: said, and Save stays off.
    scan(qtbot, dialog, SHIRT_S)
    payment.setCurrentIndex(cod)
    settle(qtbot, dialog)
    assert dialog.problems == [
        "A counter sale is not paid on delivery (COD): choose how the customer pays now."
    ]
    assert not dialog.save_button.isEnabled()


def test_a_changed_phone_withdraws_the_offer(qtbot, dialog: SaleDialog, engine: Engine) -> None:
    """The phone was another customer's: "Sell to Lê Thị Lan" offered. The cashier types
    the right phone and Enter: a new customer with it, not a sale to Lê Thị Lan."""
    make_customers(engine, 1, names=["Lê Thị Lan"])
    with engine.connect() as conn:
        taken = conn.execute(sa.text("SELECT phone FROM customer_phones")).scalar_one()
    quick = dialog.open_new_customer()
    qtbot.keyClicks(quick.name, "Ngo Hai")
    qtbot.keyClick(quick.name, Qt.Key.Key_Return)
    qtbot.keyClicks(quick.phone, taken)
    qtbot.keyClick(quick.phone, Qt.Key.Key_Return)
    assert quick.use_existing.isVisible() and quick.use_existing.isDefault()
    assert quick.focusWidget() is quick.phone  # typing goes on in the phone…
    qtbot.keyClicks(quick.phone, "0912000999")  # …over the number (selected)
    assert quick.phone.text() == "0912000999"
    assert not quick.use_existing.isVisible() and not quick.error.isVisible()
    assert quick.save.isDefault()  # Enter creates again
    with qtbot.waitSignal(quick.created, timeout=5_000):
        qtbot.keyClick(quick.phone, Qt.Key.Key_Return)
    assert not quick.isVisible()
    assert dialog.customer is not None and dialog.customer.name == "Ngo Hai"
    assert dialog.customer.phone == "0912000999"
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM customers")).scalar_one() == 2
