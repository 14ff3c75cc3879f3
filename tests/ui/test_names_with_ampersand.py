"""A name with "&" shows whole on a button, a menu entry or a tick box: Qt takes "&" there
as the mark of a shortcut key and hid it (a category "Giày dép & Túi" read "Giày dép
_Túi" in its filter chip). Checked as a screen reader reads the widget: its text shown."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel
from primedist.queries.products import ProductFilter
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.shops import ShopInfo
from primedist.services.sync import SyncState
from primedist.ui.home.controls import ShopPicker
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.products.list_page import ProductListPage
from tests.factories import make_customers, make_product
from tests.ui.support import close_page, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def shown(widget: QWidget) -> str:
    """The text the widget shows (its accessible name: a hidden "&" is not in it)."""
    face = QAccessible.queryAccessibleInterface(widget)
    assert face is not None
    return face.text(QAccessible.Text.Name)


def test_the_category_chip_shows_the_ampersand(qtbot: QtBot, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, ProductListPage(owner_ctx))
    page.set_filter(ProductFilter(category="Giày dép & Túi"))
    chip = page.chip("category")
    assert chip is not None
    assert shown(chip.text) == "Category: Giày dép & Túi"
    close_page(qtbot, page)


def test_a_shop_name_in_the_shop_picker(qtbot: QtBot) -> None:
    picker = ShopPicker()
    qtbot.addWidget(picker)
    picker.set_shops([ShopInfo(1, "Gốm & Sứ Bát Tràng", Channel.SHOPEE),
                      ShopInfo(2, "Quầy", Channel.OFFLINE)])  # fmt: skip
    # iconText: the entry's text as the menu draws it.
    assert [a.iconText() for a in picker.menu().actions()] == ["Gốm & Sứ Bát Tràng", "Quầy"]


def test_the_customer_of_an_order(qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine) -> None:
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 20)])
    (customer,) = make_customers(engine, 1, names=["Cô Hạnh & Con"])
    order = order_svc.create_order(owner_ctx, order_svc.OrderDraft(
        lines=(order_svc.DraftLine(cup, 1),), customer_id=customer))  # fmt: skip
    dialog = OrderDetailDialog(owner_ctx, order.id, sync_state=SyncState())
    show_widget(qtbot, dialog, 1100, 688)
    qtbot.waitUntil(lambda: dialog.customer_button.text() != "", timeout=5000)
    assert shown(dialog.customer_button) == "Cô Hạnh & Con"
