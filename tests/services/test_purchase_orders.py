"""Purchase orders: ordering from a supplier (no stock moves), goods receipts against an
order counting towards its lines (a cancelled receipt stops counting), the states an
order goes through, cancel / close rules with reasons, the list's filters, what is on
order, the low-stock suggestions, refusals that name the field, permissions."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Module
from primedist.domain.product import Variant
from primedist.domain.purchase_order import PurchaseOrderState as S
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_permissions import staff


def stock(ctx: ServiceContext, variant: int) -> int:
    v = table_of(Variant).c
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(v.stock).where(v.id == variant)).scalar_one())


def set_level(ctx: ServiceContext, variant: int, level: int) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(sa.update(table_of(Variant)).where(table_of(Variant).c.id == variant)
                     .values(low_stock_level=level))  # fmt: skip


@pytest.fixture
def goods(owner_ctx: ServiceContext) -> dict[str, int]:
    cup, plate, bowl = make_product(owner_ctx.engine, "Gốm", [
        ("COC-1", 45_000, 2), ("DIA-1", 80_000, 0), ("BAT-1", 30_000, 40)])  # fmt: skip
    return {"cup": cup, "plate": plate, "bowl": bowl}


@pytest.fixture
def order(owner_ctx: ServiceContext, goods: dict[str, int]) -> po.OrderRow:
    """10 cups at 30.000 and 5 plates (no cost given) from Gốm Minh Long."""
    return po.create_order(owner_ctx, po.OrderDraft(
        "Gốm Minh Long", [po.OrderLine(goods["cup"], 10, 30_000), po.OrderLine(goods["plate"], 5)],
        expected_on=date(2026, 12, 10), note=" giao sáng "))  # fmt: skip


def test_an_order_records_what_was_asked_and_moves_no_stock(owner_ctx, goods, order):
    assert (order.code, order.supplier, order.lines, order.units, order.total_cost) == (
        "DHN000001", "Gốm Minh Long", 2, 15, 300_000)  # fmt: skip
    assert (order.expected_on, order.note, order.state, order.awaited_units) == (
        date(2026, 12, 10), "giao sáng", S.ORDERED, 15)  # fmt: skip
    assert stock(owner_ctx, goods["cup"]) == 2 and stock(owner_ctx, goods["plate"]) == 0
    assert sup.supplier_names(owner_ctx) == ["Gốm Minh Long"]  # added as on a receipt
    lines = po.order_lines(owner_ctx, order.id)
    assert [(ln.sku, ln.quantity, ln.unit_cost, ln.received, ln.amount) for ln in lines] == [
        ("COC-1", 10, 30_000, 0, 300_000), ("DIA-1", 5, None, 0, None)]  # fmt: skip
    with owner_ctx.engine.connect() as conn:
        audit = conn.execute(
            sa.select(table_of(AuditEvent)).where(AuditEvent.action == "purchase_order.create")
        ).one()  # type: ignore[arg-type]
    assert audit.entity_id == str(order.id)
    assert po.order_id_by_code(owner_ctx, " dhn000001 ") == order.id
    with pytest.raises(NotFound, match="DHN999"):
        po.order_id_by_code(owner_ctx, "DHN999")


def test_receipts_against_the_order_count_towards_its_lines(owner_ctx, goods, order):
    first = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 6, 30_000), gr.ReceiptLine(goods["bowl"], 3, 20_000)],
        purchase_order_id=order.id))  # fmt: skip
    assert first.supplier == "Gốm Minh Long"  # the order's supplier
    row = po.get_order(owner_ctx, order.id)
    assert (row.received_units, row.state, row.awaited_units) == (6, S.PARTLY_RECEIVED, 9)
    assert [(ln.sku, ln.received, ln.remaining) for ln in po.order_lines(owner_ctx, order.id)] \
        == [("COC-1", 6, 4), ("DIA-1", 0, 5)]  # fmt: skip
    # More cups than ordered count up to what was ordered.
    gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 7, 30_000), gr.ReceiptLine(goods["plate"], 5, 50_000)],
        supplier="gốm minh long", purchase_order_id=order.id))  # fmt: skip
    row = po.get_order(owner_ctx, order.id)
    assert (row.received_units, row.state, row.awaited_units) == (15, S.RECEIVED, 0)
    assert stock(owner_ctx, goods["cup"]) == 2 + 13
    assert [code for code, _at, _c in po.order_receipts(owner_ctx, order.id)] == [
        "PN000001", "PN000002"]  # fmt: skip
    assert [r.code for r in gr.list_receipts(owner_ctx, "DHN000001")] == ["PN000002", "PN000001"]
    # A received order takes no more goods.
    with pytest.raises(
        ValidationError, match="DHN000001 came in full: it awaits no more goods"
    ) as exc:
        gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 1)],
                                                    purchase_order_id=order.id))  # fmt: skip
    assert exc.value.field == "purchase_order"


def test_a_cancelled_receipt_stops_counting(owner_ctx, goods, order):
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 10, 30_000), gr.ReceiptLine(goods["plate"], 5, 50_000)],
        purchase_order_id=order.id))  # fmt: skip
    assert po.get_order(owner_ctx, order.id).state == S.RECEIVED
    gr.cancel_receipt(owner_ctx, receipt.id, "nhập nhầm")
    row = po.get_order(owner_ctx, order.id)
    assert (row.received_units, row.state) == (0, S.ORDERED)
    assert [ln.received for ln in po.order_lines(owner_ctx, order.id)] == [0, 0]


def test_a_cancelled_receipt_reopens_a_closed_order(owner_ctx, goods, order):
    """Closed after 12 of 15 came (10 cups and 2 plates), the order's only receipt is
    cancelled: nothing came after all, so it awaits the 15 again — it can receive them,
    or be cancelled — instead of staying closed with nothing received and nothing to come."""
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 15, 30_000), gr.ReceiptLine(goods["plate"], 2, 50_000)],
        purchase_order_id=order.id))  # fmt: skip
    po.close_order(owner_ctx, order.id, "NCC hết đĩa")
    gr.cancel_receipt(owner_ctx, receipt.id, "nhập nhầm")
    row = po.get_order(owner_ctx, order.id)
    assert (row.state, row.received_units, row.awaited_units) == (S.ORDERED, 0, 15)
    assert (row.closed_at, row.close_reason) == (None, "")
    with owner_ctx.engine.connect() as conn:
        audit = conn.execute(sa.select(AuditEvent.summary, AuditEvent.entity_id).where(  # type: ignore[call-overload]
            AuditEvent.action == "purchase_order.reopen")).one()  # fmt: skip
    assert tuple(audit) == ("DHN000001 reopened: PN000001 was cancelled", str(order.id))
    assert po.cancel_order(owner_ctx, order.id, "đặt nhầm").state == S.CANCELLED


def test_a_closed_order_reopens_with_what_came_still_counted(owner_ctx, goods, order):
    first = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 10, 30_000)], purchase_order_id=order.id))  # fmt: skip
    second = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["plate"], 2, 50_000)], purchase_order_id=order.id))  # fmt: skip
    po.close_order(owner_ctx, order.id, "NCC hết đĩa")
    gr.cancel_receipt(owner_ctx, second.id, "nhập nhầm")
    row = po.get_order(owner_ctx, order.id)
    assert (row.state, row.received_units, row.awaited_units) == (S.PARTLY_RECEIVED, 10, 5)
    # The plates can come against it again; the cups' receipt still counts.
    again = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["plate"], 5, 50_000)], purchase_order_id=order.id))  # fmt: skip
    assert po.get_order(owner_ctx, order.id).state == S.RECEIVED
    assert first.id != again.id


def test_a_closed_order_stays_closed_when_nothing_more_is_awaited(owner_ctx, goods, order):
    """A cancelled receipt of bowls the order never asked for takes nothing off it."""
    gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 10, 30_000)], purchase_order_id=order.id))  # fmt: skip
    bowls = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["bowl"], 3, 20_000)], purchase_order_id=order.id))  # fmt: skip
    po.close_order(owner_ctx, order.id, "NCC hết đĩa")
    gr.cancel_receipt(owner_ctx, bowls.id, "nhập nhầm")
    row = po.get_order(owner_ctx, order.id)
    assert (row.state, row.received_units, row.close_reason) == (S.CLOSED, 10, "NCC hết đĩa")


def test_a_receipt_naming_another_supplier_is_refused(owner_ctx, goods, order):
    with pytest.raises(ValidationError, match="ordered from Gốm Minh Long") as exc:
        gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 1, 1_000)],
                                                    supplier="Sứ Bát Tràng",
                                                    purchase_order_id=order.id))  # fmt: skip
    assert exc.value.field == "supplier"
    assert stock(owner_ctx, goods["cup"]) == 2 and sup.supplier_names(owner_ctx) == [
        "Gốm Minh Long"]  # fmt: skip


def test_paying_less_on_an_order_leaves_its_supplier_owed(owner_ctx, goods, order):
    gr.receive_goods(
        owner_ctx,
        gr.ReceiptDraft(
            [gr.ReceiptLine(goods["cup"], 10, 30_000)], paid=100_000, purchase_order_id=order.id
        ),
    )
    assert sup.get_supplier(owner_ctx, order.supplier_id).debt == 200_000


def cost_of(ctx: ServiceContext, variant: int) -> int:
    v = table_of(Variant).c
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(v.cost).where(v.id == variant)).scalar_one())


def test_lines_without_a_cost_cost_what_the_order_expected(owner_ctx, goods, order):
    with owner_ctx.engine.begin() as conn:  # the 2 cups on hand cost 24.000
        conn.execute(sa.update(table_of(Variant)).where(table_of(Variant).c.id == goods["cup"])
                     .values(cost=24_000))  # fmt: skip
    lines = [gr.ReceiptLine(goods["cup"], 10), gr.ReceiptLine(goods["plate"], 5),
             gr.ReceiptLine(goods["bowl"], 3)]  # fmt: skip
    more = gr.ReceiptDraft(lines, paid=300_001, purchase_order_id=order.id)
    with pytest.raises(ValidationError, match=r"0 to the receipt's cost \(300,000\)") as exc:
        gr.receive_goods(owner_ctx, more)
    assert exc.value.field == "paid" and stock(owner_ctx, goods["cup"]) == 2
    receipt = gr.receive_goods(owner_ctx, gr.ReceiptDraft(lines, paid=100_000,
                                                          purchase_order_id=order.id))  # fmt: skip
    # The cups at the 30.000 ordered; the plates were ordered without a cost and the bowls
    # not at all: theirs stays not given.
    assert (receipt.total_cost, receipt.paid, receipt.owed) == (300_000, 100_000, 200_000)
    assert [(ln.sku, ln.unit_cost) for ln in gr.receipt_lines(owner_ctx, receipt.id)] == [
        ("COC-1", 30_000), ("DIA-1", None), ("BAT-1", None)]  # fmt: skip
    assert sup.get_supplier(owner_ctx, order.supplier_id).debt == 200_000
    assert cost_of(owner_ctx, goods["cup"]) == (2 * 24_000 + 10 * 30_000 + 6) // 12  # averaged
    # A cost given is kept; cancelling takes the cost it came in at back out.
    gr.cancel_receipt(owner_ctx, receipt.id, "nhập nhầm")
    assert cost_of(owner_ctx, goods["cup"]) == 24_000
    given = gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 4, 28_000)],
                                                        purchase_order_id=order.id))  # fmt: skip
    assert given.total_cost == 112_000


def test_cancel_before_anything_came_close_after(owner_ctx, goods, order, clock):
    with pytest.raises(ValidationError, match="Say why") as exc:
        po.cancel_order(owner_ctx, order.id, "  ")
    assert exc.value.field == "reason"
    with pytest.raises(ValidationError, match="Nothing of DHN000001 came yet"):
        po.close_order(owner_ctx, order.id, "hết hàng")
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 4, 30_000)],
                                                purchase_order_id=order.id))  # fmt: skip
    with pytest.raises(ValidationError, match="came already: close it"):
        po.cancel_order(owner_ctx, order.id, "đổi ý")
    clock.advance(timedelta(days=3))
    closed = po.close_order(owner_ctx, order.id, " NCC hết đĩa ")
    assert (closed.state, closed.close_reason, closed.awaited_units) == (
        S.CLOSED, "NCC hết đĩa", 0)  # fmt: skip
    assert closed.closed_at == clock.now()
    with pytest.raises(ValidationError, match="was closed: it awaits"):
        po.close_order(owner_ctx, order.id, "again")
    with pytest.raises(ValidationError, match="awaits no more goods"):
        po.to_receive(owner_ctx, order.id)
    other = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long",
                                                     [po.OrderLine(goods["bowl"], 2)]))  # fmt: skip
    cancelled = po.cancel_order(owner_ctx, other.id, "đặt nhầm")
    assert (cancelled.state, cancelled.cancel_reason) == (S.CANCELLED, "đặt nhầm")
    with pytest.raises(ValidationError, match="was cancelled: it awaits"):
        po.cancel_order(owner_ctx, other.id, "again")
    with owner_ctx.engine.connect() as conn:
        actions = conn.execute(sa.select(AuditEvent.action).where(  # type: ignore[call-overload]
            AuditEvent.action.in_(["purchase_order.cancel", "purchase_order.close"]))  # type: ignore[attr-defined]
        ).scalars().all()  # fmt: skip
    assert sorted(actions) == ["purchase_order.cancel", "purchase_order.close"]


def test_the_list_filters_by_state_supplier_and_search(owner_ctx, goods, order):
    second = po.create_order(owner_ctx, po.OrderDraft(
        "Sứ Bát Tràng", [po.OrderLine(goods["bowl"], 20)]))  # fmt: skip
    third = po.create_order(owner_ctx, po.OrderDraft("NCC000001", [po.OrderLine(goods["cup"], 1)]))
    assert third.supplier == "Gốm Minh Long"  # named by its code
    po.cancel_order(owner_ctx, third.id, "trùng")
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["bowl"], 5)],
                                                purchase_order_id=second.id))  # fmt: skip

    def codes(**kw: object) -> list[str]:
        return [r.code for r in po.list_orders(owner_ctx, **kw)]  # type: ignore[arg-type]

    assert codes() == ["DHN000003", "DHN000002", "DHN000001"]
    assert codes(state="open") == ["DHN000002", "DHN000001"]
    assert codes(state=S.PARTLY_RECEIVED) == ["DHN000002"]
    assert codes(state=S.ORDERED) == ["DHN000001"]
    assert codes(state=S.CANCELLED) == ["DHN000003"]
    assert codes(state=S.RECEIVED) == [] and codes(state=S.CLOSED) == []
    assert codes(supplier_id=order.supplier_id) == ["DHN000003", "DHN000001"]
    assert codes(search="bat trang") == ["DHN000002"]
    assert codes(search="giao") == ["DHN000001"]  # the note
    assert codes(search="bat-1") == ["DHN000002"]  # a line's SKU
    with owner_ctx.engine.connect() as conn:
        assert po.on_order(conn, [goods["cup"], goods["plate"], goods["bowl"]]) == {
            goods["cup"]: 10, goods["plate"]: 5, goods["bowl"]: 15}  # fmt: skip


def test_suggestions_bring_low_stock_up_less_what_is_on_order(owner_ctx, goods):
    gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 1, 31_000), gr.ReceiptLine(goods["bowl"], 1, 20_000)],
        supplier="Gốm Minh Long"))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 1, 33_000)],
                                                supplier="Gốm Minh Long"))  # fmt: skip
    # The plate came from nobody: never suggested for this supplier.
    for key, level in (("cup", 5), ("bowl", 10), ("plate", 3)):
        set_level(owner_ctx, goods[key], level)
    got = po.suggested_lines(owner_ctx, "gom minh long")
    # Cup: 4 available ≤ 5: up to 10, at its last cost; bowl 41 > 10: not low.
    assert [(s.hit.sku, s.quantity, s.unit_cost, s.level, s.on_order) for s in got] == [
        ("COC-1", 6, 33_000, 5, 0)]  # fmt: skip
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(goods["cup"], 4)]))
    assert [(s.quantity, s.on_order) for s in po.suggested_lines(owner_ctx, "NCC000001")] == [
        (2, 4)]  # fmt: skip
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(goods["cup"], 2)]))
    assert po.suggested_lines(owner_ctx, "Gốm Minh Long") == []  # on order covers it
    with pytest.raises(NotFound, match="no supplier Nobody"):
        po.suggested_lines(owner_ctx, "Nobody")


def test_to_receive_lists_what_is_still_to_come(owner_ctx, goods, order):
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 10, 30_000)],
                                                purchase_order_id=order.id))  # fmt: skip
    row, lines = po.to_receive(owner_ctx, order.id)
    assert row.code == "DHN000001"
    assert [(t.hit.sku, t.quantity, t.unit_cost) for t in lines] == [("DIA-1", 5, None)]


@pytest.mark.parametrize(
    ("draft", "field", "message"),
    [
        (lambda g: po.OrderDraft(" ", [po.OrderLine(g["cup"], 1)]), "supplier", "Name the"),
        (lambda _g: po.OrderDraft("A", []), "lines", "at least one product"),
        (lambda g: po.OrderDraft("A", [po.OrderLine(g["cup"], 1), po.OrderLine(g["cup"], 2)]),
         "lines", "Line 2: the product is on the order already"),
        (lambda g: po.OrderDraft("A", [po.OrderLine(g["cup"], 0)]), "quantity", "Line 1"),
        (lambda g: po.OrderDraft("A", [po.OrderLine(g["cup"], 1, -5)]), "unit_cost", "Line 1"),
        (lambda g: po.OrderDraft("A", [po.OrderLine(g["cup"], 1)], expected_on=date(2030, 1, 1)),
         "expected_on", "more than a year away"),
        (lambda g: po.OrderDraft("A", [po.OrderLine(g["cup"], 1)], note="x" * 256), "note",
         "256 characters"),
        (lambda g: po.OrderDraft("A", [po.OrderLine(g["cup"], 1)], expected_on=date(2020, 1, 1)),
         "expected_on", "The expected day 01/01/2020 has already passed: choose today or a "
                        "later day"),
    ],
)  # fmt: skip
def test_bad_drafts_name_the_field_and_save_nothing(owner_ctx, goods, draft, field, message):
    with pytest.raises(ValidationError, match=message) as exc:
        po.create_order(owner_ctx, draft(goods))
    assert exc.value.field == field
    assert po.list_orders(owner_ctx) == [] and sup.supplier_names(owner_ctx) == []


def test_a_removed_variant_names_its_line(owner_ctx, goods):
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.update(table_of(Variant)).where(table_of(Variant).c.id == goods["plate"])
                     .values(is_active=False))  # fmt: skip
    with pytest.raises(ValidationError, match="Line 2: SKU DIA-1 was removed"):
        po.create_order(owner_ctx, po.OrderDraft(
            "A", [po.OrderLine(goods["cup"], 1), po.OrderLine(goods["plate"], 1)]))  # fmt: skip
    assert po.list_orders(owner_ctx) == [] and sup.supplier_names(owner_ctx) == []


def test_products_access_is_needed(owner_ctx, goods, order):
    sales = staff(owner_ctx, Module.ORDERS)
    for call in (lambda: po.list_orders(sales), lambda: po.get_order(sales, order.id),
                 lambda: po.cancel_order(sales, order.id, "x"),
                 lambda: po.create_order(sales, po.OrderDraft(
                     "A", [po.OrderLine(goods["cup"], 1)])),
                 lambda: po.suggested_lines(sales, "Gốm Minh Long")):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call()
    keeper = staff(owner_ctx, Module.PRODUCTS)
    assert [r.code for r in po.list_orders(keeper)] == [
        "DHN000001"]  # fmt: skip


def test_an_order_is_changed_until_goods_come(owner_ctx, goods, order):
    changed = po.update_order(owner_ctx, order.id, po.OrderDraft(
        "Sứ Bát Tràng", [po.OrderLine(goods["plate"], 8, 50_000)], note="gọi lại",
        expected_on=date(2026, 12, 12)))  # fmt: skip
    assert (changed.code, changed.supplier, changed.lines, changed.units, changed.total_cost,
            changed.note, changed.expected_on) == (
        "DHN000001", "Sứ Bát Tràng", 1, 8, 400_000, "gọi lại", date(2026, 12, 12))  # fmt: skip
    assert [(ln.sku, ln.quantity) for ln in po.order_lines(owner_ctx, order.id)] == [("DIA-1", 8)]
    assert [r.code for r in po.list_orders(owner_ctx, "bat trang")] == ["DHN000001"]
    with owner_ctx.engine.connect() as conn:
        audit = conn.execute(
            sa.select(table_of(AuditEvent)).where(AuditEvent.action == "purchase_order.update")
        ).one()  # type: ignore[arg-type]
    before, after = json.loads(audit.before_json), json.loads(audit.after_json)
    assert (before["supplier"], before["lines"]) == (
        "Gốm Minh Long",
        [{"sku": "COC-1", "quantity": 10, "unit_cost": 30_000},
         {"sku": "DIA-1", "quantity": 5, "unit_cost": None}],
    )  # fmt: skip
    assert (after["supplier"], after["lines"]) == (
        "Sứ Bát Tràng", [{"sku": "DIA-1", "quantity": 8, "unit_cost": 50_000}])  # fmt: skip
    # A bad draft changes nothing.
    with pytest.raises(ValidationError, match="Line 1: the quantity"):
        po.update_order(owner_ctx, order.id, po.OrderDraft("A", [po.OrderLine(goods["cup"], 0)]))
    assert po.get_order(owner_ctx, order.id).units == 8
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["plate"], 2, 50_000)],
                                                purchase_order_id=order.id))  # fmt: skip
    with pytest.raises(ValidationError, match="came already: it can no longer be changed"):
        po.update_order(
            owner_ctx, order.id, po.OrderDraft("Sứ Bát Tràng", [po.OrderLine(goods["plate"], 9)])
        )


def test_export_writes_every_line_typed_and_neutralised(owner_ctx, goods, order, clock,
                                                         tmp_path):  # fmt: skip
    import openpyxl

    clock.advance(timedelta(hours=1))
    second = po.create_order(owner_ctx, po.OrderDraft("=HYPERLINK(x)", [
        po.OrderLine(goods["bowl"], 4, 20_000)]))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["bowl"], 1, 20_000)],
                                                purchase_order_id=second.id))  # fmt: skip
    report = po.export_orders(owner_ctx, tmp_path / "dat.xlsx")
    assert report.rows == 3
    rows = list(openpyxl.load_workbook(report.path).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Mã đơn", "Ngày đặt", "Nhà cung cấp", "Hẹn giao", "Trạng thái")
    # The newest order first, its lines in order; numbers as numbers, the day as a date.
    assert [(r[0], r[4]) for r in rows[1:]] == [
        ("DHN000002", "Nhận một phần"),
        ("DHN000001", "Đã đặt"),
        ("DHN000001", "Đã đặt"),
    ]
    assert rows[1][2] == "'=HYPERLINK(x)"  # a formula-like name, neutralised
    assert rows[1][7:] == ("BAT-1", "Gốm", "V3", 4, 1, 20_000, 80_000)
    assert rows[3][10:] == (5, 0, None, None)
    assert rows[2][3].date() == date(2026, 12, 10) and rows[2][5] == "giao sáng"
    assert rows[1][1].hour == (clock.now().hour + 7) % 24  # the shop's time
    found = po.export_orders(owner_ctx, tmp_path / "open.xlsx", state=S.ORDERED, lang="en")
    header, *lines = openpyxl.load_workbook(found.path).active.iter_rows(values_only=True)
    assert header[:2] == ("Order", "Ordered") and [r[4] for r in lines] == ["Ordered"] * 2
    with pytest.raises(ValidationError, match="not 'dat.csv'"):
        po.export_orders(owner_ctx, tmp_path / "dat.csv")
    with pytest.raises(PermissionDenied):
        po.export_orders(staff(owner_ctx, Module.ORDERS), tmp_path / "x.xlsx")


def test_open_orders_of_a_supplier(owner_ctx, goods, order):
    po.create_order(owner_ctx, po.OrderDraft("Sứ Bát Tràng", [po.OrderLine(goods["bowl"], 1)]))
    later = po.create_order(owner_ctx, po.OrderDraft("NCC000001", [po.OrderLine(goods["cup"], 2)]))
    po.cancel_order(owner_ctx, later.id, "trùng")
    assert [r.code for r in po.open_orders(owner_ctx, "gom minh long")] == ["DHN000001"]
    assert [r.code for r in po.open_orders(owner_ctx, "NCC000002")] == ["DHN000002"]
    assert po.open_orders(owner_ctx, "Nobody yet") == []
    with pytest.raises(PermissionDenied):
        po.open_orders(staff(owner_ctx, Module.ORDERS), "Gốm Minh Long")


def test_the_products_list_shows_what_open_orders_still_bring(owner_ctx, goods, order):
    from primedist.queries.products import PRODUCTS_SPEC
    from primedist.queries.spec import fetch_rows

    v = table_of(Variant).c
    with owner_ctx.engine.connect() as conn:
        product = conn.execute(sa.select(v.product_id).where(v.id == goods["cup"])).scalar_one()
    on_order = [c.key for c in PRODUCTS_SPEC.columns].index("on_order")

    def listed() -> int:
        with owner_ctx.engine.connect() as conn:
            return int(fetch_rows(conn, PRODUCTS_SPEC, [product])[product][on_order])

    assert listed() == 15  # 10 cups and 5 plates
    other = po.create_order(
        owner_ctx, po.OrderDraft("Sứ Bát Tràng", [po.OrderLine(goods["bowl"], 4)])
    )
    assert listed() == 19
    po.cancel_order(owner_ctx, other.id, "trùng")
    # More cups than ordered come: the line awaits nothing, never less than nothing.
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 12, 30_000)],
                                                purchase_order_id=order.id))  # fmt: skip
    assert listed() == 5
    po.close_order(owner_ctx, order.id, "hết hàng")
    assert listed() == 0


def test_an_order_again_is_its_lines_as_ordered(owner_ctx, goods, order):
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 4, 30_000)],
                                                purchase_order_id=order.id))  # fmt: skip
    po.close_order(owner_ctx, order.id, "đủ rồi")
    row, lines = po.order_again(owner_ctx, order.id)
    assert (row.code, row.state) == ("DHN000001", S.CLOSED)
    assert [(t.hit.sku, t.quantity, t.unit_cost) for t in lines] == [
        ("COC-1", 10, 30_000), ("DIA-1", 5, None)]  # as ordered, not what is left  # fmt: skip
    with owner_ctx.engine.begin() as conn:  # the plate's variant is removed since
        conn.execute(sa.update(table_of(Variant)).where(table_of(Variant).c.id == goods["plate"])
                     .values(is_active=False))  # fmt: skip
    assert [t.hit.sku for t in po.order_again(owner_ctx, order.id)[1]] == ["COC-1"]
    with pytest.raises(NotFound):
        po.order_again(owner_ctx, 999)
    with pytest.raises(PermissionDenied):
        po.order_again(staff(owner_ctx, Module.ORDERS), order.id)


def test_products_chosen_to_order(owner_ctx, goods):
    """Gốm: cup (2), plate (0), bowl (40); a second product, its candle (0)."""
    (candle,) = make_product(owner_ctx.engine, "Nến thơm", [("NEN-1", 60_000, 0)])
    v = table_of(Variant).c
    with owner_ctx.engine.connect() as conn:
        gom, nen = (conn.execute(sa.select(v.product_id).where(v.id == variant)).scalar_one()
                    for variant in (goods["cup"], candle))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 1, 31_000)],
                                                supplier="Gốm Minh Long"))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["plate"], 1, 50_000)],
                                                supplier="Sứ Bát Tràng"))  # fmt: skip
    for key, level in (("cup", 5), ("bowl", 10), ("plate", 3)):
        set_level(owner_ctx, goods[key], level)
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(goods["cup"], 2)]))
    got = po.products_to_order(owner_ctx, [gom, nen, gom])
    # The last delivery was the plate's: its supplier. Lowest stock first; the bowl (41 >
    # 10) needs none; the candle has no level (none set, no shop default): none either.
    assert (got.supplier, got.low) == ("Sứ Bát Tràng", True)
    assert [(s.hit.sku, s.quantity, s.unit_cost, s.on_order) for s in got.lines] == [
        ("DIA-1", 5, 50_000, 0), ("COC-1", 10 - 3 - 2, 31_000, 2)]  # fmt: skip
    # Nothing low among those chosen: one of each variant, to change; at the variant's
    # cost when no delivery said one.
    calm = po.products_to_order(owner_ctx, [nen])
    assert (calm.supplier, calm.low) == ("", False)
    assert [(s.hit.sku, s.quantity, s.unit_cost) for s in calm.lines] == [("NEN-1", 1, None)]
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.update(table_of(Variant)).where(table_of(Variant).c.id == candle)
                     .values(cost=24_000))  # fmt: skip
    assert [s.unit_cost for s in po.products_to_order(owner_ctx, [nen]).lines] == [24_000]
    assert po.products_to_order(owner_ctx, []) == po.ProductsToOrder("", [], False)
    with pytest.raises(PermissionDenied):
        po.products_to_order(staff(owner_ctx, Module.ORDERS), [gom])


# --------------------------------------------------------------------------- a renamed supplier


def test_a_renamed_supplier_keeps_its_orders(owner_ctx, goods, order):
    """The order is tied to its supplier's record: renamed, receipts against the order go
    to that record (named by nothing, by its new name or by its code), owed there; the old
    name names nobody now, another supplier's is refused; the list shows the name now."""
    supplier_id = order.supplier_id
    sup.update_supplier(owner_ctx, supplier_id, sup.SupplierDraft("Gốm Minh Long Bát Tràng"))
    line = [gr.ReceiptLine(goods["cup"], 2, 30_000)]
    for typed in ("", "gom minh long bat trang", "ncc000001"):
        got = gr.receive_goods(owner_ctx, gr.ReceiptDraft(line, supplier=typed, paid=0,
                                                          purchase_order_id=order.id))  # fmt: skip
        # The receipt keeps the name as typed; a code, or nothing, gives the name now.
        kept = typed if typed.startswith("gom") else "Gốm Minh Long Bát Tràng"
        assert (got.supplier_id, got.supplier) == (supplier_id, kept)
    assert sup.get_supplier(owner_ctx, supplier_id).debt == 3 * 60_000
    sup.create_supplier(owner_ctx, sup.SupplierDraft("Sứ Hải Dương"))
    for other in ("Gốm Minh Long", "Sứ Hải Dương", "NCC000002"):
        with pytest.raises(ValidationError, match="DHN000001 was ordered from Gốm Minh Long Bát "
                           "Tràng: the receipt names another supplier"):  # fmt: skip
            gr.receive_goods(owner_ctx, gr.ReceiptDraft(line, supplier=other,
                                                        purchase_order_id=order.id))  # fmt: skip
    assert [s.name for s in sup.list_suppliers(owner_ctx)] == [
        "Gốm Minh Long Bát Tràng",
        "Sứ Hải Dương",
    ]  # no supplier added under the old name
    assert po.get_order(owner_ctx, order.id).supplier == "Gốm Minh Long Bát Tràng"
    assert [r.code for r in po.list_orders(owner_ctx, "bat trang")] == ["DHN000001"]
    assert [r.code for r in po.list_orders(owner_ctx, "minh long")] == ["DHN000001"]


