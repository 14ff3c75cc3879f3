"""Sync now (Settings → Sales channels) and the Sync panel's Sync now run in the jobs
indicator, with the sync's progress; its Cancel stops the sync (the Shopee sandbox over
real HTTP on 127.0.0.1, its detail answers slowed so that the sync is still running)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.connectors.shopee import ORDER_DETAIL_PATH
from primedist.sandbox.base import FaultKind
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services.context import ServiceContext
from primedist.ui import ops
from primedist.ui.settings.channels import ChannelsSettings
from primedist.ui.sync.panel import ShopLogPage
from primedist.ui.widgets import JobsIndicator
from tests.factories import linked_sandbox_shop
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "quiet", "no_crash")

ORDERS = 400


@pytest.fixture
def sandbox(ctx: ServiceContext) -> Iterator[ShopeeSandbox]:
    config = SandboxConfig(orders=ORDERS, history_days=20)
    with ShopeeSandbox(config, clock=ctx.clock) as running:
        # Each detail call answers after 0.4 s: the sync runs for seconds, not instants.
        running.inject(FaultKind.SLOW, count=1_000_000, path=ORDER_DETAIL_PATH, delay=0.4)
        yield running


@pytest.fixture
def shop_id(owner_ctx: ServiceContext, sandbox: ShopeeSandbox) -> int:
    return linked_sandbox_shop(owner_ctx, sandbox)


def _sync_job() -> ops.Job | None:
    return next((j for j in ops.tracker().jobs if j.title == "Marketplace sync"), None)


def _cancel_once_it_moves(qtbot: Any) -> None:
    """Wait for the sync in the jobs indicator to report a detail batch fetched, then press
    the indicator's Cancel."""
    indicator = JobsIndicator()
    qtbot.addWidget(indicator)
    qtbot.waitUntil(lambda: (job := _sync_job()) is not None and job.progress.fraction > 0,
                    timeout=WAIT)  # fmt: skip
    qtbot.waitUntil(lambda: " of " in indicator.label.text(), timeout=WAIT)
    assert indicator.label.text().startswith("Marketplace sync Shopee Sandbox: ")
    qtbot.mouseClick(indicator.cancel_button, Qt.MouseButton.LeftButton)


def _stored_orders(ctx: ServiceContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM orders").scalar_one())


def test_settings_sync_now_shows_in_the_jobs_indicator_and_cancel_stops_it(
    qtbot: Any, owner_ctx: ServiceContext, shop_id: int
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    widget.select_shop(shop_id)
    qtbot.mouseClick(widget.sync_button, Qt.MouseButton.LeftButton)
    _cancel_once_it_moves(qtbot)
    qtbot.waitUntil(lambda: widget.message.text().startswith("Shopee Sandbox: Stopped: "),
                    timeout=WAIT)  # fmt: skip
    assert "the next sync continues from there" in widget.message.text()
    assert _sync_job() is None
    assert 0 < _stored_orders(owner_ctx) < ORDERS
    qtbot.waitUntil(widget.sync_button.isEnabled, timeout=WAIT)


def test_the_sync_panels_sync_now_is_cancelled_from_the_jobs_indicator(
    qtbot: Any, owner_ctx: ServiceContext, shop_id: int
) -> None:
    page = ShopLogPage(owner_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.state_label.text() == "Last sync: never", timeout=WAIT)
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    _cancel_once_it_moves(qtbot)
    said = "Stopped: "
    qtbot.waitUntil(lambda: said in page.state_label.text(), timeout=WAIT)
    assert page.state_label.text().startswith("Last sync: never · Stopped: ")
    qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=WAIT)
    line = page.table.item(0, 2)
    assert line is not None and line.text().startswith(said)  # the shop's log says it too
    assert _sync_job() is None
    assert 0 < _stored_orders(owner_ctx) < ORDERS
    assert page.sync_button.isEnabled()
