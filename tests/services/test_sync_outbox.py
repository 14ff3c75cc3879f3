"""Outbox delivery against the Shopee sandbox over real HTTP: exactly once, in order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.shopee import CANCEL_ORDER_PATH, SHIP_ORDER_PATH
from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderStatus
from primedist.sandbox.shopee import FaultKind
from primedist.services import orders
from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from tests.driver_sql import driver_sql
from tests.services.test_sync import Market, _sandbox


class Crash(BaseException):
    """What `kill -9` leaves behind: the call went out, the mark never happened."""


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=200, history_days=3, seed=5):
        m = Market(ctx, engine, sandbox)
        assert m.sync().outcome == "ok"
        yield m


def _ready_to_ship(market: Market, n: int) -> list[int]:
    """Ids of `n` stored orders the sandbox has as READY_TO_SHIP."""
    ready = [sn for sn in market.sandbox.order_sns()
             if (market.sandbox.order_state(sn) or ("",))[0] == "READY_TO_SHIP"]  # fmt: skip
    assert len(ready) >= n
    with market.engine.connect() as conn:
        ids = dict(conn.execute(sa.text("SELECT external_id, id FROM orders")).all())
    return [ids[sn] for sn in ready[:n]]


def _outbox(engine: Engine) -> list[tuple[str, str, int]]:
    with engine.connect() as conn:
        return [tuple(r) for r in driver_sql(conn,
            "SELECT kind, status, attempts FROM outbox_messages ORDER BY id"
        )]  # fmt: skip


def _deliver(market: Market, *, due_only: bool = False) -> od.DeliveryReport:
    """A delivery asked for by hand (Send now), or the scheduler's (`due_only`)."""
    return od.deliver_outbox(market.ctx, factory=market.connector, due_only=due_only)


def _order_waits(market: Market, order_id: int) -> bool:
    with market.engine.connect() as conn:
        return bool(driver_sql(
            conn, "SELECT outbox_pending FROM orders WHERE id = ?", (order_id,)
        ).scalar_one())  # fmt: skip


def _next_try(market: Market) -> datetime:
    with market.engine.connect() as conn:
        value = driver_sql(conn, "SELECT max(next_attempt_at) FROM outbox_messages").scalar_one()
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def test_confirm_and_cancel_are_delivered_and_the_order_stops_waiting(market: Market) -> None:
    first, second = _ready_to_ship(market, 2)
    orders.confirm_orders(market.ctx, [first])
    orders.cancel_orders(market.ctx, [second], "Khách đổi ý")
    report = _deliver(market)
    assert (report.delivered, report.failed, report.waiting) == (2, 0, 0)
    assert _outbox(market.engine) == [("order.confirm", "done", 1), ("order.cancel", "done", 1)]
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 1
    assert len(market.sandbox.calls(CANCEL_ORDER_PATH)) == 1
    with market.engine.connect() as conn:
        waiting = driver_sql(conn, "SELECT count(*) FROM orders WHERE outbox_pending").scalar_one()
    assert waiting == 0
    assert _deliver(market).delivered == 0  # nothing sent twice


