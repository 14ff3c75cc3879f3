"""A purchase order printed (đơn đặt hàng) for its supplier: into a PDF on the invoice's
paper, in Vietnamese and English, what came of it once goods were received, every value
escaped, and `primedist print purchase-order`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from unicodedata import normalize

import pytest

from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import resolve_settings
from primedist.db.store import open_store
from primedist.printing.model import DocumentType, Paper
from primedist.printing.store import load_profile, save_profile
from primedist.services import auth
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from primedist.ui.printing.jobs import print_purchase_order
from tests.cli_support import INIT_ARGS
from tests.factories import make_product
from tests.printing.support import has_phrase, pdf_pages_mm, pdf_text


def order(ctx: ServiceContext, expected_on: date | None = date(2026, 12, 10)) -> po.OrderRow:
    """24 candles at 18.000 and 6 cups (no cost agreed) from Gốm Minh Long."""
    candle = make_product(ctx.engine, "Nến thơm tinh dầu", [("NEN-01", 45_000, 2)])[0]
    cup = make_product(ctx.engine, "Cốc sứ Bát Tràng", [("COC-1", 60_000, 0)])[0]
    return po.create_order(ctx, po.OrderDraft(
        "Gốm Minh Long", [po.OrderLine(candle, 24, 18_000), po.OrderLine(cup, 6)],
        expected_on=expected_on, note="Giao buổi sáng"))  # fmt: skip


def test_an_order_to_send_in_vietnamese(qapp, shop_ctx, tmp_path):
    row = order(shop_ctx)
    sup.update_supplier(shop_ctx, row.supplier_id, sup.SupplierDraft(
        "Gốm Minh Long", phone="0912 345 678", address="Bát Tràng, Gia Lâm, Hà Nội"))
    out = tmp_path / "dhn.pdf"
    result = print_purchase_order(shop_ctx, row.id, pdf=out)
    assert result.where == str(out)
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(out)] == [(210, 297)]
    text = pdf_text(out)
    for phrase in ("Nến Thơm Sài Gòn", "ĐƠN ĐẶT HÀNG", "Số đơn: DHN000001",
                   "Nhà cung cấp: Gốm Minh Long",
                   "Liên hệ: 0912345678 · Bát Tràng, Gia Lâm, Hà Nội",
                   "Ngày giao dự kiến: 10/12/2026",
                   "Ghi chú: Giao buổi sáng", "Người đặt", "Đơn giá dự kiến", "NEN-01",
                   "Nến thơm tinh dầu", "18.000 ₫", "432.000 ₫", "Cốc sứ Bát Tràng",
                   "Bên đặt hàng", "Nhà cung cấp xác nhận", "(ký, ghi rõ họ tên)"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    assert "(2 mã hàng, 30 sản phẩm)" in text
    # Nothing came yet: no state, no column of what came.
    assert "Trạng thái" not in text and "Đã nhận" not in text


def test_what_came_is_printed_in_english_on_a5(qapp, shop_ctx, tmp_path):
    row = order(shop_ctx, expected_on=None)
    candle = po.order_lines(shop_ctx, row.id)[0]
    assert candle.variant_id is not None
    gr.receive_goods(shop_ctx, gr.ReceiptDraft([gr.ReceiptLine(candle.variant_id, 10, 18_000)],
                                               purchase_order_id=row.id))  # fmt: skip
    profile = load_profile(shop_ctx, DocumentType.INVOICE)
    save_profile(shop_ctx, replace(profile, template="invoice_a5", paper=Paper.A5))
    out = tmp_path / "dhn.pdf"
    print_purchase_order(shop_ctx, row.id, pdf=out, lang="en")
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(out)] == [(148, 210)]
    text = normalize("NFKC", pdf_text(out))  # the font joins "fi" into one glyph: "ﬁ"
    for phrase in ("PURCHASE ORDER", "Order: DHN000001", "State: Partly received",
                   "Expected unit cost", "18,000 VND", "432,000 VND", "Units received 10",
                   "Units still to come 20", "Ordered by (the shop)",
                   "Supplier (confirmed by)"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    assert "Expected on" not in text  # no day agreed
    # The line's "Received" column: 24 ordered, 10 came.
    assert has_phrase(pdf_text(out, layout=True), "NEN-01 Nến thơm tinh dầu 24 10")
    po.close_order(shop_ctx, row.id, "Hết cốc")
    print_purchase_order(shop_ctx, row.id, pdf=out, lang="en")
    text = pdf_text(out)
    assert has_phrase(text, "State: Closed (Hết cốc)") and "still to come" not in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_value_is_escaped(qapp, shop_ctx, tmp_path, lang):
    (cup,) = make_product(shop_ctx.engine, "Cốc <b>đỏ</b> & xanh", [("C<1>", 1_000, 0)])
    row = po.create_order(shop_ctx, po.OrderDraft("<i>NCC</i>", [po.OrderLine(cup, 1, 500)],
                                                  note="<b>&"))  # fmt: skip
    po.cancel_order(shop_ctx, row.id, "<script>")
    out = tmp_path / "dhn.pdf"
    print_purchase_order(shop_ctx, row.id, pdf=out, lang=lang)
    text = pdf_text(out)
    for value in ("Cốc <b>đỏ</b> & xanh", "<i>NCC</i>", "C<1>", "<b>&", "(<script>)"):
        assert value in text, value


def test_the_command_line(qapp, cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    base = ServiceContext(engine, settings=resolve_settings(data))
    order(base.with_actor(auth.owner_actor(base)), expected_on=None)
    engine.dispose()
    out = tmp_path / "dhn.pdf"
    run = cli("--data-dir", str(data), "print", "purchase-order", "dhn000001", "--pdf", str(out),
              "--lang", "en", "--json")  # fmt: skip
    assert run.code == EXIT_OK, run.err
    assert run.json() == {"code": "DHN000001", "printed_to": str(out)}
    assert has_phrase(pdf_text(out), "PURCHASE ORDER DHN000001")
    text = cli("--data-dir", str(data), "print", "purchase-order", "DHN000001", "--pdf", str(out))
    assert text.out.strip() == f"Printed the purchase order DHN000001 to {out}."
    assert has_phrase(pdf_text(out), "ĐƠN ĐẶT HÀNG DHN000001")
    missing = cli("--data-dir", str(data), "print", "purchase-order", "DHN9")
    assert missing.code == EXIT_ERROR
    assert missing.error_line() == "primedist: error: There is no purchase order DHN9."


def test_the_order_as_text_for_a_chat(shop_ctx):
    from primedist.core.clock import format_datetime, shop_tz

    row = order(shop_ctx)
    when = format_datetime(row.created_at, shop_tz(), "vi")
    assert po.order_text(shop_ctx, row.id) == "\n".join([
        "ĐƠN ĐẶT HÀNG DHN000001",
        "Bên đặt: Nến Thơm Sài Gòn · 028 3822 1234",
        "Gửi: Gốm Minh Long",
        f"Ngày đặt: {when}",
        "Ngày giao dự kiến: 10/12/2026",
        "Ghi chú: Giao buổi sáng",
        "",
        "1. NEN-01 · Nến thơm tinh dầu: 24 × 18.000 ₫",
        "2. COC-1 · Cốc sứ Bát Tràng: 6",
        "",
        "Tổng cộng: 2 mã hàng, 30 sản phẩm · 432.000 ₫",
    ])  # fmt: skip
    english = po.order_text(shop_ctx, row.id, lang="en").splitlines()
    assert english[0] == "PURCHASE ORDER DHN000001" and english[2] == "To: Gốm Minh Long"
    assert english[-1] == "Total: 2 SKUs, 30 units · 432,000 VND"
    # Text stays text: nothing is escaped or interpreted.
    marked = po.create_order(shop_ctx, po.OrderDraft("<b>Sứ</b> & Gốm", [po.OrderLine(
        po.order_lines(shop_ctx, row.id)[0].variant_id or 0, 1)], note="gấp & <i>sớm</i>"))
    text = po.order_text(shop_ctx, marked.id)
    assert "Gửi: <b>Sứ</b> & Gốm" in text and "Ghi chú: gấp & <i>sớm</i>" in text


def test_the_chat_text_from_the_command_line(cli, tmp_path):
    data = tmp_path / "shop"
    assert cli("--data-dir", str(data), "init", *INIT_ARGS).code == EXIT_OK
    engine = open_store(resolve_settings(data))
    make_product(engine, "Cốc sứ Bát Tràng", [("COC-1", 60_000, 0)])
    engine.dispose()
    d = ("--data-dir", str(data))
    assert cli(*d, "purchase-orders", "add", "--supplier", "Gốm", "--line", "COC-1:6").code == 0
    run = cli(*d, "purchase-orders", "show", "DHN000001", "--chat")
    assert run.code == EXIT_OK, run.err
    assert run.out.splitlines()[0] == "ĐƠN ĐẶT HÀNG DHN000001"
    assert "1. COC-1 · Cốc sứ Bát Tràng: 6" in run.out
    english = cli(*d, "purchase-orders", "show", "DHN000001", "--chat", "--lang", "en", "--json")
    assert english.json()["text"].startswith("PURCHASE ORDER DHN000001\n")
