# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""Cancelling an own order while the shop's carrier holds a live shipment of it, through
the carrier sandbox on 127.0.0.1: refused (one order or many) with the shipment named,
nothing moved, until the shipment is cancelled at the carrier."""

from __future__ import annotations

import pytest

from primedist.domain.enums import OrderStatus
from primedist.errors import Conflict
from primedist.services import orders as order_svc
from primedist.services import shipping as ship_svc
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    order_row,
    phone_order,
    sandbox,
    stock,
)

REASON = "Khách đổi ý"


def test_a_live_shipment_holds_the_cancel_until_the_carrier_cancels_it(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = phone_order(owner_ctx, engine)  # COD, 2 × 150,000, reserved
    view = ship_svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    ship_svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert sandbox.shipments["GY000001VN"].status == "ready_to_pick"

    with pytest.raises(Conflict, match="GY000001VN is still live: cancel the shipment first"):
        order_svc.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason=REASON)
    bulk = order_svc.cancel_orders(owner_ctx, [order_id], REASON)
    assert bulk.done == [] and [(i, why) for i, _n, why in bulk.skipped] == [
        (order_id, order_svc.cancel_lock(owner_ctx, order_id))]  # fmt: skip
    assert "GY000001VN" in bulk.skipped[0][2]
    order = order_row(engine, order_id)
    assert (order.status, order.cancel_reason) == (OrderStatus.CONFIRMED, None)
    assert stock(engine) == (10, 2)  # still reserved for the parcel

    ship_svc.request_cancel(owner_ctx, view.id)
    assert order_svc.cancel_lock(owner_ctx, order_id) is not None  # until the carrier says so
    ship_svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert sandbox.shipments["GY000001VN"].status == "cancel"
    assert order_svc.cancel_lock(owner_ctx, order_id) is None
    order_svc.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason=REASON)
    assert order_row(engine, order_id).status == OrderStatus.CANCELLED
    assert stock(engine) == (10, 0)


def test_a_parcel_on_its_way_keeps_its_goods_off_the_shelf(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = phone_order(owner_ctx, engine)
    ship_svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    ship_svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    sandbox.set_status("GY000001VN", "delivering")
    ship_svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert order_row(engine, order_id).status == OrderStatus.SHIPPING

    with pytest.raises(Conflict, match="GY000001VN"):
        order_svc.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason=REASON)
    assert stock(engine) == (8, 0)  # not put back while the carrier has it


def test_a_queued_shipment_is_named_by_its_own_code(owner_ctx, engine, ghn_id):
    """Not sent yet (offline): the shipment's client code names it."""
    order_id = phone_order(owner_ctx, engine)
    view = ship_svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    lock = order_svc.cancel_lock(owner_ctx, order_id)
    assert lock is not None and f"Shipment {view.client_order_code} is still live" in lock
    ship_svc.request_cancel(owner_ctx, view.id)  # dropped before it was sent
    assert order_svc.cancel_orders(owner_ctx, [order_id], REASON).done == [order_id]


def test_an_order_without_a_shipment_still_cancels(owner_ctx, engine):
    order_id = phone_order(owner_ctx, engine)
    assert order_svc.cancel_lock(owner_ctx, order_id) is None
    order_svc.change_status(owner_ctx, order_id, OrderStatus.CANCELLED, reason=REASON)
    assert stock(engine) == (10, 0)
    lock = order_svc.cancel_lock(owner_ctx, order_id)
    assert lock is not None and "is cancelled" in lock


def test_a_bulk_cancel_looks_up_each_orders_shipment_once(owner_ctx, engine, monkeypatch):
    order_ids = [phone_order(owner_ctx, engine) for _ in range(3)]
    asked: list[int] = []
    live_shipment = order_svc._live_shipment

    def counted(session, order_id):
        asked.append(order_id)
        return live_shipment(session, order_id)

    monkeypatch.setattr(order_svc, "_live_shipment", counted)
    assert order_svc.cancel_orders(owner_ctx, order_ids, REASON).done == order_ids
    assert sorted(asked) == sorted(order_ids)
