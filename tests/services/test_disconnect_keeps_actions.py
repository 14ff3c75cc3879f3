"""Disconnecting a shop keeps its actions waiting to be sent (the owner's confirmations and
cancellations), says how many, and notes on each why it waits: a delivery leaves them
alone (no call, no try used, the Sync panel reads the reason) until the shop is authorised
again, when they go out. `primedist init`, the Shopee sandbox over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from primedist.connectors.shopee import SHIP_ORDER_PATH
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.order import Order
from primedist.sandbox.shopee import ShopeeSandbox
from primedist.services import channels, orders
from primedist.services import outbox_delivery as od
from tests.cli_support import Run
from tests.services.test_sync_cli import linked  # noqa: F401 (a fixture)

audit_t = table_of(AuditEvent)
orders_t = table_of(Order)


def _confirmed(sandbox: ShopeeSandbox, ctx: Any) -> int:
    """A synced order the sandbox has ready to ship, confirmed here (queued for Shopee)."""
    ready = next(sn for sn in sandbox.order_sns()
                 if (sandbox.order_state(sn) or ("",))[0] == "READY_TO_SHIP")  # fmt: skip
    (order_id,) = orders.order_ids_by_number(ctx, ready)
    orders.confirm_orders(ctx, [order_id])
    return order_id


def _waits(ctx: Any, order_id: int) -> bool:
    with ctx.engine.connect() as conn:
        return bool(conn.execute(sa.select(orders_t.c.outbox_pending)
                                 .where(orders_t.c.id == order_id)).scalar_one())  # fmt: skip


def test_a_disconnected_shops_actions_wait_with_the_reason_and_go_out_once_authorised(
    cli: Callable[..., Run],
    linked: tuple[ShopeeSandbox, Any],  # noqa: F811
) -> None:
    sandbox, ctx = linked
    assert cli("sync").code == 0
    shop_id = channels.shop_id_by_name(ctx, "Shopee Test")
    order_id = _confirmed(sandbox, ctx)
    assert channels.actions_waiting(ctx, shop_id) == 1  # what the question names

    channels.disconnect_shop(ctx, shop_id)

    (action,) = od.list_actions(ctx)
    assert (action.kind, action.status.value, action.attempts) == ("order.confirm", "pending", 0)
    waiting_why = od.SHOP_DISCONNECTED
    assert action.last_error == waiting_why  # the Sync panel says why it waits
    with ctx.engine.connect() as conn:
        after = conn.execute(
            sa.select(audit_t.c.after_json).where(audit_t.c.action == "shop.disconnect")
        ).scalar_one()
    assert json.loads(after)["actions_waiting"] == 1
    calls = sandbox.request_count()

    report = od.deliver_outbox(ctx)  # Send now (the scheduler's run is the same)

    assert (report.delivered, report.retrying, report.failed) == (0, 0, 0)
    assert (report.waiting, report.held) == (1, 1)
    assert report.summary().endswith(
        "1 waiting (1 for disconnected shops, sent once authorised again)"
    )
    assert sandbox.request_count() == calls  # the marketplace was not asked
    (action,) = od.list_actions(ctx)
    # Kept, no try used up.
    assert (action.status, action.attempts, action.last_error) == ("pending", 0, waiting_why)
    assert _waits(ctx, order_id)

    channels.authorize_shop(ctx, shop_id, sandbox.authorize(), sandbox.config.shop_id)
    (action,) = od.list_actions(ctx)
    assert action.last_error is None  # the reason is gone

    report = od.deliver_outbox(ctx, due_only=True)  # the scheduler's next run
    assert (report.delivered, report.waiting, report.held) == (1, 0, 0)
    assert len(sandbox.calls(SHIP_ORDER_PATH)) == 1
    assert not _waits(ctx, order_id)


def test_cli_disconnect_says_how_many_actions_wait(
    cli: Callable[..., Run],
    linked: tuple[ShopeeSandbox, Any],  # noqa: F811
) -> None:
    sandbox, ctx = linked
    assert cli("sync").code == 0
    _confirmed(sandbox, ctx)

    run = cli("shop", "disconnect", "Shopee Test")

    assert run.code == 0, run.err
    assert run.out.strip() == (
        "Shopee Test disconnected; its orders are kept. 1 action waiting for this shop will be "
        "sent when it is connected again (primedist outbox lists them).")  # fmt: skip
    listed = cli("outbox", "--json").json()["actions"]
    assert [(a["kind"], a["status"], a["last_error"]) for a in listed] == [
        ("order.confirm", "pending", str(od.SHOP_DISCONNECTED))]  # fmt: skip
    again = cli("shop", "disconnect", "Shopee Test", "--json").json()
    assert again["actions_waiting"] == 1


def test_an_action_queued_after_the_disconnect_waits_with_the_reason_too(
    linked: tuple[ShopeeSandbox, Any],  # noqa: F811
) -> None:
    sandbox, ctx = linked
    shop_id = channels.shop_id_by_name(ctx, "Shopee Test")
    assert channels.sync_now(ctx, shop_id).outcome == "ok"
    channels.disconnect_shop(ctx, shop_id)
    _confirmed(sandbox, ctx)  # the owner confirms an order of the disconnected shop
    (action,) = od.list_actions(ctx)
    assert action.last_error is None
    calls = sandbox.request_count()

    report = od.deliver_outbox(ctx, due_only=True)  # the scheduler's run

    assert (report.retrying, report.held, sandbox.request_count()) == (0, 1, calls)
    (action,) = od.list_actions(ctx)
    assert (action.status, action.attempts, action.last_error) == (
        "pending", 0, od.SHOP_DISCONNECTED)  # fmt: skip
