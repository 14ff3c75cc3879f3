"""Tests for primedist.core.clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from primedist.core.clock import (
    DEFAULT_TZ,
    Clock,
    FixedClock,
    SystemClock,
    format_date,
    format_datetime,
    local_day_bounds_utc,
    shop_tz,
    to_local,
    to_utc,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_system_clock_is_aware_utc() -> None:
    clock: Clock = SystemClock()
    before = datetime.now(UTC)
    now = clock.now()
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


def test_fixed_clock_advance_and_set() -> None:
    clock = FixedClock(datetime(2021, 12, 29, 21, 5, tzinfo=VN))
    assert clock.now() == datetime(2021, 12, 29, 14, 5, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    clock.advance(timedelta(minutes=10))
    assert clock.now() == datetime(2021, 12, 29, 14, 15, tzinfo=UTC)
    clock.set(datetime(2022, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2022, 1, 1, tzinfo=UTC)


def test_fixed_clock_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        FixedClock(datetime(2021, 1, 1))
    clock = FixedClock(datetime(2021, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="naive"):
        clock.set(datetime(2021, 1, 2))
    assert clock.now() == datetime(2021, 1, 1, tzinfo=UTC)


def test_shop_tz() -> None:
    assert DEFAULT_TZ == "Asia/Ho_Chi_Minh"
    assert shop_tz(None) == VN
    assert shop_tz("") == VN
    assert shop_tz("Asia/Singapore") == ZoneInfo("Asia/Singapore")
    with pytest.raises(ValueError, match="Mars/Olympus"):
        shop_tz("Mars/Olympus")
    with pytest.raises(ValueError, match="unknown time zone"):
        shop_tz("/etc/passwd")


def test_to_local_and_to_utc() -> None:
    utc = datetime(2021, 12, 29, 20, 0, tzinfo=UTC)
    local = to_local(utc, VN)
    assert (local.date(), local.hour) == (date(2021, 12, 30), 3)
    assert to_utc(local, VN) == utc
    assert to_utc(datetime(2021, 12, 30, 3, 0), VN) == utc  # naive = local
    assert to_utc(utc, VN).tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        to_local(datetime(2021, 12, 29), VN)


# Vietnam has kept UTC+7 since 1975; earlier offset changes make some local times ambiguous.
modern_utc = st.datetimes(
    min_value=datetime(1976, 1, 1), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


@given(modern_utc)
def test_local_utc_round_trip(dt: datetime) -> None:
    assert to_utc(to_local(dt, VN).replace(tzinfo=None), VN) == dt


def test_local_day_bounds_utc() -> None:
    start, end = local_day_bounds_utc(date(2021, 12, 29), VN)
    assert start == datetime(2021, 12, 28, 17, 0, tzinfo=UTC)
    assert end == datetime(2021, 12, 29, 17, 0, tzinfo=UTC)


def test_local_day_bounds_follow_dst() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start, end = local_day_bounds_utc(date(2021, 3, 28), berlin)  # 23-hour day
    assert end - start == timedelta(hours=23)


@given(modern_utc)
def test_day_bounds_contain_the_instant(dt: datetime) -> None:
    start, end = local_day_bounds_utc(to_local(dt, VN).date(), VN)
    assert start <= dt < end


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_format_date(lang: str) -> None:
    assert format_date(date(2021, 12, 29), lang) == "29/12/2021"
    assert format_date(date(2021, 1, 2), lang) == "02/01/2021"
    assert format_date(datetime(2021, 12, 29, 23, 59), lang) == "29/12/2021"  # naive: as is


def test_format_date_converts_aware_to_shop_zone() -> None:
    late_utc = datetime(2021, 12, 29, 20, 0, tzinfo=UTC)
    assert format_date(late_utc) == "30/12/2021"
    assert format_date(late_utc, "en", tz=timezone(timedelta(hours=-5))) == "29/12/2021"


def test_format_datetime() -> None:
    dt = datetime(2021, 12, 29, 7, 5, 59, tzinfo=UTC)
    assert format_datetime(dt, VN, "vi") == "29/12/2021 14:05"
    assert format_datetime(dt, VN, "en") == "29/12/2021 14:05"
    assert format_datetime(dt, ZoneInfo("Europe/London")) == "29/12/2021 07:05"
    with pytest.raises(ValueError, match="naive"):
        format_datetime(datetime(2021, 12, 29), VN)


def test_format_rejects_unknown_language() -> None:
    with pytest.raises(ValueError, match="xx"):
        format_date(date(2021, 1, 1), "xx")
