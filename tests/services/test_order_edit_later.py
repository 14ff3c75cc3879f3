# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Editing an own order, on a real migrated store: an order whose customer was deleted
keeps its buyer; an edit on a later day than the sale keeps what that day's End of day
counted (the live quote says so before Save); the payment an edit cancels says why in
words the UI reads back."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.customer import CustomerPayment
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.errors import Conflict, NotFound
from primedist.services import customer_account as account
from primedist.services import end_of_day as eod
from primedist.services import order_edit as edit
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.customer_delete import delete_customers
from primedist.services.orders import DraftLine
from primedist.services.sale_lookup import get_customer, order_buyer
from tests.services.test_order_edit import phone_order
from tests.services.test_orders import (
    customer_id,  # noqa: F401  (fixture)
    order_of,
    variants,  # noqa: F401  (fixture)
)

CLOSED = "a day already over"


def sale(ctx: ServiceContext, variants: list[int], **kw: object) -> int:
    """Like `phone_order` (2 × AO-S + 1 × AO-M = 318,000), paid as `kw` says."""
    draft = svc.OrderDraft(
        lines=(DraftLine(variants[0], 2), DraftLine(variants[1], 1)),
        source=OrderSource.PHONE, ship_name="Hoa", ship_phone="0939921717",
        ship_address="12 Lê Lợi", ship_province="Hà Nội", **kw,
    )  # type: ignore[arg-type]  # fmt: skip
    return svc.create_order(ctx, draft).id


def buyer(engine: Engine, order_id: int) -> tuple[int | None, str | None, str | None]:
    order = order_of(engine, order_id)
    return order.customer_id, order.buyer_name, order.buyer_phone


# --------------------------------------------------------------------------- deleted customer


def test_an_order_whose_customer_was_deleted_keeps_its_buyer(
    owner_ctx: ServiceContext, engine: Engine, variants: list[int], customer_id: int
) -> None:
    order_id = phone_order(owner_ctx, variants, customer_id=customer_id)
    before = buyer(engine, order_id)
    assert before[0] == customer_id and before[1] == "Nguyễn Thị Hoa" and before[2]
    assert delete_customers(owner_ctx, [customer_id]).deleted == 1

    draft = edit.order_draft(owner_ctx, order_id)
    assert draft.customer_id == customer_id
    new = replace(draft, note="Giao buổi chiều")
    assert edit.quote_edit(owner_ctx, order_id, new).problems == ()
    edit.update_order(owner_ctx, order_id, new)

    assert buyer(engine, order_id) == before  # not a walk-in sale now
    assert order_of(engine, order_id).buyer_note == "Giao buổi chiều"
    # The form shows that buyer (the order's name and phone), not "Walk-in".
    assert get_customer(owner_ctx, customer_id) is None
    hit = order_buyer(owner_ctx, order_id)
    assert hit is not None and (hit.id, hit.name, hit.phone) == before
    # Its items may change too; the buyer stays as the order has it (not the customer's
    # record, renamed and without a phone before it was deleted).
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE customers SET name = 'Hoa (cũ)' WHERE id = :i"),
                     {"i": customer_id})  # fmt: skip
        conn.execute(sa.text("DELETE FROM customer_phones WHERE customer_id = :i"),
                     {"i": customer_id})  # fmt: skip
    more = replace(new, lines=(DraftLine(variants[0], 3, 99_000),))
    edit.update_order(owner_ctx, order_id, more)
    assert buyer(engine, order_id) == before and order_of(engine, order_id).total == 297_000


def test_a_deleted_customer_is_kept_only_on_their_own_order(
    owner_ctx: ServiceContext, engine: Engine, variants: list[int], customer_id: int
) -> None:
    mine = phone_order(owner_ctx, variants, customer_id=customer_id)
    other = phone_order(owner_ctx, variants)
    delete_customers(owner_ctx, [customer_id])
    draft = edit.order_draft(owner_ctx, other)
    with pytest.raises(NotFound, match="no longer exists"):  # not chosen anew
        edit.update_order(owner_ctx, other, replace(draft, customer_id=customer_id))
    with pytest.raises(NotFound, match="no longer exists"):
        svc.create_order(owner_ctx, replace(draft, customer_id=customer_id))
    # Nobody would see a debt of a deleted customer: not on account.
    on_account = replace(edit.order_draft(owner_ctx, mine),
                         payment_method=PaymentMethod.ON_ACCOUNT)  # fmt: skip
    problems = edit.quote_edit(owner_ctx, mine, on_account).problems
    assert problems == ("Nguyễn Thị Hoa was deleted: a sale to them cannot go on account.",)
    assert order_of(engine, mine).payment_method == PaymentMethod.COD


# --------------------------------------------------------------------------- a later day


