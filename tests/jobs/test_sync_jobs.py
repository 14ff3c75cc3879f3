"""The sync jobs: one pull job per linked shop at the configured interval, the outbox
every minute, never two syncs of a shop at once (the scheduled pull and a Sync now hold
the same lease), and a real scheduler pulling orders."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.jobs import lease
from primedist.jobs import scheduler as app_scheduler
from primedist.jobs import sync as jobs
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.services.schedule_settings import set_sync_interval
from tests.driver_sql import driver_sql
from tests.services.test_sync import Market, _sandbox

#: Another PC's app, as its lease rows name it.
OTHER_PC = "KASSE-PC:77:0badf00d"


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=150, history_days=5, seed=2):
        m = Market(ctx, engine, sandbox)
        with engine.begin() as conn:  # linked: the shop has (encrypted) tokens
            driver_sql(
                conn,
                "INSERT INTO shop_credentials (shop_id, updated_at) VALUES (?, ?)",
                (m.shop_id, "2026-11-20 00:00:00.000000"),
            )
        yield m


def _pull_jobs(scheduler: BackgroundScheduler) -> dict[str, timedelta]:
    out = {}
    for job in scheduler.get_jobs():
        if job.id.startswith(jobs.PULL_PREFIX):
            assert isinstance(job.trigger, IntervalTrigger)
            out[job.id] = job.trigger.interval
    return out


def test_jobs_follow_linked_shops_and_the_interval_setting(market: Market) -> None:
    scheduler = BackgroundScheduler(job_defaults=app_scheduler.JOB_DEFAULTS, timezone="UTC")
    jobs.add_jobs(scheduler, market.ctx, market.connector)
    ids = {job.id for job in scheduler.get_jobs()}
    assert {"sync.outbox", "sync.tokens", "sync.shops"} <= ids
    pull_id = f"{jobs.PULL_PREFIX}{market.shop_id}"
    assert _pull_jobs(scheduler) == {pull_id: timedelta(minutes=10)}  # the default
    scheduler.start(paused=True)  # jobs get their defaults when the scheduler starts
    try:
        job = scheduler.get_job(pull_id)
        assert job is not None and job.coalesce and job.max_instances == 1
        _check_reconcile(market, scheduler, pull_id)
    finally:
        scheduler.shutdown(wait=False)


def test_deliver_soon_moves_the_outbox_runs_only_on_a_running_scheduler(market: Market) -> None:
    """The window's kick runs the deliveries now; with no scheduler in the process, or
    one stopped at quit, it does nothing (it used to raise on every later action)."""
    jobs.deliver_soon(None)
    scheduler = BackgroundScheduler(job_defaults=app_scheduler.JOB_DEFAULTS, timezone="UTC")
    jobs.add_jobs(scheduler, market.ctx, market.connector)
    scheduler.start(paused=True)
    try:
        job = scheduler.get_job("sync.outbox")
        minute = job.next_run_time
        jobs.deliver_soon(scheduler)
        moved = scheduler.get_job("sync.outbox").next_run_time
        assert moved < minute  # now, not at its minute
    finally:
        scheduler.shutdown(wait=False)
    jobs.deliver_soon(scheduler)  # stopped: nothing to move, no error


def _check_reconcile(market: Market, scheduler: BackgroundScheduler, pull_id: str) -> None:

    set_sync_interval(market.ctx, 3)
    jobs.reconcile_shops(scheduler, market.ctx, market.connector)
    assert _pull_jobs(scheduler) == {pull_id: timedelta(minutes=3)}

    with market.engine.begin() as conn:  # disconnected: tokens removed
        conn.exec_driver_sql("DELETE FROM shop_credentials")
    jobs.reconcile_shops(scheduler, market.ctx, market.connector)
    assert _pull_jobs(scheduler) == {}


def test_a_shop_is_never_synced_twice_at_once(market: Market) -> None:
    lock = sync.shop_sync_lock(market.shop_id)
    with lock:
        report = market.sync()
    assert report.outcome == "busy"
    assert market.stored() == {}
    assert market.sync().outcome == "ok"


def test_a_running_scheduler_pulls_the_shop_without_anyone_asking(market: Market) -> None:
    assert "sync" in app_scheduler.JOB_MODULES
    scheduler = BackgroundScheduler(job_defaults=app_scheduler.JOB_DEFAULTS, timezone="UTC")
    jobs.add_jobs(scheduler, market.ctx, market.connector)
    scheduler.start()  # the first pull is due a few seconds after a shop's job is added
    try:
        deadline = time.monotonic() + 40
        while len(market.stored()) < len(market.sandbox.order_sns()):
            assert time.monotonic() < deadline, "the scheduled pull did not happen"
            time.sleep(0.05)
    finally:
        scheduler.shutdown(wait=True)
    market.assert_in_step()


class _Looking:
    """The market's connectors, calling `look` (when set) as a run lists its first window."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self.look: Callable[[], None] | None = None
        self.made = 0

    def __call__(self, _ctx: object = None, _shop_id: object = None) -> sync.Connector:
        self.made += 1
        conn = self.market.connector()
        listing, look = conn.changed_orders, self.look
        self.look = None  # once

        def changed_orders(*args: Any, **kwargs: Any) -> Any:
            if look is not None:
                look()
            return listing(*args, **kwargs)

        conn.changed_orders = changed_orders  # type: ignore[method-assign]
        return conn


def test_the_scheduled_pull_and_a_sync_by_hand_exclude_each_other(
    market: Market, engine: Engine
) -> None:
    """The app's scheduler's pull job of a shop and Sync now hold one lease, the job's:
    on two PCs (or processes) they never overlap, in one process the shop's lock refuses."""
    pull_id = f"{jobs.PULL_PREFIX}{market.shop_id}"
    connectors = _Looking(market)
    scheduler = app_scheduler.LeasedBackgroundScheduler(timezone="UTC")
    scheduler.lease_engine = engine
    jobs.add_jobs(scheduler, market.ctx, connectors)
    job = scheduler.get_job(pull_id)
    assert job.func is jobs.pull  # not wrapped: its sync takes the lease (as Sync now's)

    # Another PC's Sync now (or scheduled pull) holds the shop: this PC's pull skips it.
    assert lease.try_acquire(engine, pull_id, holder=OTHER_PC)
    job.func(*job.args)
    assert (connectors.made, market.stored()) == (0, {})
    lease.release(engine, pull_id, holder=OTHER_PC)

    # The scheduled pull runs: a Sync now here is refused, another PC's cannot start.
    seen: dict[str, Any] = {}

    def while_scheduled() -> None:
        seen["here"] = market.sync()
        seen["other_pc"] = lease.try_acquire(engine, pull_id, holder=OTHER_PC)

    connectors.look = while_scheduled
    job.func(*job.args)
    assert market.stored() and connectors.made == 1
    assert (seen["here"].outcome, seen["other_pc"]) == ("busy", False)

    # A Sync now runs: the scheduled pull (this PC's or, by the lease, another's) skips.
    def while_by_hand() -> None:
        job.func(*job.args)
        seen["other_pc"] = lease.try_acquire(engine, pull_id, holder=OTHER_PC)

    connectors.look = while_by_hand
    assert sync.sync_shop(market.ctx, market.shop_id, factory=connectors).outcome == "ok"
    assert (connectors.made, seen["other_pc"]) == (2, False)
    # Free again once it ended, for every PC.
    assert lease.try_acquire(engine, pull_id, holder=OTHER_PC)
