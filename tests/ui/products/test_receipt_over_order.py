"""Receiving against a purchase order, a line typed (or scanned) above what the order still
awaits is pointed out before saving — the supplier sent too many, or the count was typed
twice — on its quantity cell and in the totals; it is not refused (extra goods do come)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.products.receipts import OVER, QTY, GoodsReceiptDialog
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


@pytest.fixture
def order(owner_ctx: ServiceContext) -> po.OrderRow:
    """10 cups and 4 plates ordered from Gốm Minh Long; 3 cups came already."""
    for name, sku in (("Cốc sứ Bát Tràng", "COC-1"), ("Đĩa sứ", "DIA-1")):
        create_product(owner_ctx, ProductDraft(name=name, variants=[
            VariantDraft(sku=sku, price=45_000, stock=0)]))  # fmt: skip
    cup = gr.find_variant(owner_ctx, "COC-1").variant_id
    plate = gr.find_variant(owner_ctx, "DIA-1").variant_id
    row = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(cup, 10, 30_000), po.OrderLine(plate, 4, 20_000)]))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 3)],
                                                purchase_order_id=row.id))  # fmt: skip
    return po.get_order(owner_ctx, row.id)


def quantity_cell(dialog: GoodsReceiptDialog, sku: str):  # noqa: ANN201
    row = [ln.hit.sku for ln in dialog.lines].index(sku)
    return dialog.table.item(row, QTY)


def test_more_than_the_order_awaits_is_pointed_out(qtbot, owner_ctx, order):
    to_come = po.to_receive(owner_ctx, order.id)[1]
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx, order=order, to_come=to_come))
    assert [(ln.hit.sku, ln.quantity) for ln in dialog.lines] == [("COC-1", 7), ("DIA-1", 4)]
    assert dialog.totals.text() == "2 lines · 11 units · cost 290,000 VND"
    assert quantity_cell(dialog, "COC-1").toolTip() == ""

    dialog.set_quantity(0, 9)  # 9 cups came, the order awaits 7
    dialog.search.setText("DIA-1")  # a plate scanned once more than came
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.totals.text() == (
        f"2 lines · 14 units · cost 370,000 VND · 3 units more than {order.code} still awaits"
    )
    cup = quantity_cell(dialog, "COC-1")
    assert cup.foreground().color() == OVER
    assert cup.toolTip() == f"{order.code} still awaits 7 of it: 2 more than that came."
    assert quantity_cell(dialog, "DIA-1").toolTip() == (
        f"{order.code} still awaits 4 of it: 1 more than that came."
    )
    # Pointed out, not refused: the extra goods came and are received.
    assert dialog.save_button.isEnabled() and dialog.problem.isHidden()

    dialog.set_quantity(0, 7)
    dialog.set_quantity(1, 4)
    assert dialog.totals.text() == "2 lines · 11 units · cost 290,000 VND"
    assert quantity_cell(dialog, "COC-1").toolTip() == ""


def test_an_order_chosen_in_a_new_receipt_points_out_the_extra(qtbot, owner_ctx, order):
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx))
    for _ in range(9):  # nine cups scanned before the order is chosen
        dialog.search.setText("COC-1")
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    dialog.supplier.setText("Gốm Minh Long")
    dialog.supplier.editingFinished.emit()
    qtbot.waitUntil(lambda: dialog.order_choice.count() == 2, timeout=WAIT)
    assert "more than" not in dialog.totals.text()  # not against an order yet
    dialog.order_choice.setCurrentIndex(1)
    dialog.order_choice.activated.emit(1)
    qtbot.waitUntil(lambda: dialog.order is not None, timeout=WAIT)
    # The order's 7 cups join the 9 scanned: 16, 9 more than it awaits.
    assert [(ln.hit.sku, ln.quantity) for ln in dialog.lines] == [("COC-1", 16), ("DIA-1", 4)]
    assert dialog.totals.text().endswith(f" · 9 units more than {order.code} still awaits")
    assert quantity_cell(dialog, "COC-1").foreground().color() == OVER
    # Back to no order: nothing is awaited, nothing is over.
    dialog.order_choice.setCurrentIndex(0)
    dialog.order_choice.activated.emit(0)
    assert dialog.order is None
    assert dialog.totals.text() == "1 line · 9 units · cost 270,000 VND"  # at its last cost
    assert quantity_cell(dialog, "COC-1").toolTip() == ""
