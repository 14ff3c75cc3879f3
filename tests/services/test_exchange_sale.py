# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The new sale of an exchange when it is a phone order paid on delivery, on a real
migrated store and the carrier sandbox on 127.0.0.1: the carrier collects what is left
after the returned items' credit (the shipment, the packing slip and the order detail
agree), and the sale is neither edited nor cancelled under its fixed credit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.errors import Conflict
from primedist.printing.content import ShopDetails, order_context
from primedist.printing.model import DocumentType
from primedist.services import order_edit as edit
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
    order_row,
    sandbox,
)

SHIRT = 299_000  # size M (variants[1])


def exchanged_for_two(
    ctx: ServiceContext, variants: list[int], customer_id: int | None,
    method: PaymentMethod = PaymentMethod.CASH,
) -> tuple[int, ExchangeResult]:  # fmt: skip
    """A 1 × 299,000 sale (paid `method`) exchanged for a phone order of 2 × 299,000 paid
    on delivery: (the old order's id, the exchange)."""
    bought = OrderDraft(lines=(DraftLine(variants[1], 1),), customer_id=customer_id,
                        payment_method=method)  # fmt: skip
    old = svc.create_order(ctx, bought)
    line = svc.order_detail(ctx, old.id).lines[0].id or 0
    sale = OrderDraft(lines=(DraftLine(variants[1], 2),), source=OrderSource.PHONE,
                      payment_method=PaymentMethod.COD, ship_name="Trần Thu Hà",
                      ship_phone="0901234567", ship_address="12 Lê Lợi",
                      ship_province="Hồ Chí Minh")  # fmt: skip
    return old.id, exchange_order(ctx, ExchangeDraft(old.id, {line: 1}, "Đổi size", sale))


def test_the_carrier_collects_only_what_is_left_after_the_credit(
    owner_ctx, engine, variants, customer_id, sandbox, ghn_id, fast_factory
):
    _old, done = exchanged_for_two(owner_ctx, variants, customer_id)
    new = done.created.id
    assert (done.credit, done.to_pay) == (SHIRT, SHIRT)

    shipment = draft(owner_ctx, new, ghn_id)
    assert shipment.parcel.cod_amount == SHIRT
    view = ship_svc.request_shipment(owner_ctx, new, shipment)
    ship_svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert view.cod_amount == SHIRT
    assert sandbox.shipments["GY000001VN"].body["cod_amount"] == SHIRT

    detail = svc.order_detail(owner_ctx, new)
    assert (detail.order.total, detail.order.paid_amount, detail.cod_due) == (2 * SHIRT, 0, SHIRT)

    slip = order_context(detail, ShopDetails(name="Áo Hà"), DocumentType.PACKING_SLIP, "vi",
                         wanted=())  # fmt: skip
    assert slip["cod_amount"] == "299.000 ₫" and slip["to_pay"] == "299.000 ₫"


def test_a_cod_sale_without_an_exchange_collects_its_total(owner_ctx, variants, ghn_id):
    order = svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(variants[1], 1),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Hà", ship_phone="0901234567",
        ship_address="12 Lê Lợi", ship_province="Hồ Chí Minh"))  # fmt: skip
    assert svc.order_detail(owner_ctx, order.id).cod_due == SHIRT
    assert draft(owner_ctx, order.id, ghn_id).parcel.cod_amount == SHIRT


def test_an_exchanges_new_sale_is_neither_edited_nor_cancelled(
    owner_ctx, engine: Engine, variants, customer_id
):
    old, done = exchanged_for_two(owner_ctx, variants, customer_id)
    new = done.created.id
    number = svc.order_detail(owner_ctx, old).order.external_id
    words = f"paid with items returned from {number}"

    lock = edit.edit_lock(owner_ctx, new)
    assert lock is not None and words in lock and "return its items instead" in lock
    smaller = replace(edit.order_draft(owner_ctx, new),
                      lines=(DraftLine(variants[1], 1, unit_price=50_000),))  # fmt: skip
    with pytest.raises(Conflict, match=words):
        edit.update_order(owner_ctx, new, smaller)
    assert svc.cancel_lock(owner_ctx, new) == lock
    with pytest.raises(Conflict, match=words):
        svc.change_status(owner_ctx, new, OrderStatus.CANCELLED, reason="Khách đổi ý")
    bulk = svc.cancel_orders(owner_ctx, [new], "Khách đổi ý")
    assert bulk.done == [] and bulk.skipped[0][2] == lock

    detail = svc.order_detail(owner_ctx, new)
    assert (detail.order.status, detail.order.total) == (OrderStatus.CONFIRMED, 2 * SHIRT)
    assert detail.exchange_credit == SHIRT
    assert svc.order_detail(owner_ctx, old).order.refunded_amount == SHIRT
    # The other actions stay: it ships and completes, then its items can come back.
    svc.change_status(owner_ctx, new, OrderStatus.SHIPPING)
    svc.change_status(owner_ctx, new, OrderStatus.COMPLETED)
    line = detail.lines[0].id or 0
    assert svc.return_order(owner_ctx, new, {line: 2}, reason="Trả hàng").status == (
        OrderStatus.RETURNED
    )


def test_an_exchange_off_what_was_owed_leaves_the_new_sale_free(owner_ctx, variants, customer_id):
    """The old sale was on account: its items came off the debt and paid nothing towards
    the new sale, which is paid in full its own way (and may change like any other)."""
    _old, done = exchanged_for_two(owner_ctx, variants, customer_id, PaymentMethod.ON_ACCOUNT)
    new = done.created.id
    assert svc.order_detail(owner_ctx, new).cod_due == 2 * SHIRT
    assert edit.edit_lock(owner_ctx, new) is None and svc.cancel_lock(owner_ctx, new) is None
    svc.change_status(owner_ctx, new, OrderStatus.CANCELLED, reason="Khách đổi ý")


@pytest.mark.parametrize("way", ["status", "return", "carrier"])
def test_an_undelivered_cod_exchange_sale_gives_the_credit_back(
    owner_ctx, variants, customer_id, sandbox, ghn_id, fast_factory, way
):
    """The customer's shirt (299,000, paid in cash) paid for half of a COD parcel that is
    refused at the door: its items come back and so does the credit (the carrier never
    collected the other half). By status → Returned, by Return… of the items, or when
    the carrier brings the parcel back; before, each of them refunded nothing."""
    old, done = exchanged_for_two(owner_ctx, variants, customer_id)
    new = done.created.id
    assert svc.order_detail(owner_ctx, new).paid_towards == SHIRT
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
            first = svc.return_order(owner_ctx, new, {line: 1}, reason="không nhận")
            last = svc.return_order(owner_ctx, new, {line: 1}, reason="không nhận")
            assert first.refund_amount + last.refund_amount == SHIRT
    detail = svc.order_detail(owner_ctx, new)
    assert (detail.order.status, detail.order.refunded_amount) == (OrderStatus.RETURNED, SHIRT)
    assert [(ln.quantity, ln.returned_quantity) for ln in detail.lines] == [(2, 2)]
    assert svc.order_detail(owner_ctx, old).order.refunded_amount == SHIRT  # the credit
