"""The marketplace and the store agree, against the Shopee sandbox over real HTTP: an order
that came confirmed from Shopee is not cancelled here; a cancel Shopee refuses (or one
discarded) gives the order back its marketplace status; a marketplace that answers with an
error is not "offline"; the status history keeps no raw platform code; synced buyers come
from their channel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from primedist.connectors.shopee import CANCEL_ORDER_PATH, ORDER_DETAIL_PATH
from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderStatus
from primedist.errors import Conflict
from primedist.sandbox.shopee import FaultKind
from primedist.services import orders, sync
from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from primedist.services.order_import import IMPORT_SOURCE
from primedist.services.seller_center_import import import_export
from tests.driver_sql import driver_sql
from tests.services import sync_market
from tests.services.seller_center_files import write_shopee
from tests.services.test_seller_center_import import TOTAL_ORDER, shopee_rows
from tests.services.test_sync import SHOPEE, _sandbox
from tests.services.test_sync_outbox import _ready_to_ship as ready_orders

Market = sync_market.Market


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    """A synced Shopee shop whose orders move stock (as if linked long ago)."""
    for sandbox in _sandbox(clock, orders=200, history_days=3, seed=5):
        m = Market(ctx, engine, sandbox, SHOPEE, "Shopee Sandbox", moves_stock=True)
        assert m.sync().outcome == "ok"
        yield m


def _processed(market: Market) -> int:
    """The id of a stored order the sandbox has as PROCESSED (its shipment arranged on
    Shopee), synced here as confirmed with no confirmation of ours."""
    processed = [sn for sn in market.sandbox.order_sns()
                 if (market.sandbox.order_state(sn) or ("",))[0] == "PROCESSED"]  # fmt: skip
    assert processed
    with market.engine.connect() as conn:
        return int(driver_sql(conn, "SELECT id FROM orders WHERE external_id = ?",
                              (processed[0],)).scalar_one())  # fmt: skip


def _one(market: Market, sql: str, *args: object) -> object:
    with market.engine.connect() as conn:
        return driver_sql(conn, sql, args).scalar_one()


def _state(market: Market, order_id: int) -> tuple[str, str]:
    with market.engine.connect() as conn:
        row = driver_sql(conn, "SELECT status, stock_state FROM orders WHERE id = ?",
                         (order_id,)).one()  # fmt: skip
    return str(row[0]), str(row[1])


def _cancel_as_before_the_fix(market: Market, order_id: int, patch: pytest.MonkeyPatch) -> None:
    """The cancel an earlier version let through (the data it left behind)."""
    with patch.context() as p:
        p.setattr(orders, "_confirm_refusal", lambda _s, _o: None)
        orders.change_status(market.ctx, order_id, OrderStatus.CANCELLED, reason="Khách đổi ý")
    assert _state(market, order_id)[0] == OrderStatus.CANCELLED.value


# --------------------------------------------------------------------------- 1. cancel


def test_an_order_synced_confirmed_from_shopee_cannot_be_cancelled(market: Market) -> None:
    order_id = _processed(market)
    assert _state(market, order_id)[0] == OrderStatus.CONFIRMED.value
    assert _one(market, "SELECT count(*) FROM outbox_messages WHERE order_id = ?", order_id) == 0
    words = "no longer lets the seller cancel it"

    lock = orders.cancel_lock(market.ctx, order_id)  # what the order detail shows
    assert lock is not None and words in lock and lock.values["channel"] == "shopee"
    with pytest.raises(Conflict, match=words):
        orders.change_status(market.ctx, order_id, OrderStatus.CANCELLED, reason="Hết hàng")
    bulk = orders.cancel_orders(market.ctx, [order_id], "Hết hàng")  # Cancel on the list
    assert bulk.done == [] and words in bulk.skipped[0][2]
    assert _state(market, order_id)[0] == OrderStatus.CONFIRMED.value
    assert _one(market, "SELECT count(*) FROM outbox_messages WHERE order_id = ?", order_id) == 0
    # A pending order of the same shop is cancelled as before.
    (pending,) = ready_orders(market, 1)
    assert orders.cancel_lock(market.ctx, pending) is None


def test_a_cancel_shopee_refuses_for_good_brings_the_order_back_at_once(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = _processed(market)
    _cancel_as_before_the_fix(market, order_id, monkeypatch)
    assert _state(market, order_id)[1] == "released"

    report = od.deliver_outbox(market.ctx, factory=market.connector)
    assert (report.delivered, report.failed) == (0, 1)
    assert market.sandbox.request_count(CANCEL_ORDER_PATH) == 1
    # Shopee still ships it: it is confirmed here again, its goods held again.
    assert _state(market, order_id) == (OrderStatus.CONFIRMED.value, "reserved")
    assert _one(market, "SELECT outbox_pending FROM orders WHERE id = ?", order_id) in (0, False)
    assert any("back as the marketplace has it" in m for m in report.messages)


def test_a_refused_cancel_read_back_later_by_a_re_fetch(
    market: Market, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shopee unreachable for the read after its refusal: the next re-fetch that sees the
    order brings it back, although nothing changed on Shopee (its update time is the one
    stored)."""
    order_id = _processed(market)
    _cancel_as_before_the_fix(market, order_id, monkeypatch)
    market.sandbox.inject(FaultKind.HTTP_500, count=10_000, path=ORDER_DETAIL_PATH)
    assert od.deliver_outbox(market.ctx, factory=market.connector).failed == 1
    assert _state(market, order_id)[0] == OrderStatus.CANCELLED.value
    market.sandbox.clear_faults()

    now = clock.now()
    report = sync.refetch_range(market.ctx, market.shop_id, now - timedelta(days=10), now,
                                factory=market.connector)  # fmt: skip
    assert report.outcome == "ok", report.message
    assert _state(market, order_id) == (OrderStatus.CONFIRMED.value, "reserved")


