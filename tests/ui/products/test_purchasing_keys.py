"""The purchasing pages at the keyboard: Enter in a receipt's or an order's field presses
no button (it removed a line, or added the low-stock items), Esc asks before the lines
scanned are lost, Tab leaves the lists, a barcode scanned into the stock-take's Counted
cell counts as a scan (it became a count of 8,937,653,246,993), and the keys go to the
Stock-take, Purchase orders and Goods receipts pages' fields (Ctrl+F, and when first
shown)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from primedist.config import Settings
from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.app import ui_settings_for
from primedist.ui.main_window import MainWindow
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.purchase_orders import PurchaseOrderDialog, PurchaseOrdersPage
from primedist.ui.products.receipts import QTY, GoodsReceiptDialog, GoodsReceiptsPage
from primedist.ui.products.stocktake import COL_COUNTED, StocktakePage
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
STOCKTAKE_TAB = ProductsPage.ORDERS - 1  # Products | SKU groups | Stock-take | …


@pytest.fixture
def products(owner_ctx: ServiceContext) -> dict[str, int]:
    def add(name: str, variants: list[VariantDraft]) -> None:
        create_product(owner_ctx, ProductDraft(name=name, variants=variants))

    add("Cốc sứ Bát Tràng", [VariantDraft(sku="COC-1", barcode="8930000000019", price=45_000,
                                          stock=2, low_stock_level=5)])  # fmt: skip
    add("Đĩa sứ", [VariantDraft(sku="DIA-1", barcode="8930000000026", price=80_000, stock=30)])
    return {sku: gr.find_variant(owner_ctx, sku).variant_id for sku in ("COC-1", "DIA-1")}


@pytest.fixture
def page(qtbot, owner_ctx, products) -> Iterator[ProductsPage]:
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 2, timeout=WAIT)
    yield p
    p.shutdown()


def scan(qtbot, dialog: GoodsReceiptDialog, code: str) -> None:
    dialog.search.setText(code)  # a scanner types the code…
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # …and Enter


def receipts_page(qtbot, page: ProductsPage) -> GoodsReceiptsPage:
    receipts = page.show_tab(ProductsPage.RECEIPTS)
    assert isinstance(receipts, GoodsReceiptsPage)
    qtbot.waitUntil(lambda: receipts.count.text().endswith("receipts"), timeout=WAIT)
    return receipts


def orders_page(qtbot, page: ProductsPage) -> PurchaseOrdersPage:
    orders = page.show_tab(ProductsPage.ORDERS)
    assert isinstance(orders, PurchaseOrdersPage)
    qtbot.waitUntil(lambda: orders.count.text().endswith("orders"), timeout=WAIT)
    return orders


def defaults(dialog: QWidget) -> list[str]:
    """The buttons Enter would press."""
    return [b.text() for b in dialog.findChildren(QPushButton) if b.isDefault()]


def answer(qtbot, dialog: GoodsReceiptDialog, button: QMessageBox.StandardButton) -> str:
    """Answer the question Esc asked; its text."""
    box = dialog.discard_box
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=WAIT)
    text = box.text()
    box.button(button).click()
    return text


def edit_quantity(qtbot, dialog: GoodsReceiptDialog) -> QAbstractSpinBox:
    """The first line's quantity edited in its cell (the cell made current opens it)."""
    dialog.table.setFocus()
    dialog.table.setCurrentCell(0, QTY)
    qtbot.waitUntil(lambda: len(dialog.table.viewport().findChildren(QAbstractSpinBox)) == 1,
                    timeout=WAIT)  # fmt: skip
    (editor,) = dialog.table.viewport().findChildren(QAbstractSpinBox)
    editor.setFocus()
    return editor


# 1. Enter in a field presses no button ----------------------------------------------------
def test_enter_in_the_receipts_fields_keeps_its_lines(qtbot, page):
    dialog = receipts_page(qtbot, page).new_receipt()
    qtbot.waitExposed(dialog)
    scan(qtbot, dialog, "COC-1")
    scan(qtbot, dialog, "DIA-1")
    assert len(dialog.lines) == 2
    dialog.note.setFocus()
    qtbot.keyClicks(dialog.note, "PGH-0412")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # "Remove line" was the default: 2 → 1
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    dialog.supplier.setFocus()
    qtbot.keyClick(dialog.supplier, Qt.Key.Key_Return)
    # Enter in a quantity typed in its cell: the line takes it, nothing else happens.
    editor = edit_quantity(qtbot, dialog)
    editor.selectAll()
    qtbot.keyClicks(editor, "3")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.lines[0].quantity == 3, timeout=WAIT)
    assert [ln.hit.sku for ln in dialog.lines] == ["COC-1", "DIA-1"]
    assert dialog.isVisible() and defaults(dialog) == []
    assert dialog.note.text() == "PGH-0412"
    dialog.done(0)


