"""A new goods receipt received against one of the supplier's open purchase orders, then
not: back on "Not against an order" the order's lines go (asking first when they were
changed), so saving does not bring its goods in once here and again against the order;
and an order whose lines cannot join those typed (a SKU at another cost) is not chosen,
the dialog saying why instead of claiming to be against it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.products.receipts import GoodsReceiptDialog
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


@pytest.fixture
def order(owner_ctx: ServiceContext) -> po.OrderRow:
    """10 cups at 30,000 ordered from Gốm Minh Long; plates in stock, not ordered."""
    for name, sku in (("Cốc sứ Bát Tràng", "COC-1"), ("Đĩa sứ", "DIA-1")):
        create_product(owner_ctx, ProductDraft(name=name, variants=[
            VariantDraft(sku=sku, price=45_000, stock=0)]))  # fmt: skip
    cup = gr.find_variant(owner_ctx, "COC-1").variant_id
    return po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long",
                                                    [po.OrderLine(cup, 10, 30_000)]))  # fmt: skip


def scan(qtbot, dialog: GoodsReceiptDialog, code: str) -> None:
    dialog.search.setText(code)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)


def offered(qtbot, owner_ctx: ServiceContext) -> GoodsReceiptDialog:
    """A new receipt, a plate scanned, the supplier named: its open order offered."""
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx))
    scan(qtbot, dialog, "DIA-1")
    dialog.supplier.setText("Gốm Minh Long")
    dialog.supplier.editingFinished.emit()
    qtbot.waitUntil(lambda: dialog.order_choice.count() == 2, timeout=WAIT)
    return dialog


def choose(qtbot, dialog: GoodsReceiptDialog, index: int) -> None:
    dialog.order_choice.setCurrentIndex(index)
    dialog.order_choice.activated.emit(index)


def lines(dialog: GoodsReceiptDialog) -> list[tuple[str, int]]:
    return [(ln.hit.sku, ln.quantity) for ln in dialog.lines]


def test_back_to_no_order_takes_the_orders_lines_off(qtbot, owner_ctx, order):
    dialog = offered(qtbot, owner_ctx)
    choose(qtbot, dialog, 1)
    qtbot.waitUntil(lambda: lines(dialog) == [("DIA-1", 1), ("COC-1", 10)], timeout=WAIT)
    choose(qtbot, dialog, 0)
    # The plate scanned before stays; the order's cups go with it.
    assert lines(dialog) == [("DIA-1", 1)]
    assert dialog.order is None and dialog.windowTitle() == "New goods receipt"
    assert dialog.order_box is None  # nothing was changed: nothing to ask
    assert not dialog.supplier.isReadOnly() and dialog.order_label.isHidden()
    with qtbot.waitSignal(dialog.received, timeout=WAIT) as saved:
        dialog.save()
    row = saved.args[0]
    assert [ln.sku for ln in gr.receipt_lines(owner_ctx, row.id)] == ["DIA-1"]
    # The cups are still to come on the order (received once, when they do).
    assert po.get_order(owner_ctx, order.id).awaited_units == 10


def test_leaving_an_order_whose_lines_were_changed_asks_first(qtbot, owner_ctx, order):
    dialog = offered(qtbot, owner_ctx)
    choose(qtbot, dialog, 1)
    qtbot.waitUntil(lambda: len(dialog.lines) == 2, timeout=WAIT)
    dialog.set_quantity(1, 8)  # two cups did not come
    choose(qtbot, dialog, 0)
    box = dialog.order_box
    assert box is not None and box.isVisible()
    assert box.text() == ("Take the lines of DHN000001 off the receipt? What you changed on "
                          "them is lost.")  # fmt: skip
    # Until answered, the receipt stays against the order.
    assert dialog.order is not None and dialog.order_choice.currentIndex() == 1
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.No), Qt.MouseButton.LeftButton)
    assert lines(dialog) == [("DIA-1", 1), ("COC-1", 8)] and dialog.order is not None
    assert dialog.order_choice.currentIndex() == 1
    choose(qtbot, dialog, 0)
    box = dialog.order_box
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert lines(dialog) == [("DIA-1", 1)] and dialog.order is None
    assert dialog.order_choice.currentIndex() == 0
    dialog.lines.clear()
    dialog.mark_opened()
    dialog.reject()


def test_an_order_that_cannot_join_the_lines_is_not_chosen(qtbot, owner_ctx, order):
    dialog = offered(qtbot, owner_ctx)
    scan(qtbot, dialog, "COC-1")
    dialog.set_cost(1, "100000")  # the cups typed at another cost than the order's
    choose(qtbot, dialog, 1)
    refusal = (
        "DHN000001 was not chosen: SKU COC-1 is on the receipt already at a unit cost "
        "of 100,000 VND and comes again at 30,000 VND: give one. Nothing was added."
    )
    qtbot.waitUntil(lambda: dialog.problem.text() == refusal, timeout=WAIT)
    qtbot.wait(300)  # nothing loading later hides it
    assert dialog.problem.isVisible() and dialog.problem.text() == refusal
    # Not against the order: neither its title nor its choice say so.
    assert dialog.order is None and dialog.windowTitle() == "New goods receipt"
    assert dialog.order_choice.currentIndex() == 0 and dialog.order_label.isHidden()
    costs = [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in dialog.lines]
    assert costs == [("DIA-1", 1, None), ("COC-1", 1, 100_000)]
    # The cost made the order's: it joins.
    dialog.set_cost(1, "30000")
    choose(qtbot, dialog, 1)
    qtbot.waitUntil(lambda: dialog.order is not None, timeout=WAIT)
    assert lines(dialog) == [("DIA-1", 1), ("COC-1", 11)]
    assert dialog.windowTitle() == "Receive the goods of DHN000001"
    dialog.lines.clear()
    dialog.mark_opened()
    dialog.reject()


def test_the_amount_paid_typed_shows_as_money_once_left(qtbot, owner_ctx, order):
    dialog = offered(qtbot, owner_ctx)
    dialog.activateWindow()
    dialog.paid.setFocus()
    qtbot.waitUntil(dialog.paid.hasFocus, timeout=WAIT)
    dialog.paid.selectAll()
    qtbot.keyClicks(dialog.paid, "30000")
    assert dialog.paid.text() == "30000" and dialog.paid_amount() == 30_000
    dialog.note.setFocus()  # Tab on to the next field
    qtbot.waitUntil(lambda: not dialog.paid.hasFocus(), timeout=WAIT)
    assert dialog.paid.text() == "30,000" and dialog.paid_amount() == 30_000
