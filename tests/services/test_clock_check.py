"""This PC's clock against the database server's (`clock_check.clock_skew`): the status
bar warns when a counter PC's clock is off, as every sale it writes is stamped with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from primedist.services.clock_check import clock_skew, skew_matters
from primedist.services.context import ServiceContext
from tests.conftest import PG_URL

on_postgresql = pytest.mark.skipif(not PG_URL, reason="a server's clock: PostgreSQL only")


class OffClock:
    """This PC's clock, `off` from the true time (negative: behind)."""

    def __init__(self, off: timedelta) -> None:
        self.off = off

    def now(self) -> datetime:
        return datetime.now(UTC) + self.off


def _pc(ctx: ServiceContext, off: timedelta) -> ServiceContext:
    return ServiceContext(ctx.engine, clock=OffClock(off), settings=ctx.settings)


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's one clock")
def test_sqlite_has_no_other_clock(ctx: ServiceContext) -> None:
    assert clock_skew(ctx) is None
    assert clock_skew(_pc(ctx, timedelta(days=-1))) is None  # nothing to compare with


@on_postgresql
def test_a_true_clock_agrees_with_the_server(ctx: ServiceContext) -> None:
    # The test server runs on this machine: the same clock, within the round trip.
    skew = clock_skew(_pc(ctx, timedelta(0)))
    assert skew is not None and abs(skew) < timedelta(seconds=1)
    assert not skew_matters(skew)


@on_postgresql
@pytest.mark.parametrize("off", [timedelta(minutes=-7), timedelta(hours=7), timedelta(days=-1)])
def test_a_clock_off_is_measured_by_how_much(ctx: ServiceContext, off: timedelta) -> None:
    skew = clock_skew(_pc(ctx, off))
    assert skew is not None and abs(skew + off) < timedelta(seconds=1)  # behind: positive
    assert skew_matters(skew)


class SlowTrip:
    """The true clock, read as if each query took 20 s there and back: the first read
    (before the query) 10 s early, the next (after it) 10 s late."""

    def __init__(self) -> None:
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return datetime.now(UTC) + timedelta(seconds=-10 if self.reads % 2 else 10)


@on_postgresql
def test_the_round_trip_does_not_count(ctx: ServiceContext) -> None:
    pc = ServiceContext(ctx.engine, clock=SlowTrip(), settings=ctx.settings)
    skew = clock_skew(pc)
    assert skew is not None and abs(skew) < timedelta(seconds=1)  # the midpoint's


@on_postgresql
def test_the_clock_compared_is_the_one_writes_are_stamped_with(ctx: ServiceContext) -> None:
    """A test's frozen clock (`ctx.clock`, as the services stamp with) is what is compared,
    not the machine's: the fixture's 2026-11-20 is far from the server's now."""
    skew = clock_skew(ctx)
    assert skew is not None
    assert abs(skew - (datetime.now(UTC) - ctx.clock.now())) < timedelta(seconds=5)


def test_two_minutes_either_way_is_the_limit() -> None:
    assert not skew_matters(None)
    assert not skew_matters(timedelta(minutes=2))
    assert not skew_matters(timedelta(minutes=-2))
    assert skew_matters(timedelta(minutes=2, seconds=1))
    assert skew_matters(timedelta(minutes=-2, seconds=-1))
