"""Adding and linking a TikTok Shop store from Settings → Sales channels, over real HTTP
against the TikTok sandbox: its redirect names no shop (the shop comes with the tokens),
and live TikTok returns to the app's registered address, so the pasted address is the
usual route."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from primedist.domain.enums import Channel, ShopStatus
from primedist.sandbox.tiktok import (
    DEMO_APP_KEY,
    DEMO_APP_SECRET,
    DEMO_SHOP_ID,
    TikTokSandbox,
    TikTokSandboxConfig,
)
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.ui.settings.channel_dialogs import AddStoreDialog, AuthoriseDialog
from primedist.ui.settings.channels import ChannelsSettings

WAIT_MS = 15_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def sandbox(ctx: ServiceContext) -> Iterator[TikTokSandbox]:
    config = TikTokSandboxConfig(orders=20, history_days=5)
    with TikTokSandbox(config, clock=ctx.clock) as running:
        yield running


def test_add_a_tiktok_store_and_link_it_with_the_pasted_address(
    qtbot: Any, owner_ctx: ServiceContext, sandbox: TikTokSandbox
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.add_button.text() == "&Add store…"

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddStoreDialog)
        dialog.channel.setCurrentIndex(dialog.channel.findData(Channel.TIKTOK.value))
        dialog.name.setText("TikTok VN")
        dialog.partner_id.setText(DEMO_APP_KEY)
        dialog.partner_key.setText(DEMO_APP_SECRET)
        dialog.host.setCurrentIndex(dialog.host.count() - 1)  # Other address…
        dialog.custom_host.setText(sandbox.url)
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save),
                         Qt.MouseButton.LeftButton)  # fmt: skip

    QTimer.singleShot(0, fill_in)
    qtbot.mouseClick(widget.add_button, Qt.MouseButton.LeftButton)  # returns after Save
    authorise = widget.findChild(AuthoriseDialog)
    assert authorise is not None and authorise.isVisible()
    assert authorise.shop.channel == Channel.TIKTOK and not authorise.shop.linked
    assert "sign in to TikTok Shop" in authorise.intro.text()
    assert "registered for your app in Partner Center" in authorise.intro.text()
    assert authorise.link.startswith(sandbox.url) and "app_key=" in authorise.link
    # An address with the code but no shop id is what TikTok gives: enough.
    authorise.paste.setText(f"https://seller.example/cb?code={sandbox.authorize()}&state=x")
    with qtbot.waitSignal(widget.shopsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(authorise.paste_button, Qt.MouseButton.LeftButton)
    assert widget.message.text() == f"TikTok VN is connected (marketplace shop {DEMO_SHOP_ID})."
    shop = channels.channel_shop(owner_ctx, authorise.shop.id)
    assert shop.status == ShopStatus.ACTIVE and shop.external_shop_id == DEMO_SHOP_ID
    assert shop.remote_name == "Prime Sandbox TikTok Shop"
    widget.select_shop(shop.id)
    assert widget.sync_button.isEnabled()  # the sync itself: test_channels_link.py
