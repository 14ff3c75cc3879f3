"""Settings → Sales channels: the shops with their status, adding a store, disconnecting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy.engine import Engine

from primedist.connectors.base import TokenPair
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, ShopStatus
from primedist.domain.shop import Shop
from primedist.domain.sync import SyncCheckpoint
from primedist.services import channels
from primedist.services.app_settings import put_setting
from primedist.services.context import ServiceContext
from primedist.ui.settings.channel_dialogs import AddStoreDialog
from primedist.ui.settings.channels import (
    COL_EXPIRES,
    COL_EXTERNAL,
    COL_LAST_SYNC,
    COL_SHOP,
    COL_STATUS,
    ChannelsSettings,
)
from primedist.ui.settings.page import SettingsPage
from tests.factories import make_shop

WAIT_MS = 10_000
KEY = "shpk" + "6b" * 30
pytestmark = pytest.mark.usefixtures("quiet")


def add(ctx: ServiceContext, name: str) -> int:
    return channels.add_shopee_shop(ctx, name=name, partner_id="2001887", partner_key=KEY)


def link(ctx: ServiceContext, shop_id: int, ext: str, *, refresh_days: int = 30) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(
            sa.update(table_of(Shop))
            .where(table_of(Shop).c.id == shop_id)
            .values(external_shop_id=ext, status=ShopStatus.ACTIVE.value)
        )
    now = ctx.clock.now()
    channels.ShopTokenStore(ctx, shop_id).save(
        TokenPair(
            "access-0001-xyz",
            "refresh-0001-xyz",
            now + timedelta(hours=4),
            now + timedelta(days=refresh_days),
            ext,
        )  # fmt: skip
    )


@pytest.fixture
def shops(owner_ctx: ServiceContext) -> dict[str, int]:
    """Connected (synced 5 min ago), expired, not linked, disconnected; a Lazada shop."""
    ids = {name: add(owner_ctx, name) for name in ("A Connected", "B Expired", "C New", "D Gone")}
    link(owner_ctx, ids["A Connected"], "1001")
    link(owner_ctx, ids["B Expired"], "1002", refresh_days=-1)
    link(owner_ctx, ids["D Gone"], "1004")
    channels.disconnect_shop(owner_ctx, ids["D Gone"])
    with owner_ctx.uow() as session:
        session.add(
            SyncCheckpoint(
                shop_id=ids["A Connected"],
                resource=channels.ORDERS_RESOURCE,
                last_success_at=owner_ctx.clock.now() - timedelta(minutes=5),
            )
        )
    ids["E Lazada"] = make_shop(owner_ctx.engine, "E Lazada", Channel.LAZADA)
    return ids


def row_of(widget: ChannelsSettings, name: str) -> int:
    for r in range(widget.table.rowCount()):
        if widget.table.item(r, COL_SHOP).text() == name:
            return r
    raise AssertionError(f"{name} not listed")


def cell(widget: ChannelsSettings, name: str, col: int) -> str:
    return widget.table.item(row_of(widget, name), col).text()


def buttons(widget: ChannelsSettings) -> tuple[bool, bool, bool]:
    return (widget.sync_button.isEnabled(), widget.reauth_button.isEnabled(),
            widget.disconnect_button.isEnabled())  # fmt: skip


def test_each_shop_shows_its_state_and_the_actions_it_allows(
    qtbot: Any, owner_ctx: ServiceContext, shops: dict[str, int]
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.show()
    assert widget.title.text() == "Sales channels"
    names = [widget.table.item(r, COL_SHOP).text() for r in range(widget.table.rowCount())]
    assert names == ["A Connected", "B Expired", "C New", "D Gone", "E Lazada"]  # no counter
    assert cell(widget, "A Connected", COL_STATUS) == "Connected"
    assert cell(widget, "A Connected", COL_EXTERNAL) == "1001"
    assert cell(widget, "A Connected", COL_LAST_SYNC) == "20/11/2026 09:55"  # shop time
    assert cell(widget, "B Expired", COL_STATUS) == "Needs re-authorisation"
    assert cell(widget, "C New", COL_STATUS) == "Not linked"
    assert cell(widget, "C New", COL_LAST_SYNC) == "—"
    assert cell(widget, "D Gone", COL_STATUS) == "Disconnected"
    assert not any(buttons(widget))  # nothing selected
    expected = {
        "A Connected": (True, True, True),
        "B Expired": (False, True, True),
        "C New": (False, True, False),
        "D Gone": (False, True, False),
        "E Lazada": (False, False, False),  # no app key/secret yet
    }
    for name, allowed in expected.items():
        widget.table.selectRow(row_of(widget, name))
        assert buttons(widget) == allowed, name
        assert widget.key_button.isEnabled(), name  # credentials for any marketplace


def test_paused_and_failed_syncs_are_visible(
    qtbot: Any, owner_ctx: ServiceContext, shops: dict[str, int]
) -> None:
    with owner_ctx.engine.begin() as conn:
        conn.execute(
            sa.update(table_of(SyncCheckpoint)).values(
                paused_until=owner_ctx.clock.now() + timedelta(hours=2),
                last_error="Daily API limit reached",
            )
        )
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    item = widget.table.item(row_of(widget, "A Connected"), COL_STATUS)
    assert item.text() == "Paused until 20/11/2026 12:00 (daily API limit)"
    # The whole status (the column may cut it), then the last error.
    assert item.toolTip() == f"{item.text()}\nLast error: Daily API limit reached"


def test_an_authorisation_about_to_end_is_announced(
    qtbot: Any, owner_ctx: ServiceContext, shops: dict[str, int]
) -> None:
    ends = owner_ctx.clock.now() + timedelta(days=3)
    with owner_ctx.uow() as session:
        put_setting(owner_ctx, session, f"channels.remote.{shops['A Connected']}",
                    {"name": "Prime on Shopee", "auth_expires_at": ends.isoformat()})  # fmt: skip
        put_setting(owner_ctx, session, f"channels.remote.{shops['C New']}",
                    {"name": "x", "auth_expires_at": "2020-01-01T00:00:00+00:00"})  # fmt: skip
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    assert cell(widget, "A Connected", COL_STATUS) == (
        "Connected — re-authorise before 23/11/2026 10:00"
    )
    assert cell(widget, "A Connected", COL_EXPIRES) == "23/11/2026 10:00"
    tip = widget.table.item(row_of(widget, "A Connected"), COL_EXPIRES).toolTip()
    assert "authorisation ends 23/11/2026 10:00" in tip and "Prime on Shopee" in tip
    assert cell(widget, "C New", COL_STATUS) == "Not linked"  # not linked: nothing to expire
    assert cell(widget, "C New", COL_EXPIRES) == "—"
    link(owner_ctx, shops["C New"], "1003")  # linked, but its authorisation ran out
    widget.reload()
    assert cell(widget, "C New", COL_STATUS) == "Needs re-authorisation"


def test_add_dialog_names_the_bad_field_then_saves(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    dialog = AddStoreDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.name, "Prime Official")
    qtbot.keyClicks(dialog.partner_id, "20x1")
    qtbot.keyClicks(dialog.partner_key, KEY)
    dialog.host.setCurrentIndex(2)  # Other address…
    assert dialog.custom_host.isVisible()
    qtbot.keyClicks(dialog.custom_host, "http://127.0.0.1:8123/")
    dialog.save()
    assert "not a positive whole number" in dialog.error.text()
    assert dialog.focusWidget() is dialog.partner_id
    assert dialog.result() == 0 and dialog.shop_id is None
    dialog.partner_id.clear()
    qtbot.keyClicks(dialog.partner_id, "2001887")
    dialog.save()
    assert dialog.shop_id is not None
    shop = channels.channel_shop(owner_ctx, dialog.shop_id)
    assert (shop.name, shop.partner_id, shop.api_host) == (
        "Prime Official",
        "2001887",
        "http://127.0.0.1:8123",
    )
    # The live host is stored as "the default" (None), so it follows the connector's.
    live = AddStoreDialog(owner_ctx)
    qtbot.addWidget(live)
    assert not live.custom_host.isVisibleTo(live) and live.api_host() is None


def test_disconnect_after_confirmation(
    qtbot: Any, owner_ctx: ServiceContext, shops: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.table.selectRow(row_of(widget, "A Connected"))
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.No if len(asked) == 1 else QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    qtbot.mouseClick(widget.disconnect_button, Qt.MouseButton.LeftButton)  # "No"
    assert "Its orders stay here" in asked[0]
    assert channels.channel_shop(owner_ctx, shops["A Connected"]).linked
    with qtbot.waitSignal(widget.shopsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(widget.disconnect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: cell(widget, "A Connected", COL_STATUS) == "Disconnected", timeout=WAIT_MS
    )
    assert widget.message.text() == "A Connected is disconnected; its orders are kept."
    assert not channels.channel_shop(owner_ctx, shops["A Connected"]).linked
    assert widget.selected_shop() is not None  # the selection survives the reload


def test_a_new_partner_key_for_a_shop(
    qtbot: Any, owner_ctx: ServiceContext, shops: dict[str, int]
) -> None:
    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    widget.table.selectRow(row_of(widget, "A Connected"))
    seen: dict[str, object] = {}

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddStoreDialog)
        seen.update(title=dialog.windowTitle(), name=dialog.name.text(),
                    read_only=dialog.name.isReadOnly(), pid=dialog.partner_id.text(),
                    key=dialog.partner_key.text())  # fmt: skip
        dialog.save()  # no key typed: refused, the dialog stays
        seen["error"] = dialog.error.text()
        dialog.partner_key.setText("shpk" + "7c" * 30)
        dialog.partner_id.setText("2001888")
        dialog.save()

    QTimer.singleShot(0, fill_in)
    with qtbot.waitSignal(widget.shopsChanged, timeout=WAIT_MS):
        qtbot.mouseClick(widget.key_button, Qt.MouseButton.LeftButton)
    assert seen == {"title": "Credentials of A Connected", "name": "A Connected",
                    "read_only": True, "pid": "2001887", "key": "",
                    "error": "The partner key is empty."}  # fmt: skip
    shop = channels.channel_shop(owner_ctx, shops["A Connected"])
    assert shop.partner_id == "2001888" and shop.linked  # still linked
    assert widget.message.text() == "Credentials of A Connected saved."


def test_the_settings_tab_has_the_section(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = SettingsPage(owner_ctx)
    qtbot.addWidget(page)
    titles = [page.sections.item(i).text() for i in range(page.sections.count())]
    assert "Sales channels" in titles
    assert isinstance(page.select_section("channels"), ChannelsSettings)


def test_sync_now_reports_in_words_not_outcome_codes(qtbot, owner_ctx: ServiceContext) -> None:
    from primedist.core.messages import msg
    from primedist.services.sync import SyncReport

    widget = ChannelsSettings(owner_ctx)
    qtbot.addWidget(widget)
    offline = SyncReport(shop_id=1, shop="SP1", outcome="offline", message="timed out")
    answered = SyncReport(shop_id=1, shop="SP1", outcome="marketplace_error", message="HTTP 502")
    busy = SyncReport(shop_id=1, shop="SP1", outcome="busy",
                      message="a sync of this shop is already running")  # fmt: skip
    reauth = SyncReport(shop_id=1, shop="SP1", outcome="needs_reauth",
                        message=msg("Re-authorise the shop in Settings → Sales channels, "
                                    "then sync again."))  # fmt: skip
    assert widget.report_text(offline) == (
        "SP1: the marketplace could not be reached; the next sync tries again")
    assert widget.report_text(answered) == (
        "SP1: the marketplace answered with an error; the next sync tries again")
    assert widget.report_text(busy) == "SP1: a sync of this shop is already running"
    assert widget.report_text(reauth) == (
        "SP1: Re-authorise the shop in Settings → Sales channels, then sync again.")
    ok = SyncReport(shop_id=1, shop="SP1", fetched=3, inserted=2, updated=1)
    assert widget.report_text(ok).startswith("SP1: 3 orders fetched, 2 new, 1 updated")
