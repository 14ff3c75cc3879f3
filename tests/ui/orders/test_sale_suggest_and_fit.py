"""The sale screen at a 1366 × 768 laptop (and 1024 × 768): the receipt controls beside
Save show their whole text, products are suggested while typing (as customers are) and
the customer list is wide enough to read each customer's name, phone and code."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders.sale import PRODUCT_DEBOUNCE_MS, SaleDialog
from tests.factories import make_customers
from tests.ui.conftest import back_to_english
from tests.ui.orders.test_sale_dialog import (  # noqa: F401  (fixtures)
    SHIRT_M,
    SHIRT_S,
    field,
    lines,
    products,
    questions,
    scan,
)

pytestmark = pytest.mark.usefixtures("app_style")

#: What `fit_to_screen` leaves the dialog on a 1366 × 768 and a 1024 × 768 screen.
LAPTOP, SMALL = (1320, 740), (1000, 740)


@pytest.fixture(params=["vi", "en"])
def language(request: pytest.FixtureRequest, qapp: object) -> Iterator[str]:
    install_language(request.param)
    yield request.param
    back_to_english()


def open_sale(qtbot, ctx: ServiceContext, size: tuple[int, int]) -> SaleDialog:
    dialog = SaleDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.resize(*size)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def inside(dialog: SaleDialog, widget: QWidget) -> bool:
    top_left = widget.mapTo(dialog, QPoint(0, 0))
    return top_left.x() >= 0 and top_left.x() + widget.width() <= dialog.width()


@pytest.mark.parametrize("size", [LAPTOP, SMALL])
def test_the_receipt_controls_beside_save_show_in_full(
    qtbot, owner_ctx: ServiceContext, language: str, size: tuple[int, int]
) -> None:
    """The 360 px column cut both texts: "In hóa đơn sau l", "…đơn gần nhất"."""
    dialog = open_sale(qtbot, owner_ctx, size)
    for widget in (dialog.print_receipt, dialog.reprint_button, dialog.save_button):
        assert widget.isVisible(), widget.objectName()
        assert widget.sizeHint().width() <= widget.width(), (language, widget.objectName())
        assert inside(dialog, widget), widget.objectName()


@pytest.mark.usefixtures("english", "products")
def test_products_are_suggested_while_typing(qtbot, owner_ctx: ServiceContext) -> None:
    """Typed "son kem" and waited: nothing showed, the list came only with Enter."""
    dialog = open_sale(qtbot, owner_ctx, LAPTOP)
    product, popup = field(dialog, "productSearch"), dialog.product_popup
    qtbot.keyClicks(product, "ao thun")
    qtbot.waitUntil(popup.isVisible, timeout=PRODUCT_DEBOUNCE_MS + 5_000)
    assert popup.count() == 2 and "AO-S" in popup.item(0).text()
    assert popup.currentRow() == -1 and lines(dialog) == []  # suggested, nothing added
    qtbot.keyClick(product, Qt.Key.Key_Down)
    qtbot.keyClick(product, Qt.Key.Key_Down)
    qtbot.keyClick(product, Qt.Key.Key_Return)  # the row chosen
    assert lines(dialog) == [("AO-M", 1)] and not popup.isVisible()
    # Typing on narrows the list down as it goes.
    qtbot.keyClicks(product, "quan")
    qtbot.waitUntil(lambda: popup.isVisible() and "QJ-30" in popup.item(0).text(),
                    timeout=PRODUCT_DEBOUNCE_MS + 5_000)  # fmt: skip
    assert popup.count() == 1


@pytest.mark.usefixtures("english", "products")
def test_a_scan_is_added_at_once_suggestions_or_not(qtbot, owner_ctx: ServiceContext) -> None:
    """A scanner types faster than the suggestions wait: its Enter adds the product at
    once, and no list shows after it. Enter on suggestions nobody chose from looks the
    text up as a code, as before (never the first row picked in its place)."""
    dialog = open_sale(qtbot, owner_ctx, LAPTOP)
    product, popup = field(dialog, "productSearch"), dialog.product_popup
    scan(qtbot, dialog, SHIRT_M)
    assert lines(dialog) == [("AO-M", 1)]
    qtbot.wait(PRODUCT_DEBOUNCE_MS * 2)
    assert not popup.isVisible() and product.text() == ""
    qtbot.keyClicks(product, "ao thun")
    qtbot.waitUntil(popup.isVisible, timeout=PRODUCT_DEBOUNCE_MS + 5_000)
    scan(qtbot, dialog, SHIRT_S)  # scanned onto the name while its list shows
    assert lines(dialog) == [("AO-M", 1), ("AO-S", 1)] and product.text() == ""
    qtbot.keyClicks(product, "AO-M")  # a SKU typed by hand, its suggestion waited for
    qtbot.waitUntil(popup.isVisible, timeout=PRODUCT_DEBOUNCE_MS + 5_000)
    qtbot.keyClick(product, Qt.Key.Key_Return)
    assert lines(dialog) == [("AO-M", 2), ("AO-S", 1)] and not popup.isVisible()


@pytest.mark.usefixtures("vietnamese")
def test_the_customer_list_shows_name_phone_and_code(
    qtbot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    """At the dialog's right edge the list was cut to the field's width: "KH002784 · …"."""
    make_customers(engine, 12, names=["Nguyễn Thị Phương Thảo", "Trần Hoàng Bảo Ngọc"])
    dialog = open_sale(qtbot, owner_ctx, LAPTOP)
    search, popup = field(dialog, "customerSearch"), dialog.customer_popup
    qtbot.keyClicks(search, "nguyen thi")
    qtbot.waitUntil(popup.isVisible, timeout=5_000)
    assert popup.count() == 6 and "KH0000" in popup.item(0).text()
    assert popup.sizeHintForColumn(0) <= popup.viewport().width()  # no row elided
    assert inside(dialog, popup)
