"""`primedist print receipt ORDER` (its number, or its id) in-process: to a PDF, to a CUPS
queue, to an ESC/POS address, and its one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.services.context import ServiceContext
from tests.cli_support import INIT_ARGS
from tests.factories import make_orders, make_shop
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
    assert run.json() == {"order_id": order.id, "order": order.number, "document": "receipt",
                          "printed_to": str(out)}  # fmt: skip
    text = pdf_text(out)
    assert has_phrase(text, "Hóa đơn bán hàng") and has_phrase(text, "186.000 ₫")
    assert round(pdf_pages_mm(out)[0][0]) == 58


def test_invoice_in_english_to_cups(qapp, cli, shop, cups):
    data, order = shop
    before = cups.jobs()
    run = cli("--data-dir", str(data), "print", "invoice", str(order.id), "--printer",
              cups.capture, "--lang", "en")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.out.strip() == f"Printed the invoice of order {order.number} to {cups.capture}."
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


def test_an_order_by_its_number_as_on_the_receipt(qapp, cli, shop, tmp_path):
    """The number the app and the receipt show, in any case, as the till's F8 takes it."""
    data, order = shop
    assert order.number.startswith("DH")
    for typed in (order.number, order.number.lower()):
        out = tmp_path / f"{typed}.pdf"
        run = cli("--data-dir", str(data), "print", "packing-slip", typed, "--pdf", str(out),
                  "--json")  # fmt: skip
        assert run.code == EXIT_OK, run.err
        assert (run.json()["order_id"], run.json()["order"]) == (order.id, order.number)
        assert has_phrase(pdf_text(out), order.number)
    text = cli("--data-dir", str(data), "print", "receipt", order.number.lower(), "--pdf",
               str(tmp_path / "r.pdf"))  # fmt: skip
    assert (
        text.out.strip() == f"Printed the receipt of order {order.number} to {tmp_path / 'r.pdf'}."
    )


@pytest.mark.parametrize("typed", ["999999", "DH991231-0042"])
def test_an_order_that_never_existed_is_not_found_by_what_was_typed(qapp, cli, shop, tmp_path,
                                                                    typed):  # fmt: skip
    data, _order = shop
    run = cli("--data-dir", str(data), "print", "receipt", typed, "--pdf",
              str(tmp_path / "x.pdf"))  # fmt: skip
    assert run.code == EXIT_ERROR
    assert run.error_line() == f"primedist: error: There is no order {typed}."
    assert not (tmp_path / "x.pdf").exists()


def test_usage(qapp, cli, shop):
    data, _order = shop
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


def test_a_number_two_shops_use_is_printed_by_its_id(qapp, cli, shop, tmp_path):
    data, order = shop
    engine = open_store(resolve_settings(data))
    (other,) = make_orders(engine, make_shop(engine, "Shopee Mẹ Bắp"), 1,
                           start=datetime(2026, 1, 5, tzinfo=UTC), step=timedelta(0))  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET external_id = :n WHERE id = :id"),
                     {"n": order.number, "id": other})  # fmt: skip
    engine.dispose()
    out = tmp_path / "x.pdf"
    both = cli("--data-dir", str(data), "print", "receipt", order.number, "--pdf", str(out))
    assert both.code == EXIT_ERROR and not out.exists()
    assert both.error_line() == (f"primedist: error: Several orders are numbered {order.number}: "
                                 f"print one by its id ({order.id}, {other}).")  # fmt: skip
    by_id = cli(
        "--data-dir", str(data), "print", "receipt", str(other), "--pdf", str(out), "--json"
    )
    assert by_id.code == EXIT_OK, by_id.err
    assert (by_id.json()["order_id"], by_id.json()["order"]) == (other, order.number)
