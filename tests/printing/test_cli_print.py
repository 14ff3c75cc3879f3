"""`primedist print receipt ORDER_ID` in-process: to a PDF, to a CUPS queue, to an ESC/POS
address, and its one-line errors."""

from __future__ import annotations

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.services.context import ServiceContext
from tests.cli_support import INIT_ARGS
from tests.printing.support import (
    Capture,
    decode_escpos,
    has_phrase,
    pdf_pages_mm,
    pdf_text,
    vietnamese_order,
)


@pytest.fixture
def shop(cli, tmp_path):
    """A shop set up through the CLI, with one Vietnamese counter sale."""
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    from primedist.services import auth

    ctx = ServiceContext(engine, settings=resolve_settings(data))
    order = vietnamese_order(engine, ctx.with_actor(auth.owner_actor(ctx)))
    engine.dispose()
    return data, order


def test_receipt_to_pdf(qapp, cli, shop, tmp_path):
    data, order = shop
    out = tmp_path / "receipt.pdf"
    run = cli("--data-dir", str(data), "print", "receipt", str(order.id), "--pdf", str(out),
              "--template", "receipt_58", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"order_id": order.id, "document": "receipt", "printed_to": str(out)}
    text = pdf_text(out)
    assert has_phrase(text, "Hóa đơn bán hàng") and has_phrase(text, "186.000 ₫")
    assert round(pdf_pages_mm(out)[0][0]) == 58


def test_invoice_in_english_to_cups(qapp, cli, shop, cups):
    data, order = shop
    before = cups.jobs()
    run = cli("--data-dir", str(data), "print", "invoice", str(order.id), "--printer",
              cups.capture, "--lang", "en")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == f"Printed the invoice of order {order.id} to {cups.capture}."
    assert has_phrase(pdf_text(cups.wait_job(before)), "Invoice 186,000 VND")


def test_receipt_to_escpos(qapp, cli, shop):
    data, order = shop
    printer = Capture()
    try:
        run = cli("--data-dir", str(data), "print", "receipt", str(order.id), "--escpos",
                  f"127.0.0.1:{printer.port}")  # fmt: skip
        assert run.code == EXIT_OK, run.err
        decoded = decode_escpos(printer.wait(1)[0])
        assert decoded.cuts == 1 and decoded.images[0].width == 576
    finally:
        printer.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--printer", "Nope_Printer"], "The printer 'Nope_Printer' is not installed"),
        (["--template", "poster"], "There is no template named 'poster'"),
        (["--escpos", "printer:port"], "'printer:port' is not a printer address"),
        ([], "No printer is chosen for this document"),
    ],
)
def test_errors_are_one_line(qapp, cli, shop, args, message):
    data, order = shop
    run = cli("--data-dir", str(data), "print", "receipt", str(order.id), *args)
    assert run.code == EXIT_ERROR
    assert message in run.error_line()


def test_unknown_order_and_usage(qapp, cli, shop, tmp_path):
    data, _order = shop
    run = cli("--data-dir", str(data), "print", "receipt", "999999", "--pdf",
              str(tmp_path / "x.pdf"))  # fmt: skip
    assert run.code == EXIT_ERROR and "999999" in run.error_line()
    assert not (tmp_path / "x.pdf").exists()
    both = cli("--data-dir", str(data), "print", "receipt", "1", "--pdf", "a.pdf", "--printer", "P")
    assert both.code == EXIT_USAGE


def test_a_pdf_named_as_a_folder_is_one_line(qapp, cli, shop, tmp_path):
    data, order = shop
    folder = tmp_path / "out"
    folder.mkdir()
    run = cli("--data-dir", str(data), "print", "receipt", str(order.id), "--pdf", str(folder))
    assert run.code == EXIT_ERROR
    assert "is a folder: give the PDF file's name" in run.error_line()
    assert "Traceback" not in run.err and list(folder.iterdir()) == []
