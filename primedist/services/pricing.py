"""Prices for a sale: the customer's level price, vouchers and points redemption.

The loyalty issue manages levels, vouchers and points; this module is the one place a sale
asks for them, so the order screen and `create_order` agree on every number. An edited
order keeps what it took under the rules it was taken by (`Held`). A voucher without group
or tag limits is for everyone, so deleting the only group or tag of a voucher switches the
voucher off and ends it first (`switch_off_vouchers_only_for`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, select

from primedist.core.messages import Message, msg
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerTag, Tag
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
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    CAP_SETTING,
    DEFAULT_CAP_PERCENT,
    DEFAULT_POINT_VALUE,
    POINT_VALUE_SETTING,
)
from primedist.services.loyalty.vouchers import count_uses

__all__ = ["DEFAULT_POINT_VALUE", "POINT_VALUE_SETTING"]

vouchers_t = table_of(Voucher)
voucher_levels_t = table_of(VoucherLevel)
voucher_tags_t = table_of(VoucherTag)


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


@dataclass(frozen=True)
class Held:
    """What an order being edited took at its sale: its customer, voucher and redeemed
    points. The edit keeps them under the rules they were taken by — the voucher's switch,
    dates and use limits, or a lowered points cap, are today's rules for a new sale.

    The voucher's amount, percentage and minimum at the sale are not stored, only what it
    gave on what: the goods after the order discount and the shipping fee as sold. On
    those it keeps giving that (`as_sold`), whatever its rule says today."""

    customer_id: int | None
    voucher_id: int | None = None
    points: int = 0
    voucher_discount: int = 0
    merchandise: int = 0
    shipping_fee: int = 0

    def points_for(self, customer: Customer | None) -> int:
        """The held points this customer may keep (none for another customer)."""
        same = customer is not None and customer.id == self.customer_id
        return self.points if same else 0

    def as_sold(self, merchandise: int, shipping_fee: int) -> bool:
        """Whether its voucher prices what it priced at the sale (same goods value, same
        shipping fee): then the edit keeps the discount it gave."""
        return (merchandise, shipping_fee) == (self.merchandise, self.shipping_fee)


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


def _only_for(session: Session, voucher: Voucher, code: str) -> Message:
    """Whom a voucher limited to tags or customer groups is for, by their names: the
    refusal says what the customer lacks ("… only for customers tagged Thân thiết")."""
    tags = list(session.exec(
        select(Tag.name).join(VoucherTag, VoucherTag.tag_id == Tag.id)  # type: ignore[arg-type]
        .where(VoucherTag.voucher_id == voucher.id).order_by(Tag.name)
    ).all())  # fmt: skip
    groups = list(session.exec(
        select(CustomerLevel.name)
        .join(VoucherLevel, VoucherLevel.level_id == CustomerLevel.id)  # type: ignore[arg-type]
        .where(VoucherLevel.voucher_id == voucher.id).order_by(CustomerLevel.name)
    ).all())  # fmt: skip
    if tags and groups:
        return msg("Voucher {code} is only for customers tagged {tags} or in group {groups}.",
                   code=code, tags=tags, groups=groups)  # fmt: skip
    if tags:
        return msg("Voucher {code} is only for customers tagged {tags}.", code=code, tags=tags)
    return msg("Voucher {code} is only for customers in group {groups}.", code=code,
               groups=groups)  # fmt: skip


def vouchers_only_for(
    conn: sa.Connection, *, level_id: int | None = None, tag_id: int | None = None
) -> list[tuple[int, str]]:
    """(id, code) of the vouchers limited to this customer group (or tag) and to nothing
    else, switched on or off, by code. Deleting the group drops their limit rows (ON DELETE
    CASCADE), and a voucher without limits is for everyone (`_voucher_eligible`): a paused
    one too, once switched on again."""
    v, vl, vt = vouchers_t.c, voucher_levels_t.c, voucher_tags_t.c
    if level_id is not None:
        limited = sa.exists().where(vl.voucher_id == v.id, vl.level_id == level_id)
    else:
        limited = sa.exists().where(vt.voucher_id == v.id, vt.tag_id == tag_id)
    # `IS DISTINCT FROM NULL`: for a tag, any group limit is another limit (and so round).
    other_level = sa.exists().where(vl.voucher_id == v.id, vl.level_id.is_distinct_from(level_id))
    other_tag = sa.exists().where(vt.voucher_id == v.id, vt.tag_id.is_distinct_from(tag_id))
    rows = conn.execute(
        sa.select(v.id, v.code).where(limited, ~other_level, ~other_tag).order_by(v.code)
    ).all()
    return [(int(r[0]), str(r[1])) for r in rows]


def switch_off_vouchers_only_for(
    session: Session, ctx: ServiceContext, *, level_id: int | None = None,
    tag_id: int | None = None,
) -> list[str]:  # fmt: skip
    """Before a customer group (or tag) is deleted, inside the deletion's checked unit of
    work: switch off the vouchers that were only for it, which would otherwise be for
    everyone, and end them now, each with its audit row. The end date is what keeps a
    paused one from coming back for everyone: switching it on is refused until the owner
    changes its dates in the editor, which shows it is for everyone now (no stored mark,
    no migration). Returns their codes (the deletion's audit row names them too)."""
    found = vouchers_only_for(session.connection(), level_id=level_id, tag_id=tag_id)
    now = ctx.clock.now()
    for voucher_id, code in found:
        row = session.get(Voucher, voucher_id)
        assert row is not None
        before = {"is_active": row.is_active, "ends_at": row.ends_at}
        if row.ends_at is None or _aware(row.ends_at) > now:
            row.ends_at = now
        was_active, row.is_active = row.is_active, False
        if before == {"is_active": False, "ends_at": row.ends_at}:
            continue  # paused and ended already: nothing to change, nothing to log
        session.add(row)
        ctx.audit(session, "voucher.deactivate" if was_active else "voucher.update",
                  entity_type="voucher", entity_id=voucher_id, summary=code, before=before,
                  after={"is_active": False, "ends_at": row.ends_at})  # fmt: skip
    session.flush()
    return [code for _i, code in found]


def with_vouchers_off(summary: str, codes: list[str]) -> str:
    """A deletion's audit summary, naming the vouchers it switched off and ended (if any)."""
    if not codes:
        return summary
    return msg("{summary}; vouchers switched off and ended, as they were only for it: "
               "{vouchers}", summary=summary, vouchers=codes)  # fmt: skip


def voucher_discount(
    session: Session,
    code: str,
    *,
    customer: Customer | None,
    merchandise: int,
    shipping_fee: int,
    now: datetime,
    held: Held | None = None,
) -> VoucherDiscount:
    """The discount a voucher code gives on this sale, or a ValidationError saying why not.

    `merchandise` is the lines' subtotal after the order discount. `held`: the order being
    edited, whose own voucher is kept whatever today's switch, dates and use limits say
    (the order holds its use already) and, for the same customer, whoever it is for now.
    On the goods and shipping fee it was sold with it gives what it gave (a rule changed
    since does not reprice a sale, nor refuse a note's edit); on other ones its rule of
    today prices it (`repriced_note` says so when that rule changed).
    """
    code = code.strip().upper()
    voucher = session.exec(select(Voucher).where(func.upper(Voucher.code) == code)).first()
    field = "voucher_code"
    if voucher is None:
        raise ValidationError(
            msg("Voucher {code} does not exist or is switched off.", code=code), field=field
        )
    assert voucher.id is not None
    kept = held is not None and held.voucher_id == voucher.id
    if not kept:
        _check_today(session, voucher, code, now)
    # The same customer took it with the order: whether it is for them was settled then.
    checked = not (kept and held is not None and held.customer_id == _id_of(customer))
    if checked:
        _check_customer_uses(session, voucher, code, customer)
    as_sold = kept and held is not None and held.as_sold(merchandise, shipping_fee)
    if not as_sold and merchandise < voucher.min_order_value:
        raise ValidationError(
            msg(
                "Voucher {code}: order below {minimum} đ (this order: {amount} đ).",
                code=code,
                minimum=voucher.min_order_value,
                amount=merchandise,
            ),
            field=field,
        )
    if checked and not _voucher_eligible(session, voucher, customer):
        raise ValidationError(_only_for(session, voucher, code), field=field)
    if as_sold and held is not None:
        return VoucherDiscount(voucher.id, voucher.code, held.voucher_discount)
    return VoucherDiscount(voucher.id, voucher.code, _amount_today(voucher, merchandise,
                                                                   shipping_fee))  # fmt: skip


def _amount_today(voucher: Voucher, merchandise: int, shipping_fee: int) -> int:
    return voucher_amount(
        DiscountKind(voucher.discount_kind), voucher.discount_value, voucher.max_discount,
        voucher.free_shipping, merchandise=merchandise, shipping_fee=shipping_fee,
    )  # fmt: skip


def repriced_note(
    session: Session, held: Held, code: str | None, *, merchandise: int, shipping_fee: int
) -> Message | None:
    """What the edit form says when the order keeps its voucher on other goods or another
    shipping fee and the voucher's rule was changed since the sale (None: nothing to say).
    Its rule at the sale is not stored, so its rule of today prices the new goods: the
    owner sees it and can give the difference as an order discount."""
    if held.voucher_id is None or not code or held.as_sold(merchandise, shipping_fee):
        return None
    voucher = session.get(Voucher, held.voucher_id)
    if voucher is None or voucher.code.upper() != code.strip().upper():
        return None  # another code typed: a new voucher, nothing kept
    same_rule = held.merchandise >= voucher.min_order_value and held.voucher_discount == (
        _amount_today(voucher, held.merchandise, held.shipping_fee))  # fmt: skip
    if same_rule:
        return None
    return msg("Voucher {code} was changed after this sale: on other goods or another shipping "
               "fee it gives what it gives today (at the sale it gave {discount} đ).",
               code=voucher.code, discount=held.voucher_discount)  # fmt: skip


def _check_today(session: Session, voucher: Voucher, code: str, now: datetime) -> None:
    """A ValidationError when the voucher cannot be taken today: switched off, outside its
    dates, or used up."""
    field = "voucher_code"
    if not voucher.is_active:
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


def _id_of(customer: Customer | None) -> int | None:
    return None if customer is None else customer.id


def _check_customer_uses(
    session: Session, voucher: Voucher, code: str, customer: Customer | None
) -> None:
    """A ValidationError when the voucher is limited per customer and this one (or a
    walk-in buyer) cannot take it."""
    field = "voucher_code"
    assert voucher.id is not None
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


def voucher_amount(
    kind: DiscountKind, value: int, max_discount: int | None, free_shipping: bool, *,
    merchandise: int, shipping_fee: int,
) -> int:  # fmt: skip
    """What a voucher of this rule takes off: `value` đồng or percent of `merchandise` (the
    goods after the order discount), plus the shipping when it pays it, at most
    `max_discount` and never more than the order. The demo data prices its vouchers here
    too, so its orders agree with a sale's."""
    amount = merchandise * value // 100 if kind == DiscountKind.PERCENT else value
    if free_shipping:
        amount += shipping_fee
    if max_discount is not None:  # "at most": the shipping it pays included
        amount = min(amount, max_discount)
    return min(amount, merchandise + shipping_fee)


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
    session: Session, customer: Customer | None, points: int, order_amount: int | None = None,
    *, kept: int = 0,
) -> int:  # fmt: skip
    """The discount for redeeming `points`, or a ValidationError when not allowed.

    `order_amount` is what the order costs before points; points pay at most the cap
    (Settings → Points) of it. `kept`: the points the order being edited redeemed already
    for this customer; up to those the cap is the one they were redeemed under (a cap
    lowered since does not take them back), beyond them it is today's."""
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
    if order_amount is not None and points > kept:
        cap = max(order_amount, 0) * redeem_cap_percent(session) // 100
        if amount > cap:
            raise ValidationError(_cap_message(session, cap, cap // value, kept), field="points")
    return amount


def most_points(
    session: Session, customer: Customer, order_amount: int, *, kept: int = 0
) -> tuple[int, int]:
    """What one point is worth, and the most points `customer` may redeem on an order that
    costs `order_amount` before points (the sale screen's "Use the most"): their balance,
    the cap of `points_discount` (the edited order's `kept` points stay allowed) and never
    more than the order costs."""
    value = point_value(session)
    amount = max(order_amount, 0)
    cap = amount * redeem_cap_percent(session) // 100
    most = max(cap // value, min(kept, amount // value))
    return value, max(0, min(customer.points_balance, most))


def _cap_message(session: Session, cap: int, most: int, kept: int) -> Message:
    percent = redeem_cap_percent(session)
    if kept > most:  # the order's own points stay; adding more is what is refused
        return msg(
            "Points may pay at most {percent}% of this order ({cap} đ): it keeps the {kept} "
            "points it redeemed already, but cannot take more.",
            percent=percent, cap=cap, kept=kept,
        )  # fmt: skip
    return msg(
        "Points may pay at most {percent}% of this order ({cap} đ): use at most {most} points.",
        percent=percent, cap=cap, most=most,
    )  # fmt: skip
