"""Vouchers: every refusal with its reason, uses recorded (and released by a cancel),
limits in total and per customer, tags and levels, the list with uses and discount given,
and the editor's checks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.customer import CustomerTag, Tag
from primedist.domain.enums import DiscountKind, OrderSource, PaymentMethod
from primedist.domain.loyalty import VoucherUse
from primedist.errors import Conflict, ValidationError
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty import levels
from primedist.services.loyalty.vouchers import (
    VoucherDraft,
    delete_voucher,
    list_vouchers,
    save_voucher,
    set_voucher_active,
)
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_product
from tests.services.loyalty.conftest import customers_with

uses_t = table_of(VoucherUse)


@pytest.fixture
def shirt(engine: Engine) -> int:
    return make_product(engine, "Áo thun", [("AO-1", 100_000, 100)])[0]


def sale(
    variant: int, code: str, cid: int | None = None, qty: int = 3, ship: int = 0
) -> OrderDraft:
    return OrderDraft(lines=(DraftLine(variant, qty),), customer_id=cid, voucher_code=code,
                      source=OrderSource.PHONE, payment_method=PaymentMethod.COD,
                      shipping_fee=ship)  # fmt: skip


def refused(ctx: ServiceContext, draft: OrderDraft, message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        svc.create_order(ctx, draft)
    assert any(message in p for p in svc.quote_order(ctx, draft).problems)


def test_each_refusal_says_why(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock, shirt: int
) -> None:
    now = clock.now()
    save_voucher(owner_ctx, VoucherDraft("HETHAN", value=10_000, ends_at=now))
    save_voucher(owner_ctx, VoucherDraft("SAPTOI", value=10_000, starts_at=now + timedelta(days=1)))
    save_voucher(owner_ctx, VoucherDraft("TOITHIEU", value=10_000, min_order_value=200_000))
    off = save_voucher(owner_ctx, VoucherDraft("TAT", value=10_000))
    set_voucher_active(owner_ctx, off, False)
    refused(owner_ctx, sale(shirt, "hethan"), "Voucher HETHAN has expired")
    refused(owner_ctx, sale(shirt, "SAPTOI"), "is not valid yet")
    refused(owner_ctx, sale(shirt, "toithieu", qty=1),
            "Voucher TOITHIEU: order below 200,000 đ (this order: 100,000 đ)")  # fmt: skip
    refused(owner_ctx, sale(shirt, "TAT"), "does not exist or is switched off")
    # At the boundary: exactly the minimum is enough; one second before the end is valid.
    assert svc.quote_order(owner_ctx, sale(shirt, "TOITHIEU", qty=2)).voucher_discount == 10_000
    clock.set(now - timedelta(seconds=1))
    assert svc.quote_order(owner_ctx, sale(shirt, "HETHAN")).voucher_discount == 10_000


def test_tags_and_levels_limit_who_may_use_it(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP")
    with engine.begin() as conn:
        tag = conn.execute(sa.insert(Tag).values(name="Tiềm năng", is_default=False,
                                                 created_at=sa.func.now())).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
    tagged, leveled, other = customers_with(engine, [{}, {"level_id": vip}, {}])
    with engine.begin() as conn:
        conn.execute(sa.insert(CustomerTag).values(customer_id=tagged, tag_id=tag))
    save_voucher(owner_ctx, VoucherDraft("THANTHIET", value=20_000, tag_ids=(tag,),
                                         level_ids=(vip,)))  # fmt: skip
    # The refusal names whom it is for (the tags, the groups).
    refused(
        owner_ctx, sale(shirt, "THANTHIET", other),
        "Voucher THANTHIET is only for customers tagged Tiềm năng or in group VIP.",
    )  # fmt: skip
    refused(owner_ctx, sale(shirt, "THANTHIET"), "only for customers tagged Tiềm năng")  # walk-in
    save_voucher(owner_ctx, VoucherDraft("THETN30", value=30_000, tag_ids=(tag,)))
    refused(owner_ctx, sale(shirt, "THETN30", leveled),
            "Voucher THETN30 is only for customers tagged Tiềm năng.")  # fmt: skip
    save_voucher(owner_ctx, VoucherDraft("VIP10", value=10_000, level_ids=(vip,)))
    refused(owner_ctx, sale(shirt, "VIP10", tagged),
            "Voucher VIP10 is only for customers in group VIP.")  # fmt: skip
    for cid in (tagged, leveled):
        assert svc.quote_order(owner_ctx, sale(shirt, "THANTHIET", cid)).voucher_discount == 20_000


def test_uses_are_recorded_limited_and_released_by_a_cancel(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    hoa, lan = customers_with(engine, [{}, {}])
    vid = save_voucher(owner_ctx, VoucherDraft("GIAM15", kind=DiscountKind.PERCENT, value=15,
                                               max_discount=40_000, usage_limit=2,
                                               per_customer_limit=1))  # fmt: skip
    refused(owner_ctx, sale(shirt, "GIAM15"), "limited per customer: choose the customer")
    first = svc.create_order(owner_ctx, sale(shirt, "GIAM15", hoa))  # 15% of 300,000 = 45,000
    assert svc.order_detail(owner_ctx, first.id).order.voucher_discount == 40_000  # the cap
    refused(owner_ctx, sale(shirt, "GIAM15", hoa), "was already used by")
    svc.create_order(owner_ctx, sale(shirt, "GIAM15", lan, qty=1))  # 15,000
    (third,) = customers_with(engine, [{}])
    refused(owner_ctx, sale(shirt, "GIAM15", third), "has been used up")
    (row,) = list_vouchers(owner_ctx)
    assert (row.id, row.uses, row.discount_given) == (vid, 2, 55_000)
    with engine.connect() as conn:
        used = conn.execute(sa.select(uses_t.c.customer_id, uses_t.c.discount)
                            .order_by(uses_t.c.order_id)).all()  # fmt: skip
    assert [tuple(u) for u in used] == [(hoa, 40_000), (lan, 15_000)]
    # A cancelled order gives its use back: Hoa may use it again.
    svc.cancel_orders(owner_ctx, [first.id], "Khách hủy")
    (row,) = list_vouchers(owner_ctx)
    assert (row.uses, row.discount_given) == (1, 15_000)
    assert svc.quote_order(owner_ctx, sale(shirt, "GIAM15", hoa)).problems == ()
    with pytest.raises(Conflict, match="switch it off instead"):
        delete_voucher(owner_ctx, vid)


def test_free_shipping_and_the_editor_checks(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    save_voucher(owner_ctx, VoucherDraft("FREESHIP", free_shipping=True))
    quote = svc.quote_order(owner_ctx, sale(shirt, "freeship", ship=30_000))
    assert quote.voucher_discount == 30_000 and quote.total == 300_000
    # "Free shipping up to 30,000": the cap covers the shipping it pays.
    save_voucher(owner_ctx, VoucherDraft("SHIP30", free_shipping=True, max_discount=30_000))
    for fee, off in ((20_000, 20_000), (50_000, 30_000)):
        quote = svc.quote_order(owner_ctx, sale(shirt, "SHIP30", ship=fee))
        assert (quote.voucher_discount, quote.total) == (off, 300_000 + fee - off)
    delete_voucher(owner_ctx, list_vouchers(owner_ctx)[0].id)
    bad = {
        VoucherDraft("freeship", value=1): "already has the code FREESHIP",
        VoucherDraft("A B"): "3 to 40 letters",
        VoucherDraft("PHANTRAM", kind=DiscountKind.PERCENT, value=101): "between 1 and 100",
        VoucherDraft("KHONG"): "Give a discount, free shipping, or both",
        VoucherDraft("GIOIHAN", value=1, usage_limit=0): "at least 1",
    }
    for draft, message in bad.items():
        with pytest.raises((ValidationError, Conflict), match=message):
            save_voucher(owner_ctx, draft)
    vid = save_voucher(owner_ctx, VoucherDraft("XOA", value=5_000))
    delete_voucher(owner_ctx, vid)
    assert [r.draft.code for r in list_vouchers(owner_ctx)] == ["FREESHIP"]


def test_vouchers_are_made_in_settings_by_the_owner_or_a_manager(owner_ctx: ServiceContext) -> None:
    from primedist.domain.enums import Module, Role
    from primedist.errors import PermissionDenied
    from primedist.services.context import Actor

    def staff(*modules: Module, role: Role = Role.STAFF) -> ServiceContext:
        return owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", role, frozenset(modules)))

    full = VoucherDraft("GIAM100", kind=DiscountKind.PERCENT, value=100)
    for who in (staff(Module.CUSTOMERS, Module.ORDERS), staff(Module.SETTINGS)):
        with pytest.raises(PermissionDenied):
            save_voucher(who, full)  # a sales clerk does not make a 100 % code
    vid = save_voucher(staff(Module.SETTINGS, role=Role.MANAGER), full)
    with pytest.raises(PermissionDenied):
        set_voucher_active(staff(Module.CUSTOMERS), vid, False)
    with pytest.raises(PermissionDenied):
        delete_voucher(staff(Module.CUSTOMERS), vid)
    assert [r.draft.code for r in list_vouchers(owner_ctx)] == ["GIAM100"]
