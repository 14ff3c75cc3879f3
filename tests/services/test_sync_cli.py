"""`primedist sync` and `primedist outbox` end to end: a store made by `primedist init`, a
Shopee shop linked to the sandbox through Sales channels, real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from primedist.cli import as_owner, open_context
from primedist.config import resolve_settings
from primedist.connectors.shopee import SHIP_ORDER_PATH
from primedist.jobs import lease
from primedist.jobs import sync as sync_jobs
from primedist.sandbox.shopee import FaultKind, SandboxConfig, ShopeeSandbox
from primedist.services import channels, orders, sync
from primedist.services import outbox_delivery as od
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
    assert "Shopee Test: marketplace_error" in run.out


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
    assert f"--from {later:%Y-%m-%d} is in the future" in run.error_line()  # not about --to


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


def _flag_needs_reauth(ctx: Any) -> int:
    """The shop as a refused refresh leaves it (`mark_needs_reauth`); its id."""
    shop_id = channels.shop_id_by_name(ctx, "Shopee Test")
    with ctx.uow() as session:
        channels.mark_needs_reauth(ctx, session, shop_id, "refresh token refused")
    return shop_id


def _confirm_one(sandbox: ShopeeSandbox, ctx: Any) -> None:
    """Confirm a synced order the sandbox has ready to ship; its first try fails (500), so
    it waits behind its retry delay."""
    ready = next(sn for sn in sandbox.order_sns()
                 if (sandbox.order_state(sn) or ("",))[0] == "READY_TO_SHIP")  # fmt: skip
    (order_id,) = orders.order_ids_by_number(ctx, ready)
    orders.confirm_orders(ctx, [order_id])
    sandbox.inject(FaultKind.HTTP_500, count=1_000_000)
    tried = od.deliver_outbox(ctx)
    assert (tried.retrying, tried.delivered) == (1, 0)
    sandbox.clear_faults()


def test_outbox_deliver_does_not_wait_for_the_retry_delay(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    sandbox, ctx = linked
    assert cli("sync").code == 0
    _confirm_one(sandbox, ctx)
    sync_jobs.deliver(ctx)  # the scheduler's run: the try is not due yet
    assert len(sandbox.calls(SHIP_ORDER_PATH)) == 0
    sent = cli("outbox", "--deliver")  # the network is back: the owner sends it now
    assert sent.code == 0, sent.out
    assert sent.out.splitlines()[0].startswith("Delivery: 1 delivered"), sent.out
    assert len(sandbox.calls(SHIP_ORDER_PATH)) == 1


def test_reauthorising_a_shop_sends_its_waiting_actions_at_the_next_run(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    sandbox, ctx = linked
    assert cli("sync").code == 0
    _confirm_one(sandbox, ctx)
    shop_id = _flag_needs_reauth(ctx)
    channels.authorize_shop(ctx, shop_id, sandbox.authorize(), sandbox.config.shop_id)
    sync_jobs.deliver(ctx)  # the scheduler's next run, not hours later
    assert len(sandbox.calls(SHIP_ORDER_PATH)) == 1
    assert od.list_actions(ctx) == []


def test_sync_names_a_shop_to_reauthorise_and_exits_1(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    sandbox, ctx = linked
    _flag_needs_reauth(ctx)
    run = cli("sync")
    assert run.code == 1  # a cron `primedist sync || alert` speaks up
    assert run.out.strip() == (
        "Shopee Test: needs_reauth: Re-authorise the shop in Settings → Sales channels, "
        "then sync again."
    )
    (shop,) = cli("sync", "--json").json()["shops"]
    assert (shop["shop"], shop["outcome"]) == ("Shopee Test", "needs_reauth")
    assert "Settings → Sales channels" in shop["message"]
    assert sandbox.calls() == []  # skipped, as the scheduler skips it


def test_syncing_a_shop_to_reauthorise_whose_tokens_work_makes_it_active(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    _sandbox, ctx = linked
    _flag_needs_reauth(ctx)
    run = cli("sync", "--shop", "Shopee Test")
    assert run.code == 0, run.out
    assert run.out.startswith("Shopee Test: 120 orders fetched")
    (shop,) = cli("shop", "list", "--json").json()["shops"]
    assert shop["status"] == "connected"
    assert cli("sync").code == 0  # synced with the others again


def test_sync_of_a_shop_another_pc_syncs_now_names_that_pc_and_is_no_failure(
    cli: Callable[..., Run], linked: tuple[ShopeeSandbox, Any]
) -> None:
    """The app's schedule (or Sync now) on KHO-PC holds the shop's pull lease: `primedist
    sync` does not sync it a second time meanwhile; it says so, exit 0 (no alert from a
    cron `primedist sync || alert`: the shop is being synced)."""
    sandbox, ctx = linked
    job = f"{sync.PULL_PREFIX}{channels.shop_id_by_name(ctx, 'Shopee Test')}"
    assert lease.try_acquire(ctx.engine, job, holder="KHO-PC:4242:1a2b3c4d")
    asked = sandbox.request_count()
    run = cli("sync", "--shop", "Shopee Test")
    assert run.code == 0, run.err
    assert run.out.strip() == (
        "Shopee Test: busy: Already syncing on KHO-PC; its orders show when that sync "
        "finishes.")  # fmt: skip
    (shop,) = cli("sync", "--json").json()["shops"]
    assert (shop["outcome"], shop["fetched"]) == ("busy", 0)
    assert sandbox.request_count() == asked  # nothing asked of the marketplace
    assert orders.order_ids_by_number(ctx, sandbox.order_sns()[0]) == []
    lease.release(ctx.engine, job, holder="KHO-PC:4242:1a2b3c4d")  # its sync ended
    assert cli("sync", "--shop", "Shopee Test").out.startswith("Shopee Test: 120 orders fetched")
