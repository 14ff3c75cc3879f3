"""A sync asked for by hand (Sync now, `primedist sync`) holds the shop's pull job lease
(`sync.pull.<shop id>` in `job_locks`), as the scheduler's pull does: while another
process (another PC, or `primedist sync` beside the app) holds it, the sync does not run
and names that PC; while it runs, every other PC sees it and its scheduler skips the shop.

On SQLite, or PostgreSQL when PRIMEDIST_TEST_DATABASE_URL is set; real HTTP against the
Shopee sandbox; the other process is a real one (`tests/pg/racer.py`) in the last tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.connectors.shopee import ORDER_LIST_PATH
from primedist.core.clock import FixedClock
from primedist.jobs import lease
from primedist.jobs import sync as sync_jobs
from primedist.sandbox.shopee import FaultKind
from primedist.services import channels, sync
from primedist.services.context import ServiceContext
from primedist.services.sync import Connector, ConnectorFactory, SyncReport
from tests.pg.racing import HEAD_START, Racers
from tests.pg.test_races import connector_spec
from tests.services import test_sync_other_pc as two_pcs
from tests.services.test_sync import Market
from tests.services.test_sync_other_pc import SHOP_PC

counter = two_pcs.counter
market = two_pcs.market

#: Another PC, as its scheduler's lease rows name it.
OTHER_PC = "KASSE-PC:77:0badf00d"


def job(market: Market) -> str:
    return f"{sync.PULL_PREFIX}{market.shop_id}"


def lease_row(engine: Engine, name: str) -> tuple[str, bool] | None:
    """(holder, running) of the lease on `name`, as the database has it now."""
    with engine.connect() as conn:
        now = lease.db_now(conn)
        row = conn.execute(
            sa.select(lease.locks_t.c.holder, lease.locks_t.c.expires_at)
            .where(lease.locks_t.c.name == name)
        ).first()  # fmt: skip
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
    return row.holder, expires > now


def during_run(market: Market, look: Callable[[], None]) -> ConnectorFactory:
    """The market's connectors, calling `look` once, as the run lists its first window."""
    looked: list[bool] = []

    def factory(_ctx: object = None, _shop_id: object = None) -> Connector:
        conn = market.connector()
        listing = conn.changed_orders

        def changed_orders(*args: Any, **kwargs: Any) -> Any:
            if not looked:
                looked.append(True)
                look()
            return listing(*args, **kwargs)

        conn.changed_orders = changed_orders  # type: ignore[method-assign]
        return conn

    return factory


