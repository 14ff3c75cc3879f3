# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Editing an own order keeps the voucher and points it took at its sale under the rules
they were taken by: a voucher expired or switched off since, a customer no longer in the
voucher's group, a points cap lowered since do not refuse the edit of its address. The
voucher's amount follows its rule on the new goods; a newly typed code, and points beyond
those the order redeemed, meet today's rules."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import DiscountKind
from primedist.domain.loyalty import Voucher, VoucherUse
from primedist.errors import ValidationError
from primedist.services import order_edit as edit
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.services.loyalty.points import adjust_points
from primedist.services.loyalty.settings import PointsSettings, save_points_settings
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher, set_voucher_active
from primedist.services.orders import DraftLine
from tests.factories import make_customers
from tests.services.test_order_edit import customer, phone_order
from tests.services.test_orders import (
    count,
    customer_id,  # noqa: F401  (fixture)
    order_of,
    variants,  # noqa: F401  (fixture)
)


def refused(ctx: ServiceContext, order_id: int, draft: object, message: str) -> None:
    """The edit is refused with `message`, and its live quote says so."""
    assert any(message in p for p in edit.quote_edit(ctx, order_id, draft).problems)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=re.escape(message)):
        edit.update_order(ctx, order_id, draft)  # type: ignore[arg-type]


def used_count(engine: Engine, code: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(Voucher.used_count).where(Voucher.code == code))
                   .scalar_one())  # fmt: skip


# --------------------------------------------------------------------------- voucher


def test_an_expired_voucher_stays_on_its_order(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, variants, customer_id
) -> None:
    now = clock.now()
    save_voucher(owner_ctx, VoucherDraft("SALE10", kind=DiscountKind.PERCENT, value=10,
                                         max_discount=100_000, ends_at=now + timedelta(hours=2),
                                         usage_limit=1))  # fmt: skip
    save_voucher(owner_ctx, VoucherDraft("CU5", value=5_000, ends_at=now + timedelta(hours=2)))
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, voucher_code="SALE10")
    assert order_of(engine, order_id).voucher_discount == 31_800  # 10% of 318,000
    clock.advance(timedelta(hours=3))  # the same day, the voucher over
    draft = edit.order_draft(owner_ctx, order_id)

    moved = replace(draft, ship_address="25 Trần Hưng Đạo")
    assert edit.quote_edit(owner_ctx, order_id, moved).problems == ()
    assert edit.update_order(owner_ctx, order_id, moved).total == 318_000 - 31_800
    order = order_of(engine, order_id)
    assert (order.ship_address, order.voucher_discount) == ("25 Trần Hưng Đạo", 31_800)
    assert count(engine, VoucherUse, VoucherUse.order_id == order_id) == 1
    assert used_count(engine, "SALE10") == 1

    # Other goods: the same voucher, its amount by its rule on them (10% of 198,000).
    fewer = replace(moved, lines=(DraftLine(variants[0], 2, 99_000),))
    edit.update_order(owner_ctx, order_id, fewer)
    assert order_of(engine, order_id).voucher_discount == 19_800
    # A code typed now meets today's rules: an expired one is refused ...
    refused(owner_ctx, order_id, replace(fewer, voucher_code="CU5"), "Voucher CU5 has expired.")
    # ... and once the order let its voucher go, it cannot take it back.
    edit.update_order(owner_ctx, order_id, replace(fewer, voucher_code=None))
    assert used_count(engine, "SALE10") == 0
    refused(owner_ctx, order_id, fewer, "Voucher SALE10 has expired.")


def test_a_switched_off_voucher_stays_on_its_order(
    owner_ctx: ServiceContext, engine: Engine, variants, customer_id
) -> None:
    vid = save_voucher(owner_ctx, VoucherDraft("OFF5", value=5_000))
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, voucher_code="off5")
    set_voucher_active(owner_ctx, vid, False)
    draft = edit.order_draft(owner_ctx, order_id)
    noted = replace(draft, note="Gọi trước khi giao")
    assert edit.quote_edit(owner_ctx, order_id, noted).problems == ()
    edit.update_order(owner_ctx, order_id, noted)
    order = order_of(engine, order_id)
    assert (order.buyer_note, order.voucher_id, order.voucher_discount) == (
        "Gọi trước khi giao", vid, 5_000)  # fmt: skip


def test_a_group_voucher_stays_with_its_customer_not_another(
    owner_ctx: ServiceContext, engine: Engine, variants, customer_id
) -> None:
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP")
    save_voucher(owner_ctx, VoucherDraft("VIP15", kind=DiscountKind.PERCENT, value=15,
                                         level_ids=(vip,)))  # fmt: skip
    levels.set_customers_level(owner_ctx, vip, [customer_id])
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, voucher_code="VIP15")
    levels.set_customers_level(owner_ctx, None, [customer_id])  # no longer VIP
    draft = edit.order_draft(owner_ctx, order_id)
    moved = replace(draft, ship_address="25 Trần Hưng Đạo")
    edit.update_order(owner_ctx, order_id, moved)
    assert order_of(engine, order_id).voucher_discount == 47_700  # 15% of 318,000
    # Another customer takes it as a new sale would: not for them.
    (other,) = make_customers(engine, 1, names=["Trần Văn Nam"])
    refused(owner_ctx, order_id, replace(moved, customer_id=other),
            "Voucher VIP15 is only for customers in group VIP.")  # fmt: skip


# --------------------------------------------------------------------------- points


def test_points_redeemed_stay_when_the_cap_is_lowered(
    owner_ctx: ServiceContext, engine: Engine, variants, customer_id
) -> None:
    adjust_points(owner_ctx, customer_id, 300, "Tặng")
    # 150 points = 150,000 đ of 318,000 đ: within the cap of 50% (159,000 đ).
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id, points=150)
    save_points_settings(owner_ctx, PointsSettings(cap_percent=20))
    draft = edit.order_draft(owner_ctx, order_id)

    moved = replace(draft, ship_address="25 Trần Hưng Đạo")
    assert edit.quote_edit(owner_ctx, order_id, moved).problems == ()
    assert edit.update_order(owner_ctx, order_id, moved).total == 318_000 - 150_000
    assert customer(engine, customer_id).points_balance == 150
    # More points than the order took: today's cap (20% of 318,000 = 63,600 đ).
    refused(owner_ctx, order_id, replace(moved, points=151),
            "Points may pay at most 20% of this order (63,600 đ): it keeps the 150 points it "
            "redeemed already, but cannot take more.")  # fmt: skip
    # Fewer goods: the points stay while the order still costs more than they pay ...
    fewer = replace(moved, lines=(DraftLine(variants[0], 2, 99_000),))
    assert edit.update_order(owner_ctx, order_id, fewer).total == 198_000 - 150_000
    # ... never more than the order.
    refused(owner_ctx, order_id, replace(fewer, lines=(DraftLine(variants[0], 1, 99_000),)),
            "More points than the order needs.")  # fmt: skip
    assert customer(engine, customer_id).points_balance == 150
    # Another customer redeeming them is a new redemption, under today's cap.
    (other,) = make_customers(engine, 1, names=["Trần Văn Nam"])
    adjust_points(owner_ctx, other, 300, "Tặng")
    refused(
        owner_ctx,
        order_id,
        replace(fewer, customer_id=other),
        "Points may pay at most 20% of this order (39,600 đ): use at most 39 points.",
    )
