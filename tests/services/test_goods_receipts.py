"""Goods receipts: a delivery of several SKUs received in one transaction (stock, costs
averaged, movements naming the receipt, one audit row), listed and searched, its lines
read back; what is refused leaves nothing received; finding the variants; permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Module
from primedist.domain.goods_receipt import GoodsReceipt
from primedist.domain.product import Product, SkuGroup, StockMovement, Variant
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.services import goods_receipts as gr
from primedist.services.context import ServiceContext
from tests.factories import make_grouped_pair, make_product
from tests.services.test_permissions import staff

V, P, G = table_of(Variant), table_of(Product), table_of(SkuGroup)


def stock_and_cost(engine: sa.Engine, variant_id: int) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(V.c.stock, V.c.cost).where(V.c.id == variant_id)).one()
    return int(row.stock), int(row.cost)


def receipts_count(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table_of(GoodsReceipt)))
                   .scalar_one())  # fmt: skip


@pytest.fixture
def goods(owner_ctx: ServiceContext) -> dict[str, int]:
    engine = owner_ctx.engine
    shirt_s, shirt_m = make_product(engine, "Áo thun cotton", [("AT-S", 150_000, 10),
                                                               ("AT-M", 150_000, 0)],
                                    barcodes=["8934563123456", None])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.update(V).where(V.c.id == shirt_s).values(cost=80_000))
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 5)])
    return {"shirt_s": shirt_s, "shirt_m": shirt_m, "cup": cup}


def test_a_delivery_received_in_one_go(owner_ctx, goods):
    engine = owner_ctx.engine
    _group, cap_a, _cap_b = make_grouped_pair(engine, stock=4)
    draft = gr.ReceiptDraft(
        lines=[gr.ReceiptLine(goods["shirt_s"], 10, 90_000), gr.ReceiptLine(goods["cup"], 3),
               gr.ReceiptLine(cap_a, 6, 20_000)],
        supplier="  Công ty Đức Minh ", note="Phiếu giao 0412",
    )  # fmt: skip
    row = gr.receive_goods(owner_ctx, draft)
    assert (row.code, row.supplier, row.note, row.lines, row.units) == (
        "PN000001",
        "Công ty Đức Minh",
        "Phiếu giao 0412",
        3,
        19,
    )
    assert row.total_cost == 10 * 90_000 + 6 * 20_000  # lines without a cost add nothing
    # The stock in of each line: 10 at 80.000 + 10 at 90.000 → 85.000 on average.
    assert stock_and_cost(engine, goods["shirt_s"]) == (20, 85_000)
    assert stock_and_cost(engine, goods["cup"])[0] == 8
    with engine.connect() as conn:  # the products list's figures follow (refreshed once)
        totals = dict(conn.execute(sa.select(P.c.name, P.c.available_total)).all())
    assert (totals["Áo thun cotton"], totals["Cốc sứ"]) == (20, 8)
    with engine.connect() as conn:
        assert conn.execute(sa.select(G.c.stock)).scalar_one() == 10  # the cap's group holds it
        moves = conn.execute(
            sa.select(table_of(StockMovement)).where(
                StockMovement.reason == "Goods receipt PN000001 · Công ty Đức Minh"
            )
        ).all()  # type: ignore[arg-type]
        audit = conn.execute(
            sa.select(table_of(AuditEvent)).where(AuditEvent.action == "goods_receipt.create")
        ).one()  # type: ignore[arg-type]
    assert sorted(m.quantity for m in moves) == [3, 6, 10]
    assert audit.entity_id == str(row.id) and audit.summary == "PN000001: 3 lines, 19 units"
    lines = gr.receipt_lines(owner_ctx, row.id)
    assert [(ln.sku, ln.product_name, ln.quantity, ln.unit_cost, ln.amount) for ln in lines] == [
        ("AT-S", "Áo thun cotton", 10, 90_000, 900_000),
        ("COC-1", "Cốc sứ", 3, None, None),
        ("MU-A", "Mũ lưỡi trai A", 6, 20_000, 120_000),
    ]  # fmt: skip
    assert lines[0].variant_name == "V1"


def test_listed_newest_first_and_searched(owner_ctx, goods, clock):
    first = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 1)], supplier="Gốm Bát Tràng"))  # fmt: skip
    clock.advance(timedelta(minutes=5))
    second = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["shirt_m"], 2)], supplier="Công ty Đức Minh",
        note="hàng đổi"))  # fmt: skip
    assert [r.code for r in gr.list_receipts(owner_ctx)] == [second.code, first.code]
    assert [r.code for r in gr.list_receipts(owner_ctx, "duc minh")] == [second.code]
    assert [r.code for r in gr.list_receipts(owner_ctx, "BAT TRANG")] == [first.code]
    assert [r.code for r in gr.list_receipts(owner_ctx, "pn000001")] == [first.code]
    assert [r.code for r in gr.list_receipts(owner_ctx, "hang doi")] == [second.code]
    assert gr.list_receipts(owner_ctx, "100%_") == []
    assert gr.list_receipts(owner_ctx)[0].received_by == owner_ctx.actor.name
    # A SKU finds the deliveries it came in (any case); with another word, both must match.
    assert [r.code for r in gr.list_receipts(owner_ctx, "at-m")] == [second.code]
    assert [r.code for r in gr.list_receipts(owner_ctx, "COC-1 gom")] == [first.code]
    assert gr.list_receipts(owner_ctx, "COC-1 duc") == []
    assert gr.known_suppliers(owner_ctx) == ["Công ty Đức Minh", "Gốm Bát Tràng"]


@pytest.mark.parametrize(
    ("lines", "extra", "message"),
    [
        ([], {}, "Add at least one product"),
        ([("cup", 1, None), ("cup", 2, None)], {}, "Line 2: the product is on the receipt"),
        ([("cup", 0, None)], {}, "Line 1: the quantity must be 1 to 1,000,000"),
        ([("cup", 1, -5)], {}, "Line 1: the unit cost must be 0 to"),
        ([("cup", 1, None)], {"supplier": "x" * 121}, "supplier's name has 121 characters"),
        ([("cup", 1, None)], {"note": "x" * 256}, "note has 256 characters"),
    ],
)
def test_refused_drafts_receive_nothing(owner_ctx, goods, lines, extra, message):
    draft = gr.ReceiptDraft([gr.ReceiptLine(goods[k], q, c) for k, q, c in lines], **extra)
    with pytest.raises(ValidationError, match=message):
        gr.receive_goods(owner_ctx, draft)
    assert receipts_count(owner_ctx.engine) == 0
    assert stock_and_cost(owner_ctx.engine, goods["cup"])[0] == 5


def test_a_removed_variant_refuses_the_whole_receipt(owner_ctx, goods):
    engine = owner_ctx.engine
    with engine.begin() as conn:
        conn.execute(sa.update(V).where(V.c.id == goods["shirt_m"]).values(is_active=False))
    draft = gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 4), gr.ReceiptLine(goods["shirt_m"], 1)])
    with pytest.raises(ValidationError, match="Line 2: SKU AT-M was removed from its product"):
        gr.receive_goods(owner_ctx, draft)
    with pytest.raises(NotFound, match="Line 1: the product variant no longer exists"):
        gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(999_999, 1)]))
    assert receipts_count(engine) == 0
    assert stock_and_cost(engine, goods["cup"])[0] == 5  # the first line rolled back too


def test_finding_what_to_receive(owner_ctx, goods):
    engine = owner_ctx.engine
    assert gr.find_variant(owner_ctx, "8934563123456").sku == "AT-S"
    assert gr.find_variant(owner_ctx, "coc-1").sku == "COC-1"
    assert [h.sku for h in gr.search_variants(owner_ctx, "ao thun")] == ["AT-S", "AT-M"]
    product = lambda vid: conn.execute(sa.select(V.c.product_id).where(V.c.id == vid)).scalar_one()  # noqa: E731
    with engine.begin() as conn:
        conn.execute(sa.update(P).where(P.c.id == product(goods["cup"])).values(status="hidden"))
        conn.execute(sa.update(P).where(P.c.id == product(goods["shirt_s"]))
                     .values(status="archived"))  # fmt: skip
    # A hidden product still gets its deliveries; an archived one is gone.
    assert gr.find_variant(owner_ctx, "COC-1").sku == "COC-1"
    assert gr.find_variant(owner_ctx, "AT-S") is None
    assert gr.search_variants(owner_ctx, "ao thun") == []


def test_needs_products_access(owner_ctx, goods):
    clerk = staff(owner_ctx, Module.ORDERS)
    draft = gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 1)])
    for call in (lambda: gr.receive_goods(clerk, draft), lambda: gr.list_receipts(clerk),
                 lambda: gr.receipt_lines(clerk, 1), lambda: gr.find_variant(clerk, "COC-1"),
                 lambda: gr.search_variants(clerk, "coc")):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call()
    assert gr.receive_goods(staff(owner_ctx, Module.PRODUCTS), draft).units == 1


# --------------------------------------------------------------------------- from a file


def write_xlsx(path, rows) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_a_delivery_list_read_from_excel(owner_ctx, goods, tmp_path):
    path = tmp_path / "giao-hang.xlsx"
    write_xlsx(path, [["SKU", "Quantity", "Unit cost", "Ghi chú"],
                      ["8934563123456", 4, 90000, "áo"], ["coc-1", 2, None, ""],
                      ["AT-S", 1, 90000, ""], [None, None, None, None],
                      ["AT-M", "3", "", ""]])  # fmt: skip
    lines = gr.read_receipt_file(owner_ctx, path)
    # A SKU on two rows adds up (the barcode and the SKU are one variant); blank rows skipped.
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost, ln.row) for ln in lines] == [
        ("AT-S", 5, 90_000, 2), ("COC-1", 2, None, 3), ("AT-M", 3, None, 6),
    ]  # fmt: skip


def test_rows_of_one_sku_without_a_cost_add_up_without_one(owner_ctx, goods, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("sku,quantity,unit_cost\nAT-S,5,\nAT-S,3,\n", encoding="utf-8")
    lines = gr.read_receipt_file(owner_ctx, path)
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost, ln.row) for ln in lines] == [
        ("AT-S", 8, None, 2)]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sku,qty\nAT-S,1\n", "has no such column in its header"),
        ("sku,quantity\nNOPE,1\n", "row 2, column 'sku': No product has the SKU or barcode NOPE"),
        ("sku,quantity\n,1\n", "row 2, column 'sku': The SKU is empty"),
        ("sku,quantity\nAT-S,0\n", "row 2, column 'quantity': must be 1 to 1,000,000 (got 0)"),
        ("sku,quantity\nAT-S,1.5\n", "row 2, column 'quantity': '1.5' is not a whole number"),
        ("sku,quantity,unit_cost\nAT-S,1,-1\n", "row 2, column 'unit_cost': must be 0 to"),
        (
            "sku,quantity,unit_cost\nAT-S,1,5\nAT-S,1,6\n",
            "row 3, column 'unit_cost': SKU AT-S is on rows 2 and 3 with different unit costs",
        ),
        (  # a blank cost is not the other row's: the supplier priced only some units
            "sku,quantity,unit_cost\nAT-S,5,100000\nAT-S,3,\n",
            "row 3, column 'unit_cost': SKU AT-S is on rows 2 and 3 with a unit cost on one only",
        ),
        (
            "sku,quantity,unit_cost\nAT-S,3,\nAT-M,1,\nAT-S,5,100000\n",
            "row 4, column 'unit_cost': SKU AT-S is on rows 2 and 4 with a unit cost on one only",
        ),
        ("sku,quantity\n", "has a header but no data rows"),
    ],
)
def test_bad_delivery_lists_name_the_row_and_column(owner_ctx, goods, tmp_path, text, message):
    path = tmp_path / "list.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match=message.replace("(", "\\(").replace(")", "\\)")):
        gr.read_receipt_file(owner_ctx, path)


def test_a_text_file_named_xlsx_is_refused(owner_ctx, goods, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_text("sku,quantity\nAT-S,1\n")
    with pytest.raises(ValidationError, match="list.xlsx"):
        gr.read_receipt_file(owner_ctx, path)
    with pytest.raises(PermissionDenied):
        gr.read_receipt_file(staff(owner_ctx, Module.ORDERS), path)


def test_export_reads_back_typed_and_neutralised(owner_ctx, goods, tmp_path, clock):
    import openpyxl

    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(goods["cup"], 3, 30_000)],
                                                supplier="=HYPERLINK(x)"))  # fmt: skip
    clock.advance(timedelta(hours=2))
    gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["shirt_s"], 10, 90_000), gr.ReceiptLine(goods["shirt_m"], 2)],
        supplier="Công ty Đức Minh"))  # fmt: skip
    report = gr.export_receipts(owner_ctx, tmp_path / "nhap.xlsx")
    assert report.rows == 3
    sheet = openpyxl.load_workbook(report.path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã phiếu", "Ngày nhập", "Nhà cung cấp")
    # The newest receipt first, its lines in order; numbers as numbers.
    assert [r[0] for r in rows[1:]] == ["PN000002", "PN000002", "PN000001"]
    assert rows[1][5:] == ("AT-S", "Áo thun cotton", "V1", 10, 90_000, 900_000, None)
    assert rows[2][8:] == (2, None, None, None)
    assert rows[3][2] == "'=HYPERLINK(x)"  # text that would be a formula, neutralised
    assert rows[1][1].hour == (clock.now().hour + 7) % 24  # the shop's time, as a date-time
    found = gr.export_receipts(owner_ctx, tmp_path / "duc.xlsx", search="duc minh", lang="en")
    assert found.rows == 2
    header = next(openpyxl.load_workbook(found.path).active.iter_rows(values_only=True))
    assert header[:2] == ("Receipt", "Received")
    with pytest.raises(ValidationError, match="not 'nhap.csv'"):
        gr.export_receipts(owner_ctx, tmp_path / "nhap.csv")
    with pytest.raises(PermissionDenied):
        gr.export_receipts(staff(owner_ctx, Module.ORDERS), tmp_path / "x.xlsx")


# --------------------------------------------------------------------------- cancelling


def test_a_receipt_cancelled_takes_its_goods_back(owner_ctx, goods):
    engine = owner_ctx.engine
    lines = [gr.ReceiptLine(goods["shirt_s"], 10, 90_000), gr.ReceiptLine(goods["cup"], 3)]
    row = gr.receive_goods(owner_ctx, gr.ReceiptDraft(lines))
    assert stock_and_cost(engine, goods["shirt_s"]) == (20, 85_000)
    with pytest.raises(ValidationError, match="Say why"):
        gr.cancel_receipt(owner_ctx, row.id, "  ")
    done = gr.cancel_receipt(owner_ctx, row.id, "Nhập nhầm nhà cung cấp")
    assert done.cancelled_at is not None and done.cancel_reason == "Nhập nhầm nhà cung cấp"
    # The goods are out again, and their 90.000 out of the average: back to 80.000.
    assert stock_and_cost(engine, goods["shirt_s"]) == (10, 80_000)
    assert stock_and_cost(engine, goods["cup"])[0] == 5
    with engine.connect() as conn:
        moves = conn.execute(sa.select(table_of(StockMovement).c.quantity).where(
            StockMovement.reason == "Goods receipt PN000001 cancelled: Nhập nhầm nhà cung cấp"  # type: ignore[arg-type]
        )).scalars().all()  # fmt: skip
        audit = conn.execute(
            sa.select(table_of(AuditEvent).c.summary).where(
                AuditEvent.action == "goods_receipt.cancel"
            )
        ).scalar_one()  # type: ignore[arg-type]
        totals = dict(conn.execute(sa.select(P.c.name, P.c.available_total)).all())
    assert sorted(moves) == [-10, -3]
    assert audit == "PN000001 cancelled (Nhập nhầm nhà cung cấp)"
    assert totals["Cốc sứ"] == 5  # the list's figures follow
    assert gr.list_receipts(owner_ctx)[0].cancel_reason == "Nhập nhầm nhà cung cấp"
    with pytest.raises(ValidationError, match="PN000001 was cancelled already"):
        gr.cancel_receipt(owner_ctx, row.id, "again")
    with pytest.raises(NotFound):
        gr.cancel_receipt(owner_ctx, 999, "x")


def test_goods_sold_since_cannot_be_taken_back(owner_ctx, goods):
    from primedist.services.stock import stock_out

    row = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(goods["cup"], 2), gr.ReceiptLine(goods["shirt_m"], 4)]))  # fmt: skip
    stock_out(owner_ctx, goods["shirt_m"], 1, reason="Bán lẻ")  # 3 left of the 4 that came in
    with pytest.raises(ValidationError, match="Line 2: SKU AT-M has 3 on hand, fewer than the 4"):
        gr.cancel_receipt(owner_ctx, row.id, "Nhầm")
    # Nothing changed: the cup's line, taken back first, rolled back with it.
    assert stock_and_cost(owner_ctx.engine, goods["cup"])[0] == 7
    assert gr.list_receipts(owner_ctx)[0].cancelled_at is None
    with pytest.raises(PermissionDenied):
        gr.cancel_receipt(staff(owner_ctx, Module.ORDERS), row.id, "x")


def test_goods_held_for_orders_cannot_be_taken_back(owner_ctx, goods):
    """10 cups came in; a phone order holds 8 of them (not yet shipped: still on hand).
    Cancelling the receipt would leave the order's 8 with nothing behind them."""
    from primedist.domain.enums import OrderSource
    from primedist.services import orders
    from primedist.services.stock import stock_level

    lines = [gr.ReceiptLine(goods["shirt_m"], 2), gr.ReceiptLine(goods["cup"], 10, 40_000)]
    row = gr.receive_goods(owner_ctx, gr.ReceiptDraft(lines))
    orders.create_order(owner_ctx, orders.OrderDraft(
        lines=(orders.DraftLine(goods["cup"], 8),), source=OrderSource.PHONE))  # fmt: skip
    with pytest.raises(ValidationError, match=(
        r"Line 2: SKU COC-1 has 7 available \(on hand less those held for orders\): the 10 "
        r"that came in cannot be taken back")) as exc:  # fmt: skip
        gr.cancel_receipt(owner_ctx, row.id, "Nhầm")
    assert exc.value.field == "lines"
    # Nothing changed: 15 on hand, 8 of them held.
    with owner_ctx.uow() as session:
        level = stock_level(session, goods["cup"])
    assert (level.on_hand, level.reserved) == (15, 8)
    assert stock_and_cost(owner_ctx.engine, goods["shirt_m"])[0] == 2
    assert gr.list_receipts(owner_ctx)[0].cancelled_at is None


