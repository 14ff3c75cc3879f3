"""A printed sale says which discount code and how many points paid part of it ("Mã giảm
giá SALE10", "Dùng 20 điểm"), in every shipped template and the chat message; a shop's own
template may print them on their own (`voucher_code`, `points_used`); a channel's voucher,
with no code of the shop's, keeps the plain caption. Real migrated store, orders made
through the services, PDFs rendered by Qt and read back with poppler."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from primedist.domain.enums import Channel, DiscountKind, OrderSource, OrderStatus
from primedist.printing.content import ShopDetails, order_context
from primedist.printing.documents import order_documents, order_messages
from primedist.printing.model import DocumentType
from primedist.printing.store import check_template
from primedist.printing.template import fill
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points
from primedist.services.loyalty.vouchers import VoucherDraft, list_vouchers, save_voucher
from primedist.ui.printing import render
from tests.factories import make_customers, make_product, make_shop
from tests.printing.support import has_phrase, pdf_text


def shirt_with_voucher_and_points(ctx: ServiceContext, engine, *, points: int = 20) -> int:
    """A counter sale of one shirt (299.000 ₫) with voucher SALE10 (10%: −29.900 ₫) and
    `points` points (1.000 ₫ each) of a customer's."""
    (shirt,) = make_product(engine, "Áo sơ mi linen", [("ASM-M", 299_000, 10)])
    (customer,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    if not any(v.draft.code == "SALE10" for v in list_vouchers(ctx)):
        save_voucher(ctx, VoucherDraft("SALE10", kind=DiscountKind.PERCENT, value=10))
    adjust_points(ctx, customer, 100, "Tặng")
    return svc.create_order(ctx, svc.OrderDraft(
        lines=(svc.DraftLine(shirt, 1),), customer_id=customer, voucher_code="SALE10",
        points=points)).id  # fmt: skip


def values(ctx: ServiceContext, order_id: int, lang: str) -> dict:
    detail = svc.order_detail(ctx, order_id)
    return dict(order_context(detail, ShopDetails(), DocumentType.RECEIPT, lang, wanted=()))


def test_the_values_name_the_code_and_the_points(engine, shop_ctx):
    order_id = shirt_with_voucher_and_points(shop_ctx, engine)
    vi = values(shop_ctx, order_id, "vi")
    assert vi["adjustments"] == [
        {"label": "Mã giảm giá SALE10", "amount": "−29.900 ₫"},
        {"label": "Dùng 20 điểm", "amount": "−20.000 ₫"},
    ]
    assert (vi["voucher_code"], vi["points_used"]) == ("SALE10", "20")
    en = values(shop_ctx, order_id, "en")
    assert [a["label"] for a in en["adjustments"]] == [
        "Discount code SALE10", "Points discount (20 points)"]  # fmt: skip
    one = values(shop_ctx, shirt_with_voucher_and_points(shop_ctx, engine, points=1), "en")
    assert one["adjustments"][-1]["label"] == "Points discount (1 point)"


def test_a_sale_without_them_leaves_them_empty(engine, shop_ctx):
    (shirt,) = make_product(engine, "Áo sơ mi linen", [("ASM-M", 299_000, 10)])
    order_id = svc.create_order(
        shop_ctx, svc.OrderDraft(lines=(svc.DraftLine(shirt, 1),), order_discount=9_000)
    ).id
    vi = values(shop_ctx, order_id, "vi")
    assert (vi["voucher_code"], vi["points_used"]) == ("", "")
    assert [a["label"] for a in vi["adjustments"]] == ["Giảm giá của shop"]


def test_a_channel_voucher_keeps_the_plain_caption(engine, shop_ctx):
    """A marketplace order's voucher discount is the channel's: no code of the shop's."""
    (shirt,) = make_product(engine, "Áo sơ mi linen", [("ASM-M", 299_000, 10)])
    shopee = make_shop(engine, "Shopee Quận 1", Channel.SHOPEE)
    order_id = svc.create_order(shop_ctx, svc.OrderDraft(
        lines=(svc.DraftLine(shirt, 1),), source=OrderSource.PHONE, shop_id=shopee,
        status=OrderStatus.PENDING, ship_name="Hoa", ship_phone="0939921717",
        ship_address="12 Lê Lợi", ship_province="Hà Nội")).id  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET voucher_discount = 15000, total = total - 15000"
                             " WHERE id = :id"), {"id": order_id})  # fmt: skip
    vi = values(shop_ctx, order_id, "vi")
    assert vi["adjustments"] == [{"label": "Mã giảm giá", "amount": "−15.000 ₫"}]
    assert vi["voucher_code"] == ""


@pytest.mark.parametrize(("template", "lang", "code", "points"), [
    ("receipt_80", "vi", "Mã giảm giá SALE10 −29.900 ₫", "Dùng 20 điểm −20.000 ₫"),
    ("receipt_58", "vi", "Mã giảm giá SALE10 −29.900 ₫", "Dùng 20 điểm −20.000 ₫"),
    ("invoice_a4", "vi", "Mã giảm giá SALE10 −29.900 ₫", "Dùng 20 điểm −20.000 ₫"),
    ("invoice_a5", "en", "Discount code SALE10 −29,900 VND",
     "Points discount (20 points) −20,000 VND"),
])  # fmt: skip
def test_the_printed_documents_name_the_code_and_the_points(
    qapp, engine, shop_ctx, template, lang, code, points, tmp_path: Path
):
    order_id = shirt_with_voucher_and_points(shop_ctx, engine)
    docs = order_documents(shop_ctx, [order_id], template, lang=lang)
    text = pdf_text(render.print_to_pdf(docs, tmp_path / f"{template}-{lang}.pdf"))
    for phrase in (code, points):
        assert has_phrase(text, phrase), (phrase, text)


def test_the_chat_message_names_them(engine, shop_ctx):
    order_id = shirt_with_voucher_and_points(shop_ctx, engine)
    text = order_messages(shop_ctx, [order_id])
    assert "Mã giảm giá SALE10: −29.900 ₫\nDùng 20 điểm: −20.000 ₫\n" in text


def test_a_shop_template_may_print_them_on_their_own(engine, shop_ctx):
    html = "{{#voucher_code}}Mã: {{voucher_code}}{{/voucher_code}};" \
           "{{#points_used}}Điểm: {{points_used}}{{/points_used}}"  # fmt: skip
    check_template(html)  # known names: Settings saves it
    order_id = shirt_with_voucher_and_points(shop_ctx, engine)
    assert fill(html, values(shop_ctx, order_id, "vi")) == "Mã: SALE10;Điểm: 20"
