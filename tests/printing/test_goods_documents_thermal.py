"""Goods receipts, purchase orders and supplier returns are A4/A5 paperwork: with the
invoice set to a thermal (ESC/POS) printer on a roll they are refused with what to do,
before anything reaches the printer; Save as PDF still works."""

from __future__ import annotations

from dataclasses import replace

import pytest

from primedist.printing.errors import PrintError
from primedist.printing.model import DocumentType, Paper, parse_host_port
from primedist.printing.store import load_profile, save_profile
from primedist.services import goods_receipts as gr
from primedist.services import supplier_returns as sr
from primedist.ui.printing.jobs import (
    print_goods_receipt,
    print_purchase_order,
    print_supplier_return,
)
from tests.printing.support import Capture, has_phrase, pdf_text
from tests.printing.test_goods_receipt_print import delivery
from tests.printing.test_purchase_order_print import order


@pytest.fixture
def thermal_invoice(shop_ctx):
    """The invoice on an ESC/POS network printer with 80 mm paper (a till-only shop)."""
    printer = Capture()
    profile = load_profile(shop_ctx, DocumentType.INVOICE)
    target = parse_host_port(f"127.0.0.1:{printer.port}")
    save_profile(shop_ctx, replace(profile, paper=Paper.ROLL_80, target=target))
    yield printer
    printer.close()


def goods_return(ctx) -> int:
    row = delivery(ctx)
    candle = gr.receipt_lines(ctx, row.id)[0]
    return sr.return_to_supplier(ctx, sr.ReturnDraft(row.id, {candle.id: 2}, "Vỡ")).id


@pytest.mark.parametrize(
    ("print_job", "make", "title"),
    [
        (print_goods_receipt, lambda ctx: delivery(ctx).id, "PHIẾU NHẬP KHO"),
        (print_supplier_return, goods_return, "PHIẾU TRẢ HÀNG"),
        (print_purchase_order, lambda ctx: order(ctx).id, "ĐƠN ĐẶT HÀNG"),
    ],
)
def test_refused_with_what_to_do(qapp, shop_ctx, thermal_invoice, tmp_path, print_job, make,
                                 title):  # fmt: skip
    doc_id = make(shop_ctx)
    with pytest.raises(PrintError) as err:
        print_job(shop_ctx, doc_id)
    text = err.value.user_message
    assert "print on A4 or A5 paper" in text and "Settings → Printers & templates" in text
    assert "Save as PDF" in text and "choose 80 mm or 58 mm" not in text
    assert thermal_invoice.jobs == []  # nothing sent
    out = tmp_path / "doc.pdf"
    print_job(shop_ctx, doc_id, pdf=out)
    assert has_phrase(pdf_text(out), title)
