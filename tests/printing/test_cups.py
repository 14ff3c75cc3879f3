"""Printing through a real CUPS: a raw queue whose backend keeps each job's bytes (Qt's
own PDF), a paused queue and a queue that rejects jobs."""

from __future__ import annotations

import pytest
from PySide6.QtPrintSupport import QPrinter

from primedist.printing.content import Payment
from primedist.printing.errors import PrinterNotFound, PrinterOffline, PrinterRejected
from primedist.printing.model import DocumentType, PrintTarget, TargetKind
from primedist.printing.store import load_profile, save_profile
from primedist.ui.printing import render
from primedist.ui.printing.jobs import print_orders
from tests.printing.support import has_phrase, pdf_pages_mm, pdf_text, vietnamese_order


def system(name: str) -> PrintTarget:
    return PrintTarget(TargetKind.SYSTEM, name=name)


def test_capture_queue_is_a_native_printer(qapp, cups):
    assert cups.capture in render.available_printers()
    printer = QPrinter()
    printer.setPrinterName(cups.capture)
    assert printer.outputFormat() == QPrinter.OutputFormat.NativeFormat


@pytest.mark.parametrize(("template", "width"), [("receipt_80", 80), ("receipt_58", 58)])
def test_vietnamese_receipt_reaches_the_queue(qapp, cups, shop_ctx, sample_order, template,
                                             width):  # fmt: skip
    before = cups.jobs()
    result = print_orders(
        shop_ctx, [sample_order.id], DocumentType.RECEIPT, template=template,
        target=system(cups.capture), payment=Payment(cash_received=200_000),
    )  # fmt: skip
    assert (result.documents, result.jobs, result.where) == (1, 1, cups.capture)
    job = cups.wait_job(before)
    assert job.read_bytes().startswith(b"%PDF")
    text = pdf_text(job)
    for phrase in ("Hóa đơn bán hàng", "Nến thơm tinh dầu", "186.000 ₫", "14.000 ₫"):
        assert has_phrase(text, phrase), phrase
    ((page_width, page_height),) = pdf_pages_mm(job)
    assert round(page_width) == width
    assert 80 < page_height < 250  # a roll page as tall as the receipt, not A4


def test_the_stored_profile_is_used(qapp, cups, shop_ctx, sample_order):
    profile = load_profile(shop_ctx, DocumentType.INVOICE)
    save_profile(shop_ctx, profile.__class__(**{**profile.__dict__,
                                                "target": system(cups.capture)}))  # fmt: skip
    before = cups.jobs()
    print_orders(shop_ctx, [sample_order.id], DocumentType.INVOICE, lang="en")
    job = cups.wait_job(before)
    assert has_phrase(pdf_text(job), "Invoice") and has_phrase(pdf_text(job), "186,000 VND")
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(job)] == [(210, 297)]


def test_bulk_one_job_or_one_per_order(qapp, engine, cups, shop_ctx):
    first = vietnamese_order(engine, shop_ctx)
    second = vietnamese_order(engine, shop_ctx, note="Giao giờ hành chính")
    ids = [first.id, second.id]
    before = cups.jobs()
    result = print_orders(shop_ctx, ids, DocumentType.RECEIPT, target=system(cups.capture))
    assert result.jobs == 1
    job = cups.wait_job(before)
    assert len(pdf_pages_mm(job)) == 2
    text = pdf_text(job)
    assert first.number in text and second.number in text

    before = cups.jobs()
    result = print_orders(shop_ctx, ids, DocumentType.RECEIPT, target=system(cups.capture),
                          one_job=False)  # fmt: skip
    assert result.jobs == 2
    both = cups.wait_jobs(before, 2)
    numbers = {n for n in (first.number, second.number) for p in both if n in pdf_text(p)}
    assert numbers == {first.number, second.number}


def test_unknown_printer_is_an_error_not_a_silent_pdf(qapp, cups, shop_ctx, sample_order):
    before = cups.jobs()
    with pytest.raises(PrinterNotFound) as err:
        print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT,
                     target=system("Kitchen_Printer"))  # fmt: skip
    assert "'Kitchen_Printer' is not installed" in err.value.user_message
    assert cups.capture in err.value.user_message  # the printers that are there
    assert cups.jobs() == before


def test_no_printer_chosen_says_where_to_choose_one(qapp, shop_ctx, sample_order):
    with pytest.raises(PrinterNotFound, match="Settings → Printers & templates"):
        print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT)


def test_paused_and_rejecting_queues_are_clear_errors(qapp, cups, shop_ctx, sample_order):
    with pytest.raises(PrinterOffline, match="paused or offline"):
        print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT,
                     target=system(cups.paused))  # fmt: skip
    with pytest.raises(PrinterRejected, match="refusing new jobs"):
        print_orders(shop_ctx, [sample_order.id], DocumentType.RECEIPT,
                     target=system(cups.rejecting))  # fmt: skip
