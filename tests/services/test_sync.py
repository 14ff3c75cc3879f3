"""The sync engine against the Shopee sandbox over real HTTP on 127.0.0.1.

Every test compares the store with what the sandbox holds: nothing lost (every order the
platform has, with its current status), nothing duplicated, stock movements adding up.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.connectors.shopee import (
    ORDER_DETAIL_PATH,
    ORDER_LIST_PATH,
    STATUS_MAP,
    ShopeeConnector,
)
from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.sandbox.base import FaultKind
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services import reports, sync
from primedist.services.context import ServiceContext
from tests.driver_sql import driver_sql
from tests.services import sync_market
from tests.services.sync_market import Platform

SHOPEE = Platform(
    Channel.SHOPEE, ShopeeConnector, STATUS_MAP,
    lambda sb: (str(sb.config.partner_id), sb.config.partner_key, str(sb.config.shop_id)),
)  # fmt: skip


class Market(sync_market.Market):
    """A running Shopee sandbox, a linked shop in the store, and connectors to it."""

    def __init__(self, ctx: ServiceContext, engine: Engine, sandbox: ShopeeSandbox) -> None:
        super().__init__(ctx, engine, sandbox, SHOPEE, "Shopee Sandbox")

    def stored_sn(self, order_id: int) -> str:
        with self.engine.connect() as conn:
            return str(driver_sql(conn,
                "SELECT external_id FROM orders WHERE id = ?", (order_id,)
            ).scalar_one())  # fmt: skip


def _sandbox(clock: FixedClock, **config: object) -> Iterator[ShopeeSandbox]:
    sandbox = ShopeeSandbox(SandboxConfig(**config), clock=clock)  # type: ignore[arg-type]
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def small(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=300, history_days=20, future_days=4, seed=11,
                            timeout_delay=3.0):  # fmt: skip
        yield Market(ctx, engine, sandbox)


def test_full_sync_of_5000_orders_over_25_days_then_nothing_to_do(
    ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    for sandbox in _sandbox(clock, orders=5000, history_days=25, seed=3):
        market = Market(ctx, engine, sandbox)
        report = market.sync()
        assert report.outcome == "ok", report.message
        assert report.windows == 2  # 30 days back: two windows of at most 15 days
        assert report.inserted == 5000
        market.assert_in_step()
        with engine.connect() as conn:
            customers = driver_sql(conn, "SELECT count(*) FROM customers").scalar_one()
            unlinked = driver_sql(
                conn, "SELECT count(*) FROM order_lines WHERE variant_id IS NULL"
            ).scalar_one()
            until = driver_sql(
                conn,
                "SELECT synced_until FROM sync_checkpoints WHERE shop_id = ?",
                (market.shop_id,),
            ).scalar_one()
        assert 0 < customers < 5000  # repeat buyers are one customer
        assert unlinked == 0
        assert str(until).startswith(clock.now().strftime("%Y-%m-%d %H:%M"))

        again = market.sync()
        assert (again.inserted, again.updated) == (0, 0)
        assert again.windows == 1


def test_update_sync_brings_status_moves_and_new_orders(small: Market, clock: FixedClock) -> None:
    assert small.sync().outcome == "ok"
    before = small.stored()
    clock.advance(timedelta(days=3))  # orders move on; new ones arrive; tokens expire
    report = small.sync()
    assert report.outcome == "ok", report.message
    assert report.inserted > 0 and report.updated > 0
    small.assert_in_step()
    changed = {sn for sn, status in small.stored().items() if before.get(sn) != status}
    assert changed and len(changed) <= report.inserted + report.updated
    assert small.store.saves >= 1  # the expired access token was refreshed (rotated)


@pytest.mark.parametrize(
    "kind",
    [
        FaultKind.RATE_LIMIT,
        FaultKind.HTTP_500,
        FaultKind.EXPIRED_TOKEN,
        FaultKind.DROP,
        FaultKind.SLOW,
        FaultKind.TIMEOUT,
    ],  # fmt: skip
)
def test_a_passing_fault_is_retried_and_nothing_is_lost(small: Market, kind: FaultKind) -> None:
    small.timeout = 0.5  # the TIMEOUT fault holds its answer 3 s
    # Twice in a row, except an expired token: a refresh per call is the contract.
    count = 1 if kind == FaultKind.EXPIRED_TOKEN else 2
    small.sandbox.inject(kind, count=count, path=ORDER_DETAIL_PATH)
    report = small.sync()
    assert report.outcome == "ok", report.message
    small.assert_in_step()


def test_network_down_then_back_loses_nothing(small: Market, clock: FixedClock) -> None:
    small.sandbox.inject(FaultKind.DROP, count=10_000, path=ORDER_DETAIL_PATH)
    down = small.sync()
    assert down.outcome == "offline"
    assert small.stored() == {}
    assert sync.SYNC_STATE.snapshot()["offline"] is True
    log = sync.sync_log(small.ctx, small.shop_id)
    assert log and log[0].level == "warning" and "will retry" in log[0].message
    small.sandbox.clear_faults()
    clock.advance(timedelta(minutes=10))
    up = small.sync()
    assert up.outcome == "ok"
    assert sync.SYNC_STATE.snapshot()["offline"] is False
    small.assert_in_step()


def test_daily_limit_pauses_the_shop_until_the_reset(small: Market, clock: FixedClock) -> None:
    small.sandbox.inject(FaultKind.DAILY_LIMIT, count=1, path=ORDER_LIST_PATH)
    first = small.sync()
    assert first.outcome == "paused"
    paused = sync.shop_states(small.ctx)[0].paused_until
    assert paused is not None and paused > clock.now()
    assert small.sync().outcome == "paused"  # no call before the reset
    assert small.sandbox.request_count(ORDER_LIST_PATH) == 1
    clock.set(paused + timedelta(minutes=1))
    assert small.sync().outcome == "ok"
    small.assert_in_step()


def test_revoked_authorisation_marks_the_shop(small: Market) -> None:
    small.sandbox.revoke()
    report = small.sync()
    assert report.outcome == "needs_reauth"
    with small.engine.connect() as conn:
        status = driver_sql(
            conn, "SELECT status FROM shops WHERE id = ?", (small.shop_id,)
        ).scalar_one()
    assert status == "needs_reauth"
    assert "re-authorise" in sync.sync_log(small.ctx, small.shop_id)[0].message


def test_refetch_of_a_range_restores_a_deleted_order_and_keeps_the_checkpoint(
    small: Market, clock: FixedClock
) -> None:
    small.sync()
    with small.engine.begin() as conn:
        sn, created = driver_sql(
            conn, "SELECT external_id, external_updated_at FROM orders ORDER BY id LIMIT 1"
        ).one()
        driver_sql(conn, "DELETE FROM orders WHERE external_id = ?", (sn,))
        until = driver_sql(conn, "SELECT synced_until FROM sync_checkpoints").scalar_one()
    assert small.sync().inserted == 0  # an incremental sync does not look back that far
    report = sync.refetch_range(
        small.ctx, small.shop_id, clock.now() - timedelta(days=25), clock.now(),
        factory=small.connector,
    )  # fmt: skip
    assert report.inserted == 1
    small.assert_in_step()
    with small.engine.connect() as conn:
        assert driver_sql(conn, "SELECT synced_until FROM sync_checkpoints").scalar_one() >= until


def _feed(market: Market) -> list[reports.EventRow]:
    return [e for e in reports.events(market.ctx) if e.kind != "import"]


def test_a_run_that_brings_new_orders_posts_them_on_home(small: Market, clock: FixedClock) -> None:
    first = small.sync()
    assert first.inserted > 0
    (event,) = _feed(small)
    assert (event.kind, event.shop) == ("orders_synced", "Shopee Sandbox")
    assert event.args == {"new": first.inserted, "updated": 0}
    assert event.message == f"{first.inserted:,} new order(s) synced"
    clock.advance(timedelta(minutes=10))
    assert small.sync().inserted == 0
    assert len(_feed(small)) == 1  # a run with nothing new says nothing


def test_a_failure_is_posted_once_per_run_of_failures(small: Market, clock: FixedClock) -> None:
    small.sandbox.revoke()
    assert small.sync().outcome == "needs_reauth"
    clock.advance(timedelta(minutes=10))
    assert small.sync().outcome == "needs_reauth"
    (event,) = _feed(small)
    assert (event.kind, event.shop, event.args["outcome"]) == (
        "sync_failed",
        "Shopee Sandbox",
        "needs_reauth",
    )
    assert event.message.startswith("Authorisation lost: re-authorise the shop: ")


def test_being_offline_is_not_posted_on_home(small: Market) -> None:
    small.sandbox.inject(FaultKind.DROP, count=10_000, path=ORDER_DETAIL_PATH)
    assert small.sync().outcome == "offline"
    assert _feed(small) == []
