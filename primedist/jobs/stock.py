"""Home's daily low-stock news: checked every hour (and at start), posted at most once a
local day (services/low_stock.post_low_stock_news)."""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler

from primedist.services import low_stock
from primedist.services.context import ServiceContext

JOB_ID = "stock.low_stock_news"


def post_low_stock_news(ctx: ServiceContext) -> None:
    low_stock.post_low_stock_news(ctx)


def add_jobs(scheduler: BaseScheduler, ctx: ServiceContext) -> None:
    scheduler.add_job(post_low_stock_news, "interval", hours=1, args=[ctx], id=JOB_ID,
                      replace_existing=True)  # fmt: skip


def catch_up(ctx: ServiceContext) -> None:
    post_low_stock_news(ctx)
