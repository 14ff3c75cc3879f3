# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""`primedist shipments [--send] [--track] [--json]` against the carrier sandbox on
127.0.0.1 (real HTTP, a real migrated database)."""

from __future__ import annotations

from typing import Any

from primedist.carriers.ghn import CREATE_PATH
from primedist.cli import EXIT_ERROR, EXIT_OK
from primedist.config import Settings
from primedist.domain.enums import OrderStatus
from primedist.sandbox.carriers import CarrierSandbox
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from tests.services.test_shipping import (  # noqa: F401  (the fixtures ghn_id, sandbox)
    draft,
    ghn_id,
    phone_order,
    sandbox,
)


def shipments(cli: Any, settings: Settings, *flags: str) -> Any:
    return cli("--data-dir", str(settings.data_dir), "shipments", *flags)


def test_send_track_and_list(cli, settings, owner_ctx: ServiceContext, engine,
                             sandbox: CarrierSandbox, ghn_id: int) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    external = order_svc.order_detail(owner_ctx, order_id).order.external_id
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    listed = shipments(cli, settings)
    assert listed.code == EXIT_OK, listed.err
    assert listed.out.split() == [external, "GHN", "(not", "sent", "yet)", "queued"]

    sent = shipments(cli, settings, "--send", "--json")
    assert sent.code == EXIT_OK, sent.err
    data = sent.json()
    assert data["send"]["delivered"] == 1 and data["send"]["failed"] == 0
    [row] = data["shipments"]
    assert (row["order"], row["carrier"], row["code"], row["status"]) == (
        external, "ghn", "GY000001VN", "ready_to_pick")  # fmt: skip
    assert len(sandbox.calls(CREATE_PATH)) == 1  # sent once

    sandbox.set_status("GY000001VN", "delivering")
    tracked = shipments(cli, settings, "--track")
    assert tracked.code == EXIT_OK, tracked.err
    assert tracked.out.splitlines()[0] == "Tracked 1, 1 moved on"
    assert "GY000001VN  delivering" in tracked.out
    assert order_svc.order_detail(owner_ctx, order_id).order.status == OrderStatus.SHIPPING

    sandbox.set_status("GY000001VN", "delivered")
    done = shipments(cli, settings, "--track")
    assert done.out.splitlines() == ["Tracked 1, 1 moved on", "No shipment on the way."]
    assert order_svc.order_detail(owner_ctx, order_id).order.status == OrderStatus.COMPLETED


def test_a_carrier_that_cannot_be_asked_exits_1_and_says_why(
    cli, settings, owner_ctx: ServiceContext, engine, sandbox: CarrierSandbox, ghn_id: int
) -> None:
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    assert shipments(cli, settings, "--send").code == EXIT_OK
    sandbox.stop()  # the carrier is down
    tracked = shipments(cli, settings, "--track", "--json")
    assert tracked.code == EXIT_ERROR
    data = tracked.json()
    assert data["track"]["checked"] == 0 and len(data["track"]["errors"]) == 1
    assert data["track"]["errors"][0].startswith("GY000001VN: ")
    assert [r["status"] for r in data["shipments"]] == ["ready_to_pick"]  # nothing changed
