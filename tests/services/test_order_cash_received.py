# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""`orders.cash_received`: the cash a customer handed over, kept for the receipts printed
again later. A sale paid in cash with an amount given keeps it (an exchange: the amount
given for what was left to pay); an edit keeps it while the order is paid in cash at the
same total, takes a new amount typed, and drops it otherwise."""

from __future__ import annotations

from dataclasses import replace

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import order_edit as edit
from primedist.services import orders as svc
from primedist.services.exchange import ExchangeDraft, exchange_order
from primedist.services.orders import DraftLine, OrderDraft
from tests.services.test_orders import (
    order_of,
    variants,  # noqa: F401  (fixture)
)


def cash_of(engine, order_id: int) -> int | None:
    return order_of(engine, order_id).cash_received


def test_a_sale_keeps_the_cash_only_when_paid_in_cash(owner_ctx, engine, variants):
    def sale(method: PaymentMethod, cash: int | None) -> int:
        draft = OrderDraft(lines=(DraftLine(variants[0], 1),), payment_method=method,
                           cash_received=cash)  # fmt: skip
        return svc.create_order(owner_ctx, draft).id

    assert cash_of(engine, sale(PaymentMethod.CASH, 100_000)) == 100_000
    assert cash_of(engine, sale(PaymentMethod.CASH, None)) is None
    assert cash_of(engine, sale(PaymentMethod.CARD, 100_000)) is None


def test_an_exchange_keeps_the_cash_given_for_what_was_left(owner_ctx, engine, variants):
    old = svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(variants[0], 1),)))
    line = svc.order_detail(owner_ctx, old.id).lines[0].id or 0
    done = exchange_order(owner_ctx, ExchangeDraft(old.id, {line: 1}, "Đổi size", OrderDraft(
        lines=(DraftLine(variants[1], 1),), payment_method=PaymentMethod.CASH,
        cash_received=50_000)))  # fmt: skip
    assert (done.to_pay, done.change_due) == (21_000, 29_000)
    assert cash_of(engine, done.created.id) == 50_000
    assert cash_of(engine, old.id) is None  # the old sale's own handover is not touched


def phone_cash_order(ctx, variants: list[int], cash: int) -> int:
    """2 × AO-S + 1 × AO-M = 318,000, paid in cash, confirmed."""
    draft = OrderDraft(
        lines=(DraftLine(variants[0], 2), DraftLine(variants[1], 1)), source=OrderSource.PHONE,
        payment_method=PaymentMethod.CASH, cash_received=cash, ship_name="Hoa",
        ship_phone="0939921717", ship_address="12 Lê Lợi", ship_province="Hà Nội",
    )  # fmt: skip
    return svc.create_order(ctx, draft).id


def test_an_edit_keeps_takes_or_drops_the_cash(owner_ctx, engine, variants):
    order_id = phone_cash_order(owner_ctx, variants, 400_000)
    assert cash_of(engine, order_id) == 400_000
    stored = edit.order_draft(owner_ctx, order_id)  # the form starts with no cash typed
    edit.update_order(owner_ctx, order_id, replace(stored, note="Giao buổi sáng"))
    assert cash_of(engine, order_id) == 400_000  # same total, still cash: kept
    saved = edit.update_order(owner_ctx, order_id, replace(stored, cash_received=350_000))
    assert (saved.change_due, cash_of(engine, order_id)) == (32_000, 350_000)
    fewer = replace(stored, lines=stored.lines[:1])  # 198,000 now: the old change is wrong
    edit.update_order(owner_ctx, order_id, fewer)
    assert cash_of(engine, order_id) is None


def test_an_edit_to_another_way_to_pay_drops_the_cash(owner_ctx, engine, variants):
    order_id = phone_cash_order(owner_ctx, variants, 400_000)
    stored = edit.order_draft(owner_ctx, order_id)
    edit.update_order(owner_ctx, order_id,
                      replace(stored, payment_method=PaymentMethod.BANK_TRANSFER))  # fmt: skip
    assert cash_of(engine, order_id) is None
