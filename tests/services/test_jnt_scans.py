"""J&T's trace through the carrier sandbox on 127.0.0.1: of two scans in the same second,
the later one in the list (the newer) is the parcel's state."""

from __future__ import annotations

from datetime import UTC, datetime

from primedist.carriers.base import Address, Parcel, ShipmentRequest
from primedist.carriers.jnt import JntCarrier
from primedist.core.clock import FixedClock
from primedist.sandbox.carriers import (
    DEMO_JNT_ACCOUNT,
    DEMO_JNT_CUSTOMER,
    DEMO_JNT_KEY,
    DEMO_JNT_PASSWORD,
    CarrierSandbox,
)


def test_two_scans_in_the_same_second_the_later_wins():
    clock = FixedClock(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))  # no second passes
    with CarrierSandbox(clock=clock) as sandbox:
        client = JntCarrier(DEMO_JNT_ACCOUNT, DEMO_JNT_KEY, DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD,
                            sandbox.jnt_url)  # fmt: skip
        try:
            created = client.create(ShipmentRequest(
                client_order_code="PD1",
                to=Address("Lan", "0901234567", "12 Lê Lợi", "20101", 1442, "Phường Bến Nghé",
                           "Quận 1", "Hồ Chí Minh"),
                parcel=Parcel(weight_g=500), service_id=None, content="Áo thun x1",
            ))  # fmt: skip
            code = created.carrier_order_code
            sandbox.set_status(code, "picked")
            sandbox.set_status(code, "delivered")  # the same second as the pick-up
            state = client.detail(code)
        finally:
            client.close()
    assert state is not None and state.status == "delivered"
