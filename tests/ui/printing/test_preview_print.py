"""The print preview's Print prints the app's way: on the document type's printer, with
its checks (a paused printer says so, with Retry), never through Qt's print dialog (in
English, and any printer, unchecked). Its Page setup is gone: the template sets the paper."""

from __future__ import annotations

from dataclasses import replace

import pytest
import shiboken6
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QApplication, QMessageBox, QToolBar

from primedist.printing.model import DocumentType, PrintTarget, TargetKind
from primedist.printing.store import load_profile, save_profile
from primedist.ui.orders.detail import OrderDetailDialog
from tests.printing.support import has_phrase, pdf_text
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english")


def preview_on(qtbot, ctx, order_id: int, printer: str):
    """The order detail's preview of the invoice, the invoice set to print on `printer`."""
    profile = load_profile(ctx, DocumentType.INVOICE)
    save_profile(ctx, replace(profile, target=PrintTarget(TargetKind.SYSTEM, name=printer)))
    detail = OrderDetailDialog(ctx, order_id)
    qtbot.addWidget(detail)
    detail.show()
    dialog = detail.printer.preview([order_id], DocumentType.INVOICE)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return detail, dialog


def toolbar_texts(dialog) -> list[str]:
    bar = dialog.findChild(QToolBar)
    assert bar is not None
    return [a.text() for a in bar.actions() if a.isVisible() and a.text()]


def test_print_in_the_preview_prints_on_the_invoice_printer(qtbot, cups, shop_ctx, sample_order):
    detail, dialog = preview_on(qtbot, shop_ctx, sample_order.id, cups.capture)
    assert toolbar_texts(dialog).count("Print") == 1 and "Page setup" not in toolbar_texts(dialog)
    ours = dialog.findChild(QAction, "previewPrint")
    assert ours is not None and ours.isVisible()
    before = cups.jobs()
    with qtbot.waitSignal(detail.printer.printed, timeout=15_000) as printed:
        ours.trigger()
    assert printed.args == [f"Invoice printed to {cups.capture}"]
    assert has_phrase(pdf_text(cups.wait_job(before)), "Invoice")
    assert not any(isinstance(w, QPrintDialog) for w in QApplication.topLevelWidgets()
                   if shiboken6.isValid(w) and w.isVisible())  # fmt: skip
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible(),
                    timeout=WAIT)  # fmt: skip


def test_print_in_the_preview_checks_the_printer(qtbot, cups, shop_ctx, sample_order):
    detail, dialog = preview_on(qtbot, shop_ctx, sample_order.id, cups.paused)
    ours = dialog.findChild(QAction, "previewPrint")
    assert ours is not None
    before = cups.jobs()
    with qtbot.waitSignal(detail.printer.failed, timeout=15_000) as failed:
        ours.trigger()
    assert "paused or offline" in failed.args[0] and cups.paused in failed.args[0]
    box = detail.printer.error_box
    assert box is not None and box.button(QMessageBox.StandardButton.Retry) is not None
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert cups.jobs() == before


def test_in_vietnamese_the_preview_has_our_print_only(qtbot, vietnamese, shop_ctx, sample_order):
    """Qt's actions are found by its own (translated) words: "In", "Cài đặt trang"."""
    _detail, dialog = preview_on(qtbot, shop_ctx, sample_order.id, "Any_Printer")
    texts = toolbar_texts(dialog)
    assert texts.count("In") == 1 and "Cài đặt trang" not in texts
    ours = dialog.findChild(QAction, "previewPrint")
    assert ours is not None and ours.text() == "In" and ours.isVisible()
