"""Suppliers: records (code, contact details, one per folded name, archived not deleted),
what the shop owes each (receipts less payments, paid with a delivery or later, cancelled
ones no longer counting), the account with its running balance, search, export, refusals
that leave nothing written, permissions."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Module, PaymentMethod
from primedist.domain.goods_receipt import GoodsReceipt
from primedist.domain.supplier import Supplier, SupplierPayment
from primedist.errors import NotFound, PermissionDenied, ValidationError
from primedist.services import goods_receipts as gr
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_permissions import staff

DUC_MINH = "Công ty Đức Minh"


def count(engine: sa.Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table_of(model)))
                   .scalar_one())  # fmt: skip


def actions(engine: sa.Engine) -> list[str]:
    """The suppliers' audit actions, in order."""
    a = table_of(AuditEvent).c
    with engine.connect() as conn:
        return list(conn.execute(sa.select(a.action).where(a.action.like("supplier%"))
                                 .order_by(a.id)).scalars())  # fmt: skip


@pytest.fixture
def cup(owner_ctx: ServiceContext) -> int:
    (variant,) = make_product(owner_ctx.engine, "Cốc sứ", [("COC-1", 45_000, 5)])
    return variant


def delivery(ctx: ServiceContext, variant: int, quantity: int, cost: int, supplier: str = DUC_MINH,
             **kw: object) -> gr.ReceiptRow:  # fmt: skip
    line = gr.ReceiptLine(variant, quantity, cost)
    draft = gr.ReceiptDraft([line], supplier=supplier, **kw)  # type: ignore[arg-type]
    return gr.receive_goods(ctx, draft)


def test_a_supplier_recorded_and_found(owner_ctx):
    row = sup.create_supplier(owner_ctx, sup.SupplierDraft(
        "  Công ty   Đức Minh ", phone="+84 939 921 717", email="ban@ducminh.vn",
        address="12 Lý Thường Kiệt, Hà Nội", tax_code="0101234567-001",
        note="Giao thứ 3"))  # fmt: skip
    assert (row.code, row.name, row.phone, row.tax_code) == (
        "NCC000001",
        DUC_MINH,
        "0939921717",
        "0101234567-001",
    )
    assert (row.receipts, row.bought, row.paid, row.debt, row.last_delivery) == (0, 0, 0, 0, None)
    for query in ("duc minh", "CÔNG TY", "0939 921 717", "84939921717", "ncc000001",
                  "0101234567", "ducminh.vn"):  # fmt: skip
        assert [s.code for s in sup.list_suppliers(owner_ctx, query)] == ["NCC000001"], query
    assert sup.list_suppliers(owner_ctx, "duc hanh") == []
    assert sup.list_suppliers(owner_ctx, "100%_") == []
    assert actions(owner_ctx.engine) == ["supplier.create"]
    assert sup.supplier_id_by_name(owner_ctx, "cong ty duc minh") == row.id
    assert sup.supplier_id_by_name(owner_ctx, "ncc000001") == row.id
    with pytest.raises(NotFound, match="There is no supplier Gốm"):
        sup.supplier_id_by_name(owner_ctx, "Gốm")


@pytest.mark.parametrize(
    ("draft", "field", "message"),
    [
        (sup.SupplierDraft("   "), "name", "Give the supplier's name"),
        (sup.SupplierDraft("x" * 121), "name", "121 characters: 120 at most"),
        (sup.SupplierDraft("CÔNG TY ĐỨC MINH"), "name",
         r"named Công ty Đức Minh already \(NCC000001\)"),
        (sup.SupplierDraft("Gốm", phone="12ab"), "phone", "12ab is not a phone number"),
        (sup.SupplierDraft("Gốm", email="gom@"), "email", "gom@ is not an email address"),
        (sup.SupplierDraft("Gốm", tax_code="12345"), "tax_code", "12345 is not one"),
        (sup.SupplierDraft("Gốm", note="n" * 256), "note", "256 characters: 255 at most"),
    ],
)  # fmt: skip
def test_refused_records_name_the_field_and_write_nothing(owner_ctx, draft, field, message):
    sup.create_supplier(owner_ctx, sup.SupplierDraft(DUC_MINH))
    with pytest.raises(ValidationError, match=message) as raised:
        sup.create_supplier(owner_ctx, draft)
    assert raised.value.field == field
    assert count(owner_ctx.engine, Supplier) == 1
    assert actions(owner_ctx.engine) == ["supplier.create"]


