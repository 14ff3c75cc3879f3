"""`kill -9` of a syncing process, then a second run: nothing lost, nothing duplicated,
stock consistent. The sandbox runs here; the sync runs in a real child process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.connectors.shopee import ORDER_DETAIL_PATH, STATUS_MAP
from primedist.sandbox.shopee import FaultKind, SandboxConfig, ShopeeSandbox
from primedist.services.sync_writer import _HELD_STATE
from tests.driver_sql import driver_sql
from tests.factories import make_shop

CHILD = """
import json, sys
from datetime import datetime
from primedist.connectors.base import ConnectorConfig, MemoryTokenStore, TokenPair
from primedist.connectors.shopee import ShopeeConnector
from primedist.db.engine import make_engine
from primedist.services import sync
from primedist.services.context import ServiceContext

a = json.loads(sys.argv[1])
store = MemoryTokenStore(TokenPair(
    access_token=a["access"], refresh_token=a["refresh"],
    access_expires_at=datetime.fromisoformat(a["expires"]), refresh_expires_at=None,
    shop_external_id=a["shop_ext"]))
cfg = ConnectorConfig(partner_id=a["partner_id"], partner_key=a["partner_key"],
                      api_host=a["host"], shop_external_id=a["shop_ext"])
sync.BATCH_ORDERS = 100  # many small transactions: the kill lands between or inside one
ctx = ServiceContext(make_engine(a["db"]))
report = sync.sync_shop(ctx, a["shop"], factory=lambda c, s: ShopeeConnector(cfg, store))
print(report.outcome, report.inserted, flush=True)
"""


def _child(sandbox: ShopeeSandbox, db_url: str, shop_id: int) -> subprocess.Popen[str]:
    tokens = sandbox.linked_tokens()
    args = {
        "access": tokens.access_token, "refresh": tokens.refresh_token,
        "expires": tokens.access_expires_at.isoformat(), "shop_ext": tokens.shop_external_id,
        "partner_id": str(sandbox.config.partner_id), "partner_key": sandbox.config.partner_key,
        "host": sandbox.url, "db": db_url, "shop": shop_id,
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, json.dumps(args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(driver_sql(conn, "SELECT count(*) FROM orders").scalar_one())


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_mid_sync_then_resume(engine: Engine, settings: Settings) -> None:
    sandbox = ShopeeSandbox(SandboxConfig(orders=1500, history_days=20, seed=9))  # real clock
    sandbox.start()
    try:
        shop_id = make_shop(engine, "Shopee Kill")
        with engine.begin() as conn:
            driver_sql(
                conn,
                "UPDATE shops SET external_shop_id = ? WHERE id = ?",
                (str(sandbox.config.shop_id), shop_id),
            )
            # Every order moves stock (as if linked long ago): the ledger gets exercised.
            driver_sql(
                conn,
                "INSERT INTO sync_checkpoints (shop_id, resource, error_count, stock_since)"
                " VALUES (?, 'orders', 0, '2000-01-01 00:00:00.000000')",
                (shop_id,),
            )
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
        _assert_consistent(engine, sandbox)
    finally:
        sandbox.stop()


def _assert_consistent(engine: Engine, sandbox: ShopeeSandbox) -> None:
    with engine.connect() as conn:
        stored = dict(driver_sql(conn, "SELECT external_id, status FROM orders").all())
        states = driver_sql(conn, "SELECT status, stock_state FROM orders").all()
        ledger = driver_sql(
            conn,
            "SELECT v.sku, v.stock, v.reserved, COALESCE(sum(m.quantity), 0),"
            " COALESCE(sum(m.reserved_change), 0) FROM variants v"
            " LEFT JOIN stock_movements m ON m.variant_id = v.id GROUP BY v.id",
        ).all()
        held = driver_sql(
            conn,
            "SELECT l.variant_id, sum(CASE o.stock_state WHEN 'reserved' THEN l.quantity"
            " ELSE 0 END), sum(CASE o.stock_state WHEN 'consumed' THEN l.quantity ELSE 0 END)"
            " FROM order_lines l JOIN orders o ON o.id = l.order_id GROUP BY l.variant_id",
        ).all()
        variants = {
            vid: (stock, reserved)
            for vid, stock, reserved in driver_sql(conn, "SELECT id, stock, reserved FROM variants")
        }
        lines_without_orders = driver_sql(
            conn, "SELECT count(*) FROM order_lines WHERE order_id NOT IN (SELECT id FROM orders)"
        ).scalar_one()
    expected = {}
    for sn in sandbox.order_sns():
        state = sandbox.order_state(sn)
        assert state is not None
        expected[sn] = STATUS_MAP[state[0]].value
    assert stored == expected  # nothing lost, nothing extra; (shop, sn) is unique
    assert lines_without_orders == 0
    for status, stock_state in states:
        assert _HELD_STATE[status].value == stock_state, (status, stock_state)
    for sku, stock, reserved, moved, reserved_moved in ledger:
        assert (stock, reserved) == (moved, reserved_moved), sku  # every change is a movement
    for vid, reserved_qty, consumed_qty in held:
        assert variants[vid] == (-consumed_qty, reserved_qty), vid  # what open orders hold
