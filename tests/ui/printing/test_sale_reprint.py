"""The sale screen's "Reprint last receipt" (Ctrl+P, or its button): a sale saved with
"Print receipt after saving" off gets its receipt on the receipt printer afterwards, as
after saving (the cash and change on it), without opening the cash drawer; before any
sale was saved it says so and prints nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.printing.model import DocumentType, PrintTarget, TargetKind, parse_host_port
from primedist.printing.store import load_profile, save_profile
from primedist.services.context import ServiceContext
from primedist.ui.orders.sale import SaleDialog
from tests.factories import make_product
from tests.printing.support import Capture, decode_escpos, has_phrase, pdf_text

pytestmark = pytest.mark.usefixtures("english")
PRINT_WAIT_MS = 20_000


def use_receipt_printer(ctx: ServiceContext, target: PrintTarget, *, drawer: bool = False) -> None:
    profile = load_profile(ctx, DocumentType.RECEIPT)
    save_profile(ctx, replace(profile, target=target, preview=False, open_drawer=drawer))


@pytest.fixture
def sale(qtbot: Any, shop_ctx: ServiceContext) -> SaleDialog:
    make_product(shop_ctx.engine, "Nến thơm tinh dầu", [("NEN-01", 45_000, 20)],
                 barcodes=["893001"])  # fmt: skip
    dialog = SaleDialog(shop_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.print_receipt.setChecked(False)
    return dialog


def sell_two_candles(qtbot: Any, sale: SaleDialog, cash: str) -> str:
    """A cash sale saved with the receipt off; its order number."""
    for _ in range(2):
        qtbot.keyClicks(sale.product_search, "893001")
        qtbot.keyClick(sale.product_search, Qt.Key.Key_Return)
    sale.cash.setText(cash)
    qtbot.waitUntil(sale.save_button.isEnabled)
    sale.save()
    assert sale.last_created is not None
    return sale.last_created.external_id


def test_ctrl_p_reprints_the_last_sale_on_the_receipt_printer(
    qtbot: Any, cups: Any, shop_ctx: ServiceContext, sale: SaleDialog
) -> None:
    use_receipt_printer(shop_ctx, PrintTarget(TargetKind.SYSTEM, name=cups.capture))
    assert sale.reprint_button.text() == "Reprint last receipt  (Ctrl+P)"
    before = cups.jobs()
    qtbot.keyClick(sale.product_search, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert sale.saved_label.text() == "No sale saved on this screen yet."
    first = sell_two_candles(qtbot, sale, "")  # the exact amount: no change
    second = sell_two_candles(qtbot, sale, "100000")  # 90,000: 10,000 back
    assert cups.jobs() == before  # saved with the receipt off: nothing printed
    with qtbot.waitSignal(sale.printer.printed, timeout=PRINT_WAIT_MS) as printed:
        qtbot.keyClick(sale.product_search, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printed.args == [f"Receipt printed to {cups.capture}"]
    assert sale.saved_label.text() == f"Printing the receipt of {second} again"
    text = pdf_text(cups.wait_job(before))
    assert has_phrase(text, "Sales receipt") and second in text and first not in text
    assert has_phrase(text, "Change") and "10,000" in text  # the cash taken, as after saving
    assert sale.focusWidget() is sale.product_search  # the next scan still goes there


def test_the_button_reprints_with_the_change_and_never_opens_the_drawer(
    qtbot: Any, shop_ctx: ServiceContext, sale: SaleDialog
) -> None:
    printer = Capture()
    try:
        target = parse_host_port(f"127.0.0.1:{printer.port}")
        use_receipt_printer(shop_ctx, target, drawer=True)
        sell_two_candles(qtbot, sale, "100000")
        created = sale.last_created
        assert created is not None and created.change_due == 10_000
        with qtbot.waitSignal(sale.printer.printed, timeout=PRINT_WAIT_MS):
            qtbot.mouseClick(sale.reprint_button, Qt.MouseButton.LeftButton)
        (job,) = printer.wait(1)
        decoded = decode_escpos(job)
        assert decoded.cuts == 1 and decoded.images and decoded.drawer_kicks == 0
    finally:
        printer.close()
