"""Two deliveries at once (the scheduler's run and Send now, or a ship dialog's Send): a
claimed action is sent by one of them only, and a dead process's claim runs out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.carriers.ghn import CREATE_PATH
from primedist.connectors.shopee import CANCEL_ORDER_PATH, SHIP_ORDER_PATH
from primedist.core.clock import FixedClock
from primedist.domain.enums import OutboxStatus
from primedist.sandbox.carriers import CarrierFault, CarrierSandbox
from primedist.services import orders
from primedist.services import outbox_delivery as od
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from tests.services.test_shipping import draft, outbox_rows, phone_order
from tests.services.test_shipping import fast_factory as fast_factory  # noqa: F401 (fixture)
from tests.services.test_shipping import ghn_id as ghn_id  # noqa: F401 (fixture)
from tests.services.test_shipping import sandbox as sandbox  # noqa: F401 (fixture)
from tests.services.test_sync import Market, _sandbox
from tests.services.test_sync_outbox import Crash, _outbox, _ready_to_ship


class _Meanwhile:
    """A client that, on its first call of `method`, lets another delivery run before the
    call goes out (as Send now pressed while the scheduler's call waits for its answer)."""

    def __init__(self, real: Any, method: str, other: Callable[[], object]) -> None:
        self._real, self._method, self._other = real, method, other
        self.other_report: object = None

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name != self._method or self._other is None:
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            other, self._other = self._other, None  # once
            self.other_report = other()
            return attr(*args, **kwargs)

        return call


# --------------------------------------------------------------------------- marketplace


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for shopee in _sandbox(clock, orders=200, history_days=3, seed=5):
        m = Market(ctx, engine, shopee)
        assert m.sync().outcome == "ok"
        yield m


def _scheduler_with_send_now_meanwhile(market: Market) -> tuple[od.DeliveryReport, Any]:
    clients: list[_Meanwhile] = []

    def send_now() -> od.DeliveryReport:
        return od.deliver_outbox(market.ctx, factory=market.connector)

    def factory(ctx: ServiceContext, shop_id: int) -> Any:
        client = _Meanwhile(market.connector(ctx, shop_id), "confirm_order", send_now)
        clients.append(client)
        return client

    report = od.deliver_outbox(market.ctx, factory=factory, due_only=True)
    return report, clients[0].other_report


def test_send_now_during_the_schedulers_delivery_does_not_send_the_confirm_again(
    market: Market,
) -> None:
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    scheduler, send_now = _scheduler_with_send_now_meanwhile(market)
    assert send_now.delivered == 0 and send_now.failed == 0  # it was being sent already
    assert (scheduler.delivered, scheduler.failed) == (1, 0)
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 1
    assert _outbox(market.engine) == [("order.confirm", "done", 1)]


def test_send_now_during_a_send_keeps_the_shops_order(market: Market) -> None:
    """The shop's later action waits behind the one being sent (a cancel never goes out
    before the confirm queued ahead of it), and goes with the run that sent that one."""
    first, second = _ready_to_ship(market, 2)
    orders.confirm_orders(market.ctx, [first])
    orders.cancel_orders(market.ctx, [second], "Khách đổi ý")
    scheduler, send_now = _scheduler_with_send_now_meanwhile(market)
    assert send_now.delivered == 0
    assert scheduler.delivered == 2
    assert [c.path for c in market.sandbox.calls()
            if c.path in (SHIP_ORDER_PATH, CANCEL_ORDER_PATH)] == [SHIP_ORDER_PATH,
                                                                   CANCEL_ORDER_PATH]  # fmt: skip


# --------------------------------------------------------------------------- carriers


def _job_with_dialog_send_meanwhile(
    ctx: ServiceContext, factory: svc.CarrierFactory
) -> tuple[svc.CarrierDeliveryReport, Any]:
    clients: list[_Meanwhile] = []

    def dialog_send() -> svc.CarrierDeliveryReport:
        return svc.deliver_carrier_outbox(ctx, factory=factory)

    def slow(c: ServiceContext, account_id: int) -> Any:
        client = _Meanwhile(factory(c, account_id), "create", dialog_send)
        clients.append(client)
        return client

    report = svc.deliver_carrier_outbox(ctx, factory=slow)
    return report, clients[0].other_report


def test_a_dialogs_send_during_the_jobs_delivery_does_not_create_twice(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    """The job's create waits for a slow GHN; the ship dialog's Send meanwhile leaves it
    to the job: one create at the carrier, the shipment recorded (not failed on GHN's
    "order code already exists")."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    job, dialog = _job_with_dialog_send_meanwhile(owner_ctx, fast_factory)
    assert (dialog.delivered, dialog.failed) == (0, 0)
    assert (job.delivered, job.failed) == (1, 0)
    assert len(sandbox.calls(CREATE_PATH)) == 1
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert (ship.status, ship.carrier_order_code) == ("ready_to_pick", "GY000001VN")
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.DONE)]


def test_a_create_claimed_by_a_dead_process_is_looked_up_once_its_claim_runs_out(
    owner_ctx, engine, sandbox, ghn_id, fast_factory, monkeypatch
):
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))

    def crash(*_args: object) -> None:
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(svc, "_record_created", crash)  # killed after GHN made the parcel
        with pytest.raises(Crash):
            svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.IN_PROGRESS)]

    owner_ctx.clock.advance(svc.CLAIM_LEASE - timedelta(seconds=1))
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).delivered == 0
    assert sandbox.request_count("detail-by-client-code") == 0  # still claimed: left alone

    owner_ctx.clock.advance(timedelta(seconds=1))
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely) == (1, 1)
    assert sandbox.request_count(CREATE_PATH) == 1  # found by its code, not created again
    assert svc.order_shipments(owner_ctx, order_id)[0].carrier_order_code == "GY000001VN"


def test_an_uncertain_create_is_asked_about_after_its_backoff_not_the_claims_lease(
    owner_ctx, engine, sandbox: CarrierSandbox, ghn_id, fast_factory
):
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.TIMEOUT, path=CREATE_PATH)
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).retrying == 1
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.IN_PROGRESS)]
    owner_ctx.clock.advance(timedelta(minutes=1))  # past the first backoff (≤ 30 s)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely) == (1, 1)
    assert len(sandbox.calls(CREATE_PATH)) == 1
