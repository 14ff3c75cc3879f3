""" "N orders could not be read" is one of our messages (a `msg()` template, worded for one
order and for several), so the sync log and the Sync panel show it in the reader's
language; the platform's order numbers and the problems stay as they came."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from primedist.connectors.base import ConnectorError, UnreadableOrders
from primedist.connectors.lazada import ORDERS_ITEMS_PATH, map_order
from primedist.core.clock import FixedClock
from primedist.core.messages import Message
from primedist.sandbox.base import FaultKind
from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig
from primedist.services import sync
from primedist.services.context import ServiceContext
from tests.services.test_sync_lazada import LazadaMarket


def test_one_order_and_several_are_worded_apart_and_keep_their_template() -> None:
    one = UnreadableOrders([], {"372137023": "it has no items"})
    assert isinstance(one.user_message, Message)
    assert one.user_message.template == "1 order could not be read: {orders}."
    assert one.user_message == "1 order could not be read: 372137023."
    assert one.detail == "it has no items"

    many = UnreadableOrders([], {f"10{n}": "bad" for n in range(7)})
    assert isinstance(many.user_message, Message)
    assert many.user_message.template == "{count} orders could not be read: {orders}."
    assert many.user_message == "7 orders could not be read: 100, 101, 102, 103, 104, …."
    assert many.user_message.values["count"] == 7  # a number: the UI writes it its way


def test_a_lazada_order_that_cannot_be_read_is_named_in_our_words() -> None:
    with pytest.raises(ConnectorError) as caught:
        map_order({"order_id": "372137023"}, [])
    message = caught.value.user_message
    assert isinstance(message, Message)
    assert message.template == "Lazada order {order} could not be read: {reason}"
    assert message.values == {"order": "372137023", "reason": "it has no items"}


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[LazadaMarket]:
    config = LazadaSandboxConfig(orders=60, history_days=5, seed=5)
    with LazadaSandbox(config, clock=clock) as sandbox:
        yield LazadaMarket(ctx, engine, sandbox)


def test_the_sync_log_keeps_the_message_for_the_readers_language(market: LazadaMarket) -> None:
    market.sandbox.inject(FaultKind.CORRUPT, path=ORDERS_ITEMS_PATH)
    report = market.sync()
    assert report.outcome == "error"
    (line,) = sync.sync_log(market.ctx, market.shop_id)
    assert isinstance(line.message, Message)  # read back from the log as a message
    assert line.message.template == "Sync failed: {reason}"
    reason = line.message.values["reason"]
    assert isinstance(reason, Message)
    assert reason.template == "1 order could not be read: {orders}."
    assert str(reason).startswith("1 order could not be read: ")
