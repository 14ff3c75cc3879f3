"""Names, codes and addresses that look like HTML (imported, synced or typed) are shown as
typed: a QLabel or a message box guesses "rich text" from a leading tag and drew
`<b>BOLD</b>` bold, `HL0<b>x</b>` as "HL0x" and tried to load `<img src=file:///…>`."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.domain.order import Order
from primedist.domain.shop import Shop
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft, create_order
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.errors import show_error  # the real one (`quiet` replaces the module's)
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.products.stock_dialogs import StockHistoryDialog, StockMoveDialog
from tests.factories import make_product
from tests.services.loyalty.conftest import customers_with
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")

orders_t, shops_t = table_of(Order), table_of(Shop)

BOLD = "<b>BOLD</b><i>it</i>"
IMG = "<img src=file:///etc/passwd>X"
NUMBER = "HL0<b>x</b>"


def painted(text: str, plain: bool) -> str:
    """What a label or box shows for `text`: as it is when plain, else as Qt reads it."""
    if plain or not GuiQt.mightBeRichText(text):
        return text
    return QTextDocumentFragment.fromHtml(text).toPlainText()


def shown(label: QLabel) -> str:
    plain = label.textFormat() == Qt.TextFormat.PlainText
    if label.textFormat() == Qt.TextFormat.RichText:
        return QTextDocumentFragment.fromHtml(label.text()).toPlainText()
    return painted(label.text(), plain)


def labels_showing(window: QWidget, raw: str) -> list[QLabel]:
    return [label for label in window.findChildren(QLabel) if raw in label.text()]


def assert_shown_as_typed(window: QWidget, raw: str, at_least: int = 1) -> None:
    found = labels_showing(window, raw)
    assert len(found) >= at_least, [label.text() for label in window.findChildren(QLabel)]
    for label in found:
        assert raw in shown(label), (label.objectName(), label.text())


def test_the_order_window_shows_number_address_carrier_and_shop_as_typed(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    variant = make_product(engine, "Nến thơm", [("NEN-01", 45_000, 20)])[0]
    draft = OrderDraft(lines=(DraftLine(variant, 1),), source=OrderSource.COUNTER,
                       payment_method=PaymentMethod.CASH, cash_received=100_000)  # fmt: skip
    order_id = create_order(owner_ctx, draft).id
    with engine.begin() as conn:
        conn.execute(orders_t.update().where(orders_t.c.id == order_id).values(
            external_id=NUMBER, ship_name=BOLD, ship_address=IMG, carrier=BOLD,
            buyer_phone="<b>0939</b>"))  # fmt: skip
        shop_id = conn.execute(
            sa.select(orders_t.c.shop_id).where(orders_t.c.id == order_id)
        ).scalar_one()
        conn.execute(shops_t.update().where(shops_t.c.id == shop_id).values(name="<i>Cửa</i>"))
    dialog = show_widget(qtbot, OrderDetailDialog(owner_ctx, order_id), 1200, 760)
    assert dialog.number.text() == NUMBER
    assert shown(dialog.number) == NUMBER  # was "HL0x"
    assert_shown_as_typed(dialog, IMG)
    assert_shown_as_typed(dialog, BOLD, at_least=2)  # recipient and carrier
    assert_shown_as_typed(dialog, "<i>Cửa</i>")


def test_the_customer_window_shows_the_name_as_typed(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{"name": IMG}])
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    assert dialog.name_label.text() == IMG
    assert shown(dialog.name_label) == IMG  # was an image (of /etc/passwd) and "X"


@pytest.mark.parametrize("dialog_class", [StockHistoryDialog, StockMoveDialog])
def test_the_stock_windows_show_the_product_name_as_typed(
    qtbot, engine: Engine, owner_ctx: ServiceContext, dialog_class: Any
) -> None:
    variant = make_product(engine, f"{BOLD} P0", [("HL-HTML", 150_000, 10)])[0]
    with engine.connect() as conn:
        product_id = conn.execute(
            sa.text("SELECT product_id FROM variants WHERE id = :v"), {"v": variant}
        ).scalar_one()
    dialog = show_widget(qtbot, dialog_class(owner_ctx, product_id), 900, 560)
    assert f"{BOLD} P0" in dialog.title.text()
    assert f"{BOLD} P0" in shown(dialog.title)


@pytest.mark.parametrize(
    "message",
    [
        f"Khách {IMG} đã có trong danh sách.",
        f"{BOLD} & co: không kết nối được.\nThử lại sau.",
        "No network: the order was kept & will sync later.",
    ],
)
def test_an_error_box_shows_the_message_as_it_is(monkeypatch, message: str) -> None:
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: boxes.append(text))
    show_error(None, message)
    [text] = boxes
    assert painted(text, plain=False) == message
    if not GuiQt.mightBeRichText(message):
        assert text == message  # a text that is no HTML goes to the box unchanged
