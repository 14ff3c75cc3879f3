"""Goods back to the supplier: some of a receipt's lines out of stock again in one
transaction, what is owed to the supplier less (and more again for money it gave back),
the account's entries, the limits (received − returned, available stock), a receipt with
returns no longer cancellable, cash given back into the drawer, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Module, OrderSource, PaymentMethod, StockMoveKind
from primedist.domain.product import StockMovement, Variant
from primedist.domain.supplier import SupplierReturn
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.services import end_of_day as eod
from primedist.services import goods_receipts as gr
from primedist.services import orders
from primedist.services import supplier_returns as sr
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_permissions import staff


def stock(ctx: ServiceContext, variant: int) -> int:
    with ctx.engine.connect() as conn:
        v = table_of(Variant).c
        return int(conn.execute(sa.select(v.stock).where(v.id == variant)).scalar_one())


@pytest.fixture
def delivery(owner_ctx: ServiceContext) -> tuple[gr.ReceiptRow, dict[str, int]]:
    """10 cups at 30.000 and 5 plates at 50.000 from Gốm Minh Long (550.000), 200.000
    paid: owed 350.000."""
    cup, plate = make_product(owner_ctx.engine, "Gốm", [("COC-1", 45_000, 0),
                                                        ("DIA-1", 80_000, 0)])  # fmt: skip
    row = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(cup, 10, 30_000), gr.ReceiptLine(plate, 5, 50_000)],
        supplier="Gốm Minh Long", paid=200_000))  # fmt: skip
    lines = {ln.sku: ln.id for ln in gr.receipt_lines(owner_ctx, row.id)}
    return row, {"cup": cup, "plate": plate, "cup_line": lines["COC-1"],
                 "plate_line": lines["DIA-1"]}  # fmt: skip


def test_goods_back_owed_less(owner_ctx, delivery, clock):
    receipt, ids = delivery
    supplier_id = receipt.supplier_id
    assert sup.get_supplier(owner_ctx, supplier_id).debt == 350_000
    clock.advance(timedelta(hours=2))
    wanted = {ids["cup_line"]: 3, ids["plate_line"]: 0}
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, wanted, "  Vỡ khi giao "))
    assert (back.code, back.units, back.total, back.refund, back.reason) == (
        "TH000001",
        3,
        90_000,
        0,
        "Vỡ khi giao",
    )
    assert stock(owner_ctx, ids["cup"]) == 7 and stock(owner_ctx, ids["plate"]) == 5
    row = sup.get_supplier(owner_ctx, supplier_id)
    assert (row.bought, row.paid, row.debt) == (460_000, 200_000, 260_000)
    assert [(ln.sku, ln.returned) for ln in gr.receipt_lines(owner_ctx, receipt.id)] == [
        ("COC-1", 3), ("DIA-1", 0)]  # fmt: skip
    listed = gr.get_receipt(owner_ctx, receipt.id)
    assert (listed.returned, listed.refunded, listed.owed) == (90_000, 0, 260_000)
    with owner_ctx.engine.connect() as conn:
        move = conn.execute(
            sa.select(table_of(StockMovement)).where(
                StockMovement.reason == f"Return to supplier TH000001 · {receipt.code}"
            )
        ).one()  # type: ignore[arg-type]
        audit = conn.execute(
            sa.select(table_of(AuditEvent)).where(AuditEvent.action == "goods_receipt.return")
        ).one()  # type: ignore[arg-type]
    assert (move.kind, move.quantity) == (StockMoveKind.STOCK_OUT.value, -3)
    assert audit.summary == f"TH000001: 3 units of {receipt.code} back to the supplier"

    # The rest of the cups and two plates, the supplier giving 100.000 back in cash.
    clock.advance(timedelta(hours=1))
    again = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(
        receipt.id, {ids["cup_line"]: 7, ids["plate_line"]: 2}, reason="Sai mẫu",
        refund=100_000))  # fmt: skip
    assert (again.total, again.refund) == (310_000, 100_000)
    row = sup.get_supplier(owner_ctx, supplier_id)
    assert (row.bought, row.paid, row.debt) == (150_000, 100_000, 50_000)
    ledger = sup.supplier_ledger(owner_ctx, supplier_id)
    assert [(e.kind, e.code, e.amount, e.balance) for e in ledger] == [
        ("refund", "TH000002", 100_000, 50_000),
        ("return", "TH000002", 310_000, -50_000),
        ("return", "TH000001", 90_000, 260_000),
        ("payment", "PC000001", 200_000, 350_000),
        ("receipt", receipt.code, 550_000, 550_000),
    ]  # fmt: skip
    assert ledger[0].method == PaymentMethod.CASH and ledger[1].receipt_code == receipt.code
    assert [r.code for r in sr.receipt_returns(owner_ctx, receipt.id)] == ["TH000001", "TH000002"]
    with pytest.raises(ValidationError, match=f"Goods of {receipt.code} went back to the "
                                              "supplier \\(TH000001\\)"):  # fmt: skip
        gr.cancel_receipt(owner_ctx, receipt.id, "nhầm")


@pytest.mark.parametrize(
    ("quantities", "extra", "message"),
    [
        ({"cup_line": 11}, {}, "SKU COC-1: 10 came in and 0 went back already: at most 10"),
        ({"cup_line": 0}, {}, "Choose how many of which lines go back"),
        ({"cup_line": -1}, {}, "cannot be negative"),
        ({"cup_line": 1}, {"reason": " "}, "Say why the goods go back"),
        ({"cup_line": 1}, {"refund": 30_001}, r"must be 0 to the goods' cost \(30,000\)"),
        ({"cup_line": 1}, {"refund": 1_000, "method": PaymentMethod.COD}, "not by"),
        ({999: 1}, {}, "Line 999 is not on PN000001"),
    ],
)  # fmt: skip
def test_refused_returns_take_nothing(owner_ctx, delivery, quantities, extra, message):
    receipt, ids = delivery
    wanted = {ids.get(k, k) if isinstance(k, str) else k: v for k, v in quantities.items()}
    fields = {"reason": "Vỡ", **extra}
    with pytest.raises(ValidationError, match=message):
        sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, wanted, **fields))  # type: ignore[arg-type]
    assert stock(owner_ctx, ids["cup"]) == 10
    with owner_ctx.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            table_of(SupplierReturn))).scalar_one() == 0  # fmt: skip


def test_only_what_is_available_goes_back(owner_ctx, delivery, clock):
    receipt, ids = delivery
    sold = orders.create_order(owner_ctx, orders.OrderDraft(
        lines=(orders.DraftLine(ids["cup"], 8),), source=OrderSource.COUNTER,
        payment_method=PaymentMethod.CASH))  # fmt: skip
    assert sold.total > 0 and stock(owner_ctx, ids["cup"]) == 2
    with pytest.raises(ValidationError, match="SKU COC-1 has 2 available .*: 3 cannot go back"):
        sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {ids["cup_line"]: 3}, "Vỡ"))
    # Nothing went back: not even the plates named with them.
    assert stock(owner_ctx, ids["plate"]) == 5
    assert sr.return_to_supplier(owner_ctx, sr.ReturnDraft(
        receipt.id, {ids["cup_line"]: 2}, "Vỡ")).units == 2  # fmt: skip


def test_a_cancelled_receipt_cannot_send_goods_back(owner_ctx, delivery):
    receipt, ids = delivery
    gr.cancel_receipt(owner_ctx, receipt.id, "nhầm")
    with pytest.raises(ValidationError, match="PN000001 was cancelled: nothing of it"):
        sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {ids["cup_line"]: 1}, "x"))
    with pytest.raises(NotFound):
        sr.return_to_supplier(owner_ctx, sr.ReturnDraft(999, {1: 1}, "x"))


def test_cash_given_back_comes_into_the_drawer(owner_ctx, delivery, clock: FixedClock):
    receipt, ids = delivery
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {ids["cup_line"]: 2}, "Vỡ",
                                                    refund=60_000))  # fmt: skip
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(
        receipt.id, {ids["cup_line"]: 1}, "Vỡ", refund=30_000,
        method=PaymentMethod.BANK_TRANSFER))  # fmt: skip
    report = eod.end_of_day(owner_ctx)
    # 200.000 cash paid with the delivery, 60.000 cash given back (the transfer is not cash).
    assert report.supplier_cash == 200_000 - 60_000


def test_returns_need_products_access(ctx, owner_ctx, delivery):
    receipt, ids = delivery
    lan = staff(ctx, Module.ORDERS)
    with pytest.raises(PermissionDenied):
        sr.return_to_supplier(lan, sr.ReturnDraft(receipt.id, {ids["cup_line"]: 1}, "x"))
    with pytest.raises(PermissionDenied):
        sr.receipt_returns(lan, receipt.id)


def test_a_return_entered_by_mistake_is_cancelled(owner_ctx, delivery, clock):
    receipt, ids = delivery
    supplier_id = receipt.supplier_id
    wrong = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(
        receipt.id, {ids["cup_line"]: 4, ids["plate_line"]: 1}, "Vỡ", refund=50_000))  # fmt: skip
    clock.advance(timedelta(minutes=5))
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {ids["cup_line"]: 1}, "Vỡ"))
    assert sup.get_supplier(owner_ctx, supplier_id).debt == 350_000 - 170_000 + 50_000 - 30_000
    assert eod.end_of_day(owner_ctx).supplier_cash == 200_000 - 50_000
    with pytest.raises(ValidationError, match="Say why the return is cancelled") as exc:
        sr.cancel_return(owner_ctx, wrong.id, "  ")
    assert exc.value.field == "reason" and stock(owner_ctx, ids["cup"]) == 5

    clock.advance(timedelta(hours=1))
    row = sr.cancel_return(owner_ctx, wrong.id, " nhập nhầm số lượng ")
    assert (row.code, row.cancel_reason, row.cancelled_at) == (
        "TH000001", "nhập nhầm số lượng", clock.now())  # fmt: skip
    # The goods are back, and only the standing return counts anywhere.
    assert stock(owner_ctx, ids["cup"]) == 9 and stock(owner_ctx, ids["plate"]) == 5
    assert sup.get_supplier(owner_ctx, supplier_id).debt == 350_000 - 30_000
    assert eod.end_of_day(owner_ctx).supplier_cash == 200_000
    listed = gr.get_receipt(owner_ctx, receipt.id)
    assert (listed.returned, listed.refunded, listed.owed) == (30_000, 0, 320_000)
    assert [(ln.sku, ln.returned) for ln in gr.receipt_lines(owner_ctx, receipt.id)] == [
        ("COC-1", 1), ("DIA-1", 0)]  # fmt: skip
    ledger = sup.supplier_ledger(owner_ctx, supplier_id)
    assert [(e.kind, e.code, e.counts, e.balance) for e in ledger] == [
        ("return", "TH000002", True, 320_000),
        ("refund", "TH000001", False, 350_000),
        ("return", "TH000001", False, 350_000),
        ("payment", "PC000001", True, 350_000),
        ("receipt", receipt.code, True, 550_000),
    ]  # fmt: skip
    assert [(r.code, r.cancelled_at is None) for r in sr.receipt_returns(
        owner_ctx, receipt.id)] == [("TH000001", False), ("TH000002", True)]  # fmt: skip
    # What came back can go back again; a cancelled return stays cancelled.
    assert sr.return_to_supplier(owner_ctx, sr.ReturnDraft(
        receipt.id, {ids["cup_line"]: 9}, "Sai mẫu")).units == 9  # fmt: skip
    with pytest.raises(ValidationError, match="TH000001 was cancelled already"):
        sr.cancel_return(owner_ctx, wrong.id, "lại")
    with pytest.raises(NotFound, match="Return 999"):
        sr.cancel_return(owner_ctx, 999, "x")
    with owner_ctx.engine.connect() as conn:
        moves = conn.execute(
            sa.select(StockMovement.variant_id, StockMovement.quantity)
            .where(
                StockMovement.reason == "Return to supplier TH000001 cancelled: nhập nhầm số lượng"
            )
            .order_by(StockMovement.id)
        ).all()  # type: ignore[arg-type]
        audit = conn.execute(
            sa.select(table_of(AuditEvent)).where(
                AuditEvent.action == "goods_receipt.return_cancel"
            )
        ).one()  # type: ignore[arg-type]
    assert [tuple(m) for m in moves] == [(ids["cup"], 4), (ids["plate"], 1)]
    assert audit.summary == "TH000001 cancelled (nhập nhầm số lượng)"
    assert audit.entity_id == str(receipt.id)


def test_once_its_returns_are_cancelled_a_receipt_can_be(owner_ctx, delivery):
    receipt, ids = delivery
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {ids["cup_line"]: 2}, "x"))
    with pytest.raises(ValidationError, match="went back to the supplier"):
        gr.cancel_receipt(owner_ctx, receipt.id, "nhầm")
    sr.cancel_return(owner_ctx, back.id, "nhầm")
    gr.cancel_receipt(owner_ctx, receipt.id, "nhầm")
    assert stock(owner_ctx, ids["cup"]) == 0 and stock(owner_ctx, ids["plate"]) == 0
    assert sup.get_supplier(owner_ctx, receipt.supplier_id).debt == 0


def test_cancelling_a_return_needs_products_access(ctx, owner_ctx, delivery):
    receipt, ids = delivery
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {ids["cup_line"]: 2}, "x"))
    with pytest.raises(PermissionDenied):
        sr.cancel_return(staff(ctx, Module.ORDERS), back.id, "nhầm")
    assert stock(owner_ctx, ids["cup"]) == 8


def cost(ctx: ServiceContext, variant: int) -> int:
    with ctx.engine.connect() as conn:
        v = table_of(Variant).c
        return int(conn.execute(sa.select(v.cost).where(v.id == variant)).scalar_one())


def test_goods_back_take_their_cost_back_out_of_the_average(owner_ctx):
    """COC-1: 10 on hand at 50.000; 10 come at 150.000 (100.000 on average); those 10 go
    back: 50.000 again, at the cost they came in at. Cancelling the return averages them
    in again; goods bought at no cost leave it as it is."""
    (cup,) = make_product(owner_ctx.engine, "Cốc", [("COC-1", 45_000, 10)])
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.update(table_of(Variant)).where(table_of(Variant).c.id == cup)
                     .values(cost=50_000))  # fmt: skip
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 10, 150_000)],
                                                          supplier="Gốm Minh Long"))  # fmt: skip
    assert cost(owner_ctx, cup) == 100_000
    line = gr.receipt_lines(owner_ctx, receipt.id)[0].id
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {line: 10}, "Vỡ"))
    assert (stock(owner_ctx, cup), cost(owner_ctx, cup)) == (10, 50_000)
    sr.cancel_return(owner_ctx, back.id, "nhầm")
    assert (stock(owner_ctx, cup), cost(owner_ctx, cup)) == (20, 100_000)
    half = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {line: 5}, "Vỡ"))
    assert (half.total, cost(owner_ctx, cup)) == (750_000, (2_000_000 - 750_000) // 15)
    free = gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 4)]))
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(
        free.id, {gr.receipt_lines(owner_ctx, free.id)[0].id: 4}, "Tặng nhầm"))  # fmt: skip
    assert cost(owner_ctx, cup) == 83_333
