# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The order edit form keeps the discount a voucher gave at the sale after its rule was
changed; with another shipping fee (other figures) it says, in amber and without stopping
Save, that today's rule prices it."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import DiscountKind, OrderSource, PaymentMethod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.orders.sale import SaleDialog
from tests.ui.orders.test_sale_dialog import field, products, settle  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("english")


def test_the_edit_form_says_when_a_changed_rule_reprices_the_voucher(
    qtbot, owner_ctx: ServiceContext, engine: Engine, products: dict[str, int]
) -> None:
    vid = save_voucher(owner_ctx, VoucherDraft("P15", kind=DiscountKind.PERCENT, value=15))
    draft = OrderDraft(
        lines=(DraftLine(products["AO-S"], 2),), voucher_code="P15", source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Hòa", ship_phone="0939921717",
        ship_address="12 Lê Lợi", ship_province="Hà Nội",
    )  # fmt: skip
    created = svc.create_order(owner_ctx, draft)  # 15% of 198,000 = 29,700
    save_voucher(owner_ctx, VoucherDraft("P15", kind=DiscountKind.PERCENT, value=10), vid)
    form = SaleDialog(owner_ctx, edit_order_id=created.id, edit_number=created.external_id)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    settle(qtbot, form)
    assert form.total_values["voucher"].text() == "-29,700 VND"  # as sold
    assert form.voucher_note.isHidden()
    field(form, "shippingFee").setText("20,000")
    form.requote()
    assert form.total_values["voucher"].text() == "-19,800 VND"  # 10% today
    assert form.voucher_note.isVisible()
    assert form.voucher_note.text() == (
        "⚠ Voucher P15 was changed after this sale: on other goods or another shipping fee it "
        "gives what it gives today (at the sale it gave 29,700 đ).")  # fmt: skip
    assert form.save_button.isEnabled()
    field(form, "shippingFee").setText("")
    form.requote()
    assert form.voucher_note.isHidden()
    assert form.total_values["voucher"].text() == "-29,700 VND"
