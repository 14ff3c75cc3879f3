# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The order detail of a cash sale says the cash the customer handed over and the change
given, as its receipt does (`orders.cash_received`); a sale without them shows neither."""

from __future__ import annotations

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services.context import ServiceContext
from tests.ui.orders.test_order_detail import (  # noqa: F401  (fixtures)
    customer_id,
    open_detail,
    variants,
)
from tests.ui.orders.test_order_detail_voucher_points import sale, shown


def test_a_cash_sale_shows_the_cash_received_and_the_change(
    qtbot, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    order_id = sale(owner_ctx, variants[0], customer_id, cash_received=200_000)  # 99,000 đ
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert shown(dialog, "cash") == ("Cash received", "200,000 VND")
    assert shown(dialog, "change") == ("Change given", "101,000 VND")

    # No amount typed at the counter, or a delivery paid on receipt: nothing to say.
    for kw in ({}, {"source": OrderSource.PHONE, "payment_method": PaymentMethod.COD}):
        other = open_detail(qtbot, owner_ctx, sale(owner_ctx, variants[0], customer_id, **kw))
        assert shown(other, "cash") is None
        assert shown(other, "change") is None
