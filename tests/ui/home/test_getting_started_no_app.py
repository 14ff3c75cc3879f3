"""Getting started for a household shop with no marketplace app: the marketplace step says
where an app's ID and key come from and offers importing a Seller Center export instead,
from Home and from Settings → Sales channels → Add shop…; such an import ticks the step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog

from primedist.config import Settings
from primedist.domain.enums import Channel
from primedist.services import channels as channels_svc
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.seller_center_import import import_export
from primedist.ui import file_dialogs
from primedist.ui.app import ui_settings_for
from primedist.ui.home.page import HomePage
from primedist.ui.main_window import MainWindow
from primedist.ui.settings.channel_dialogs import AddStoreDialog
from primedist.ui.settings.channels import ChannelsSettings
from tests.factories import make_orders, make_shop
from tests.services.seller_center_files import write_shopee
from tests.services.test_seller_center_import import shopee_rows
from tests.ui.support import WAIT, close_page

pytestmark = pytest.mark.usefixtures("english")


def seller_center_file(folder: Path) -> Path:
    rows = shopee_rows("2611020AAA001", [("AO-DO-M", "Áo thun", 2, 90000, 80000)],
                       total=160000)  # fmt: skip
    return write_shopee(folder / "Order.all.20261101_20261130.xlsx", rows)


def test_a_seller_center_import_ticks_the_marketplace_step(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    assert not reports.first_steps(owner_ctx).shop_linked
    make_shop(owner_ctx.engine, "Shopee chưa liên kết")  # never authorised, no orders
    assert not reports.first_steps(owner_ctx).shop_linked
    counter = make_shop(owner_ctx.engine, "Quầy", Channel.OFFLINE)
    make_orders(owner_ctx.engine, counter, 1, start=datetime(2026, 11, 20, tzinfo=UTC),
                step=timedelta(1))  # fmt: skip
    assert not reports.first_steps(owner_ctx).shop_linked  # a counter sale is no marketplace
    import_export(owner_ctx, seller_center_file(tmp_path), shop="Shopee Cô Hạnh")
    assert reports.first_steps(owner_ctx).shop_linked  # the shop is not linked: its orders came


def file_dialogs_shown(monkeypatch: pytest.MonkeyPatch) -> list[QFileDialog]:
    """Every file dialog is cancelled; the dialogs shown."""
    shown: list[QFileDialog] = []

    def run(dialog: QFileDialog) -> tuple[list[str], str]:
        shown.append(dialog)
        return [], ""

    monkeypatch.setattr(file_dialogs, "run_dialog", run)
    return shown


def window_on_home(qtbot: Any, ctx: ServiceContext, settings: Settings) -> MainWindow:
    window = MainWindow(ctx, ui_settings_for(settings), "Gốm Cô Hạnh")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close_orders(qtbot: Any, window: MainWindow) -> None:
    orders = window.tab_pages["orders"].page
    close_page(qtbot, orders, lambda: not orders.busy and not orders.counts_pending)


def test_home_says_where_the_id_and_key_come_from_and_imports_orders_instead(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = file_dialogs_shown(monkeypatch)
    window = window_on_home(qtbot, owner_ctx, settings)
    home = window.select_tab("home")
    assert isinstance(home, HomePage)
    card = home.first_steps
    qtbot.waitUntil(lambda: card.steps is not None and card.isVisible(), timeout=WAIT)
    assert card.no_app_note.isVisible()
    assert "Shopee Open Platform" in card.no_app_note.text()
    assert "software provider" in card.no_app_note.text()
    assert card.import_button.text() == "Import orders from a file"
    qtbot.mouseClick(card.import_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget().key == "orders"  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=WAIT)
    assert shown[0].windowTitle() == "Import orders"
    close_orders(qtbot, window)


def test_add_shop_offers_importing_orders_instead(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = file_dialogs_shown(monkeypatch)
    window = window_on_home(qtbot, owner_ctx, settings)
    window.start_step("shop_linked")
    channels = window.tab_pages["settings"].page.section("channels")
    assert isinstance(channels, ChannelsSettings)
    assert channels.add_button.text() == "&Add shop…"
    seen: list[AddStoreDialog] = []

    def choose_import() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, AddStoreDialog):
            QTimer.singleShot(20, choose_import)
            return
        seen.append(dialog)
        assert dialog.windowTitle() == "Add Shopee shop"
        assert dialog.no_app_note.isVisible() and dialog.import_button.isVisible()
        assert "software provider" in dialog.no_app_note.text()
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, choose_import)
    channels.add_button.click()  # modal until the import is chosen
    assert len(seen) == 1 and seen[0].import_instead
    assert window.tabs.currentWidget().key == "orders"  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=WAIT)
    assert shown[0].windowTitle() == "Import orders"
    close_orders(qtbot, window)


def test_changing_a_shops_credentials_offers_no_import(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    shop_id = make_shop(owner_ctx.engine, "Shopee Cô Hạnh")
    dialog = AddStoreDialog(owner_ctx, shop=channels_svc.channel_shop(owner_ctx, shop_id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.no_app_note.isHidden() and dialog.import_button.isHidden()
