"""Scheduler jobs of the marketplace sync: pull orders, deliver the outbox, refresh tokens.

- `sync.pull.<shop id>`: every N minutes (Settings → Sync schedule) per linked shop; one
  job per shop, so a slow shop never holds another back and never overlaps itself (its
  lease, taken by the sync as a Sync now's is: neither overlaps the other);
- `sync.shops`: every minute, adds/removes the per-shop jobs as shops are linked or
  disconnected and follows a changed interval;
- `sync.outbox`: every minute, delivers the outbox; an action queued in the app's window
  (a confirm, a cancel…) runs it (and the carriers' `shipping.outbox`) at once
  (`deliver_soon`), so it goes out in seconds while online, not at the next minute;
- `sync.tokens`: every 15 minutes, refreshes access tokens that expire within 30 minutes
  (the connector also refreshes on demand; this keeps an idle shop's refresh token alive).

Each job catches and logs its own failures: a broken shop never stops the scheduler.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from primedist.connectors.base import AuthError, ConnectorError
from primedist.services.context import SYSTEM, ServiceContext
from primedist.services.outbox_delivery import deliver_outbox
from primedist.services.schedule_settings import set_sync_planner, sync_interval_minutes
from primedist.services.sync import (
    PULL_PREFIX,
    SYNC_STATE,
    ConnectorFactory,
    default_connector,
    sync_shop,
    syncable_shops,
)

log = logging.getLogger(__name__)

TOKEN_MARGIN = timedelta(minutes=30)
#: The outbox deliveries: the marketplaces' (here) and the carriers' (`jobs/shipping.py`).
OUTBOX_JOBS = ("sync.outbox", "shipping.outbox")
#: The first pull of a shop after start or linking waits this long (the window shows first).
FIRST_PULL_DELAY = timedelta(seconds=5)


def add_jobs(
    scheduler: BaseScheduler, ctx: ServiceContext, factory: ConnectorFactory = default_connector
) -> None:
    jobs_ctx = ctx.with_actor(SYSTEM)
    scheduler.add_job(deliver, IntervalTrigger(minutes=1), args=[jobs_ctx, factory],
                      id="sync.outbox", replace_existing=True)  # fmt: skip
    scheduler.add_job(refresh_tokens, IntervalTrigger(minutes=15), args=[jobs_ctx, factory],
                      id="sync.tokens", replace_existing=True)  # fmt: skip
    scheduler.add_job(reconcile_shops, IntervalTrigger(minutes=1),
                      args=[scheduler, jobs_ctx, factory], id="sync.shops",
                      replace_existing=True)  # fmt: skip
    reconcile_shops(scheduler, jobs_ctx, factory)
    # Settings → Sync schedule shows when each shop's pull runs next.
    set_sync_planner(partial(planned_pulls, scheduler))


def planned_pulls(scheduler: BaseScheduler) -> dict[int, datetime]:
    """{shop id: the next run of its pull job}; none from a scheduler not running (not
    started yet, or stopped: its runs are not coming)."""
    if not scheduler.running:
        return {}
    plan = {}
    for job in scheduler.get_jobs():
        at = getattr(job, "next_run_time", None)
        if job.id.startswith(PULL_PREFIX) and at is not None:
            plan[int(job.id.removeprefix(PULL_PREFIX))] = at
    return plan


def catch_up(ctx: ServiceContext) -> None:
    """Count the waiting actions for the status bar before the first delivery runs."""
    from primedist.services.outbox_delivery import failed_count, held_count, waiting_count

    SYNC_STATE.update(waiting=waiting_count(ctx), failed=failed_count(ctx), held=held_count(ctx))


def reconcile_shops(
    scheduler: BaseScheduler, ctx: ServiceContext, factory: ConnectorFactory = default_connector
) -> None:
    """One pull job per linked shop, every `sync_interval_minutes`."""
    try:
        with ctx.uow() as session:
            minutes = sync_interval_minutes(session)
        shops = dict(syncable_shops(ctx))
    except Exception:
        log.exception("could not list the shops to sync")
        return
    now = datetime.now(UTC)  # the scheduler runs on the wall clock, whatever ctx.clock says
    for job in scheduler.get_jobs():
        if job.id.startswith(PULL_PREFIX):
            shop_id = int(job.id.removeprefix(PULL_PREFIX))
            trigger = job.trigger
            if shop_id not in shops:
                job.remove()
            elif isinstance(trigger, IntervalTrigger) and trigger.interval != timedelta(
                minutes=minutes
            ):
                job.reschedule(IntervalTrigger(minutes=minutes))
    have = {job.id for job in scheduler.get_jobs()}
    for shop_id in shops:
        job_id = f"{PULL_PREFIX}{shop_id}"
        if job_id not in have:
            scheduler.add_job(pull, IntervalTrigger(minutes=minutes), args=[ctx, shop_id, factory],
                              id=job_id, next_run_time=now + FIRST_PULL_DELAY)  # fmt: skip


def pull(ctx: ServiceContext, shop_id: int, factory: ConnectorFactory = default_connector) -> None:
    """The shop's scheduled sync; `sync_shop` holds the job's lease (not the scheduler)."""
    try:
        report = sync_shop(ctx, shop_id, factory=factory)
        # Not run (another PC or a Sync now syncs the shop): skipped, as a job whose lease
        # another PC holds is.
        skipped = report.outcome == "busy" and not report.fetched
        log.log(logging.DEBUG if skipped else logging.INFO, "%s", report.summary())
    except Exception:
        log.exception("sync of shop %s failed", shop_id)


def deliver(ctx: ServiceContext, factory: ConnectorFactory = default_connector) -> None:
    try:
        report = deliver_outbox(ctx, factory=factory, due_only=True)
        if report.delivered or report.failed:
            log.info("outbox: %s", report.summary())
    except Exception:
        log.exception("outbox delivery failed")


def deliver_soon(scheduler: BaseScheduler | None) -> None:
    """Run the outbox deliveries now rather than at their next minute: an action just
    queued goes out while the user still looks at it. A delivery running now skips this
    run (one at a time); the job's own minute still comes. No scheduler running (none in
    this process, or stopped at quit): nothing to do, the actions wait in the outbox."""
    if scheduler is None or not scheduler.running:
        return
    now = datetime.now(UTC)
    for job_id in OUTBOX_JOBS:
        try:
            scheduler.modify_job(job_id, next_run_time=now)
        except JobLookupError:  # the scheduler is shutting down (or has no such job)
            log.debug("no %s job to run now", job_id)


def refresh_tokens(ctx: ServiceContext, factory: ConnectorFactory = default_connector) -> None:
    for shop_id, name in syncable_shops(ctx):
        try:
            connector = factory(ctx, shop_id)
            try:
                connector.ensure_fresh_tokens(TOKEN_MARGIN)
            finally:
                connector.close()
        except AuthError as exc:
            from primedist.services.channels import mark_needs_reauth

            with ctx.uow() as session:
                mark_needs_reauth(ctx, session, shop_id, str(exc))
        except ConnectorError as exc:
            log.info("token refresh of %s postponed: %s", name, exc)
        except Exception:
            log.exception("token refresh of %s failed", name)
