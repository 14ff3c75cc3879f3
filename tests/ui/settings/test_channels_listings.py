"""Settings → Sales channels → Fetch listings…, over real HTTP against the Shopee sandbox:
the button is there for a connected Shopee shop only; the dialog fetches in the background,
then says what it linked and lists the listings it could not link, with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.domain.enums import Channel
from primedist.sandbox.shopee import SandboxConfig, ShopeeSandbox
from primedist.services import channels
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.settings.channels import COL_SHOP, ChannelsSettings
from primedist.ui.settings.listings_dialog import COL_REASON, COL_SKUS, FetchListingsDialog
from tests.factories import linked_sandbox_shop, make_shop
from tests.ui.settings.test_channels_settings import link

WAIT_MS = 15_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def sandbox(ctx: ServiceContext) -> Iterator[ShopeeSandbox]:
    with ShopeeSandbox(SandboxConfig(orders=20, history_days=2), clock=ctx.clock) as running:
        yield running


@pytest.fixture
def shop_id(owner_ctx: ServiceContext, sandbox: ShopeeSandbox) -> int:
    return linked_sandbox_shop(owner_ctx, sandbox)


def select(widget: ChannelsSettings, name: str) -> None:
    for row in range(widget.table.rowCount()):
        if widget.table.item(row, COL_SHOP).text() == name:
            widget.table.selectRow(row)
            return
    raise AssertionError(f"{name} not listed")


def test_fetch_links_by_sku_and_lists_what_it_could_not_link(
    qtbot: Any, owner_ctx: ServiceContext, sandbox: ShopeeSandbox, shop_id: int
) -> None:
    make_shop(owner_ctx.engine, "Cửa hàng", Channel.OFFLINE)
    first = sandbox.catalogue[0]
    create_product(owner_ctx, ProductDraft(name="Đã có trong app", variants=[
        VariantDraft(sku=first.model_sku, price=first.price)]))  # fmt: skip
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    select(widget, "Shopee Sandbox")
    assert widget.listings_button.isEnabled()

    dialog = widget.fetch_listings()
    assert isinstance(dialog, FetchListingsDialog)
    assert not dialog.table.isVisible()
    qtbot.mouseClick(dialog.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT_MS)
    report = dialog.report
    assert report is not None
    items = {m.item_id for m in sandbox.catalogue}
    # Only the first item's SKU is in the app (it has more models: those stay unlinked).
    assert report.listings_linked == 1
    assert dialog.table.isVisible() and dialog.table.rowCount() == len(items) - 1
    assert "no product in the app has its SKUs" in dialog.table.item(0, COL_REASON).text()
    assert dialog.table.item(0, COL_SKUS).text()
    assert "1 linked now" in dialog.status.text()
    assert dialog.fetch_button.text() == "&Fetch again"

    # Fetch again, creating what is missing: every listing is linked now.
    dialog.create_box.setChecked(True)
    qtbot.mouseClick(dialog.fetch_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not report, timeout=WAIT_MS)
    assert dialog.report is not None and dialog.report.unlinked == []
    assert not dialog.table.isVisible()
    with owner_ctx.engine.connect() as conn:
        linked = conn.execute(sa.text(
            "SELECT count(*) FROM product_listings WHERE shop_id = :s AND external_id IS NOT NULL"
        ), {"s": shop_id}).scalar_one()  # fmt: skip
    assert linked == len(items)
    dialog.close()


def test_the_button_is_off_for_shops_that_cannot_be_read(
    qtbot: Any, owner_ctx: ServiceContext, sandbox: ShopeeSandbox, shop_id: int
) -> None:
    channels.add_shopee_shop(owner_ctx, name="Chưa liên kết", partner_id="2001887",
                             partner_key="shpk" + "6b" * 30)  # fmt: skip
    tiktok = make_shop(owner_ctx.engine, "TikTok", Channel.TIKTOK)
    link(owner_ctx, tiktok, "7001")
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    select(widget, "Shopee Sandbox")
    assert widget.listings_button.isEnabled()
    for name in ("Chưa liên kết", "TikTok"):  # not linked; TikTok's listings are not read
        select(widget, name)
        assert widget.sync_button.isEnabled() == (name == "TikTok"), name
        assert not widget.listings_button.isEnabled(), name
