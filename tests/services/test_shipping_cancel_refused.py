# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""A cancel the carrier refuses because the parcel moved on meanwhile (picked up between
two tracking polls): the shipment shows where the parcel is, not "waiting for pickup"
with Cancel offered again, for GHN and J&T Express alike."""

from __future__ import annotations

from dataclasses import replace

import pytest

from primedist.domain.enums import OrderStatus, OutboxStatus
from primedist.sandbox.carriers import (
    DEMO_JNT_ACCOUNT,
    DEMO_JNT_CUSTOMER,
    DEMO_JNT_KEY,
    DEMO_JNT_PASSWORD,
    CarrierFault,
)
from primedist.services import shipping as svc
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    order_row,
    outbox_rows,
    phone_order,
    sandbox,
)


@pytest.fixture(params=["ghn", "jnt"])
def account_id(request, owner_ctx, sandbox, ghn_id) -> int:
    if request.param == "ghn":
        return ghn_id
    view = svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY,
                               DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip
    return view.id


def shipped(owner_ctx, engine, account_id, factory) -> tuple[int, svc.ShipmentView]:
    order_id = phone_order(owner_ctx, engine)
    # J&T has one service: none is named (as its form sends it).
    svc.request_shipment(owner_ctx, order_id, replace(draft(owner_ctx, order_id, account_id),
                                                      service_id=None))  # fmt: skip
    svc.deliver_carrier_outbox(owner_ctx, factory=factory)
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.carrier_order_code and ship.status == "ready_to_pick"
    return order_id, ship


def test_a_cancel_refused_after_pickup_shows_the_parcel_picked_up(
    owner_ctx, engine, sandbox, account_id, fast_factory
):
    order_id, ship = shipped(owner_ctx, engine, account_id, fast_factory)
    sandbox.set_status(ship.carrier_order_code, "picked")  # before our next poll
    svc.request_cancel(owner_ctx, ship.id)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.failed == 1  # the carrier's refusal is what the shop is told
    [now] = svc.order_shipments(owner_ctx, order_id)
    assert now.action_status == OutboxStatus.FAILED and now.last_error
    assert now.status == "picked" and not now.cancellable
    assert order_row(engine, order_id).status == OrderStatus.SHIPPING
    assert sandbox.shipments[ship.carrier_order_code].status == "picked"


def test_a_refused_cancel_of_a_parcel_cancelled_at_the_carrier_is_cancelled(
    owner_ctx, engine, sandbox, account_id, fast_factory
):
    """Cancelled on the carrier's site already: its refusal ends as a cancel here too."""
    order_id, ship = shipped(owner_ctx, engine, account_id, fast_factory)
    sandbox.set_status(ship.carrier_order_code, "cancel")
    svc.request_cancel(owner_ctx, ship.id)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.failed) == (1, 0)
    [now] = svc.order_shipments(owner_ctx, order_id)
    assert now.status == "cancel" and not now.open
    assert outbox_rows(engine)[-1] == ("shipment.cancel", "done")


def test_a_refusal_when_the_parcel_cannot_be_read_keeps_the_refusal(
    owner_ctx, engine, sandbox, account_id, fast_factory
):
    """The carrier refuses, then does not answer where the parcel is: the refusal is
    recorded, the shipment as it was (the next poll reads it)."""
    order_id, ship = shipped(owner_ctx, engine, account_id, fast_factory)
    sandbox.set_status(ship.carrier_order_code, "picked")
    svc.request_cancel(owner_ctx, ship.id)
    path = "detail" if ship.carrier == "ghn" else "trace"
    sandbox.inject(CarrierFault.HTTP_500, count=10, path=path)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.failed == 1
    [now] = svc.order_shipments(owner_ctx, order_id)
    assert now.status == "ready_to_pick" and now.action_status == OutboxStatus.FAILED
