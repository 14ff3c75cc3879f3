"""The Products tab's Suppliers page driven like a shop owner settling with suppliers: the
list with what each is owed after deliveries paid in part, search (accents ignored), only
those owed money, a new supplier (a name already used refused in the dialog), details
edited, a payment and its cancellation, archive and restore, export; in Vietnamese too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from primedist.domain.enums import PaymentMethod
from primedist.services import goods_receipts as receipts_svc
from primedist.services import suppliers as svc
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.list_tools import alive
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.suppliers import PaymentDialog, SupplierDialog, SuppliersPage
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("no_crash")
SUPPLIERS_TAB = ProductsPage.SUPPLIERS


@pytest.fixture
def deliveries(owner_ctx: ServiceContext) -> int:
    """Two deliveries: Đức Minh's 300.000 paid 100.000 (200.000 owed), Minh Long's paid in
    full. The cup's variant id."""
    create_product(owner_ctx, ProductDraft(
        name="Cốc sứ Bát Tràng", category=None, features=None, description=None,
        option1_name=None, option2_name=None,
        variants=[VariantDraft(sku="COC-1", price=45_000, stock=2)], shop_ids=[], images=[],
    ))  # fmt: skip
    hit = receipts_svc.find_variant(owner_ctx, "COC-1")
    assert hit is not None
    line = receipts_svc.ReceiptLine(hit.variant_id, 10, 30_000)
    receipts_svc.receive_goods(owner_ctx, receipts_svc.ReceiptDraft(
        [line], supplier="Công ty Đức Minh", paid=100_000))  # fmt: skip
    one = receipts_svc.ReceiptLine(hit.variant_id, 1, 50_000)
    receipts_svc.receive_goods(
        owner_ctx, receipts_svc.ReceiptDraft([one], supplier="Gốm Minh Long")
    )
    return hit.variant_id


@pytest.fixture
def products_page(qtbot, owner_ctx, deliveries) -> Iterator[ProductsPage]:
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    yield p
    p.shutdown()


def suppliers_page(qtbot, page: ProductsPage, count: str = "2 suppliers") -> SuppliersPage:
    suppliers = page.show_tab(SUPPLIERS_TAB)
    assert isinstance(suppliers, SuppliersPage) and page.suppliers is suppliers
    qtbot.waitUntil(lambda: suppliers.count.text() == count, timeout=WAIT)
    return suppliers


def texts(table, row: int) -> list[str]:
    return [table.item(row, c).text() for c in range(table.columnCount())]


def select(qtbot, page: SuppliersPage, name: str) -> None:
    """Select the supplier named `name` and wait for its account."""
    row = next(i for i, r in enumerate(page.rows) if r.name == name)
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: page.ledger_id == page.rows[row].id, timeout=WAIT)


def search(qtbot, page: SuppliersPage, text: str) -> None:
    page.search.setText(text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)


@pytest.mark.usefixtures("english")
def test_what_is_owed_after_deliveries_paid_in_part(qtbot, products_page):
    page = suppliers_page(qtbot, products_page)
    assert products_page.tabs.tabText(SUPPLIERS_TAB) == "Suppliers"
    assert page.owed_label.text() == "Owed to suppliers: 200,000 VND"
    assert texts(page.table, 0)[:8] == ["NCC000001", "Công ty Đức Minh", "", "1", "300,000 VND",
                                        "100,000 VND", "", "200,000 VND"]  # fmt: skip
    assert texts(page.table, 1)[7] == "0 VND"
    assert page.table.item(0, 8).text()  # the last delivery
    # The first one selected: its details and account, the newest first.
    qtbot.waitUntil(lambda: page.ledger_table.rowCount() == 2, timeout=WAIT)
    assert page.details_title.text() == "NCC000001 · Công ty Đức Minh"
    assert page.details.text() == "No contact details: Edit… adds them."
    paid, received = texts(page.ledger_table, 0), texts(page.ledger_table, 1)
    assert paid[1:7] == ["PC000001", "Payment (cash) · with PN000001", "", "100,000 VND",
                         "200,000 VND", ""]  # fmt: skip
    assert received[1:6] == ["PN000001", "Goods receipt", "300,000 VND", "", "300,000 VND"]
    # A payment made with a receipt goes with it: not cancelled here.
    page.ledger_table.selectRow(0)
    assert not page.cancel_payment_button.isEnabled()
    assert "cancel the receipt instead" in page.cancel_payment_button.toolTip()
    assert page.edit_button.isEnabled() and page.pay_button.isEnabled()
    assert page.archive_button.text() == "Archive" and page.export_button.isEnabled()


