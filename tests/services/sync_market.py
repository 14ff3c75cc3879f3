"""What the per-channel sync tests share: a running sandbox with a shop linked to it in
the store (`Market`), the checks that the store is in step with the sandbox, and the
`kill -9` of a syncing child process followed by a second run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.base import ConnectorConfig, MemoryTokenStore
from primedist.domain.enums import Channel, OrderStatus
from primedist.sandbox.base import FaultKind, MarketplaceSandbox
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.services.sync import Connector, SyncReport
from primedist.services.sync_writer import _HELD_STATE
from tests.driver_sql import driver_sql
from tests.factories import make_shop


@dataclass(frozen=True)
class Platform:
    """How a channel's connector reaches its sandbox."""

    channel: Channel
    connector: type[Any]
    status_map: Mapping[str, OrderStatus]
    #: (partner id / app key, key / secret, shop or seller id) of the sandbox's demo app.
    credentials: Callable[[Any], tuple[str, str, str]]
    #: (module, name, value) the kill -9 child sets before syncing (a slower path).
    child_overrides: tuple[tuple[str, str, object], ...] = ()

    @property
    def connector_path(self) -> str:
        """Where a child process imports the connector from."""
        return f"{self.connector.__module__}:{self.connector.__qualname__}"


def link_shop(engine: Engine, platform: Platform, sandbox: MarketplaceSandbox[Any], name: str,
              *, moves_stock: bool = False) -> int:  # fmt: skip
    """A shop of the platform's channel bound to the sandbox's account; `moves_stock`:
    every order moves stock (as if linked long ago), so the ledger gets exercised."""
    shop_id = make_shop(engine, name, platform.channel)
    with engine.begin() as conn:
        driver_sql(conn, "UPDATE shops SET external_shop_id = ? WHERE id = ?",
                   (platform.credentials(sandbox)[2], shop_id))  # fmt: skip
        if moves_stock:
            driver_sql(
                conn,
                "INSERT INTO sync_checkpoints (shop_id, resource, error_count, stock_since)"
                " VALUES (?, 'orders', 0, '2000-01-01 00:00:00.000000')",
                (shop_id,),
            )
    return shop_id


class Market:
    """A running sandbox, a shop linked to it in the store, and connectors to it."""

    def __init__(self, ctx: ServiceContext, engine: Engine, sandbox: Any, platform: Platform,
                 name: str, *, moves_stock: bool = False) -> None:  # fmt: skip
        self.ctx, self.engine, self.sandbox, self.platform = ctx, engine, sandbox, platform
        self.shop_id = link_shop(engine, platform, sandbox, name, moves_stock=moves_stock)
        self.store = MemoryTokenStore(sandbox.linked_tokens())
        self.timeout = 2.0

    def connector(self, _ctx: object = None, _shop_id: object = None) -> Connector:
        key, secret, account = self.platform.credentials(self.sandbox)
        cfg = ConnectorConfig(partner_id=key, partner_key=secret, api_host=self.sandbox.url,
                              shop_external_id=account, timeout=self.timeout,
                              backoff_base=0.001, backoff_max=0.01)  # fmt: skip
        connector: Connector = self.platform.connector(
            cfg, self.store, clock=self.ctx.clock, sleep=lambda _s: None
        )
        return connector

    def sync(self) -> SyncReport:
        return sync.sync_shop(self.ctx, self.shop_id, factory=self.connector)

    def stored(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.text(
                "SELECT external_id, status FROM orders WHERE shop_id = :s"
            ), {"s": self.shop_id}).all())  # fmt: skip

    def assert_in_step(self) -> None:
        assert_in_step(self.engine, self.sandbox, self.platform)


def expected_statuses(sandbox: MarketplaceSandbox[Any], platform: Platform) -> dict[str, str]:
    """Every order the sandbox has now, with the status we must have stored."""
    out = {}
    for oid in sandbox.order_ids():
        state = sandbox.order_state(oid)
        assert state is not None
        out[oid] = platform.status_map[state[0]].value
    return out


def assert_in_step(engine: Engine, sandbox: MarketplaceSandbox[Any], platform: Platform) -> None:
    """Every sandbox order stored once with its current status; lines add up, none orphaned."""
    with engine.connect() as conn:
        query = "SELECT external_id, status FROM orders"
        stored: dict[str, str] = dict(driver_sql(conn, query).all())
        bad_totals = driver_sql(
            conn,
            "SELECT count(*) FROM orders o WHERE o.subtotal !="
            " (SELECT sum(l.subtotal) FROM order_lines l WHERE l.order_id = o.id)",
        ).scalar_one()
        orphans = driver_sql(
            conn, "SELECT count(*) FROM order_lines WHERE order_id NOT IN (SELECT id FROM orders)"
        ).scalar_one()
    assert stored == expected_statuses(sandbox, platform)  # nothing lost, nothing extra
    assert (bad_totals, orphans) == (0, 0)


