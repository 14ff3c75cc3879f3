"""A purchase-order line that got more than it ordered: its received figure counts up to
what it ordered (as the order's received units do), the rest shown apart as over, so the
lines add up to the order's totals; cancelling the receipt takes both off again."""

from __future__ import annotations

import pytest

from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services.context import ServiceContext
from tests.factories import make_product


@pytest.fixture
def goods(owner_ctx: ServiceContext) -> dict[str, int]:
    medium, large = make_product(owner_ctx.engine, "Áo sơ mi linen", [
        ("DEN-M", 250_000, 0), ("DEN-L", 250_000, 0)])  # fmt: skip
    return {"M": medium, "L": large}


def test_the_lines_add_up_to_the_orders_totals(owner_ctx, goods):
    order = po.create_order(
        owner_ctx,
        po.OrderDraft(
            "Đức Minh",
            [po.OrderLine(goods["M"], 10, 120_000), po.OrderLine(goods["L"], 5, 120_000)],
        ),
    )
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["M"], 4), gr.ReceiptLine(goods["L"], 7)],
        purchase_order_id=order.id))  # fmt: skip
    row = po.get_order(owner_ctx, order.id)
    lines = po.order_lines(owner_ctx, order.id)
    assert [(ln.sku, ln.quantity, ln.received, ln.over, ln.remaining) for ln in lines] == [
        ("DEN-M", 10, 4, 0, 6), ("DEN-L", 5, 5, 2, 0)]  # fmt: skip
    assert (row.received_units, row.awaited_units) == (9, 6)
    assert sum(ln.received for ln in lines) == row.received_units
    assert sum(ln.remaining for ln in lines) == row.awaited_units

    gr.cancel_receipt(owner_ctx, receipt.id, "nhập nhầm")
    lines = po.order_lines(owner_ctx, order.id)
    assert [(ln.received, ln.over, ln.remaining) for ln in lines] == [(0, 0, 10), (0, 0, 5)]
    assert po.get_order(owner_ctx, order.id).received_units == 0
