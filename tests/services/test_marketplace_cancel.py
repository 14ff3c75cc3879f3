# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""Cancelling a Shopee order after its confirmation, against the sandbox over real HTTP.

Shopee's confirmation arranges the shipment (PROCESSED), after which it refuses the
seller's cancel: a cancel queued then would fail there and the next sync would bring the
order back. So a delivered (or possibly delivered) confirm refuses the cancel here, and one
never tried is superseded by it."""

from __future__ import annotations

import pytest

from primedist.connectors.shopee import CANCEL_ORDER_PATH, SHIP_ORDER_PATH
from primedist.domain.enums import OrderStatus
from primedist.errors import Conflict
from primedist.sandbox.shopee import FaultKind
from primedist.services import orders
from primedist.services import outbox_delivery as od
from tests.driver_sql import driver_sql
from tests.services.test_sync import Market
from tests.services.test_sync_outbox import Crash, market  # noqa: F401  (fixture)
from tests.services.test_sync_outbox import _ready_to_ship as ready_orders


def _ready_to_ship(market: Market) -> int:
    """The id of a stored order the sandbox has as READY_TO_SHIP."""
    (order_id,) = ready_orders(market, 1)
    return order_id


def _outbox(market: Market, order_id: int) -> list[tuple[str, str, int]]:
    with market.engine.connect() as conn:
        rows = [tuple(r) for r in driver_sql(
            conn, "SELECT kind, status, attempts FROM outbox_messages WHERE order_id = ?"
            " ORDER BY id", (order_id,)
        )]  # fmt: skip
    return [(str(k), str(s), int(a)) for k, s, a in rows]


def _status(market: Market, order_id: int) -> str:
    with market.engine.connect() as conn:
        return str(driver_sql(
            conn, "SELECT status FROM orders WHERE id = ?", (order_id,)
        ).scalar_one())  # fmt: skip


def _deliver(market: Market) -> od.DeliveryReport:
    return od.deliver_outbox(market.ctx, factory=market.connector)


def _assert_refused(market: Market, order_id: int, words: str) -> None:
    """Refused by one cancel, by Cancel on several orders and in the detail, and nothing
    changed: still confirmed here, no cancel queued nor sent."""
    with pytest.raises(Conflict, match=words):
        orders.change_status(market.ctx, order_id, OrderStatus.CANCELLED, reason="Khách đổi ý")
    bulk = orders.cancel_orders(market.ctx, [order_id], "Khách đổi ý")
    assert bulk.done == []
    ((skipped_id, _number, why),) = bulk.skipped
    assert skipped_id == order_id and words in why
    lock = orders.cancel_lock(market.ctx, order_id)
    assert lock is not None and words in lock
    assert _status(market, order_id) == OrderStatus.CONFIRMED.value
    assert "order.cancel" not in [k for k, _s, _a in _outbox(market, order_id)]
    assert market.sandbox.calls(CANCEL_ORDER_PATH) == []


def test_cancel_after_the_confirm_reached_shopee_is_refused(market: Market) -> None:
    order_id = _ready_to_ship(market)
    orders.confirm_orders(market.ctx, [order_id])
    assert _deliver(market).delivered == 1
    assert market.sandbox.order_state(market.stored_sn(order_id))[0] == "PROCESSED"

    _assert_refused(market, order_id, "no longer lets the seller cancel it. The buyer can ask")
    lock = orders.cancel_lock(market.ctx, order_id)
    assert lock is not None and lock.values["channel"] == "shopee"  # shown by its label
    assert _outbox(market, order_id) == [("order.confirm", "done", 1)]
    market.sync()
    assert _status(market, order_id) == OrderStatus.CONFIRMED.value


def test_cancel_before_the_confirm_was_sent_supersedes_it(market: Market) -> None:
    order_id = _ready_to_ship(market)
    orders.confirm_orders(market.ctx, [order_id])
    assert orders.cancel_lock(market.ctx, order_id) is None
    orders.change_status(market.ctx, order_id, OrderStatus.CANCELLED, reason="Khách đổi ý")
    assert _outbox(market, order_id) == [("order.confirm", "cancelled", 0),
                                         ("order.cancel", "pending", 0)]  # fmt: skip

    report = _deliver(market)
    assert (report.delivered, report.failed, report.waiting) == (1, 0, 0)
    assert market.sandbox.calls(SHIP_ORDER_PATH) == []  # Shopee gets the cancel alone
    assert len(market.sandbox.calls(CANCEL_ORDER_PATH)) == 1
    assert market.sandbox.order_state(market.stored_sn(order_id))[0] == "CANCELLED"
    assert _outbox(market, order_id) == [("order.confirm", "cancelled", 0),
                                         ("order.cancel", "done", 1)]  # fmt: skip
    market.sync()
    assert _status(market, order_id) == OrderStatus.CANCELLED.value
    with market.engine.connect() as conn:
        waits = driver_sql(
            conn, "SELECT outbox_pending FROM orders WHERE id = ?", (order_id,)
        ).scalar_one()  # fmt: skip
    assert not waits


def test_bulk_cancel_supersedes_a_confirm_never_sent(market: Market) -> None:
    order_id = _ready_to_ship(market)
    orders.confirm_orders(market.ctx, [order_id])
    assert orders.cancel_orders(market.ctx, [order_id], "Hết hàng").done == [order_id]
    _deliver(market)
    assert [c.path for c in market.sandbox.calls()
            if c.path in (SHIP_ORDER_PATH, CANCEL_ORDER_PATH)] == [CANCEL_ORDER_PATH]  # fmt: skip


def test_cancel_while_the_confirm_waits_for_a_retry_is_refused(market: Market) -> None:
    order_id = _ready_to_ship(market)
    orders.confirm_orders(market.ctx, [order_id])
    market.sandbox.inject(FaultKind.HTTP_500, count=10_000, path=SHIP_ORDER_PATH)
    assert _deliver(market).retrying == 1
    assert _outbox(market, order_id) == [("order.confirm", "pending", 1)]

    _assert_refused(market, order_id, "is being sent to")
    assert _outbox(market, order_id) == [("order.confirm", "pending", 1)]  # left to its retry


def test_cancel_while_the_confirm_is_being_sent_is_refused(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = _ready_to_ship(market)
    orders.confirm_orders(market.ctx, [order_id])

    def crash(*_args: object) -> None:
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(od, "_mark_delivered", crash)
        with pytest.raises(Crash):
            _deliver(market)
    assert _outbox(market, order_id) == [("order.confirm", "in_progress", 1)]

    _assert_refused(market, order_id, "is being sent to")


def test_cancel_after_the_confirm_failed_for_good_is_allowed(market: Market) -> None:
    """Guard of the rule's edge (as before the fix): a confirm Shopee refused never
    reached it, so the order can be cancelled here."""
    order_id = _ready_to_ship(market)
    orders.confirm_orders(market.ctx, [order_id])
    connector = market.connector()
    try:  # the buyer cancelled on Shopee meanwhile: arranging shipment is refused
        connector.cancel_order(market.stored_sn(order_id), "Khách đổi ý")
    finally:
        connector.close()
    assert _deliver(market).failed == 1
    assert orders.cancel_lock(market.ctx, order_id) is None

    orders.change_status(market.ctx, order_id, OrderStatus.CANCELLED, reason="Khách đổi ý")
    assert _status(market, order_id) == OrderStatus.CANCELLED.value
    assert _outbox(market, order_id) == [("order.confirm", "failed", 1),
                                         ("order.cancel", "pending", 0)]  # fmt: skip


def test_cancel_locks_only_the_confirmed_shopee_order(market: Market) -> None:
    """Another order of the shop, never confirmed from here, is cancelled as before."""
    order_id = _ready_to_ship(market)
    orders.confirm_orders(market.ctx, [order_id])
    _deliver(market)
    with market.engine.connect() as conn:
        other = int(driver_sql(conn, "SELECT id FROM orders WHERE status = 'pending' AND id <> ?"
                                     " ORDER BY id LIMIT 1", (order_id,)).scalar_one())  # fmt: skip
    assert orders.cancel_lock(market.ctx, other) is None
    assert orders.cancel_lock(market.ctx, order_id) is not None