def assert_every_stock_change_moved(engine: Engine) -> None:
    """Each variant's stock and reservation are the sum of its stock movements."""
    with engine.connect() as conn:
        ledger = driver_sql(
            conn,
            "SELECT v.sku, v.stock, v.reserved, COALESCE(sum(m.quantity), 0),"
            " COALESCE(sum(m.reserved_change), 0) FROM variants v"
            " LEFT JOIN stock_movements m ON m.variant_id = v.id GROUP BY v.id",
        ).all()
    for sku, stock, reserved, moved, reserved_moved in ledger:
        assert (stock, reserved) == (moved, reserved_moved), sku


def assert_stock_states_follow_statuses(engine: Engine) -> None:
    """Each order holds stock (reserved, consumed, none) as its status says."""
    with engine.connect() as conn:
        states = driver_sql(conn, "SELECT status, stock_state FROM orders").all()
    for status, stock_state in states:
        assert _HELD_STATE[status].value == stock_state, (status, stock_state)


# --------------------------------------------------------------------------- kill -9

CHILD = """
import json, sys
from datetime import datetime
from importlib import import_module
from primedist.connectors.base import ConnectorConfig, MemoryTokenStore, TokenPair
from primedist.db.engine import make_engine
from primedist.services import sync
from primedist.services.context import ServiceContext

a = json.loads(sys.argv[1])
module, name = a["connector"].split(":")
make = getattr(import_module(module), name)
store = MemoryTokenStore(TokenPair(
    access_token=a["access"], refresh_token=a["refresh"],
    access_expires_at=datetime.fromisoformat(a["expires"]), refresh_expires_at=None,
    shop_external_id=a["account"]))
cfg = ConnectorConfig(partner_id=a["key"], partner_key=a["secret"], api_host=a["host"],
                      shop_external_id=a["account"])
sync.BATCH_ORDERS = 100  # many small transactions: the kill lands between or inside one
for module_name, attribute, value in a["overrides"]:
    setattr(import_module(module_name), attribute, value)
ctx = ServiceContext(make_engine(a["db"]))
report = sync.sync_shop(ctx, a["shop"], factory=lambda c, s: make(cfg, store))
print(report.outcome, report.inserted, flush=True)
"""


def start_child(sandbox: MarketplaceSandbox[Any], platform: Platform, db_url: str,
                shop_id: int) -> subprocess.Popen[str]:  # fmt: skip
    """A child process syncing the shop with fresh tokens of the sandbox."""
    tokens = sandbox.linked_tokens()
    key, secret, account = platform.credentials(sandbox)
    args = {
        "access": tokens.access_token, "refresh": tokens.refresh_token,
        "expires": tokens.access_expires_at.isoformat(), "account": account,
        "key": key, "secret": secret, "host": sandbox.url, "db": db_url, "shop": shop_id,
        "connector": platform.connector_path, "overrides": platform.child_overrides,
    }  # fmt: skip
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def count_orders(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(driver_sql(conn, "SELECT count(*) FROM orders").scalar_one())


def kill_mid_sync_then_resume(engine: Engine, db_url: str, sandbox: MarketplaceSandbox[Any],
                              platform: Platform, slow_path: str) -> int:  # fmt: skip
    """Kill -9 a child syncing the sandbox's 1,500 orders (slowed on `slow_path`) once it
    stored 200, then let a second child finish: it must end "ok" with the store in step
    and every stock change a movement. Returns the shop's id."""
    shop_id = link_shop(engine, platform, sandbox, f"{platform.channel} kill", moves_stock=True)
    sandbox.inject(FaultKind.SLOW, count=1_000_000, path=slow_path, delay=0.03)
    child = start_child(sandbox, platform, db_url, shop_id)
    deadline = time.monotonic() + 60
    while count_orders(engine) < 200 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert child.returncode == -signal.SIGKILL
    partial = count_orders(engine)
    assert 0 < partial < 1500, partial

    sandbox.clear_faults()
    again = start_child(sandbox, platform, db_url, shop_id)
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert out.split()[0] == "ok", out
    assert_in_step(engine, sandbox, platform)
    assert_every_stock_change_moved(engine)
    return shop_id
