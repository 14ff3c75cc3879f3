"""Settings → Sync schedule's plan: per marketplace shop its last sync and when it is
synced next — the run this PC's scheduler planned, else the last sync plus the interval,
a reached daily limit's end, none for a shop the scheduler does not sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from primedist.domain.enums import Channel, Role, ShopStatus
from primedist.domain.sync import SyncCheckpoint
from primedist.errors import PermissionDenied
from primedist.jobs import sync as sync_jobs
from primedist.services import channels
from primedist.services import schedule_settings as sched
from primedist.services.context import Actor, ServiceContext
from tests.factories import give_tokens, make_shop


@pytest.fixture(autouse=True)
def no_scheduler() -> Iterator[None]:
    """No scheduler's plan from another test: each test sets its own."""
    sched.set_sync_planner(None)
    yield
    sched.set_sync_planner(None)


def checkpoint(ctx: ServiceContext, shop_id: int, **values: object) -> None:
    with ctx.uow() as session:
        session.add(SyncCheckpoint(shop_id=shop_id, resource=channels.ORDERS_RESOURCE,
                                   **values))  # fmt: skip


def plan(ctx: ServiceContext) -> dict[str, datetime | None]:
    return {p.shop.name: p.next_at for p in sched.sync_plan(ctx)}


def test_without_a_scheduler_the_next_sync_is_the_last_plus_the_interval(
    owner_ctx: ServiceContext,
) -> None:
    now = owner_ctx.clock.now()
    engine = owner_ctx.engine
    synced, fresh, paused, unlinked, lost = (
        make_shop(engine, name, channel) for name, channel in (
            ("Shopee A", Channel.SHOPEE), ("Lazada B", Channel.LAZADA),
            ("TikTok C", Channel.TIKTOK), ("Tiki D", Channel.TIKI), ("Shopee E", Channel.SHOPEE))
    )  # fmt: skip
    for shop_id in (synced, fresh, paused, lost):
        give_tokens(engine, shop_id)
    checkpoint(owner_ctx, synced, last_success_at=now - timedelta(minutes=3))
    checkpoint(owner_ctx, paused, last_success_at=now - timedelta(minutes=3),
               paused_until=now + timedelta(hours=5))  # fmt: skip
    with owner_ctx.uow() as session:
        channels.mark_needs_reauth(owner_ctx, session, lost, "revoked")
    sched.set_sync_interval(owner_ctx, 15)

    assert plan(owner_ctx) == {
        "Shopee A": now + timedelta(minutes=12),  # synced 3 minutes ago, every 15
        "Lazada B": now,  # never synced: at once
        "TikTok C": now + timedelta(hours=5),  # the daily limit: when it resets
        "Tiki D": None,  # not linked
        "Shopee E": None,  # waiting to be authorised again
    }
    [shop] = [p.shop for p in sched.sync_plan(owner_ctx) if p.shop.name == "Shopee E"]
    assert shop.needs_reauth and shop.status == ShopStatus.NEEDS_REAUTH


def test_the_running_schedulers_planned_run_is_the_next_sync(owner_ctx: ServiceContext) -> None:
    engine = owner_ctx.engine
    shop_id = make_shop(engine, "Shopee A", Channel.SHOPEE)
    give_tokens(engine, shop_id)
    make_shop(engine, "Tiki D", Channel.TIKI)
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.start(paused=True)  # running, its jobs planned, none run
    try:
        sync_jobs.add_jobs(scheduler, owner_ctx)
        job = scheduler.get_job(f"sync.pull.{shop_id}")
        assert job is not None and job.next_run_time is not None
        assert plan(owner_ctx) == {"Shopee A": job.next_run_time, "Tiki D": None}
    finally:
        scheduler.shutdown(wait=False)
    # Stopped: its runs are not coming; the estimate again (never synced: at once).
    assert plan(owner_ctx) == {"Shopee A": owner_ctx.clock.now(), "Tiki D": None}


def test_staff_without_settings_may_not_read_it(owner_ctx: ServiceContext) -> None:
    staff = Actor(id=None, name="Staff", email="staff@example.vn", role=Role.STAFF)
    with pytest.raises(PermissionDenied):
        sched.sync_plan(owner_ctx.with_actor(staff))