def test_edited_while_receipts_keep_the_name_they_came_under(owner_ctx, cup):
    receipt = delivery(owner_ctx, cup, 10, 30_000)
    other = sup.create_supplier(owner_ctx, sup.SupplierDraft("Gốm Bát Tràng"))
    supplier_id = sup.supplier_id_by_name(owner_ctx, DUC_MINH)
    draft = sup.SupplierDraft("Đức Minh Garment", phone="0912 345 678")
    row = sup.update_supplier(owner_ctx, supplier_id, draft)
    assert (row.name, row.phone, row.receipts, row.bought) == (
        "Đức Minh Garment",
        "0912345678",
        1,
        300_000,
    )
    assert gr.get_receipt(owner_ctx, receipt.id).supplier == DUC_MINH
    assert [s.name for s in sup.list_suppliers(owner_ctx, "garment")] == ["Đức Minh Garment"]
    with pytest.raises(ValidationError, match="named Gốm Bát Tràng already"):
        sup.update_supplier(owner_ctx, supplier_id, sup.SupplierDraft("gom bat trang"))
    assert sup.update_supplier(owner_ctx, other.id, sup.SupplierDraft("GỐM BÁT TRÀNG")).name == (
        "GỐM BÁT TRÀNG"
    )  # its own name in another case is no clash
    with owner_ctx.engine.connect() as conn:
        audit = conn.execute(
            sa.select(table_of(AuditEvent))
            .where(AuditEvent.action == "supplier.update")
            .order_by(AuditEvent.id)
        ).first()  # type: ignore[arg-type]
    assert audit is not None and json.loads(audit.before_json)["name"] == DUC_MINH
    with pytest.raises(NotFound):
        sup.update_supplier(owner_ctx, 999, sup.SupplierDraft("Ai"))


def test_what_is_owed_follows_receipts_and_payments(owner_ctx, cup, clock):
    full = delivery(owner_ctx, cup, 10, 30_000)  # paid in full by default
    assert (full.paid, full.owed, full.supplier_id) == (
        300_000,
        0,
        sup.supplier_id_by_name(owner_ctx, DUC_MINH),
    )
    clock.advance(timedelta(hours=1))
    part = delivery(
        owner_ctx,
        cup,
        20,
        50_000,
        supplier="cong ty duc minh",
        paid=400_000,
        method=PaymentMethod.BANK_TRANSFER,
    )  # same supplier, typed another way
    assert (part.paid, part.owed, part.supplier) == (400_000, 600_000, "cong ty duc minh")
    clock.advance(timedelta(hours=1))
    delivery(owner_ctx, cup, 1, 90_000, supplier="Gốm Bát Tràng", paid=0)  # on credit
    rows = {s.name: s for s in sup.list_suppliers(owner_ctx)}
    assert list(rows) == [DUC_MINH, "Gốm Bát Tràng"]  # one record per folded name
    duc = rows[DUC_MINH]
    assert (duc.receipts, duc.bought, duc.paid, duc.debt) == (2, 1_300_000, 700_000, 600_000)
    assert rows["Gốm Bát Tràng"].debt == 90_000
    assert sup.total_owed(owner_ctx) == 690_000
    assert [s.name for s in sup.list_suppliers(owner_ctx, owing=True)] == [
        DUC_MINH,
        "Gốm Bát Tràng",
    ]
    clock.advance(timedelta(hours=1))
    payment = sup.pay_supplier(owner_ctx, duc.id, 800_000, PaymentMethod.CASH, "trả đợt 1")
    assert (payment.code, payment.amount, payment.balance, payment.note) == (
        "PC000003",
        800_000,
        -200_000,
        "trả đợt 1",
    )  # 200.000 paid in advance (Gốm's 0 paid made none)
    assert sup.get_supplier(owner_ctx, duc.id).debt == -200_000
    assert sup.total_owed(owner_ctx) == 90_000  # an advance does not net off another's debt
    assert [s.name for s in sup.list_suppliers(owner_ctx, owing=True)] == ["Gốm Bát Tràng"]
    ledger = sup.supplier_ledger(owner_ctx, duc.id)
    assert [(e.kind, e.code, e.amount, e.balance) for e in ledger] == [
        ("payment", "PC000003", 800_000, -200_000),
        ("payment", "PC000002", 400_000, 600_000),
        ("receipt", part.code, 1_000_000, 1_000_000),
        ("payment", "PC000001", 300_000, 0),
        ("receipt", full.code, 300_000, 300_000),
    ]  # fmt: skip
    assert ledger[1].receipt_code == part.code and ledger[1].method == PaymentMethod.BANK_TRANSFER
    # A long account shows its newest entries, their balances worked back exactly.
    assert sup.supplier_ledger(owner_ctx, duc.id, limit=3) == ledger[:3]
    assert ledger[0].by == owner_ctx.actor.name and ledger[0].receipt_code == ""


