# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The order detail names the shop's discount code and the points an order used beside
their discounts (DESIGN § Orders: the detail shows the discount code); a channel's own
voucher, which has no code of the shop's, keeps the plain caption. A real migrated
database, orders made through the services, the dialog shown."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import DiscountKind
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.orders.detail import OrderDetailDialog
from tests.ui.orders.test_order_detail import (  # noqa: F401  (fixtures)
    customer_id,
    marketplace_order,
    open_detail,
    variants,
)


def shown(dialog: OrderDetailDialog, key: str) -> tuple[str, str] | None:
    """A money row as (caption, value), None when it is hidden."""
    caption, value = dialog.money_captions[key], dialog.money_values[key]
    return (caption.text(), value.text()) if value.isVisibleTo(dialog) else None


def sale(ctx: ServiceContext, variant: int, customer_id: int, **kw: object) -> int:
    """A counter sale of one AO-S (99,000 đ) to the customer."""
    draft = OrderDraft(lines=(DraftLine(variant, 1),), customer_id=customer_id, **kw)  # type: ignore[arg-type]
    return svc.create_order(ctx, draft).id


def test_the_detail_names_the_discount_code_and_the_points_used(
    qtbot, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    save_voucher(owner_ctx, VoucherDraft("SALE10", kind=DiscountKind.PERCENT, value=10))
    adjust_points(owner_ctx, customer_id, 100, "Tặng")
    order_id = sale(owner_ctx, variants[0], customer_id, voucher_code="SALE10", points=20)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert shown(dialog, "voucher_discount") == ("Discount code SALE10", "−9,900 VND")
    assert shown(dialog, "points_discount") == ("Points discount (20 points)", "−20,000 VND")

    # One point reads as one.
    one = open_detail(qtbot, owner_ctx, sale(owner_ctx, variants[0], customer_id, points=1))
    assert shown(one, "points_discount") == ("Points discount (1 point)", "−1,000 VND")
    assert shown(one, "voucher_discount") is None


def test_a_channel_voucher_keeps_the_plain_caption(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    """A marketplace order's voucher discount is the channel's: no code of the shop's."""
    order_id = marketplace_order(engine, owner_ctx, variants)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET voucher_discount = 15000, total = total - 15000"
                             " WHERE id = :id"), {"id": order_id})  # fmt: skip
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert shown(dialog, "voucher_discount") == ("Discount code", "−15,000 VND")
    assert shown(dialog, "points_discount") is None