def test_an_archived_supplier_takes_no_delivery_of_its_order(owner_ctx, goods, order):
    sup.set_supplier_active(owner_ctx, order.supplier_id, False)
    with pytest.raises(ValidationError, match="is archived: restore it"):
        gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 1, 1_000)],
                                                    purchase_order_id=order.id))  # fmt: skip
    assert stock(owner_ctx, goods["cup"]) == 2


def test_a_mistyped_supplier_code_orders_nothing(owner_ctx, goods):
    with pytest.raises(ValidationError, match="There is no supplier NCC000099.") as exc:
        po.create_order(owner_ctx, po.OrderDraft("NCC000099", [po.OrderLine(goods["cup"], 1)]))
    assert exc.value.field == "supplier"
    assert po.list_orders(owner_ctx) == [] and sup.supplier_names(owner_ctx) == []


# --------------------------------------------------------------------------- SKU groups


@pytest.fixture
def caps(owner_ctx: ServiceContext) -> dict[str, int]:
    """MU-A and MU-B: one cap listed twice, their SKU group holding 200, low at 300; both
    delivered by Gốm Minh Long (MU-B last)."""
    from primedist.domain.product import SkuGroup
    from tests.factories import make_grouped_pair

    group, cap_a, cap_b = make_grouped_pair(owner_ctx.engine, stock=200)
    with owner_ctx.engine.begin() as conn:
        conn.execute(sa.update(table_of(SkuGroup)).where(table_of(SkuGroup).c.id == group)
                     .values(low_stock_level=300))  # fmt: skip
    for cap, cost in ((cap_a, 20_000), (cap_b, 21_000)):
        gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cap, 1, cost)],
                                                    supplier="Gốm Minh Long"))  # fmt: skip
    return {"group": group, "a": cap_a, "b": cap_b}


