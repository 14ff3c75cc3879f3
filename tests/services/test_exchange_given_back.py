# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""An exchange whose returned items are worth more than the new sale (the shop gives the
rest back), on a real migrated store and the carrier sandbox on 127.0.0.1: the credit
pays the new sale's total and no more, so a new COD sale that comes back undelivered
refunds its total and becomes Returned; the order detail says what the credit paid and
what was given back; the notes carry the amounts as numbers, with no currency sign."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.printing.content import ShopDetails, order_context
from primedist.printing.model import DocumentType
from primedist.services import orders as svc
from primedist.services import shipping as ship_svc
from primedist.services.context import ServiceContext
from primedist.services.exchange import ExchangeDraft, ExchangeResult, exchange_order
from primedist.services.orders import DraftLine, OrderDraft
from tests.services.test_exchange import customer_id, variants  # noqa: F401  (fixtures)
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    sandbox,
)

DEAR, CHEAP = 299_000, 259_000  # size M (variants[1]), size S (variants[0])


def exchanged_for_cheaper(
    ctx: ServiceContext, variants: list[int], customer_id: int | None
) -> tuple[int, ExchangeResult]:
    """A 299,000 shirt paid in cash, exchanged for a 259,000 one sent by phone, paid on
    delivery: the shop hands 40,000 back. (The old order's id, the exchange.)"""
    bought = OrderDraft(lines=(DraftLine(variants[1], 1),), customer_id=customer_id)
    old = svc.create_order(ctx, bought)
    line = svc.order_detail(ctx, old.id).lines[0].id or 0
    sale = OrderDraft(lines=(DraftLine(variants[0], 1),), source=OrderSource.PHONE,
                      payment_method=PaymentMethod.COD, ship_name="Trần Thu Hà",
                      ship_phone="0901234567", ship_address="12 Lê Lợi",
                      ship_province="Hồ Chí Minh")  # fmt: skip
    return old.id, exchange_order(ctx, ExchangeDraft(old.id, {line: 1}, "Đổi mẫu", sale))


@pytest.mark.parametrize("way", ["status", "return", "carrier"])
def test_an_undelivered_cod_sale_paid_by_dearer_items_becomes_returned(
    owner_ctx, variants, customer_id, sandbox, ghn_id, fast_factory, way
):
    """Refused at the door: what the credit paid (the new sale's 259,000, not the
    299,000 the items were worth: 40,000 went back at the exchange) is refunded, by
    status → Returned, by Return… of the item, or when the carrier brings it back.
    Before, each asked for a 299,000 refund of a 259,000 order and was refused."""
    old, done = exchanged_for_cheaper(owner_ctx, variants, customer_id)
    new = done.created.id
    assert (done.credit, done.to_pay) == (DEAR, CHEAP - DEAR)
    before = svc.order_detail(owner_ctx, new)
    assert (before.paid_towards, before.cod_due) == (CHEAP, 0)
    if way == "carrier":
        ship_svc.request_shipment(owner_ctx, new, draft(owner_ctx, new, ghn_id))
        ship_svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
        code = ship_svc.order_shipments(owner_ctx, new)[0].carrier_order_code or ""
        for status in ("delivering", "return", "returned"):
            sandbox.set_status(code, status)
            ship_svc.poll_shipments(owner_ctx, factory=fast_factory)
    else:
        svc.change_status(owner_ctx, new, OrderStatus.SHIPPING)
        svc.change_status(owner_ctx, new, OrderStatus.RETURN_REFUND, reason="không nhận")
        if way == "status":
            svc.change_status(owner_ctx, new, OrderStatus.RETURNED, reason="không nhận")
        else:
            line = svc.order_detail(owner_ctx, new).lines[0].id or 0
            assert svc.return_order(owner_ctx, new, {line: 1}, reason="không nhận").refund_amount \
                == CHEAP  # fmt: skip
    detail = svc.order_detail(owner_ctx, new)
    assert (detail.order.status, detail.order.refunded_amount) == (OrderStatus.RETURNED, CHEAP)
    assert [(ln.quantity, ln.returned_quantity) for ln in detail.lines] == [(1, 1)]
    assert svc.order_detail(owner_ctx, old).order.refunded_amount == DEAR  # the credit


def test_the_detail_says_what_the_credit_paid_and_what_was_given_back(
    owner_ctx, variants, customer_id
):
    old, done = exchanged_for_cheaper(owner_ctx, variants, customer_id)
    detail = svc.order_detail(owner_ctx, done.created.id)
    number = svc.order_detail(owner_ctx, old).order.external_id
    (link,) = detail.exchanges
    assert (link.number, link.amount, link.used, link.given_back) == (number, DEAR, CHEAP, 40_000)
    # The receipt still prints the whole credit and the 40,000 given back.
    assert detail.exchange_credit == DEAR
    printed = order_context(detail, ShopDetails(name="Áo Hà"), DocumentType.INVOICE, "en",
                            wanted=())  # fmt: skip
    assert (printed["exchange_credit"], printed["given_back"]) == ("−299,000 VND", "40,000 VND")
    # The old sale's side: its items paid for the new one, nothing handed back there.
    (back,) = svc.order_detail(owner_ctx, old).exchanges
    assert (back.paid_this, back.amount, back.given_back) == (False, DEAR, 0)


def test_a_dearer_new_sale_uses_the_whole_credit(owner_ctx, variants, customer_id):
    bought = OrderDraft(lines=(DraftLine(variants[0], 1),), customer_id=customer_id)
    old = svc.create_order(owner_ctx, bought)
    line = svc.order_detail(owner_ctx, old.id).lines[0].id or 0
    sale = OrderDraft(lines=(DraftLine(variants[1], 1),), payment_method=PaymentMethod.CASH)
    done = exchange_order(owner_ctx, ExchangeDraft(old.id, {line: 1}, "Đổi size", sale))
    (link,) = svc.order_detail(owner_ctx, done.created.id).exchanges
    assert (link.amount, link.used, link.given_back) == (CHEAP, CHEAP, 0)


def test_return_and_exchange_notes_carry_numbers_without_a_currency_sign(
    owner_ctx, engine: Engine, variants, customer_id
):
    """The UI words the amounts in the reader's language ("VND" in English, "₫" in
    Vietnamese): a "đ" written into the English text was shown to English readers too."""
    _old, done = exchanged_for_cheaper(owner_ctx, variants, customer_id)
    new = done.created.id
    svc.change_status(owner_ctx, new, OrderStatus.SHIPPING)
    svc.change_status(owner_ctx, new, OrderStatus.RETURN_REFUND, reason="không nhận")
    line = svc.order_detail(owner_ctx, new).lines[0].id or 0
    svc.return_order(owner_ctx, new, {line: 1}, reason="không nhận")
    notes = [h.note for h in svc.order_detail(owner_ctx, new).history]
    assert "Returned 1 item(s), refund 259,000: không nhận" in notes, notes
    with engine.connect() as conn:
        summary = conn.execute(sa.text("SELECT summary FROM audit_events WHERE action = "
                                       "'order.exchange'")).scalar_one()  # fmt: skip
    assert summary.endswith("credit 299,000, given back 40,000")
    assert not any("đ" in (n or "") for n in notes) and "đ" not in summary
