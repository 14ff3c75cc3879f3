"""Purchase orders and goods receipts point to each other: a receipt lists the order it
was made against (code and id, read with the list's one query), and an order's lines say
how many of what came went back to the supplier since (standing returns of its standing
receipts only, the line's own SKU only)."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import supplier_returns as sr
from primedist.services.context import ServiceContext
from tests.factories import make_product


@pytest.fixture
def goods(owner_ctx: ServiceContext) -> dict[str, int]:
    cup, plate = make_product(owner_ctx.engine, "Gốm", [("COC-1", 45_000, 0),
                                                        ("DIA-1", 80_000, 0)])  # fmt: skip
    return {"cup": cup, "plate": plate}


def order_of(ctx: ServiceContext, goods: dict[str, int]) -> po.OrderRow:
    return po.create_order(ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(goods["cup"], 10, 30_000), po.OrderLine(goods["plate"], 20, 50_000)]))


def receive(ctx: ServiceContext, order: po.OrderRow | None, lines: dict[int, int]) -> int:
    draft = gr.ReceiptDraft([gr.ReceiptLine(v, q) for v, q in lines.items()],
                            supplier="Gốm Minh Long",
                            purchase_order_id=order.id if order else None)  # fmt: skip
    return gr.receive_goods(ctx, draft).id


def send_back(ctx: ServiceContext, receipt_id: int, variant: int, quantity: int) -> int:
    line = next(ln.id for ln in gr.receipt_lines(ctx, receipt_id) if ln.variant_id == variant)
    return sr.return_to_supplier(ctx, sr.ReturnDraft(receipt_id, {line: quantity}, "Vỡ")).id


def lines_by_sku(ctx: ServiceContext, order_id: int) -> dict[str, tuple[int, int]]:
    """{sku: (received, returned)} of the order's lines."""
    return {ln.sku: (ln.received, ln.returned) for ln in po.order_lines(ctx, order_id)}


def test_a_receipt_names_its_order_in_the_list_in_one_query(owner_ctx, goods):
    order = order_of(owner_ctx, goods)
    against = receive(owner_ctx, order, {goods["cup"]: 5})
    alone = receive(owner_ctx, None, {goods["plate"]: 1})
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(owner_ctx.engine, "before_cursor_execute", count)
    try:
        rows = {row.id: row for row in gr.list_receipts(owner_ctx)}
    finally:
        event.remove(owner_ctx.engine, "before_cursor_execute", count)
    # The order's code comes with the rows (besides the permission check), not a read each.
    reads = [text for text in statements if "purchase_orders" in text]
    assert len(reads) == 1 and "FROM goods_receipts" in reads[0]
    assert (rows[against].order_code, rows[against].order_id) == (order.code, order.id)
    assert (rows[alone].order_code, rows[alone].order_id) == ("", None)
    one = gr.get_receipt(owner_ctx, against)
    assert (one.order_code, one.order_id) == (order.code, order.id)


def test_an_orders_lines_count_what_went_back_to_the_supplier(owner_ctx, goods):
    order = order_of(owner_ctx, goods)
    first = receive(owner_ctx, order, {goods["cup"]: 5, goods["plate"]: 20})
    assert lines_by_sku(owner_ctx, order.id) == {"COC-1": (5, 0), "DIA-1": (20, 0)}
    back = send_back(owner_ctx, first, goods["cup"], 2)
    # What came still counts as received (the order is not awaiting it again).
    assert lines_by_sku(owner_ctx, order.id) == {"COC-1": (5, 2), "DIA-1": (20, 0)}
    second = receive(owner_ctx, order, {goods["cup"]: 3})
    send_back(owner_ctx, second, goods["cup"], 1)
    assert lines_by_sku(owner_ctx, order.id)["COC-1"] == (8, 3)
    # Goods of the same SKU from a receipt made without the order count for nothing.
    elsewhere = receive(owner_ctx, None, {goods["cup"]: 4})
    send_back(owner_ctx, elsewhere, goods["cup"], 4)
    assert lines_by_sku(owner_ctx, order.id)["COC-1"] == (8, 3)
    # A return cancelled stops counting.
    sr.cancel_return(owner_ctx, back, "Nhập nhầm")
    assert lines_by_sku(owner_ctx, order.id) == {"COC-1": (8, 1), "DIA-1": (20, 0)}


def test_another_orders_returns_count_for_nothing(owner_ctx, goods):
    first, other = order_of(owner_ctx, goods), order_of(owner_ctx, goods)
    receive(owner_ctx, first, {goods["cup"]: 2})
    theirs = receive(owner_ctx, other, {goods["cup"]: 6})
    send_back(owner_ctx, theirs, goods["cup"], 6)
    assert lines_by_sku(owner_ctx, first.id)["COC-1"] == (2, 0)
    assert lines_by_sku(owner_ctx, other.id)["COC-1"] == (6, 6)
