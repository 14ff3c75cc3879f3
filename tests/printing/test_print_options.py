"""Settings → Printers & templates → Options: the choices of each document type (message,
logo, address, phone, the order's code, the points balance, SKUs, large text) are stored
as an audited setting and change what the shipped templates print; a shop's own template
keeps printing. Real migrated store, orders made through the services, the real template
code (and Qt for the text size)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PIL import Image
from sqlmodel import Session, select

from primedist.domain.audit import AuditEvent
from primedist.domain.customer import Customer
from primedist.domain.enums import Role
from primedist.errors import PermissionDenied, ValidationError
from primedist.printing.content import MAX_MESSAGE_CHARS, DocOptions, default_options
from primedist.printing.documents import order_documents
from primedist.printing.model import DocumentType
from primedist.printing.store import (
    OPTIONS_KEY,
    load_options,
    load_shop_details,
    save_options,
    save_shop_details,
    save_template,
)
from primedist.services import orders as svc
from primedist.services.context import Actor
from primedist.services.loyalty.points import adjust_points
from primedist.ui.printing import render
from tests.factories import make_customers, make_product

ADDRESS = "45 Nguyễn Huệ"
PHONE = "028 3822 1234"


def html(ctx, order_id: int, template: str, lang: str = "vi") -> str:
    (document,) = order_documents(ctx, [order_id], template, lang=lang)
    return document.html


def test_options_are_stored_per_document_type_read_back_and_audited(shop_ctx):
    assert load_options(shop_ctx, DocumentType.RECEIPT) == default_options(DocumentType.RECEIPT)
    assert not load_options(shop_ctx, DocumentType.RECEIPT).show_sku  # no room on a roll
    assert load_options(shop_ctx, DocumentType.INVOICE).show_sku
    chosen = DocOptions(message="  Cảm ơn quý khách!\r\nĐổi hàng trong 7 ngày.\x1b  ",
                        show_phone=False, show_points=True, large_font=True)  # fmt: skip
    kept = save_options(shop_ctx, DocumentType.RECEIPT, chosen)
    assert kept.message == "Cảm ơn quý khách!\nĐổi hàng trong 7 ngày."
    assert load_options(shop_ctx, DocumentType.RECEIPT) == kept
    assert load_options(shop_ctx, DocumentType.INVOICE) == default_options(DocumentType.INVOICE)
    with Session(shop_ctx.engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.entity_id == OPTIONS_KEY)).all()
    assert [r.action for r in rows] == ["settings.change"]
    with pytest.raises(ValidationError):
        save_options(
            shop_ctx, DocumentType.RECEIPT, DocOptions(message="x" * (MAX_MESSAGE_CHARS + 1))
        )
    cashier = shop_ctx.with_actor(Actor(id=None, name="Lan", email="lan@shop.vn",
                                        role=Role.STAFF, modules=frozenset()))  # fmt: skip
    with pytest.raises(PermissionDenied):
        save_options(cashier, DocumentType.RECEIPT, DocOptions(show_code=False))
    assert load_options(shop_ctx, DocumentType.RECEIPT) == kept


@pytest.mark.parametrize("template", ["receipt_80", "receipt_58"])
def test_receipt_options_change_the_printed_receipt(shop_ctx, sample_order, template):
    before = html(shop_ctx, sample_order.id, template)
    assert ADDRESS in before and PHONE in before and "<img" in before  # the order's QR
    assert "Cảm ơn quý khách và hẹn gặp lại!" in before and "NEN-01" not in before
    save_options(shop_ctx, DocumentType.RECEIPT, DocOptions(
        message="Cảm ơn quý khách!\nĐổi hàng trong 7 ngày.", show_address=False,
        show_phone=False, show_code=False, show_sku=True))  # fmt: skip
    after = html(shop_ctx, sample_order.id, template)
    assert ADDRESS not in after and PHONE not in after and "<img" not in after
    assert "Cảm ơn quý khách!<br>Đổi hàng trong 7 ngày." in after
    assert "hẹn gặp lại" not in after
    assert "NEN-01" in after and "BXP-01" in after
    assert "Nến Thơm Sài Gòn" in after  # the shop's name always prints


def test_invoice_and_packing_slip_drop_the_sku_column_and_the_codes(shop_ctx, sample_order):
    for template, doc_type in (("invoice_a4", DocumentType.INVOICE),
                               ("packing_slip", DocumentType.PACKING_SLIP)):  # fmt: skip
        before = html(shop_ctx, sample_order.id, template, "en")
        assert ">SKU</th>" in before and "NEN-01" in before and "<img" in before
        save_options(shop_ctx, doc_type, replace(default_options(doc_type), show_sku=False,
                                                 show_code=False))  # fmt: skip
        after = html(shop_ctx, sample_order.id, template, "en")
        assert ">SKU</th>" not in after and "NEN-01" not in after and "<img" not in after
        assert "Nến thơm tinh dầu" in after
    # The receipt's options are its own.
    assert "<img" in html(shop_ctx, sample_order.id, "receipt_80")


def test_the_points_balance_prints_on_the_receipt_when_chosen(engine, shop_ctx):
    (soap,) = make_product(engine, "Xà phòng thảo mộc", [("XP-01", 35_000, 10)])
    (customer,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    adjust_points(shop_ctx, customer, 1_250, "Tặng")
    order_id = svc.create_order(shop_ctx, svc.OrderDraft(
        lines=(svc.DraftLine(soap, 1),), customer_id=customer)).id  # fmt: skip
    with Session(engine) as session:
        balance = session.get(Customer, customer).points_balance
    assert balance >= 1_250
    shown = f"{balance:,}".replace(",", ".")
    assert "Điểm tích lũy" not in html(shop_ctx, order_id, "receipt_80")  # off by default
    save_options(shop_ctx, DocumentType.RECEIPT, DocOptions(show_points=True, show_sku=False))
    for template in ("receipt_80", "receipt_58"):
        receipt = html(shop_ctx, order_id, template)
        assert "Điểm tích lũy" in receipt and f">{shown}<" in receipt
    assert "Points balance" in html(shop_ctx, order_id, "receipt_80", "en")


def test_a_hidden_logo_is_left_out(shop_ctx, sample_order, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (200, 30, 30)).save(logo)
    save_shop_details(shop_ctx, replace(load_shop_details(shop_ctx), logo_path=str(logo)))
    assert html(shop_ctx, sample_order.id, "receipt_80").count("<img") == 2  # logo + QR
    save_options(shop_ctx, DocumentType.RECEIPT, DocOptions(show_logo=False, show_sku=False))
    assert html(shop_ctx, sample_order.id, "receipt_80").count("<img") == 1


def test_large_text_prints_the_receipt_larger(qapp, shop_ctx, sample_order):
    (normal,) = order_documents(shop_ctx, [sample_order.id], "receipt_80")
    save_options(shop_ctx, DocumentType.RECEIPT, DocOptions(large_font=True, show_sku=False))
    (large,) = order_documents(shop_ctx, [sample_order.id], "receipt_80")
    assert large.font_scale > normal.font_scale == 1.0
    assert render.to_image(large).height() > render.to_image(normal).height() * 1.1


def test_a_shops_own_template_keeps_printing_and_takes_the_message(shop_ctx, sample_order):
    own = "<p>{{shop_name}} · {{shop_phone}}</p><p>{{order_number}}</p><p>{{footer}}</p>"
    save_template(shop_ctx, "receipt_80", own)
    save_options(shop_ctx, DocumentType.RECEIPT, DocOptions(
        message="Hẹn gặp lại!\nZalo 0909 123 456", show_phone=False, show_sku=False))  # fmt: skip
    printed = html(shop_ctx, sample_order.id, "receipt_80")
    assert printed == (f"<p>Nến Thơm Sài Gòn · </p><p>{sample_order.number}</p>"
                       "<p>Hẹn gặp lại!<br>Zalo 0909 123 456</p>")  # fmt: skip


def test_receipt_prints_the_phone_spaced_the_points_earned_and_the_chosen_cashier(
    engine, shop_ctx
):
    """A member at the counter reads their phone as the app shows it (on either roll), the
    points this sale earned, and (when the shop chooses) who served them."""
    (soap,) = make_product(engine, "Xà phòng thảo mộc", [("XP-01", 350_000, 10)])
    (customer,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    order_id = svc.create_order(shop_ctx, svc.OrderDraft(
        lines=(svc.DraftLine(soap, 1),), customer_id=customer)).id  # fmt: skip
    detail = svc.order_detail(shop_ctx, order_id)
    phone, earned = detail.order.buyer_phone, detail.order.points_earned
    assert phone and len(phone) == 10 and earned > 0
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    for template in ("receipt_80", "receipt_58"):  # the 58 mm roll names the phone too
        receipt = html(shop_ctx, order_id, template)
        joined = receipt.replace(':</td><td align="right">', ": ")  # the 80 mm's table
        assert f"Điện thoại: {spaced}" in joined and phone not in receipt
    receipt = html(shop_ctx, order_id, "receipt_80")
    assert "Điểm cộng" in receipt and f">+{earned}<" in receipt
    assert "Thu ngân" not in receipt  # off by default
    assert shop_ctx.actor.name
    save_options(shop_ctx, DocumentType.RECEIPT, DocOptions(show_cashier=True, show_sku=False))
    for template in ("receipt_80", "receipt_58"):
        receipt = html(shop_ctx, order_id, template)
        joined = receipt.replace(':</td><td align="right">', ": ")  # the 80 mm's table
        assert f"Thu ngân: {shop_ctx.actor.name}" in joined
        assert f">+{earned}<" in receipt
    english = html(shop_ctx, order_id, "receipt_80", "en")
    assert "Cashier" in english and "Points earned" in english
