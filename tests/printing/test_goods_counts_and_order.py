"""Goods documents count in words that agree with the number ("1 SKU, 1 unit" in English;
Vietnamese has no plural), and a goods receipt made against a purchase order names it."""

from __future__ import annotations

from primedist.printing.goods_receipt import lines_and_units
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import supplier_returns as sr
from primedist.ui.printing.jobs import (
    print_goods_receipt,
    print_purchase_order,
    print_supplier_return,
)
from tests.factories import make_product
from tests.printing.support import has_phrase, pdf_text


def test_one_and_many_in_both_languages():
    assert lines_and_units(1, 1, "en") == "1 SKU, 1 unit"
    assert lines_and_units(2, 1_204, "en") == "2 SKUs, 1,204 units"
    assert lines_and_units(1, 1, "vi") == "1 mã hàng, 1 sản phẩm"
    assert lines_and_units(2, 1_204, "vi") == "2 mã hàng, 1.204 sản phẩm"


def test_one_of_one_on_every_goods_document(qapp, shop_ctx, tmp_path):
    (candle,) = make_product(shop_ctx.engine, "Nến thơm", [("NEN-01", 45_000, 0)])
    order = po.create_order(shop_ctx, po.OrderDraft("Gốm Minh Long",
                                                    [po.OrderLine(candle, 1, 18_000)]))  # fmt: skip
    receipt = gr.receive_goods(shop_ctx, gr.ReceiptDraft([gr.ReceiptLine(candle, 1, 18_000)],
                                                         purchase_order_id=order.id))  # fmt: skip
    line = gr.receipt_lines(shop_ctx, receipt.id)[0]
    back = sr.return_to_supplier(shop_ctx, sr.ReturnDraft(receipt.id, {line.id: 1}, "Vỡ"))
    out = tmp_path / "doc.pdf"
    for print_it, row_id in ((print_goods_receipt, receipt.id), (print_purchase_order, order.id),
                             (print_supplier_return, back.id)):  # fmt: skip
        print_it(shop_ctx, row_id, pdf=out, lang="en")
        text = pdf_text(out)
        assert "(1 SKU, 1 unit)" in text, print_it.__name__
        assert "SKUs" not in text and "units" not in text.replace("Units", ""), print_it.__name__


def test_a_receipt_of_a_purchase_order_names_it(qapp, shop_ctx, tmp_path):
    (candle,) = make_product(shop_ctx.engine, "Nến thơm", [("NEN-01", 45_000, 0)])
    order = po.create_order(shop_ctx, po.OrderDraft("Gốm Minh Long",
                                                    [po.OrderLine(candle, 5, 18_000)]))  # fmt: skip
    receipt = gr.receive_goods(shop_ctx, gr.ReceiptDraft([gr.ReceiptLine(candle, 5)],
                                                         purchase_order_id=order.id))  # fmt: skip
    assert gr.get_receipt(shop_ctx, receipt.id).order_code == order.code
    out = tmp_path / "pn.pdf"
    print_goods_receipt(shop_ctx, receipt.id, pdf=out)
    assert has_phrase(pdf_text(out), f"Theo đơn đặt hàng: {order.code}")
    print_goods_receipt(shop_ctx, receipt.id, pdf=out, lang="en")
    assert has_phrase(pdf_text(out), f"Of purchase order: {order.code}")


def test_a_receipt_without_an_order_names_none(qapp, shop_ctx, tmp_path):
    (candle,) = make_product(shop_ctx.engine, "Nến thơm", [("NEN-01", 45_000, 0)])
    receipt = gr.receive_goods(shop_ctx, gr.ReceiptDraft([gr.ReceiptLine(candle, 5, 18_000)]))
    assert gr.get_receipt(shop_ctx, receipt.id).order_code == ""
    out = tmp_path / "pn.pdf"
    print_goods_receipt(shop_ctx, receipt.id, pdf=out, lang="en")
    assert "purchase order" not in pdf_text(out)
