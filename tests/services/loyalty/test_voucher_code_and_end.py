"""A used voucher keeps its code (its orders, receipts and exports name it by it), and
switching on an ended voucher names its last valid day, as the list shows it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.errors import Conflict
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.vouchers import (
    VoucherDraft,
    last_day,
    list_vouchers,
    save_voucher,
    set_voucher_active,
)
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_product


@pytest.fixture
def shirt(engine: Engine) -> int:
    return make_product(engine, "Áo thun", [("AO-1", 100_000, 100)])[0]


def sell(ctx: ServiceContext, variant: int, code: str) -> int:
    draft = OrderDraft(lines=(DraftLine(variant, 1),), voucher_code=code,
                       source=OrderSource.PHONE, payment_method=PaymentMethod.COD)  # fmt: skip
    return svc.create_order(ctx, draft).id


def test_a_used_voucher_keeps_its_code(owner_ctx: ServiceContext, shirt: int) -> None:
    vid = save_voucher(owner_ctx, VoucherDraft("TET10", value=10_000))
    order_id = sell(owner_ctx, shirt, "TET10")
    svc.cancel_orders(owner_ctx, [order_id], "Khách hủy")  # cancelled, it still names it
    message = ("Voucher TET10 was used on 1 orders, which show its code: the code cannot "
               "change. End it and make a new voucher with the code XMAS20.")  # fmt: skip
    with pytest.raises(Conflict, match=re.escape(message)):
        save_voucher(owner_ctx, VoucherDraft("xmas20", value=20_000), vid)
    (row,) = list_vouchers(owner_ctx)
    assert (row.draft.code, row.draft.value, row.uses, row.orders) == ("TET10", 10_000, 0, 1)
    # Its other settings still change (the code typed in other letters is the same code).
    save_voucher(owner_ctx, VoucherDraft("tet10", value=20_000, is_active=False), vid)
    (row,) = list_vouchers(owner_ctx)
    assert (row.draft.code, row.draft.value, row.draft.is_active) == ("TET10", 20_000, False)
    # An unused voucher's code changes freely.
    other = save_voucher(owner_ctx, VoucherDraft("HE2027", value=5_000))
    save_voucher(owner_ctx, VoucherDraft("SUMMER27", value=5_000), other)
    assert {r.draft.code: r.orders for r in list_vouchers(owner_ctx)} == {
        "TET10": 1, "SUMMER27": 0}  # fmt: skip


def test_the_order_still_names_the_code_it_was_sold_with(
    owner_ctx: ServiceContext, shirt: int
) -> None:
    vid = save_voucher(owner_ctx, VoucherDraft("TET10", value=10_000))
    order_id = sell(owner_ctx, shirt, "TET10")
    with pytest.raises(Conflict):
        save_voucher(owner_ctx, VoucherDraft("XMAS20", value=10_000), vid)
    assert svc.order_detail(owner_ctx, order_id).voucher_code == "TET10"


def test_switching_on_an_ended_voucher_names_its_last_day(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    # Valid to 09/12/2026 inclusive: stored as the shop's midnight after it (17:00 UTC).
    ends = datetime(2026, 12, 9, 17, 0, tzinfo=UTC)
    vid = save_voucher(owner_ctx, VoucherDraft("HETHAN", value=10_000, ends_at=ends,
                                               is_active=False))  # fmt: skip
    assert str(last_day(ends)) == "2026-12-09"
    clock.set(datetime(2026, 12, 12, 3, 0, tzinfo=UTC))
    message = ("Voucher HETHAN was valid to 09/12/2026 and has ended: change its end date in "
               "the editor to switch it on again.")  # fmt: skip
    with pytest.raises(Conflict, match=re.escape(message)):
        set_voucher_active(owner_ctx, vid, True)