def test_a_sku_group_is_suggested_once_and_on_order_once(owner_ctx, caps):
    """202 of the one cap on hand, low at 300: 398 to reach 600, once (as MU-B, delivered
    last); once ordered (as either member), nothing more for the other."""
    got = po.suggested_lines(owner_ctx, "Gốm Minh Long")
    assert [(s.hit.sku, s.quantity, s.unit_cost, s.level) for s in got] == [
        ("MU-B", 398, 21_000, 300)]  # fmt: skip
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(caps["a"], 398)]))
    with owner_ctx.engine.connect() as conn:  # the group's stock awaits them, either way
        assert po.on_order(conn, [caps["a"], caps["b"]]) == {caps["a"]: 398, caps["b"]: 398}
    assert po.suggested_lines(owner_ctx, "Gốm Minh Long") == []


def test_products_chosen_order_a_sku_group_once(owner_ctx, caps):
    v = table_of(Variant).c
    with owner_ctx.engine.connect() as conn:
        products = list(conn.execute(sa.select(v.product_id).where(
            v.id.in_([caps["a"], caps["b"]])).order_by(v.id)).scalars())  # fmt: skip
    got = po.products_to_order(owner_ctx, products)
    assert (got.supplier, got.low) == ("Gốm Minh Long", True)
    assert [(s.hit.sku, s.quantity, s.unit_cost) for s in got.lines] == [("MU-B", 398, 21_000)]
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(caps["b"], 398)]))
    # None low now: one line of the group still, to change (the member delivered last).
    calm = po.products_to_order(owner_ctx, products)
    assert calm.low is False
    assert [(s.hit.sku, s.quantity, s.on_order) for s in calm.lines] == [("MU-B", 1, 398)]