@pytest.mark.parametrize("action", ["confirm", "cancel"])
def test_crash_between_send_and_mark_does_not_send_again(
    market: Market, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    (order_id,) = _ready_to_ship(market, 1)
    if action == "confirm":
        orders.confirm_orders(market.ctx, [order_id])
        path = SHIP_ORDER_PATH
    else:
        orders.cancel_orders(market.ctx, [order_id], "Hết hàng")
        path = CANCEL_ORDER_PATH

    def crash(*_args: object) -> None:
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(od, "_mark_delivered", crash)
        with pytest.raises(Crash):
            _deliver(market)
    assert len(market.sandbox.calls(path)) == 1
    assert _outbox(market.engine)[0][1] == "in_progress"  # as the dead process left it

    # The restarted app, once the dead process's claim has run out.
    assert _deliver(market).delivered == 0
    clock.advance(od.CLAIM_LEASE)
    market.store.save(market.sandbox.linked_tokens())  # keep the shop's token alive
    report = _deliver(market)
    assert (report.delivered, report.confirmed_remotely, report.failed) == (1, 1, 0)
    assert len(market.sandbox.calls(path)) == 1  # asked the platform; did not resend
    assert _outbox(market.engine)[0][1] == "done"


def test_a_confirm_that_timed_out_but_happened_is_not_sent_again(
    market: Market, clock: FixedClock
) -> None:
    """Shopee carried the call out, but its answer never came (a timeout): the next try
    asks the platform first and finds it done, instead of being refused as a repeat."""
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    market.sandbox.inject(FaultKind.TIMEOUT, count=1, path=SHIP_ORDER_PATH, delay=4.0)
    first = _deliver(market)
    assert (first.delivered, first.retrying) == (0, 1)
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 1  # it reached the platform
    assert _outbox(market.engine)[0][1] == "pending"

    clock.advance(timedelta(hours=1))
    market.store.save(market.sandbox.linked_tokens())  # keep the shop's token alive
    again = _deliver(market)
    assert (again.delivered, again.confirmed_remotely, again.failed) == (1, 1, 0)
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 1  # not sent a second time
    assert _outbox(market.engine)[0][1] == "done"


def test_an_action_the_platform_refuses_fails_with_its_message(market: Market) -> None:
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    sn = market.stored_sn(order_id)
    # The buyer cancelled on Shopee meanwhile: arranging shipment is refused.
    conn_ = market.connector()
    try:
        conn_.cancel_order(sn, "Khách đổi ý")
    finally:
        conn_.close()
    report = _deliver(market)
    assert report.failed == 1
    rows = od.list_actions(market.ctx)
    assert rows[0].status.value == "failed" and "CANCELLED" in (rows[0].last_error or "")
    assert not _order_waits(market, order_id)  # failed is not "waiting to be sent"

    od.discard_action(market.ctx, rows[0].id)
    assert od.list_actions(market.ctx) == []
    with market.engine.connect() as conn:
        pending = driver_sql(
            conn, "SELECT outbox_pending FROM orders WHERE id = ?", (order_id,)
        ).scalar_one()
    assert not pending


def test_offline_keeps_order_per_shop_and_retries_later(market: Market, clock: FixedClock) -> None:
    first, second = _ready_to_ship(market, 2)
    orders.confirm_orders(market.ctx, [first])
    orders.cancel_orders(market.ctx, [second], "Khách đổi ý")
    market.sandbox.inject(FaultKind.DROP, count=10_000)
    report = _deliver(market)
    assert report.offline and report.retrying == 1 and report.delivered == 0
    assert report.waiting == 2
    assert [s for _k, s, _a in _outbox(market.engine)] == ["pending", "pending"]
    # The scheduler's run: not due yet, nobody hammers a dead network.
    assert _deliver(market, due_only=True).retrying == 0

    market.sandbox.clear_faults()
    clock.advance(timedelta(hours=3))
    market.store.save(market.sandbox.linked_tokens())  # keep the shop's token alive
    after = _deliver(market)
    assert after.delivered == 2
    calls = market.sandbox.calls()
    assert [c.path for c in calls] == [SHIP_ORDER_PATH, CANCEL_ORDER_PATH]  # in queue order


def test_retry_requeues_a_failed_action(market: Market) -> None:
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    with market.engine.begin() as conn:
        driver_sql(conn, "UPDATE outbox_messages SET status = 'failed', attempts = 12")
    assert _deliver(market).delivered == 0
    (row,) = od.list_actions(market.ctx)
    od.retry_action(market.ctx, row.id)
    assert _deliver(market).delivered == 1
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 1
    assert OrderStatus.CONFIRMED.value == market.stored()[market.stored_sn(order_id)]


def test_a_long_outage_never_uses_up_an_action_it_goes_when_back(
    market: Market, clock: FixedClock
) -> None:
    """Four days without network (the scheduler trying every time a try is due): the
    confirm keeps waiting, backing off at most BACKOFF_MAX, and goes once it is back."""
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    market.sandbox.inject(FaultKind.DROP, count=1_000_000)
    start = clock.now()
    tries = 0
    while clock.now() - start < timedelta(days=4):
        report = _deliver(market, due_only=True)
        assert (report.retrying, report.failed, report.offline) == (1, 0, True)
        tries += 1
        assert _next_try(market) - clock.now() <= od.BACKOFF_MAX
        clock.set(_next_try(market) + timedelta(seconds=1))
    assert tries > 50  # far past the old give-up after 12 (and 2**50 backoffs)
    ((kind, status, attempts),) = _outbox(market.engine)
    assert (kind, status, attempts) == ("order.confirm", "pending", tries)
    assert _order_waits(market, order_id)  # still shown as waiting to be sent

    market.sandbox.clear_faults()
    market.store.save(market.sandbox.linked_tokens())  # the shop's token, alive again
    back = _deliver(market, due_only=True)
    assert (back.delivered, back.failed, back.waiting) == (1, 0, 0)
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 1
    assert not _order_waits(market, order_id)
    assert OrderStatus.CONFIRMED.value == market.stored()[market.stored_sn(order_id)]


def test_send_now_ignores_the_delay_the_scheduler_keeps_it(market: Market) -> None:
    (order_id,) = _ready_to_ship(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    market.sandbox.inject(FaultKind.HTTP_500, count=1_000_000)
    assert _deliver(market).retrying == 1
    market.sandbox.clear_faults()  # the network is back, the try is still minutes away
    assert _deliver(market, due_only=True).delivered == 0  # the scheduler waits for it
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 0

    now = _deliver(market)  # Send now / `outbox --deliver`
    assert (now.delivered, now.waiting) == (1, 0)
    assert len(market.sandbox.calls(SHIP_ORDER_PATH)) == 1
    assert not _order_waits(market, order_id)
