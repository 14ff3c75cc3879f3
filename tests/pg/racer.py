"""Another app process for the race tests: `python -m tests.pg.racer MODE URL [ARGS...]`.

It opens the database at URL like the app does, then reads commands on stdin, one JSON
object a line, and answers each with one JSON line on stdout. A command's `at` is a
`time.monotonic()` deadline (the clock is system-wide on Linux): every racer waits for
it, so the processes start the same action together. Modes:

- `sale URL VARIANT_ID QUANTITY`: a counter sale of QUANTITY units as the owner;
  answers {"sold": order number} | {"shortage": message} | {"error": text}.
- `pay URL CUSTOMER_ID AMOUNT`: the customer pays AMOUNT towards what they owe (sales on
  account) as the owner; answers {"paid": payment code} | {"refused": message}.
- `return URL`: returns one unit of the command's `line` of its `order` as the owner
  (Return…); answers {"returned": refund} | {"refused": message}.
- `sync URL SHOP_ID CONNECTOR_JSON`: syncs the shop from the Shopee sandbox; a command's
  `now` sets the clock; answers the sync report (outcome, message, inserted, updated).
- `edit URL QUANTITY`: the sale screen's Edit on an order, as the owner: `{"open": ORDER_ID}`
  loads it (answers {"opened": true}); `{"save": true}` sets its first line to QUANTITY
  units and saves what was loaded; answers {"saved": order number} | {"refused": message}.
- `job URL NAME LEASE_SECONDS`: runs the job NAME under its lease (`jobs/lease.leased`);
  the job appends this process's id to the command's `log` file and sleeps `hold`
  seconds; `{"crash": true}` takes the lease and dies with it (os._exit).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from primedist.connectors.base import ConnectorConfig, MemoryTokenStore, TokenPair
from primedist.connectors.shopee import ShopeeConnector
from primedist.core.clock import FixedClock
from primedist.db.engine import make_engine
from primedist.errors import Conflict, ValidationError
from primedist.jobs import lease
from primedist.services import auth, order_edit, sync
from primedist.services.context import ServiceContext
from primedist.services.customer_account import receive_payment
from primedist.services.orders import (
    DraftLine,
    OrderDraft,
    StockShortage,
    create_order,
    return_order,
)

Action = Callable[[dict[str, Any]], dict[str, Any]]


def sale_action(ctx: ServiceContext, variant_id: int, quantity: int) -> Action:
    owner_ctx = ctx.with_actor(auth.owner_actor(ctx))
    draft = OrderDraft(lines=(DraftLine(variant_id, quantity),))

    def sell(_cmd: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"sold": create_order(owner_ctx, draft).external_id}
        except StockShortage as exc:
            return {"shortage": str(exc)}

    return sell


def pay_action(ctx: ServiceContext, customer_id: int, amount: int) -> Action:
    owner_ctx = ctx.with_actor(auth.owner_actor(ctx))

    def pay(_cmd: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"paid": receive_payment(owner_ctx, customer_id, amount).reference}
        except ValidationError as exc:
            return {"refused": exc.user_message}

    return pay


def return_action(ctx: ServiceContext) -> Action:
    owner_ctx = ctx.with_actor(auth.owner_actor(ctx))

    def give_back(cmd: dict[str, Any]) -> dict[str, Any]:
        try:
            done = return_order(owner_ctx, cmd["order"], {cmd["line"]: 1}, reason="race")
        except (ValidationError, Conflict) as exc:
            return {"refused": exc.user_message}
        return {"returned": done.refund_amount}

    return give_back


def edit_action(ctx: ServiceContext, quantity: int) -> Action:
    owner_ctx = ctx.with_actor(auth.owner_actor(ctx))
    opened: dict[str, Any] = {}

    def edit(cmd: dict[str, Any]) -> dict[str, Any]:
        if "open" in cmd:
            opened["id"] = cmd["open"]
            opened["draft"], opened["at"] = order_edit.edit_start(owner_ctx, cmd["open"])
            return {"opened": True}
        draft: OrderDraft = opened["draft"]
        first, *rest = draft.lines
        draft = replace(draft, lines=(replace(first, quantity=quantity), *rest))
        try:
            done = order_edit.update_order(owner_ctx, opened["id"], draft, loaded_at=opened["at"])
        except Conflict as exc:
            return {"refused": exc.user_message}
        return {"saved": done.external_id}

    return edit


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def sync_action(ctx: ServiceContext, shop_id: int, spec: dict[str, Any]) -> Action:
    clock = FixedClock(datetime.fromisoformat(spec["now"]))
    ctx.clock = clock
    tokens = spec["tokens"]
    store = MemoryTokenStore(TokenPair(
        tokens["access_token"], tokens["refresh_token"],
        datetime.fromisoformat(tokens["access_expires_at"]),
        _time(tokens["refresh_expires_at"]), tokens["shop_external_id"],
    ))  # fmt: skip
    config = ConnectorConfig(
        partner_id=spec["partner_id"], partner_key=spec["partner_key"], api_host=spec["url"],
        shop_external_id=tokens["shop_external_id"], timeout=10.0, backoff_base=0.001,
        backoff_max=0.01,
    )  # fmt: skip

    def connector(_ctx: ServiceContext, _shop_id: int) -> ShopeeConnector:
        return ShopeeConnector(config, store, clock=clock, sleep=lambda _s: None)

    def run(cmd: dict[str, Any]) -> dict[str, Any]:
        clock.set(datetime.fromisoformat(cmd["now"]))
        report = sync.sync_shop(ctx, shop_id, factory=connector)
        return {"outcome": report.outcome, "message": report.message,
                "inserted": report.inserted, "updated": report.updated}  # fmt: skip

    return run


def job_action(ctx: ServiceContext, name: str, lease_seconds: float) -> Action:
    length = timedelta(seconds=lease_seconds)

    def work(log: str, hold: float) -> None:
        with Path(log).open("a") as out:
            out.write(f"{os.getpid()}\n")
        time.sleep(hold)

    def run(cmd: dict[str, Any]) -> dict[str, Any]:
        if cmd.get("crash"):
            if lease.try_acquire(ctx.engine, name, lease=length):
                os._exit(3)  # dies holding the lease
            return {"crash": "not taken"}
        lease.leased(ctx.engine, name, work, lease=length)(cmd["log"], cmd.get("hold", 0))
        return {"done": True}

    return run


def main(argv: list[str]) -> None:
    mode, url, *args = argv
    ctx = ServiceContext(make_engine(url))
    actions: dict[str, Callable[[], Action]] = {
        "sale": lambda: sale_action(ctx, int(args[0]), int(args[1])),
        "pay": lambda: pay_action(ctx, int(args[0]), int(args[1])),
        "return": lambda: return_action(ctx),
        "sync": lambda: sync_action(ctx, int(args[0]), json.loads(args[1])),
        "edit": lambda: edit_action(ctx, int(args[0])),
        "job": lambda: job_action(ctx, args[0], float(args[1])),
    }
    action = actions[mode]()
    print(json.dumps({"ready": os.getpid()}), flush=True)  # noqa: T201
    for line in sys.stdin:
        cmd = json.loads(line)
        while time.monotonic() < cmd["at"]:
            pass  # spin: a sleep's wake-up is too coarse to start together
        try:
            answer = action(cmd)
        except Exception as exc:  # the test shows what went wrong in the other process
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1:])
