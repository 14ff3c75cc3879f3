"""A nightly rank recompute missed with the app open (the PC slept over 23:59, or the run
failed) still happens, once for that day."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.jobs import ranks as job
from primedist.jobs.lease import held
from primedist.jobs.scheduler import JOB_DEFAULTS
from primedist.services.context import ServiceContext
from primedist.services.loyalty import ranks
from tests.jobs.test_ranks_job import local, recomputes


def _scheduler(ctx: ServiceContext) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(executors={"default": ThreadPoolExecutor(1)},
                                    job_defaults=JOB_DEFAULTS, timezone="UTC")  # fmt: skip
    job.add_jobs(scheduler, ctx)
    return scheduler


def test_a_2359_slept_through_runs_when_the_pc_wakes(
    engine: Engine, ctx: ServiceContext, clock: FixedClock
) -> None:
    clock.set(local(19, 23, 59))
    job.run_nightly(ctx)
    clock.set(local(21, 7, 59))  # woke 8 h after the 20th's 23:59, the app left open
    scheduler = _scheduler(ctx)
    events: list[int] = []
    done = threading.Event()

    def seen(event: object) -> None:
        events.append(event.code)  # type: ignore[attr-defined]
        done.set()

    scheduler.add_listener(seen, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    scheduler.start(paused=True)
    try:
        scheduler.modify_job(job.JOB_ID, next_run_time=datetime.now(UTC) - timedelta(hours=8))
        scheduler.resume()
        assert done.wait(10)
    finally:
        scheduler.shutdown(wait=True)
    assert events == [EVENT_JOB_EXECUTED]
    assert recomputes(engine) == 2 and not job.is_due(ctx)


def test_a_failed_run_is_tried_again_by_the_hourly_check(
    engine: Engine, ctx: ServiceContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock.set(local(19, 23, 59))
    job.run_nightly(ctx)
    scheduler = _scheduler(ctx)
    check = scheduler.get_job(job.CHECK_JOB_ID)
    assert check is not None and isinstance(check.trigger, IntervalTrigger)
    assert check.trigger.interval == timedelta(hours=1)

    clock.set(local(20, 23, 59))
    with monkeypatch.context() as patch:
        patch.setattr(job, "recompute_ranks", _fails)
        with pytest.raises(RuntimeError):
            scheduler.get_job(job.JOB_ID).func(ctx)  # the 23:59 run fails
    clock.set(local(21, 0, 30))
    assert check.func(*check.args)  # within the hour: it runs
    assert recomputes(engine) == 2
    clock.advance(timedelta(hours=1))
    assert not check.func(*check.args)  # once for that day
    assert recomputes(engine) == 2


def _fails(*_args: object, **_kwargs: object) -> ranks.RecomputeReport:
    raise RuntimeError("database locked")


def test_never_twice_for_one_day_even_at_once(
    engine: Engine, ctx: ServiceContext, clock: FixedClock
) -> None:
    """The 23:59 job and the hourly check at the same second: while one decides and
    recomputes (its lease), the other does nothing; afterwards there is nothing due."""
    clock.set(local(20, 23, 59))
    with held(engine, job.RUN_LEASE) as ours:
        assert ours
        assert not job.run_if_due(ctx)
    assert recomputes(engine) == 0
    assert job.run_if_due(ctx) and not job.run_if_due(ctx)
    assert recomputes(engine) == 1
