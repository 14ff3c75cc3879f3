"""Prices for a sale: the customer's level price, vouchers and points redemption.

The loyalty issue manages levels, vouchers and points; this module is the one place a sale
asks for them, so the order screen and `create_order` agree on every number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from primedist.core.messages import msg
from primedist.domain.customer import Customer, CustomerTag
from primedist.domain.enums import DiscountKind
from primedist.domain.loyalty import (
    CustomerLevel,
    LevelPrice,
    Voucher,
    VoucherLevel,
    VoucherTag,
)
from primedist.domain.product import Variant
from primedist.errors import ValidationError
from primedist.services.app_settings import get_setting
from primedist.services.loyalty.settings import (
    CAP_SETTING,
    DEFAULT_CAP_PERCENT,
    DEFAULT_POINT_VALUE,
    POINT_VALUE_SETTING,
)
from primedist.services.loyalty.vouchers import count_uses

__all__ = ["DEFAULT_POINT_VALUE", "POINT_VALUE_SETTING"]


def list_price(variant: Variant) -> int:
    """The shelf price: the discount price when set, else the price."""
    return variant.discount_price if variant.discount_price is not None else variant.price


def unit_price_for(session: Session, variant: Variant, customer: Customer | None) -> int:
    """The price this customer pays: their level's price when the level has one."""
    return price_and_level(session, variant, customer)[0]


def price_and_level(
    session: Session, variant: Variant, customer: Customer | None
) -> tuple[int, str | None]:
    """The price this customer pays and the name of the level whose price it is (None:
    the list price), so the sale screen can show which price applied. The level price
    only when it is lower: a sale on the shelf price (a scheduled discount) can go below
    it, and a member never pays more than a walk-in buyer."""
    shelf = list_price(variant)
    if customer is not None and customer.level_id is not None and variant.id is not None:
        row = session.get(LevelPrice, (customer.level_id, variant.id))
        if row is not None and row.price < shelf:
            level = session.get(CustomerLevel, customer.level_id)
            return row.price, None if level is None else level.name
    return shelf, None


@dataclass(frozen=True)
class VoucherDiscount:
    voucher_id: int
    code: str
    amount: int


def _voucher_eligible(session: Session, voucher: Voucher, customer: Customer | None) -> bool:
    levels = set(
        session.exec(
            select(VoucherLevel.level_id).where(VoucherLevel.voucher_id == voucher.id)
        ).all()
    )
    tags = set(
        session.exec(select(VoucherTag.tag_id).where(VoucherTag.voucher_id == voucher.id)).all()
    )
    if not levels and not tags:
        return True
    if customer is None:
        return False
    if customer.level_id in levels:
        return True
    if tags:
        mine = session.exec(
            select(func.count())
            .select_from(CustomerTag)
            .where(CustomerTag.customer_id == customer.id, CustomerTag.tag_id.in_(tags))  # type: ignore[attr-defined]
        ).one()
        return bool(mine)
    return False


def voucher_discount(
    session: Session,
    code: str,
    *,
    customer: Customer | None,
    merchandise: int,
    shipping_fee: int,
    now: datetime,
) -> VoucherDiscount:
    """The discount a voucher code gives on this sale, or a ValidationError saying why not.

    `merchandise` is the lines' subtotal after the order discount.
    """
    code = code.strip().upper()
    voucher = session.exec(select(Voucher).where(func.upper(Voucher.code) == code)).first()
    field = "voucher_code"
    if voucher is None or not voucher.is_active:
        raise ValidationError(
            msg("Voucher {code} does not exist or is switched off.", code=code), field=field
        )
    if voucher.starts_at is not None and now < _aware(voucher.starts_at):
        raise ValidationError(msg("Voucher {code} is not valid yet.", code=code), field=field)
    if voucher.ends_at is not None and now >= _aware(voucher.ends_at):
        raise ValidationError(msg("Voucher {code} has expired.", code=code), field=field)
    assert voucher.id is not None
    if voucher.usage_limit is not None and count_uses(session, voucher.id) >= voucher.usage_limit:
        raise ValidationError(msg("Voucher {code} has been used up.", code=code), field=field)
    if voucher.per_customer_limit is not None:
        if customer is None or customer.id is None:
            raise ValidationError(
                msg(
                    "Voucher {code} is limited per customer: choose the customer first.", code=code
                ),
                field=field,
            )
        if count_uses(session, voucher.id, customer.id) >= voucher.per_customer_limit:
            raise ValidationError(
                msg(
                    "Voucher {code} was already used by {customer}.",
                    code=code,
                    customer=customer.name,
                ),
                field=field,
            )
    if merchandise < voucher.min_order_value:
        raise ValidationError(
            msg(
                "Voucher {code}: order below {minimum} đ (this order: {amount} đ).",
                code=code,
                minimum=voucher.min_order_value,
                amount=merchandise,
            ),
            field=field,
        )
    if not _voucher_eligible(session, voucher, customer):
        raise ValidationError(
            msg("Voucher {code} is not for this customer.", code=code), field=field
        )
    if voucher.discount_kind == DiscountKind.PERCENT:
        amount = merchandise * voucher.discount_value // 100
    else:
        amount = voucher.discount_value
    if voucher.free_shipping:
        amount += shipping_fee
    if voucher.max_discount is not None:  # "at most": the shipping it pays included
        amount = min(amount, voucher.max_discount)
    return VoucherDiscount(voucher.id, voucher.code, min(amount, merchandise + shipping_fee))


def _aware(dt: datetime) -> datetime:
    from datetime import UTC

    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def point_value(session: Session) -> int:
    """What one redeemed point is worth, in đồng."""
    return int(get_setting(session, POINT_VALUE_SETTING, DEFAULT_POINT_VALUE))


def redeem_cap_percent(session: Session) -> int:
    """Points pay at most this percentage of an order."""
    return int(get_setting(session, CAP_SETTING, DEFAULT_CAP_PERCENT))


def points_discount(
    session: Session, customer: Customer | None, points: int, order_amount: int | None = None
) -> int:
    """The discount for redeeming `points`, or a ValidationError when not allowed.

    `order_amount` is what the order costs before points; points pay at most the cap
    (Settings → Points) of it."""
    if points <= 0:
        return 0
    if customer is None:
        raise ValidationError(msg("Points need a customer (not a walk-in sale)."), field="points")
    if points > customer.points_balance:
        raise ValidationError(
            msg(
                "{customer} has only {points} points.",
                customer=customer.name,
                points=customer.points_balance,
            ),
            field="points",
        )
    value = point_value(session)
    amount = points * value
    if order_amount is not None:
        cap = max(order_amount, 0) * redeem_cap_percent(session) // 100
        if amount > cap:
            most = cap // value
            raise ValidationError(
                msg(
                    "Points may pay at most {percent}% of this order ({cap} đ): use at most "
                    "{most} points.",
                    percent=redeem_cap_percent(session),
                    cap=cap,
                    most=most,
                ),
                field="points",
            )
    return amount
