"""In the Products list the clock of a product whose price a schedule changes next is drawn
just before its right-aligned price, not at the cell's far left: checked on the pixels the
list draws, on a real migrated store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.products.list_page import ICON_GAP
from primedist.ui.products.page import ProductsPage
from tests.conftest import FIXED_NOW
from tests.factories import add_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash", "app_style")

#: The clock's ring (resources/icons/price_change.svg).
CLOCK_BLUE = QColor("#2563EB")


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext) -> Iterator[ProductsPage]:
    jeans = add_product(owner_ctx, "Quần jean", [VariantDraft(sku="QJ-01", price=300_000)])
    add_product(owner_ctx, "Áo thun", [VariantDraft(sku="AO-01", price=120_000)])
    rule = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(-10), 1000)
    ps.schedule_prices(owner_ctx, "Sale", [jeans], rule, FIXED_NOW + timedelta(days=1))
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 2, timeout=WAIT)
    yield p
    p.shutdown()


def columns_of(image: QImage, rect: QRect, wanted) -> list[int]:  # noqa: ANN001
    """The x (from the cell's left) of the cell's pixels `wanted` picks."""
    return [x - rect.left() for x in range(rect.left(), rect.right() + 1)
            if any(wanted(image.pixelColor(x, y))
                   for y in range(rect.top(), rect.bottom() + 1))]  # fmt: skip


def is_blue(c: QColor) -> bool:
    return abs(c.red() - CLOCK_BLUE.red()) < 40 and abs(c.green() - CLOCK_BLUE.green()) < 40 \
        and c.blue() > 180  # fmt: skip


def is_ink(c: QColor) -> bool:
    return max(c.red(), c.green(), c.blue()) < 120  # the price's text, not the clock's blue


def test_the_clock_sits_just_before_the_price(qtbot, page: ProductsPage) -> None:
    view, model = page.list.view, page.list.model
    view.clearSelection()
    price = model.col["price"]
    rows = {model.index(r, model.col["name"]).data(): r for r in range(model.rowCount())}
    qtbot.waitUntil(lambda: model.coming(rows["Quần jean"]) is not None, timeout=WAIT)
    view.setColumnWidth(price, 260)  # widened by hand: room on the left of the price
    image = view.viewport().grab().toImage()
    cell = view.visualRect(model.index(rows["Quần jean"], price))
    clock, ink = columns_of(image, cell, is_blue), columns_of(image, cell, is_ink)
    assert clock and ink
    assert max(clock) < min(ink)  # before the number
    # next to it (the gap, the clock's own margin, the digit's), not across the cell
    assert min(ink) - max(clock) <= ICON_GAP + 6
    assert min(clock) > 100
    # A price without a clock ends at the same place (the prices stay lined up).
    plain = view.visualRect(model.index(rows["Áo thun"], price))
    assert not columns_of(image, plain, is_blue)
    assert max(columns_of(image, plain, is_ink)) == max(ink)