@pytest.mark.usefixtures("english")
def test_search_ignores_accents_and_the_owed_filter(qtbot, products_page):
    page = suppliers_page(qtbot, products_page)
    search(qtbot, page, "duc minh")
    qtbot.waitUntil(lambda: page.count.text() == "1 supplier", timeout=WAIT)
    assert page.rows[0].name == "Công ty Đức Minh"
    search(qtbot, page, "minh")
    qtbot.waitUntil(lambda: page.count.text() == "2 suppliers", timeout=WAIT)
    search(qtbot, page, "khong co")
    qtbot.waitUntil(lambda: page.count.text() == "0 suppliers", timeout=WAIT)
    assert page.details_title.text() == "" and page.ledger_table.rowCount() == 0
    assert not page.pay_button.isEnabled() and not page.export_button.isEnabled()
    search(qtbot, page, "")
    qtbot.waitUntil(lambda: page.count.text() == "2 suppliers", timeout=WAIT)
    page.owing_check.setChecked(True)  # only those the shop still owes
    qtbot.waitUntil(lambda: page.count.text() == "1 supplier", timeout=WAIT)
    assert page.rows[0].name == "Công ty Đức Minh"


@pytest.mark.usefixtures("english")
def test_a_new_supplier_and_a_name_used_already(qtbot, products_page):
    page = suppliers_page(qtbot, products_page)
    search(qtbot, page, "minh long")
    qtbot.waitUntil(lambda: page.count.text() == "1 supplier", timeout=WAIT)
    dialog = page.new_supplier()
    assert isinstance(dialog, SupplierDialog) and dialog.windowTitle() == "New supplier"
    assert not dialog.save_button.isEnabled()  # the name is required
    dialog.name.setText("Nhà phân phối Á Châu")
    dialog.phone.setText("0912 345 678")
    dialog.tax_code.setText("0101234567")
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    # Shown: the search cleared, the new one selected.
    qtbot.waitUntil(lambda: page.count.text() == "3 suppliers", timeout=WAIT)
    assert page.search.text() == "" and page.current().name == "Nhà phân phối Á Châu"
    assert page.current().code == "NCC000003" and page.current().phone == "0912345678"
    assert "Tax code: 0101234567" in page.details.text()
    # The same name again (any case, no accents): refused, said in the dialog, kept open.
    again = page.new_supplier()
    again.name.setText("cong ty duc minh")
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: again.status.isVisible(), timeout=WAIT)
    assert again.status.text() == "There is a supplier named Công ty Đức Minh already (NCC000001)."
    assert again.isVisible() and again.save_button.isEnabled()
    again.email.setText("not an email")
    again.name.setText("Công ty Mới")
    qtbot.mouseClick(again.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is not an email address" in again.status.text(), timeout=WAIT)
    again.reject()


@pytest.mark.usefixtures("english")
def test_edit_a_suppliers_details(qtbot, products_page, owner_ctx):
    page = suppliers_page(qtbot, products_page)
    select(qtbot, page, "Gốm Minh Long")
    dialog = page.edit_supplier()
    assert dialog is not None and dialog.windowTitle() == "Edit supplier NCC000002"
    assert dialog.name.text() == "Gốm Minh Long"
    dialog.name.setText("Gốm sứ Minh Long")
    dialog.email.setText("ban-hang@minhlong.vn")
    dialog.address.setText("Bình Dương")
    dialog.note.setText("Giao thứ Hai")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.details_title.text() == "NCC000002 · Gốm sứ Minh Long",
                    timeout=WAIT)  # fmt: skip
    assert page.details.text() == (
        "Email: ban-hang@minhlong.vn   ·   Address: Bình Dương   ·   Note: Giao thứ Hai"
    )
    assert svc.get_supplier(owner_ctx, page.current().id).email == "ban-hang@minhlong.vn"


