"""The nightly rank job: 23:59 shop time, and one catch-up run at the next start whatever
the number of missed nights (a fake clock moves the days)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock, shop_tz
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Rank, Role
from primedist.jobs import ranks as job
from primedist.jobs.scheduler import JOB_MODULES
from primedist.services.context import Actor, ServiceContext
from primedist.services.loyalty import ranks
from tests.services.loyalty.conftest import customer, customers_with

audit_t = table_of(AuditEvent)
TZ = shop_tz()


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def recomputes(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count()).where(audit_t.c.action == "ranks.recompute")
            ).scalar_one()
        )


def test_closed_at_2359_then_opened_next_morning_runs_once(
    engine: Engine, ctx: ServiceContext, clock: FixedClock
) -> None:
    clock.set(local(20, 23, 59))
    job.run_nightly(ctx)  # the 20th's nightly run happened
    (cid,) = customers_with(engine, [{"total_expenses": 7_000_000}])
    clock.set(local(21, 22, 0))  # the app is closed before 23:59 on the 21st
    assert not job.catch_up(ctx)  # nothing missed yet (opened again that evening)
    clock.set(local(22, 8, 30))  # opened the next morning
    assert job.catch_up(ctx)
    assert recomputes(engine) == 2 and customer(engine, cid).rank == Rank.GOLD
    assert not job.catch_up(ctx)  # a second start that morning: nothing more
    clock.advance(timedelta(hours=15))  # 23:30 the same day
    assert not job.catch_up(ctx) and recomputes(engine) == 2


def test_closed_for_a_week_runs_once(
    engine: Engine, ctx: ServiceContext, clock: FixedClock
) -> None:
    clock.set(local(10, 23, 59))
    job.run_nightly(ctx)
    clock.set(local(18, 9, 0))  # seven nights missed
    assert job.catch_up(ctx) and not job.catch_up(ctx)
    assert recomputes(engine) == 2


def test_the_nightly_run_leaves_nothing_to_catch_up(
    engine: Engine, ctx: ServiceContext, clock: FixedClock
) -> None:
    assert job.is_due(ctx)  # never ran: the first start runs it
    clock.set(
        local(
            20,
            23,
            59,
        )
        + timedelta(seconds=2)
    )
    job.run_nightly(ctx)
    clock.set(local(21, 7, 0))
    assert not job.catch_up(ctx) and recomputes(engine) == 1
    clock.set(local(21, 23, 59))  # exactly the next slot: due again
    assert job.is_due(ctx)


def test_the_job_fires_at_2359_shop_time(ctx: ServiceContext) -> None:
    assert "ranks" in JOB_MODULES
    scheduler = BackgroundScheduler(timezone="UTC")
    job.add_jobs(scheduler, ctx)
    added = scheduler.get_job(job.JOB_ID)
    assert added.id == job.JOB_ID and isinstance(added.trigger, CronTrigger)
    fire = added.trigger.get_next_fire_time(None, local(20, 10, 0))
    assert fire == datetime(2026, 11, 20, 23, 59, tzinfo=TZ)
    assert fire.astimezone(UTC) == datetime(2026, 11, 20, 16, 59, tzinfo=UTC)
    after = added.trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert after == datetime(2026, 11, 21, 23, 59, tzinfo=TZ)


def test_the_nightly_run_acts_as_the_system(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    (cid,) = customers_with(engine, [{"total_expenses": 12_000_000}])
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset()))
    assert job.catch_up(staff)  # a staff member without Customers is signed in
    assert customer(engine, cid).rank == Rank.DIAMOND
    assert ranks.rank_history(owner_ctx, cid)[0].by is None  # shown as the nightly recompute
