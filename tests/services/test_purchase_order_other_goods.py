"""A purchase order a receipt was made against — even one bringing none of the SKUs it
ordered — is no longer "nothing came": it is closed, not cancelled (nor changed); and an
ended order's lines show nothing still to come."""

from __future__ import annotations

import pytest

from primedist.domain.purchase_order import PurchaseOrderState as S
from primedist.errors import ValidationError
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services.context import ServiceContext
from tests.factories import make_product


@pytest.fixture
def goods(owner_ctx: ServiceContext) -> dict[str, int]:
    cup, plate, bowl = make_product(owner_ctx.engine, "Gốm", [
        ("COC-1", 45_000, 2), ("DIA-1", 80_000, 0), ("BAT-1", 30_000, 40)])  # fmt: skip
    return {"cup": cup, "plate": plate, "bowl": bowl}


@pytest.fixture
def order(owner_ctx: ServiceContext, goods: dict[str, int]) -> po.OrderRow:
    """10 cups and 5 plates (no bowls) from Gốm Minh Long."""
    return po.create_order(owner_ctx, po.OrderDraft(
        "Gốm Minh Long", [po.OrderLine(goods["cup"], 10, 30_000),
                          po.OrderLine(goods["plate"], 5)]))  # fmt: skip


def bowls_against(ctx: ServiceContext, goods: dict[str, int], order: po.OrderRow) -> int:
    """A receipt of 3 bowls (a SKU not on the order) against the order: its id."""
    return gr.receive_goods(ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["bowl"], 3, 20_000)],
                                                 purchase_order_id=order.id)).id  # fmt: skip


def test_an_order_goods_came_against_is_closed_not_cancelled(owner_ctx, goods, order):
    bowls_against(owner_ctx, goods, order)
    row = po.get_order(owner_ctx, order.id)
    assert (row.state, row.received_units, row.receipts) == (S.ORDERED, 0, 1)
    assert (row.can_cancel(), row.can_close()) == (False, True)
    with pytest.raises(ValidationError, match="Goods of DHN000001 came already: close it"):
        po.cancel_order(owner_ctx, order.id, "hết hàng")
    with pytest.raises(ValidationError, match="can no longer be changed"):
        po.update_order(owner_ctx, order.id, po.OrderDraft(
            "Gốm Minh Long", [po.OrderLine(goods["cup"], 2)]))  # fmt: skip
    assert po.get_order(owner_ctx, order.id).state == S.ORDERED  # neither cancelled nor changed
    closed = po.close_order(owner_ctx, order.id, "NCC giao nhầm hàng")
    assert (closed.state, closed.close_reason, closed.awaited_units, closed.receipts) == (
        S.CLOSED, "NCC giao nhầm hàng", 0, 1)  # fmt: skip


def test_cancelling_the_only_receipt_lets_the_order_be_cancelled_again(owner_ctx, goods, order):
    receipt = bowls_against(owner_ctx, goods, order)
    po.close_order(owner_ctx, order.id, "NCC giao nhầm hàng")
    gr.cancel_receipt(owner_ctx, receipt, "nhập nhầm")
    row = po.get_order(owner_ctx, order.id)
    assert (row.state, row.receipts, row.awaited_units) == (S.ORDERED, 0, 15)  # reopened
    assert po.cancel_order(owner_ctx, order.id, "đặt nhầm").state == S.CANCELLED


def test_an_ended_orders_lines_have_nothing_to_come(owner_ctx, goods, order):
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 4, 30_000)],
                                                purchase_order_id=order.id))  # fmt: skip
    shown = [(ln.sku, ln.received, ln.remaining) for ln in po.order_lines(owner_ctx, order.id)]
    assert shown == [("COC-1", 4, 6), ("DIA-1", 0, 5)]  # open: still to come
    po.close_order(owner_ctx, order.id, "NCC hết hàng")
    shown = [(ln.sku, ln.received, ln.remaining) for ln in po.order_lines(owner_ctx, order.id)]
    assert shown == [("COC-1", 4, 0), ("DIA-1", 0, 0)]
    other = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long",
                                                     [po.OrderLine(goods["bowl"], 2)]))  # fmt: skip
    po.cancel_order(owner_ctx, other.id, "đặt nhầm")
    assert [ln.remaining for ln in po.order_lines(owner_ctx, other.id)] == [0]
    assert po.get_order(owner_ctx, other.id).awaited_units == 0
