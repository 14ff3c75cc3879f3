# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""An edited order keeps the discount its voucher gave at the sale when the voucher's rule
is changed afterwards: a note's edit neither reprices it (the same day) nor is refused (a
later day, or the minimum raised above the order). On other goods the rule of today prices
it, and the edit form says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import DiscountKind
from primedist.services import order_edit as edit
from primedist.services.context import ServiceContext
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from primedist.services.orders import DraftLine
from tests.services.test_order_edit import phone_order
from tests.services.test_orders import (
    customer_id,  # noqa: F401  (fixture)
    order_of,
    variants,  # noqa: F401  (fixture)
)

GOODS = 318_000  # 2 × 99,000 + 120,000
SOLD_WITH = 47_700  # 15% of it


def p15_order(ctx: ServiceContext, variants: list[int], customer_id: int) -> tuple[int, int]:
    """(voucher id, order id): an order sold with P15 at 15%."""
    vid = save_voucher(ctx, VoucherDraft("P15", kind=DiscountKind.PERCENT, value=15))
    order_id = phone_order(ctx, variants, customer_id=customer_id, voucher_code="P15")
    return vid, order_id


def test_a_note_edit_keeps_the_discount_after_the_rule_changed(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, variants, customer_id
) -> None:
    vid, order_id = p15_order(owner_ctx, variants, customer_id)
    assert order_of(engine, order_id).voucher_discount == SOLD_WITH
    save_voucher(owner_ctx, VoucherDraft("P15", kind=DiscountKind.PERCENT, value=10), vid)
    draft = edit.order_draft(owner_ctx, order_id)

    noted = replace(draft, note="Gọi trước khi giao")
    quote = edit.quote_edit(owner_ctx, order_id, noted)
    assert (quote.voucher_discount, quote.total, quote.problems) == (
        SOLD_WITH, GOODS - SOLD_WITH, ())  # fmt: skip
    assert quote.voucher_note is None  # nothing repriced: nothing to say
    assert edit.update_order(owner_ctx, order_id, noted).total == GOODS - SOLD_WITH
    order = order_of(engine, order_id)
    assert (order.buyer_note, order.voucher_id, order.voucher_discount) == (
        "Gọi trước khi giao", vid, SOLD_WITH)  # fmt: skip

    # The next day, the sale's day is over: the note can still change.
    clock.advance(timedelta(days=1))
    later = replace(noted, note="Giao buổi chiều")
    assert edit.quote_edit(owner_ctx, order_id, later).problems == ()
    assert edit.update_order(owner_ctx, order_id, later).total == GOODS - SOLD_WITH
    assert order_of(engine, order_id).buyer_note == "Giao buổi chiều"


def test_a_minimum_raised_after_the_sale_does_not_refuse_its_edit(
    owner_ctx: ServiceContext, engine: Engine, variants, customer_id
) -> None:
    vid, order_id = p15_order(owner_ctx, variants, customer_id)
    save_voucher(owner_ctx, VoucherDraft("P15", kind=DiscountKind.PERCENT, value=15,
                                         min_order_value=500_000), vid)  # fmt: skip
    moved = replace(edit.order_draft(owner_ctx, order_id), ship_address="25 Trần Hưng Đạo")
    assert edit.quote_edit(owner_ctx, order_id, moved).problems == ()
    assert edit.update_order(owner_ctx, order_id, moved).total == GOODS - SOLD_WITH
    assert order_of(engine, order_id).ship_address == "25 Trần Hưng Đạo"


def test_other_goods_take_todays_rule_and_the_form_says_so(
    owner_ctx: ServiceContext, engine: Engine, variants, customer_id
) -> None:
    vid, order_id = p15_order(owner_ctx, variants, customer_id)
    draft = edit.order_draft(owner_ctx, order_id)
    fewer = replace(draft, lines=(DraftLine(variants[0], 2, 99_000),))
    # The rule unchanged: other goods are priced by it, nothing to say.
    quote = edit.quote_edit(owner_ctx, order_id, fewer)
    assert (quote.voucher_discount, quote.voucher_note) == (29_700, None)  # 15% of 198,000

    save_voucher(owner_ctx, VoucherDraft("P15", kind=DiscountKind.PERCENT, value=10), vid)
    quote = edit.quote_edit(owner_ctx, order_id, fewer)
    assert quote.voucher_discount == 19_800  # 10% of 198,000: today's rule
    assert quote.problems == ()  # said, not refused
    assert quote.voucher_note == (
        "Voucher P15 was changed after this sale: on other goods or another shipping fee it "
        "gives what it gives today (at the sale it gave 47,700 đ).")  # fmt: skip
    # Another shipping fee is other figures too.
    shipped = replace(draft, shipping_fee=20_000)
    assert edit.quote_edit(owner_ctx, order_id, shipped).voucher_note is not None
    # Back to the goods as sold: the discount as sold, nothing to say.
    quote = edit.quote_edit(owner_ctx, order_id, draft)
    assert (quote.voucher_discount, quote.voucher_note) == (SOLD_WITH, None)
    # Another code typed is a new voucher: nothing of the old one to say.
    save_voucher(owner_ctx, VoucherDraft("CU5", value=5_000))
    assert edit.quote_edit(owner_ctx, order_id, replace(fewer, voucher_code="CU5")).voucher_note \
        is None  # fmt: skip
    edit.update_order(owner_ctx, order_id, fewer)
    assert order_of(engine, order_id).voucher_discount == 19_800
