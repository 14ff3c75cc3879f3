"""Products → Purchase orders: an order a receipt brought other goods against offers Close
(not Cancel nor Change), and once closed its lines show nothing still to come."""

from __future__ import annotations

import pytest

from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from tests.ui.products.test_purchase_orders_page import orders_page, page, products  # noqa: F401
from tests.ui.support import WAIT

TO_COME = 4  # the lines table's "to come" column


@pytest.mark.usefixtures("english")
def test_other_goods_against_an_order_offer_close(qtbot, page, owner_ctx, products):  # noqa: F811
    order = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(products["COC-1"], 10, 30_000)]))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(products["DIA-1"], 2, 50_000)],
                                                purchase_order_id=order.id))  # fmt: skip
    orders = orders_page(qtbot, page, "1 order")
    orders.table.selectRow(0)
    qtbot.waitUntil(lambda: "received with PN000001" in orders.lines_title.text(), timeout=WAIT)
    assert orders.lines_table.item(0, TO_COME).text() == "10"
    assert orders.close_button.isEnabled()
    assert not orders.cancel_button.isEnabled() and not orders.edit_button.isEnabled()
    assert orders.ask_reason("cancel") is None
    box = orders.ask_reason("close")
    assert box is not None and box.labelText() == "10 units will not come. Why?"
    box.textValueSelected.emit("NCC giao nhầm hàng")
    qtbot.waitUntil(lambda: orders.count.text() == "0 orders", timeout=WAIT)  # open ones only
    orders.state.setCurrentIndex(1)  # all orders
    qtbot.waitUntil(lambda: orders.count.text() == "1 order", timeout=WAIT)
    orders.table.selectRow(0)
    # The title follows the selection at once, the lines once they are read.
    qtbot.waitUntil(lambda: "Closed: NCC giao nhầm hàng" in orders.lines_title.text()
                    and orders.lines_table.item(0, TO_COME) is not None, timeout=WAIT)  # fmt: skip
    assert orders.lines_table.item(0, TO_COME).text() == ""  # nothing to come once closed
    assert not orders.close_button.isEnabled() and not orders.cancel_button.isEnabled()