@pytest.mark.parametrize(
    ("amount", "method", "note", "message"),
    [
        (0, PaymentMethod.CASH, "", "must be 1 to"),
        (-5, PaymentMethod.CASH, "", "must be 1 to"),
        (100_000_000_001, PaymentMethod.CASH, "", "must be 1 to"),
        (1_000, PaymentMethod.COD, "", "not by"),
        (1_000, PaymentMethod.CASH, "n" * 256, "256 characters"),
    ],
)
def test_a_bad_payment_is_refused(owner_ctx, amount, method, note, message):
    supplier = sup.create_supplier(owner_ctx, sup.SupplierDraft(DUC_MINH))
    with pytest.raises(ValidationError, match=message):
        sup.pay_supplier(owner_ctx, supplier.id, amount, method, note)
    assert count(owner_ctx.engine, SupplierPayment) == 0
    with pytest.raises(NotFound):
        sup.pay_supplier(owner_ctx, 999, 1_000)


def test_a_cancelled_payment_stops_counting(owner_ctx, cup):
    receipt = delivery(owner_ctx, cup, 10, 30_000, paid=0)
    supplier_id = receipt.supplier_id
    payment = sup.pay_supplier(owner_ctx, supplier_id, 100_000)
    assert sup.get_supplier(owner_ctx, supplier_id).debt == 200_000
    with pytest.raises(ValidationError, match="Say why"):
        sup.cancel_payment(owner_ctx, payment.record_id, "  ")
    sup.cancel_payment(owner_ctx, payment.record_id, "nhập nhầm")
    assert sup.get_supplier(owner_ctx, supplier_id).debt == 300_000
    entry = sup.supplier_ledger(owner_ctx, supplier_id)[0]
    assert (entry.code, entry.counts, entry.cancel_reason, entry.balance) == (
        payment.code,
        False,
        "nhập nhầm",
        300_000,
    )
    with pytest.raises(ValidationError, match="cancelled already"):
        sup.cancel_payment(owner_ctx, payment.record_id, "again")
    with pytest.raises(NotFound):
        sup.cancel_payment(owner_ctx, 999, "x")
    assert actions(owner_ctx.engine)[-1] == "supplier.payment_cancel"


def test_a_payment_made_with_a_receipt_goes_with_the_receipt(owner_ctx, cup):
    receipt = delivery(owner_ctx, cup, 10, 30_000, paid=100_000)
    supplier_id = receipt.supplier_id
    with_receipt = next(e for e in sup.supplier_ledger(owner_ctx, supplier_id)
                        if e.kind == "payment")  # fmt: skip
    with pytest.raises(
        ValidationError, match=f"paid with goods receipt {receipt.code}: cancel the receipt"
    ):
        sup.cancel_payment(owner_ctx, with_receipt.record_id, "x")
    cancelled = gr.cancel_receipt(owner_ctx, receipt.id, "giao nhầm")
    assert (cancelled.paid, cancelled.owed) == (0, 0)
    assert gr.get_receipt(owner_ctx, receipt.id).paid == 0
    row = sup.get_supplier(owner_ctx, supplier_id)
    assert (row.receipts, row.bought, row.paid, row.debt) == (0, 0, 0, 0)
    assert [(e.kind, e.counts, e.balance) for e in sup.supplier_ledger(owner_ctx, supplier_id)
            ] == [("payment", False, 0), ("receipt", False, 0)]  # fmt: skip