def test_enter_in_the_orders_note_adds_nothing(qtbot, page, owner_ctx, products):
    # Gốm Minh Long delivered COC-1, low on stock now: "Add what is low on stock" adds it.
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(products["COC-1"], 1, 30_000)],
                                                supplier="Gốm Minh Long"))  # fmt: skip
    assert po.suggested_lines(owner_ctx, "Gốm Minh Long")  # what Enter added
    dialog = orders_page(qtbot, page).new_order(supplier="Gốm Minh Long")
    qtbot.waitExposed(dialog)
    scan(qtbot, dialog, "DIA-1")
    dialog.note.setFocus()
    qtbot.keyClicks(dialog.note, "giao sang thu Hai")
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    qtbot.wait(300)  # the suggestions came from the database worker
    assert [ln.hit.sku for ln in dialog.lines] == ["DIA-1"]
    assert dialog.isVisible() and defaults(dialog) == []
    dialog.done(0)


# 3. Esc asks before the lines are lost ----------------------------------------------------
def test_esc_on_a_receipt_with_lines_asks_first(qtbot, page):
    receipts = receipts_page(qtbot, page)
    empty = receipts.new_receipt()
    qtbot.waitExposed(empty)
    qtbot.keyClick(empty.search, Qt.Key.Key_Escape)  # nothing to lose: closes at once
    assert empty.discard_box is None
    qtbot.waitUntil(lambda: not empty.isVisible(), timeout=WAIT)

    dialog = receipts.new_receipt()
    qtbot.waitExposed(dialog)
    scan(qtbot, dialog, "COC-1")
    scan(qtbot, dialog, "8930000000026")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert answer(qtbot, dialog, NO) == "Discard this receipt's 2 lines?"
    assert dialog.isVisible() and len(dialog.lines) == 2  # still there, to save
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert answer(qtbot, dialog, YES) == "Discard this receipt's 2 lines?"
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)


def test_esc_on_an_order_asks_when_something_would_be_lost(qtbot, page, owner_ctx, products):
    orders = orders_page(qtbot, page)
    dialog = orders.new_order()
    qtbot.waitExposed(dialog)
    dialog.note.setText("gọi trước khi giao")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert answer(qtbot, dialog, NO) == "Discard what you typed on this order?"
    scan(qtbot, dialog, "COC-1")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert answer(qtbot, dialog, YES) == "Discard this order's 1 line?"
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)

    # An order changed: Esc closes at once until something changes, then asks.
    order = po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(products["COC-1"], 12, 30_000)]))  # fmt: skip
    lines = [po.ToReceive(gr.find_variant(owner_ctx, "COC-1"), 12, 30_000)]
    unchanged = PurchaseOrderDialog(owner_ctx, orders, editing=order, lines=lines)
    show_widget(qtbot, unchanged, 980, 620)
    qtbot.keyClick(unchanged.search, Qt.Key.Key_Escape)
    assert unchanged.discard_box is None and not unchanged.isVisible()
    changed = PurchaseOrderDialog(owner_ctx, orders, editing=order, lines=lines)
    show_widget(qtbot, changed, 980, 620)
    scan(qtbot, changed, "COC-1")
    qtbot.keyClick(changed.search, Qt.Key.Key_Escape)
    assert answer(qtbot, changed, NO) == f"Discard your changes to {order.code}?"
    assert changed.isVisible() and changed.lines[0].quantity == 13
    changed.done(0)


# 4. Tab leaves the lists ------------------------------------------------------------------
def test_tab_leaves_the_orders_and_receipts_lists(qtbot, page, owner_ctx, products):
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [
        po.OrderLine(products["COC-1"], 12, 30_000)]))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(products["DIA-1"], 2)]))
    page.window().activateWindow()
    qtbot.waitUntil(page.window().isActiveWindow, timeout=WAIT)
    orders = orders_page(qtbot, page)
    qtbot.waitUntil(lambda: orders.table.rowCount() == 1, timeout=WAIT)
    receipts = receipts_page(qtbot, page)
    qtbot.waitUntil(lambda: receipts.table.rowCount() == 1, timeout=WAIT)
    for table in (receipts.table, receipts.lines_table):
        table.setFocus()
        qtbot.waitUntil(table.hasFocus, timeout=WAIT)
        qtbot.keyClick(table, Qt.Key.Key_Tab)  # it went along the cells, never out
        assert not table.hasFocus()
    page.show_tab(ProductsPage.ORDERS)
    for table in (orders.table, orders.lines_table):
        table.setFocus()
        qtbot.waitUntil(table.hasFocus, timeout=WAIT)
        qtbot.keyClick(table, Qt.Key.Key_Tab)
        assert not table.hasFocus()
        table.setFocus()
        qtbot.keyClick(table, Qt.Key.Key_Backtab)
        assert not table.hasFocus()


