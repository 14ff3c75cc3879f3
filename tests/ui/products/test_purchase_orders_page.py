"""Products → Purchase orders, driven like a shop owner: an order scanned and saved with
its expected day, the supplier's low-stock products added in one click, the goods
received against it (the receipt's lines what is still to come), a short delivery
closed, an order cancelled, a new order from the Suppliers page, in Vietnamese."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QMessageBox

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.purchase_orders import PurchaseOrderDialog, PurchaseOrdersPage
from primedist.ui.products.receipts import COST, QTY, GoodsReceiptDialog
from primedist.ui.products.suppliers import SuppliersPage
from tests.ui.support import WAIT, show_widget

V = table_of(Variant)


@pytest.fixture
def products(owner_ctx: ServiceContext) -> dict[str, int]:
    def add(name: str, variants: list[VariantDraft]) -> int:
        return create_product(owner_ctx, ProductDraft(name=name, variants=variants))

    add("Cốc sứ Bát Tràng", [VariantDraft(sku="COC-1", price=45_000, stock=2,
                                          low_stock_level=5)])  # fmt: skip
    add("Đĩa sứ", [VariantDraft(sku="DIA-1", price=80_000, stock=30)])
    return {sku: gr.find_variant(owner_ctx, sku).variant_id for sku in ("COC-1", "DIA-1")}


@pytest.fixture
def page(qtbot, owner_ctx, products) -> Iterator[ProductsPage]:
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 2, timeout=WAIT)
    yield p
    p.shutdown()


def stock(ctx: ServiceContext, sku: str) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(V.c.stock).where(V.c.sku == sku)).scalar_one())


def orders_page(qtbot, page: ProductsPage, count: str = "0 orders") -> PurchaseOrdersPage:
    orders = page.show_tab(ProductsPage.ORDERS)
    assert isinstance(orders, PurchaseOrdersPage)
    qtbot.waitUntil(lambda: orders.count.text() == count, timeout=WAIT)
    return orders


def scan(qtbot, dialog: GoodsReceiptDialog, code: str) -> None:
    dialog.search.setText(code)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)


@pytest.mark.usefixtures("english")
def test_an_order_scanned_and_saved(qtbot, page, owner_ctx):
    orders = orders_page(qtbot, page)
    assert page.tabs.tabText(ProductsPage.ORDERS) == "Purchase orders"
    assert not orders.receive_button.isEnabled() and not orders.cancel_button.isEnabled()
    dialog = orders.new_order()
    assert dialog.windowTitle() == "New purchase order"
    assert dialog.paid.isHidden() and dialog.labels_check.isHidden()
    scan(qtbot, dialog, "coc-1")
    scan(qtbot, dialog, "DIA-1")
    assert dialog.problem_text() == "Name the supplier the goods are ordered from."
    assert not dialog.save_button.isEnabled()
    dialog.supplier.setText("Gốm Minh Long")
    qtbot.waitUntil(lambda: dialog.supplier_debt.text()
                    == "New supplier: added when the order is saved", timeout=WAIT)  # fmt: skip
    dialog.table.item(0, QTY).setData(Qt.ItemDataRole.EditRole, 12)
    dialog.table.item(0, COST).setText("30000")
    dialog.expected_check.setChecked(True)
    dialog.expected.setDate(QDate(2026, 11, 25))
    dialog.note.setText("giao buổi sáng")
    assert dialog.totals.text() == "2 lines · 13 units · cost 360,000 VND"
    with qtbot.waitSignal(dialog.ordered, timeout=WAIT) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = done.args[0]
    assert (row.code, row.supplier, row.units, row.expected_on, row.note) == (
        "DHN000001", "Gốm Minh Long", 13, date(2026, 11, 25), "giao buổi sáng")  # fmt: skip
    assert stock(owner_ctx, "COC-1") == 2  # nothing came yet
    qtbot.waitUntil(lambda: orders.count.text() == "1 order", timeout=WAIT)
    qtbot.waitUntil(lambda: orders.lines_table.rowCount() == 2, timeout=WAIT)
    cells = [orders.table.item(0, c).text() for c in (0, 2, 3, 6, 7, 8)]
    assert cells == ["DHN000001", "Gốm Minh Long", "25/11/2026", "0/13", "360,000 VND", "Ordered"]
    assert orders.lines_title.text() == "Lines of DHN000001 · giao buổi sáng"
    assert [orders.lines_table.item(0, c).text() for c in range(7)] == [
        "COC-1", "Cốc sứ Bát Tràng", "12", "0", "12", "30,000 VND", "360,000 VND"]  # fmt: skip
    assert orders.receive_button.isEnabled() and orders.cancel_button.isEnabled()
    assert not orders.close_button.isEnabled()


@pytest.mark.usefixtures("english")
def test_low_stock_added_in_one_click(qtbot, page, owner_ctx, products):
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(products["COC-1"], 1, 31_000),
                                                 gr.ReceiptLine(products["DIA-1"], 1, 50_000)],
                                                supplier="Gốm Minh Long"))  # fmt: skip
    dialog = orders_page(qtbot, page).new_order()
    qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.text() == "Name the supplier first: its products low on stock are added."
    dialog.supplier.setText("gom minh long")
    qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    # The cup: 3 on hand, level 5: up to 10; the plate has no level: never low.
    qtbot.waitUntil(lambda: len(dialog.lines) == 1, timeout=WAIT)
    assert (dialog.lines[0].hit.sku, dialog.lines[0].quantity, dialog.lines[0].unit_cost) == (
        "COC-1", 7, 31_000)  # fmt: skip
    dialog.lines.clear()
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(products["COC-1"], 7)]))
    qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "on order already" in dialog.problem.text(), timeout=WAIT)
    assert dialog.lines == []


@pytest.mark.usefixtures("english")
def test_goods_received_against_the_order_then_closed(qtbot, page, owner_ctx, products):
    order = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(products["COC-1"], 10, 30_000), po.OrderLine(products["DIA-1"], 4)]))
    orders = orders_page(qtbot, page, "1 order")
    qtbot.mouseClick(orders.receive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: orders.receipt_dialog is not None, timeout=WAIT)
    dialog = orders.receipt_dialog
    assert dialog.windowTitle() == "Receive the goods of DHN000001"
    assert dialog.supplier.text() == "Gốm Minh Long" and dialog.supplier.isReadOnly()
    assert dialog.order_label.text().startswith("Against purchase order DHN000001")
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in dialog.lines] == [
        ("COC-1", 10, 30_000), ("DIA-1", 4, None)]  # fmt: skip
    dialog.table.item(0, QTY).setData(Qt.ItemDataRole.EditRole, 6)  # 4 cups short
    dialog.table.item(1, COST).setText("50000")
    dialog.method.setCurrentIndex(dialog.method.findData("bank_transfer"))  # asked, not assumed
    with qtbot.waitSignal(dialog.received, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert stock(owner_ctx, "COC-1") == 8 and stock(owner_ctx, "DIA-1") == 34
    qtbot.waitUntil(lambda: orders.table.item(0, 8).text() == "Partly received", timeout=WAIT)
    assert orders.table.item(0, 6).text() == "10/14"
    qtbot.waitUntil(lambda: "received with PN000001" in orders.lines_title.text(), timeout=WAIT)
    assert orders.close_button.isEnabled() and not orders.cancel_button.isEnabled()
    # The receipts page, built already, shows the delivery too.
    assert gr.get_receipt(owner_ctx, 1).supplier == "Gốm Minh Long"
    box = orders.ask_reason("close")
    assert box.labelText() == "4 units will not come. Why?"
    box.textValueSelected.emit("NCC hết cốc")
    qtbot.waitUntil(lambda: orders.count.text() == "0 orders", timeout=WAIT)  # open ones only
    orders.state.setCurrentIndex(1)  # all orders
    qtbot.waitUntil(lambda: orders.count.text() == "1 order", timeout=WAIT)
    assert orders.table.item(0, 8).text() == "Closed"
    qtbot.waitUntil(lambda: "Closed: NCC hết cốc" in orders.lines_title.text(), timeout=WAIT)
    assert po.get_order(owner_ctx, order.id).close_reason == "NCC hết cốc"
    assert not orders.receive_button.isEnabled()


@pytest.mark.usefixtures("english")
def test_an_order_cancelled_and_a_refusal_said(qtbot, page, owner_ctx, products):
    draft = po.OrderDraft("Gốm Minh Long", [po.OrderLine(products["COC-1"], 3)])
    order = po.create_order(owner_ctx, draft)
    orders = orders_page(qtbot, page, "1 order")
    box = orders.ask_reason("cancel")
    box.textValueSelected.emit("   ")  # no reason: refused, said above the list
    qtbot.waitUntil(lambda: orders.message.isVisible(), timeout=WAIT)
    assert orders.message.text() == "Say why the order is cancelled."
    orders.ask_reason("cancel").textValueSelected.emit("đặt nhầm")
    qtbot.waitUntil(lambda: orders.count.text() == "0 orders", timeout=WAIT)
    assert po.get_order(owner_ctx, order.id).cancel_reason == "đặt nhầm"


@pytest.mark.usefixtures("english")
def test_a_new_order_from_the_suppliers_page(qtbot, page, owner_ctx, products):
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(products["DIA-1"], 1)],
                                                supplier="Sứ Minh Châu"))  # fmt: skip
    suppliers = page.show_tab(ProductsPage.SUPPLIERS)
    assert isinstance(suppliers, SuppliersPage)
    qtbot.waitUntil(lambda: len(suppliers.rows) == 1, timeout=WAIT)
    suppliers.table.selectRow(0)
    assert suppliers.order_button.isEnabled()
    assert suppliers.order_button.text() == "New purchase order"
    qtbot.mouseClick(suppliers.order_button, Qt.MouseButton.LeftButton)
    assert page.tabs.currentIndex() == ProductsPage.ORDERS
    dialog = page.orders.dialog
    assert isinstance(dialog, PurchaseOrderDialog) and dialog.isVisible()
    assert dialog.supplier.text() == "Sứ Minh Châu"
    dialog.reject()


def test_in_vietnamese(qtbot, page, owner_ctx, products, clock):
    install_language("vi")
    clock.advance(-timedelta(days=30))  # ordered a month ago, for a day gone by now
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(products["COC-1"], 3)],
                                             expected_on=date(2026, 11, 1)))  # fmt: skip
    clock.advance(timedelta(days=30))
    orders = orders_page(qtbot, page, "1 đơn")
    qtbot.waitUntil(lambda: page.tabs.tabText(ProductsPage.ORDERS) == "Đặt hàng nhập",
                    timeout=WAIT)  # fmt: skip
    assert orders.table.item(0, 8).text() == "Đã đặt"
    # Expected before today (20/11/2026) and not in: red, said on hover.
    late = orders.table.item(0, 3)
    assert late.toolTip() == "Hẹn giao 01/11/2026: chưa về đủ"
    assert late.foreground().color().name() == "#b91c1c"
    dialog = orders.new_order()
    assert dialog.windowTitle() == "Đơn đặt hàng nhập mới"
    scan(qtbot, dialog, "COC-1")
    assert dialog.totals.text() == "1 dòng · 1 sản phẩm · giá nhập 0 ₫"
    dialog.reject()


@pytest.mark.usefixtures("english")
def test_an_order_changed_before_goods_come(qtbot, page, owner_ctx, products):
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(products["COC-1"], 3, 30_000)], expected_on=date(2026, 12, 1), note="gọi"))
    orders = orders_page(qtbot, page, "1 order")
    assert orders.edit_button.isEnabled() and orders.edit_button.text() == "Change…"
    qtbot.mouseClick(orders.edit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: orders.dialog is not None and orders.dialog.isVisible(), timeout=WAIT)
    dialog = orders.dialog
    assert dialog.windowTitle() == "Change DHN000001"
    assert (dialog.supplier.text(), dialog.note.text(), dialog.expected_on()) == (
        "Gốm Minh Long", "gọi", date(2026, 12, 1))  # fmt: skip
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in dialog.lines] == [
        ("COC-1", 3, 30_000)]  # fmt: skip
    scan(qtbot, dialog, "DIA-1")
    dialog.table.item(0, QTY).setData(Qt.ItemDataRole.EditRole, 6)
    with qtbot.waitSignal(dialog.ordered, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: orders.table.item(0, 5).text() == "7", timeout=WAIT)
    assert [(ln.sku, ln.quantity) for ln in po.order_lines(owner_ctx, 1)] == [
        ("COC-1", 6), ("DIA-1", 1)]  # fmt: skip
    assert po.list_orders(owner_ctx)[0].code == "DHN000001"  # the same order, changed


@pytest.mark.usefixtures("english")
def test_the_orders_listed_exported(qtbot, page, owner_ctx, products, tmp_path):
    import openpyxl

    for n in (1, 2):
        po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long",
                                                 [po.OrderLine(products["COC-1"], n)]))  # fmt: skip
    po.cancel_order(owner_ctx, 2, "trùng")
    orders = orders_page(qtbot, page, "1 order")  # the open ones
    assert orders.export_button.isEnabled()
    orders.export_to(tmp_path / "orders.xlsx")
    qtbot.waitUntil(lambda: orders.last_export is not None, timeout=WAIT)
    rows = list(openpyxl.load_workbook(orders.last_export.path).active.iter_rows(values_only=True))
    assert rows[0][0] == "Order" and [r[0] for r in rows[1:]] == ["DHN000001"]
    for box in orders.findChildren(QMessageBox):
        box.close()


@pytest.mark.usefixtures("english")
def test_a_new_goods_receipt_offers_the_suppliers_open_orders(qtbot, page, owner_ctx, products):
    from primedist.ui.products.receipts import GoodsReceiptsPage

    order = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(products["COC-1"], 10, 30_000)], expected_on=date(2026, 12, 1)))
    po.create_order(owner_ctx, po.OrderDraft("Sứ Minh Châu", [po.OrderLine(products["DIA-1"], 2)]))
    receipts = page.show_tab(ProductsPage.RECEIPTS)
    assert isinstance(receipts, GoodsReceiptsPage)
    dialog = receipts.new_receipt()
    # There from the start (a supplier picked must not push the scan field down), but
    # nothing to choose until the supplier has open orders.
    assert dialog.order_choice.isVisible() and not dialog.order_choice.isEnabled()
    scan(qtbot, dialog, "DIA-1")  # scanned before the supplier is named: kept
    dialog.supplier.setText("gom minh long")
    dialog.supplier.editingFinished.emit()
    qtbot.waitUntil(lambda: dialog.order_choice.isEnabled(), timeout=WAIT)
    assert [dialog.order_choice.itemText(i) for i in range(dialog.order_choice.count())] == [
        "Not against an order", "DHN000001 · 10 units to come · expected 01/12/2026"]
    dialog.order_choice.setCurrentIndex(1)
    dialog.order_choice.activated.emit(1)
    qtbot.waitUntil(lambda: len(dialog.lines) == 2, timeout=WAIT)
    assert dialog.windowTitle() == "Receive the goods of DHN000001"
    assert dialog.supplier.isReadOnly() and dialog.order_label.isVisible()
    assert [(ln.hit.sku, ln.quantity) for ln in dialog.lines] == [("DIA-1", 1), ("COC-1", 10)]
    dialog.order_choice.activated.emit(1)  # the same order again: nothing added twice
    assert [ln.quantity for ln in dialog.lines] == [1, 10]
    dialog.method.setCurrentIndex(dialog.method.findData("bank_transfer"))  # asked, not assumed
    with qtbot.waitSignal(dialog.received, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = po.get_order(owner_ctx, order.id)
    assert (row.state.value, row.received_units) == ("received", 10)
    # Another supplier with none open: nothing offered; back to no order frees the supplier.
    other = receipts.new_receipt("Nhà cung cấp mới")
    qtbot.wait(200)
    assert not other.order_choice.isEnabled()
    assert other.order_choice.currentText() == "No purchase order awaits goods from this supplier"
    other.supplier.setText("Sứ Minh Châu")
    other.supplier.editingFinished.emit()
    qtbot.waitUntil(lambda: other.order_choice.count() == 2, timeout=WAIT)
    other.order_choice.activated.emit(1)
    qtbot.waitUntil(lambda: other.order is not None, timeout=WAIT)
    other.order_choice.setCurrentIndex(0)
    other.order_choice.activated.emit(0)
    assert other.order is None and not other.supplier.isReadOnly()
    assert other.windowTitle() == "New goods receipt" and other.order_label.isHidden()
    other.reject()


@pytest.mark.usefixtures("english")
def test_a_received_order_ordered_again(qtbot, page, owner_ctx, products):
    order = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(products["COC-1"], 12, 30_000), po.OrderLine(products["DIA-1"], 4)],
        expected_on=date(2026, 12, 1), note="gọi"))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(products["COC-1"], 12, 30_000),
                                                 gr.ReceiptLine(products["DIA-1"], 4)],
                                                purchase_order_id=order.id))  # fmt: skip
    orders = orders_page(qtbot, page)
    orders.state.setCurrentIndex(1)  # all orders: the received one too
    qtbot.waitUntil(lambda: orders.count.text() == "1 order", timeout=WAIT)
    orders.table.selectRow(0)
    assert orders.again_button.isEnabled() and orders.again_button.text() == "Order again…"
    assert not orders.edit_button.isEnabled()  # received: it cannot change any more
    qtbot.mouseClick(orders.again_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: orders.dialog is not None and orders.dialog.isVisible(), timeout=WAIT)
    dialog = orders.dialog
    assert dialog.windowTitle() == "New purchase order"
    assert (dialog.supplier.text(), dialog.note.text(), dialog.expected_on()) == (
        "Gốm Minh Long", "", None)  # fmt: skip
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in dialog.lines] == [
        ("COC-1", 12, 30_000), ("DIA-1", 4, None)]  # fmt: skip
    dialog.table.item(1, QTY).setData(Qt.ItemDataRole.EditRole, 6)
    with qtbot.waitSignal(dialog.ordered, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: orders.count.text() == "2 orders", timeout=WAIT)
    assert orders.status.text() == "DHN000002 saved"
    assert [(ln.sku, ln.quantity) for ln in po.order_lines(owner_ctx, 2)] == [
        ("COC-1", 12), ("DIA-1", 6)]  # fmt: skip
    assert po.get_order(owner_ctx, order.id).state == "received"  # the first one untouched


@pytest.mark.usefixtures("english")
def test_the_selected_products_ordered_from_the_products_list(qtbot, page, owner_ctx, products):
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(products["COC-1"], 1, 28_000)],
                                                supplier="Gốm Minh Long"))  # fmt: skip
    listing = page.list
    qtbot.waitUntil(lambda: listing.model.rowCount() == 2, timeout=WAIT)
    assert not listing.order_button.isEnabled()  # nothing selected
    assert listing.select_ids(listing.model.key_at(r) for r in range(2)) == 2
    assert listing.order_button.isEnabled() and listing.order_button.text() == "Order…"
    qtbot.mouseClick(listing.order_button, Qt.MouseButton.LeftButton)
    assert page.tabs.currentIndex() == ProductsPage.ORDERS
    orders = page.orders
    qtbot.waitUntil(lambda: orders.dialog is not None and orders.dialog.isVisible(), timeout=WAIT)
    dialog = orders.dialog
    # The cups (3, low at 5) up to 10 at their last cost, from their supplier; the plates
    # (30, no level) need none.
    assert dialog.supplier.text() == "Gốm Minh Long"
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in dialog.lines] == [
        ("COC-1", 7, 28_000)]  # fmt: skip
    assert dialog.problem.isHidden()
    with qtbot.waitSignal(dialog.ordered, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: orders.count.text() == "1 order", timeout=WAIT)
    # The list shows them on order; nothing low among the plates: one of each, said.
    page.tabs.setCurrentIndex(0)
    listing.refresh()
    qtbot.waitUntil(lambda: "7" in [listing.model.data(listing.model.index(
        r, listing.model.col["on_order"])) for r in range(2)], timeout=WAIT)  # fmt: skip
    plates = next(r for r in range(2) if listing.model.data(
        listing.model.index(r, listing.model.col["skus"])) == "DIA-1")  # fmt: skip
    menu = listing.build_context_menu(listing.model.key_at(plates))
    next(a for a in menu.actions() if a.text() == "Order…").trigger()
    qtbot.waitUntil(lambda: orders.dialog is not dialog and orders.dialog is not None
                    and orders.dialog.isVisible(), timeout=WAIT)  # fmt: skip
    again = orders.dialog
    assert (again.supplier.text(), [(ln.hit.sku, ln.quantity) for ln in again.lines]) == (
        "", [("DIA-1", 1)])  # fmt: skip
    assert again.problem.text() == (
        "None of these products is low on stock (or what is low is on order already): one "
        "of each is added, change the quantities.")  # fmt: skip
    again.reject()


@pytest.mark.usefixtures("english")
def test_an_order_copied_as_text_for_the_suppliers_chat(qtbot, page, owner_ctx, products):
    from PySide6.QtGui import QGuiApplication

    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(products["COC-1"], 12, 30_000)]))  # fmt: skip
    orders = orders_page(qtbot, page, "1 order")
    orders.table.selectRow(0)
    assert orders.text_action.text() == "Copy as text (to send by Zalo, Messenger…)"
    QGuiApplication.clipboard().setText("")
    orders.text_action.trigger()
    qtbot.waitUntil(lambda: bool(QGuiApplication.clipboard().text()), timeout=WAIT)
    text = QGuiApplication.clipboard().text()
    assert text.startswith("PURCHASE ORDER DHN000001\n") and "To: Gốm Minh Long" in text
    assert "1. COC-1 · Cốc sứ Bát Tràng: 12 × 30,000 VND" in text
    assert orders.status.text() == "DHN000001 copied: paste it into the chat with the supplier"
