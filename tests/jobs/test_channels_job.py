"""The authorisation-expiry job: a shop to re-authorise within a week gets one warning a day
in its sync log (the Sync panel's shop log); the job is registered with the scheduler."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from primedist.connectors.base import TokenPair
from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, ShopStatus
from primedist.domain.shop import Shop
from primedist.jobs import channels as job
from primedist.jobs import scheduler as app_scheduler
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.services.sync import sync_log

SECRET = "lzd0Secret0Of0The0App00000000000"


def linked(ctx: ServiceContext, name: str, channel: Channel, refresh_days: int) -> int:
    shop_id = channels.add_shop(ctx, channel, name=name, app_id="123456", app_secret=SECRET)
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.update(table_of(Shop))
            .where(table_of(Shop).c.id == shop_id)
            .values(external_shop_id=f"ext{shop_id}", status=ShopStatus.ACTIVE.value)
        )
    now = ctx.clock.now()
    channels.ShopTokenStore(ctx, shop_id).save(
        TokenPair("a", "r", now + timedelta(days=7), now + timedelta(days=refresh_days), "x")
    )
    return shop_id


def test_the_job_is_registered(ctx: ServiceContext) -> None:
    assert "channels" in app_scheduler.JOB_MODULES
    scheduler = BackgroundScheduler()
    job.add_jobs(scheduler, ctx)
    assert scheduler.get_job(job.JOB_ID) is not None


def test_one_warning_a_day_for_a_shop_whose_authorisation_ends_soon(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    lazada = linked(owner_ctx, "Lazada VN", Channel.LAZADA, refresh_days=10)
    tiktok = linked(owner_ctx, "TikTok VN", Channel.TIKTOK, refresh_days=60)
    job.catch_up(owner_ctx)
    assert sync_log(owner_ctx, lazada) == []  # 10 days left: not yet
    clock.advance(timedelta(days=4))
    job.catch_up(owner_ctx)
    job.check_expiry(owner_ctx)  # a second run the same day adds nothing
    (line,) = sync_log(owner_ctx, lazada)
    assert line.level == "warning"
    assert line.message == (
        "Authorisation ends 30/11/2026 10:00 (Lazada does not extend it when the app "
        "renews the tokens): re-authorise Lazada VN in Settings → Sales channels before "
        "then, or its sync stops."
    )
    assert sync_log(owner_ctx, tiktok) == []
    clock.advance(timedelta(days=1))
    job.check_expiry(owner_ctx)
    assert len(sync_log(owner_ctx, lazada)) == 2  # the next day: reminded again
