"""Settings → Sales channels, on a real migrated database and a real loopback listener:
the dialogs grow with an error instead of cutting their texts, the Add store error box is
hidden while empty, a browser that cannot start is said, the browser page speaks the app's
language, and a long status gives way to the shop's name (its last error read in the
reader's language)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from primedist.connectors.base import TokenPair
from primedist.domain.base import table_of
from primedist.domain.enums import ShopStatus
from primedist.domain.shop import Shop
from primedist.domain.sync import SyncCheckpoint
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.ui.settings.channel_dialogs import AddStoreDialog, AuthoriseDialog
from primedist.ui.settings.channels import COL_SHOP, COL_STATUS, ChannelsSettings

KEY = "shpk" + "6b" * 30
LONG_NAME = "Prime Official - Shopee Mall Hồ Chí Minh"


def shopee_shop(ctx: ServiceContext, name: str = "Sandbox Shopee") -> channels.ChannelShop:
    shop_id = channels.add_shopee_shop(ctx, name=name, partner_id="2001887", partner_key=KEY)
    return channels.channel_shop(ctx, shop_id)


def shows_whole(label: QLabel) -> bool:
    """The wrapped label has the height its text needs at its width (nothing cut)."""
    return label.height() >= label.heightForWidth(label.width())


def show(qtbot: Any, dialog: Any) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.usefixtures("quiet", "app_style")
def test_the_authorise_dialog_grows_with_an_error_instead_of_cutting_its_texts(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = show(qtbot, AuthoriseDialog(owner_ctx, shopee_shop(owner_ctx)))
    height = dialog.height()
    dialog.paste.setText("https://shopee.vn/")  # no code: a two-line error
    qtbot.mouseClick(dialog.paste_button, Qt.MouseButton.LeftButton)
    qtbot.wait(20)
    assert "no authorisation code" in dialog.status.text()
    assert dialog.height() > height
    for label in (dialog.intro, dialog.status, dialog.paste_label):
        assert shows_whole(label), label.text()


@pytest.mark.usefixtures("quiet")
def test_an_unstartable_browser_is_said_and_the_link_is_ready_to_copy(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = show(qtbot, AuthoriseDialog(owner_ctx, shopee_shop(owner_ctx)))
    opened: list[str] = []

    def no_browser(url: str) -> bool:  # as QDesktopServices.openUrl with no browser
        opened.append(url)
        return False

    dialog.open_url = no_browser
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened == [dialog.link]
    assert "No web browser could be opened" in dialog.status.text()
    assert "Copy link" in dialog.status.text()
    assert dialog.status.property("error") is True
    assert dialog.link_edit.selectedText() == dialog.link
    assert dialog.focusWidget() is dialog.link_edit
    assert shows_whole(dialog.status)


@pytest.mark.usefixtures("quiet", "app_style")
def test_the_add_store_error_box_shows_only_with_an_error(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = show(qtbot, AddStoreDialog(owner_ctx))
    assert dialog.error.isHidden() and not dialog.error.text()  # no empty red box
    intro = dialog.intro  # as tall as its lines: no gap left where the box was
    assert intro.height() == intro.heightForWidth(intro.width())
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save),
                     Qt.MouseButton.LeftButton)  # fmt: skip
    assert dialog.error.isVisible() and dialog.error.text()
    assert shows_whole(dialog.error) and shows_whole(dialog.intro)
    dialog.channel.setCurrentIndex(dialog.channel.findData("lazada"))  # another form
    assert dialog.error.isHidden()
    assert shows_whole(dialog.intro)  # Lazada's intro is a line longer
    edit = show(qtbot, AddStoreDialog(owner_ctx, shop=shopee_shop(owner_ctx, "Other")))
    assert edit.error.isHidden()  # App credentials… too


@pytest.mark.usefixtures("quiet")
def test_the_browser_page_says_received_not_authorised(qtbot: Any) -> None:
    """The page answers before the code is traded: it cannot say the shop is linked."""
    from primedist.services.oauth_redirect import RedirectListener

    with RedirectListener(words=lambda text: f"«{text}»") as listener:
        reply = httpx.get(f"{listener.url}?code=4d6f5a&shop_id=14701711", timeout=5)
    assert reply.status_code == 200
    assert "Shop authorised" not in reply.text and "authorised" not in reply.text.lower()
    assert "<title>«Authorisation received»</title>" in reply.text
    assert (
        "«Prime Distribution received the authorisation. Return to the app to see whether "
        "the shop is linked; you can close this tab.»" in reply.text
    )


def test_the_browser_page_is_in_the_app_s_language(
    qtbot: Any, owner_ctx: ServiceContext, vietnamese: None
) -> None:
    dialog = show(qtbot, AuthoriseDialog(owner_ctx, shopee_shop(owner_ctx)))
    assert dialog.listener is not None
    reply = httpx.get(dialog.listener.url, timeout=5)  # a stray reload: no code
    assert reply.status_code == 400
    assert "Địa chỉ không có mã ủy quyền (code=…)" in reply.text
    assert "The address has no authorisation code" not in reply.text


def test_a_long_status_gives_way_to_the_shop_name_and_its_error_is_in_vietnamese(
    qtbot: Any, owner_ctx: ServiceContext, app_style: None, vietnamese: None
) -> None:
    shop = shopee_shop(owner_ctx, LONG_NAME)
    with owner_ctx.engine.begin() as conn:
        linked = {"external_shop_id": "525869827", "status": ShopStatus.ACTIVE.value}
        conn.execute(sa.update(table_of(Shop)).where(table_of(Shop).c.id == shop.id).values(linked))
        conn.execute(sa.insert(table_of(SyncCheckpoint)).values(
            shop_id=shop.id, resource="orders",
            paused_until=owner_ctx.clock.now() + timedelta(hours=2),
            last_error="Cannot reach Shopee at http://127.0.0.1:41103: Server disconnected.",
        ))  # fmt: skip
    now = owner_ctx.clock.now()
    channels.ShopTokenStore(owner_ctx, shop.id).save(
        TokenPair(
            "access-0001-xyz",
            "refresh-0001-xyz",
            now + timedelta(hours=4),
            now + timedelta(days=30),
            "525869827",
        )  # fmt: skip
    )
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.resize(860, 500)  # the section beside the settings list in a 1280 px window
    widget.show()
    qtbot.waitExposed(widget)
    table = widget.table
    status, name = table.item(0, COL_STATUS), table.item(0, COL_SHOP)
    assert status is not None and name is not None
    assert status.text().startswith("Tạm dừng đến ")
    assert table.columnWidth(COL_SHOP) >= table.sizeHintForColumn(COL_SHOP)  # the name whole
    assert name.toolTip() == LONG_NAME
    tip = status.toolTip()
    assert tip.startswith(status.text())  # the whole status, which the column may cut
    assert "Không kết nối được Shopee tại http://127.0.0.1:41103: Server disconnected." in tip
    assert "Cannot reach" not in tip
