"""Authorising a shop from Settings → Sales channels, over real HTTP: the link opens in a
"browser" (httpx following the sandbox's redirect back to the dialog's loopback
listener), or the redirected address is pasted; then Sync now pulls the shop's orders."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from primedist.domain.enums import ShopStatus
from primedist.sandbox.shopee import (
    DEMO_PARTNER_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    SandboxConfig,
    ShopeeSandbox,
)
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.ui.settings.channel_dialogs import AddStoreDialog, AuthoriseDialog
from primedist.ui.settings.channels import COL_SHOP, COL_STATUS, ChannelsSettings

WAIT_MS = 15_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def sandbox(ctx: ServiceContext) -> Iterator[ShopeeSandbox]:
    with ShopeeSandbox(SandboxConfig(orders=40, history_days=5), clock=ctx.clock) as running:
        yield running


@pytest.fixture
def shop(owner_ctx: ServiceContext, sandbox: ShopeeSandbox) -> channels.ChannelShop:
    shop_id = channels.add_shopee_shop(
        owner_ctx, name="Sandbox Shopee", partner_id=DEMO_PARTNER_ID,
        partner_key=DEMO_PARTNER_KEY, api_host=sandbox.url,
    )  # fmt: skip
    return channels.channel_shop(owner_ctx, shop_id)


class FakeBrowser:
    """Opens a link like a browser would: follows the redirects, in the background."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.pages: list[httpx.Response] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)

        def visit() -> None:
            self.pages.append(httpx.get(url, follow_redirects=True, timeout=10))

        thread = threading.Thread(target=visit, daemon=True)
        thread.start()
        self.threads.append(thread)
        return True

    def join(self) -> None:
        for thread in self.threads:
            thread.join(10)


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBrowser]:
    fake = FakeBrowser()
    monkeypatch.setattr(AuthoriseDialog, "open_url", staticmethod(fake))
    yield fake
    fake.join()


def test_open_in_browser_links_the_shop(
    qtbot: Any, owner_ctx: ServiceContext, shop: channels.ChannelShop, browser: FakeBrowser
) -> None:
    dialog = AuthoriseDialog(owner_ctx, shop)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.link_edit.text().startswith(f"{shop.api_host}/api/v2/shop/auth_partner?")
    assert dialog.status.text() == "Waiting for the approval in the browser…"
    listener = dialog.listener
    assert listener is not None
    with qtbot.waitSignal(dialog.authorised, timeout=WAIT_MS) as linked:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    browser.join()
    assert browser.opened == [dialog.link] and "close this tab" in browser.pages[0].text
    result = linked.args[0]
    assert result.linked and result.external_shop_id == str(DEMO_SHOP_ID)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.listener is None  # the port is released
    with pytest.raises(httpx.ConnectError):
        httpx.get(listener.url, timeout=2)


def test_a_pasted_address_links_the_shop_and_bad_ones_are_explained(
    qtbot: Any, owner_ctx: ServiceContext, shop: channels.ChannelShop, sandbox: ShopeeSandbox
) -> None:
    dialog = AuthoriseDialog(owner_ctx, shop)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.paste, "https://shopee.vn/")
    qtbot.mouseClick(dialog.paste_button, Qt.MouseButton.LeftButton)
    assert "no authorisation code" in dialog.status.text()
    assert dialog.status.property("error") is True
    dialog.paste.setText(f"http://127.0.0.1:1/cb?code={sandbox.authorize()}&shop_id={DEMO_SHOP_ID}")
    with qtbot.waitSignal(dialog.authorised, timeout=WAIT_MS):
        qtbot.keyClick(dialog.paste, Qt.Key.Key_Return)
    assert channels.channel_shop(owner_ctx, shop.id).status == ShopStatus.ACTIVE


def test_a_refused_code_is_shown_and_a_new_link_is_made(
    qtbot: Any,
    owner_ctx: ServiceContext,
    shop: channels.ChannelShop,
    browser: FakeBrowser,
) -> None:
    dialog = AuthoriseDialog(owner_ctx, shop)
    qtbot.addWidget(dialog)
    first_link = dialog.link
    dialog.paste.setText(f"code=deadbeef00&shop_id={DEMO_SHOP_ID}")
    qtbot.mouseClick(dialog.paste_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.paste_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.status.property("error") is True and dialog.status.text()
    assert dialog.result_shop is None and dialog.result() == 0  # nothing linked, not closed
    assert dialog.link != first_link  # a fresh listener and link for the next try
    assert not channels.channel_shop(owner_ctx, shop.id).linked
    with qtbot.waitSignal(dialog.authorised, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert channels.channel_shop(owner_ctx, shop.id).linked


def test_no_answer_in_time_says_so(
    qtbot: Any, owner_ctx: ServiceContext, shop: channels.ChannelShop
) -> None:
    dialog = AuthoriseDialog(owner_ctx, shop, timeout_s=0.2)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: "No answer from the browser" in dialog.status.text(), timeout=WAIT_MS)
    assert dialog.listener is not None and dialog.listener.finished


def test_reauthorise_then_sync_now_from_the_settings_section(
    qtbot: Any,
    owner_ctx: ServiceContext,
    shop: channels.ChannelShop,
    browser: FakeBrowser,
    sandbox: ShopeeSandbox,
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    widget.select_shop(shop.id)
    assert not widget.sync_button.isEnabled()  # not linked yet
    qtbot.mouseClick(widget.reauth_button, Qt.MouseButton.LeftButton)
    dialog = widget.findChild(AuthoriseDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(widget.shopsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    row = next(r for r in range(widget.table.rowCount())
               if widget.table.item(r, COL_SHOP).text() == "Sandbox Shopee")  # fmt: skip
    assert widget.table.item(row, COL_STATUS).text() == "Connected"
    assert widget.message.text() == (
        f"Sandbox Shopee is connected (marketplace shop {DEMO_SHOP_ID}). "
        "Fetch listings to link its items to your products."
    )
    widget.select_shop(shop.id)
    assert widget.sync_button.isEnabled() and widget.listings_button.isEnabled()
    with qtbot.waitSignal(widget.shopsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(widget.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.sync_button.isEnabled(), timeout=WAIT_MS)
    expected = len(sandbox.order_sns())
    assert f"{expected:,} orders fetched, {expected:,} new" in widget.message.text()
    assert channels.channel_shop(owner_ctx, shop.id).last_sync_at is not None


def test_add_store_goes_on_to_authorise_it(
    qtbot: Any, owner_ctx: ServiceContext, sandbox: ShopeeSandbox, browser: FakeBrowser
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddStoreDialog)
        dialog.name.setText("New Shopee")
        dialog.partner_id.setText(str(DEMO_PARTNER_ID))
        dialog.partner_key.setText(DEMO_PARTNER_KEY)
        dialog.host.setCurrentIndex(2)  # Other address…
        dialog.custom_host.setText(sandbox.url)
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save),
                         Qt.MouseButton.LeftButton)  # fmt: skip

    QTimer.singleShot(0, fill_in)
    qtbot.mouseClick(widget.add_button, Qt.MouseButton.LeftButton)  # returns after Save
    authorise = widget.findChild(AuthoriseDialog)
    assert authorise is not None and authorise.isVisible()
    assert authorise.shop.name == "New Shopee" and not authorise.shop.linked
    selected = widget.selected_shop()
    assert selected is not None and selected.name == "New Shopee"
    with qtbot.waitSignal(widget.shopsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(authorise.open_button, Qt.MouseButton.LeftButton)
    assert channels.channel_shop(owner_ctx, authorise.shop.id).linked
