"""A goods receipt printed (phiếu nhập kho): into a PDF on the invoice's paper, in
Vietnamese and English, a cancelled one marked, on a real CUPS queue, and `primedist print
goods-receipt`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.printing.model import DocumentType, Paper, PrintTarget, TargetKind
from primedist.printing.store import load_profile, save_profile
from primedist.services import auth
from primedist.services import goods_receipts as gr
from primedist.services.context import ServiceContext
from primedist.ui.printing.jobs import print_goods_receipt
from tests.cli_support import INIT_ARGS
from tests.factories import make_product
from tests.printing.support import has_phrase, pdf_pages_mm, pdf_text


def delivery(ctx: ServiceContext, paid: int | None = None) -> gr.ReceiptRow:
    candle = make_product(ctx.engine, "Nến thơm tinh dầu", [("NEN-01", 45_000, 2)])[0]
    cup = make_product(ctx.engine, "Cốc sứ Bát Tràng", [("COC-1", 60_000, 0)])[0]
    return gr.receive_goods(ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(candle, 24, 18_000), gr.ReceiptLine(cup, 6)],
        supplier="Gốm Minh Long", note="PGH 0412", paid=paid))  # fmt: skip


def test_a_receipt_to_sign_in_vietnamese(qapp, shop_ctx, tmp_path):
    row = delivery(shop_ctx)
    out = tmp_path / "pn.pdf"
    result = print_goods_receipt(shop_ctx, row.id, pdf=out)
    assert result.where == str(out)
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(out)] == [(210, 297)]
    text = pdf_text(out)
    for phrase in ("Nến Thơm Sài Gòn", "PHIẾU NHẬP KHO", "PN000001", "Gốm Minh Long", "PGH 0412",
                   "Nến thơm tinh dầu", "NEN-01", "18.000 ₫", "432.000 ₫", "Cốc sứ Bát Tràng",
                   "Người giao hàng", "Người nhận hàng"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    assert "(2 mã hàng, 30 sản phẩm)" in text and "ĐÃ HỦY" not in text
    assert has_phrase(text, "Đã trả nhà cung cấp 432.000 ₫")
    assert "Chưa trả khi nhập" not in text and "Hiện còn nợ" not in text


def test_what_is_left_owed_is_printed(qapp, shop_ctx, tmp_path):
    row = delivery(shop_ctx, paid=132_000)
    out = tmp_path / "pn.pdf"
    print_goods_receipt(shop_ctx, row.id, pdf=out, lang="en")
    text = pdf_text(out)
    for phrase in ("Paid to the supplier 132,000 VND", "Unpaid at delivery 300,000 VND",
                   "Owed to the supplier now 300,000 VND"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    # Two candles sent back, 10.000 of their 36.000 given back: 274.000 left owed.
    from primedist.services import supplier_returns as sr

    candle = gr.receipt_lines(shop_ctx, row.id)[0]
    sr.return_to_supplier(shop_ctx, sr.ReturnDraft(row.id, {candle.id: 2}, "Vỡ",
                                                   refund=10_000))  # fmt: skip
    print_goods_receipt(shop_ctx, row.id, pdf=out, lang="en")
    text = pdf_text(out)
    # What went back with the minus of the screens (U+2212), not a hyphen.
    for phrase in ("Sent back to the supplier −36,000 VND", "Money given back 10,000 VND",
                   "Unpaid at delivery 274,000 VND",
                   "Owed to the supplier now 274,000 VND"):  # fmt: skip
        assert has_phrase(text, phrase), phrase


def test_payments_made_since_show_in_what_is_owed_now(qapp, shop_ctx, tmp_path):
    """Paid off later on the supplier's account: the receipt still says what it left
    unpaid when the goods came, and that nothing is owed now (it once printed "Còn nợ"
    with the delivery's figure, more than the supplier was owed in all)."""
    from primedist.services import suppliers as sup

    row = delivery(shop_ctx, paid=132_000)
    sup.pay_supplier(shop_ctx, row.supplier_id, 300_000)
    out = tmp_path / "pn.pdf"
    print_goods_receipt(shop_ctx, row.id, pdf=out)
    text = pdf_text(out)
    for phrase in ("Chưa trả khi nhập 300.000 ₫", "Hiện còn nợ nhà cung cấp 0₫"):
        assert has_phrase(text, phrase), phrase
    assert "Còn nợ" not in text
    sup.pay_supplier(shop_ctx, row.supplier_id, 50_000)  # more than owed: paid ahead
    print_goods_receipt(shop_ctx, row.id, pdf=out, lang="en")
    assert has_phrase(pdf_text(out), "Paid to the supplier in advance now 50,000 VND")
    assert gr.get_receipt(shop_ctx, row.id).supplier_debt == -50_000


def test_a_cancelled_receipt_in_english_on_a5(qapp, shop_ctx, tmp_path):
    row = delivery(shop_ctx)
    gr.cancel_receipt(shop_ctx, row.id, "Nhập nhầm")
    profile = load_profile(shop_ctx, DocumentType.INVOICE)
    save_profile(shop_ctx, replace(profile, template="invoice_a5", paper=Paper.A5))
    out = tmp_path / "pn.pdf"
    print_goods_receipt(shop_ctx, row.id, pdf=out, lang="en")
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(out)][0] == (148, 210)
    text = pdf_text(out)
    for phrase in ("GOODS RECEIPT", "CANCELLED", "Nhập nhầm", "432,000 VND", "Delivered by"):
        assert has_phrase(text, phrase), phrase
    assert "Paid to the supplier" not in text  # a cancelled receipt's payment went with it


