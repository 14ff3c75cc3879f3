"""Save as PDF offers a file name a shop owner recognises: the document's name in the app's
language and the order number, never an English word with the internal id."""

from __future__ import annotations

from pathlib import Path

import pytest

from primedist.printing.model import DocumentType
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.printing import actions
from primedist.ui.printing.actions import pdf_file_name


def suggested_name(qtbot, monkeypatch, ctx, order_ids: list[int], doc_type: DocumentType) -> str:
    offered: list[Path] = []

    def ask(_parent, _ctx, _purpose, _title, suggested: Path, _filters):
        offered.append(suggested)
        return None  # cancelled: nothing is saved

    monkeypatch.setattr(actions, "ask_save_file", ask)
    dialog = OrderDetailDialog(ctx, order_ids[0])
    qtbot.addWidget(dialog)
    dialog.printer.save_pdf(order_ids, doc_type)
    assert len(offered) == 1
    return offered[0].name


@pytest.mark.usefixtures("vietnamese")
def test_vietnamese_name_has_no_diacritics_and_the_order_number(
    qtbot, monkeypatch, shop_ctx, sample_order
):
    name = suggested_name(qtbot, monkeypatch, shop_ctx, [sample_order.id], DocumentType.RECEIPT)
    assert name == f"hoa-don-ban-hang-{sample_order.number}.pdf"
    assert str(sample_order.id) not in name.replace(sample_order.number, "")


@pytest.mark.usefixtures("english")
def test_english_name_says_the_document_and_the_order_number(
    qtbot, monkeypatch, shop_ctx, sample_order
):
    name = suggested_name(
        qtbot, monkeypatch, shop_ctx, [sample_order.id], DocumentType.PACKING_SLIP
    )
    assert name == f"packing-slip-{sample_order.number}.pdf"


@pytest.mark.usefixtures("english")
def test_several_orders_name_the_first_and_the_last():
    assert (
        pdf_file_name(DocumentType.INVOICE, ["DH261207-0003", "DH261207-0009"])
        == "invoice-DH261207-0003_DH261207-0009.pdf"
    )


@pytest.mark.usefixtures("english")
def test_characters_a_file_system_refuses_are_left_out():
    # A marketplace number with a slash or spaces (a Seller Center file's) is still one name.
    assert pdf_file_name(DocumentType.RECEIPT, ["SO/12 34:đ"]) == "receipt-SO-12-34-d.pdf"
