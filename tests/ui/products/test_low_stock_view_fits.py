"""The low-stock view on a 1024-pixel window: Stock (naming what is low) and On order
follow the product's name, so both show without a sideways scroll — after the SKU, shop
and two price-range columns they were past the window's edge. Other views keep the
spec's column order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from primedist.queries.products import ProductFilter
from primedist.services.context import ServiceContext
from primedist.ui.products.page import ProductsPage
from tests.factories import make_catalogue_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("no_crash", "app_style")

#: The Products page's width in a 1024-pixel main window.
PAGE_WIDTH = 1000


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext) -> Iterator[ProductsPage]:
    engine = owner_ctx.engine
    # Price ranges and discounts, as a real catalogue has: the widest price cells.
    make_catalogue_product(
        engine, "Dầu gội thảo dược Hàn Quốc",
        [("DGTD0035-200", 179_000, 159_000, 0), ("DGTD0035-500", 249_000, 229_000, 3),
         ("DGTD0035-1000", 1_249_000, 1_129_000, 40)],
        low_stock_level=5,
    )  # fmt: skip
    make_catalogue_product(
        engine, "Áo sơ mi linen dáng rộng",
        [("ASML0023-BE-S", 299_000, 281_000, 1), ("ASML0023-XAM-M", 329_000, 301_000, 2)],
        low_stock_level=5,
    )  # fmt: skip
    make_catalogue_product(engine, "Mũ", [("MU-1", 1, None, 50)], low_stock_level=5)
    p = show_widget(qtbot, ProductsPage(owner_ctx), width=PAGE_WIDTH, height=700)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 3, timeout=WAIT)
    yield p
    p.shutdown()


def right_edge(view, column: int) -> int:  # type: ignore[no-untyped-def]
    return view.columnViewportPosition(column) + view.columnWidth(column)


@pytest.mark.parametrize("language", ["english", "vietnamese"])
def test_stock_and_on_order_show_without_scrolling_in_the_low_view(
    qtbot, page: ProductsPage, language: str, request: pytest.FixtureRequest
) -> None:
    request.getfixturevalue(language)
    list_, view = page.list, page.list.view
    model = list_.model
    stock, on_order = model.col["stock"], model.col["on_order"]
    list_.set_filter(ProductFilter(statuses=("low_stock",)))
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=WAIT)
    # The Stock cells name the low variants, the column as wide as they need.
    text = model.index(0, stock).data()
    need = view.fontMetrics().horizontalAdvance(text)
    qtbot.waitUntil(lambda: view.columnWidth(stock) >= need, timeout=WAIT)
    assert view.horizontalScrollBar().value() == 0
    width = view.viewport().width()
    assert right_edge(view, stock) <= width  # was past the edge: a sideways scroll
    assert right_edge(view, on_order) <= width
    header = view.horizontalHeader()
    name_at = header.visualIndex(model.col["name"])
    assert [header.visualIndex(stock), header.visualIndex(on_order)] == [name_at + 1, name_at + 2]
    # Every product again: the columns back in their own order.
    list_.set_filter(ProductFilter())
    qtbot.waitUntil(lambda: model.rowCount() == 3, timeout=WAIT)
    assert [header.logicalIndex(i) for i in range(header.count())] == list(range(header.count()))
