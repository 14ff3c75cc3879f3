"""A reprint after a return says what came back and what the sale comes to; an exchange's
receipt keeps the old order's number beside its credit on a narrow roll and says what the
returned items took off the customer's debt. Real migrated store, orders made through the
services, PDFs rendered by Qt and read back with poppler."""

from __future__ import annotations

from pathlib import Path

import pytest

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.printing.content import ShopDetails, order_context
from primedist.printing.documents import order_documents
from primedist.printing.model import DocumentType
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.exchange import ExchangeDraft, exchange_order
from primedist.ui.printing import render
from tests.factories import make_customers, make_product
from tests.printing.support import has_phrase, pdf_text


def printed(ctx: ServiceContext, order_id: int, template: str, lang: str, tmp_path: Path,
            *, layout: bool = False) -> str:  # fmt: skip
    docs = order_documents(ctx, [order_id], template, lang=lang)
    pdf = render.print_to_pdf(docs, tmp_path / f"{template}-{lang}.pdf")
    return pdf_text(pdf, layout=layout)


def lip_balm_returned(ctx: ServiceContext, engine) -> int:
    """2 × lip balm 129.000 ₫ + 1 × dress 259.000 ₫ paid in cash (517.000 ₫); one lip balm
    comes back for 129.000 ₫."""
    (balm,) = make_product(engine, "Son dưỡng có màu", [("SDCM-04", 129_000, 10)])
    (dress,) = make_product(engine, "Váy hoa nhí", [("VHN-S", 259_000, 10)])
    created = svc.create_order(ctx, svc.OrderDraft(
        lines=(svc.DraftLine(balm, 2), svc.DraftLine(dress, 1))))  # fmt: skip
    line = svc.order_detail(ctx, created.id).lines[0].id or 0
    assert svc.return_order(ctx, created.id, {line: 1}, reason="Khách đổi ý").refund_amount == (
        129_000
    )
    return created.id


VI = ("Trả lại 1", "Đã hoàn tiền 129.000 ₫", "Tổng sau trả hàng 388.000 ₫", "Tổng cộng")
EN = ("Returned 1", "Refunded 129,000 VND", "After returns 388,000 VND", "Total")


@pytest.mark.parametrize(("template", "lang", "returned", "refunded", "net", "total"), [
    ("receipt_80", "vi", *VI),
    ("receipt_58", "vi", *VI),
    ("receipt_80", "en", *EN),
    ("receipt_58", "en", *EN),
    ("invoice_a4", "vi", *VI),
    ("invoice_a5", "en", *EN),
])  # fmt: skip
def test_a_partly_returned_sale_says_what_came_back_and_what_is_left(
    qapp, engine, shop_ctx, template, lang, returned, refunded, net, total, tmp_path
):
    text = printed(shop_ctx, lip_balm_returned(shop_ctx, engine), template, lang, tmp_path)
    for phrase in (returned, refunded, net):
        assert has_phrase(text, phrase), (phrase, text)
    # The mark is under the lip balm's line (not the dress's), the net after the total.
    assert text.index("Son dưỡng") < text.index(returned.split()[0]) < text.index("Váy hoa")
    assert (
        text.index(total)
        < text.index(refunded.split()[0])
        < text.index(net.split()[0], text.index(refunded.split()[0]))
    )


def test_the_values_of_a_partly_returned_sale(engine, shop_ctx):
    order_id = lip_balm_returned(shop_ctx, engine)
    values = order_context(svc.order_detail(shop_ctx, order_id), ShopDetails(),
                           DocumentType.RECEIPT, "vi", wanted=())  # fmt: skip
    assert [line["returned"] for line in values["lines"]] == ["1", ""]
    assert (values["refunded"], values["net"]) == ("129.000 ₫", "388.000 ₫")


