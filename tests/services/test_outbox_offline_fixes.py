# ruff: noqa: F811  (pytest fixtures imported from the shipping and outbox tests)
"""Offline, then back: a shipment waiting for its carrier is listed and sent like the
marketplaces' actions (Sync panel, `outbox`, Send now) and sets the status bar offline;
once a shop answers again (a sync, a delivery) its waiting actions go at the next run,
not up to two hours later; and Send now while offline never delays the next try."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.carriers.ghn import CREATE_PATH
from primedist.connectors.shopee import SHIP_ORDER_PATH
from primedist.core.clock import FixedClock
from primedist.sandbox.carriers import CarrierFault, CarrierSandbox
from primedist.sandbox.shopee import FaultKind
from primedist.services import orders
from primedist.services import outbox_delivery as od
from primedist.services import shipping as ship_svc
from primedist.services.context import ServiceContext
from primedist.services.sync import SYNC_STATE
from tests.driver_sql import driver_sql
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    order_row,
    phone_order,
    sandbox,
)
from tests.services.test_sync import Market
from tests.services.test_sync_outbox import _deliver, _ready_to_ship, market  # noqa: F401


@pytest.fixture(autouse=True)
def _status_bar() -> Iterator[None]:
    """The process-wide status the tests read, as it was before and after each."""
    before = SYNC_STATE.snapshot()
    SYNC_STATE.update(offline=False, marketplace_error=False, waiting=0, failed=0)
    yield
    SYNC_STATE.update(**{k: v for k, v in before.items() if k != "running"})


def _next_tries(engine: Engine) -> list[datetime]:
    with engine.connect() as conn:
        rows = driver_sql(conn, "SELECT next_attempt_at FROM outbox_messages WHERE status"
                                " IN ('pending', 'in_progress') ORDER BY id").all()  # fmt: skip
    return [datetime.fromisoformat(str(v)).replace(tzinfo=UTC) for (v,) in rows]


# --------------------------------------------------------------------------- bug 1


def test_a_shipment_waiting_for_its_carrier_is_listed_and_sent_by_send_now(
    owner_ctx: ServiceContext, engine: Engine, sandbox: CarrierSandbox, ghn_id: int,
    fast_factory: ship_svc.CarrierFactory,
) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    ship_svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.DROP, count=1_000)
    report = ship_svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.offline and report.unreachable and report.retrying == 1
    snap = SYNC_STATE.snapshot()
    assert (snap["offline"], snap["waiting"]) == (True, 1)  # as a marketplace's

    # The Sync panel and `primedist outbox` list what the status bar counts.
    (row,) = od.list_actions(owner_ctx)
    number = order_row(engine, order_id).external_id
    assert (row.shop, row.kind, row.subject) == ("GHN main", "shipment.create", number)
    assert od.waiting_count(owner_ctx) == 1

    # Send now / `outbox --deliver`, the network back, the try still minutes away.
    sandbox.clear_faults()
    sent = od.deliver_outbox(owner_ctx, carrier_factory=fast_factory)
    assert (sent.delivered, sent.waiting, sent.carrier_offline) == (1, 0, False)
    assert len(sandbox.calls(CREATE_PATH)) == 1
    assert od.list_actions(owner_ctx) == []
    assert SYNC_STATE.snapshot()["offline"] is False


def test_send_now_while_the_carrier_is_down_says_so_and_keeps_the_next_try(
    owner_ctx: ServiceContext, engine: Engine, sandbox: CarrierSandbox, ghn_id: int,
    fast_factory: ship_svc.CarrierFactory,
) -> None:  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    ship_svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.DROP, count=1_000)
    ship_svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    (planned,) = _next_tries(engine)
    for _ in range(3):
        sent = od.deliver_outbox(owner_ctx, carrier_factory=fast_factory)
        assert sent.carrier_offline and sent.retrying == 1
        assert "a carrier cannot be reached" in sent.summary()
    assert _next_tries(engine) == [planned]  # not pushed out by the user's tries
    assert SYNC_STATE.snapshot()["offline"] is True


# --------------------------------------------------------------------------- bug 2


def _offline_for_hours(market: Market, clock: FixedClock, hours: int) -> None:
    """The scheduler's outbox job every minute while the network is down."""
    market.sandbox.inject(FaultKind.DROP, count=1_000_000)
    start = clock.now()
    while clock.now() - start < timedelta(hours=hours):
        _deliver(market, due_only=True)
        clock.advance(timedelta(minutes=1))
    market.sandbox.clear_faults()
    market.store.save(market.sandbox.linked_tokens())  # the shop's token, alive again


