"""Settings → Sales channels for every marketplace: the Add store dialog asks for each
channel's own credentials, and a Lazada shop's fixed authorisation end is announced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication

from primedist.connectors import supported_channels
from primedist.connectors.base import TokenPair
from primedist.core.clock import FixedClock
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, ShopStatus
from primedist.domain.shop import Shop
from primedist.services import channels
from primedist.services.context import ServiceContext
from primedist.ui.settings.channel_dialogs import AddStoreDialog
from primedist.ui.settings.channels import COL_EXPIRES, COL_SHOP, COL_STATUS, ChannelsSettings

WAIT_MS = 10_000
SECRET = "xNTZVvEn5WwA_esLe_laIWlXyISGjTfO"
pytestmark = pytest.mark.usefixtures("quiet")


def labels(dialog: AddStoreDialog) -> list[str]:
    return [label.text() for label in dialog.labels]


def hosts(dialog: AddStoreDialog) -> list[tuple[str, str]]:
    return [(dialog.host.itemText(i), dialog.host.itemData(i)) for i in range(dialog.host.count())]


def test_each_channel_asks_for_its_own_credentials(qtbot: Any, owner_ctx: ServiceContext) -> None:
    dialog = AddStoreDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.current_channel() == Channel.SHOPEE
    assert labels(dialog)[2:4] == ["Partner &ID", "Partner &key"]
    channel_names = [dialog.channel.itemText(i) for i in range(dialog.channel.count())]
    assert channel_names == ["Shopee", "Lazada", "TikTok Shop", "Tiki"]
    # Channels without a connector in this version are shown but cannot be chosen.
    model = dialog.channel.model()
    assert isinstance(model, QStandardItemModel)
    for row, channel in enumerate((Channel.SHOPEE, Channel.LAZADA, Channel.TIKTOK, Channel.TIKI)):
        assert model.item(row).isEnabled() == (channel in supported_channels()), channel
    dialog.channel.setCurrentIndex(3)  # Tiki
    assert dialog.windowTitle() == "Add Tiki shop"
    assert labels(dialog)[2:4] == ["Client &ID", "Client &secret"]
    assert "open.tiki.vn" in dialog.intro.text()
    assert hosts(dialog) == [("Tiki (live)", "https://api.tiki.vn"),
                             ("Tiki test environment", "https://api-sandbox.tiki.vn"),
                             ("Other address…", "")]  # fmt: skip
    qtbot.keyClicks(dialog.name, "Prime Tiki")
    qtbot.keyClicks(dialog.partner_id, "e5ed/c0")
    qtbot.keyClicks(dialog.partner_key, SECRET)
    dialog.host.setCurrentIndex(1)
    dialog.save()
    assert "The client id 'e5ed/c0' has characters other than letters" in dialog.error.text()
    assert dialog.focusWidget() is dialog.partner_id and dialog.shop_id is None
    dialog.partner_id.setText("e5edc0e43g3zb6c3")
    dialog.save()
    assert dialog.shop_id is not None
    shop = channels.channel_shop(owner_ctx, dialog.shop_id)
    assert (shop.name, shop.channel, shop.partner_id, shop.api_host) == (
        "Prime Tiki", Channel.TIKI, "e5edc0e43g3zb6c3", "https://api-sandbox.tiki.vn",
    )  # fmt: skip
    lazada = AddStoreDialog(owner_ctx, channel=Channel.LAZADA)
    qtbot.addWidget(lazada)
    assert labels(lazada)[2:4] == ["App &key", "App &secret"]
    assert "fixed date" in lazada.intro.text()
    assert [h for _t, h in hosts(lazada)] == ["https://api.lazada.vn/rest", ""]
    assert lazada.api_host() is None  # the live host: the connector's default


def link(ctx: ServiceContext, shop_id: int, ext: str, refresh_days: float) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.update(table_of(Shop))
            .where(table_of(Shop).c.id == shop_id)
            .values(external_shop_id=ext, status=ShopStatus.ACTIVE.value)
        )
    now = ctx.clock.now()
    channels.ShopTokenStore(ctx, shop_id).save(
        TokenPair("a-1", "r-1", now + timedelta(days=7), now + timedelta(days=refresh_days), ext)
    )


def test_a_lazada_authorisation_about_to_end_is_announced_and_the_credentials_edited(
    qtbot: Any, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    lazada = channels.add_shop(owner_ctx, Channel.LAZADA, name="Lazada VN", app_id="123456",
                               app_secret=SECRET)  # fmt: skip
    tiktok = channels.add_shop(owner_ctx, Channel.TIKTOK, name="TikTok VN", app_id="29a39d",
                               app_secret=SECRET)  # fmt: skip
    link(owner_ctx, lazada, "1000123456", refresh_days=30)
    link(owner_ctx, tiktok, "7494", refresh_days=60)
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    assert not widget.expiry_banner.isVisible()
    tip = widget.table.item(0, COL_EXPIRES).toolTip()
    assert "Lazada does not extend the refresh token when it renews access" in tip
    clock.advance(timedelta(days=25))  # 5 days left: refreshing the tokens will not help
    widget.reload()
    assert widget.expiry_banner.isVisible()
    assert widget.expiry_banner.text() == (
        "Authorise again soon, or these shops stop syncing:\n"
        "• Lazada VN: before 20/12/2026 10:00 (Lazada does not extend the authorisation "
        "when the app renews its tokens)"
    )
    row = next(r for r in range(2) if widget.table.item(r, COL_SHOP).text() == "Lazada VN")
    assert widget.table.item(row, COL_STATUS).text() == (
        "Connected — re-authorise before 20/12/2026 10:00"
    )
    other = 1 - row
    assert widget.table.item(other, COL_STATUS).text() == "Connected"  # TikTok: 35 days
    clock.advance(timedelta(days=6))  # ran out: no longer "soon" but "needs re-authorisation"
    widget.reload()
    assert not widget.expiry_banner.isVisible()
    assert widget.table.item(row, COL_STATUS).text() == "Needs re-authorisation"
    # Its credentials are edited under Lazada's names, the channel fixed.
    widget.table.selectRow(row)
    seen: dict[str, object] = {}

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddStoreDialog)
        seen.update(title=dialog.windowTitle(), channel=dialog.channel.currentText(),
                    fixed=not dialog.channel.isEnabled(), labels=labels(dialog)[2:4],
                    app_id=dialog.partner_id.text())  # fmt: skip
        dialog.partner_key.setText(SECRET[::-1])
        dialog.save()

    QTimer.singleShot(0, fill_in)
    with qtbot.waitSignal(widget.shopsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(widget.key_button, Qt.MouseButton.LeftButton)
    assert seen == {"title": "Credentials of Lazada VN", "channel": "Lazada", "fixed": True,
                    "labels": ["App &key", "App &secret"], "app_id": "123456"}  # fmt: skip
    assert widget.message.text() == "Credentials of Lazada VN saved."