def test_tab_in_a_receipts_cell_still_goes_to_the_next_cell(qtbot, page):
    dialog = receipts_page(qtbot, page).new_receipt()
    qtbot.waitExposed(dialog)
    scan(qtbot, dialog, "COC-1")
    qtbot.keyClick(edit_quantity(qtbot, dialog), Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: dialog.table.currentColumn() == QTY + 1, timeout=WAIT)
    dialog.done(0)


# 2. The stock-take's Counted cell ---------------------------------------------------------
@pytest.fixture
def stocktake_page(qtbot, owner_ctx, products) -> StocktakePage:
    widget = show_widget(qtbot, StocktakePage(owner_ctx), 1200, 700)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow, timeout=WAIT)
    with qtbot.waitSignal(widget.sheetLoaded, timeout=WAIT):
        qtbot.mouseClick(widget.load_button, Qt.MouseButton.LeftButton)
    return widget


def type_in_counted(qtbot, page: StocktakePage, sku: str, text: str) -> None:
    """Keys typed with the sheet's Counted cell of `sku` current (a typed key edits it)."""
    row = [r.sku for r in page.model.rows].index(sku)
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(row, COL_COUNTED))
    qtbot.waitUntil(page.view.hasFocus, timeout=WAIT)
    qtbot.keyClicks(page.view, text[0])  # opens the cell's editor with the key
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def counted(page: StocktakePage) -> dict[str, int | None]:
    return {r.sku: n for r, n in zip(page.model.rows, page.model.counted, strict=True)}


def test_a_barcode_scanned_into_a_counted_cell_counts_as_a_scan(qtbot, monkeypatch,
                                                                 stocktake_page):  # fmt: skip
    page = stocktake_page
    beeps: list[bool] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(True)))
    type_in_counted(qtbot, page, "DIA-1", "8930000000019")  # COC-1's barcode
    qtbot.waitUntil(lambda: counted(page)["COC-1"] == 1, timeout=WAIT)
    assert counted(page)["DIA-1"] is None  # not a count of 8,930,000,000,019
    assert page.scan_message.text() == "COC-1 · Cốc sứ Bát Tràng: counted 1"
    qtbot.waitUntil(page.scan_field.hasFocus, timeout=WAIT)  # the next scans go there
    type_in_counted(qtbot, page, "COC-1", "dia-1")  # a SKU is no count either
    qtbot.waitUntil(lambda: counted(page)["DIA-1"] == 1, timeout=WAIT)
    assert counted(page)["COC-1"] == 1 and beeps == []

    # A number no count can be (an unknown barcode) is refused, and said so.
    type_in_counted(qtbot, page, "DIA-1", "8937653246993")
    qtbot.waitUntil(lambda: beeps == [True], timeout=WAIT)
    assert counted(page) == {"COC-1": 1, "DIA-1": 1}
    assert page.scan_message.text() == (
        "“8937653246993” is more than a count can be (at most 1,000,000): type the number "
        "counted, or scan in the scan field.")  # fmt: skip
    assert page.scan_message.objectName() == "errorText"
    assert page.totals().units == -30  # 1 of 2 and 1 of 30: no 1.39e18 đồng
    index = page.model.index(0, COL_COUNTED)
    assert not page.model.setData(index, "1.000.001")
    assert page.model.setData(index, "1.000.000")  # the most apply_stocktake takes
    assert page.model.counted[0] == 1_000_000


# 5. The keys go to the pages' fields ------------------------------------------------------
@pytest.fixture
def window(qtbot, owner_ctx: ServiceContext, settings: Settings, products) -> Iterator[Any]:
    w = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow, timeout=WAIT)
    yield w
    products_page = w.tab_pages["products"].page
    if products_page is not None:
        products_page.shutdown()


def test_ctrl_f_and_a_first_shown_sub_tab_reach_their_fields(qtbot, window):
    page = window.select_tab("products")
    assert isinstance(page, ProductsPage)
    qtbot.waitUntil(lambda: page.list.model.rowCount() == 2, timeout=WAIT)
    window.focus_page(window.tab_pages["products"])
    bar = page.tabs.tabBar()
    for index, name in ((STOCKTAKE_TAB, "scanField"),
                        (ProductsPage.ORDERS, "purchaseOrdersSearch"),
                        (ProductsPage.RECEIPTS, "receiptsSearch")):  # fmt: skip
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        shown = page.tabs.widget(index)
        # First shown: the keys on its field, not on the empty holder it had.
        qtbot.waitUntil(lambda n=name: QApplication.focusWidget() is not None
                        and QApplication.focusWidget().objectName() == n,
                        timeout=WAIT)  # fmt: skip
        field = QApplication.focusWidget()
        assert isinstance(field, QLineEdit) and shown.isAncestorOf(field)
        field.setText("ABC")
        bar.setFocus()  # somewhere else on the page
        qtbot.keyClick(bar, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        assert QApplication.focusWidget() is field and field.selectedText() == "ABC"
        field.clear()
