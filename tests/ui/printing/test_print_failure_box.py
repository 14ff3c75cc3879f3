"""A print that fails is never a dead end at the till: the sale saved with no printer set
up says so plainly, with Preview / Save as PDF (the order's receipt, the cash and change
on it), Open printer settings (Settings → Printers & templates, over the sale screen) and
"Don't print after saving" (remembered: the next sale does not fail again). The end-of-day
report, an order's detail and a cashier without Settings get the same box."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from primedist.printing.model import DocumentType, PrintTarget, TargetKind
from primedist.printing.store import load_profile, save_profile
from primedist.services.context import ServiceContext
from primedist.ui import file_dialogs
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.end_of_day import EndOfDayDialog
from primedist.ui.orders.sale import SaleDialog
from primedist.ui.printing.actions import (
    PrinterSettingsDialog,
    PrintNotice,
    receipt_after_sale,
)
from primedist.ui.settings.printers import PrintersSettings
from tests.factories import make_product
from tests.printing.support import has_phrase, pdf_text
from tests.ui.printing.test_no_printer_for_staff import cashier
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english")


def no_printer(ctx: ServiceContext, doc_type: DocumentType = DocumentType.RECEIPT) -> None:
    profile = load_profile(ctx, doc_type)
    save_profile(ctx, replace(profile, target=PrintTarget(TargetKind.SYSTEM, name="")))


def buttons(box: QMessageBox) -> dict[str, str]:
    """The box's buttons by object name (Qt's own: by their words), their words."""
    return {b.objectName() or b.text().replace("&", ""): b.text() for b in box.buttons()}


def press(box: QWidget, name: str) -> None:
    button = box.findChild(QPushButton, name)
    assert button is not None, buttons(box)
    button.click()


def save_pdf_to(monkeypatch: Any, path: Path) -> None:
    """Save as PDF's "where?" answered with `path`."""
    monkeypatch.setattr(file_dialogs, "_ask", lambda *_a, **_kw: ([path], "PDF (*.pdf)"))


