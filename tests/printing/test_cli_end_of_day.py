"""`primedist report end-of-day`: the day's figures as JSON and text, into Excel, to a PDF
on the receipt's paper, to the receipt's ESC/POS printer (without kicking the drawer), and
its one-line errors."""

from __future__ import annotations

import openpyxl
import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from primedist.config import resolve_settings
from primedist.core.clock import shop_tz, to_local
from primedist.db.store import open_store
from primedist.printing import store
from primedist.printing.model import DocumentType, default_profile
from primedist.services import auth
from primedist.services.context import ServiceContext
from primedist.services.orders import order_detail
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
    """A shop set up through the CLI with one counter sale (186.000 ₫ cash); its day."""
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    settings = resolve_settings(data)
    engine = open_store(settings)
    ctx = ServiceContext(engine, settings=settings)
    owner = ctx.with_actor(auth.owner_actor(ctx))
    order = vietnamese_order(engine, owner)
    placed = order_detail(owner, order.id).order.created_at
    engine.dispose()
    return data, to_local(placed, shop_tz()).date().isoformat()


def test_json_text_and_excel(cli, shop, tmp_path):
    data, day = shop
    out = tmp_path / "cuoi-ngay.xlsx"
    run = cli("--data-dir", str(data), "report", "end-of-day", "--date", day, "--xlsx", str(out),
              "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    got = run.json()
    assert (got["day"], got["orders"], got["items"], got["sales"]) == (day, 1, 3, 186_000)
    assert (got["cash_in_drawer"], got["net"], got["refunded"]) == (186_000, 186_000, 0)
    assert got["payments"] == [{"method": "cash", "orders": 1, "total": 186_000, "refunds": 0,
                                "refunded": 0, "net": 186_000, "collected": 0}]  # fmt: skip
    assert [(p["sku"], p["units"]) for p in got["products"]] == [("NEN-01", 2), ("BXP-01", 1)]
    assert got["xlsx"] == str(out)
    summary = dict(openpyxl.load_workbook(out)["Cuối ngày"].iter_rows(values_only=True))
    assert summary["Tiền mặt trong két"] == 186_000
    text = cli("--data-dir", str(data), "report", "end-of-day", "--date", day)
    assert "Net: 186,000; cash in drawer: 186,000" in text.out
    assert "NEN-01 Nến thơm tinh dầu: 2 sold, 90,000" in text.out


def test_pdf_on_the_receipt_paper(qapp, cli, shop, tmp_path):
    data, day = shop
    out = tmp_path / "eod.pdf"
    run = cli("--data-dir", str(data), "report", "end-of-day", "--date", day, "--pdf", str(out))
    assert run.code == EXIT_OK, run.err
    text = pdf_text(out)
    assert has_phrase(text, "BÁO CÁO CUỐI NGÀY") and has_phrase(text, "186.000 ₫")
    assert has_phrase(text, "Tiền mặt trong két") and has_phrase(text, "Nến thơm tinh dầu")
    assert round(pdf_pages_mm(out)[0][0]) == 80
    english = tmp_path / "eod-en.pdf"
    assert cli("--data-dir", str(data), "report", "end-of-day", "--date", day, "--pdf",
               str(english), "--lang", "en").code == EXIT_OK  # fmt: skip
    assert has_phrase(pdf_text(english), "Cash in drawer 186,000 VND")


def test_print_on_the_receipt_printer_without_the_drawer(qapp, cli, shop):
    data, day = shop
    printer = Capture()
    try:
        settings = resolve_settings(data)
        engine = open_store(settings)
        ctx = ServiceContext(engine, settings=settings)
        owner = ctx.with_actor(auth.owner_actor(ctx))
        from dataclasses import replace

        from primedist.printing.model import parse_host_port

        profile = replace(default_profile(DocumentType.RECEIPT), open_drawer=True,
                          target=parse_host_port(f"127.0.0.1:{printer.port}"))  # fmt: skip
        store.save_profile(owner, profile)
        engine.dispose()
        run = cli("--data-dir", str(data), "report", "end-of-day", "--date", day, "--print")
        assert run.code == EXIT_OK, run.err
        decoded = decode_escpos(printer.wait(1)[0])
        assert decoded.cuts == 1 and decoded.images[0].width == 576
        assert decoded.drawer_kicks == 0
    finally:
        printer.close()


def test_errors(cli, shop, tmp_path):
    data, day = shop
    base = ("--data-dir", str(data), "report", "end-of-day")
    no_printer = cli(*base, "--print")
    assert no_printer.code == EXIT_ERROR
    assert "No printer is chosen for this document" in no_printer.error_line()
    unknown = cli(*base, "--staff", "ghost@shop.vn")
    assert unknown.code == EXIT_ERROR and "ghost@shop.vn" in unknown.error_line()
    shop_name = cli(*base, "--shop", "Không có")
    assert shop_name.code == EXIT_ERROR and "No shop is named" in shop_name.error_line()
    assert cli(*base, "--date", "2026-13-01").code == EXIT_USAGE
    assert cli(*base, "--print", "--pdf", str(tmp_path / "a.pdf")).code == EXIT_USAGE
    bad = cli(*base, "--xlsx", str(tmp_path / "a.csv"))
    assert bad.code == EXIT_ERROR and "Export to an .xlsx file" in bad.error_line()


def test_close_the_till_and_print_the_count(qapp, cli, shop, tmp_path):
    data, day = shop
    out = tmp_path / "count.pdf"
    run = cli("--data-dir", str(data), "report", "end-of-day", "--date", day, "--float",
              "500,000", "--counted", "680000", "--note", "Thiếu tiền lẻ", "--pdf", str(out),
              "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    till = run.json()["till"]
    assert (till["opening_float"], till["cash_sales"], till["expected"]) == (
        500_000, 186_000, 686_000)  # fmt: skip
    assert (till["counted"], till["difference"], till["note"]) == (680_000, -6_000, "Thiếu tiền lẻ")
    text = pdf_text(out)
    assert has_phrase(text, "Kiểm két") and has_phrase(text, "Chênh lệch thiếu 6.000 ₫")
    assert has_phrase(text, "Thiếu tiền lẻ")
    base = ("--data-dir", str(data), "report", "end-of-day")
    assert "difference -186,000" in cli(*base, "--date", day, "--counted", "0").out
    assert cli(*base, "--counted", "-1").code == EXIT_USAGE


def test_cash_paid_to_a_supplier_is_out_of_the_drawer(qapp, cli, shop, tmp_path):
    data, day = shop
    d = ("--data-dir", str(data))
    assert cli(*d, "suppliers", "add", "Gốm Minh Long").code == EXIT_OK
    assert cli(*d, "suppliers", "pay", "NCC000001", "50000").code == EXIT_OK
    assert cli(*d, "suppliers", "pay", "NCC000001", "9000", "--method",
               "bank_transfer").code == EXIT_OK  # fmt: skip
    out = tmp_path / "cuoi-ngay.xlsx"
    got = cli(*d, "report", "end-of-day", "--date", day, "--xlsx", str(out), "--json").json()
    assert (got["supplier_cash"], got["cash_in_drawer"]) == (50_000, 136_000)
    summary = dict(openpyxl.load_workbook(out)["Cuối ngày"].iter_rows(values_only=True))
    assert (summary["Tiền mặt trả nhà cung cấp"], summary["Tiền mặt trong két"]) == (
        50_000, 136_000)  # fmt: skip
    pdf = tmp_path / "eod.pdf"
    assert cli(*d, "report", "end-of-day", "--date", day, "--pdf", str(pdf), "--lang",
               "en").code == EXIT_OK  # fmt: skip
    text = pdf_text(pdf)
    assert has_phrase(text, "Cash paid to suppliers -50,000 VND"), text
    assert has_phrase(text, "Cash in drawer 136,000 VND")