@pytest.mark.parametrize(
    ("supplier", "paid", "message"),
    [
        (DUC_MINH, 300_001, "must be 0 to the receipt's cost"),
        (DUC_MINH, -1, "must be 0 to the receipt's cost"),
        ("", 100_000, "Name the supplier the 100,000 was paid to"),
    ],
)
def test_a_wrong_amount_paid_receives_nothing(owner_ctx, cup, supplier, paid, message):
    with pytest.raises(ValidationError, match=message):
        delivery(owner_ctx, cup, 10, 30_000, supplier=supplier, paid=paid)
    assert [count(owner_ctx.engine, m) for m in (GoodsReceipt, Supplier, SupplierPayment)] == [
        0, 0, 0]  # fmt: skip


def test_a_receipt_without_supplier_records_no_payment(owner_ctx, cup):
    row = delivery(owner_ctx, cup, 10, 30_000, supplier="")
    assert (row.supplier_id, row.paid, row.owed) == (None, 0, 0)  # nobody to owe
    assert count(owner_ctx.engine, SupplierPayment) == 0
    assert count(owner_ctx.engine, Supplier) == 0


def test_an_archived_supplier_receives_nothing_until_restored(owner_ctx, cup):
    supplier = sup.create_supplier(owner_ctx, sup.SupplierDraft(DUC_MINH))
    sup.create_supplier(owner_ctx, sup.SupplierDraft("Gốm Bát Tràng"))
    archived = sup.set_supplier_active(owner_ctx, supplier.id, False)
    assert not archived.is_active
    assert [s.name for s in sup.list_suppliers(owner_ctx)] == ["Gốm Bát Tràng"]
    assert [s.name for s in sup.list_suppliers(owner_ctx, archived=True)] == [DUC_MINH]
    assert gr.known_suppliers(owner_ctx) == ["Gốm Bát Tràng"]
    with pytest.raises(ValidationError, match=r"Công ty Đức Minh \(NCC000001\) is archived"):
        delivery(owner_ctx, cup, 1, 30_000, supplier="cong ty duc minh")
    assert count(owner_ctx.engine, GoodsReceipt) == 0
    sup.set_supplier_active(owner_ctx, supplier.id, True)
    assert delivery(owner_ctx, cup, 1, 30_000, supplier="cong ty duc minh").supplier_id == (
        supplier.id
    )
    assert actions(owner_ctx.engine).count("supplier.archive") == 1
    assert "supplier.restore" in actions(owner_ctx.engine)


def test_known_suppliers_latest_delivery_first(owner_ctx, cup, clock):
    delivery(owner_ctx, cup, 1, 1_000, supplier="Gốm Bát Tràng")
    clock.advance(timedelta(minutes=5))
    delivery(owner_ctx, cup, 1, 1_000)
    clock.advance(timedelta(minutes=5))
    sup.create_supplier(owner_ctx, sup.SupplierDraft("Nhựa Song Long"))  # none delivered yet
    assert gr.known_suppliers(owner_ctx) == ["Nhựa Song Long", DUC_MINH, "Gốm Bát Tràng"]


def test_export_reads_back_typed(owner_ctx, cup, tmp_path: Path):
    delivery(owner_ctx, cup, 10, 30_000, paid=100_000)
    sup.create_supplier(owner_ctx, sup.SupplierDraft('=HYPERLINK("x")', phone="0912345678"))
    report = sup.export_suppliers(owner_ctx, tmp_path / "ncc.xlsx", lang="en")
    assert report.rows == 2
    sheet = openpyxl.load_workbook(tmp_path / "ncc.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:11] == ("Code", "Supplier", "Phone", "Email", "Address", "Tax code",
                            "Receipts", "Bought", "Paid", "Adjusted", "Owed")  # fmt: skip
    assert rows[1][:11] == ("NCC000002", "'=HYPERLINK(\"x\")", "0912345678", None, None, None,
                            0, 0, 0, 0, 0)  # fmt: skip
    assert rows[2][6:11] == (1, 300_000, 100_000, 0, 200_000)
    owing = sup.export_suppliers(owner_ctx, tmp_path / "no.xlsx", owing=True, lang="vi")
    assert owing.rows == 1
    assert actions(owner_ctx.engine)[-1] == "suppliers.export"


