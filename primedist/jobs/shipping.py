"""Scheduler jobs of the shop's own shipments (GHN / J&T Express).

- `shipping.outbox`: every minute, sends the queued shipment creates and cancels;
- `shipping.poll`: every 15 minutes, reads the open shipments' state and moves their
  orders (delivered → completed, returned → restocked…); a carrier refusing an
  account's token is posted on Home once, until tracking works again.

Each job catches and logs its own failures: a carrier being down never stops the
scheduler, and the outbox keeps the actions for the next run.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from primedist.services.context import SYSTEM, ServiceContext
from primedist.services.shipping import (
    POLL_MINUTES,
    CarrierFactory,
    carrier_for,
    deliver_carrier_outbox,
    note_tracking_access,
    poll_shipments,
)

log = logging.getLogger(__name__)


def add_jobs(
    scheduler: BaseScheduler, ctx: ServiceContext, factory: CarrierFactory = carrier_for
) -> None:
    jobs_ctx = ctx.with_actor(SYSTEM)
    scheduler.add_job(deliver, IntervalTrigger(minutes=1), args=[jobs_ctx, factory],
                      id="shipping.outbox", name="Send shipment actions",
                      replace_existing=True)  # fmt: skip
    scheduler.add_job(poll, IntervalTrigger(minutes=POLL_MINUTES), args=[jobs_ctx, factory],
                      id="shipping.poll", name="Track shipments",
                      replace_existing=True)  # fmt: skip


def catch_up(ctx: ServiceContext) -> None:
    """Send what was queued while the app was closed, then track once."""
    jobs_ctx = ctx.with_actor(SYSTEM)
    deliver(jobs_ctx)
    poll(jobs_ctx)


def deliver(ctx: ServiceContext, factory: CarrierFactory = carrier_for) -> None:
    try:
        report = deliver_carrier_outbox(ctx, factory=factory)
    except Exception:
        log.exception("shipment delivery failed")
        return
    if report.delivered or report.failed or report.retrying:
        log.info("shipments: %d sent, %d to retry, %d failed", report.delivered,
                 report.retrying, report.failed)  # fmt: skip


def poll(ctx: ServiceContext, factory: CarrierFactory = carrier_for) -> None:
    try:
        report = poll_shipments(ctx, factory=factory)
    except Exception:
        log.exception("shipment tracking failed")
        return
    for error in report.errors[:5]:
        log.warning("shipment tracking: %s", error)
    try:
        note_tracking_access(ctx, report)  # a refused token: on Home, once
    except Exception:
        log.exception("a carrier's refused token could not be posted on Home")
