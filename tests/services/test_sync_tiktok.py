"""The sync engine (services/sync.py) against the TikTok Shop sandbox over real HTTP:
full and incremental sync, each fault, a revoked authorisation, and kill -9 then resume.
Every test compares the store with what the sandbox holds: nothing lost, nothing twice."""

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
from primedist.connectors.tiktok import ORDER_DETAIL_PATH, STATUS_MAP, TikTokConnector
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.sandbox.shopee import FaultKind
from primedist.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.services.sync import Connector, SyncReport
from tests.driver_sql import driver_sql
from tests.factories import make_shop


class Market:
    """A running TikTok sandbox, a linked TikTok shop in the store, connectors to it."""

    def __init__(self, ctx: ServiceContext, engine: Engine, sandbox: TikTokSandbox) -> None:
        self.ctx, self.engine, self.sandbox = ctx, engine, sandbox
        self.shop_id = link_shop(engine, sandbox, "TikTok Sandbox")
        self.store = MemoryTokenStore(sandbox.linked_tokens())
        self.timeout = 2.0

    def connector(self, _ctx: object = None, _shop_id: object = None) -> Connector:
        cfg = ConnectorConfig(
            partner_id=self.sandbox.config.app_key, partner_key=self.sandbox.config.app_secret,
            api_host=self.sandbox.url, shop_external_id=self.sandbox.config.shop_id,
            timeout=self.timeout, backoff_base=0.001, backoff_max=0.01,
        )  # fmt: skip
        return TikTokConnector(cfg, self.store, clock=self.ctx.clock, sleep=lambda _s: None)

    def sync(self) -> SyncReport:
        return sync.sync_shop(self.ctx, self.shop_id, factory=self.connector)

    def stored(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            return dict(conn.execute(sa.text(
                "SELECT external_id, status FROM orders WHERE shop_id = :s"
            ), {"s": self.shop_id}).all())  # fmt: skip

    def assert_in_step(self) -> None:
        assert_in_step(self.engine, self.sandbox)


def link_shop(engine: Engine, sandbox: TikTokSandbox, name: str) -> int:
    shop_id = make_shop(engine, name, Channel.TIKTOK)
    with engine.begin() as conn:
        driver_sql(conn, "UPDATE shops SET external_shop_id = ? WHERE id = ?",
                             (sandbox.config.shop_id, shop_id))  # fmt: skip
    return shop_id


def expected_states(sandbox: TikTokSandbox) -> dict[str, str]:
    out = {}
    for oid in sandbox.order_ids():
        state = sandbox.order_state(oid)
        assert state is not None
        out[oid] = STATUS_MAP[state[0]].value
    return out


def assert_in_step(engine: Engine, sandbox: TikTokSandbox) -> None:
    """Every sandbox order stored once with its current status; lines add up."""
    with engine.connect() as conn:
        stored = dict(driver_sql(conn, "SELECT external_id, status FROM orders").all())
        bad_totals = driver_sql(
            conn,
            "SELECT count(*) FROM orders o WHERE o.subtotal !="
            " (SELECT sum(l.subtotal) FROM order_lines l WHERE l.order_id = o.id)",
        ).scalar_one()
        orphans = driver_sql(
            conn, "SELECT count(*) FROM order_lines WHERE order_id NOT IN (SELECT id FROM orders)"
        ).scalar_one()
    assert stored == expected_states(sandbox)
    assert (bad_totals, orphans) == (0, 0)


@pytest.fixture
def small(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    config = TikTokSandboxConfig(orders=300, history_days=20, future_days=4, seed=11,
                                 timeout_delay=3.0)  # fmt: skip
    with TikTokSandbox(config, clock=clock) as sandbox:
        yield Market(ctx, engine, sandbox)


def test_full_sync_then_nothing_to_do(ctx: ServiceContext, engine: Engine,
                                      clock: FixedClock) -> None:  # fmt: skip
    config = TikTokSandboxConfig(orders=3000, history_days=25, seed=3)
    with TikTokSandbox(config, clock=clock) as sandbox:
        market = Market(ctx, engine, sandbox)
        report = market.sync()
        assert report.outcome == "ok", report.message
        assert report.inserted == 3000 and report.windows == 1  # 30 days: one window
        market.assert_in_step()
        with engine.connect() as conn:
            quantities = driver_sql(conn, "SELECT max(quantity) FROM order_lines").scalar()
        assert quantities > 1  # units of one SKU grouped into a quantity
        again = market.sync()
        assert (again.inserted, again.updated) == (0, 0)


def test_update_sync_brings_moves_and_new_orders(small: Market, clock: FixedClock) -> None:
    assert small.sync().outcome == "ok"
    before = small.stored()
    clock.advance(timedelta(days=8))  # orders move on, new ones arrive, the token expires
    report = small.sync()
    assert report.outcome == "ok", report.message
    assert report.inserted > 0 and report.updated > 0
    small.assert_in_step()
    assert {sn for sn, st in small.stored().items() if before.get(sn) != st}
    assert small.store.saves >= 1  # refreshed and saved


@pytest.mark.parametrize(
    "kind",
    [FaultKind.RATE_LIMIT, FaultKind.HTTP_500, FaultKind.EXPIRED_TOKEN, FaultKind.DROP,
     FaultKind.SLOW, FaultKind.TIMEOUT],
)  # fmt: skip
def test_a_passing_fault_is_retried_and_nothing_is_lost(small: Market, kind: FaultKind) -> None:
    small.timeout = 0.5  # the TIMEOUT fault holds its answer 3 s
    small.sandbox.inject(kind, count=1 if kind == FaultKind.EXPIRED_TOKEN else 2,
                         path=ORDER_DETAIL_PATH)  # fmt: skip
    report = small.sync()
    assert report.outcome == "ok", report.message
    small.assert_in_step()


def test_network_down_then_back_loses_nothing(small: Market, clock: FixedClock) -> None:
    small.sandbox.inject(FaultKind.HTTP_500, count=10_000, path=ORDER_DETAIL_PATH)
    down = small.sync()
    assert down.outcome == "offline"
    assert small.stored() == {}
    small.sandbox.clear_faults()
    clock.advance(timedelta(minutes=10))
    assert small.sync().outcome == "ok"
    small.assert_in_step()


def test_a_corrupt_order_is_an_error_naming_it_and_the_next_run_catches_up(
    small: Market,
) -> None:
    small.sandbox.inject(FaultKind.CORRUPT, path=ORDER_DETAIL_PATH)
    report = small.sync()
    assert report.outcome == "error"
    assert "could not be read" in (report.message or "")
    assert small.sync().outcome == "ok"
    small.assert_in_step()


def test_revoked_authorisation_marks_the_shop(small: Market) -> None:
    small.sandbox.revoke()
    report = small.sync()
    assert report.outcome == "needs_reauth", report.message
    with small.engine.connect() as conn:
        status = driver_sql(
            conn, "SELECT status FROM shops WHERE id = ?", (small.shop_id,)
        ).scalar_one()
    assert status == "needs_reauth"


CHILD = """
import json, sys
from datetime import datetime
from primedist.connectors.base import ConnectorConfig, MemoryTokenStore, TokenPair
from primedist.connectors.tiktok import TikTokConnector
from primedist.db.engine import make_engine
from primedist.services import sync
from primedist.services.context import ServiceContext

a = json.loads(sys.argv[1])
store = MemoryTokenStore(TokenPair(
    access_token=a["access"], refresh_token=a["refresh"],
    access_expires_at=datetime.fromisoformat(a["expires"]), refresh_expires_at=None,
    shop_external_id=a["shop_ext"]))
cfg = ConnectorConfig(partner_id=a["app_key"], partner_key=a["app_secret"],
                      api_host=a["host"], shop_external_id=a["shop_ext"])
sync.BATCH_ORDERS = 100  # many small transactions: the kill lands between or inside one
ctx = ServiceContext(make_engine(a["db"]))
report = sync.sync_shop(ctx, a["shop"], factory=lambda c, s: TikTokConnector(cfg, store))
print(report.outcome, report.inserted, flush=True)
"""


def _child(sandbox: TikTokSandbox, db_url: str, shop_id: int) -> subprocess.Popen[str]:
    tokens = sandbox.linked_tokens()
    args = {
        "access": tokens.access_token, "refresh": tokens.refresh_token,
        "expires": tokens.access_expires_at.isoformat(), "shop_ext": tokens.shop_external_id,
        "app_key": sandbox.config.app_key, "app_secret": sandbox.config.app_secret,
        "host": sandbox.url, "db": db_url, "shop": shop_id,
    }  # fmt: skip
    return subprocess.Popen([sys.executable, "-c", CHILD, json.dumps(args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(driver_sql(conn, "SELECT count(*) FROM orders").scalar_one())


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_mid_sync_then_resume(engine: Engine, settings: Settings) -> None:
    sandbox = TikTokSandbox(TikTokSandboxConfig(orders=1500, history_days=20, seed=9))
    sandbox.start()  # the real clock: the child process cannot share a FixedClock
    try:
        shop_id = link_shop(engine, sandbox, "TikTok Kill")
        with engine.begin() as conn:  # every order moves stock (linked long ago)
            driver_sql(conn,
                "INSERT INTO sync_checkpoints (shop_id, resource, error_count, stock_since)"
                " VALUES (?, 'orders', 0, '2000-01-01 00:00:00.000000')", (shop_id,),
            )  # fmt: skip
        sandbox.inject(FaultKind.SLOW, count=1_000_000, path=ORDER_DETAIL_PATH, delay=0.03)
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
        with engine.connect() as conn:
            ledger = driver_sql(
                conn,
                "SELECT v.sku, v.stock, v.reserved, COALESCE(sum(m.quantity), 0),"
                " COALESCE(sum(m.reserved_change), 0) FROM variants v"
                " LEFT JOIN stock_movements m ON m.variant_id = v.id GROUP BY v.id",
            ).all()
        for sku, stock, reserved, moved, reserved_moved in ledger:
            assert (stock, reserved) == (moved, reserved_moved), sku  # every change moved
    finally:
        sandbox.stop()
