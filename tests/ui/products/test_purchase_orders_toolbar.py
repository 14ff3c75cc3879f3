"""Purchase orders at 1280 px, in English and Vietnamese: the search and the state filter
keep their room (they were cut to "Search b…" and "Open (awaiting go" while "DHN000003
saved" took the row), the message goes on a line of its own; the box asking why an order
is closed shows its whole title; a receipt against an order says what to do with a line
that did not come (a quantity of 0 is refused); the receipts' search finds a supplier's
code."""

from __future__ import annotations

import pytest

from primedist.services import goods_receipts as gr
from primedist.services import purchase_orders as po
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.products.purchase_orders import PurchaseOrdersPage
from primedist.ui.products.receipts import SEARCH_MIN_WIDTH, GoodsReceiptDialog
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


@pytest.fixture
def order(owner_ctx: ServiceContext) -> po.OrderRow:
    create_product(owner_ctx, ProductDraft(name="Cốc sứ Bát Tràng", variants=[
        VariantDraft(sku="COC-1", price=45_000, stock=0)]))  # fmt: skip
    cup = gr.find_variant(owner_ctx, "COC-1").variant_id
    return po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long",
                                                    [po.OrderLine(cup, 10, 30_000)]))  # fmt: skip


def roomy(qtbot, page: PurchaseOrdersPage) -> None:
    qtbot.wait(10)
    assert page.minimumSizeHint().width() <= 1280
    assert page.search.width() >= SEARCH_MIN_WIDTH
    assert page.state.width() >= page.state.sizeHint().width()
    assert page.status.isVisible()
    assert page.status.geometry().top() > page.search.geometry().bottom()
    for button in (page.new_button, page.receive_button, page.cancel_button):
        assert button.width() >= button.sizeHint().width(), button.text()


def test_the_toolbar_fits_at_1280_in_both_languages(qtbot, owner_ctx, order):
    page = show_widget(qtbot, PurchaseOrdersPage(owner_ctx), width=1280)
    qtbot.waitUntil(lambda: page.count.text() == "1 order", timeout=WAIT)
    page._ordered(page.rows[0])
    assert page.status.text() == "DHN000001 saved"
    roomy(qtbot, page)
    # The English state is the widest: shown whole.
    assert page.state.currentText() == "Open (awaiting goods)"
    install_language("vi")
    qtbot.waitUntil(lambda: page.count.text() != "1 order", timeout=WAIT)
    page._ordered(page.rows[0])
    roomy(qtbot, page)


def test_the_close_box_shows_its_whole_title(qtbot, owner_ctx, order):
    cup = gr.find_variant(owner_ctx, "COC-1").variant_id
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 4)],
                                                purchase_order_id=order.id))  # fmt: skip
    install_language("vi")
    page = show_widget(qtbot, PurchaseOrdersPage(owner_ctx), width=1280)
    qtbot.waitUntil(lambda: page.current() is not None, timeout=WAIT)
    box = page.ask_reason("close")
    assert box is not None and box.windowTitle() == "Kết thúc DHN000001"
    qtbot.waitUntil(box.isVisible, timeout=WAIT)
    # Room for the title and the title bar's icon and buttons.
    assert box.width() >= box.fontMetrics().horizontalAdvance(box.windowTitle()) + 150
    box.reject()


def test_a_receipt_against_an_order_says_to_remove_what_did_not_come(qtbot, owner_ctx, order):
    got, to_come = po.to_receive(owner_ctx, order.id)
    dialog = show_widget(qtbot, GoodsReceiptDialog(owner_ctx, order=got, to_come=to_come))
    assert dialog.order_label.text() == (
        "Against purchase order DHN000001: the lines are what is still to come. Lower what "
        "came short; remove a line that did not come at all.")  # fmt: skip
    dialog.set_quantity(0, 0)  # what "lower what did not come" led to: refused
    assert dialog.problem_text() == "Line 1: the quantity must be 1 to 1,000,000."
    dialog.mark_opened()
    dialog.reject()


def test_the_receipts_search_finds_the_suppliers_code(owner_ctx, order):
    cup = gr.find_variant(owner_ctx, "COC-1").variant_id
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 2, 30_000)],
                                                supplier="Gốm Minh Long"))  # fmt: skip
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(cup, 1, 30_000)],
                                                supplier="Sứ Minh Châu"))  # fmt: skip
    # Gốm Minh Long was added with the order: NCC000001; Sứ Minh Châu is NCC000002.
    assert [r.code for r in gr.list_receipts(owner_ctx, "NCC000001")] == ["PN000001"]
    assert [r.code for r in gr.list_receipts(owner_ctx, "ncc000002")] == ["PN000002"]
    assert [r.code for r in gr.list_receipts(owner_ctx, "ncc000002 coc-1")] == ["PN000002"]
    assert gr.list_receipts(owner_ctx, "NCC000003") == []
