"""The sync jobs: one pull job per linked shop at the configured interval, the outbox
every minute, never two syncs of a shop at once, and a real scheduler pulling orders."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.jobs import scheduler as app_scheduler
from primedist.jobs import sync as jobs
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.services.schedule_settings import set_sync_interval
from tests.driver_sql import driver_sql
from tests.services.test_sync import Market, _sandbox


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