@pytest.mark.usefixtures("english")
def test_pay_then_cancel_the_payment(qtbot, products_page):
    page = suppliers_page(qtbot, products_page)
    select(qtbot, page, "Công ty Đức Minh")
    dialog = page.pay()
    assert isinstance(dialog, PaymentDialog)
    assert dialog.windowTitle() == "Pay Công ty Đức Minh (NCC000001)"
    assert dialog.owed.text() == "200,000 VND" and dialog.amount.text() == "200,000"
    assert dialog.after.text() == "Owed after: 0 VND"
    dialog.amount.setText("250,000")  # more than owed: paid in advance
    assert dialog.after.text() == "Owed after: 0 VND (50,000 VND paid in advance)"
    dialog.amount.setText("mười nghìn")
    assert not dialog.save_button.isEnabled() and dialog.status.isVisible()
    dialog.amount.setText("150,000")
    assert dialog.after.text() == "Owed after: 50,000 VND" and dialog.save_button.isEnabled()
    dialog.method.setCurrentIndex(dialog.method.findData(PaymentMethod.BANK_TRANSFER.value))
    dialog.note.setText("CK Vietcombank")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.ledger_table.rowCount() == 3, timeout=WAIT)
    assert page.current().debt == 50_000
    assert page.owed_label.text() == "Owed to suppliers: 50,000 VND"
    assert texts(page.table, 0)[5:8] == ["250,000 VND", "", "50,000 VND"]
    assert texts(page.ledger_table, 0)[1:7] == ["PC000003", "Payment (bank transfer)", "",
                                                "150,000 VND", "50,000 VND",
                                                "CK Vietcombank"]  # fmt: skip
    # Entered by mistake: cancelled with a reason, struck out, owed again.
    page.ledger_table.selectRow(0)
    assert page.cancel_payment_button.isEnabled()
    box = page.ask_cancel_payment()
    assert box is not None and box.windowTitle() == "Cancel PC000003"
    box.setTextValue("Nhập nhầm số tiền")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        box.accept()
    qtbot.waitUntil(lambda: bool(page.ledger) and not page.ledger[0].counts, timeout=WAIT)
    assert page.current().debt == 200_000
    cell = page.ledger_table.item(0, 1)
    assert cell.font().strikeOut() and cell.toolTip().endswith(": Nhập nhầm số tiền")
    note = page.ledger_table.item(0, 6).text()
    assert note.startswith("CK Vietcombank · Cancelled ") and note.endswith(": Nhập nhầm số tiền")
    page.ledger_table.selectRow(0)
    assert not page.cancel_payment_button.isEnabled()


@pytest.mark.usefixtures("english")
def test_a_cancellation_needs_a_reason(qtbot, products_page, owner_ctx):
    page = suppliers_page(qtbot, products_page)
    select(qtbot, page, "Công ty Đức Minh")
    svc.pay_supplier(owner_ctx, page.current().id, 10_000)
    page.refresh()
    qtbot.waitUntil(lambda: page.ledger_table.rowCount() == 3, timeout=WAIT)
    page.cancel_payment(page.ledger[0].record_id, "  ")
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert page.message.text() == "Say why the payment is cancelled."


