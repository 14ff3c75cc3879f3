# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""A marketplace action that cannot or did not go through, against the sandbox over real
HTTP: an unpaid Shopee order is refused before anything is queued; a failure leads with
our own words (then the platform's); the order and the lists show it; the demo's own
Shopee orders are known to its sandbox, so confirming them works."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from primedist.connectors.shopee import SHIP_ORDER_PATH
from primedist.core.messages import reread
from primedist.domain.enums import OrderStatus, OutboxStatus
from primedist.errors import Conflict
from primedist.queries.orders import ORDERS_SPEC
from primedist.queries.spec import fetch_rows
from primedist.services import demo_sync, orders
from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from tests.services.test_demo_sync import demo_ctx  # noqa: F401  (fixture)
from tests.services.test_sync import Market
from tests.services.test_sync_outbox import _ready_to_ship, market  # noqa: F401  (fixture)


def _ids_by_sn(market: Market) -> dict[str, int]:
    with market.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT external_id, id FROM orders")).all())


def _unpaid(market: Market) -> list[int]:
    ids = _ids_by_sn(market)
    return [ids[sn] for sn in market.sandbox.order_sns()
            if (market.sandbox.order_state(sn) or ("",))[0] == "UNPAID" and sn in ids]  # fmt: skip


def _confirms(market: Market) -> list[int]:
    with market.engine.connect() as conn:
        query = sa.text("SELECT order_id FROM outbox_messages WHERE kind = 'order.confirm'")
        return list(conn.execute(query).scalars())


def test_an_unpaid_shopee_order_is_not_confirmed_and_nothing_is_queued(market: Market) -> None:
    unpaid = _unpaid(market)
    assert unpaid, "the sandbox has unpaid orders"
    (ready,) = _ready_to_ship(market, 1)
    # The sync keeps Shopee's own status: UNPAID and READY_TO_SHIP are both pending here.
    with market.engine.connect() as conn:
        kept = dict(conn.execute(sa.text("SELECT id, external_status FROM orders")).all())
    assert kept[unpaid[0]] == "UNPAID" and kept[ready] == "READY_TO_SHIP"

    with pytest.raises(Conflict, match="is not paid yet on") as refused:
        orders.change_status(market.ctx, unpaid[0], OrderStatus.CONFIRMED)
    assert refused.value.user_message.values["channel"] == "shopee"  # shown by its label

    bulk = orders.confirm_orders(market.ctx, [unpaid[0], ready])
    assert bulk.done == [ready]  # the others are confirmed
    ((skipped, number, why),) = bulk.skipped
    assert skipped == unpaid[0] and number in why
    assert "confirm it once {channel} shows it ready to ship" in why.template  # type: ignore[attr-defined]
    assert _confirms(market) == [ready]
    assert orders.order_detail(market.ctx, unpaid[0]).order.status == OrderStatus.PENDING
    assert od.deliver_outbox(market.ctx, factory=market.connector).failed == 0


def test_a_failed_confirm_says_why_in_our_words_and_the_order_shows_it(market: Market) -> None:
    gone, other = _ready_to_ship(market, 2)
    orders.confirm_orders(market.ctx, [gone, other])
    with market.engine.begin() as conn:  # an order Shopee does not know (as the demo's were)
        conn.execute(sa.text("UPDATE outbox_messages SET payload_json = "
                             "'{\"external_id\": \"251201ABCDEFGH\"}' WHERE order_id = :o"),
                     {"o": gone})  # fmt: skip
    report = od.deliver_outbox(market.ctx, factory=market.connector)
    assert (report.delivered, report.failed) == (1, 1)

    detail = orders.order_detail(market.ctx, gone)
    assert detail.order.status == OrderStatus.CONFIRMED  # as it was changed here
    ((failed),) = detail.failed_actions
    assert failed.kind == "order.confirm"
    text = failed.last_error or ""
    assert text.startswith("Shopee did not take the confirmation: the order is not on the "
                           "marketplace (“Order 251201ABCDEFGH does not exist.")  # fmt: skip
    found = next(r for t in od.FAILURE_TEMPLATES if (r := reread(text, t)) is not None)
    assert found.values["action"] == "the confirmation"  # the panel words it again
    assert orders.order_detail(market.ctx, other).failed_actions == ()

    # The list's row carries the reason (one probe per row shown); the panel lists it first.
    with market.engine.connect() as conn:
        rows = fetch_rows(conn, ORDERS_SPEC, [gone, other])
    failed_col = [c.key for c in ORDERS_SPEC.columns].index("outbox_failed")
    assert rows[gone][failed_col] == text and rows[other][failed_col] == ""
    waiting = _ready_to_ship(market, 3)[2]
    orders.confirm_orders(market.ctx, [waiting])
    listed = od.list_actions(market.ctx)
    assert listed[0].status == OutboxStatus.FAILED and listed[0].id == failed.id

    od.discard_action(market.ctx, failed.id)
    assert orders.order_detail(market.ctx, gone).failed_actions == ()


def test_the_demo_pending_shopee_orders_confirm_without_a_failure(
    demo_ctx: ServiceContext,
) -> None:
    found = demo_sync.demo_shopee_shop(demo_ctx)
    assert found is not None
    with demo_ctx.engine.begin() as conn:
        # A small demo's own Shopee orders are all past pending: its newest few pending,
        # as a bigger demo has them (made by the demo, not by the sandbox).
        pending = list(conn.execute(sa.text(
            "SELECT id FROM orders WHERE shop_id = :s ORDER BY created_at DESC LIMIT 5"),
            {"s": found[0]}).scalars())  # fmt: skip
        conn.execute(sa.text("UPDATE orders SET status = 'pending', stock_state = 'none' "
                             "WHERE id IN (" + ", ".join(map(str, pending)) + ")"))  # fmt: skip
    assert len(pending) == 5
    running = demo_sync.start_demo_sync(demo_ctx)
    assert running is not None
    try:
        result = orders.confirm_orders(demo_ctx, pending)
        assert sorted(result.done) == sorted(pending)
        report = od.deliver_outbox(demo_ctx, shop_ids=[running.shop_id])
        assert report.failed == 0 and report.delivered >= len(pending), report.messages
        assert len(running.sandbox.calls(SHIP_ORDER_PATH)) == len(pending)
    finally:
        running.stop()
    with demo_ctx.engine.connect() as conn:
        query = sa.text("SELECT count(*) FROM outbox_messages WHERE status = 'failed'")
        failed = conn.execute(query).scalar_one()
    assert failed == 0
