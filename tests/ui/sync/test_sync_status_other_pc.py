"""The status bar of the PC whose scheduler does not run the sync jobs (they run on one
PC at a time): it shows what the database has, the other PC's last sync, the sync it runs
now, its marketplace errors, as the PC that ran them does.

The second PC is a widget with a blank state on an engine of its own, as a second app;
the first PC syncs through the services with the process-wide `SYNC_STATE`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.connectors.shopee import ORDER_LIST_PATH
from primedist.core.clock import FixedClock, shop_tz, to_local
from primedist.jobs import lease
from primedist.sandbox.shopee import FaultKind
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui.sync import status as status_module
from primedist.ui.sync.status import SyncStatusWidget
from tests.services import test_sync_other_pc as two_pcs
from tests.services.test_sync import Market
from tests.services.test_sync_other_pc import SHOP_PC
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "no_crash")

counter = two_pcs.counter
market = two_pcs.market


@pytest.fixture
def counter_bar(
    qtbot: Any, counter: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SyncStatusWidget]:
    """The counter's status bar indicator, as the main window makes it."""
    monkeypatch.setattr(status_module, "SHARED_POLL_MS", 50)
    widget = SyncStatusWidget(counter, state=SyncState(), follow_database=True)
    yield widget
    # Its last read answered before the database goes (not left to qtbot: a deleted
    # widget is no longer told).
    widget.shared_timer.stop()
    qtbot.waitUntil(lambda: not widget.reading, timeout=WAIT)
    widget.deleteLater()


def _hh_mm(clock: FixedClock) -> str:
    return f"{to_local(clock.now(), shop_tz()):%H:%M}"


def test_the_counter_shows_the_sync_of_the_other_pc(
    qtbot: Any, market: Market, counter_bar: SyncStatusWidget, engine: Engine,
    clock: FixedClock,
) -> None:  # fmt: skip
    qtbot.waitUntil(lambda: not counter_bar.reading, timeout=WAIT)
    assert counter_bar.text() == ""  # nothing synced yet, on any PC
    assert market.sync().outcome == "ok"  # on the other PC
    qtbot.waitUntil(lambda: counter_bar.text() == f"Synced {_hh_mm(clock)}", timeout=WAIT)

    job = f"{sync.PULL_PREFIX}{market.shop_id}"
    assert lease.try_acquire(engine, job, holder=SHOP_PC)  # the other PC's next run
    qtbot.waitUntil(lambda: counter_bar.text() == "Syncing Shopee Sandbox on KHO-PC…", timeout=WAIT)
    lease.release(engine, job, holder=SHOP_PC)
    qtbot.waitUntil(lambda: counter_bar.text() == f"Synced {_hh_mm(clock)}", timeout=WAIT)


def test_the_counter_shows_the_marketplace_error_the_other_pc_met(
    qtbot: Any, market: Market, counter_bar: SyncStatusWidget, clock: FixedClock
) -> None:
    assert market.sync().outcome == "ok"
    synced = _hh_mm(clock)
    clock.advance(timedelta(minutes=10))
    market.sandbox.inject(FaultKind.HTTP_500, count=10_000, path=ORDER_LIST_PATH)
    assert market.sync().outcome == "marketplace_error"
    qtbot.waitUntil(
        lambda: counter_bar.text() == "The marketplace answered with an error, will retry",
        timeout=WAIT,
    )
    assert counter_bar.toolTip().startswith("Shopee Sandbox: ")

    market.sandbox.clear_faults()
    market.sandbox.revoke()  # then an error that does not pass by itself
    clock.advance(timedelta(minutes=10))
    assert market.sync().outcome == "needs_reauth"
    qtbot.waitUntil(
        lambda: counter_bar.text() == f"Sync failed · last synced {synced}", timeout=WAIT
    )


def test_the_counter_counts_the_actions_whichever_pc_queued_them(
    qtbot: Any, market: Market, counter_bar: SyncStatusWidget
) -> None:
    from primedist.services import orders
    from tests.services.test_sync_outbox import _ready_to_ship

    assert market.sync().outcome == "ok"
    orders.confirm_orders(market.ctx, _ready_to_ship(market, 3))  # confirmed on the other PC
    qtbot.waitUntil(lambda: counter_bar.text() == "3 actions waiting", timeout=WAIT)
