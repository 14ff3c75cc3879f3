"""Goods of a receipt sent back to the supplier, driven from the Goods receipts page: part
of two lines back with why and money given back (stock down, the lines show what went
back, the supplier owed less), Return all, a quantity above what can go back refused in
the dialog, a refusal of the service (stock sold since) said in the dialog which stays
open, no return of a cancelled receipt; in Vietnamese too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.domain.base import table_of
from primedist.domain.enums import PaymentMethod
from primedist.domain.product import Variant
from primedist.services import goods_receipts as svc
from primedist.services import suppliers
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.services.stock import stock_out
from primedist.services.supplier_returns import ReturnRow
from primedist.ui.i18n import install_language
from primedist.ui.list_tools import alive
from primedist.ui.products.receipts import GoodsReceiptsPage
from primedist.ui.products.supplier_return import TO_RETURN, SupplierReturnDialog
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
V = table_of(Variant)
RETURNED = 3  # the page's lines table: SKU, Product, Quantity, Returned, …


@pytest.fixture
def delivery(owner_ctx: ServiceContext) -> svc.ReceiptRow:
    """10 cups at 30.000 and 4 shirts at 100.000 from Gốm Minh Long (700.000), 200.000
    paid: 500.000 owed."""

    def add(name: str, variant: VariantDraft) -> None:
        create_product(owner_ctx, ProductDraft(
            name=name, category=None, features=None, description=None, option1_name=None,
            option2_name=None, variants=[variant], shop_ids=[], images=[]))  # fmt: skip

    add("Cốc sứ Bát Tràng", VariantDraft(sku="COC-1", price=45_000, stock=2))
    add("Áo thun trắng", VariantDraft(sku="AO-TRANG-S", price=129_000, stock=0))
    lines = [svc.ReceiptLine(variant(owner_ctx, "COC-1"), 10, 30_000),
             svc.ReceiptLine(variant(owner_ctx, "AO-TRANG-S"), 4, 100_000)]  # fmt: skip
    return svc.receive_goods(owner_ctx, svc.ReceiptDraft(lines, supplier="Gốm Minh Long",
                                                         paid=200_000))  # fmt: skip


@pytest.fixture
def page(qtbot, owner_ctx, delivery) -> Iterator[GoodsReceiptsPage]:
    p = show_widget(qtbot, GoodsReceiptsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.count.text() == "1 receipt", timeout=WAIT)
    qtbot.waitUntil(lambda: p.lines_table.rowCount() == 2, timeout=WAIT)
    yield p


def variant(ctx: ServiceContext, sku: str) -> int:
    hit = svc.find_variant(ctx, sku)
    assert hit is not None
    return hit.variant_id


def stock(ctx: ServiceContext, sku: str) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(V.c.stock).where(V.c.sku == sku)).scalar_one())


def open_dialog(qtbot, page: GoodsReceiptsPage) -> SupplierReturnDialog:
    assert page.return_button.isEnabled()
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    dialog = page.return_dialog
    assert isinstance(dialog, SupplierReturnDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=WAIT)
    return dialog


def test_part_of_two_lines_back_with_money_given_back(qtbot, page, owner_ctx, delivery):
    assert suppliers.get_supplier(owner_ctx, delivery.supplier_id).debt == 500_000
    dialog = open_dialog(qtbot, page)
    assert dialog.windowTitle() == "Return goods of PN000001 to the supplier Gốm Minh Long"
    cells = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
    assert cells == ["COC-1", "Cốc sứ Bát Tràng", "10", "", "30,000 VND", "0"]
    assert not dialog.save_button.isEnabled()
    assert dialog.status.text() == "Type how many of which lines go back (or Return all)."
    dialog.table.item(0, TO_RETURN).setText("3")
    dialog.set_quantity(1, 2)
    assert dialog.value.text() == (
        "Value of the goods going back: 290,000 VND · 290,000 VND comes off what the shop "
        "owes the supplier"
    )
    assert dialog.status.text() == "Say why the goods go back to the supplier."
    assert not dialog.save_button.isEnabled() and not dialog.method.isEnabled()
    dialog.reason.setText("Vỡ khi giao")
    assert dialog.save_button.isEnabled() and dialog.status.isHidden()
    dialog.refund.setText("50,000")
    assert dialog.method.isEnabled()
    dialog.method.setCurrentIndex(dialog.method.findData(PaymentMethod.BANK_TRANSFER.value))
    assert dialog.value.text().endswith("· 240,000 VND comes off what the shop owes the supplier")
    got: list[ReturnRow] = []
    dialog.returned.connect(got.append)
    with qtbot.waitSignal(page.stockChanged, timeout=WAIT):  # the products and suppliers follow
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    [row] = got
    assert (row.code, row.units, row.total, row.refund, row.method, row.reason) == (
        "TH000001", 5, 290_000, 50_000, PaymentMethod.BANK_TRANSFER, "Vỡ khi giao")  # fmt: skip
    assert not alive(dialog) or not dialog.isVisible()
    assert stock(owner_ctx, "COC-1") == 9 and stock(owner_ctx, "AO-TRANG-S") == 2
    # 500.000 − 290.000 of goods back + 50.000 given back.
    assert suppliers.get_supplier(owner_ctx, delivery.supplier_id).debt == 260_000
    # The lines show what went back; their title the return.
    qtbot.waitUntil(lambda: bool(page.returns), timeout=WAIT)
    assert [page.lines_table.item(r, RETURNED).text() for r in range(2)] == ["3", "2"]
    qtbot.waitUntil(lambda: page.lines_title.text() == (
        "Lines of PN000001 · 1 return (TH000001): 290,000 VND back, 50,000 VND of it refunded"
        " · 260,000 VND unpaid at delivery · Owed to the supplier now: 260,000 VND"
    ), timeout=WAIT)  # fmt: skip
    assert page.status.text() == "TH000001 recorded: 290,000 VND back to the supplier"
    # Again: what went back already is shown and counted.
    dialog = open_dialog(qtbot, page)
    assert dialog.table.item(0, 3).text() == "3"
    dialog.set_quantity(0, 8)
    assert dialog.status.text() == "COC-1: at most 7 can go back (10 came in, 3 went back already)."


def test_return_all(qtbot, page, owner_ctx, delivery):
    dialog = open_dialog(qtbot, page)
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    assert [dialog.table.item(r, TO_RETURN).text() for r in range(2)] == ["10", "4"]
    assert dialog.value.text().startswith("Value of the goods going back: 700,000 VND")
    dialog.reason.setText("Hàng lỗi cả lô")
    with qtbot.waitSignal(dialog.returned, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert stock(owner_ctx, "COC-1") == 2 and stock(owner_ctx, "AO-TRANG-S") == 0
    assert suppliers.get_supplier(owner_ctx, delivery.supplier_id).debt == -200_000
    qtbot.waitUntil(lambda: bool(page.returns), timeout=WAIT)
    # Nothing is left to go back: the cells are greyed and cannot be edited.
    dialog = open_dialog(qtbot, page)
    cell = dialog.table.item(0, TO_RETURN)
    assert not cell.flags() & Qt.ItemFlag.ItemIsEditable
    assert not cell.flags() & Qt.ItemFlag.ItemIsEnabled
    assert not dialog.all_button.isEnabled() and not dialog.save_button.isEnabled()


def test_what_cannot_go_back_blocks_save(qtbot, page):
    dialog = open_dialog(qtbot, page)
    dialog.reason.setText("Sai cỡ")
    dialog.set_quantity(1, 5)
    assert dialog.status.text() == (
        "AO-TRANG-S: at most 4 can go back (4 came in, 0 went back already)."
    )
    assert dialog.status.isVisible() and not dialog.save_button.isEnabled()
    dialog.save()  # refused before the service is asked
    assert dialog.isVisible()
    dialog.set_quantity(1, "hai")
    assert dialog.status.text() == "AO-TRANG-S: type how many go back as a whole number, e.g. 2."
    assert not dialog.save_button.isEnabled()
    dialog.set_quantity(1, "2")
    assert dialog.save_button.isEnabled()
    dialog.refund.setText("250,000")  # more than the 200.000 going back
    assert dialog.status.text() == (
        "The money given back must be 0 to the value of the goods going back (200,000 VND)."
    )
    dialog.refund.setText("nhiều")
    assert dialog.status.text().startswith("Type the money given back as an amount of money")
    dialog.refund.setText("")
    dialog.reason.setText("  ")
    assert dialog.status.text() == "Say why the goods go back to the supplier."
    assert not dialog.save_button.isEnabled()


def test_a_refusal_is_said_in_the_dialog(qtbot, page, owner_ctx):
    dialog = open_dialog(qtbot, page)
    stock_out(owner_ctx, variant(owner_ctx, "AO-TRANG-S"), 3, reason="Bán")  # sold since
    dialog.return_all()
    dialog.reason.setText("Hàng lỗi")
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "available" in dialog.status.text(), timeout=WAIT)
    assert dialog.status.text() == (
        "SKU AO-TRANG-S has 1 available (on hand less those held for orders): 4 cannot go back."
    )
    assert dialog.isVisible() and dialog.status.isVisible() and dialog.save_button.isEnabled()
    assert stock(owner_ctx, "COC-1") == 12  # nothing went back
    dialog.set_quantity(1, 1)  # what is left of it
    with qtbot.waitSignal(dialog.returned, timeout=WAIT) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert done.args[0].units == 11
    assert stock(owner_ctx, "COC-1") == 2 and stock(owner_ctx, "AO-TRANG-S") == 0


def test_no_return_of_a_cancelled_receipt(qtbot, page, owner_ctx):
    cup = variant(owner_ctx, "COC-1")
    second = svc.receive_goods(owner_ctx, svc.ReceiptDraft([svc.ReceiptLine(cup, 1)]))
    svc.cancel_receipt(owner_ctx, second.id, "Nhập nhầm")
    page.refresh()
    qtbot.waitUntil(lambda: page.count.text() == "2 receipts", timeout=WAIT)
    assert page.current().code == "PN000002" and page.current().cancelled_at is not None
    assert not page.return_button.isEnabled()
    assert page.return_goods() is None
    page.table.selectRow(1)
    assert page.return_button.isEnabled()


def test_in_vietnamese(qtbot, page):
    install_language("vi")
    dialog = open_dialog(qtbot, page)
    assert "PN000001" in dialog.windowTitle()
    dialog.return_all()
    dialog.reason.setText("Hàng lỗi")
    dialog.refund.setText("100.000")
    assert dialog.refund_value() == 100_000
    assert dialog.value.text().count("₫") == 2 and dialog.save_button.isEnabled()
    dialog.retranslate()  # typed quantities stay
    assert dialog.table.item(0, TO_RETURN).text() == "10"
    dialog.reject()


def test_print_the_return_from_the_print_menu(qtbot, page, owner_ctx, tmp_path):
    from tests.printing.support import has_phrase, pdf_text

    assert page.return_actions == []  # no return yet: only the receipt's own entries
    dialog = open_dialog(qtbot, page)
    dialog.set_quantity(0, 2)
    dialog.reason.setText("Vỡ")
    with qtbot.waitSignal(dialog.returned, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.return_actions) == 2, timeout=WAIT)  # separator + one
    action = page.return_actions[1]
    assert action.text() == "Print the return TH000001 (goods sent back)"
    assert action in page.print_menu.actions()
    out = tmp_path / "th.pdf"
    page.print_return(page.returns[0].id, pdf=out)
    qtbot.waitUntil(lambda: page.status.text() == f"Printed to {out}", timeout=WAIT)
    assert has_phrase(pdf_text(out), "GOODS RETURNED TO THE SUPPLIER TH000001")


def test_the_menu_entry_prints_on_the_invoices_printer(qtbot, page, monkeypatch):
    """Triggering the entry prints that return (never into a PDF named by the signal's
    argument)."""
    printed: list[tuple[int, object]] = []
    monkeypatch.setattr(page, "print_return", lambda rid, pdf=None: printed.append((rid, pdf)))
    dialog = open_dialog(qtbot, page)
    dialog.set_quantity(0, 1)
    dialog.reason.setText("Vỡ")
    with qtbot.waitSignal(dialog.returned, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(page.return_actions) == 2, timeout=WAIT)
    page.return_actions[1].trigger()
    assert printed == [(page.returns[0].id, None)]


def test_a_return_entered_by_mistake_is_cancelled_from_the_cancel_menu(qtbot, page, owner_ctx,
                                                                       delivery):  # fmt: skip
    from primedist.services import supplier_returns as sr

    cup = svc.receipt_lines(owner_ctx, delivery.id)[0].id
    sr.return_to_supplier(owner_ctx, sr.ReturnDraft(delivery.id, {cup: 4}, "Vỡ"))
    page.refresh()
    qtbot.waitUntil(lambda: bool(page.returns), timeout=WAIT)
    menu = [a.text() for a in page.cancel_menu.actions() if not a.isSeparator()]
    assert menu == ["Cancel the receipt (cancel its returns first)…",
                    "Cancel the return TH000001 (120,000 VND back)…"]  # fmt: skip
    assert page.cancel_button.isEnabled() and not page.cancel_receipt_action.isEnabled()
    assert page.ask_cancel() is None  # the receipt itself: its returns first, said why
    assert page.message.text() == (
        "Goods of PN000001 went back to the supplier: cancel its returns first (Cancel ▾)."
    )
    page.cancel_return_actions[-1].trigger()
    box = page.cancel_box
    assert box.windowTitle() == "Cancel TH000001" and box.isVisible()
    with qtbot.waitSignal(page.stockChanged, timeout=WAIT):
        box.textValueSelected.emit("Nhập nhầm")
    assert stock(owner_ctx, "COC-1") == 12
    assert suppliers.get_supplier(owner_ctx, delivery.supplier_id).debt == 500_000
    assert page.status.text() == "TH000001 cancelled: its goods are back in stock"
    qtbot.waitUntil(lambda: bool(page.returns) and page.returns[0].cancelled_at is not None,
                    timeout=WAIT)  # fmt: skip
    # Nothing counts as returned any more; the receipt can be cancelled now.
    assert page.lines_table.item(0, RETURNED).text() == ""
    assert page.lines_title.text() == (
        "Lines of PN000001 · 500,000 VND unpaid at delivery · Owed to the supplier now: "
        "500,000 VND")  # fmt: skip
    assert [a.text() for a in page.cancel_menu.actions()] == ["Cancel the receipt…"]
    assert page.cancel_receipt_action.isEnabled()


def test_cancelling_a_return_refused_is_said_above_the_list(qtbot, page, owner_ctx, delivery):
    from primedist.services import supplier_returns as sr

    cup = svc.receipt_lines(owner_ctx, delivery.id)[0].id
    back = sr.return_to_supplier(owner_ctx, sr.ReturnDraft(delivery.id, {cup: 4}, "Vỡ"))
    page.refresh()
    qtbot.waitUntil(lambda: bool(page.returns), timeout=WAIT)
    sr.cancel_return(owner_ctx, back.id, "ở máy khác")  # meanwhile, elsewhere
    page.cancel_return(page.returns[0], "Nhập nhầm")
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert page.message.text() == "TH000001 was cancelled already."
    assert stock(owner_ctx, "COC-1") == 12