CALLS = [
    lambda c: sup.create_supplier(c, sup.SupplierDraft("X")),
    lambda c: sup.update_supplier(c, 1, sup.SupplierDraft("X")),
    lambda c: sup.set_supplier_active(c, 1, False),
    lambda c: sup.list_suppliers(c),
    lambda c: sup.get_supplier(c, 1),
    lambda c: sup.supplier_id_by_name(c, "X"),
    lambda c: sup.total_owed(c),
    lambda c: sup.supplier_names(c),
    lambda c: sup.supplier_ledger(c, 1),
    lambda c: sup.pay_supplier(c, 1, 1_000),
    lambda c: sup.cancel_payment(c, 1, "x"),
    lambda c: sup.export_suppliers(c, Path("/tmp/never.xlsx")),
]


@pytest.mark.parametrize("call", CALLS)
def test_suppliers_need_products_access(ctx, call):
    with pytest.raises(PermissionDenied):
        call(staff(ctx, Module.ORDERS, Module.CUSTOMERS))


def test_staff_with_products_access_may(ctx):
    lan = staff(ctx, Module.PRODUCTS)
    row = sup.create_supplier(lan, sup.SupplierDraft("Gốm Bát Tràng"))
    assert sup.list_suppliers(lan)[0].id == row.id


def test_a_balance_adjusted_by_hand(owner_ctx, cup, clock):
    """A debt from before the app, then a discount the supplier granted: what is owed
    follows, the account lists them; a zero, a missing reason or a huge amount is refused."""
    supplier = sup.create_supplier(owner_ctx, sup.SupplierDraft(DUC_MINH))
    opening = sup.adjust_balance(owner_ctx, supplier.id, 1_500_000, "  Nợ cũ đến 30/11 ")
    assert (opening.code, opening.amount, opening.lowers, opening.balance, opening.note) == (
        "DC000001",
        1_500_000,
        False,
        1_500_000,
        "Nợ cũ đến 30/11",
    )
    clock.advance(timedelta(hours=1))
    delivery(owner_ctx, cup, 10, 30_000, paid=0)
    clock.advance(timedelta(hours=1))
    discount = sup.adjust_balance(owner_ctx, supplier.id, -100_000, "Chiết khấu cuối năm")
    assert (discount.amount, discount.lowers, discount.balance) == (100_000, True, 1_700_000)
    row = sup.get_supplier(owner_ctx, supplier.id)
    assert (row.bought, row.paid, row.adjusted, row.debt) == (300_000, 0, 1_400_000, 1_700_000)
    assert sup.total_owed(owner_ctx) == 1_700_000
    ledger = sup.supplier_ledger(owner_ctx, supplier.id)
    assert [(e.kind, e.code, e.change, e.balance) for e in ledger] == [
        ("adjustment", "DC000002", -100_000, 1_700_000),
        ("receipt", "PN000001", 300_000, 1_800_000),
        ("adjustment", "DC000001", 1_500_000, 1_500_000),
    ]  # fmt: skip
    for amount, reason, message in ((0, "x", "1 to"), (100_000_000_001, "x", "1 to"),
                                    (5, " ", "Say why the balance changes")):  # fmt: skip
        with pytest.raises(ValidationError, match=message):
            sup.adjust_balance(owner_ctx, supplier.id, amount, reason)
    with pytest.raises(NotFound):
        sup.adjust_balance(owner_ctx, 999, 5, "x")
    assert actions(owner_ctx.engine).count("supplier.adjust") == 2
    with pytest.raises(PermissionDenied):
        sup.adjust_balance(staff(owner_ctx, Module.ORDERS), supplier.id, 5, "x")


