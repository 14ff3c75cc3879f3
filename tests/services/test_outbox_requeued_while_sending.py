"""A stock figure coalesced into a push while that push is being sent is not lost: the
push stays pending and the newer figure goes out next (an older figure marked done would
leave the marketplace selling stock the shop no longer has)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from primedist.services.outbox import queue_coalesced
from tests.driver_sql import driver_sql
from tests.services.test_sync import Market, _sandbox

KEY = "stock:push-test"


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=20, history_days=2, seed=5):
        yield Market(ctx, engine, sandbox)


def queue_figure(market: Market, available: int) -> None:
    """What a sale or a receipt does to the listing's push: one message, newest figure."""
    payload = json.dumps({"variant_id": 1, "listing_external_id": "1", "available": available})
    row = {"intent_key": KEY, "shop_id": market.shop_id, "payload_json": payload}
    with market.engine.begin() as conn:
        queue_coalesced(conn, "stock.push", {KEY: row}, market.ctx.clock.now())


def push_row(market: Market) -> tuple[str, int]:
    with market.engine.connect() as conn:
        status, payload = driver_sql(
            conn, "SELECT status, payload_json FROM outbox_messages WHERE intent_key = ?", (KEY,)
        ).one()
    return str(status), int(json.loads(payload)["available"])


def deliver(market: Market) -> od.DeliveryReport:
    return od.deliver_outbox(market.ctx, factory=market.connector)


def test_a_figure_queued_while_its_push_is_sent_goes_out_next(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_figure(market, 10)
    sent: list[int] = []

    def send(_ctx: Any, _connector: Any, action: Any) -> None:
        sent.append(int(json.loads(action.payload_json)["available"]))
        if len(sent) == 1:
            queue_figure(market, 7)  # a sale at the counter while the 10 is on its way

    monkeypatch.setattr(od, "_send", send)
    deliver(market)
    assert sent == [10]
    assert push_row(market) == ("pending", 7)  # not marked done with the 7 unsent
    deliver(market)
    assert sent == [10, 7]
    assert push_row(market) == ("done", 7)


def test_the_figure_sent_is_the_one_claimed_not_the_one_read_before(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue_figure(market, 10)
    sent: list[int] = []
    claim = od._claim

    def late_claim(ctx: ServiceContext, action: Any) -> bool | None:
        queue_figure(market, 4)  # coalesced after the due list was read
        return claim(ctx, action)

    def send(_ctx: Any, _connector: Any, action: Any) -> None:
        sent.append(int(json.loads(action.payload_json)["available"]))

    monkeypatch.setattr(od, "_claim", late_claim)
    monkeypatch.setattr(od, "_send", send)
    deliver(market)
    assert sent == [4]
    assert push_row(market) == ("done", 4)
