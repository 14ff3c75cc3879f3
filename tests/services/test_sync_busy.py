"""Another writer holding the database (a second sync of the shop in another process, an
import) once the sync has committed batches: those orders stay saved, and the sync says
so — it never answers "nothing was saved" — and leaves its log line and Home's event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.errors import Busy
from primedist.services import sync
from primedist.services.context import ServiceContext
from tests.services.test_sync import Market, _sandbox

BUSY = Busy("Another task is writing to the shop's data (a sync, an import or another "
            "window); nothing was saved. Try again in a moment.")  # fmt: skip


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=300, history_days=20, seed=11):
        yield Market(ctx, engine, sandbox)


def busy_on_call(monkeypatch: pytest.MonkeyPatch, name: str, calls: set[int]) -> list[int]:
    """`sync.<name>` raises Busy on the given calls (1 = the first), runs otherwise."""
    real = getattr(sync, name)
    seen: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        seen.append(len(seen) + 1)
        if len(seen) in calls:
            raise BUSY
        return real(*args, **kwargs)

    monkeypatch.setattr(sync, name, flaky)
    return seen


def stored(engine: Engine, sql: str) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql)).all())


def test_busy_after_a_committed_window_says_what_was_saved(
    market: Market, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = busy_on_call(monkeypatch, "_commit_batch", {2})  # the second window's batch
    report = market.sync()
    assert calls == [1, 2]
    assert report.outcome == "busy"
    (saved,) = stored(engine, "SELECT count(*) FROM orders")[0]
    assert saved > 0 and report.fetched == report.inserted == saved
    assert report.message == (
        "The sync stopped because another task was writing to the shop's data: "
        f"{saved:,} orders were saved ({saved:,} new, 0 updated); the next sync picks up "
        "from there."
    )
    assert "nothing was saved" not in report.summary()
    lines = sync.sync_log(market.ctx, market.shop_id)
    assert [(line.level, line.message) for line in lines] == [("warning", report.message)]
    events = stored(engine, "SELECT kind, args FROM activity_events")
    assert [(kind, json.loads(args)) for kind, args in events] == [
        ("orders_synced", {"new": saved, "updated": 0})
    ]

    monkeypatch.undo()  # the other writer is done: the next run brings the rest
    again = market.sync()
    assert again.outcome == "ok", again.message
    market.assert_in_step()


def test_busy_on_the_final_step_is_waited_out(
    market: Market, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race of two syncs: the second's batches held the lock when the first, all its
    orders committed, marked the run done. It tries again and the run is whole."""
    calls = busy_on_call(monkeypatch, "_finish", {1})
    report = market.sync()
    assert calls == [1, 2]
    assert report.outcome == "ok", report.message
    assert report.inserted == 300
    assert stored(engine, "SELECT last_success_at IS NOT NULL FROM sync_checkpoints") == [(1,)]
    assert [line.level for line in sync.sync_log(market.ctx, market.shop_id)] == ["info"]
    assert stored(engine, "SELECT kind FROM activity_events") == [("orders_synced",)]


def test_busy_on_the_log_line_keeps_the_orders_and_says_so(
    market: Market, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("primedist.db.engine.time.sleep", lambda _s: None)  # its retries
    busy_on_call(monkeypatch, "_log", set(range(1, 100)))  # the other writer never lets go
    report = market.sync()
    assert report.outcome == "busy"
    assert report.message is not None and "300 orders were saved (300 new" in report.message
    assert stored(engine, "SELECT count(*) FROM orders") == [(300,)]


def test_busy_before_anything_is_saved_is_still_refused(
    market: Market, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_on_call(monkeypatch, "_commit_batch", {1})
    with pytest.raises(Busy, match="nothing was saved"):
        market.sync()
    assert stored(engine, "SELECT count(*) FROM orders") == [(0,)]
