# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""A marketplace action queued from the order detail goes out at once while online (the
app's scheduler runs its outbox delivery now, not at its next minute), and the banner
says what the action waits for: being sent, the app offline, or why a try failed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.connectors.base import RateLimited
from primedist.domain.enums import OrderStatus
from primedist.jobs import scheduler as app_scheduler
from primedist.jobs import sync as sync_jobs
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.outbox_delivery import failure_text
from primedist.services.sync import SyncState
from primedist.ui.sync.status import DeliverOnChanges
from tests.services.test_sync import Market
from tests.services.test_sync_outbox import (
    _ready_to_ship,
    market,  # noqa: F401  (fixture)
)
from tests.ui.orders.test_order_detail import (
    WAIT_MS,
    click,
    marketplace_order,
    open_detail,
    variants,  # noqa: F401  (fixture)
)

pytestmark = pytest.mark.usefixtures("english")


def _outbox(engine: Engine, order_id: int) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT kind, status FROM outbox_messages WHERE order_id = :o ORDER BY id"
        ), {"o": order_id}).all()  # fmt: skip
    return [(str(k), str(s)) for k, s in rows]


def test_confirm_reaches_shopee_in_seconds_not_at_the_next_minute(
    qtbot: Any, market: Market, owner_ctx: ServiceContext
) -> None:
    (order_id,) = _ready_to_ship(market, 1)
    # The app's scheduler (leased jobs), its outbox delivery every minute.
    scheduler = app_scheduler.LeasedBackgroundScheduler(
        job_defaults=app_scheduler.JOB_DEFAULTS, timezone="UTC"
    )
    scheduler.lease_engine = market.engine
    sync_jobs.add_jobs(scheduler, market.ctx, market.connector)
    scheduler.start()
    kick = DeliverOnChanges(scheduler)
    try:
        job = scheduler.get_job("sync.outbox")
        assert (job.next_run_time - datetime.now(UTC)).total_seconds() > 50  # its minute
        dialog = open_detail(qtbot, owner_ctx, order_id)
        with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
            click(qtbot, dialog.confirm_button)
        assert dialog.outbox_banner.text() == "Sending to Shopee…"
        started = time.monotonic()
        qtbot.waitUntil(
            lambda: _outbox(market.engine, order_id) == [("order.confirm", "done")], timeout=5000
        )
        assert time.monotonic() - started < 5  # the minute's run was a minute away
        assert market.sandbox.order_state(market.stored_sn(order_id))[0] == "PROCESSED"
        # The order follows (its "waiting" mark cleared): the banner goes.
        qtbot.waitUntil(lambda: not dialog.outbox_banner.isVisible(), timeout=WAIT_MS)
        assert dialog.status_pill.text() == "Confirmed"
    finally:
        kick.deleteLater()
        scheduler.shutdown(wait=True)


def test_the_banner_says_sending_offline_or_why_not_sent(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, variants: list[int]  # noqa: F811
) -> None:
    order_id = marketplace_order(engine, owner_ctx, variants)
    svc.change_status(owner_ctx, order_id, OrderStatus.CONFIRMED)
    state = SyncState()
    dialog = open_detail(qtbot, owner_ctx, order_id, state)
    banner = dialog.outbox_banner
    assert banner.isVisible() and banner.text() == "Sending to Shopee…"

    state.update(offline=True)  # the status bar says "Offline": the banner follows it
    offline = ("Waiting to be sent to Shopee: the app is offline. It goes out when the "
               "connection is back.")  # fmt: skip
    qtbot.waitUntil(lambda: banner.text() == offline, timeout=WAIT_MS)
    state.update(offline=False)
    qtbot.waitUntil(lambda: banner.text() == "Sending to Shopee…", timeout=WAIT_MS)

    # A try failed (Shopee busy): it says why, in our words, until it goes out.
    why = failure_text("order.confirm", "Shopee", RateLimited("too many calls"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox_messages SET attempts = 1, last_error = :e"),
                     {"e": str(why)})  # fmt: skip
    assert dialog.reload()
    assert banner.text().startswith(
        "Not sent to Shopee yet: Shopee is busy (too many requests): tried again shortly"
    )