def seen_elsewhere(pc: ServiceContext, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The syncs another PC's status bar names ("Syncing Shop on PC…"): that PC's process
    is another holder than this one."""
    with monkeypatch.context() as other:
        other.setattr(lease, "HOLDER", OTHER_PC)
        return list(sync.shared_sync_status(pc).elsewhere)


def test_a_sync_while_another_pc_syncs_the_shop_does_not_run_and_names_that_pc(
    market: Market, engine: Engine, owner_ctx: ServiceContext
) -> None:
    assert lease.try_acquire(engine, job(market), holder=SHOP_PC)  # KHO-PC's scheduled pull
    made: list[int] = []

    def factory(ctx: ServiceContext, shop_id: int) -> Connector:
        made.append(shop_id)
        return market.connector()

    report = sync.sync_shop(market.ctx, market.shop_id, factory=factory)
    assert (report.outcome, report.fetched) == ("busy", 0)
    assert report.message == "Already syncing on KHO-PC; its orders show when that sync finishes."
    assert report.summary() == (
        "Shopee Sandbox: busy: Already syncing on KHO-PC; its orders show when that sync "
        "finishes.")  # fmt: skip
    # Sync now in Settings says the same (its shop's stored tokens are never used).
    assert channels.sync_now(owner_ctx, market.shop_id).message == report.message
    assert made == [] and market.stored() == {}  # nothing asked of the marketplace
    assert sync.sync_log(market.ctx, market.shop_id) == []  # nothing failed
    assert sync.SYNC_STATE.snapshot()["running"] == []
    assert lease_row(engine, job(market)) == (SHOP_PC, True)  # still KHO-PC's

    lease.release(engine, job(market), holder=SHOP_PC)  # its sync finished
    assert market.sync().outcome == "ok"
    assert market.stored() != {}


def test_a_sync_holds_the_lease_while_it_runs_every_pc_sees_it_then_it_is_released(
    market: Market, engine: Engine, counter: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def look() -> None:
        seen["row"] = lease_row(engine, job(market))
        seen["elsewhere"] = seen_elsewhere(counter, monkeypatch)
        # Another PC's scheduler (or Sync now) does not get the shop meanwhile.
        seen["taken"] = lease.try_acquire(engine, job(market), holder=OTHER_PC)

    report = sync.sync_shop(market.ctx, market.shop_id, factory=during_run(market, look))
    assert report.outcome == "ok" and report.inserted > 0
    assert seen["row"] == (lease.HOLDER, True)
    assert seen["elsewhere"] == [("Shopee Sandbox", socket.gethostname()[:80])]
    assert seen["taken"] is False
    # Released, the row naming who synced the shop last; no PC shows it running.
    assert lease_row(engine, job(market)) == (lease.HOLDER, False)
    assert seen_elsewhere(counter, monkeypatch) == []
    assert lease.try_acquire(engine, job(market), holder=OTHER_PC)


def test_the_lease_is_released_after_a_failed_run_too(
    market: Market, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    market.sandbox.inject(FaultKind.HTTP_500, count=10_000, path=ORDER_LIST_PATH)
    assert market.sync().outcome == "marketplace_error"
    assert lease_row(engine, job(market)) == (lease.HOLDER, False)

    def broken(_ctx: object, _shop_id: object) -> Connector:
        raise RuntimeError("the connector could not be made")

    with pytest.raises(RuntimeError):
        sync.sync_shop(market.ctx, market.shop_id, factory=broken)
    assert lease_row(engine, job(market)) == (lease.HOLDER, False)
    assert lease.try_acquire(engine, job(market), holder=OTHER_PC)


def test_a_lease_this_process_left_running_does_not_block_its_next_sync(
    market: Market, engine: Engine
) -> None:
    """A release that failed (the database away a moment) leaves this process's lease
    running: its next sync takes it back rather than refusing itself."""
    assert lease.try_acquire(engine, job(market))
    report = market.sync()
    assert report.outcome == "ok", report.message
    assert lease_row(engine, job(market)) == (lease.HOLDER, False)


def test_a_second_sync_in_this_process_is_refused_by_the_shops_lock(
    market: Market, engine: Engine
) -> None:
    """Two syncs of one shop in one process (the scheduler's and a Sync now click): the
    second is refused by the shop's lock, not let through by the lease being its own."""
    second: list[SyncReport] = []
    scheduled = during_run(market, lambda: second.append(market.sync()))
    report = sync.sync_shop(market.ctx, market.shop_id, factory=scheduled)
    assert report.outcome == "ok"
    assert [(r.outcome, r.message) for r in second] == [
        ("busy", "a sync of this shop is already running")]  # fmt: skip
    assert lease_row(engine, job(market)) == (lease.HOLDER, False)


# --------------------------------------------------------------------- another process


@pytest.fixture
def other_process(market: Market, settings: Settings, clock: FixedClock) -> Iterator[Racers]:
    """Another app process on the database (another PC, or `primedist sync` beside the
    app), syncing the market's shop when told (`tests/pg/racer.py`)."""
    spec = connector_spec(market.sandbox, clock)
    with Racers(["sync", settings.database_url, str(market.shop_id), spec]) as racers:
        yield racers


def start(racers: Racers, clock: FixedClock) -> None:
    """Start the other process's sync without waiting for its answer."""
    proc = racers.procs[0]
    assert proc.stdin is not None
    cmd = {"now": clock.now().isoformat(), "at": time.monotonic() + HEAD_START}
    proc.stdin.write(json.dumps(cmd) + "\n")
    proc.stdin.flush()


def answer(racers: Racers) -> dict[str, Any]:
    return racers._answer(racers.procs[0])


def wait_for_holder(engine: Engine, name: str, mine: bool) -> str:
    deadline = time.monotonic() + 30
    while True:
        row = lease_row(engine, name)
        if row is not None and row[1] and (row[0] == lease.HOLDER) == mine:
            return row[0]
        assert time.monotonic() < deadline, f"no sync took the lease: {row}"
        time.sleep(0.02)


def test_a_sync_here_waits_for_the_other_processs_sync_and_the_other_for_this_ones(
    market: Market, engine: Engine, clock: FixedClock, other_process: Racers
) -> None:
    host = socket.gethostname()[:80]
    said = f"Already syncing on {host}; its orders show when that sync finishes."
    # The other process syncs (its first listing slow): this one's syncs do not run.
    market.sandbox.inject(FaultKind.SLOW, path=ORDER_LIST_PATH, delay=3.0)
    start(other_process, clock)
    holder = wait_for_holder(engine, job(market), mine=False)
    report = market.sync()
    assert (report.outcome, report.fetched, report.message) == ("busy", 0, said)
    made: list[int] = []

    def factory(_ctx: ServiceContext, shop_id: int) -> Connector:
        made.append(shop_id)
        return market.connector()

    sync_jobs.pull(market.ctx, market.shop_id, factory)  # this process's scheduled pull
    assert made == []  # skipped: it never made a connector
    done = answer(other_process)
    assert done["outcome"] == "ok" and done["inserted"] > 0, done
    assert lease_row(engine, job(market)) == (holder, False)  # it synced the shop last

    # This process syncs (slow): the other process's sync does not run.
    market.timeout = 10.0
    market.sandbox.inject(FaultKind.SLOW, path=ORDER_LIST_PATH, delay=3.0)
    mine: list[SyncReport] = []
    here = threading.Thread(target=lambda: mine.append(market.sync()))
    here.start()
    try:
        wait_for_holder(engine, job(market), mine=True)
        start(other_process, clock)
        refused = answer(other_process)
    finally:
        here.join(30)
    assert (refused["outcome"], refused["message"], refused["inserted"]) == ("busy", said, 0)
    assert [r.outcome for r in mine] == ["ok"]
    assert lease_row(engine, job(market)) == (lease.HOLDER, False)
