"""Purchase orders and goods receipts point to each other on screen: the receipts list's
PO column (a click on it, or Enter on the receipt, opens the order on the Purchase orders
page) and the receipt's title name the order; the order's lines say what went back to the
supplier ("5 · 2 returned"). A new order starts in the supplier's field when none is
named. The orders and receipts lists fit a 1024 px window: the search (and the state)
whole, the less used buttons in More, the supplier's name keeps width (who ordered, or
received, gives some up)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from primedist.domain.base import table_of
from primedist.domain.user import User
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services import supplier_returns as sr
from primedist.services.context import ServiceContext
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.purchase_orders import PurchaseOrdersPage
from primedist.ui.products.receipts import SEARCH_MIN_WIDTH, SUPPLIER_NARROW, GoodsReceiptsPage
from tests.factories import make_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("no_crash", "app_style")
SUPPLIER = "Xưởng Gốm Bát Tràng Minh Long"


@pytest.fixture
def received(owner_ctx: ServiceContext) -> dict[str, int]:
    """DHN000001 (10 cups, 20 plates) from a long-named supplier; PN000001 brought 5 cups
    and the 20 plates against it, 2 cups went back (TH000001); PN000002 came without an
    order."""
    with owner_ctx.engine.begin() as conn:  # who ordered: a long name, as the demo's
        conn.execute(sa.update(table_of(User)).values(name="Chủ cửa hàng Demo Nguyễn"))
    cup, plate = make_product(owner_ctx.engine, "Gốm", [("COC-1", 45_000, 0),
                                                        ("DIA-1", 80_000, 0)])  # fmt: skip
    order = po.create_order(owner_ctx, po.OrderDraft(SUPPLIER, [
        po.OrderLine(cup, 10, 30_000), po.OrderLine(plate, 20, 50_000)]))  # fmt: skip
    against = gr.receive_goods(owner_ctx, gr.ReceiptDraft(
        [gr.ReceiptLine(cup, 5), gr.ReceiptLine(plate, 20)], purchase_order_id=order.id))
    line = next(ln.id for ln in gr.receipt_lines(owner_ctx, against.id) if ln.sku == "COC-1")
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(against.id, {line: 2}, "Vỡ khi giao"))
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(plate, 1)], supplier=SUPPLIER))
    return {"order": order.id, "cup": cup}


@pytest.fixture
def products(qtbot, owner_ctx: ServiceContext, received) -> Iterator[ProductsPage]:
    page = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    yield page
    page.shutdown()


def receipts_of(qtbot, page: ProductsPage) -> GoodsReceiptsPage:
    receipts = page.show_tab(ProductsPage.RECEIPTS)
    assert isinstance(receipts, GoodsReceiptsPage)
    qtbot.waitUntil(lambda: len(receipts.rows) == 2 and bool(receipts.lines), timeout=WAIT)
    return receipts


def cell(table, row: int, column: int) -> str:  # type: ignore[no-untyped-def]
    item = table.item(row, column)
    return item.text() if item is not None else ""


def shows_order(qtbot, page: ProductsPage) -> PurchaseOrdersPage:
    orders = page.orders
    assert orders is not None and page.tabs.currentWidget() is not None
    qtbot.waitUntil(lambda: page.tabs.currentIndex() == ProductsPage.ORDERS, timeout=WAIT)
    qtbot.waitUntil(lambda: [r.code for r in orders.rows] == ["DHN000001"], timeout=WAIT)
    current = orders.current()
    assert current is not None and current.code == "DHN000001"
    assert orders.search.text() == "DHN000001"
    # Received in full, the order is not among the open ones the list shows by default.
    assert orders.state.currentText() == "All orders"
    return orders


@pytest.mark.usefixtures("english")
def test_the_receipts_name_their_order_and_a_click_opens_it(qtbot, products):
    receipts = receipts_of(qtbot, products)
    table, column = receipts.table, GoodsReceiptsPage.COLUMNS.index("order")
    assert table.horizontalHeaderItem(column).text() == "PO"
    assert [cell(table, r, 0) for r in range(2)] == ["PN000002", "PN000001"]
    assert [cell(table, r, column) for r in range(2)] == ["", "DHN000001"]
    assert table.item(1, column).font().underline()  # a link: it opens the order
    assert not table.item(0, column).font().underline()
    # The newest (no order) is selected: its title names none.
    assert "against" not in receipts.lines_title.text()
    table.selectRow(1)
    qtbot.waitUntil(lambda: receipts.lines_title.text().startswith(
        "Lines of PN000001 · against DHN000001 · 1 return (TH000001)"), timeout=WAIT)  # fmt: skip
    rect = table.visualItemRect(table.item(1, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    shows_order(qtbot, products)


@pytest.mark.usefixtures("english")
def test_enter_on_a_receipt_opens_its_order(qtbot, products):
    receipts = receipts_of(qtbot, products)
    table = receipts.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Return)  # PN000002: made without an order
    qtbot.wait(50)
    assert products.tabs.currentIndex() == ProductsPage.RECEIPTS
    table.selectRow(1)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    shows_order(qtbot, products)


@pytest.mark.usefixtures("english")
def test_the_orders_lines_say_what_went_back(qtbot, owner_ctx, received):
    orders = show_widget(qtbot, PurchaseOrdersPage(owner_ctx))
    orders.show_order(received["order"], "DHN000001")
    qtbot.waitUntil(lambda: orders.lines_table.rowCount() == 2, timeout=WAIT)
    came = [cell(orders.lines_table, r, 3) for r in range(2)]
    assert came == ["5 · 2 returned", "20"]


@pytest.mark.usefixtures("english")
def test_a_new_order_starts_in_the_supplier_field_unless_one_is_named(qtbot, owner_ctx):
    orders = show_widget(qtbot, PurchaseOrdersPage(owner_ctx))
    dialog = orders.new_order()
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.supplier
    dialog.reject()
    named = orders.new_order("Gốm Minh Long")  # from the Suppliers page: scan at once
    qtbot.waitExposed(named)
    assert named.focusWidget() is named.search
    named.reject()


def right(widget: QWidget) -> int:
    return widget.mapTo(widget.window(), widget.rect().topRight()).x()


def left(widget: QWidget) -> int:
    return widget.mapTo(widget.window(), widget.rect().topLeft()).x()


@pytest.mark.usefixtures("vietnamese")
def test_the_orders_list_fits_1024_px(qtbot, owner_ctx, received):
    orders = show_widget(qtbot, PurchaseOrdersPage(owner_ctx), width=1024 - 2)
    orders.state.setCurrentIndex(1)  # every order: the received one too
    qtbot.waitUntil(lambda: len(orders.rows) == 1, timeout=WAIT)
    qtbot.wait(50)
    assert orders.minimumSizeHint().width() <= 1024
    # The search and the state whole, side by side; the buttons after them.
    assert orders.search.width() >= SEARCH_MIN_WIDTH
    assert orders.state.width() >= orders.state.sizeHint().width()
    assert right(orders.search) < left(orders.state) < right(orders.state) < left(orders.count)
    row = orders.actions_row
    assert right(orders.count) <= left(row) and right(row) <= orders.width() - 16
    # What did not fit is in More, whole; New purchase order stays in the row.
    assert row.more_button.isVisible() and orders.export_button in row.in_more()
    assert orders.new_button.isVisible()
    for button in (orders.new_button, orders.receive_button, row.more_button):
        assert button.width() >= button.sizeHint().width(), button.text()
    # No sideways scroll: who ordered gave up width (down to its title), the supplier
    # keeps the most of it (it was 110 px beside a 148 px "Ordered by").
    table, column = orders.table, PurchaseOrdersPage.COLUMNS.index
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()
    assert table.columnWidth(column("supplier")) >= SUPPLIER_NARROW
    by = column("by")
    assert header.sectionSizeHint(by) <= table.columnWidth(by) < table.sizeHintForColumn(by)
    assert table.columnWidth(column("supplier")) > table.columnWidth(by)
    # A name cut with "…" shows whole on hover.
    index = table.model().index(0, column("supplier"))
    assert table.itemDelegate().tip(table, index) == SUPPLIER


@pytest.mark.usefixtures("vietnamese")
def test_the_orders_list_keeps_its_row_at_1366_px(qtbot, owner_ctx, received):
    orders = show_widget(qtbot, PurchaseOrdersPage(owner_ctx), width=1366 - 2)
    qtbot.waitUntil(lambda: orders.listed, timeout=WAIT)
    qtbot.wait(50)
    assert orders.actions_row.in_more() == []
    assert not orders.actions_row.more_button.isVisible()
    table, column = orders.table, PurchaseOrdersPage.COLUMNS.index
    # The supplier takes the room the others leave: the columns fill the list.
    assert table.horizontalHeader().length() == table.viewport().width()
    assert table.columnWidth(column("supplier")) > table.columnWidth(column("by"))


@pytest.mark.usefixtures("vietnamese")
def test_the_receipts_list_fits_1024_px(qtbot, owner_ctx, received):
    page = show_widget(qtbot, GoodsReceiptsPage(owner_ctx), width=1024 - 2)
    qtbot.waitUntil(lambda: len(page.rows) == 2, timeout=WAIT)
    qtbot.wait(50)
    assert page.minimumSizeHint().width() <= 1024
    # The count beside the search, not over it (they overlapped).
    assert page.search.width() >= SEARCH_MIN_WIDTH
    assert right(page.search) < left(page.count) and right(page.count) <= left(page.actions_row)
    row = page.actions_row
    assert right(row) <= page.width() - 16
    assert row.more_button.isVisible() and page.export_button in row.in_more()
    assert page.new_button.isVisible() and page.return_button.isVisible()
    table, column = page.table, GoodsReceiptsPage.COLUMNS.index
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width()
    assert table.columnWidth(column("supplier")) >= SUPPLIER_NARROW
    assert table.columnWidth(column("supplier")) > table.columnWidth(column("by"))
    order = column("order")  # the order's code whole
    assert table.columnWidth(order) >= table.sizeHintForColumn(order)

