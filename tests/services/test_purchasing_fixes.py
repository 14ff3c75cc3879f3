"""Purchasing and stock-take fixes: a stock-take that would leave stock below 0 is refused
whole; cancelling a receipt that carries a payment, or a return that carries money given
back, takes the owner or a manager (as cancelling a payment does); no money comes back
for goods of a receipt that names no supplier; the demo's stock reasons are the
catalogue's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Module, Role
from primedist.domain.product import StockMovement, Variant
from primedist.domain.supplier import SupplierPayment
from primedist.errors import PermissionDenied, ValidationError
from primedist.services import goods_receipts as gr
from primedist.services import stock
from primedist.services import supplier_returns as sr
from primedist.services.context import Actor, ServiceContext
from tests.factories import make_grouped_pair, make_product
from tests.services.test_permissions import staff


def on_hand(ctx: ServiceContext, variant_id: int) -> int:
    v = table_of(Variant).c
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(v.stock).where(v.id == variant_id)).scalar_one())


def count_of(ctx: ServiceContext, model: type) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table_of(model))).scalar())


# --------------------------------------------------------------------------- stock-take


def test_a_stocktake_that_would_go_below_zero_is_refused_naming_its_lines(owner_ctx):
    """The sheet showed 40 and 38 went out while counting; the counter counted 1 (of the 2
    still there, one hidden): applied, on hand would be 2 + (1 − 40) = −37. Nothing is
    applied — not even the line that is fine — and the line is named with its figures."""
    shirt, cup = make_product(owner_ctx.engine, "Áo", [("AO-S", 99_000, 40), ("COC-1", 9, 5)])
    seen = stock.on_hand_now(owner_ctx, [shirt, cup])
    stock.stock_out(owner_ctx, shirt, 38, reason="bán khi đang đếm")
    moves_before, audits_before = (
        count_of(owner_ctx, StockMovement),
        count_of(owner_ctx, AuditEvent),
    )
    with pytest.raises(ValidationError) as refused:
        stock.apply_stocktake(owner_ctx, {shirt: 1, cup: 4}, reason="Kiểm kê", seen=seen)
    text = str(refused.value)
    assert "AO-S (counted 1, 40 on the sheet, 2 on hand now: -37)" in text
    assert "count them again" in text and "COC-1" not in text
    assert (on_hand(owner_ctx, shirt), on_hand(owner_ctx, cup)) == (2, 5)
    assert count_of(owner_ctx, StockMovement) == moves_before
    assert count_of(owner_ctx, AuditEvent) == audits_before
    # Counted again on a fresh sheet, it goes through.
    fresh = stock.on_hand_now(owner_ctx, [shirt, cup])
    stock.apply_stocktake(owner_ctx, {shirt: 1, cup: 4}, reason="Kiểm kê", seen=fresh)
    assert (on_hand(owner_ctx, shirt), on_hand(owner_ctx, cup)) == (1, 4)


def test_a_grouped_line_below_zero_is_refused_too_and_many_lines_are_cut_short(owner_ctx):
    _group, cap_a, _cap_b = make_grouped_pair(owner_ctx.engine, stock=4)
    many = make_product(owner_ctx.engine, "Cốc", [(f"C-{i:02d}", 9, 3) for i in range(12)])
    seen = {cap_a: 10, **dict.fromkeys(many, 9)}  # the sheet showed more than there is now
    with pytest.raises(ValidationError) as refused:
        stock.apply_stocktake(owner_ctx, {cap_a: 0, **dict.fromkeys(many, 0)}, reason="x",
                              seen=seen)  # fmt: skip
    text = str(refused.value)
    assert "(counted 0, 10 on the sheet, 4 on hand now: -6)" in text
    assert "C-08 (counted 0, 9 on the sheet, 3 on hand now: -6)" in text
    assert "C-09" not in text and ", 3 more." in text  # ten named, the rest counted


def test_levels_now_reads_on_hand_and_reserved(owner_ctx):
    (shirt,) = make_product(owner_ctx.engine, "Áo", [("AO-S", 99_000, 7)])
    _group, cap_a, _cap_b = make_grouped_pair(owner_ctx.engine, stock=4)
    v = table_of(Variant).c
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.update(table_of(Variant)).where(v.id == shirt).values(reserved=3))
    levels = stock.levels_now(owner_ctx, [shirt, cap_a, 999_999])
    assert levels == {shirt: stock.StockLevel(7, 3), cap_a: stock.StockLevel(4, 0)}
    assert stock.on_hand_now(owner_ctx, [shirt]) == {shirt: 7}


# --------------------------------------------------------------------------- cancelling money


@pytest.fixture
def cups(owner_ctx: ServiceContext) -> int:
    (cup,) = make_product(owner_ctx.engine, "Cốc", [("COC-1", 45_000, 0)])
    return cup


def paid_receipt(ctx: ServiceContext, cup: int, paid: int | None = None) -> gr.ReceiptRow:
    return gr.receive_goods(ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 10, 30_000)],
                                                 supplier="Gốm Minh Long", paid=paid))  # fmt: skip


def payment_cancelled(ctx: ServiceContext, receipt_id: int) -> bool:
    p = table_of(SupplierPayment).c
    with ctx.engine.connect() as conn:
        at = conn.execute(sa.select(p.cancelled_at).where(p.receipt_id == receipt_id)).scalar()
    return at is not None


def test_staff_cannot_cancel_a_receipt_that_carries_a_payment(owner_ctx, cups):
    row = paid_receipt(owner_ctx, cups)
    lan = staff(owner_ctx, Module.PRODUCTS)
    with pytest.raises(PermissionDenied, match="Only the owner or a manager"):
        gr.cancel_receipt(lan, row.id, "nhầm")
    assert on_hand(owner_ctx, cups) == 10 and not payment_cancelled(owner_ctx, row.id)
    assert gr.get_receipt(owner_ctx, row.id).cancelled_at is None
    # A manager may (and the payment goes with it).
    minh = owner_ctx.with_actor(Actor(None, "Minh", "minh@x.vn", Role.MANAGER))
    gr.cancel_receipt(minh, row.id, "nhầm")
    assert payment_cancelled(owner_ctx, row.id) and on_hand(owner_ctx, cups) == 0


def test_staff_may_still_cancel_a_receipt_with_nothing_paid(owner_ctx, cups):
    owed = paid_receipt(owner_ctx, cups, paid=0)  # all owed: no payment
    gr.cancel_receipt(staff(owner_ctx, Module.PRODUCTS), owed.id, "nhầm")
    assert gr.get_receipt(owner_ctx, owed.id).cancelled_at is not None
    anonymous = gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cups, 2, 1_000)]))
    gr.cancel_receipt(staff(owner_ctx, Module.PRODUCTS), anonymous.id, "nhầm")
    assert on_hand(owner_ctx, cups) == 0


def test_staff_cannot_cancel_a_return_that_carries_money_given_back(owner_ctx, cups):
    row = paid_receipt(owner_ctx, cups, paid=0)
    (line,) = gr.receipt_lines(owner_ctx, row.id)
    refunded = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(row.id, {line.id: 2}, "Vỡ",
                                                               refund=60_000))  # fmt: skip
    plain = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(row.id, {line.id: 1}, "Vỡ"))
    lan = staff(owner_ctx, Module.PRODUCTS)
    with pytest.raises(PermissionDenied, match="Only the owner or a manager"):
        sr.cancel_return(lan, refunded.id, "nhầm")
    assert sr.get_return(owner_ctx, refunded.id).cancelled_at is None
    assert on_hand(owner_ctx, cups) == 7
    # One without money given back: staff may.
    assert sr.cancel_return(lan, plain.id, "nhầm").cancelled_at is not None
    minh = owner_ctx.with_actor(Actor(None, "Minh", "minh@x.vn", Role.MANAGER))
    assert sr.cancel_return(minh, refunded.id, "nhầm").cancelled_at is not None
    assert on_hand(owner_ctx, cups) == 10


def test_no_money_comes_back_for_a_receipt_without_a_supplier(owner_ctx, cups):
    row = gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cups, 5, 30_000)]))
    (line,) = gr.receipt_lines(owner_ctx, row.id)
    with pytest.raises(ValidationError, match=f"{row.code} names no supplier"):
        sr.return_to_supplier(owner_ctx, sr.ReturnDraft(row.id, {line.id: 2}, "Vỡ",
                                                        refund=60_000))  # fmt: skip
    assert on_hand(owner_ctx, cups) == 5 and sr.receipt_returns(owner_ctx, row.id) == []
    # Without money back the goods still go.
    assert sr.return_to_supplier(owner_ctx, sr.ReturnDraft(row.id, {line.id: 2}, "Vỡ")).units == 2