# --------------------------------------------------------------------------- import


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_suppliers_imported_with_their_opening_debts(owner_ctx, tmp_path):
    sup.create_supplier(owner_ctx, sup.SupplierDraft("Gốm Minh Long", email="old@gom.vn"))
    file = write_xlsx(tmp_path / "ncc.xlsx", [
        ["Name", "Phone", "Email", "Address", "Tax code", "Note", "Opening debt"],
        ["Công ty Đức Minh", "0283 8123 456", None, "45 Lê Văn Sỹ", "0312345678", None, 1500000],
        ["gom minh long", None, "ban@gom.vn", None, None, None, 200000],
        ["Nhựa Song Long", "0909112233", None, None, None, "giao thứ 3", -50000],
        ["Tổng kho Gia dụng", None, None, None, None, None, None],
    ])  # fmt: skip
    report = sup.import_suppliers(owner_ctx, file)
    assert (report.rows, report.created, report.updated, report.unchanged) == (4, 3, 1, 0)
    assert (report.opening_debts, report.opening_total, report.opening_skipped) == (
        2,
        1_450_000,
        1,
    )  # Minh Long was there already: its opening debt is not applied
    rows = {r.name: r for r in sup.list_suppliers(owner_ctx)}
    assert rows["Công ty Đức Minh"].debt == 1_500_000
    assert rows["Công ty Đức Minh"].phone == "02838123456"
    assert rows["Nhựa Song Long"].debt == -50_000 and rows["Nhựa Song Long"].note == "giao thứ 3"
    assert (rows["Gốm Minh Long"].email, rows["Gốm Minh Long"].debt) == ("ban@gom.vn", 0)
    assert sup.supplier_ledger(owner_ctx, rows["Công ty Đức Minh"].id)[0].note == (
        sup.OPENING_REASON
    )
    # The same file again changes nothing.
    again = sup.import_suppliers(owner_ctx, file)
    assert (again.created, again.updated, again.unchanged, again.opening_debts) == (0, 0, 4, 0)
    assert sup.total_owed(owner_ctx) == 1_500_000
    assert actions(owner_ctx.engine).count("suppliers.import") == 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["phone"], ["0909112233"]], "'name'"),
        ([["name", "phone"], ["Gốm", "12ab"]], "row 2, column 'phone': 12ab is not a phone"),
        ([["name"], ["Gốm"], [None]], None),  # a blank row is skipped: fine
        ([["name", "email"], ["Gốm", "x@"]], "row 2, column 'email'"),
        ([["name", "opening_debt"], ["Gốm", "1.500.000"]], "row 2, column 'opening_debt'"),
        ([["name", "opening_debt"], ["Gốm", 12.5]], "row 2, column 'opening_debt'"),
        ([["name"], ["Gốm"], ["GỐM"]], "row 3, column 'name': GỐM is on rows 2 and 3"),
        ([["name", "phone"], ["Gốm", "0909112233"], ["   ", None]], None),
    ],
)
def test_a_bad_suppliers_file_writes_nothing(owner_ctx, tmp_path, rows, message):
    file = write_xlsx(tmp_path / "ncc.xlsx", rows)
    if message is None:
        assert sup.import_suppliers(owner_ctx, file).created == 1
        return
    with pytest.raises(ValidationError, match=message):
        sup.import_suppliers(owner_ctx, file)
    assert count(owner_ctx.engine, Supplier) == 0


def test_a_csv_and_a_file_that_is_not_excel(owner_ctx, tmp_path):
    csv = tmp_path / "ncc.csv"
    csv.write_text("name,opening_debt\nGốm Minh Long,300000\n", encoding="utf-8")
    assert sup.import_suppliers(owner_ctx, csv).opening_total == 300_000
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(ValidationError, match="fake.xlsx"):
        sup.import_suppliers(owner_ctx, fake)
    with pytest.raises(PermissionDenied):
        sup.import_suppliers(staff(owner_ctx, Module.ORDERS), csv)


def test_what_a_supplier_delivered(owner_ctx, cup, clock):
    (plate,) = make_product(owner_ctx.engine, "Đĩa sứ", [("DIA-1", 60_000, 0)])
    first = delivery(owner_ctx, cup, 10, 30_000)
    clock.advance(timedelta(days=3))
    line = gr.ReceiptLine(cup, 5, 32_000)
    second = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [line, gr.ReceiptLine(plate, 4, None)], supplier=DUC_MINH))  # fmt: skip
    clock.advance(timedelta(days=1))
    cancelled = delivery(owner_ctx, cup, 100, 1_000)  # entered by mistake, then cancelled
    gr.cancel_receipt(owner_ctx, cancelled.id, "nhầm")
    from primedist.services import supplier_returns as sr

    cup_line = gr.receipt_lines(owner_ctx, first.id)[0]
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(first.id, {cup_line.id: 2}, "Vỡ"))
    delivery(owner_ctx, cup, 7, 31_000, supplier="Gốm Bát Tràng")  # another supplier's
    got = sup.supplied_products(owner_ctx, second.supplier_id)
    assert [(p.sku, p.units, p.last_cost, p.last_received) for p in got] == [
        ("COC-1", 10 - 2 + 5, 32_000, second.created_at),
        ("DIA-1", 4, None, second.created_at),
    ]  # fmt: skip
    assert got[0].product_name == "Cốc sứ" and got[0].variant_id == cup
    assert sup.supplied_products(owner_ctx, 999) == []


