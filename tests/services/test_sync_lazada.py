"""The sync engine (services/sync.py) against the Lazada sandbox over real HTTP on
127.0.0.1: full and incremental sync, each fault, and `kill -9` of a syncing process then
a second run. The store is always compared with what the sandbox holds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.connectors.base import ConnectorConfig, MemoryTokenStore
from primedist.connectors.lazada import (
    ORDERS_ITEMS_PATH,
    ORDERS_PATH,
    STATUS_MAP,
    LazadaConnector,
)
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig
from primedist.sandbox.shopee import FaultKind
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.services.sync import Connector, SyncReport
from primedist.services.sync_writer import _HELD_STATE
from tests.driver_sql import driver_sql
from tests.factories import make_shop


class Market:
    """A running Lazada sandbox, a Lazada shop in the store, and connectors to it."""

    def __init__(self, ctx: ServiceContext, engine: Engine, sandbox: LazadaSandbox) -> None:
        self.ctx, self.engine, self.sandbox = ctx, engine, sandbox
        self.shop_id = make_shop(engine, "Lazada Sandbox", Channel.LAZADA)
        with engine.begin() as conn:
            driver_sql(conn, "UPDATE shops SET external_shop_id = ? WHERE id = ?",
                                 (str(sandbox.config.seller_id), self.shop_id))  # fmt: skip
            # Every order moves stock (as if linked long ago): the ledger gets exercised.
            driver_sql(
                conn,
                "INSERT INTO sync_checkpoints (shop_id, resource, error_count, stock_since)"
                " VALUES (?, 'orders', 0, '2000-01-01 00:00:00.000000')",
                (self.shop_id,),
            )
        self.store = MemoryTokenStore(sandbox.linked_tokens())
        self.timeout = 2.0

    def connector(self, _ctx: object = None, _shop_id: object = None) -> Connector:
        cfg = ConnectorConfig(partner_id=self.sandbox.config.app_key,
                              partner_key=self.sandbox.config.app_secret,
                              api_host=self.sandbox.url, timeout=self.timeout,
                              backoff_base=0.001, backoff_max=0.01)  # fmt: skip
        return LazadaConnector(cfg, self.store, clock=self.ctx.clock, sleep=lambda _s: None)

    def sync(self) -> SyncReport:
        return sync.sync_shop(self.ctx, self.shop_id, factory=self.connector)

    def stored(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.text(
                "SELECT external_id, status FROM orders WHERE shop_id = :s"
            ), {"s": self.shop_id}).all())  # fmt: skip

    def assert_in_step(self) -> None:
        assert_in_step(self.engine, self.sandbox)


def expected_statuses(sandbox: LazadaSandbox) -> dict[str, str]:
    out = {}
    for oid in sandbox.order_ids():
        state = sandbox.order_state(oid)
        assert state is not None
        out[oid] = STATUS_MAP[state[0]].value
    return out


def assert_in_step(engine: Engine, sandbox: LazadaSandbox) -> None:
    """Every sandbox order stored once with its current status, its units as quantities,
    money adding up, stock held as the statuses say and every stock change a movement."""
    with engine.connect() as conn:
        stored: dict[str, str] = dict(
            driver_sql(conn, "SELECT external_id, status FROM orders").all()
        )
        items: dict[str, int] = dict(driver_sql(conn,
            "SELECT o.external_id, sum(l.quantity) FROM orders o"
            " JOIN order_lines l ON l.order_id = o.id GROUP BY o.id"
        ).all())  # fmt: skip
        bad_totals = driver_sql(
            conn,
            "SELECT count(*) FROM orders o WHERE o.subtotal !="
            " (SELECT sum(l.subtotal) FROM order_lines l WHERE l.order_id = o.id)",
        ).scalar_one()
        states = driver_sql(conn, "SELECT status, stock_state FROM orders").all()
        ledger = driver_sql(
            conn,
            "SELECT v.sku, v.stock, v.reserved, COALESCE(sum(m.quantity), 0),"
            " COALESCE(sum(m.reserved_change), 0) FROM variants v"
            " LEFT JOIN stock_movements m ON m.variant_id = v.id GROUP BY v.id",
        ).all()
    assert stored == expected_statuses(sandbox)  # nothing lost, nothing extra
    sample = list(stored)[:: max(1, len(stored) // 40)]
    assert all(items[oid] == sandbox.units(oid) for oid in sample)
    assert bad_totals == 0
    for status, stock_state in states:
        assert _HELD_STATE[status].value == stock_state, (status, stock_state)
    for sku, stock, reserved, moved, reserved_moved in ledger:
        assert (stock, reserved) == (moved, reserved_moved), sku


def _sandbox(clock: FixedClock, **config: object) -> Iterator[LazadaSandbox]:
    sandbox = LazadaSandbox(LazadaSandboxConfig(**config), clock=clock)  # type: ignore[arg-type]
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def small(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=300, history_days=20, future_days=9, seed=5,
                            timeout_delay=3.0):  # fmt: skip
        yield Market(ctx, engine, sandbox)


def test_full_sync_of_3000_orders_then_nothing_to_do(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    for sandbox in _sandbox(clock, orders=3000, history_days=25, seed=3):
        market = Market(ctx, engine, sandbox)
        report = market.sync()
        assert report.outcome == "ok", report.message
        assert report.windows == 2  # 30 days back, windows of at most 15 days
        assert report.inserted == 3000
        market.assert_in_step()
        with engine.connect() as conn:
            unlinked = driver_sql(
                conn, "SELECT count(*) FROM order_lines WHERE variant_id IS NULL"
            ).scalar_one()
        assert unlinked == 0  # seller SKUs matched the catalogue's variants
        again = market.sync()
        assert (again.outcome, again.inserted, again.updated) == ("ok", 0, 0)


def test_incremental_sync_brings_moves_new_orders_and_refreshes_the_token(
    small: Market, clock: FixedClock
) -> None:
    assert small.sync().outcome == "ok"
    before = small.stored()
    deadline = small.store.load()
    clock.advance(timedelta(days=8))  # past the 7-day access token; orders move and arrive
    report = small.sync()
    assert report.outcome == "ok", report.message
    assert report.inserted > 0 and report.updated > 0
    small.assert_in_step()
    assert {oid for oid, st in small.stored().items() if before.get(oid) != st}
    after = small.store.load()
    assert small.store.saves == 1 and after is not None and deadline is not None
    assert after.refresh_expires_at == deadline.refresh_expires_at  # Lazada does not extend


@pytest.mark.parametrize("kind", [FaultKind.RATE_LIMIT, FaultKind.HTTP_500,
                                  FaultKind.EXPIRED_TOKEN, FaultKind.DROP, FaultKind.SLOW,
                                  FaultKind.TIMEOUT])  # fmt: skip
@pytest.mark.parametrize("path", [ORDERS_PATH, ORDERS_ITEMS_PATH])
def test_a_passing_fault_is_retried_and_nothing_is_lost(
    small: Market, kind: FaultKind, path: str
) -> None:
    small.timeout = 0.5  # the TIMEOUT fault holds its answer 3 s
    small.sandbox.inject(kind, count=1 if kind == FaultKind.EXPIRED_TOKEN else 2, path=path)
    report = small.sync()
    assert report.outcome == "ok", report.message
    small.assert_in_step()


def test_network_down_then_back_loses_nothing(small: Market, clock: FixedClock) -> None:
    small.sandbox.inject(FaultKind.HTTP_500, count=10_000, path=ORDERS_ITEMS_PATH)
    down = small.sync()
    assert down.outcome == "offline"
    assert small.stored() == {}
    assert "will retry" in sync.sync_log(small.ctx, small.shop_id)[0].message
    small.sandbox.clear_faults()
    clock.advance(timedelta(minutes=10))
    assert small.sync().outcome == "ok"
    small.assert_in_step()


def test_the_call_limit_pauses_the_shop_until_midnight(small: Market, clock: FixedClock) -> None:
    small.sandbox.inject(FaultKind.DAILY_LIMIT, path=ORDERS_PATH)
    assert small.sync().outcome == "paused"
    paused = sync.shop_states(small.ctx)[0].paused_until
    assert paused is not None and paused > clock.now()
    assert small.sync().outcome == "paused"
    assert small.sandbox.request_count(ORDERS_PATH) == 1  # no call before the reset
    clock.set(paused + timedelta(minutes=1))
    assert small.sync().outcome == "ok"
    small.assert_in_step()


def test_revoked_authorisation_marks_the_shop(small: Market) -> None:
    small.sandbox.revoke()
    assert small.sync().outcome == "needs_reauth"
    with small.engine.connect() as conn:
        status = driver_sql(
            conn, "SELECT status FROM shops WHERE id = ?", (small.shop_id,)
        ).scalar_one()
    assert status == "needs_reauth"
    assert "re-authorise" in sync.sync_log(small.ctx, small.shop_id)[0].message


def test_a_corrupt_answer_is_logged_by_order_and_the_next_sync_catches_up(
    small: Market, clock: FixedClock
) -> None:
    small.sandbox.inject(FaultKind.CORRUPT, path=ORDERS_ITEMS_PATH)
    report = small.sync()
    assert report.outcome == "error"
    assert "could not be read" in (report.message or "")
    assert "could not be read" in sync.sync_log(small.ctx, small.shop_id)[0].message
    clock.advance(timedelta(minutes=5))
    assert small.sync().outcome == "ok"
    small.assert_in_step()


# --------------------------------------------------------------------------- kill -9

CHILD = """
import json, sys
from datetime import datetime
from primedist.connectors.base import ConnectorConfig, MemoryTokenStore, TokenPair
from primedist.connectors.lazada import LazadaConnector
from primedist.db.engine import make_engine
from primedist.services import sync
from primedist.services.context import ServiceContext

