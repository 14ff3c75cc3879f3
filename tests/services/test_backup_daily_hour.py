"""The daily backup under the scheduler's hourly check: one a shop day, at the same hour
every day (not "24 h since the last one", which slipped an hour later each day)."""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime, timedelta

import pytest

from primedist.config import Settings
from primedist.core.clock import FixedClock, shop_tz, to_local
from primedist.jobs import backup as backup_job
from primedist.services.context import ServiceContext

TZ = shop_tz()

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("PRIMEDIST_TEST_DATABASE_URL")), reason="SQLite only: app backups are files"
)


def test_hourly_checks_over_five_days_take_one_backup_a_day_at_a_stable_hour(
    owner_ctx: ServiceContext, settings: Settings
) -> None:
    start = datetime(2026, 11, 20, 9, 0, tzinfo=TZ) + timedelta(milliseconds=10)
    clock = FixedClock(start)
    ctx = ServiceContext(owner_ctx.engine, owner_ctx.actor, clock, settings)
    made: list[datetime] = []
    for hour in range(24 * 5):
        now = start + timedelta(hours=hour)
        clock.set(now)
        before = set(settings.backup_dir.iterdir())
        backup_job.run_daily_backup(ctx)
        for path in set(settings.backup_dir.iterdir()) - before:
            done = (now + timedelta(seconds=2)).timestamp()  # written 2 s after the check
            os.utime(path, (done, done))
            made.append(to_local(now, TZ))
    per_day = Counter(m.date() for m in made)
    days = {(start + timedelta(hours=h)).date() for h in range(24 * 5)}  # 20th … 25th
    assert per_day == dict.fromkeys(days, 1)  # one every day, never two
    assert made[0].hour == 9  # the first start takes one at once
    assert {m.hour for m in made[1:]} == {0}  # then the first check of each day
    gaps = {b - a for a, b in zip(made[1:], made[2:], strict=False)}
    assert gaps == {timedelta(hours=24)}
