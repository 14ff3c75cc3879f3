"""`kill -9` of a syncing process, then a second run: nothing lost, nothing duplicated,
stock consistent. The sandbox runs here; the sync runs in a real child process."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.connectors.shopee import ORDER_DETAIL_PATH
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from tests.driver_sql import driver_sql
from tests.services.sync_market import (
    assert_stock_states_follow_statuses,
    kill_mid_sync_then_resume,
)
from tests.services.test_sync import SHOPEE


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_mid_sync_then_resume(engine: Engine, settings: Settings) -> None:
    # The real clock: the child process cannot share a FixedClock.
    with ShopeeSandbox(SandboxConfig(orders=1500, history_days=20, seed=9)) as sandbox:
        kill_mid_sync_then_resume(engine, settings.database_url, sandbox, SHOPEE,
                                  ORDER_DETAIL_PATH)  # fmt: skip
    assert_stock_states_follow_statuses(engine)
    _assert_stock_is_what_orders_hold(engine)


def _assert_stock_is_what_orders_hold(engine: Engine) -> None:
    """Each variant's reservation is what its reserved orders hold, its stock minus what
    its consumed orders took."""
    with engine.connect() as conn:
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
    for vid, reserved_qty, consumed_qty in held:
        assert variants[vid] == (-consumed_qty, reserved_qty), vid