def test_a_discarded_cancel_lets_the_order_follow_shopee_again(
    market: Market, clock: FixedClock
) -> None:
    (order_id,) = ready_orders(market, 1)
    orders.change_status(market.ctx, order_id, OrderStatus.CANCELLED, reason="Khách đổi ý")
    (action,) = od.list_actions(market.ctx)
    od.discard_action(market.ctx, action.id)
    assert _state(market, order_id)[0] == OrderStatus.CANCELLED.value  # until the next read

    now = clock.now()
    sync.refetch_range(market.ctx, market.shop_id, now - timedelta(days=10), now,
                       factory=market.connector)  # fmt: skip
    assert _state(market, order_id) == (OrderStatus.PENDING.value, "reserved")
    assert market.sandbox.calls(CANCEL_ORDER_PATH) == []


# --------------------------------------------------------------------------- 2. offline


def test_a_marketplace_error_is_not_offline(market: Market) -> None:
    (order_id,) = ready_orders(market, 1)
    orders.confirm_orders(market.ctx, [order_id])
    market.sandbox.inject(FaultKind.HTTP_500, count=10_000)
    report = od.deliver_outbox(market.ctx, factory=market.connector)
    assert (report.retrying, report.offline, report.marketplace_error) == (1, False, True)
    assert report.summary().endswith("(the marketplace answered with an error; will retry)")
    snap = sync.SYNC_STATE.snapshot()
    assert (snap["offline"], snap["marketplace_error"]) == (False, True)

    down = market.sync()
    assert down.outcome == "marketplace_error"
    line = sync.sync_log(market.ctx, market.shop_id)[0]
    assert line.level == "warning"
    assert line.message.startswith("The marketplace answered with an error (will retry): ")
    assert sync.SYNC_STATE.snapshot()["offline"] is False

    market.sandbox.clear_faults()
    market.sandbox.inject(FaultKind.DROP, count=10_000)  # no answer at all: offline
    dropped = od.deliver_outbox(market.ctx, factory=market.connector)
    assert (dropped.offline, dropped.marketplace_error) == (True, False)
    assert dropped.summary().endswith("(offline)")
    assert market.sync().outcome == "offline"
    assert sync.SYNC_STATE.snapshot()["offline"] is True

    market.sandbox.clear_faults()
    assert market.sync().outcome == "ok"
    snap = sync.SYNC_STATE.snapshot()
    assert (snap["offline"], snap["marketplace_error"]) == (False, False)


# --------------------------------------------------------------------------- 3. history


def test_the_status_history_keeps_no_platform_code(market: Market) -> None:
    rows = _one(market, "SELECT count(*) FROM order_status_changes WHERE source = 'sync'")
    assert rows
    noted = _one(market, "SELECT count(*) FROM order_status_changes"
                         " WHERE source = 'sync' AND note IS NOT NULL")  # fmt: skip
    assert noted == 0


# --------------------------------------------------------------------------- 6. customers


def test_synced_buyers_come_from_the_shops_channel(market: Market) -> None:
    with market.engine.connect() as conn:
        sources = conn.exec_driver_sql("SELECT DISTINCT source FROM customers").scalars().all()
    assert sources == ["shopee"]


def test_seller_center_buyers_come_from_the_channel_a_file_import_keeps_import(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    rows = shopee_rows("2611020AAA001", [("AO", "Áo", 1, 90000, 90000)], total=90000)
    import_export(ctx, write_shopee(tmp_path / "Order.all.xlsx", rows), shop="Shopee HN")
    with engine.connect() as conn:
        assert driver_sql(conn, "SELECT source FROM customers").all() == [("shopee",)]
    assert IMPORT_SOURCE == "import"  # the generic order file's (tests/services/test_order_import)


# --------------------------------------------------------------------------- 4. money


def test_a_buyer_total_above_items_and_shipping_rejects_its_order(
    ctx: ServiceContext, engine: Engine, tmp_path: Path
) -> None:
    rows = (shopee_rows("GOOD1", [("A", "A", 1, "50.000", "50.000")], total="65.000",
                        shipping="15.000")
            + shopee_rows("OVER2", [("C", "C", 1, "50.000", "50.000")], total="500.000",
                          shipping="15.000"))  # fmt: skip
    report = import_export(ctx, write_shopee(tmp_path / "over.xlsx", rows), shop="S")
    assert (report.orders_inserted, report.orders_rejected) == (1, 1)
    with engine.connect() as conn:
        stored = driver_sql(conn, "SELECT external_id, shipping_fee, total FROM orders").all()
    assert [tuple(r) for r in stored] == [("GOOD1", 15000, 65000)]
    (rejected,) = report.rejected
    assert str(rejected) == (
        f"row 3, {TOTAL_ORDER}: 500,000 is more than the order's items (50,000) and shipping "
        "fee (15,000) together: the export does not say what the difference is for; check "
        "the order in the Seller Center"
    )
