"""Products → Purchase orders: a line that got more than it ordered shows what counts
towards the order (up to what it ordered) and what came over apart, so the lines add up to
the order's received units in the list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.purchase_orders import PurchaseOrdersPage
from tests.factories import make_product
from tests.ui.support import WAIT, show_widget


@pytest.fixture
def page(qtbot, owner_ctx) -> Iterator[ProductsPage]:
    medium, large = make_product(owner_ctx.engine, "Áo sơ mi linen", [
        ("DEN-M", 250_000, 0), ("DEN-L", 250_000, 0)])  # fmt: skip
    order = po.create_order(
        owner_ctx,
        po.OrderDraft(
            "Đức Minh", [po.OrderLine(medium, 10, 120_000), po.OrderLine(large, 5, 120_000)]
        ),
    )
    gr.receive_goods(
        owner_ctx,
        gr.ReceiptDraft(
            [gr.ReceiptLine(medium, 4), gr.ReceiptLine(large, 7)], purchase_order_id=order.id
        ),
    )
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    yield p
    p.shutdown()


@pytest.mark.usefixtures("english")
def test_an_over_delivered_line_shows_what_came_over_apart(qtbot, page):
    orders = page.show_tab(ProductsPage.ORDERS)
    assert isinstance(orders, PurchaseOrdersPage)
    qtbot.waitUntil(lambda: orders.count.text() == "1 order", timeout=WAIT)
    qtbot.waitUntil(lambda: orders.lines_table.rowCount() == 2, timeout=WAIT)
    assert orders.table.item(0, 6).text() == "9/15"
    received = [orders.lines_table.item(r, 3).text() for r in range(2)]
    to_come = [orders.lines_table.item(r, 4).text() for r in range(2)]
    assert received == ["4", "5 (2 over)"]
    assert to_come == ["6", ""]
