"""The sync engine (services/sync.py) against the TikTok Shop sandbox over real HTTP:
full and incremental sync, each fault, a revoked authorisation, and kill -9 then resume.
Every test compares the store with what the sandbox holds: nothing lost, nothing twice."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.connectors.tiktok import ORDER_DETAIL_PATH, STATUS_MAP, TikTokConnector
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.sandbox.base import FaultKind
from primedist.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig
from primedist.services.context import ServiceContext
from tests.driver_sql import driver_sql
from tests.services.sync_market import Market, Platform, kill_mid_sync_then_resume

TIKTOK = Platform(
    Channel.TIKTOK, TikTokConnector, STATUS_MAP,
    lambda sb: (sb.config.app_key, sb.config.app_secret, sb.config.shop_id),
)  # fmt: skip


@pytest.fixture
def small(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    config = TikTokSandboxConfig(orders=300, history_days=20, future_days=4, seed=11,
                                 timeout_delay=3.0)  # fmt: skip
    with TikTokSandbox(config, clock=clock) as sandbox:
        yield Market(ctx, engine, sandbox, TIKTOK, "TikTok Sandbox")


def test_full_sync_then_nothing_to_do(ctx: ServiceContext, engine: Engine,
                                      clock: FixedClock) -> None:  # fmt: skip
    config = TikTokSandboxConfig(orders=3000, history_days=25, seed=3)
    with TikTokSandbox(config, clock=clock) as sandbox:
        market = Market(ctx, engine, sandbox, TIKTOK, "TikTok Sandbox")
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
    small.sandbox.inject(FaultKind.DROP, count=10_000, path=ORDER_DETAIL_PATH)
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


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_mid_sync_then_resume(engine: Engine, settings: Settings) -> None:
    # The real clock: the child process cannot share a FixedClock.
    with TikTokSandbox(TikTokSandboxConfig(orders=1500, history_days=20, seed=9)) as sandbox:
        kill_mid_sync_then_resume(engine, settings.database_url, sandbox, TIKTOK,
                                  ORDER_DETAIL_PATH)  # fmt: skip
