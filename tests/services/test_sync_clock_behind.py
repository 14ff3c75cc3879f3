"""A PC whose clock is behind the shop's last synced point (put back, or running late):
the sync used to find no window to fetch and say "0 orders fetched", a success, while new
orders waited. It is a failed run saying the clock is wrong, and the next run on the right
clock picks up from the checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock, shop_tz, to_local
from primedist.core.messages import Message
from primedist.services import sync
from primedist.services.context import ServiceContext
from tests.services.test_sync import Market, _sandbox

CLOCK_BEHIND = (
    "This computer's clock is probably wrong by more than 5 minutes: it is earlier than the "
    "last sync of this shop ({synced_until}). Set the right date and time, then sync again."
)


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=200, history_days=5, future_days=4, seed=5):
        yield Market(ctx, engine, sandbox)


def test_a_clock_behind_the_checkpoint_is_a_failed_run_not_zero_orders(
    market: Market, ctx: ServiceContext, clock: FixedClock
) -> None:
    first = market.sync()
    assert first.outcome == "ok" and first.synced_until is not None
    synced_until = first.synced_until
    clock.advance(timedelta(hours=-48))

    behind = market.sync()

    shown = f"{to_local(synced_until, shop_tz()):%d/%m/%Y %H:%M}"  # as the app shows dates
    assert behind.outcome == "error"
    assert behind.message == CLOCK_BEHIND.format(synced_until=shown)
    assert isinstance(behind.message, Message) and behind.message.template == CLOCK_BEHIND
    errors = [line.message for line in sync.sync_log(ctx, market.shop_id) if line.level == "error"]
    assert errors == [f"Sync failed: {behind.message}"]  # dated by the wrong clock: not first

    clock.advance(timedelta(hours=48, days=2))  # the clock put right; orders moved on
    again = market.sync()
    assert again.outcome == "ok", again.message
    assert again.inserted + again.updated > 0
    market.assert_in_step()


def test_a_clock_a_few_minutes_behind_still_syncs(market: Market, clock: FixedClock) -> None:
    assert market.sync().outcome == "ok"
    clock.advance(timedelta(minutes=-4))  # within the overlap: two PCs' clocks differ a little
    assert market.sync().outcome == "ok"
