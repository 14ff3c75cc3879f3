"""The nightly rank recompute: every day at 23:59 in the shop's time zone, and once at the
next start when the app was not running then.

The last real recompute is persisted (`services.loyalty.ranks.last_run`); `run_if_due`
runs one recompute when a 23:59 has passed since, however many days were missed (they
coalesce into one run). The 23:59 job runs it, also late (a PC that slept over 23:59 runs
it when it wakes), and so does an hourly check (a run that failed is tried again within
the hour) and the catch-up at start. They take one lease (RUN_LEASE), so two of them at
once never recompute twice for one day.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, tzinfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from primedist.core.clock import shop_tz, to_local
from primedist.jobs.lease import held
from primedist.services.context import SYSTEM, ServiceContext
from primedist.services.loyalty.ranks import last_run, recompute_ranks

log = logging.getLogger(__name__)

JOB_ID = "ranks.nightly"
CHECK_JOB_ID = "ranks.check"
#: Held while deciding and recomputing: the 23:59 job, the hourly check and the catch-up
#: (also another PC's) never recompute the same day twice.
RUN_LEASE = "ranks.recompute"
RUN_AT = time(23, 59)


def add_jobs(scheduler: BaseScheduler, ctx: ServiceContext) -> None:
    """The nightly recompute at 23:59, shop time, and the hourly check for a missed one."""
    # No misfire limit: a 23:59 slept through runs (once) on waking, not the next night.
    scheduler.add_job(
        run_if_due, CronTrigger(hour=RUN_AT.hour, minute=RUN_AT.minute, timezone=shop_tz()),
        args=[ctx], id=JOB_ID, name="Recompute customer ranks", replace_existing=True,
        misfire_grace_time=None,
    )  # fmt: skip
    scheduler.add_job(run_if_due, IntervalTrigger(hours=1), args=[ctx], id=CHECK_JOB_ID,
                      name="Recompute customer ranks if missed",
                      replace_existing=True)  # fmt: skip


def run_nightly(ctx: ServiceContext) -> None:
    """The scheduled recompute, as the system (whoever is signed in, or nobody): the rank
    history shows it as the nightly recompute."""
    report = recompute_ranks(ctx.with_actor(SYSTEM))
    log.info("%s", report.summary())


def run_if_due(ctx: ServiceContext) -> bool:
    """The recompute, when a 23:59 has passed since the last one; returns whether it ran.
    Nothing when another job (or PC) is deciding or recomputing now."""
    with held(ctx.engine, RUN_LEASE) as ours:
        if not ours or not is_due(ctx):
            return False
        run_nightly(ctx)
        return True


def last_due(now: datetime, tz: tzinfo) -> datetime:
    """The latest scheduled run at or before `now` (23:59 today, else yesterday)."""
    local = to_local(now, tz)
    slot = datetime.combine(local.date(), RUN_AT, tzinfo=tz)
    if local < slot:
        slot = datetime.combine(local.date() - timedelta(days=1), RUN_AT, tzinfo=tz)
    return slot


def is_due(ctx: ServiceContext, tz: tzinfo | None = None) -> bool:
    """A 23:59 passed since the last recompute (or there never was one)."""
    done = last_run(ctx)
    return done is None or done < last_due(ctx.clock.now(), tz or shop_tz())


def catch_up(ctx: ServiceContext) -> bool:
    """Run the missed recompute once; returns whether it ran."""
    return run_if_due(ctx)
