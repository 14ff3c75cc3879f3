"""The sale screen and End of day on a 1280×720 laptop at 125 % (a 1024×576 screen, common
on Windows): each fits the screen, the fields above scrolling instead of pushing Save, the
total and the buttons below its edge (they were 742 and 593 pixels high), and the columns
read first are whole ("Proc" for Product; "Payment …" and "Bank …" beside a cash count
with room to spare)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.ui.orders.end_of_day import COUNT_WIDTH, EndOfDayDialog
from primedist.ui.orders.sale import PRODUCT_MIN_WIDTH, LinesModel, SaleDialog
from primedist.ui.widgets import SCREEN_MARGIN
from tests.factories import make_product
from tests.ui.orders.test_sale_dialog import SHIRT_M, SHIRT_S, scan, settle
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "app_style")

SCREEN = QRect(0, 0, 1024, 576)


@pytest.fixture(autouse=True)
def small_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: SCREEN)
    # Closing a sale with lines asks first: Yes.
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)


def whole(widget: QWidget) -> bool:
    """Shown whole: neither cut by its window's edge nor scrolled out of sight."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def fits(dialog: QWidget) -> None:
    """As the dialog sizes itself on the small screen, and no lower than it can be."""
    assert dialog.height() <= SCREEN.height() - SCREEN_MARGIN
    assert dialog.width() <= SCREEN.width() - SCREEN_MARGIN
    assert dialog.minimumSizeHint().height() <= dialog.height()


@pytest.fixture
def sale(qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine) -> SaleDialog:
    make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)],
                 barcodes=[SHIRT_S, SHIRT_M])  # fmt: skip
    dialog = SaleDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()  # focus moves (and its field scrolls into sight) in the active one
    qtbot.waitActive(dialog)
    for code in (SHIRT_S, SHIRT_M):
        scan(qtbot, dialog, code)
    settle(qtbot, dialog)
    qtbot.wait(50)  # the layout of the lines
    return dialog


@pytest.mark.parametrize("source", [OrderSource.COUNTER, OrderSource.PHONE])
def test_the_sale_screen_fits_with_save_and_the_total_in_sight(
    qtbot: QtBot, sale: SaleDialog, source: OrderSource
) -> None:
    sale.type_buttons[source].click()  # a phone order adds the delivery's fields
    qtbot.wait(50)
    fits(sale)
    assert sale.save_button.isEnabled() and whole(sale.save_button)
    assert sale.total_values["total"].text() == "219,000 VND"
    assert whole(sale.total_values["total"])
    if source == OrderSource.COUNTER:
        assert whole(sale.total_values["change"])
    # The lines keep room for a few of them; the product's name is not cut to "Proc".
    assert sale.lines.height() >= sale.lines.minimumHeight() > 100
    assert sale.lines.columnWidth(LinesModel.PRODUCT) >= PRODUCT_MIN_WIDTH
    # A field out of sight (the fields scroll) comes into sight by its key, or by Tab.
    if source == OrderSource.COUNTER:
        assert not whole(sale.cash)
        qtbot.keyClick(sale.product_search, Qt.Key.Key_F4)
        assert sale.focusWidget() is sale.cash
        qtbot.waitUntil(lambda: whole(sale.cash))
    else:
        assert not whole(sale.ship_province)
        sale.ship_province.setFocus()
        qtbot.waitUntil(lambda: whole(sale.ship_province))


def test_the_sale_screen_is_unchanged_where_there_is_room(
    qtbot: QtBot, sale: SaleDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the app's 1280×800: nothing scrolls, the product column takes the room left."""
    sale.resize(1240, 760)
    sale.type_buttons[OrderSource.PHONE].click()
    qtbot.wait(50)
    for scroll in (sale.fields_scroll, sale.delivery_scroll):
        assert scroll.verticalScrollBar().maximum() == 0, scroll.objectName()
    view = sale.lines
    header = view.horizontalHeader()
    assert header.length() == view.viewport().width()  # no sideways scrolling
    assert view.columnWidth(LinesModel.PRODUCT) > PRODUCT_MIN_WIDTH


@pytest.fixture
def day(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> None:
    """2026-11-20: a sale paid in cash and one by bank transfer."""
    clock.set(datetime(2026, 11, 20, 3, tzinfo=UTC))
    (shirt,) = make_product(engine, "Áo thun", [("AO-1", 150_000, 100)])
    for method in (PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER):
        draft = svc.OrderDraft(lines=(svc.DraftLine(shirt, 2),), payment_method=method)
        svc.create_order(owner_ctx, draft)


def test_end_of_day_fits_with_its_buttons_and_whole_payment_methods(
    qtbot: QtBot, owner_ctx: ServiceContext, day: None
) -> None:
    dialog = EndOfDayDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None and not dialog.status.text(), timeout=WAIT)
    qtbot.wait(50)  # the layout of the figures
    fits(dialog)
    buttons = [b for b in dialog.findChildren(QPushButton) if b.parent() is dialog]
    assert len(buttons) == 4 and all(whole(b) for b in buttons)
    table, header = dialog.payments, dialog.payments.horizontalHeader()
    assert {table.item(r, 0).text() for r in range(table.rowCount())} == {
        "Cash", "Bank transfer"}  # fmt: skip
    qtbot.waitUntil(lambda: header.length() <= table.viewport().width())
    for c in range(table.columnCount()):
        wanted = max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
        assert table.columnWidth(c) >= wanted, (c, table.horizontalHeaderItem(c).text())
    # The cash count gave up its spare room, not its fields (it is not cut at its right).
    count = dialog.count_scroll.viewport().width()
    assert dialog.count_frame.minimumSizeHint().width() <= count < COUNT_WIDTH
