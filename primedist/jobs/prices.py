"""Scheduled price changes (services/price_schedule.py): started and ended every minute,
and at start (a PC that was off at a start or an end catches up)."""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler

from primedist.services import price_schedule
from primedist.services.context import ServiceContext

JOB_ID = "prices.schedules"


def run_schedules(ctx: ServiceContext) -> None:
    price_schedule.run_due(ctx)


def add_jobs(scheduler: BaseScheduler, ctx: ServiceContext) -> None:
    scheduler.add_job(run_schedules, "interval", minutes=1, args=[ctx], id=JOB_ID,
                      replace_existing=True)  # fmt: skip


def catch_up(ctx: ServiceContext) -> None:
    run_schedules(ctx)
