"""A payment cancelled because its sale was edited, reprinted as a receipt (phiếu thu):
the banner says why in the receipt's language; a reason someone typed stays as typed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.printing import customer_payment
from primedist.services import customer_account as account
from primedist.services import order_edit as edit
from primedist.services import orders
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.printing.jobs import print_customer_payment
from tests.factories import make_customers, make_product
from tests.printing.support import has_phrase, pdf_text


def edited_sale(ctx) -> int:
    """A phone order of 3 cups on account, 35,000 paid at once; then the sale edited to
    nothing paid now: that payment (PT000001) is cancelled by the edit."""
    cup = make_product(ctx.engine, "Cốc sứ", [("COC-1", 45_000, 20)])[0]
    (cid,) = make_customers(ctx.engine, 1, names=["Nguyễn Thị Hoa"])
    order = orders.create_order(ctx, OrderDraft(
        lines=(DraftLine(cup, 3),), customer_id=cid, source=OrderSource.PHONE,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=35_000, ship_name="Hoa",
        ship_phone="0939921717", ship_address="12 Lê Lợi", ship_province="Hà Nội",
    ))  # fmt: skip
    draft = edit.order_draft(ctx, order.id)
    edit.update_order(ctx, order.id, replace(draft, paid_now=0))
    (payment,) = [e for e in account.account_entries(ctx, cid) if e.kind == "payment"]
    assert payment.cancel_reason == "Order edited"
    return payment.entity_id


@pytest.mark.parametrize(("lang", "said", "not_said"), [
    ("vi", "Đơn hàng đã được sửa", "Order edited"),
    ("en", "Order edited", "Đơn hàng đã được sửa"),
])  # fmt: skip
def test_the_edit_is_said_in_the_receipts_language(qapp, shop_ctx, tmp_path, lang, said,
                                                   not_said):  # fmt: skip
    payment_id = edited_sale(shop_ctx)
    out = tmp_path / "pt.pdf"
    print_customer_payment(shop_ctx, payment_id, pdf=out, lang=lang)
    text = pdf_text(out)
    assert has_phrase(text, said) and not_said not in text


def test_the_receipt_knows_the_reason_the_edit_stores():
    # The printed receipt reads the stored English back: both must stay the same text.
    assert customer_payment._T["edited"][0] == edit.EDITED_REASON
