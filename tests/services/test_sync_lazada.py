"""The sync engine (services/sync.py) against the Lazada sandbox over real HTTP on
127.0.0.1: full and incremental sync, each fault, and `kill -9` of a syncing process then
a second run. The store is always compared with what the sandbox holds."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.connectors.lazada import (
    ORDERS_ITEMS_PATH,
    ORDERS_PATH,
    STATUS_MAP,
    LazadaConnector,
)
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.sandbox.base import FaultKind
from primedist.sandbox.lazada import LazadaSandbox, LazadaSandboxConfig
from primedist.services import sync
from primedist.services.context import ServiceContext
from tests.driver_sql import driver_sql
from tests.services.sync_market import (
    Market,
    Platform,
    assert_every_stock_change_moved,
    assert_in_step,
    assert_stock_states_follow_statuses,
    kill_mid_sync_then_resume,
)

LAZADA = Platform(
    Channel.LAZADA, LazadaConnector, STATUS_MAP,
    lambda sb: (sb.config.app_key, sb.config.app_secret, str(sb.config.seller_id)),
)  # fmt: skip


class LazadaMarket(Market):
    """A Lazada shop whose every order moves stock (as if linked long ago)."""

    def __init__(self, ctx: ServiceContext, engine: Engine, sandbox: LazadaSandbox) -> None:
        super().__init__(ctx, engine, sandbox, LAZADA, "Lazada Sandbox", moves_stock=True)

    def assert_in_step(self) -> None:
        assert_lazada_in_step(self.engine, self.sandbox)


def assert_lazada_in_step(engine: Engine, sandbox: LazadaSandbox) -> None:
    """Every sandbox order stored once with its current status, its units as quantities,
    money adding up, stock held as the statuses say and every stock change a movement."""
    assert_in_step(engine, sandbox, LAZADA)
    with engine.connect() as conn:
        items: dict[str, int] = dict(driver_sql(conn,
            "SELECT o.external_id, sum(l.quantity) FROM orders o"
            " JOIN order_lines l ON l.order_id = o.id GROUP BY o.id"
        ).all())  # fmt: skip
    sample = list(items)[:: max(1, len(items) // 40)]
    assert all(items[oid] == sandbox.units(oid) for oid in sample)
    assert_stock_states_follow_statuses(engine)
    assert_every_stock_change_moved(engine)


@pytest.fixture
def small(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    config = LazadaSandboxConfig(orders=300, history_days=20, future_days=9, seed=5,
                                 timeout_delay=3.0)  # fmt: skip
    with LazadaSandbox(config, clock=clock) as sandbox:
        yield LazadaMarket(ctx, engine, sandbox)


def test_full_sync_of_3000_orders_then_nothing_to_do(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    with LazadaSandbox(LazadaSandboxConfig(orders=3000, history_days=25, seed=3),
                       clock=clock) as sandbox:  # fmt: skip
        market = LazadaMarket(ctx, engine, sandbox)
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
    small.sandbox.inject(FaultKind.DROP, count=10_000, path=ORDERS_ITEMS_PATH)
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


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_kill_9_mid_sync_then_resume(engine: Engine, settings: Settings) -> None:
    # The real clock: the child process has its own.
    with LazadaSandbox(LazadaSandboxConfig(orders=1500, history_days=20, seed=9)) as sandbox:
        kill_mid_sync_then_resume(engine, settings.database_url, sandbox, LAZADA,
                                  ORDERS_ITEMS_PATH)  # fmt: skip
        assert_lazada_in_step(engine, sandbox)
