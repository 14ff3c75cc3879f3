"""A customer's payment receipt (phiếu thu) printed into a PDF on the receipt's roll, in
Vietnamese and English, a cancelled one marked, every value escaped, and `primedist print
customer-payment`."""

from __future__ import annotations

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.domain.enums import PaymentMethod
from primedist.services import auth, orders
from primedist.services import customer_account as account
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.printing.jobs import print_customer_payment
from tests.cli_support import INIT_ARGS
from tests.factories import make_customers, make_product
from tests.printing.support import has_phrase, pdf_pages_mm, pdf_text


def owing(ctx: ServiceContext, name: str = "Nguyễn Thị Hoa") -> int:
    """`name` took 3 cups of 45.000 ₫ on account, paying 35.000 ₫ at once."""
    cup = make_product(ctx.engine, "Cốc sứ", [("COC-1", 45_000, 20)])[0]
    (cid,) = make_customers(ctx.engine, 1, names=[name])
    orders.create_order(ctx, OrderDraft(lines=(DraftLine(cup, 3),), customer_id=cid,
                                        payment_method=PaymentMethod.ON_ACCOUNT,
                                        paid_now=35_000))  # fmt: skip
    return cid


def test_a_payment_receipt_in_vietnamese_on_the_roll(qapp, shop_ctx, tmp_path):
    cid = owing(shop_ctx)
    paid = account.receive_payment(shop_ctx, cid, 60_000, PaymentMethod.BANK_TRANSFER,
                                   "CK Vietcombank")  # fmt: skip
    out = tmp_path / "pt.pdf"
    result = print_customer_payment(shop_ctx, paid.entity_id, pdf=out)
    assert result.where == str(out)
    ((width, _height),) = pdf_pages_mm(out)
    assert round(width) == 80  # the receipt's roll
    text = pdf_text(out)
    for phrase in ("Nến Thơm Sài Gòn", "PHIẾU THU", "Số phiếu PT000002",
                   "Khách hàng Nguyễn Thị Hoa (KH000001)", "Hình thức Chuyển khoản",
                   "Ghi chú CK Vietcombank", "Số tiền thu 60.000 ₫", "Còn nợ 40.000 ₫",
                   "Cảm ơn quý khách!"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    assert "ĐÃ HỦY" not in text and "Thu cùng đơn" not in text


def test_the_part_paid_with_the_sale_cancelled_in_english(qapp, shop_ctx, tmp_path):
    cid = owing(shop_ctx)
    account.cancel_payment(shop_ctx, 1, "Nhập nhầm")
    out = tmp_path / "pt.pdf"
    print_customer_payment(shop_ctx, 1, pdf=out, lang="en")
    text = pdf_text(out)
    number = account.account_entries(shop_ctx, cid)[-1].reference
    for phrase in ("PAYMENT RECEIPT", "Receipt PT000001", f"With the sale {number}",
                   "Paid by Cash", "Amount received 35,000 VND", "Still owed 135,000 VND",
                   "CANCELLED", "Nhập nhầm"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    assert "Note" not in text  # the sale's number stands once


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_value_is_escaped(qapp, shop_ctx, tmp_path, lang):
    cid = owing(shop_ctx, name="<b>Hoa</b> & Co")
    paid = account.receive_payment(shop_ctx, cid, 1_000, note="<i>x</i>")
    out = tmp_path / "pt.pdf"
    print_customer_payment(shop_ctx, paid.entity_id, pdf=out, lang=lang)
    text = pdf_text(out)
    assert "<b>Hoa</b> & Co" in text and "<i>x</i>" in text


def test_the_command_line(qapp, cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    base = ServiceContext(engine, settings=resolve_settings(data))
    owing(base.with_actor(auth.owner_actor(base)))
    engine.dispose()
    out = tmp_path / "pt.pdf"
    run = cli("--data-dir", str(data), "print", "customer-payment", "pt000001", "--pdf",
              str(out), "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"code": "PT000001", "printed_to": str(out)}
    assert has_phrase(pdf_text(out), "Số tiền thu 35.000 ₫")
    missing = cli("--data-dir", str(data), "print", "customer-payment", "PT000009")
    assert missing.code == EXIT_ERROR
    assert missing.error_line() == "primedist: error: There is no payment PT000009."
    bad = cli("--data-dir", str(data), "print", "customer-payment", "DH1")
    assert bad.code == EXIT_ERROR and "DH1 is not a payment code (PT000012)" in bad.err
