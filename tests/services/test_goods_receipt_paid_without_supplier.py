"""Money paid with a receipt that names no supplier: the missing supplier is what is said,
even when the amount is also more than the receipt costs (a delivery list without costs
costs 0), since naming the supplier is the fix."""

from __future__ import annotations

import pytest

from primedist.domain.goods_receipt import GoodsReceipt
from primedist.errors import ValidationError
from primedist.services import goods_receipts as gr
from tests.factories import make_product
from tests.services.test_suppliers import count


def test_paid_without_supplier_on_a_list_without_costs_names_the_supplier(owner_ctx):
    (lamp,) = make_product(owner_ctx.engine, "Đèn ngủ", [("DEN-1", 150_000, 0)])
    draft = gr.ReceiptDraft([gr.ReceiptLine(lamp, 2)], paid=1_000)
    with pytest.raises(ValidationError, match="Name the supplier the 1,000 was paid to") as exc:
        gr.receive_goods(owner_ctx, draft)
    assert exc.value.field == "supplier"
    assert count(owner_ctx.engine, GoodsReceipt) == 0
    # A wrong amount with a supplier named is still the amount's range.
    with pytest.raises(ValidationError, match="must be 0 to the receipt's cost") as exc:
        gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(lamp, 2)],
                                                    supplier="Đức Minh", paid=1_000))  # fmt: skip
    assert exc.value.field == "paid"
