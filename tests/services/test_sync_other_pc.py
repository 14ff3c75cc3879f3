"""Two PCs on one database: the scheduler's jobs run on one PC at a time (their leases),
so the other PC's status comes from the database (`sync.shared_sync_status`): the last
sync and failure the first PC recorded, the sync it runs now, the actions it delivered.

The first PC is this test's context with the process-wide `SYNC_STATE`; the second has
an engine of its own on the same database and a blank `SyncState`, as a second app would.
On SQLite, or PostgreSQL when PRIMEDIST_TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.connectors.shopee import ORDER_LIST_PATH
from primedist.core.clock import FixedClock
from primedist.db.engine import make_engine
from primedist.jobs import lease
from primedist.sandbox.shopee import FaultKind
from primedist.services import orders, sync
from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from tests.factories import make_shop
from tests.services.test_sync import Market, _sandbox
from tests.services.test_sync_outbox import _ready_to_ship as ready_orders

#: The first PC's scheduler, as its lease rows name it (host, process id, token).
SHOP_PC = "KHO-PC:4242:1a2b3c4d"


@pytest.fixture
def counter(settings: Settings, clock: FixedClock) -> Iterator[ServiceContext]:
    """The second PC (the counter): its own engine on the database, no job run here."""
    engine = make_engine(settings.database_url)
    yield ServiceContext(engine, clock=clock, settings=settings)
    engine.dispose()


@pytest.fixture
def market(ctx: ServiceContext, engine: Engine, clock: FixedClock) -> Iterator[Market]:
    for sandbox in _sandbox(clock, orders=200, history_days=3, seed=5):
        yield Market(ctx, engine, sandbox)  # "Shopee Sandbox"


def seen_from(pc: ServiceContext) -> dict[str, object]:
    """What a PC whose own jobs never ran shows, once it read the database."""
    state = SyncState()
    shared = sync.shared_sync_status(pc)
    waiting, failed, held = shared.actions
    state.update(shared=shared, waiting=waiting, failed=failed, held=held)
    return state.snapshot()


def test_the_second_pc_sees_the_last_sync_of_the_first(
    market: Market, counter: ServiceContext, clock: FixedClock
) -> None:
    assert seen_from(counter)["last_sync_at"] is None  # never synced yet
    assert market.sync().outcome == "ok"
    synced = clock.now()
    assert sync.SYNC_STATE.snapshot()["last_sync_at"] == synced  # the first PC's own
    assert SyncState().snapshot()["last_sync_at"] is None  # what the counter knew alone

    seen = seen_from(counter)
    assert seen["last_sync_at"] == synced
    assert (seen["last_error"], seen["running"], seen["elsewhere"]) == (None, [], [])

    clock.advance(timedelta(minutes=10))
    assert market.sync().outcome == "ok"
    assert seen_from(counter)["last_sync_at"] == synced + timedelta(minutes=10)


def test_a_marketplace_error_then_the_sync_that_ends_it(
    market: Market, counter: ServiceContext, clock: FixedClock
) -> None:
    assert market.sync().outcome == "ok"
    clock.advance(timedelta(minutes=10))
    market.sandbox.inject(FaultKind.HTTP_500, count=10_000, path=ORDER_LIST_PATH)
    assert market.sync().outcome == "marketplace_error"

    seen = seen_from(counter)
    assert seen["marketplace_error"] is True
    assert str(seen["last_error"]).startswith("Shopee Sandbox: ")
    assert seen["last_error_at"] == clock.now()  # its run started then
    assert seen["offline"] is False  # the first PC's network is not the counter's

    market.sandbox.clear_faults()
    clock.advance(timedelta(minutes=10))
    assert market.sync().outcome == "ok"
    seen = seen_from(counter)
    assert (seen["marketplace_error"], seen["last_error"]) == (False, None)
    assert seen["last_sync_at"] == clock.now()


def test_a_lost_authorisation_is_a_failure_on_every_pc(
    market: Market, counter: ServiceContext, clock: FixedClock
) -> None:
    assert market.sync().outcome == "ok"
    clock.advance(timedelta(minutes=10))
    market.sandbox.revoke()
    assert market.sync().outcome == "needs_reauth"

    seen = seen_from(counter)
    assert str(seen["last_error"]).startswith("Shopee Sandbox: ")
    assert seen["marketplace_error"] is False
    assert seen["last_error_at"] == clock.now()
    assert seen["last_sync_at"] == clock.now() - timedelta(minutes=10)  # before the failure


def test_the_sync_another_pc_runs_now_is_named(ctx: ServiceContext, engine: Engine,
                                               counter: ServiceContext) -> None:  # fmt: skip
    kho = make_shop(engine, "Shopee Kho", "shopee")
    mall = make_shop(engine, "Lazada Mall", "lazada")
    make_shop(engine, "Quầy", "offline")  # the counter's own sales: nothing to sync
    assert lease.try_acquire(engine, f"{sync.PULL_PREFIX}{kho}", holder=SHOP_PC)
    # This process's own lease is its own SYNC_STATE's business (it says "Syncing Mall…").
    assert lease.try_acquire(engine, f"{sync.PULL_PREFIX}{mall}")
    assert lease.try_acquire(engine, "sync.outbox", holder=SHOP_PC)  # not a shop's sync

    assert seen_from(counter)["elsewhere"] == [("Shopee Kho", "KHO-PC")]

    lease.release(engine, f"{sync.PULL_PREFIX}{kho}", holder=SHOP_PC)
    assert seen_from(counter)["elsewhere"] == []
    # A PC that crashed mid-sync holds it no more once its lease ran out.
    assert lease.try_acquire(engine, f"{sync.PULL_PREFIX}{kho}", holder=SHOP_PC,
                             lease=timedelta(0))  # fmt: skip
    assert seen_from(counter)["elsewhere"] == []


def test_the_actions_the_first_pc_delivers_leave_the_seconds_count(
    market: Market, counter: ServiceContext
) -> None:
    assert market.sync().outcome == "ok"
    orders.confirm_orders(market.ctx, ready_orders(market, 2))
    assert seen_from(counter)["waiting"] == 2
    od.deliver_outbox(market.ctx, factory=market.connector)  # the first PC's job
    assert (seen_from(counter)["waiting"], seen_from(counter)["failed"]) == (0, 0)


def test_on_one_pc_its_own_knowledge_comes_first(market: Market, clock: FixedClock) -> None:
    """The database adds nothing a PC's own jobs told it better: offline stays offline,
    and a failure it saw end is not brought back."""
    assert market.sync().outcome == "ok"
    clock.advance(timedelta(minutes=10))
    market.sandbox.inject(FaultKind.DROP, count=10_000, path=ORDER_LIST_PATH)
    assert market.sync().outcome == "offline"
    own = {k: v for k, v in sync.SYNC_STATE.snapshot().items()
           if k not in ("running", "elsewhere")}  # fmt: skip
    assert own["offline"] is True and own["last_error"]
    state = SyncState()  # this PC as its own jobs left it
    state.update(**own)
    state.update(shared=sync.shared_sync_status(market.ctx))
    snap = state.snapshot()
    assert (snap["offline"], snap["marketplace_error"]) == (True, False)
    assert (snap["last_error"], snap["last_error_at"]) == (own["last_error"], clock.now())
    assert snap["last_sync_at"] == clock.now() - timedelta(minutes=10)