# --------------------------------------------------------------------------- costs, limits


def test_every_member_of_a_sku_group_gets_the_averaged_cost(owner_ctx):
    """MU-A and MU-B are one cap on the shelf (4 held by their group, at 50.000): 4 more at
    80.000 through either make the one stock's average 65.000, for both."""
    engine = owner_ctx.engine
    _group, cap_a, cap_b = make_grouped_pair(engine, stock=4)
    with engine.begin() as conn:
        conn.execute(sa.update(V).where(V.c.id.in_([cap_a, cap_b])).values(cost=50_000))
    row = gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cap_b, 4, 80_000)]))
    assert [stock_and_cost(engine, v)[1] for v in (cap_a, cap_b)] == [65_000, 65_000]
    # Cancelled, the 80.000 comes back out of the group's average: 50.000 again for both.
    gr.cancel_receipt(owner_ctx, row.id, "nhầm")
    assert [stock_and_cost(engine, v)[1] for v in (cap_a, cap_b)] == [50_000, 50_000]
    with engine.connect() as conn:
        assert conn.execute(sa.select(G.c.stock)).scalar_one() == 4


def test_a_cancelled_receipt_takes_its_costs_back_out(owner_ctx, goods):
    """COC-1: 5 on hand at 50.000; 10 more at 140.000 make it 110.000; cancelled, the 10 at
    140.000 leave: 50.000 again. A line with no cost changes no cost."""
    engine = owner_ctx.engine
    with engine.begin() as conn:
        conn.execute(sa.update(V).where(V.c.id == goods["cup"]).values(cost=50_000))
    lines = [gr.ReceiptLine(goods["cup"], 10, 140_000), gr.ReceiptLine(goods["shirt_s"], 2)]
    row = gr.receive_goods(owner_ctx, gr.ReceiptDraft(lines))
    assert stock_and_cost(engine, goods["cup"]) == (15, 110_000)
    gr.cancel_receipt(owner_ctx, row.id, "nhập nhầm")
    assert stock_and_cost(engine, goods["cup"]) == (5, 50_000)
    assert stock_and_cost(engine, goods["shirt_s"]) == (10, 80_000)


def test_a_receipt_costing_more_than_one_payment_takes_is_refused(owner_ctx, goods):
    """20 × 10.000.000.000 = 200 billion: above what one payment (and so a receipt paid in
    full) may be, whether or not a supplier is named: refused naming the total."""
    lines = [gr.ReceiptLine(goods["cup"], 20, 10_000_000_000)]
    for supplier in ("", "Công ty Đức Minh"):
        with pytest.raises(ValidationError, match=r"A receipt costs at most 100,000,000,000 "
                           r"\(200,000,000,000 given\): split the delivery") as exc:  # fmt: skip
            gr.receive_goods(owner_ctx, gr.ReceiptDraft(lines, supplier=supplier))
        assert exc.value.field == "lines"
    assert receipts_count(owner_ctx.engine) == 0
    assert stock_and_cost(owner_ctx.engine, goods["cup"])[0] == 5
    # Right at the limit it is received, paid in full.
    most = [gr.ReceiptLine(goods["cup"], 10, 10_000_000_000)]
    top = gr.receive_goods(owner_ctx, gr.ReceiptDraft(most, supplier="Công ty Đức Minh"))
    assert (top.total_cost, top.paid, top.owed) == (100_000_000_000, 100_000_000_000, 0)
