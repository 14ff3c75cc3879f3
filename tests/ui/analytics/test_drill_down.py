"""Analytics' drill-down: double-click (or Enter) on a ranking row opens the Orders tab on
the orders that row counts — the same days and shops, counted in revenue, and the row's
province, carrier or product — each a chip × removes; a product row's menu opens its
editor or stock history (tests/services/report_data.py's shop)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from primedist.queries.orders import OrderFilter, orders
from primedist.services.context import ServiceContext
from primedist.ui.analytics.page import AnalyticsPage
from primedist.ui.orders.tab import OrdersPage
from tests.services.report_data import FROM, TO, Shop2, build
from tests.ui.analytics.test_analytics import make_page
from tests.ui.orders.test_returns_under_way import settle, shown_ids
from tests.ui.support import close_page, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def row_of(table: QTableWidget, name: str) -> int:
    return next(r for r in range(table.rowCount()) if table.item(r, 0).text() == name)


def double_click(qtbot: QtBot, page: AnalyticsPage, key: str, name: str) -> tuple[str, object]:
    table = page.tables[key]
    show_widget(qtbot, page, height=900)
    rect = table.visualItemRect(table.item(row_of(table, name), 0))
    with qtbot.waitSignal(page.openOrders, timeout=3000) as seen:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    tab, flt = seen.args
    return tab, flt


def order_ids(ctx: ServiceContext, *numbers: str) -> set[int]:
    with ctx.engine.connect() as conn:
        stmt = sa.select(orders.c.id).where(orders.c.external_id.in_(numbers))
        return set(conn.execute(stmt).scalars())


def test_a_province_row_opens_its_orders(
    qtbot: QtBot, ctx: ServiceContext, owner_ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, ctx)
    table = page.tables["locations_orders"]
    counted = int(table.item(row_of(table, "Hà Nội"), 1).text())
    tab, flt = double_click(qtbot, page, "locations_orders", "Hà Nội")
    assert tab == "all" and isinstance(flt, OrderFilter)
    assert (flt.date_from, flt.date_to, flt.province, flt.counted_only) == (FROM, TO, "01", True)

    orders_page = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    try:
        orders_page.set_filter(flt)  # as the main window does (show_orders)
        orders_page.select_status_tab(tab)
        settle(qtbot, orders_page)
        # O1 and O3 (O2 was cancelled; the range's days only).
        assert shown_ids(orders_page) == order_ids(ctx, "O1", "O3")
        assert orders_page.counts["all"] == orders_page.model.rowCount() == counted == 2
        assert orders_page.chip("province").text.text() == "Province/city: Hà Nội"
        assert orders_page.chip("counted").text.text() == "Counted in revenue"
        orders_page.remove_filter("counted")  # the cancelled one of Hà Nội too
        settle(qtbot, orders_page)
        assert shown_ids(orders_page) == order_ids(ctx, "O1", "O2", "O3")
        orders_page.remove_filter("province")
        settle(qtbot, orders_page)
        assert orders_page.counts["all"] > 3
    finally:
        close_page(qtbot, orders_page, lambda: not orders_page.busy
                   and not orders_page.counts_pending)  # fmt: skip


def test_carrier_and_product_rows_and_enter(
    qtbot: QtBot, ctx: ServiceContext, owner_ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, ctx)
    _tab, by_carrier = double_click(qtbot, page, "carriers", "GHN")
    assert isinstance(by_carrier, OrderFilter) and by_carrier.carriers[0] == "GHN"
    products = page.tables["products"]
    products.setCurrentCell(row_of(products, "Quần jean"), 0)
    products.setFocus()
    with qtbot.waitSignal(page.openOrders, timeout=3000) as seen:
        qtbot.keyClick(products, Qt.Key.Key_Return)
    by_product = seen.args[1]
    assert isinstance(by_product, OrderFilter) and by_product.product_name == "Quần jean"

    orders_page = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    try:
        orders_page.set_filter(by_carrier)
        settle(qtbot, orders_page)
        assert shown_ids(orders_page) == order_ids(ctx, "O1", "O3")
        assert orders_page.chip("carrier").text.text() == "Carrier: GHN"
        orders_page.set_filter(by_product)
        settle(qtbot, orders_page)
        assert shown_ids(orders_page) == order_ids(ctx, "O3")  # O2 (cancelled) not counted
        assert orders_page.chip("product").text.text() == "Product: Quần jean"
    finally:
        close_page(qtbot, orders_page, lambda: not orders_page.busy
                   and not orders_page.counts_pending)  # fmt: skip


def test_a_product_row_menu_opens_its_editor_and_history(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, ctx)
    products = page.tables["products"]
    menu = page.product_menu(row_of(products, "Áo thun"))
    assert menu is not None
    actions = {a.text(): a for a in menu.actions()}
    assert list(actions) == ["Orders of this product", "Open product", "Stock history"]
    opened: list[tuple[str, int]] = []
    page.openProduct.connect(lambda pid: opened.append(("editor", pid)))
    page.openStockHistory.connect(lambda pid: opened.append(("history", pid)))
    actions["Open product"].trigger()
    actions["Stock history"].trigger()
    pid = int(products.item(row_of(products, "Áo thun"), 0).data(Qt.ItemDataRole.UserRole + 1))
    assert opened == [("editor", pid), ("history", pid)]
