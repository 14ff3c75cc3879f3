"""A sync asked for by hand shows its progress per detail batch and can be cancelled (the
Shopee sandbox over real HTTP on 127.0.0.1): it stops between committed batches, what it
saved stays, its checkpoint skips nothing, and the next run finishes the work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.core.messages import Message
from primedist.jobs import lease
from primedist.jobs.progress import JobProgress
from primedist.services import sync
from primedist.services.context import ServiceContext
from tests.services.test_sync import Market
from tests.services.test_sync import _sandbox as running_sandbox

#: Orders over four weeks: a first sync (30 days back) lists them in two windows of 15
#: days, each with several detail batches (Shopee: 50 orders a call).
ORDERS = 600
OTHER_PC = "KHO-PC:4242:1a2b3c4d"


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Market]:  # fmt: skip
    # Many small transactions: a cancel lands between committed batches of a window.
    monkeypatch.setattr(sync, "BATCH_ORDERS", 100)
    for sandbox in running_sandbox(clock, orders=ORDERS, history_days=28, seed=5):
        yield Market(ctx, engine, sandbox)


Updates = list[tuple[float, str]]


def watched(cancel_when: Callable[[float, str], bool] = lambda _f, _m: False,
            ) -> tuple[JobProgress, Updates]:  # fmt: skip
    """A job's progress recording every update; cancelled (as the jobs indicator's Cancel
    does) once `cancel_when(fraction, message)`."""
    updates: Updates = []
    progress = JobProgress()

    def seen(fraction: float, message: str) -> None:
        updates.append((fraction, message))
        if cancel_when(fraction, message):
            progress.cancel()

    progress._on_update = seen
    return progress, updates


def _done(message: str) -> int:
    values = message.values if isinstance(message, Message) else {}
    return int(values.get("done", 0))


def _stored(engine: Engine) -> tuple[int, int]:
    """(orders, distinct order numbers) in the store."""
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT count(*), count(DISTINCT external_id) FROM orders").one()
    return int(row[0]), int(row[1])


def _synced_until(market: Market) -> datetime | None:
    """The shop's checkpoint, as the Sync panel reads it."""
    (state,) = [s for s in sync.shop_states(market.ctx) if s.shop_id == market.shop_id]
    return state.synced_until


def test_a_cancelled_sync_keeps_what_it_saved_and_the_next_run_finishes_it(
    market: Market, clock: FixedClock
) -> None:
    # Cancel in the second window, once 150 of its orders are fetched (a batch of 100 is
    # committed by then; the next 50 are fetched, not yet written).
    progress, updates = watched(lambda f, m: f >= 0.5 and _done(m) >= 150)
    first = sync.sync_shop(market.ctx, market.shop_id, factory=market.connector,
                           progress=progress)  # fmt: skip

    assert first.outcome == "cancelled", first.message
    window_end = clock.now() - timedelta(days=15)  # the first window's end
    assert first.windows == 1 and first.synced_until == window_end
    # The checkpoint is at the last whole window: not past the orders left unwritten.
    assert _synced_until(market) == window_end
    saved, distinct = _stored(market.engine)
    assert saved == distinct == first.inserted == first.fetched
    assert 0 < saved < ORDERS
    assert first.fetched >= 200  # what was fetched when it stopped was written too
    log = sync.sync_log(market.ctx, market.shop_id)
    assert log[0].level == "info"
    assert log[0].message == (
        f"Stopped: {saved:,} orders were saved before the stop ({saved:,} new, 0 updated); "
        "the next sync continues from there."
    )
    assert isinstance(log[0].message, Message)  # read in the reader's language
    # The shop's lock and lease are free again: another PC could sync it now.
    lock = sync.shop_sync_lock(market.shop_id)
    assert lock.acquire(blocking=False)
    lock.release()
    job = sync.pull_job(market.shop_id)
    assert lease.try_acquire(market.engine, job, holder=OTHER_PC)
    lease.release(market.engine, job, holder=OTHER_PC)
    fractions = [f for f, _m in updates]
    assert fractions == sorted(fractions) and fractions[-1] < 1.0

    again = market.sync()
    assert again.outcome == "ok", again.message
    market.assert_in_step()  # nothing skipped: every order of the sandbox, its status
    assert _stored(market.engine) == (ORDERS, ORDERS)  # each once
    assert first.inserted + again.inserted == ORDERS  # nothing written twice
    assert _synced_until(market) == clock.now()


def test_progress_moves_per_detail_batch_through_every_window(market: Market) -> None:
    progress, updates = watched()
    report = sync.sync_shop(market.ctx, market.shop_id, factory=market.connector,
                            progress=progress)  # fmt: skip
    assert report.outcome == "ok" and report.windows == 2
    fractions = [f for f, _m in updates]
    assert fractions == sorted(fractions)  # never backwards
    assert fractions[-1] == 1.0
    # Not a step per window: one per detail batch of 50, in each window (the first has
    # 131 orders changed, the second 469).
    assert sum(1 for f in fractions if 0 < f < 0.5) >= 2
    assert sum(1 for f in fractions if 0.5 < f < 1.0) >= 8
    # Translatable: the jobs indicator shows them in the reader's language.
    assert all(isinstance(m, Message) for _f, m in updates)
    last = updates[-1][1]
    assert isinstance(last, Message) and last.startswith("Shopee Sandbox: ")
    assert _done(last) == last.values["total"]


def test_a_cancelled_refetch_keeps_the_checkpoint_and_says_so(
    market: Market, clock: FixedClock
) -> None:
    assert market.sync().outcome == "ok"
    until = _synced_until(market)
    progress, _updates = watched(lambda _f, m: _done(m) >= 100)
    report = sync.refetch_range(market.ctx, market.shop_id, clock.now() - timedelta(days=10),
                                clock.now(), factory=market.connector,
                                progress=progress)  # fmt: skip
    assert report.outcome == "cancelled"
    assert 0 < report.fetched < ORDERS and report.inserted == 0  # all there already
    assert _synced_until(market) == until
    assert sync.sync_log(market.ctx, market.shop_id)[0].message == (
        f"Re-fetch stopped: {report.fetched:,} orders were saved before the stop (0 new, "
        "0 updated)."
    )
    market.assert_in_step()
