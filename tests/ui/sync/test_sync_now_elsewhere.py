"""Sync now (Settings → Sales channels, the Sync panel) while another PC syncs the shop
(it holds the shop's pull job lease): nothing runs, and the button's page says which PC
syncs it and that its orders come when it is done."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.jobs import lease
from primedist.services import sync
from primedist.services.context import ServiceContext
from primedist.ui.settings.channels import ChannelsSettings
from primedist.ui.sync.panel import ShopLogPage
from tests.ui.settings.test_channels_settings import add, link
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("quiet")

#: The PC whose scheduler syncs the shop now, as its lease row names it.
KHO_PC = "KHO-PC:4242:1a2b3c4d"
SAID = "Already syncing on KHO-PC; its orders show when that sync finishes."


@pytest.fixture
def shop(owner_ctx: ServiceContext, engine: Engine) -> int:
    """A linked Shopee shop that KHO-PC syncs now."""
    shop_id = add(owner_ctx, "Shopee Kho")
    link(owner_ctx, shop_id, "1001")
    assert lease.try_acquire(engine, f"{sync.PULL_PREFIX}{shop_id}", holder=KHO_PC)
    return shop_id


def _still_kho_pcs(engine: Engine, shop_id: int) -> bool:
    """The other PC keeps its sync: no second one was started here."""
    return not lease.try_acquire(engine, f"{sync.PULL_PREFIX}{shop_id}", holder="third-pc:1:a")


def test_settings_sync_now_names_the_pc_that_syncs_the_shop(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    widget.select_shop(shop)
    assert widget.sync_button.isEnabled()
    qtbot.mouseClick(widget.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.message.text() == f"Shopee Kho: {SAID}", timeout=WAIT)
    qtbot.waitUntil(widget.sync_button.isEnabled, timeout=WAIT)
    assert _still_kho_pcs(engine, shop)


def test_the_sync_panel_says_it_under_the_shops_state(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, shop: int
) -> None:
    page = ShopLogPage(owner_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.state_label.text() == "Last sync: never", timeout=WAIT)
    assert page.shop.currentText() == "Shopee Kho" and page.sync_button.isEnabled()
    qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.state_label.text() == f"Last sync: never · {SAID}",
                    timeout=WAIT)  # fmt: skip
    assert page.sync_button.isEnabled()
    assert _still_kho_pcs(engine, shop)
    page.reload()  # said once: the shop's state alone at the next look
    qtbot.waitUntil(lambda: page.state_label.text() == "Last sync: never", timeout=WAIT)