def test_a_successful_sync_sends_the_waiting_actions_at_the_next_run(
    market: Market, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Jitter at its middle: with a random one the last backoff could end in the outage's
    # last minute, so the check that it is still backing off would fail now and then.
    monkeypatch.setattr(od.random, "random", lambda: 0.5)
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    _offline_for_hours(market, clock, 6)
    assert _next_tries(market.engine)[0] - clock.now() > timedelta(minutes=2)  # backing off

    assert market.sync().outcome == "ok"  # the network is back
    after = _deliver(market, due_only=True)  # the next minute's run
    assert (after.delivered, after.waiting) == (1, 0)
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 1


def test_a_delivery_that_goes_through_makes_the_shops_other_actions_due(
    market: Market, clock: FixedClock
) -> None:
    first, second = _ready_to_ship(market, 2)
    orders.confirm_orders(market.ctx, [first])
    _offline_for_hours(market, clock, 6)
    # Queued while the first one backs off: due at once, but behind it in the shop's queue.
    orders.confirm_orders(market.ctx, [second])
    with market.engine.begin() as conn:  # the first one's delay has just run out
        driver_sql(conn, "UPDATE outbox_messages SET next_attempt_at = ? WHERE id = "
                         "(SELECT min(id) FROM outbox_messages WHERE status = 'pending')",
                   (clock.now().replace(tzinfo=None).isoformat(sep=" "),))  # fmt: skip
        driver_sql(conn, "UPDATE outbox_messages SET next_attempt_at = ? WHERE id = "
                         "(SELECT max(id) FROM outbox_messages WHERE status = 'pending')",
                   ((clock.now() + timedelta(hours=1)).replace(tzinfo=None)
                    .isoformat(sep=" "),))  # fmt: skip
    first_run = _deliver(market, due_only=True)
    assert first_run.delivered == 1
    second_run = _deliver(market, due_only=True)  # a minute later, not an hour
    assert (second_run.delivered, second_run.waiting) == (1, 0)


def test_send_now_while_offline_does_not_push_the_next_try_out(
    market: Market, clock: FixedClock
) -> None:
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    market.sandbox.inject(FaultKind.DROP, count=1_000_000)
    _deliver(market, due_only=True)  # the scheduler's first try: a short backoff
    (planned,) = _next_tries(market.engine)
    assert planned - clock.now() <= od.BACKOFF_BASE
    for _ in range(10):  # the owner keeps pressing Send now
        assert _deliver(market).offline
    assert _next_tries(market.engine) == [planned]
    clock.set(planned + timedelta(seconds=1))
    market.sandbox.clear_faults()
    assert _deliver(market, due_only=True).delivered == 1


def test_a_sync_makes_an_action_backing_off_due_now(market: Market, clock: FixedClock) -> None:
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    later = clock.now() + timedelta(hours=1)
    with market.engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox_messages SET next_attempt_at = :t"),
                     {"t": later.replace(tzinfo=None).isoformat(sep=" ")})  # fmt: skip
    assert market.sync().outcome == "ok"
    assert _next_tries(market.engine) == [clock.now()]  # woken: due now


def test_a_sync_leaves_an_action_parked_until_a_daily_limit_resets(
    market: Market, clock: FixedClock
) -> None:
    # A platform's daily limit parks the queue until its reset (hours away): a sync that
    # works does not wake it, or every sync would call the barred API again.
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    reset = clock.now() + od.BACKOFF_MAX + timedelta(hours=3)
    with market.engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox_messages SET next_attempt_at = :t"),
                     {"t": reset.replace(tzinfo=None).isoformat(sep=" ")})  # fmt: skip
    assert market.sync().outcome == "ok"
    assert _next_tries(market.engine) == [reset]
