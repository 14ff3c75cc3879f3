"""The daily backup: run by the scheduler once a day, and at start when the last one is
more than a day old (the PC was off at backup time).

The job takes its lease itself (`jobs.scheduler.SELF_LEASED_PREFIXES`): on PostgreSQL a PC
without pg_dump must not take it, or, taking it first every hour, it would fail where
another PC of the shop could take the backup. Such a PC leaves the backup to the others
and says so only when none has been taken for a day (`services.backup.
daily_backup_not_here`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler

from primedist.jobs import lease
from primedist.services import backup
from primedist.services.context import ServiceContext

log = logging.getLogger(__name__)

JOB_ID = "backup.daily"


def run_daily_backup(ctx: ServiceContext) -> None:
    """Take the daily backup unless a recent one exists (a catch-up may have just run; on
    PostgreSQL, another PC). A failure is posted on Home and shown on the Backup & restore
    page by the service, then raised here for the log (the scheduler tries again within
    the hour)."""
    settings = ctx.settings
    if settings is None or (settings.is_sqlite and settings.db_path is None):
        return  # an in-memory database: nothing to back up
    if not backup.daily_backup_due(ctx):
        return
    if backup.backup_tool_problem(settings) is not None:
        if backup.daily_backup_not_here(ctx):
            log.warning("no daily backup on this PC: no pg_dump here, none taken elsewhere")
        return
    with lease.held(ctx.engine, JOB_ID) as ours:
        if not ours:
            log.debug("daily backup skipped: running on another PC")
            return
        if backup.daily_backup_due(ctx):  # again: another PC may have taken it meanwhile
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