@pytest.fixture
def sale(qtbot: Any, shop_ctx: ServiceContext) -> SaleDialog:
    make_product(shop_ctx.engine, "Nến thơm tinh dầu", [("NEN-01", 45_000, 20)],
                 barcodes=["893001"])  # fmt: skip
    no_printer(shop_ctx)
    dialog = SaleDialog(shop_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.print_receipt.setChecked(True)
    return dialog


def sell(qtbot: Any, sale: SaleDialog, cash: str = "100000") -> str:
    qtbot.keyClicks(sale.product_search, "893001")
    qtbot.keyClick(sale.product_search, Qt.Key.Key_Return)
    sale.cash.setText(cash)
    qtbot.waitUntil(sale.save_button.isEnabled)
    sale.save()
    assert sale.last_created is not None
    return sale.last_created.external_id


def failed_box(qtbot: Any, sale: SaleDialog) -> PrintNotice:
    """After a sale the failure is a banner in the sale screen, not a modal box."""
    qtbot.waitUntil(sale.print_notice.isVisible, timeout=WAIT)
    assert sale.printer.error_box is None
    return sale.print_notice


def notice_buttons(notice: PrintNotice) -> dict[str, str]:
    return {b.objectName(): b.text() for b in notice.findChildren(QPushButton) if b.isVisible()}


def test_a_sale_with_no_printer_says_so_with_ways_on(qtbot, sale):
    sell(qtbot, sale)
    notice = failed_box(qtbot, sale)
    assert notice.label.text() == "No printer is set up yet, so nothing was printed."
    assert notice_buttons(notice) == {
        "printPreviewPdf": "Preview / Save as PDF",
        "printOpenSettings": "Open printer settings",
        "printStopAfterSale": "Don't print after saving",
    }
    # The next customer's scan lands in the product search (a modal box's default
    # Preview took its Enter and the code was lost).
    assert QApplication.focusWidget() is sale.product_search
    assert QApplication.activeModalWidget() in (None, sale)
    qtbot.keyClicks(sale.product_search, "893001")
    qtbot.keyClick(sale.product_search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: sale.model.rowCount() == 1, timeout=WAIT)
    assert sale.printer.preview_dialog is None
    sale.reset()  # (closing a sale with lines asks first)


def test_preview_shows_that_sales_receipt_and_saves_it_as_pdf(qtbot, sale, monkeypatch,
                                                               tmp_path):  # fmt: skip
    number = sell(qtbot, sale, "100000")  # 45,000: 55,000 back
    press(failed_box(qtbot, sale), "printPreviewPdf")
    preview = sale.printer.preview_dialog
    assert preview is not None and preview.isVisible()
    assert preview.windowTitle() == "Print preview — Receipt" and preview.property("documents") == 1
    save = preview.findChild(QAction, "previewSavePdf")
    assert save is not None and save.text() == "Save as PDF…"
    target = tmp_path / "receipt.pdf"
    save_pdf_to(monkeypatch, target)
    with qtbot.waitSignal(sale.printer.printed, timeout=WAIT):
        save.trigger()
    text = pdf_text(target)
    assert number in text and has_phrase(text, "Change") and "55,000" in text


def test_open_printer_settings_shows_the_printers_page_over_the_sale(qtbot, sale):
    sell(qtbot, sale)
    press(failed_box(qtbot, sale), "printOpenSettings")
    dialog = sale.findChild(PrinterSettingsDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Printers & templates"
    assert isinstance(dialog.page, PrintersSettings) and dialog.page.isVisible()
    assert dialog.page.current_doc_type() == DocumentType.RECEIPT
    assert sale.isVisible()  # the till stays where it was
    dialog.reject()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(), timeout=WAIT)


def test_dont_print_after_saving_is_remembered(qtbot, sale, shop_ctx):
    sell(qtbot, sale)
    press(failed_box(qtbot, sale), "printStopAfterSale")
    assert not sale.print_receipt.isChecked()
    assert receipt_after_sale(shop_ctx) is False  # this computer's choice, kept
    assert not sale.print_notice.isVisible()
    sell(qtbot, sale)  # the next sale: no print tried, no notice
    qtbot.wait(300)
    assert sale.printer.error_box is None and not sale.print_notice.isVisible()
    again = SaleDialog(shop_ctx)
    qtbot.addWidget(again)
    assert not again.print_receipt.isChecked()


def test_a_cashier_is_sent_to_the_owner_not_to_settings(qtbot, shop_ctx, sample_order):
    no_printer(shop_ctx)
    lan = cashier(shop_ctx)
    detail = OrderDetailDialog(lan, sample_order.id)
    qtbot.addWidget(detail)
    detail.show()
    with qtbot.waitSignal(detail.printer.failed, timeout=WAIT):
        detail.printer.print([sample_order.id], DocumentType.RECEIPT)
    box = detail.printer.error_box
    assert box is not None and box.isVisible()
    assert set(buttons(box)) == {"printPreviewPdf", "Close"}  # not the order's sale screen
    assert box.defaultButton() is None  # Enter presses none of them
    assert not any(b.autoDefault() for b in box.findChildren(QPushButton))
    assert "ask the shop owner to choose a printer" in box.informativeText()


def test_an_offline_printer_keeps_retry_beside_the_ways_on(qtbot, cups, shop_ctx, sample_order):
    profile = load_profile(shop_ctx, DocumentType.INVOICE)
    save_profile(shop_ctx, replace(profile, target=PrintTarget(TargetKind.SYSTEM, cups.paused)))
    detail = OrderDetailDialog(shop_ctx, sample_order.id)
    qtbot.addWidget(detail)
    detail.show()
    with qtbot.waitSignal(detail.printer.failed, timeout=WAIT):
        detail.printer.print([sample_order.id], DocumentType.INVOICE)
    box = detail.printer.error_box
    assert box is not None and box.windowTitle() == "Printing failed"
    assert set(buttons(box)) == {"printRetry", "printPreviewPdf", "printOpenSettings", "Cancel"}
    press(box, "printPreviewPdf")
    preview = detail.printer.preview_dialog
    assert preview is not None and preview.windowTitle() == "Print preview — Invoice"


def test_end_of_day_with_no_printer_shows_the_box(qtbot, shop_ctx, sample_order, monkeypatch,
                                                  tmp_path):  # fmt: skip
    no_printer(shop_ctx)
    dialog = EndOfDayDialog(shop_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.print_button.isEnabled(), timeout=WAIT)
    dialog.print_button.click()
    qtbot.waitUntil(lambda: getattr(dialog, "error_box", None) is not None, timeout=WAIT)
    box = dialog.error_box
    assert box.isVisible() and box.text() == "No printer is set up yet, so nothing was printed."
    assert set(buttons(box)) == {"printPreviewPdf", "printOpenSettings", "Close"}
    assert dialog.status.text() == ""  # said in the box, not in a grey line
    press(box, "printPreviewPdf")
    qtbot.waitUntil(lambda: getattr(dialog, "preview_dialog", None) is not None, timeout=WAIT)
    preview = dialog.preview_dialog
    assert preview.windowTitle() == "Print preview — End of day"
    assert preview.property("documents") == 1
    target = tmp_path / "eod.pdf"
    save_pdf_to(monkeypatch, target)
    save = preview.findChild(QAction, "previewSavePdf")
    assert save is not None
    save.trigger()
    qtbot.waitUntil(lambda: target.exists() and dialog.status.text().startswith("Saved to"),
                    timeout=WAIT)  # fmt: skip
    assert has_phrase(pdf_text(target), "END OF DAY")