def test_nothing_returned_prints_no_net(qapp, engine, shop_ctx, sample_order, tmp_path):
    values = order_context(svc.order_detail(shop_ctx, sample_order.id), ShopDetails(),
                           DocumentType.RECEIPT, "en", wanted=())  # fmt: skip
    assert values["net"] == "" and all(ln["returned"] == "" for ln in values["lines"])
    assert "After returns" not in printed(shop_ctx, sample_order.id, "receipt_80", "en", tmp_path)
    # A cancelled phone order paid in cash (paid back): its banner says it, no net of 0.
    (candle,) = make_product(engine, "Nến thơm", [("NEN-09", 50_000, 10)])
    phone = svc.create_order(shop_ctx, svc.OrderDraft(
        lines=(svc.DraftLine(candle, 2),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.CASH))  # fmt: skip
    assert svc.cancel_orders(shop_ctx, [phone.id], "Nhầm đơn").done == [phone.id]
    cancelled = order_context(svc.order_detail(shop_ctx, phone.id), ShopDetails(),
                              DocumentType.RECEIPT, "en", wanted=())  # fmt: skip
    assert cancelled["refunded"] == "100,000 VND" and cancelled["net"] == ""


def shirts(engine) -> list[int]:
    return make_product(engine, "Áo sơ mi lụa", [("SM-S", 259_000, 9), ("SM-X", 100_000, 9),
                                                 ("SM-M", 299_000, 9)])  # fmt: skip


def exchanged(ctx: ServiceContext, engine, method: PaymentMethod, paid_now: int, new: int
              ) -> tuple[str, int]:  # fmt: skip
    """A 259,000 shirt bought `method` (`paid_now` at once on account), exchanged at the
    counter for shirt `new` paid in cash: (the old order's number, the new sale's id)."""
    variants = shirts(engine)
    (buyer,) = make_customers(engine, 1, names=["Trần Thu Hà"])
    old = svc.create_order(ctx, svc.OrderDraft(
        lines=(svc.DraftLine(variants[0], 1),), customer_id=buyer, payment_method=method,
        paid_now=paid_now))  # fmt: skip
    line = svc.order_detail(ctx, old.id).lines[0].id or 0
    done = exchange_order(ctx, ExchangeDraft(old.id, {line: 1}, "Đổi size", svc.OrderDraft(
        lines=(svc.DraftLine(variants[new], 1),), payment_method=PaymentMethod.CASH)))  # fmt: skip
    return old.external_id, done.created.id


def line_with(text: str, *words: str) -> str | None:
    """The printed line (pdftotext -layout) that holds every one of `words`."""
    return next((ln for ln in text.splitlines() if all(w in ln for w in words)), None)


@pytest.mark.parametrize("template", ["receipt_80", "receipt_58"])
@pytest.mark.parametrize(("lang", "label", "credit"), [
    ("en", "Returned items of", "−259,000 VND"),
    ("vi", "Trừ hàng trả của đơn", "−259.000 ₫"),
])  # fmt: skip
def test_the_exchange_credit_keeps_the_old_order_number_beside_it(
    qapp, engine, shop_ctx, template, lang, label, credit, tmp_path
):
    number, new = exchanged(shop_ctx, engine, PaymentMethod.CASH, 0, new=1)
    text = printed(shop_ctx, new, template, lang, tmp_path, layout=True)
    assert line_with(text, number, credit), text  # the number never alone on its line
    assert line_with(text, label), text


@pytest.mark.parametrize(("template", "lang", "phrases"), [
    # (pdftotext reads the "ff" ligature of "Off" as one letter)
    ("receipt_80", "en", ("what is owed −159,000 VND", "To pay 199,000 VND")),
    ("receipt_58", "vi", ("Trừ vào công nợ −159.000 ₫", "Khách cần trả 199.000 ₫")),
    ("invoice_a5", "en", ("what is owed −159,000 VND", "To pay 199,000 VND")),
])  # fmt: skip
def test_an_exchange_of_a_part_paid_sale_on_account_says_what_came_off_the_debt(
    qapp, engine, shop_ctx, template, lang, phrases, tmp_path
):
    """259,000 on account with 100,000 paid at once, exchanged for 299,000: the 100,000
    pays towards the new sale and 159,000 comes off what is owed; the receipt says both."""
    number, new = exchanged(shop_ctx, engine, PaymentMethod.ON_ACCOUNT, 100_000, new=2)
    text = printed(shop_ctx, new, template, lang, tmp_path, layout=True)
    for phrase in phrases:
        assert has_phrase(text, phrase), (phrase, text)
    assert line_with(text, number), text
    assert "100,000" in text or "100.000" in text  # what the paid part paid of this sale


def test_an_exchange_all_off_the_debt_names_the_old_order(qapp, engine, shop_ctx, tmp_path):
    """Nothing paid at the old sale on account: its shirt paid nothing of the new sale (the
    total is paid in full) but the receipt says it came back and what it took off."""
    number, new = exchanged(shop_ctx, engine, PaymentMethod.ON_ACCOUNT, 0, new=2)
    values = order_context(svc.order_detail(shop_ctx, new), ShopDetails(),
                           DocumentType.RECEIPT, "vi", wanted=())  # fmt: skip
    assert (values["exchanged_from"], values["owed_off"]) == (number, "−259.000 ₫")
    assert values["exchange_credit"] == "" and values["to_pay"] == ""
    text = printed(shop_ctx, new, "receipt_80", "vi", tmp_path, layout=True)
    assert has_phrase(text, f"Trừ hàng trả của đơn {number} Trừ vào công nợ −259.000 ₫"), text