def test_on_a_cups_queue(qapp, cups, shop_ctx):
    row = delivery(shop_ctx)
    before = cups.jobs()
    queue = PrintTarget(TargetKind.SYSTEM, name=cups.capture)
    result = print_goods_receipt(shop_ctx, row.id, target=queue)
    assert result.where == cups.capture
    job = cups.wait_job(before)
    assert has_phrase(pdf_text(job), "PHIẾU NHẬP KHO PN000001")


def test_the_command_line(qapp, cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    base = ServiceContext(engine, settings=resolve_settings(data))
    delivery(base.with_actor(auth.owner_actor(base)))
    engine.dispose()
    out = tmp_path / "pn.pdf"
    run = cli("--data-dir", str(data), "print", "goods-receipt", "pn000001", "--pdf", str(out),
              "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"code": "PN000001", "printed_to": str(out)}
    assert has_phrase(pdf_text(out), "PHIẾU NHẬP KHO")
    missing = cli("--data-dir", str(data), "print", "goods-receipt", "PN999")
    assert missing.code == EXIT_ERROR and "There is no goods receipt PN999." in missing.err


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_value_is_escaped(qapp, shop_ctx, tmp_path, lang):
    (cup,) = make_product(shop_ctx.engine, "Cốc <b>đỏ</b> & xanh", [("C<1>", 1_000, 0)])
    row = gr.receive_goods(shop_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 1)],
                                                     supplier="<i>NCC</i>"))  # fmt: skip
    out = tmp_path / "pn.pdf"
    print_goods_receipt(shop_ctx, row.id, pdf=out, lang=lang)
    text = pdf_text(out)
    assert "Cốc <b>đỏ</b> & xanh" in text and "<i>NCC</i>" in text and "C<1>" in text


def test_goods_sent_back_to_sign(qapp, shop_ctx, tmp_path):
    from primedist.services import supplier_returns as sr
    from primedist.ui.printing.jobs import print_supplier_return

    row = delivery(shop_ctx, paid=0)
    candle = gr.receipt_lines(shop_ctx, row.id)[0]
    back = sr.return_to_supplier(shop_ctx, sr.ReturnDraft(row.id, {candle.id: 4},
                                                          "Vỡ nắp <b>", refund=12_000))  # fmt: skip
    out = tmp_path / "th.pdf"
    result = print_supplier_return(shop_ctx, back.id, pdf=out)
    assert result.where == str(out)
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(out)] == [(210, 297)]
    text = pdf_text(out)
    for phrase in ("PHIẾU TRẢ HÀNG NHÀ CUNG CẤP", "TH000001", "PN000001", "Gốm Minh Long",
                   "Vỡ nắp <b>", "NEN-01", "Nến thơm tinh dầu", "18.000 ₫", "72.000 ₫",
                   "Nhà cung cấp hoàn tiền 12.000 ₫", "Trừ vào công nợ nhà cung cấp 60.000 ₫",
                   "Người giao trả"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    english = tmp_path / "th-en.pdf"
    print_supplier_return(shop_ctx, back.id, pdf=english, lang="en")
    assert has_phrase(pdf_text(english), "GOODS RETURNED TO THE SUPPLIER TH000001")


def test_a_cancelled_return_is_marked(qapp, shop_ctx, tmp_path):
    from primedist.services import supplier_returns as sr
    from primedist.ui.printing.jobs import print_supplier_return

    row = delivery(shop_ctx, paid=0)
    candle = gr.receipt_lines(shop_ctx, row.id)[0]
    back = sr.return_to_supplier(shop_ctx, sr.ReturnDraft(row.id, {candle.id: 4}, "Vỡ nắp"))
    sr.cancel_return(shop_ctx, back.id, "Nhầm <i>số lượng</i>")
    out = tmp_path / "th.pdf"
    print_supplier_return(shop_ctx, back.id, pdf=out, lang="en")
    text = pdf_text(out)
    for phrase in ("GOODS RETURNED TO THE SUPPLIER", "CANCELLED", "Nhầm <i>số lượng</i>",
                   "72,000 VND"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    assert "Off what is owed" not in text  # a cancelled return takes nothing off


def test_a_return_from_the_command_line(qapp, cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    d = ("--data-dir", str(data))
    engine = open_store(resolve_settings(data))
    base = ServiceContext(engine, settings=resolve_settings(data))
    delivery(base.with_actor(auth.owner_actor(base)))
    engine.dispose()
    assert cli(*d, "suppliers", "return", "PN000001", "NEN-01:2", "--reason", "Vỡ").code == (
        EXIT_OK
    )
    out = tmp_path / "th.pdf"
    run = cli(*d, "print", "supplier-return", "th000001", "--pdf", str(out), "--json")
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"code": "TH000001", "printed_to": str(out)}
    assert has_phrase(pdf_text(out), "PHIẾU TRẢ HÀNG NHÀ CUNG CẤP")
    missing = cli(*d, "print", "supplier-return", "TH9")
    assert missing.code == EXIT_ERROR and "There is no return to a supplier TH9." in missing.err
