"""Adding and linking stores whose redirect names no shop (the shop comes with the tokens)
from Settings → Sales channels, over real HTTP against the sandboxes: a TikTok Shop store
with the pasted address (live TikTok returns to the app's registered address), a Lazada
store through the browser coming back to the loopback listener."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
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
    assert widget.add_button.text() == "&Add shop…"

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


def test_a_lazada_store_is_linked_when_the_browser_comes_back(
    qtbot: Any, owner_ctx: ServiceContext, ctx: ServiceContext
) -> None:
    """The loopback listener takes Lazada's redirect, which names no shop."""
    import threading

    import httpx

    from primedist.sandbox.lazada import (
        DEMO_APP_KEY,
        DEMO_APP_SECRET,
        DEMO_SELLER_ID,
        LazadaSandbox,
        LazadaSandboxConfig,
    )

    opened: list[str] = []
    visits: list[threading.Thread] = []

    def browser(url: str) -> bool:  # follows the redirects like a browser, in the background
        opened.append(url)
        options = {"follow_redirects": True, "timeout": 10}
        visit = threading.Thread(target=httpx.get, args=(url,), kwargs=options, daemon=True)
        visit.start()
        visits.append(visit)
        return True

    with LazadaSandbox(LazadaSandboxConfig(orders=5), clock=ctx.clock) as box:
        shop_id = channels.add_shop(owner_ctx, Channel.LAZADA, name="Lazada VN",
                                    app_id=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET,
                                    api_host=box.url)  # fmt: skip
        dialog = AuthoriseDialog(owner_ctx, channels.channel_shop(owner_ctx, shop_id))
        dialog.open_url = browser  # type: ignore[method-assign]
        qtbot.addWidget(dialog)
        dialog.show()
        assert "sign in to Lazada" in dialog.intro.text()
        with qtbot.waitSignal(dialog.authorised, timeout=WAIT_MS) as linked:
            qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
        for visit in visits:
            visit.join(10)
    assert opened == [dialog.link] and f"client_id={DEMO_APP_KEY}" in dialog.link
    result = linked.args[0]
    assert result.linked and result.external_shop_id == str(DEMO_SELLER_ID)
    assert result.refresh_expires_at == ctx.clock.now() + timedelta(days=30)
