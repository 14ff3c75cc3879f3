"""A cancelled order reprinted says so (receipts and invoices, in the document's language,
when and why; no QR code on the roll, nothing left owed) and so does its chat text; a
sale on account partly paid at the counter prints what was paid besides what is owed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.printing.documents import order_documents, order_messages
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.ui.printing import render
from tests.factories import make_customers, make_product
from tests.printing.support import has_phrase, pdf_text

#: 2026-11-21 09:30 in Asia/Ho_Chi_Minh.
CANCELLED_AT = datetime(2026, 11, 21, 2, 30, tzinfo=UTC)


def printed(ctx: ServiceContext, order_id: int, template: str, lang: str, tmp_path) -> str:
    docs = order_documents(ctx, [order_id], template, lang=lang)
    return pdf_text(render.print_to_pdf(docs, tmp_path / f"{template}-{lang}.pdf"))


def html_of(ctx: ServiceContext, order_id: int, template: str) -> str:
    return order_documents(ctx, [order_id], template, lang="vi")[0].html


@pytest.fixture
def cancelled_phone_order(shop_ctx: ServiceContext, clock: FixedClock, engine) -> int:
    """A phone order of 100.000 ₫ paid in cash, cancelled the next morning (paid back)."""
    (candle,) = make_product(engine, "Nến thơm", [("NEN-01", 50_000, 10)])
    created = svc.create_order(shop_ctx, svc.OrderDraft(
        lines=(svc.DraftLine(candle, 2),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.CASH))  # fmt: skip
    clock.set(CANCELLED_AT)
    assert svc.cancel_orders(shop_ctx, [created.id], "Khách đổi ý").done == [created.id]
    return created.id


@pytest.mark.parametrize(("template", "lang", "banner"), [
    ("receipt_58", "vi", "ĐÃ HỦY 21/11/2026 09:30: Khách đổi ý"),
    ("receipt_80", "en", "CANCELLED 21/11/2026 09:30: Khách đổi ý"),
    ("invoice_a4", "vi", "ĐÃ HỦY 21/11/2026 09:30: Khách đổi ý"),
    ("invoice_a5", "en", "CANCELLED 21/11/2026 09:30: Khách đổi ý"),
])  # fmt: skip
def test_a_cancelled_order_says_so(
    qapp, shop_ctx, cancelled_phone_order, template, lang, banner, tmp_path
):
    text = printed(shop_ctx, cancelled_phone_order, template, lang, tmp_path)
    assert has_phrase(text, banner), text
    assert 'style="color:#B91C1C' in html_of(shop_ctx, cancelled_phone_order, template)


@pytest.mark.parametrize("template", ["receipt_58", "receipt_80"])
def test_no_qr_code_on_a_cancelled_receipt(shop_ctx, sample_order, cancelled_phone_order,
                                           template):  # fmt: skip
    assert "<img" in html_of(shop_ctx, sample_order.id, template)
    assert "<img" not in html_of(shop_ctx, cancelled_phone_order, template)


def test_an_order_that_stands_has_no_banner(qapp, shop_ctx, sample_order, tmp_path):
    for template in ("receipt_58", "receipt_80", "invoice_a4"):
        assert "HỦY" not in printed(shop_ctx, sample_order.id, template, "vi", tmp_path)
    # A cash sale's receipt does not repeat the total as paid (the invoice always did).
    assert "Đã thanh toán" not in printed(shop_ctx, sample_order.id, "receipt_80", "vi", tmp_path)


def test_the_chat_text_of_a_cancelled_order(shop_ctx, cancelled_phone_order):
    lines = order_messages(shop_ctx, [cancelled_phone_order], lang="vi").splitlines()
    assert lines[2] == "ĐÃ HỦY 21/11/2026 09:30: Khách đổi ý"


def on_account(ctx: ServiceContext, engine) -> int:
    """Hoa takes 240.000 ₫ of goods on account and pays 100.000 ₫ at the counter."""
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 60_000, 20)])
    (hoa,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    return svc.create_order(ctx, svc.OrderDraft(
        lines=(svc.DraftLine(cup, 4),), customer_id=hoa, source=OrderSource.PHONE,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=100_000)).id  # fmt: skip


@pytest.mark.parametrize(("template", "lang", "phrases"), [
    ("receipt_58", "vi", ("Tổng cộng 240.000 ₫", "Ghi nợ (trả sau)", "Đã thanh toán 100.000 ₫",
                          "Còn nợ 140.000 ₫")),
    ("receipt_80", "en", ("Total 240,000 VND", "On account (pay later)", "Paid 100,000 VND",
                          "Owed 140,000 VND")),
    ("invoice_a5", "vi", ("Tổng cộng 240.000 ₫", "Đã thanh toán 100.000 ₫", "Còn nợ 140.000 ₫")),
])  # fmt: skip
def test_a_sale_on_account_prints_what_was_paid_at_the_counter(
    qapp, engine, shop_ctx, template, lang, phrases, tmp_path
):
    text = printed(shop_ctx, on_account(shop_ctx, engine), template, lang, tmp_path)
    for phrase in phrases:
        assert has_phrase(text, phrase), (phrase, text)


def test_a_cancelled_sale_on_account_leaves_nothing_owed(qapp, engine, shop_ctx, clock, tmp_path):
    order_id = on_account(shop_ctx, engine)
    clock.set(CANCELLED_AT)
    svc.cancel_orders(shop_ctx, [order_id], "Nhầm đơn")
    for template in ("receipt_80", "invoice_a4"):
        text = printed(shop_ctx, order_id, template, "vi", tmp_path)
        assert has_phrase(text, "ĐÃ HỦY 21/11/2026 09:30: Nhầm đơn"), template
        assert "Còn nợ" not in text and "140.000" not in text, template
