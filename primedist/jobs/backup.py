"""The daily backup: run by the scheduler once a day, and at start when the last one is
more than a day old (the PC was off at backup time)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler

from primedist.services import backup
from primedist.services.context import ServiceContext

log = logging.getLogger(__name__)

JOB_ID = "backup.daily"


def run_daily_backup(ctx: ServiceContext) -> None:
    """Take the daily backup unless a recent one exists (a catch-up may have just run).
    A failure is posted on Home and shown on the Backup & restore page by the service,
    then raised here for the log (the scheduler tries again within the hour)."""
    if ctx.settings is None or ctx.settings.db_path is None:
        return  # a server database is backed up with its own tools
    if backup.daily_backup_due(ctx):
        path = backup.daily_backup(ctx)
        log.info("daily backup written to %s", path.name)


def add_jobs(scheduler: BaseScheduler, ctx: ServiceContext) -> None:
    # Hourly checks, not a 24 h interval: a PC that sleeps every night still gets its
    # daily backup within the hour after waking, and never two a day.
    scheduler.add_job(run_daily_backup, "interval", hours=1, args=[ctx], id=JOB_ID,
                      replace_existing=True)  # fmt: skip


def catch_up(ctx: ServiceContext) -> None:
    run_daily_backup(ctx)


def run_soon(scheduler: BaseScheduler) -> None:
    """The backup check now rather than within the hour: after the shop's setup, the first
    backup (none is taken of a store without a shop)."""
    try:
        scheduler.modify_job(JOB_ID, next_run_time=datetime.now(UTC))
    except JobLookupError:  # the scheduler is shutting down
        log.info("no backup job to run now")