a = json.loads(sys.argv[1])
store = MemoryTokenStore(TokenPair(
    access_token=a["access"], refresh_token=a["refresh"],
    access_expires_at=datetime.fromisoformat(a["expires"]), refresh_expires_at=None,
    shop_external_id=a["seller"]))
cfg = ConnectorConfig(partner_id=a["app_key"], partner_key=a["secret"], api_host=a["host"])
sync.BATCH_ORDERS = 100  # many small transactions: the kill lands between or inside one
ctx = ServiceContext(make_engine(a["db"]))
report = sync.sync_shop(ctx, a["shop"], factory=lambda c, s: LazadaConnector(cfg, store))
print(report.outcome, report.inserted, flush=True)
"""


def _child(sandbox: LazadaSandbox, db_url: str, shop_id: int) -> subprocess.Popen[str]:
    tokens = sandbox.linked_tokens()
    args = {"access": tokens.access_token, "refresh": tokens.refresh_token,
            "expires": tokens.access_expires_at.isoformat(), "seller": tokens.shop_external_id,
            "app_key": sandbox.config.app_key, "secret": sandbox.config.app_secret,
            "host": sandbox.url, "db": db_url, "shop": shop_id}  # fmt: skip
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(driver_sql(conn, "SELECT count(*) FROM orders").scalar_one())


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_mid_sync_then_resume(engine: Engine, settings: Settings) -> None:
    sandbox = LazadaSandbox(LazadaSandboxConfig(orders=1500, history_days=20, seed=9))
    sandbox.start()  # the real clock: the child process has its own
    try:
        shop_id = make_shop(engine, "Lazada Kill", Channel.LAZADA)
        with engine.begin() as conn:
            driver_sql(conn, "UPDATE shops SET external_shop_id = ? WHERE id = ?",
                                 (str(sandbox.config.seller_id), shop_id))  # fmt: skip
            # Every order moves stock (as if linked long ago): the ledger gets exercised.
            driver_sql(
                conn,
                "INSERT INTO sync_checkpoints (shop_id, resource, error_count, stock_since)"
                " VALUES (?, 'orders', 0, '2000-01-01 00:00:00.000000')",
                (shop_id,),
            )
        sandbox.inject(FaultKind.SLOW, count=1_000_000, path=ORDERS_ITEMS_PATH, delay=0.03)
        child = _child(sandbox, settings.database_url, shop_id)
        deadline = time.monotonic() + 60
        while _count(engine) < 200 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        assert child.returncode == -signal.SIGKILL
        partial = _count(engine)
        assert 0 < partial < 1500, partial

        sandbox.clear_faults()
        again = _child(sandbox, settings.database_url, shop_id)
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert out.split()[0] == "ok", out
        assert_in_step(engine, sandbox)
    finally:
        sandbox.stop()
