"""Products → Suppliers → *Print voucher*: the selected payment of a supplier's account
printed as a voucher (phiếu chi) on the receipt's printer, as a customer's payment receipt
is — clicked with the real page, the job read back from CUPS; into a PDF; a cancelled
payment too; never for a goods receipt; never the cash drawer; a printer that refuses
said above the list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from primedist.domain.enums import PaymentMethod
from primedist.printing.model import DocumentType, PrintTarget, TargetKind, parse_host_port
from primedist.printing.store import load_profile, save_profile
from primedist.services import suppliers as svc
from primedist.services.context import ServiceContext
from primedist.ui.products.suppliers import SuppliersPage
from tests.printing.conftest import cups, shop_ctx  # noqa: F401  (the session's CUPS)
from tests.printing.support import Capture, decode_escpos, has_phrase, pdf_text
from tests.printing.test_supplier_payment_print import delivered
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


@pytest.fixture
def page(qtbot, shop_ctx: ServiceContext) -> Iterator[SuppliersPage]:  # noqa: F811
    """Đức Minh's account: PN000001 (300.000), PC000001 (100.000 cash, with it), PC000002
    (150.000 by bank transfer): 50.000 owed."""
    supplier_id = delivered(shop_ctx)
    svc.pay_supplier(shop_ctx, supplier_id, 150_000, PaymentMethod.BANK_TRANSFER,
                     "CK Techcombank")  # fmt: skip
    p = show_widget(qtbot, SuppliersPage(shop_ctx), height=760)
    qtbot.waitUntil(lambda: p.ledger_table.rowCount() == 3, timeout=WAIT)
    yield p


def use_receipt_printer(ctx: ServiceContext, target: PrintTarget, **changes: object) -> None:
    profile = load_profile(ctx, DocumentType.RECEIPT)
    save_profile(ctx, replace(profile, target=target, preview=False, **changes))


def select_entry(page: SuppliersPage, code: str) -> None:
    page.ledger_table.selectRow(next(i for i, e in enumerate(page.ledger) if e.code == code))


def test_print_voucher_prints_the_selected_payment(qtbot, page, cups):  # noqa: F811
    button = page.print_payment_button
    assert button.text() == "Print voucher"
    assert not button.isEnabled() and button.toolTip() == "Select a payment to print its voucher"
    select_entry(page, "PN000001")  # a goods receipt prints from the Goods receipts page
    assert not button.isEnabled()
    select_entry(page, "PC000002")
    assert button.isEnabled() and "phiếu chi" in button.toolTip()
    use_receipt_printer(page.ctx, PrintTarget(TargetKind.SYSTEM, name=cups.capture))
    before = cups.jobs()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    text = pdf_text(cups.wait_job(before))
    for phrase in ("PAYMENT VOUCHER", "Voucher PC000002", "Supplier Công ty Đức Minh (NCC000001)",
                   "Method Bank transfer", "Note CK Techcombank", "Amount paid 150,000 VND",
                   "Still owed to the supplier 50,000 VND"):  # fmt: skip
        assert has_phrase(text, phrase), phrase
    qtbot.waitUntil(lambda: page.status.text() == f"Printed PC000002 to {cups.capture}.",
                    timeout=WAIT)  # fmt: skip
    assert page.status.isVisible() and page.message.isHidden()


def test_a_cancelled_payment_into_a_pdf(qtbot, page, tmp_path):
    svc.cancel_payment(page.ctx, 2, "Nhập nhầm số tiền")
    page.refresh()
    qtbot.waitUntil(lambda: any(not e.counts for e in page.ledger), timeout=WAIT)
    select_entry(page, "PC000002")
    assert page.print_payment_button.isEnabled()  # printed, marked cancelled
    out = tmp_path / "pc.pdf"
    page.print_payment(pdf=out)
    qtbot.waitUntil(lambda: page.status.text() == f"Printed PC000002 to {out}.", timeout=WAIT)
    text = pdf_text(out)
    assert has_phrase(text, "CANCELLED") and has_phrase(text, "Nhập nhầm số tiền")
    assert has_phrase(text, "Still owed to the supplier 200,000 VND")


def test_a_cash_payment_never_opens_the_drawer(qtbot, page):
    capture = Capture()
    try:
        use_receipt_printer(page.ctx, parse_host_port(f"127.0.0.1:{capture.port}"),
                            open_drawer=True)  # fmt: skip
        select_entry(page, "PC000001")
        assert page.ledger[page.ledger_table.currentRow()].method == PaymentMethod.CASH
        qtbot.mouseClick(page.print_payment_button, Qt.MouseButton.LeftButton)
        (job,) = capture.wait(1)
    finally:
        capture.close()
    decoded = decode_escpos(job)
    assert decoded.images and decoded.drawer_kicks == 0


def test_a_printer_that_refuses_is_said_above_the_list(qtbot, page, cups):  # noqa: F811
    use_receipt_printer(page.ctx, PrintTarget(TargetKind.SYSTEM, name=cups.rejecting))
    select_entry(page, "PC000002")
    qtbot.mouseClick(page.print_payment_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.message.isVisible(), timeout=WAIT)
    assert page.message.text().startswith(f"The printer '{cups.rejecting}' is refusing new jobs.")
    assert page.status.isHidden()
