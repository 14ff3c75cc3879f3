"""Settings → Sync schedule: per shop its last sync and the next one planned (the shop's
time), Sync now for the selected shop (Sales channels' own, over real HTTP to a Shopee
sandbox), and an interval box as wide as its number and unit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.core.clock import format_datetime, shop_tz
from primedist.domain.enums import Channel
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services import channels
from primedist.services import schedule_settings as sched
from primedist.services.context import ServiceContext
from primedist.ui.settings.sync_schedule import (
    COL_LAST,
    COL_NEXT,
    COL_SHOP,
    SyncScheduleSettings,
)
from primedist.ui.widgets import FORM_MAX_WIDTH
from tests.factories import linked_sandbox_shop, make_shop
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def sandbox(ctx: ServiceContext) -> Iterator[ShopeeSandbox]:
    with ShopeeSandbox(SandboxConfig(orders=30, history_days=3), clock=ctx.clock) as running:
        yield running


@pytest.fixture(autouse=True)
def no_scheduler() -> Iterator[None]:
    sched.set_sync_planner(None)
    yield
    sched.set_sync_planner(None)


def cells(page: SyncScheduleSettings, col: int) -> dict[str, str]:
    return {page.table.item(r, COL_SHOP).text(): page.table.item(r, col).text()
            for r in range(page.table.rowCount())}  # fmt: skip


def row_of(page: SyncScheduleSettings, name: str) -> int:
    return next(r for r in range(page.table.rowCount())
                if page.table.item(r, COL_SHOP).text() == name)  # fmt: skip


def test_each_shop_says_its_last_and_next_sync_and_syncs_now(
    qtbot: Any, owner_ctx: ServiceContext, sandbox: ShopeeSandbox
) -> None:
    shop_id = linked_sandbox_shop(owner_ctx, sandbox, "Prime Official - Shopee")
    make_shop(owner_ctx.engine, "Prime Store - Lazada", Channel.LAZADA)  # not linked
    planned = owner_ctx.clock.now() + timedelta(minutes=7)
    sched.set_sync_planner(lambda: {shop_id: planned})  # the running scheduler's next run
    page = show_widget(qtbot, SyncScheduleSettings(owner_ctx))
    local = format_datetime(planned, shop_tz(), "en")
    assert cells(page, COL_LAST) == {"Prime Official - Shopee": "—", "Prime Store - Lazada": "—"}
    assert cells(page, COL_NEXT) == {
        "Prime Official - Shopee": local,  # 03:07 UTC is 10:07 in Vietnam
        "Prime Store - Lazada": "Not synced: link it in Sales channels",
    }
    assert local.endswith("10:07")
    assert page.table.horizontalHeaderItem(COL_NEXT).text() == "Next sync"

    assert not page.sync_button.isEnabled()  # no shop selected
    page.table.selectRow(row_of(page, "Prime Store - Lazada"))
    assert not page.sync_button.isEnabled()  # not linked: nothing to sync
    page.table.selectRow(row_of(page, "Prime Official - Shopee"))
    assert page.sync_button.isEnabled() and page.sync_button.text() == "&Sync now"
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.sync_button.isEnabled(), timeout=WAIT)
    expected = len(sandbox.order_sns())
    assert f"{expected:,} orders fetched, {expected:,} new" in page.message.text()
    synced = channels.channel_shop(owner_ctx, shop_id).last_sync_at
    assert synced is not None
    assert cells(page, COL_LAST)["Prime Official - Shopee"] == format_datetime(
        synced, shop_tz(), "en"
    )


@pytest.mark.usefixtures("app_style")
def test_the_interval_box_is_as_wide_as_its_number_and_unit(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    page = show_widget(qtbot, SyncScheduleSettings(owner_ctx), width=1366)
    box = page.minutes
    assert box.suffix() == " min" and box.text() == "10 min"
    assert box.width() <= box.sizeHint().width() < FORM_MAX_WIDTH // 2  # not a wide bar
    assert page.caption.text() == "Sync every" and page.caption.buddy() is box
    # Save beside the box, at its own width.
    assert page.save.x() > box.x() + box.width() - 1
    assert page.save.width() <= page.save.sizeHint().width() + 4


def test_no_shop_yet_says_so_in_the_table(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, SyncScheduleSettings(owner_ctx))
    assert page.table.rowCount() == 0
    hint = page.empty_hint
    assert hint.isVisible() and hint.text() == (
        "No marketplace shop is connected yet: add one in Settings → Sales channels."
    )
    make_shop(owner_ctx.engine, "Prime Official - Shopee", Channel.SHOPEE)
    page.reload()
    assert page.table.rowCount() == 1 and not hint.isVisible()