@pytest.mark.usefixtures("english")
def test_archive_and_restore(qtbot, products_page):
    page = suppliers_page(qtbot, products_page)
    select(qtbot, page, "Gốm Minh Long")
    assert page.archive_button.text() == "Archive"
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.count.text() == "1 supplier", timeout=WAIT)
    page.archived_check.setChecked(True)
    qtbot.waitUntil(lambda: page.count.text() == "1 supplier"
                    and page.rows[0].name == "Gốm Minh Long", timeout=WAIT)  # fmt: skip
    qtbot.waitUntil(lambda: page.archive_button.text() == "Restore", timeout=WAIT)
    assert page.details_title.text() == "NCC000002 · Gốm Minh Long · archived"
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(page.archive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.count.text() == "0 suppliers", timeout=WAIT)
    page.archived_check.setChecked(False)
    qtbot.waitUntil(lambda: page.count.text() == "2 suppliers", timeout=WAIT)


@pytest.mark.usefixtures("english")
def test_export_with_the_filters(qtbot, products_page, tmp_path):
    import openpyxl

    page = suppliers_page(qtbot, products_page)
    page.owing_check.setChecked(True)
    qtbot.waitUntil(lambda: page.count.text() == "1 supplier", timeout=WAIT)
    target = tmp_path / "ncc.xlsx"
    page.export_to(target)
    qtbot.waitUntil(lambda: page.last_export is not None, timeout=WAIT)
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Code", "Supplier")  # the UI's language
    assert len(rows) == 2 and rows[1][:2] == ("NCC000001", "Công ty Đức Minh")
    assert rows[1][7:11] == (300_000, 100_000, 0, 200_000)
    box = next(w for w in page.findChildren(QMessageBox) if w.isVisible())
    assert box.text() == f"1 supplier exported to {target}."
    box.close()


@pytest.mark.usefixtures("english")
def test_a_goods_receipt_saved_refreshes_the_page(qtbot, products_page, owner_ctx, deliveries):
    page = suppliers_page(qtbot, products_page)
    receipts = products_page.show_tab(ProductsPage.RECEIPTS)
    receipts_svc.receive_goods(owner_ctx, receipts_svc.ReceiptDraft(
        [receipts_svc.ReceiptLine(deliveries, 2, 40_000)], supplier="Gốm Minh Long",
        paid=0))  # fmt: skip
    receipts.stockChanged.emit()  # as the receipts page does once a receipt is saved
    qtbot.waitUntil(lambda: page.owed_label.text() == "Owed to suppliers: 280,000 VND",
                    timeout=WAIT)  # fmt: skip


@pytest.mark.usefixtures("vietnamese")
def test_in_vietnamese(qtbot, products_page):
    page = products_page.show_tab(SUPPLIERS_TAB)
    assert isinstance(page, SuppliersPage)
    qtbot.waitUntil(lambda: len(page.rows) == 2 and page.ledger_table.rowCount() == 2,
                    timeout=WAIT)  # fmt: skip
    assert page.table.item(0, 7).text() == "200.000 ₫"
    assert page.owed_label.text().endswith(": 200.000 ₫")
    dialog = page.pay()
    assert dialog is not None and dialog.amount.text() == "200.000"
    dialog.amount.setText("250.000")
    assert "50.000 ₫" in dialog.after.text() and dialog.save_button.isEnabled()
    dialog.reject()
    editor = page.new_supplier()
    assert alive(editor)
    editor.reject()


