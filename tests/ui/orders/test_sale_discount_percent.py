"""The order discount takes a percentage of the goods (after the lines' own discounts):
"10%" of 299,000 đ is 29,900 đ, shown beside the box as the points box shows its đồng and
saved as money; over 100% is refused with a clear message."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.ui.orders.sale import SaleDialog, parse_percent, percent_of
from tests.factories import make_product
from tests.ui.orders.test_sale_dialog import field, questions, save_with_f9, saved_order, settle  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

HAT = "8930000000981"
SOCKS = "8930000000998"


@pytest.fixture
def dialog(qtbot, engine: Engine, owner_ctx: ServiceContext) -> SaleDialog:
    """A sale of a 249,000 đ hat and 50,000 đ socks: 299,000 đ of goods."""
    make_product(engine, "Mũ len", [("MU-1", 249_000, 10)], barcodes=[HAT])
    make_product(engine, "Tất cổ cao", [("TAT-1", 50_000, 10)], barcodes=[SOCKS])
    d = SaleDialog(owner_ctx)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    product = field(d, "productSearch")
    for code in (HAT, SOCKS):
        qtbot.keyClicks(product, code)
        qtbot.keyClick(product, Qt.Key.Key_Return)
    settle(qtbot, d)
    return d


def test_ten_percent_of_the_goods_is_shown_and_saved_as_money(
    qtbot, dialog: SaleDialog, engine: Engine
) -> None:
    discount = field(dialog, "orderDiscount")
    assert not dialog.discount_worth.isVisible()  # nothing to say for no percentage
    discount.setText("10%")
    settle(qtbot, dialog)
    assert not dialog.problems_label.isVisible() and dialog.save_button.isEnabled()
    assert discount.property("invalid") is not True
    assert dialog.discount_worth.isVisible() and dialog.discount_worth.text() == "= 29,900 VND"
    assert dialog.total_values["discount"].text() == "-29,900 VND"
    assert dialog.total_values["total"].text() == "269,100 VND"
    discount.setFocus()
    dialog.product_search.setFocus()  # leaving the box keeps the percentage as typed
    assert discount.text() == "10%"
    order, _lines = saved_order(engine, save_with_f9(qtbot, dialog))
    assert (order.seller_discount, order.total) == (29_900, 269_100)


def test_the_percentage_is_of_the_goods_after_the_lines_discounts(
    qtbot, dialog: SaleDialog
) -> None:
    dialog.model.lines[0].discount = 49_000  # the hat at 200,000: 250,000 of goods
    dialog.model.changed.emit()
    field(dialog, "orderDiscount").setText("10 %")
    settle(qtbot, dialog)
    assert dialog.discount_worth.text() == "= 25,000 VND"
    assert dialog.quote is not None and dialog.quote.order_discount == 25_000


def test_over_a_hundred_percent_is_refused_and_said(qtbot, dialog: SaleDialog) -> None:
    discount = field(dialog, "orderDiscount")
    discount.setText("150%")
    settle(qtbot, dialog)
    assert not dialog.save_button.isEnabled()
    assert "Order discount: a percentage must be between 0% and 100% of the goods." in (
        dialog.problems_label.text()
    )
    assert not dialog.discount_worth.isVisible() and discount.property("invalid") is True
    discount.setText("abc%")
    settle(qtbot, dialog)
    assert "“abc%” is not a percentage" in dialog.problems_label.text()
    assert discount.property("invalid") is True


def test_a_decimal_comma_and_a_space_are_understood() -> None:
    assert parse_percent("10,5%") == parse_percent("10.5 %") == Decimal("10.5")
    assert percent_of(299_000, Decimal("10.5")) == 31_395  # whole đồng, rounded down
    assert percent_of(299_999, Decimal("10")) == 29_999
    with pytest.raises(ValueError):
        parse_percent("mười %")
