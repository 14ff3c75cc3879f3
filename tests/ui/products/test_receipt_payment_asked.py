"""Receiving goods asks how the supplier was paid instead of taking it from the drawer:
no way preselected the first time (Save marks the field and says why), the way chosen
comes preselected next time on this PC, *Not paid yet* leaves it all owed, and cash
beyond what the drawer should hold today is asked about first. Also: "20*" before a code
receives 20, and picking a supplier does not push the scan field down."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import goods_receipts as gr
from primedist.services import orders as orders_svc
from primedist.services import purchase_orders as po
from primedist.services import suppliers
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.products.receipts import NOT_PAID, GoodsReceiptDialog
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


@pytest.fixture
def cup(owner_ctx: ServiceContext) -> int:
    create_product(owner_ctx, ProductDraft(
        name="Cốc sứ Bát Tràng", category=None, features=None, description=None,
        option1_name=None, option2_name=None, shop_ids=[], images=[],
        variants=[VariantDraft(sku="COC-1", price=45_000, stock=2, cost=30_000)]))  # fmt: skip
    hit = gr.find_variant(owner_ctx, "COC-1")
    assert hit is not None
    return hit.variant_id


def new_dialog(
    qtbot: Any, ctx: ServiceContext, supplier: str = "Gốm Minh Long"
) -> GoodsReceiptDialog:
    return show_widget(qtbot, GoodsReceiptDialog(ctx, supplier=supplier), height=620)


def scan(qtbot: Any, dialog: GoodsReceiptDialog, code: str) -> None:
    dialog.search.setText(code)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)


def choose(dialog: GoodsReceiptDialog, data: str) -> None:
    dialog.method.setCurrentIndex(dialog.method.findData(data))


def test_the_way_of_paying_is_asked_then_remembered(qtbot, owner_ctx, cup):
    dialog = new_dialog(qtbot, owner_ctx)
    scan(qtbot, dialog, "COC-1")
    scan(qtbot, dialog, "COC-1")
    # The amount is the whole cost (most shops pay on delivery), but how is not assumed.
    assert dialog.paid.text() == "60,000"
    assert dialog.method.currentIndex() == -1
    assert dialog.method.placeholderText() == "How was it paid?"
    assert [dialog.method.itemText(i) for i in range(dialog.method.count())] == [
        "Cash from the drawer",
        "Bank transfer",
        "Other",
        "Not paid yet (owe it)",
    ]
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    # Not saved: the field marked and the reason said.
    assert dialog.isVisible() and gr.list_receipts(owner_ctx) == []
    assert dialog.method.property("invalid") is True
    assert dialog.problem.isVisible() and dialog.problem.text() == (
        "Choose how the supplier was paid (cash from the drawer, bank transfer…), or Not "
        "paid yet.")  # fmt: skip
    choose(dialog, PaymentMethod.BANK_TRANSFER.value)
    assert not dialog.method.property("invalid") and dialog.problem.isHidden()
    with qtbot.waitSignal(dialog.received, timeout=WAIT) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    row = done.args[0]
    assert (row.total_cost, row.paid) == (60_000, 60_000)
    [ledger] = [
        e for e in suppliers.supplier_ledger(owner_ctx, row.supplier_id) if e.kind == "payment"
    ]
    assert ledger.method == PaymentMethod.BANK_TRANSFER
    # The next delivery, on this PC: the way used last comes preselected.
    again = new_dialog(qtbot, owner_ctx)
    assert again.method.currentData() == PaymentMethod.BANK_TRANSFER.value


def test_not_paid_yet_leaves_it_all_owed(qtbot, owner_ctx, cup):
    dialog = new_dialog(qtbot, owner_ctx)
    scan(qtbot, dialog, "3*COC-1")
    choose(dialog, NOT_PAID)
    assert dialog.paid.text() == "0" and not dialog.paid.isEnabled()
    assert dialog.owed.text() == "Owed: 90,000 VND"
    # Changed the mind: a way of paying puts the whole cost back.
    choose(dialog, PaymentMethod.OTHER.value)
    assert dialog.paid.isEnabled() and dialog.paid.text() == "90,000"
    assert dialog.owed.text() == ""
    choose(dialog, NOT_PAID)
    with qtbot.waitSignal(dialog.received, timeout=WAIT) as done:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # no question
    row = done.args[0]
    assert (row.total_cost, row.paid, row.owed) == (90_000, 0, 90_000)
    [supplier] = suppliers.list_suppliers(owner_ctx)
    assert supplier.debt == 90_000


def test_cash_beyond_the_drawer_is_asked_about_first(qtbot, owner_ctx, cup):
    # Today's one cash sale: 45,000 in the drawer.
    orders_svc.create_order(owner_ctx, orders_svc.OrderDraft(
        lines=(orders_svc.DraftLine(cup, 1),), source=OrderSource.COUNTER,
        payment_method=PaymentMethod.CASH))  # fmt: skip
    # Less than the drawer holds: saved without a question.
    small = new_dialog(qtbot, owner_ctx)
    scan(qtbot, small, "COC-1")
    choose(small, PaymentMethod.CASH.value)
    small.set_paid("10,000")
    with qtbot.waitSignal(small.received, timeout=WAIT):
        qtbot.mouseClick(small.save_button, Qt.MouseButton.LeftButton)
    assert small.drawer_box is None
    # More than is left in it (35,000): asked first.
    dialog = new_dialog(qtbot, owner_ctx)
    assert dialog.method.currentData() == PaymentMethod.CASH.value  # remembered
    scan(qtbot, dialog, "2*COC-1")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.drawer_box is not None and dialog.drawer_box.isVisible(),
                    timeout=WAIT)  # fmt: skip
    box = dialog.drawer_box
    assert box.text() == ("The drawer holds about 35,000 VND today; paying 60,000 VND in "
                          "cash takes it below zero. Pay by transfer or another way?")  # fmt: skip
    # The safe answer is the default: nothing saved, back to the way of paying.
    assert box.defaultButton().text() == "Choose another way"
    box.defaultButton().click()
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT)
    assert len(gr.list_receipts(owner_ctx)) == 1 and dialog.isVisible()
    # The cash came from elsewhere: the owner goes ahead.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.drawer_box is not box and dialog.drawer_box is not None
                    and dialog.drawer_box.isVisible(), timeout=WAIT)  # fmt: skip
    with qtbot.waitSignal(dialog.received, timeout=WAIT) as done:
        assert dialog.cash_anyway is not None
        dialog.cash_anyway.click()
    assert (done.args[0].paid, len(gr.list_receipts(owner_ctx))) == (60_000, 2)


def test_a_quantity_typed_before_the_code(qtbot, owner_ctx, cup):
    dialog = new_dialog(qtbot, owner_ctx, supplier="")
    scan(qtbot, dialog, "20*COC-1")  # KiotViet's way: 20 of what is scanned next
    assert [ln.quantity for ln in dialog.lines] == [20]
    assert dialog.search.text() == ""
    scan(qtbot, dialog, "COC-1")  # a scan alone: one more
    assert [ln.quantity for ln in dialog.lines] == [21]
    scan(qtbot, dialog, "12*")  # "12*" alone: the line just scanned is 12
    assert [ln.quantity for ln in dialog.lines] == [12] and dialog.search.text() == ""
    scan(qtbot, dialog, "5 * coc sứ")  # a name: the match picked gets 5
    assert dialog.popup.isVisible()
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert [ln.quantity for ln in dialog.lines] == [17]
    scan(qtbot, dialog, "0*COC-1")
    assert [ln.quantity for ln in dialog.lines] == [17]
    assert dialog.problem.text() == "Type 1 to 1,000,000 before the *."


def test_picking_a_supplier_does_not_move_the_scan_field(qtbot, owner_ctx, cup):
    """The purchase-order row is there from the start: shown only once a supplier with
    open orders was picked, it pushed the scan field down under the owner's click."""
    po.create_order(owner_ctx, po.OrderDraft("Gốm Minh Long", [po.OrderLine(cup, 10, 30_000)]))
    dialog = new_dialog(qtbot, owner_ctx, supplier="")
    qtbot.waitUntil(lambda: dialog.order_choice.count() == 1, timeout=WAIT)

    def where() -> QPoint:
        return dialog.search.mapTo(dialog, QPoint(0, 0))

    before = where()
    assert not dialog.order_choice.isEnabled()
    dialog.supplier.setText("Gốm Minh Long")
    dialog.supplier.editingFinished.emit()
    qtbot.waitUntil(lambda: dialog.order_choice.isEnabled(), timeout=WAIT)
    qtbot.wait(50)  # the layout settled
    assert where() == before
    assert dialog.order_choice.count() == 2
