"""A payment to a supplier printed as a voucher (phiếu chi) into a PDF on the receipt's roll,
as a customer's payment receipt is: in Vietnamese and English, the goods receipt it was
paid with, what the shop still owes (or has paid in advance), a cancelled one marked, every
value escaped, never the cash drawer, and `primedist print supplier-payment`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import PaymentMethod
from primedist.printing.model import DocumentType, parse_host_port
from primedist.printing.store import load_profile, save_profile
from primedist.services import auth, suppliers
from primedist.services import goods_receipts as receipts
from primedist.services.context import ServiceContext
from primedist.ui.printing.jobs import print_supplier_payment
from tests.cli_support import INIT_ARGS
from tests.factories import make_product
from tests.printing.support import Capture, decode_escpos, has_phrase, pdf_pages_mm, pdf_text


def delivered(ctx: ServiceContext, supplier: str = "Công ty Đức Minh") -> int:
    """10 cups at 30.000 ₫ from `supplier` (300.000 ₫), 100.000 ₫ paid in cash with the
    goods receipt (PN000001, PC000001): 200.000 ₫ owed. The supplier's id."""
    cup = make_product(ctx.engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 0)])[0]
    row = receipts.receive_goods(ctx, receipts.ReceiptDraft(
        [receipts.ReceiptLine(cup, 10, 30_000)], supplier=supplier, paid=100_000))  # fmt: skip
    assert row.supplier_id is not None
    return row.supplier_id


def test_a_payment_voucher_in_vietnamese_on_the_roll(qapp, shop_ctx, tmp_path):
    sid = delivered(shop_ctx)
    paid = suppliers.pay_supplier(shop_ctx, sid, 150_000, PaymentMethod.BANK_TRANSFER,
                                  "CK Techcombank")  # fmt: skip
    assert paid.code == "PC000002"
    out = tmp_path / "pc.pdf"
    result = print_supplier_payment(shop_ctx, paid.record_id, pdf=out)
    assert result.where == str(out)
    ((width, _height),) = pdf_pages_mm(out)
    assert round(width) == 80  # the receipt's roll
    text = pdf_text(out)
    for phrase in ("Nến Thơm Sài Gòn", "PHIẾU CHI", "Số phiếu PC000002",
                   "Nhà cung cấp Công ty Đức Minh (NCC000001)", "Hình thức Chuyển khoản",
                   "Ghi chú CK Techcombank", "Số tiền chi 150.000 ₫",
                   "Còn nợ nhà cung cấp 50.000 ₫", "Người chi Chủ Thử", "Người nhận tiền",
                   "(ký, ghi rõ họ tên)"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    for absent in ("ĐÃ HỦY", "Chi cùng phiếu nhập", "trước", "PHIẾU THU"):
        assert absent not in text, absent


def test_paid_with_a_goods_receipt_cancelled_in_english(qapp, shop_ctx, tmp_path):
    delivered(shop_ctx)
    out = tmp_path / "pc.pdf"
    print_supplier_payment(shop_ctx, 1, pdf=out, lang="en")
    text = pdf_text(out)
    for phrase in ("PAYMENT VOUCHER", "Voucher PC000001", "With goods receipt PN000001",
                   "Method Cash", "Amount paid 100,000 VND",
                   "Still owed to the supplier 200,000 VND"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    assert "CANCELLED" not in text and "Note" not in text
    receipts.cancel_receipt(shop_ctx, 1, "Nhập nhầm nhà cung cấp")
    print_supplier_payment(shop_ctx, 1, pdf=out, lang="en")
    text = pdf_text(out)
    assert has_phrase(text, "CANCELLED") and has_phrase(text, "Nhập nhầm nhà cung cấp")
    assert has_phrase(text, "Still owed to the supplier 0 VND")  # the receipt is gone too


def test_paid_in_advance(qapp, shop_ctx, tmp_path):
    sid = delivered(shop_ctx)
    paid = suppliers.pay_supplier(shop_ctx, sid, 250_000)
    out = tmp_path / "pc.pdf"
    print_supplier_payment(shop_ctx, paid.record_id, pdf=out)
    text = pdf_text(out)
    assert has_phrase(text, "Đã trả trước 50.000 ₫") and "Còn nợ" not in text
    print_supplier_payment(shop_ctx, paid.record_id, pdf=out, lang="en")
    text = pdf_text(out)
    assert has_phrase(text, "Paid in advance 50,000 VND") and "Still owed" not in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_value_is_escaped(qapp, shop_ctx, tmp_path, lang):
    sid = delivered(shop_ctx, supplier="<b>Đức</b> & Co")
    paid = suppliers.pay_supplier(shop_ctx, sid, 1_000, note="<i>x</i> & y")
    out = tmp_path / "pc.pdf"
    print_supplier_payment(shop_ctx, paid.record_id, pdf=out, lang=lang)
    text = pdf_text(out)
    assert "<b>Đức</b> & Co" in text and "<i>x</i> & y" in text


def test_a_cash_payment_never_opens_the_drawer_unless_asked(qapp, shop_ctx):
    """The receipt's ESC/POS printer kicks the drawer for a sale; a voucher printed as the
    CLI and the Suppliers page print it does not."""
    sid = delivered(shop_ctx)
    paid = suppliers.pay_supplier(shop_ctx, sid, 50_000, PaymentMethod.CASH)
    capture = Capture()
    try:
        profile = load_profile(shop_ctx, DocumentType.RECEIPT)
        save_profile(shop_ctx, replace(profile, target=parse_host_port(
            f"127.0.0.1:{capture.port}"), open_drawer=True, preview=False))  # fmt: skip
        print_supplier_payment(shop_ctx, paid.record_id)
        print_supplier_payment(shop_ctx, paid.record_id, open_drawer=True)
        jobs = capture.wait(2)
    finally:
        capture.close()
    assert [decode_escpos(job).drawer_kicks for job in jobs] == [0, 1]
    assert all(decode_escpos(job).images for job in jobs)


def test_the_command_line(qapp, cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    base = ServiceContext(engine, settings=resolve_settings(data))
    owner = base.with_actor(auth.owner_actor(base))
    suppliers.pay_supplier(owner, delivered(owner), 80_000, PaymentMethod.BANK_TRANSFER)
    engine.dispose()
    out = tmp_path / "pc.pdf"
    run = cli("--data-dir", str(data), "print", "supplier-payment", " pc000002", "--pdf",
              str(out), "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"code": "PC000002", "printed_to": str(out)}
    text = pdf_text(out)
    assert has_phrase(text, "PHIẾU CHI PC000002") and has_phrase(text, "Số tiền chi 80.000 ₫")
    assert has_phrase(text, "Còn nợ nhà cung cấp 120.000 ₫")
    english = cli("--data-dir", str(data), "print", "supplier-payment", "PC000001", "--pdf",
                  str(out), "--lang", "en")  # fmt: skip
    assert english.code == EXIT_OK, english.err
    assert has_phrase(pdf_text(out), "With goods receipt PN000001")
    missing = cli("--data-dir", str(data), "print", "supplier-payment", "PC000009")
    assert missing.code == EXIT_ERROR
    assert missing.error_line() == "primedist: error: There is no payment PC000009."
    bad = cli("--data-dir", str(data), "print", "supplier-payment", "PT000001")
    assert bad.code == EXIT_ERROR
    assert "PT000001 is not a supplier payment code (PC000012)" in bad.err
