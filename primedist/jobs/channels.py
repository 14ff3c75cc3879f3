"""The daily check of marketplace authorisations: a shop whose authorisation ends within a
week gets a warning in its sync log (the Sync panel's shop log), once a day. A Lazada
shop's authorisation ends on a fixed date however often its tokens are renewed, so this
is what reminds the seller in time; Settings → Sales channels shows a banner as well.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from primedist.services.channels import warn_expiring_authorisations
from primedist.services.context import SYSTEM, ServiceContext

log = logging.getLogger(__name__)

JOB_ID = "channels.expiry"
EVERY_HOURS = 6


def add_jobs(scheduler: BaseScheduler, ctx: ServiceContext) -> None:
    """Every few hours (the log line itself is written at most once a day per shop)."""
    scheduler.add_job(
        check_expiry, IntervalTrigger(hours=EVERY_HOURS), args=[ctx], id=JOB_ID,
        name="Warn before marketplace authorisations end", replace_existing=True,
    )  # fmt: skip


def check_expiry(ctx: ServiceContext) -> None:
    for shop in warn_expiring_authorisations(ctx.with_actor(SYSTEM)):
        log.warning("%s: authorisation ends %s; re-authorise it in Sales channels",
                    shop.name, shop.authorised_until)  # fmt: skip


def catch_up(ctx: ServiceContext) -> None:
    """At start: warn at once rather than hours later."""
    check_expiry(ctx)
