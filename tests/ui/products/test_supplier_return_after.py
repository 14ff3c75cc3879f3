"""The Return to supplier dialog says, as it is typed, what the shop will owe the supplier
once the goods are back (their value less the money given back comes off) and the money
that comes back, how — as the payment dialog says "Owed after"; the figure is the one the
saved return leaves; nothing for a receipt without a supplier."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from primedist.domain.enums import PaymentMethod
from primedist.services import goods_receipts as receipts
from primedist.services import suppliers
from primedist.ui.i18n import install_language
from tests.ui.products.test_supplier_return import (  # noqa: F401  (fixtures)
    delivery,
    open_dialog,
    page,
    variant,
)
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "no_crash")
AFTER = "Owed to the supplier after the return: "


def method(dialog, chosen: PaymentMethod) -> None:
    dialog.method.setCurrentIndex(dialog.method.findData(chosen.value))


def test_what_is_owed_after_and_the_money_back(qtbot, page, owner_ctx, delivery):  # noqa: F811
    """500.000 owed; 290.000 of goods go back, 50.000 of it given back by transfer."""
    dialog = open_dialog(qtbot, page)
    assert dialog.after.text() == ""  # nothing goes back yet
    dialog.set_quantity(0, 3)
    dialog.set_quantity(1, 2)
    assert dialog.after.text() == AFTER + "210,000 VND"
    dialog.refund.setText("50,000")
    method(dialog, PaymentMethod.BANK_TRANSFER)
    assert dialog.after.text() == AFTER + "260,000 VND · 50,000 VND comes back (bank transfer)"
    method(dialog, PaymentMethod.CASH)  # the line follows the method
    assert dialog.after.text() == AFTER + "260,000 VND · 50,000 VND comes back (cash)"
    dialog.refund.setText("300,000")  # more than goes back: refused, no figure
    assert dialog.after.text() == "" and not dialog.save_button.isEnabled()
    dialog.refund.setText("290,000")  # all of it given back: the debt stays
    assert dialog.after.text() == AFTER + "500,000 VND · 290,000 VND comes back (cash)"
    dialog.refund.setText("50,000")
    method(dialog, PaymentMethod.BANK_TRANSFER)
    dialog.reason.setText("Vỡ khi giao")
    with qtbot.waitSignal(dialog.returned, timeout=WAIT):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    # What the line said is what the saved return left.
    assert suppliers.get_supplier(owner_ctx, delivery.supplier_id).debt == 260_000


def test_more_back_than_owed_is_paid_in_advance(qtbot, page):  # noqa: F811
    dialog = open_dialog(qtbot, page)
    dialog.return_all()  # 700.000 back, 500.000 owed
    assert dialog.after.text() == AFTER + "0 VND (200,000 VND paid in advance)"
    dialog.set_quantity(1, "hai")  # typed wrong: that line left out
    assert dialog.after.text() == AFTER + "200,000 VND"


def test_a_receipt_without_a_supplier(qtbot, page, owner_ctx):  # noqa: F811
    cup = variant(owner_ctx, "COC-1")
    receipts.receive_goods(owner_ctx, receipts.ReceiptDraft([receipts.ReceiptLine(cup, 2, 30_000)]))
    page.refresh()
    qtbot.waitUntil(lambda: page.count.text() == "2 receipts", timeout=WAIT)
    assert page.current().code == "PN000002" and page.current().supplier_id is None
    qtbot.mouseClick(page.return_button, Qt.MouseButton.LeftButton)
    dialog = page.return_dialog
    qtbot.waitUntil(lambda: dialog.loaded, timeout=WAIT)
    dialog.set_quantity(0, 1)
    assert dialog.value.text() == "Value of the goods going back: 30,000 VND"
    assert dialog.after.text() == ""


def test_in_vietnamese(qtbot, page):  # noqa: F811
    install_language("vi")
    dialog = open_dialog(qtbot, page)
    dialog.set_quantity(0, 10)  # 300.000 back, 100.000 of it given back: 300.000 owed after
    dialog.refund.setText("100.000")
    assert dialog.after.text().count("₫") == 2  # owed after, and the money back
    assert "300.000 ₫" in dialog.after.text() and "100.000 ₫" in dialog.after.text()
    dialog.reject()