def test_the_expected_day_is_today_or_later_in_the_shop_time(owner_ctx, goods, clock):
    """A new order expects its goods today (the shop's day, ahead of UTC) or later, never
    on a day gone by; a change keeps a day that has passed since, and refuses a new one."""
    from primedist.core.clock import shop_tz, to_local

    clock.advance(timedelta(hours=17))  # 20:00 UTC: 03:00 the next day in the shop
    today = to_local(clock.now(), shop_tz()).date()
    assert clock.now().date() == today - timedelta(days=1)
    line = [po.OrderLine(goods["cup"], 1)]
    for past in (clock.now().date(), today - timedelta(days=182)):
        with pytest.raises(ValidationError, match="has already passed") as exc:
            po.create_order(owner_ctx, po.OrderDraft("A", line, expected_on=past))
        assert exc.value.field == "expected_on"
    assert po.list_orders(owner_ctx) == []
    row = po.create_order(owner_ctx, po.OrderDraft("A", line, expected_on=today))
    assert row.expected_on == today
    clock.advance(timedelta(days=3))  # the expected day has passed now
    kept = po.update_order(owner_ctx, row.id, po.OrderDraft("A", line, note="gọi lại",
                                                            expected_on=today))  # fmt: skip
    assert (kept.expected_on, kept.note) == (today, "gọi lại")
    with pytest.raises(ValidationError, match="has already passed"):
        po.update_order(owner_ctx, row.id, po.OrderDraft(
            "A", line, expected_on=today + timedelta(days=1)))  # fmt: skip
