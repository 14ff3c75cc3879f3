# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The order detail of the shop's own sale says what its receipt says: on account, what
was paid at the counter and what is still owed; the order discount under the sale screen's
name (a marketplace order keeps "Seller discount"); the phone as the sale screen writes it."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.i18n import install_language
from primedist.ui.orders.detail import OrderDetailDialog
from tests.ui.orders.test_order_detail import (  # noqa: F401  (fixtures)
    counter_sale,
    customer_id,
    marketplace_order,
    open_detail,
    order_of,
    shown_amount,
    variants,
)


def shown(dialog: OrderDetailDialog, key: str) -> tuple[str, str] | None:
    """A money row as (caption, value), None when it is hidden."""
    caption, value = dialog.money_captions[key], dialog.money_values[key]
    return (caption.text(), value.text()) if value.isVisibleTo(dialog) else None


def on_account_sale(ctx: ServiceContext, variants: list[int], customer_id: int) -> int:
    """2 × AO-S (198,000) less an order discount of 18,000: 180,000, 50,000 paid now."""
    return svc.create_order(ctx, OrderDraft(
        lines=(DraftLine(variants[0], 2),), customer_id=customer_id, order_discount=18_000,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=50_000)).id  # fmt: skip


def test_a_sale_on_account_shows_what_was_paid_and_what_is_owed(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    order_id = on_account_sale(owner_ctx, variants, customer_id)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert shown(dialog, "seller_discount") == ("Order discount", "\u221218,000 VND")
    assert shown(dialog, "total") == ("Total", "180,000 VND")
    assert shown(dialog, "paid") == ("Paid", "50,000 VND")
    assert shown(dialog, "owed") == ("Owed", "130,000 VND")
    order = order_of(engine, order_id)
    phone = order.buyer_phone
    assert phone is not None and len(phone) == 10
    assert dialog.customer_phone.text() == f"{phone[:4]} {phone[4:7]} {phone[7:]}"
    # A return takes its refund off what is owed, as the receipt does.
    line = svc.order_detail(owner_ctx, order_id).lines[0]
    svc.return_order(owner_ctx, order_id, {line.id: 1}, reason="Lỗi đường may",
                     refund_amount=90_000)  # fmt: skip
    dialog.reload()
    assert shown(dialog, "refunded") == ("Refunded", "\u221290,000 VND")
    assert shown(dialog, "owed") == ("Owed", "40,000 VND")
    install_language("vi")
    try:
        dialog.reload()
        assert shown(dialog, "seller_discount") == ("Giảm giá đơn", "\u221218.000 ₫")
    finally:
        install_language("en")
    # A phone order on account, cancelled: nobody owes it any more.
    phone_sale = svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(variants[1], 1),), customer_id=customer_id, source=OrderSource.PHONE,
        payment_method=PaymentMethod.ON_ACCOUNT)).id  # fmt: skip
    dialog.order_id = phone_sale
    dialog.reload()
    assert shown(dialog, "paid") == ("Paid", "0 VND")
    assert shown(dialog, "owed") == ("Owed", "120,000 VND")
    assert svc.cancel_orders(owner_ctx, [phone_sale], "Khách đổi ý").done == [phone_sale]
    dialog.reload()
    assert order_of(engine, phone_sale).status == OrderStatus.CANCELLED
    assert shown(dialog, "paid") is None and shown(dialog, "owed") is None


def test_paid_sales_and_marketplace_orders_keep_their_rows(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    dialog = open_detail(qtbot, owner_ctx, counter_sale(owner_ctx, variants))
    assert shown(dialog, "total") == ("Total", "99,000 VND")
    assert shown(dialog, "paid") is None and shown(dialog, "owed") is None  # paid in cash
    dialog.order_id = marketplace_order(engine, owner_ctx, variants, customer_id)
    dialog.reload()
    # The seller's share of a marketplace's promotions: its own name.
    assert shown(dialog, "seller_discount") == ("Seller discount", "\u221218,000 VND")
    assert shown(dialog, "paid") is None and shown(dialog, "owed") is None
    assert shown_amount(dialog.money_values["total"].text()) == 330_000
