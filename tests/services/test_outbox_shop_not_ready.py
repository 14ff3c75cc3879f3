"""A shop not set up yet (no app credentials, as the demo's Lazada shop; or added and not
authorised yet) cannot take its actions: they wait, noting why, without using a try nor
being tried again at every delivery, and are counted apart from those waiting for the
network. Once the owner adds the credentials and authorises the shop, the next delivery
sends them, in order, exactly once. `primedist init`, the Shopee sandbox over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest

from primedist.cli import as_owner, open_context
from primedist.config import resolve_settings
from primedist.connectors.shopee import SHIP_ORDER_PATH
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services import channels
from primedist.services import outbox_delivery as od
from primedist.services.sync import SYNC_STATE
from tests.cli_support import INIT_ARGS, Run
from tests.factories import make_shop


@pytest.fixture
def sandbox_and_ctx(cli: Callable[..., Run]) -> Iterator[tuple[ShopeeSandbox, Any]]:
    """A store and a running Shopee sandbox; no shop linked to it yet."""
    assert cli("init", *INIT_ARGS).code == 0
    sandbox = ShopeeSandbox(SandboxConfig(orders=40, history_days=4, seed=4))
    sandbox.start()
    try:
        yield sandbox, as_owner(open_context(resolve_settings()))
    finally:
        sandbox.stop()


def _queue_confirms(ctx: Any, shop_id: int, order_sns: list[str]) -> None:
    """The owner confirmed these orders here: a confirm each waits for the marketplace."""
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        for sn in order_sns:
            conn.exec_driver_sql(
                "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
                " attempts, next_attempt_at, created_at, updated_at) VALUES"
                " (?, 'order.confirm', ?, ?, 'pending', 0, ?, ?, ?)",
                (f"confirm:{sn}", shop_id, json.dumps({"external_id": sn}), now, now, now),
            )  # fmt: skip


def _ready_orders(sandbox: ShopeeSandbox, n: int) -> list[str]:
    return [sn for sn in sandbox.order_sns()
            if (sandbox.order_state(sn) or ("",))[0] == "READY_TO_SHIP"][:n]  # fmt: skip


def _state(ctx: Any) -> list[tuple[str, int, datetime, str | None]]:
    return [(a.status.value, a.attempts, a.next_attempt_at, a.last_error)
            for a in od.list_actions(ctx)]  # fmt: skip


def test_a_shop_not_set_up_yet_is_not_tried_until_the_owner_links_it(
    sandbox_and_ctx: tuple[ShopeeSandbox, Any],
) -> None:
    sandbox, ctx = sandbox_and_ctx
    shop_id = make_shop(ctx.engine, "Shopee Test")  # as the demo's Lazada shop: no app key
    first, second = _ready_orders(sandbox, 2)
    _queue_confirms(ctx, shop_id, [first, second])
    calls = sandbox.request_count()

    for _run in range(3):  # the scheduler, minute after minute
        report = od.deliver_outbox(ctx, due_only=True)
        assert (report.not_ready, report.retrying, report.delivered) == (2, 0, 0)
    assert report.summary().endswith(
        "2 waiting (2 for shops not linked yet, sent once linked in Sales channels)"
    )
    states = _state(ctx)
    assert [(s, tries) for s, tries, _at, _why in states] == [("pending", 0), ("pending", 0)]
    assert all(
        why and why == "Shopee Test has no partner id/key: add them in Sales channels."
        for *_s, why in states
    )
    # Counted apart: they wait for the owner, not for the network.
    assert (od.waiting_count(ctx), od.held_count(ctx)) == (2, 2)
    assert SYNC_STATE.snapshot()["held"] == 2
    assert sandbox.request_count() == calls

    # The owner adds the app's credentials (Add store… with the same name): not linked yet.
    config = sandbox.config
    channels.add_shopee_shop(ctx, name="Shopee Test", partner_id=config.partner_id,
                             partner_key=config.partner_key, api_host=sandbox.url)  # fmt: skip
    report = od.deliver_outbox(ctx, due_only=True)
    assert (report.not_ready, report.retrying, report.delivered) == (2, 0, 0)
    assert [(tries, why) for _s, tries, _at, why in _state(ctx)] == [
        (0, "Shopee Test is not linked yet: authorise it in Sales channels.")
    ] * 2
    assert od.held_count(ctx) == 2 and sandbox.request_count() == calls

    # … and authorises it: the reason is gone, the next run of the scheduler sends them.
    channels.authorize_shop(ctx, shop_id, sandbox.authorize(), sandbox.config.shop_id)
    assert [why for *_s, why in _state(ctx)] == [None, None]
    assert od.held_count(ctx) == 0
    report = od.deliver_outbox(ctx, due_only=True)
    assert (report.delivered, report.not_ready, report.waiting) == (2, 0, 0)
    assert [c.body["order_sn"] for c in sandbox.calls(SHIP_ORDER_PATH)] == [first, second]
    report = od.deliver_outbox(ctx)  # Send now afterwards: nothing is sent twice
    assert report.delivered == 0 and len(sandbox.calls(SHIP_ORDER_PATH)) == 2
    assert SYNC_STATE.snapshot()["held"] == 0


def test_a_ready_shop_is_not_held_behind_one_not_set_up(
    sandbox_and_ctx: tuple[ShopeeSandbox, Any],
) -> None:
    sandbox, ctx = sandbox_and_ctx
    waiting_shop = make_shop(ctx.engine, "Prime Store - Lazada", "lazada")
    linked = channels.add_shopee_shop(ctx, name="Shopee Test",
                                      partner_id=sandbox.config.partner_id,
                                      partner_key=sandbox.config.partner_key,
                                      api_host=sandbox.url)  # fmt: skip
    channels.authorize_shop(ctx, linked, sandbox.authorize(), sandbox.config.shop_id)
    (sn,) = _ready_orders(sandbox, 1)
    _queue_confirms(ctx, waiting_shop, ["LZ-1"])
    _queue_confirms(ctx, linked, [sn])

    report = od.deliver_outbox(ctx, due_only=True)

    assert (report.delivered, report.not_ready, report.retrying) == (1, 1, 0)
    (left,) = od.list_actions(ctx)
    assert (left.shop, left.attempts, left.shop_state) == ("Prime Store - Lazada", 0, "not_linked")
    assert (od.waiting_count(ctx), od.held_count(ctx)) == (1, 1)