# --------------------------------------------------------------------------- naming on a receipt


def test_a_receipt_names_its_supplier_by_code_and_a_mistyped_code_is_refused(owner_ctx, cup):
    """The code finds the supplier as `suppliers pay` finds it (any case), and the receipt
    keeps its name; a code no supplier has would have become a supplier named after it."""
    duc = sup.create_supplier(owner_ctx, sup.SupplierDraft(DUC_MINH))
    receipt = delivery(owner_ctx, cup, 10, 30_000, supplier=" ncc000001 ", paid=0)
    assert (receipt.supplier_id, receipt.supplier) == (duc.id, DUC_MINH)
    assert sup.get_supplier(owner_ctx, duc.id).debt == 300_000
    for typo in ("NCC000099", "ncc2"):
        with pytest.raises(ValidationError, match=f"There is no supplier {typo}.") as exc:
            delivery(owner_ctx, cup, 1, 1_000, supplier=typo)
        assert exc.value.field == "supplier"
    assert [count(owner_ctx.engine, m) for m in (Supplier, GoodsReceipt)] == [1, 1]
    # A name that merely starts like a code is a name.
    assert delivery(owner_ctx, cup, 1, 1_000, supplier="NCC Hà Nội").supplier == "NCC Hà Nội"
    assert count(owner_ctx.engine, Supplier) == 2


def test_money_paid_without_a_supplier_is_refused_none_is_the_default(owner_ctx, cup):
    """Paid with no supplier named, the money would go on no account and out of no drawer:
    refused; without --paid such a receipt records nothing paid."""
    for paid in (170_000, 300_000):
        with pytest.raises(ValidationError, match=f"Name the supplier the {paid:,} was paid to: "
                           "a receipt without one records nothing paid") as exc:  # fmt: skip
            delivery(owner_ctx, cup, 10, 30_000, supplier="", paid=paid)
        assert exc.value.field == "supplier"
    assert count(owner_ctx.engine, GoodsReceipt) == 0
    plain = delivery(owner_ctx, cup, 10, 30_000, supplier="")
    nothing = delivery(owner_ctx, cup, 10, 30_000, supplier="", paid=0)
    for row in (plain, nothing):
        got = gr.get_receipt(owner_ctx, row.id)
        assert (got.supplier_id, got.paid, got.owed) == (None, 0, 0)
    assert count(owner_ctx.engine, SupplierPayment) == 0


def test_writing_a_debt_off_or_back_needs_the_owner_or_a_manager(owner_ctx, cup):
    """As for a customer's account: Products access lets staff pay a supplier, not adjust
    what is owed nor cancel a payment (which puts a debt back up)."""
    from primedist.domain.enums import Role
    from primedist.services.context import Actor

    receipt = delivery(owner_ctx, cup, 10, 30_000, paid=0)
    supplier_id = receipt.supplier_id
    lan = staff(owner_ctx, Module.PRODUCTS)
    payment = sup.pay_supplier(lan, supplier_id, 100_000)  # paying is still theirs
    for call in (lambda: sup.adjust_balance(lan, supplier_id, -9_000_000, "xóa nợ"),
                 lambda: sup.cancel_payment(lan, payment.record_id, "nhầm")):  # fmt: skip
        with pytest.raises(PermissionDenied, match="Only the owner or a manager"):
            call()
    assert sup.get_supplier(owner_ctx, supplier_id).debt == 200_000
    minh = owner_ctx.with_actor(Actor(None, "Minh", "minh@x.vn", Role.MANAGER))
    sup.adjust_balance(minh, supplier_id, -50_000, "chiết khấu")
    sup.cancel_payment(minh, payment.record_id, "nhầm")
    assert sup.get_supplier(owner_ctx, supplier_id).debt == 250_000