@pytest.fixture
def yesterdays(owner_ctx: ServiceContext, variants: list[int], customer_id: int) -> int:
    """Yesterday's cash phone sale to Hoa: 2 × AO-S 99,000 + 1 × AO-M 120,000 = 318,000."""
    order_id = sale(owner_ctx, variants, customer_id=customer_id,
                    payment_method=PaymentMethod.CASH)  # fmt: skip
    owner_ctx.clock.advance(timedelta(days=1))
    return order_id


def figures(ctx: ServiceContext) -> tuple[object, ...]:
    day = (ctx.clock.now() - timedelta(days=1)).date()
    r = eod.end_of_day(ctx, day)
    return (r.orders, r.items, r.goods, r.discounts, r.shipping, r.sales, r.gross_profit,
            [(p.sku, p.units, p.revenue) for p in r.products])  # fmt: skip


def test_a_later_day_cannot_change_what_was_sold_even_at_the_same_total(
    owner_ctx: ServiceContext, engine: Engine, variants: list[int], yesterdays: int
) -> None:
    order_id = yesterdays
    was = figures(owner_ctx)
    draft = edit.order_draft(owner_ctx, order_id)
    same_total = {
        # AO-M swapped for one more AO-S at AO-M's price: the same 318,000.
        "a line swapped": replace(draft, lines=(DraftLine(variants[0], 2, 99_000),
                                                DraftLine(variants[0], 1, 120_000))),
        "a fee traded for a discount": replace(draft, shipping_fee=10_000,
                                               order_discount=10_000),
        "a price raised and discounted": replace(draft, lines=(
            DraftLine(variants[0], 2, 109_000, 20_000), DraftLine(variants[1], 1, 120_000))),
    }  # fmt: skip
    for why, changed in same_total.items():
        quote = edit.quote_edit(owner_ctx, order_id, changed)
        assert quote.total == 318_000, why
        with pytest.raises(Conflict, match=CLOSED):
            edit.update_order(owner_ctx, order_id, changed)
    assert figures(owner_ctx) == was
    assert order_of(engine, order_id).shipping_fee == 0


def test_a_later_day_may_still_change_delivery_note_and_customer(
    owner_ctx: ServiceContext, engine: Engine, variants: list[int], yesterdays: int
) -> None:
    order_id = yesterdays
    was = figures(owner_ctx)
    draft = edit.order_draft(owner_ctx, order_id)
    kept = replace(draft, lines=tuple(reversed(draft.lines)),  # the same lines, reordered
                   customer_id=None, note="Giao buổi chiều",
                   ship_address="45 Hai Bà Trưng")  # fmt: skip
    assert edit.quote_edit(owner_ctx, order_id, kept).problems == ()
    edit.update_order(owner_ctx, order_id, kept)
    order = order_of(engine, order_id)
    assert (order.customer_id, order.buyer_note, order.ship_address) == (
        None, "Giao buổi chiều", "45 Hai Bà Trưng")  # fmt: skip
    assert figures(owner_ctx) == was


def test_the_live_quote_says_it_before_save(
    owner_ctx: ServiceContext, variants: list[int], yesterdays: int
) -> None:
    draft = edit.order_draft(owner_ctx, yesterdays)
    assert edit.quote_edit(owner_ctx, yesterdays, draft).problems == ()
    more = replace(draft, lines=(DraftLine(variants[0], 3, 99_000), draft.lines[1]))
    (problem,) = edit.quote_edit(owner_ctx, yesterdays, more).problems
    assert "was sold on 20/11/2026, a day already over" in problem
    assert "delivery details, note and customer can still be edited" in problem
    # The same day, the same change is no problem.
    today = phone_order(owner_ctx, variants)
    same = replace(edit.order_draft(owner_ctx, today), lines=more.lines)
    assert edit.quote_edit(owner_ctx, today, same).problems == ()


# --------------------------------------------------------------------------- the reason


def test_a_payment_cancelled_by_an_edit_stores_a_reason_read_back(
    owner_ctx: ServiceContext, engine: Engine, variants: list[int], customer_id: int
) -> None:
    order_id = sale(owner_ctx, variants, customer_id=customer_id,
                    payment_method=PaymentMethod.ON_ACCOUNT, paid_now=50_000)  # fmt: skip
    draft = edit.order_draft(owner_ctx, order_id)
    edit.update_order(owner_ctx, order_id, replace(draft, paid_now=20_000))
    p = table_of(CustomerPayment).c
    with engine.connect() as conn:
        rows = conn.execute(sa.select(p.amount, p.cancel_reason).order_by(p.id)).all()
    assert [tuple(r) for r in rows] == [(50_000, edit.EDITED_REASON), (20_000, None)]
    assert edit.EDITED_REASON.template == "Order edited"  # a msg(): the UI translates it
    cancelled = [e for e in account.account_entries(owner_ctx, customer_id) if not e.standing]
    assert [e.cancel_reason for e in cancelled] == ["Order edited"]