@pytest.mark.usefixtures("english")
def test_a_delivery_from_the_selected_supplier(qtbot, products_page):
    """New goods receipt on the Suppliers page opens the Goods receipts page with a receipt
    from that supplier, whose field says what it is owed; another name says it is new."""
    from primedist.ui.products.receipts import GoodsReceiptDialog, GoodsReceiptsPage

    page = suppliers_page(qtbot, products_page)
    select(qtbot, page, "Công ty Đức Minh")
    assert page.receive_button.isEnabled() and page.receive_button.text() == "New goods receipt"
    qtbot.mouseClick(page.receive_button, Qt.MouseButton.LeftButton)
    assert products_page.tabs.currentIndex() == ProductsPage.RECEIPTS
    receipts = products_page.receipts
    assert isinstance(receipts, GoodsReceiptsPage)
    dialog = receipts.dialog
    assert isinstance(dialog, GoodsReceiptDialog) and dialog.isVisible()
    assert dialog.supplier.text() == "Công ty Đức Minh"
    qtbot.waitUntil(lambda: dialog.supplier_debt.text() == "Owed now: 200,000 VND", timeout=WAIT)
    dialog.supplier.setText("gom minh long")  # paid in full, typed another way
    qtbot.waitUntil(lambda: dialog.supplier_debt.text() == "Owed now: 0 VND", timeout=WAIT)
    dialog.supplier.setText("Nhựa Song Long")
    qtbot.waitUntil(lambda: dialog.supplier_debt.text()
                    == "New supplier: added when the receipt is saved", timeout=WAIT)  # fmt: skip
    dialog.supplier.setText("  ")
    assert dialog.supplier_debt.text() == ""
    dialog.reject()
    # An archived supplier receives nothing: the button is off for it.
    svc.set_supplier_active(page.ctx, page.current().id, False)
    page.archived_check.setChecked(True)
    qtbot.waitUntil(lambda: page.count.text() == "1 supplier", timeout=WAIT)
    select(qtbot, page, "Công ty Đức Minh")
    assert not page.receive_button.isEnabled()


@pytest.mark.usefixtures("english")
def test_an_opening_debt_entered_by_hand(qtbot, products_page):
    from primedist.ui.products.suppliers import AdjustDialog

    page = suppliers_page(qtbot, products_page)
    select(qtbot, page, "Gốm Minh Long")
    assert page.adjust_button.text() == "Adjust…"
    qtbot.mouseClick(page.adjust_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, AdjustDialog)
    assert dialog.owed.text() == "0 VND" and not dialog.save_button.isEnabled()
    dialog.amount.setText("1,500,000")
    assert dialog.after.text() == "Owed after: 1,500,000 VND"
    assert dialog.status.text() == "Say why the balance changes."
    dialog.direction.setCurrentIndex(1)  # owes less: paid in advance then
    assert dialog.after.text() == "Owed after: 1,500,000 VND in advance"
    dialog.direction.setCurrentIndex(0)
    dialog.reason.setText("Nợ cũ đến 30/11")
    assert dialog.save_button.isEnabled()
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.current() is not None and page.current().debt == 1_500_000,
                    timeout=WAIT)  # fmt: skip
    row = next(i for i, r in enumerate(page.rows) if r.name == "Gốm Minh Long")
    assert texts(page.table, row)[6:8] == ["+1,500,000 VND", "1,500,000 VND"]
    qtbot.waitUntil(lambda: page.ledger_table.rowCount() == 3, timeout=WAIT)
    assert texts(page.ledger_table, 0)[1:6] == ["DC000001", "Balance adjusted", "1,500,000 VND",
                                                "", "1,500,000 VND"]  # fmt: skip


@pytest.mark.usefixtures("english")
def test_import_a_suppliers_file(qtbot, products_page, tmp_path):
    page = suppliers_page(qtbot, products_page)
    good = tmp_path / "ncc.csv"
    good.write_text("name,phone,opening_debt\nNhựa Song Long,0909112233,300000\n"
                    "cong ty duc minh,,50000\n", encoding="utf-8")  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text("name,phone\nGốm Sứ,12ab\n", encoding="utf-8")
    page.import_from(bad)
    qtbot.waitUntil(lambda: "row 2" in page.message.text() or "Row 2" in page.message.text(),
                    timeout=WAIT)  # fmt: skip
    assert "12ab" in page.message.text() and page.count.text() == "2 suppliers"
    page.import_from(good)
    qtbot.waitUntil(lambda: page.count.text() == "3 suppliers", timeout=WAIT)
    assert page.import_box is not None and page.import_box.text() == (
        "2 rows: 1 new, 0 updated, 1 unchanged. Opening debts: 1 (300,000 VND). 1 opening "
        "debts not applied: those suppliers were there already (Adjust… changes what is owed)."
    )
    assert page.message.isHidden()
    assert page.owed_label.text() == "Owed to suppliers: 500,000 VND"
    page.import_box.close()


