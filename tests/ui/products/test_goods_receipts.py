"""Goods receipts driven like a shop owner taking in a delivery: the Products tab's Goods
receipts page, a new receipt filled by scanning (a scanner types the code and Enter) and
searching, quantities and costs typed, a bad cost refused, Save with Ctrl+S, the stock
changed, the list and its lines, labels of what came in; in Vietnamese too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services import goods_receipts as svc
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.products.labels import LabelsDialog
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.receipts import COST, QTY, GoodsReceiptDialog, GoodsReceiptsPage
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
V = table_of(Variant)


@pytest.fixture
def products(owner_ctx: ServiceContext) -> dict[str, int]:
    def add(name: str, variants: list[VariantDraft]) -> int:
        return create_product(owner_ctx, ProductDraft(
            name=name, category=None, features=None, description=None,
            option1_name="Size" if len(variants) > 1 else None, option2_name=None,
            variants=variants, shop_ids=[], images=[]))  # fmt: skip

    shirt = add("Áo thun trắng", [
        VariantDraft(sku="AO-TRANG-S", barcode="8934567890120", option1="S", price=29_000,
                     stock=10),
        VariantDraft(sku="AO-TRANG-M", option1="M", price=49_000, stock=4),
    ])  # fmt: skip
    cup = add("Cốc sứ Bát Tràng", [VariantDraft(sku="COC-1", price=45_000, stock=2)])
    return {"shirt": shirt, "cup": cup}


@pytest.fixture
def page(qtbot, owner_ctx, products) -> Iterator[ProductsPage]:
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 2, timeout=WAIT)
    yield p
    p.shutdown()


def stock(ctx: ServiceContext, sku: str) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(V.c.stock).where(V.c.sku == sku)).scalar_one())


def scan(qtbot, dialog: GoodsReceiptDialog, code: str) -> None:
    dialog.search.setText(code)  # a scanner types the code…
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # …and Enter


def receipts_page(qtbot, page: ProductsPage) -> GoodsReceiptsPage:
    page.show_tab(ProductsPage.RECEIPTS)
    receipts = page.receipts
    assert isinstance(receipts, GoodsReceiptsPage)
    qtbot.waitUntil(lambda: receipts.count.text().endswith("receipts"), timeout=WAIT)
    return receipts


def test_a_scan_after_an_unknown_code_replaces_it(qtbot, page, owner_ctx, products):
    """The scanner types after what is in the field: an unknown code must not stay there
    unselected, or every later scan fails."""
    dialog = receipts_page(qtbot, page).new_receipt()
    qtbot.keyClicks(dialog.search, "8931234567896")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.popup.item(0).text() == "No product matches “8931234567896”"
    qtbot.keyClicks(dialog.search, "8934567890120")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert [(ln.hit.sku, ln.quantity) for ln in dialog.lines] == [("AO-TRANG-S", 1)]


def test_a_delivery_scanned_and_saved(qtbot, page, owner_ctx, products):
    receipts = receipts_page(qtbot, page)
    assert page.tabs.tabText(ProductsPage.RECEIPTS) == "Goods receipts"
    assert not receipts.labels_button.isEnabled()
    dialog = receipts.new_receipt()
    assert not dialog.save_button.isEnabled() and dialog.problem.isHidden()
    dialog.supplier.setText("Công ty Đức Minh")
    scan(qtbot, dialog, "8934567890120")
    scan(qtbot, dialog, "8934567890120")  # the same item again: +1 on its line
    scan(qtbot, dialog, "coc-1")  # a SKU, any case
    assert [(ln.hit.sku, ln.quantity) for ln in dialog.lines] == [("AO-TRANG-S", 2), ("COC-1", 1)]
    # A name: the matches drop down; Enter takes the first.
    dialog.search.setText("ao thun trang")
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert dialog.popup.isVisible() and dialog.popup.count() == 2
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert [ln.hit.sku for ln in dialog.lines] == ["AO-TRANG-S", "COC-1", "AO-TRANG-M"]
    dialog.table.item(2, QTY).setData(Qt.ItemDataRole.EditRole, 12)
    dialog.table.item(0, COST).setText("95.000")
    dialog.table.item(1, COST).setText("mười nghìn")
    assert dialog.problem_text() == "Line 2: type the unit cost as an amount of money, e.g. 45.000."
    assert not dialog.save_button.isEnabled() and dialog.problem.isVisible()
    dialog.table.item(1, COST).setText("30000")
    assert dialog.table.item(1, COST).text() == "30,000 VND"  # as the amount beside it
    assert dialog.totals.text() == "3 lines · 15 units · cost 220,000 VND"
    dialog.method.setCurrentIndex(dialog.method.findData("bank_transfer"))  # asked, not assumed
    dialog.windowHandle().requestActivate()  # shortcuts work in the active window
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT)
    with qtbot.waitSignal(dialog.received, timeout=WAIT) as done:
        qtbot.keyClick(dialog.search, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    row, quantities = done.args
    assert (row.code, row.supplier, row.lines, row.units, row.total_cost) == (
        "PN000001",
        "Công ty Đức Minh",
        3,
        15,
        220_000,
    )
    assert stock(owner_ctx, "AO-TRANG-S") == 12 and stock(owner_ctx, "AO-TRANG-M") == 16
    assert len(quantities) == 3
    # The list shows it with its lines; the products list was refreshed.
    qtbot.waitUntil(lambda: receipts.count.text() == "1 receipt", timeout=WAIT)
    qtbot.waitUntil(lambda: receipts.lines_table.rowCount() == 3, timeout=WAIT)
    assert receipts.table.item(0, 0).text() == "PN000001"
    assert receipts.lines_table.item(2, 1).text() == "Áo thun trắng — M"
    assert receipts.lines_table.item(0, 5).text() == "190,000 VND"


def test_search_and_labels_of_a_receipt(qtbot, page, owner_ctx, products):
    shirt_s = svc.find_variant(owner_ctx, "AO-TRANG-S").variant_id
    cup = svc.find_variant(owner_ctx, "COC-1").variant_id
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 3)], supplier="Gốm Sứ"))
    lines = [svc.ReceiptLine(shirt_s, 5), svc.ReceiptLine(cup, 2)]
    svc.receive_goods(owner_ctx, svc.ReceiptDraft(lines, note="đổi hàng"))
    page.show_tab(ProductsPage.RECEIPTS)
    receipts = page.receipts
    qtbot.waitUntil(lambda: receipts.count.text() == "2 receipts", timeout=WAIT)
    receipts.search.setText("gom su")
    qtbot.keyClick(receipts.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: receipts.count.text() == "1 receipt", timeout=WAIT)
    assert receipts.table.item(0, 2).text() == "Gốm Sứ"
    receipts.search.clear()  # cleared: every receipt again
    qtbot.waitUntil(lambda: receipts.count.text() == "2 receipts", timeout=WAIT)
    qtbot.waitUntil(lambda: receipts.lines_table.rowCount() == 2, timeout=WAIT)
    assert receipts.lines_title.text() == "Lines of PN000002 · đổi hàng"
    qtbot.mouseClick(receipts.labels_button, Qt.MouseButton.LeftButton)
    labels = page.last_dialog
    assert isinstance(labels, LabelsDialog)
    qtbot.waitUntil(lambda: labels.table.rowCount() == 2, timeout=WAIT)
    assert [(i.sku, i.copies) for i in labels.items] == [("AO-TRANG-S", 5), ("COC-1", 2)]


def test_the_supplier_field_offers_earlier_suppliers(qtbot, page, owner_ctx, products):
    cup = svc.find_variant(owner_ctx, "COC-1").variant_id
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 1)],
                                                  supplier="Công ty Đức Minh"))  # fmt: skip
    dialog = receipts_page(qtbot, page).new_receipt()
    qtbot.waitUntil(lambda: dialog.supplier.completer() is not None, timeout=WAIT)
    qtbot.keyClicks(dialog.supplier, "DUC")  # any part of the name, any case or accents
    completer = dialog.supplier.completer()
    qtbot.waitUntil(lambda: completer.popup().isVisible(), timeout=WAIT)
    assert completer.completionModel().index(0, 0).data() == "Công ty Đức Minh"


def test_labels_after_saving(qtbot, page, products):
    receipts = receipts_page(qtbot, page)
    dialog = receipts.new_receipt()
    scan(qtbot, dialog, "COC-1")
    dialog.table.item(0, QTY).setData(Qt.ItemDataRole.EditRole, 4)
    dialog.labels_check.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, LabelsDialog), timeout=WAIT)
    labels = page.last_dialog
    qtbot.waitUntil(lambda: labels.table.rowCount() == 1, timeout=WAIT)
    assert [(i.sku, i.copies) for i in labels.items] == [("COC-1", 4)]


def test_keyboard_only(qtbot, page, products):
    """With the search field empty: + and − step the selected line, ↑/↓ move, Delete
    removes; the focus stays in the field for the next scan."""
    dialog = receipts_page(qtbot, page).new_receipt()
    scan(qtbot, dialog, "COC-1")
    scan(qtbot, dialog, "AO-TRANG-M")
    field = dialog.search
    qtbot.keyClicks(field, "+")
    qtbot.keyClicks(field, "+")
    assert [ln.quantity for ln in dialog.lines] == [1, 3]  # the line scanned last
    qtbot.keyClick(field, Qt.Key.Key_Up)
    qtbot.keyClicks(field, "-")  # never below 1
    assert [ln.quantity for ln in dialog.lines] == [1, 3]
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    assert [ln.hit.sku for ln in dialog.lines] == ["AO-TRANG-M"]
    assert field.text() == ""


def test_an_unknown_code_and_removing_a_line(qtbot, page, products):
    dialog = receipts_page(qtbot, page).new_receipt()
    scan(qtbot, dialog, "KHONG-CO")
    assert (
        dialog.popup.isVisible() and dialog.popup.item(0).text() == "No product matches “KHONG-CO”"
    )
    assert dialog.lines == []
    scan(qtbot, dialog, "COC-1")
    dialog.table.selectRow(0)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.lines == [] and not dialog.save_button.isEnabled()


def test_in_vietnamese(qtbot, page, products):
    install_language("vi")
    page.show_tab(ProductsPage.RECEIPTS)
    receipts = page.receipts
    qtbot.waitUntil(lambda: receipts.count.text() == "0 phiếu", timeout=WAIT)
    qtbot.waitUntil(lambda: page.tabs.tabText(ProductsPage.RECEIPTS) == "Nhập hàng", timeout=WAIT)
    dialog = receipts.new_receipt()
    assert dialog.windowTitle() == "Phiếu nhập hàng mới"
    scan(qtbot, dialog, "COC-1")
    assert dialog.totals.text() == "1 dòng · 1 sản phẩm · giá nhập 0 ₫"


def test_lines_imported_from_a_delivery_list(qtbot, page, products, tmp_path):
    dialog = receipts_page(qtbot, page).new_receipt()
    scan(qtbot, dialog, "COC-1")
    dialog.set_cost(0, "30000")  # the list's cost (another is refused: test_purchasing_fixes_ui)
    path = tmp_path / "giao.csv"
    path.write_text("sku,quantity,unit_cost\nCOC-1,5,30000\nAO-TRANG-M,2,\n", encoding="utf-8")
    dialog.import_from(path)
    qtbot.waitUntil(lambda: len(dialog.lines) == 2, timeout=WAIT)
    # Added to the line there (1 scanned + 5) at its cost; a new line for the other.
    assert [(ln.hit.sku, ln.quantity, ln.unit_cost) for ln in dialog.lines] == [
        ("COC-1", 6, 30_000), ("AO-TRANG-M", 2, None)]  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,quantity\nKHONG-CO,1\n", encoding="utf-8")
    dialog.import_from(bad)
    qtbot.waitUntil(lambda: "KHONG-CO" in dialog.problem.text(), timeout=WAIT)
    assert dialog.problem.isVisible() and len(dialog.lines) == 2
    assert dialog.problem.text() == (
        "row 2, column 'sku': No product has the SKU or barcode KHONG-CO."
    )


def test_export_from_the_page(qtbot, page, owner_ctx, products, tmp_path):
    import openpyxl

    cup = svc.find_variant(owner_ctx, "COC-1").variant_id
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 3, 30_000)]))
    page.show_tab(ProductsPage.RECEIPTS)
    receipts = page.receipts
    qtbot.waitUntil(lambda: receipts.count.text() == "1 receipt", timeout=WAIT)
    assert receipts.export_button.isEnabled()
    target = tmp_path / "nhap.xlsx"
    receipts.export_to(target)
    qtbot.waitUntil(lambda: receipts.last_export is not None, timeout=WAIT)
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][0] == "Receipt" and rows[1][0] == "PN000001"  # the UI's language
    box = next(w for w in receipts.findChildren(QMessageBox) if w.isVisible())
    assert box.text() == f"1 line exported to {target}."
    box.close()


def test_cancel_a_receipt_entered_by_mistake(qtbot, page, owner_ctx, products):
    from primedist.services.stock import stock_out

    cup = svc.find_variant(owner_ctx, "COC-1").variant_id
    shirt = svc.find_variant(owner_ctx, "AO-TRANG-M").variant_id
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(shirt, 2)]))
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 5)]))
    page.show_tab(ProductsPage.RECEIPTS)
    receipts = page.receipts
    qtbot.waitUntil(lambda: receipts.count.text() == "2 receipts", timeout=WAIT)
    assert receipts.current().code == "PN000002" and receipts.cancel_button.isEnabled()
    box = receipts.ask_cancel()
    box.setTextValue("Nhập nhầm")
    box.accept()
    qtbot.waitUntil(lambda: receipts.rows and receipts.rows[0].cancelled_at is not None,
                    timeout=WAIT)  # fmt: skip
    assert stock(owner_ctx, "COC-1") == 2  # the 5 taken back out
    cell = receipts.table.item(0, 0)
    assert cell.font().strikeOut() and cell.toolTip().endswith(": Nhập nhầm")
    assert not receipts.cancel_button.isEnabled()  # the selected one is cancelled
    # The other one's goods were sold since: refused, said above the list.
    stock_out(owner_ctx, shirt, 5, reason="Bán")
    receipts.table.selectRow(1)
    assert receipts.cancel_button.isEnabled()
    receipts.cancel(receipts.current().id, "Nhầm")
    qtbot.waitUntil(lambda: receipts.message.isVisible(), timeout=WAIT)
    assert "SKU AO-TRANG-M has 1 on hand, fewer than the 2" in receipts.message.text()


def test_homes_feed_tells_of_the_delivery(qtbot, owner_ctx, products, vietnamese):
    from primedist.services import reports
    from primedist.ui.home.activity_text import describe

    cup = svc.find_variant(owner_ctx, "COC-1").variant_id
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 1_200)],
                                                  supplier="Gốm Minh Long"))  # fmt: skip
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 2)]))
    second, first = [e for e in reports.events(owner_ctx) if e.kind == "info"][:2]
    assert first.message == "Goods received from Gốm Minh Long: PN000001, 1 SKU(s), 1,200 unit(s)"
    assert describe(first, "vi") == "Nhập hàng từ Gốm Minh Long: PN000001, 1 mã, 1.200 sản phẩm"
    assert describe(second, "vi") == "Nhập hàng: PN000002, 1 mã, 2 sản phẩm"


def test_print_the_selected_receipt_to_pdf(qtbot, page, owner_ctx, products, tmp_path):
    from tests.printing.support import has_phrase, pdf_text

    cup = svc.find_variant(owner_ctx, "COC-1").variant_id
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 3, 30_000)]))
    page.show_tab(ProductsPage.RECEIPTS)
    receipts = page.receipts
    qtbot.waitUntil(lambda: receipts.print_button.isEnabled(), timeout=WAIT)
    assert [a.text() for a in receipts.print_button.menu().actions()] == [
        "Print the goods receipt", "Save as PDF…"]  # fmt: skip
    out = tmp_path / "PN000001.pdf"
    receipts.print_receipt(out)
    qtbot.waitUntil(lambda: receipts.status.text().startswith("Printed to"), timeout=WAIT)
    assert receipts.status.text() == f"Printed to {out}"
    assert has_phrase(pdf_text(out), "GOODS RECEIPT PN000001")  # the UI's language


def test_paid_in_part_leaves_the_rest_owed(qtbot, page, owner_ctx, products):
    from primedist.domain.enums import PaymentMethod
    from primedist.services import suppliers

    receipts = receipts_page(qtbot, page)
    dialog = receipts.new_receipt()
    scan(qtbot, dialog, "COC-1")
    dialog.table.item(0, QTY).setData(Qt.ItemDataRole.EditRole, 10)
    dialog.table.item(0, COST).setText("30000")
    # Without a supplier nothing is paid (to no one's account): the field waits for one.
    assert dialog.paid.text() == "0" and not dialog.paid.isEnabled()
    assert dialog.owed.text() == "" and dialog.draft().paid is None
    dialog.supplier.setText("Công ty Đức Minh")
    # The amount paid follows the cost until it is typed.
    assert dialog.paid.isEnabled()
    assert dialog.paid.text() == "300,000" and dialog.owed.text() == ""
    dialog.table.item(0, QTY).setData(Qt.ItemDataRole.EditRole, 12)
    assert dialog.paid.text() == "360,000"
    dialog.set_paid("100,000")
    assert dialog.owed.text() == "Owed: 260,000 VND"
    assert dialog.problem_text() == "" and dialog.save_button.isEnabled()
    dialog.table.item(0, QTY).setData(Qt.ItemDataRole.EditRole, 10)  # typed: it stays
    assert dialog.paid.text() == "100,000" and dialog.owed.text() == "Owed: 200,000 VND"
    dialog.method.setCurrentIndex(dialog.method.findData(PaymentMethod.BANK_TRANSFER.value))
    assert dialog.draft().paid == 100_000
    assert dialog.draft().method == PaymentMethod.BANK_TRANSFER
    with qtbot.waitSignal(dialog.received, timeout=WAIT) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row, _quantities = done.args
    assert (row.total_cost, row.paid, row.owed) == (300_000, 100_000, 200_000)
    [supplier] = suppliers.list_suppliers(owner_ctx)
    assert (supplier.name, supplier.debt) == ("Công ty Đức Minh", 200_000)
    assert suppliers.supplier_ledger(owner_ctx, supplier.id)[0].method == (
        PaymentMethod.BANK_TRANSFER
    )
    # The list shows what was paid; what was left unpaid on hover and over the lines,
    # with what the supplier is owed now.
    qtbot.waitUntil(lambda: receipts.count.text() == "1 receipt", timeout=WAIT)
    paid = receipts.table.item(0, receipts.COLUMNS.index("paid"))
    assert paid.text() == "100,000 VND" and paid.toolTip() == "200,000 VND unpaid at delivery"
    qtbot.waitUntil(lambda: receipts.lines_title.text() == (
        "Lines of PN000001 · 200,000 VND unpaid at delivery · Owed to the supplier now: "
        "200,000 VND"), timeout=WAIT)  # fmt: skip
    # On a narrow window the line wraps: the debt's amount is never cut off.
    title = receipts.lines_title
    title.setFixedWidth(title.fontMetrics().horizontalAdvance(title.text()) // 2)
    qtbot.waitUntil(lambda: title.height() >= title.heightForWidth(title.width()), timeout=WAIT)
    assert title.heightForWidth(title.width()) > title.fontMetrics().height()  # two lines
    title.setMinimumWidth(0)
    title.setMaximumWidth(16777215)
    # Paid off later on the supplier's account: the receipt does not claim it is still
    # owed (it said "200,000 VND owed to the supplier" with nothing owed).
    suppliers.pay_supplier(owner_ctx, supplier.id, 250_000)
    receipts.refresh()
    qtbot.waitUntil(lambda: receipts.lines_title.text() == (
        "Lines of PN000001 · 200,000 VND unpaid at delivery · Paid to the supplier in "
        "advance now: 50,000 VND"), timeout=WAIT)  # fmt: skip
    paid = receipts.table.item(0, receipts.COLUMNS.index("paid"))
    assert paid.toolTip() == "200,000 VND unpaid at delivery"


def test_a_paid_amount_above_the_cost_blocks_save(qtbot, page, products):
    dialog = receipts_page(qtbot, page).new_receipt()
    dialog.supplier.setText("Gốm Sứ")
    scan(qtbot, dialog, "COC-1")
    dialog.table.item(0, COST).setText("45000")
    assert dialog.save_button.isEnabled()
    dialog.set_paid("50,000")
    assert dialog.problem_text() == (
        "The amount paid to the supplier must be 0 to the receipt's cost (45,000 VND)."
    )
    assert not dialog.save_button.isEnabled() and dialog.problem.isVisible()
    dialog.set_paid("-5")
    assert not dialog.save_button.isEnabled()
    dialog.set_paid("năm chục")
    assert dialog.problem_text().startswith("Type the amount paid to the supplier")
    dialog.set_paid("")  # nothing paid: all of it owed
    assert dialog.save_button.isEnabled() and dialog.owed.text() == "Owed: 45,000 VND"
    assert dialog.draft().paid == 0
    assert not dialog.method.isEnabled()


def test_a_receipt_without_a_supplier_shows_no_debt(qtbot, page, owner_ctx, products):
    cup = svc.find_variant(owner_ctx, "COC-1").variant_id
    svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 3, 30_000)]))
    receipts = receipts_page(qtbot, page)
    qtbot.waitUntil(lambda: receipts.count.text() == "1 receipt", timeout=WAIT)
    qtbot.waitUntil(lambda: receipts.lines_table.rowCount() == 1, timeout=WAIT)
    assert receipts.table.item(0, receipts.COLUMNS.index("paid")).text() == ""
    assert receipts.lines_title.text() == "Lines of PN000001"


def test_the_supplier_field_says_who_a_code_or_a_name_is(qtbot, owner_ctx, products):
    """The hint by the supplier's field agrees with what Save does: a code names its
    supplier (its name and debt shown), an archived supplier is refused until restored, a
    code no supplier has is refused, only a new name is a new supplier; the purchase
    order's dialog says the same."""
    from primedist.errors import ValidationError
    from primedist.services import suppliers as sup
    from primedist.ui.products.purchase_orders import PurchaseOrderDialog

    minh = sup.create_supplier(owner_ctx, sup.SupplierDraft("Công ty Đức Minh"))
    sup.adjust_balance(owner_ctx, minh.id, 200_000, "Nợ từ trước")
    old = sup.create_supplier(owner_ctx, sup.SupplierDraft("Công ty Cũ"))
    sup.set_supplier_active(owner_ctx, old.id, False)
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx))

    def says(typed: str, hint: str) -> None:
        dialog.supplier.setText(typed)
        qtbot.waitUntil(lambda: dialog.supplier_debt.text() == hint, timeout=WAIT)

    says("NCC000001", "Công ty Đức Minh · Owed now: 200,000 VND")
    says("ncc000001", "Công ty Đức Minh · Owed now: 200,000 VND")
    says("cong ty duc minh", "Owed now: 200,000 VND")
    says("Công ty Cũ", "Công ty Cũ (NCC000002) is archived: restore it on the Suppliers page "
                       "first")  # fmt: skip
    says("NCC000002", "Công ty Cũ (NCC000002) is archived: restore it on the Suppliers page "
                      "first")  # fmt: skip
    says("NCC999999", "There is no supplier NCC999999")
    says("Nhựa Song Long", "New supplier: added when the receipt is saved")
    says("  ", "")

    hit = svc.find_variant(owner_ctx, "COC-1")
    assert hit is not None
    for refused in ("Công ty Cũ", "NCC999999"):  # Save refuses what the hint warns of
        with pytest.raises(ValidationError):
            svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(hit.variant_id, 1)],
                                                          supplier=refused))  # fmt: skip

    order = show_widget(qtbot, PurchaseOrderDialog(owner_ctx, supplier="NCC000001"))
    qtbot.waitUntil(lambda: order.supplier_debt.text()
                    == "Công ty Đức Minh · Owed now: 200,000 VND", timeout=WAIT)  # fmt: skip
    order.supplier.setText("NCC999999")
    qtbot.waitUntil(lambda: order.supplier_debt.text() == "There is no supplier NCC999999",
                    timeout=WAIT)  # fmt: skip
