"""`primedist sync` and `primedist outbox` end to end: a store made by `primedist init`, a
Shopee shop linked to the sandbox through Sales channels, real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from primedist.cli import as_owner, open_context
from primedist.config import resolve_settings
from primedist.connectors.shopee import SHIP_ORDER_PATH
from primedist.sandbox.shopee import FaultKind, SandboxConfig, ShopeeSandbox
from primedist.services import channels, orders
from tests.cli_support import INIT_ARGS, Run


@pytest.fixture
def linked(cli: Callable[..., Run]) -> Iterator[tuple[ShopeeSandbox, Any]]:
    """A store with the sandbox's shop linked (wall clock: the CLI uses it too)."""
    assert cli("init", *INIT_ARGS).code == 0
    sandbox = ShopeeSandbox(SandboxConfig(orders=120, history_days=4, seed=4))
    sandbox.start()
    try:
        ctx = as_owner(open_context(resolve_settings()))
        shop_id = channels.add_shopee_shop(
            ctx, name="Shopee Test", partner_id=sandbox.config.partner_id,
            partner_key=sandbox.config.partner_key, api_host=sandbox.url,
        )  # fmt: skip
        channels.authorize_shop(ctx, shop_id, sandbox.authorize(), sandbox.config.shop_id)
        yield sandbox, ctx
    finally:
        sandbox.stop()


def test_sync_pulls_every_order_and_says_so(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    sandbox, _ctx = linked
    run = cli("sync", "--json")
    assert run.code == 0, run.err
    (shop,) = run.json()["shops"]
    assert (shop["shop"], shop["outcome"], shop["inserted"]) == ("Shopee Test", "ok", 120)
    again = cli("sync", "--shop", "Shopee Test")
    assert again.code == 0
    assert again.out.startswith("Shopee Test: ") and "0 new" in again.out


def test_sync_exits_1_when_the_marketplace_is_down(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    sandbox, _ctx = linked
    sandbox.inject(FaultKind.HTTP_500, count=10_000)
    run = cli("sync")
    assert run.code == 1
    assert "Shopee Test: offline" in run.out


def test_a_shop_paused_by_the_daily_limit_is_listed_paused(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    sandbox, _ctx = linked
    sandbox.inject(FaultKind.DAILY_LIMIT, count=1)
    assert "Shopee Test: paused" in cli("sync").out
    (shop,) = cli("shop", "list", "--json").json()["shops"]
    assert (shop["status"], shop["paused_until"] is not None) == ("paused", True)


def test_refetch_needs_a_shop(cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]) -> None:
    run = cli("sync", "--from", "2026-11-01")
    assert run.code != 0
    assert "needs --shop" in run.error_line()


def test_a_refetch_from_a_future_day_names_that_day(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    from datetime import date, timedelta

    later = date.today() + timedelta(days=5)
    run = cli("sync", "--shop", "Shopee Test", "--from", f"{later:%Y-%m-%d}")
    assert run.code != 0
    assert f"--from {later:%Y-%m-%d} is in the future." in run.error_line()  # not about --to


def test_outbox_lists_then_delivers(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    sandbox, ctx = linked
    assert cli("sync").code == 0
    ready = next(sn for sn in sandbox.order_sns()
                 if (sandbox.order_state(sn) or ("",))[0] == "READY_TO_SHIP")  # fmt: skip
    (order_id,) = orders.order_ids_by_number(ctx, ready)
    orders.confirm_orders(ctx, [order_id])
    listed = cli("outbox", "--json").json()["actions"]
    assert [(a["kind"], a["subject"], a["status"]) for a in listed] == [
        ("order.confirm", ready, "pending")
    ]
    sent = cli("outbox", "--deliver")
    assert sent.code == 0, sent.out
    assert sent.out.splitlines()[0].startswith("Delivery: 1 delivered")
    assert "No actions waiting." in sent.out
    assert len(sandbox.calls(SHIP_ORDER_PATH)) == 1