@pytest.mark.usefixtures("english")
def test_what_the_supplier_delivered(qtbot, products_page):
    page = suppliers_page(qtbot, products_page)
    select(qtbot, page, "Công ty Đức Minh")
    assert [page.lower_tabs.tabText(i) for i in range(2)] == ["Account", "Products supplied"]
    page.lower_tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.products_table.rowCount() == 1, timeout=WAIT)
    assert texts(page.products_table, 0)[:4] == ["COC-1", "Cốc sứ Bát Tràng", "10",
                                                 "30,000 VND"]  # fmt: skip
    select(qtbot, page, "Gốm Minh Long")
    qtbot.waitUntil(lambda: texts(page.products_table, 0)[2:4] == ["1", "50,000 VND"],
                    timeout=WAIT)  # fmt: skip


@pytest.mark.usefixtures("english")
def test_a_return_cancelled_from_the_account(qtbot, products_page, owner_ctx, deliveries):
    from primedist.services import supplier_returns as sr

    receipt = receipts_svc.list_receipts(owner_ctx, "Đức Minh")[0]
    line = receipts_svc.receipt_lines(owner_ctx, receipt.id)[0].id
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(receipt.id, {line: 3}, "Vỡ", refund=30_000))
    page = suppliers_page(qtbot, products_page)
    select(qtbot, page, "Công ty Đức Minh")
    assert page.current().debt == 200_000 - 90_000 + 30_000
    kinds = [e.kind for e in page.ledger]
    assert kinds[:2] == ["refund", "return"]
    page.ledger_table.selectRow(1)  # the return (its refund's row cancels it too)
    assert page.cancel_payment_button.text() == "Cancel return…"
    assert page.cancel_payment_button.isEnabled()
    box = page.ask_cancel_payment()
    assert box is not None and box.windowTitle() == "Cancel TH000001"
    box.setTextValue("Nhập nhầm")
    with qtbot.waitSignal(page.changed, timeout=WAIT):
        box.accept()
    qtbot.waitUntil(lambda: bool(page.ledger) and not page.ledger[0].counts, timeout=WAIT)
    assert page.current().debt == 200_000
    assert [e.counts for e in page.ledger[:2]] == [False, False]
    assert page.ledger_table.item(1, 1).font().strikeOut()
    # The products list follows: the three cups are back in stock.
    listing = products_page.list
    qtbot.waitUntil(lambda: listing.model.rowCount() == 1 and listing.model.data(
        listing.model.index(0, listing.model.col["stock"])) == "13", timeout=WAIT)  # fmt: skip
    page.ledger_table.selectRow(1)
    assert page.cancel_payment_button.text() == "Cancel return…"
    assert not page.cancel_payment_button.isEnabled()  # cancelled already
    page.ledger_table.selectRow(2)  # the delivery's payment: back to payments
    assert page.cancel_payment_button.text() == "Cancel payment…"


@pytest.mark.usefixtures("english")
def test_staff_may_pay_but_not_write_a_debt_off(qtbot, owner_ctx, deliveries):
    from primedist.domain.enums import Module, Role
    from primedist.services.context import Actor

    svc.pay_supplier(owner_ctx, svc.supplier_id_by_name(owner_ctx, "Công ty Đức Minh"), 50_000,
                     PaymentMethod.CASH, "")  # fmt: skip
    staff = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.PRODUCTS}))
    )
    products = show_widget(qtbot, ProductsPage(staff), height=760)
    try:
        page = suppliers_page(qtbot, products)
        select(qtbot, page, "Công ty Đức Minh")
        assert page.pay_button.isEnabled()
        assert not page.adjust_button.isEnabled()
        assert page.adjust_button.toolTip().startswith("Only the owner or a manager")
        row = next(i for i, e in enumerate(page.ledger) if e.kind == "payment" and e.counts
                   and not e.receipt_code)  # fmt: skip
        page.ledger_table.selectRow(row)
        assert not page.cancel_payment_button.isEnabled()
        assert page.cancel_payment_button.toolTip() == (
            "Only the owner or a manager cancels a payment."
        )
    finally:
        products.shutdown()
