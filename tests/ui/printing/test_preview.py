"""The print preview keeps its printer alive as long as it shows: Qt's preview paints
its pages from the QPrinter it was given (it keeps only a pointer), so a printer freed
under it crashed the app (QPicture::play reading a freed buffer) on its next paint."""

from __future__ import annotations

import gc

import pytest
import shiboken6
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import QMenu

from primedist.printing.model import DocumentType
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.printing import actions
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.parametrize("doc_type", [DocumentType.INVOICE, DocumentType.RECEIPT])
def test_preview_paints_after_a_garbage_collection(qtbot, shop_ctx, sample_order, doc_type):
    """Order detail → Print → Print preview → a document: the preview paints its pages
    again and again (zoom, repaint) after Python collected what it could, then closing it
    frees the dialog and its printer."""
    detail = OrderDetailDialog(shop_ctx, sample_order.id)
    qtbot.addWidget(detail)
    detail.show()
    kept = len(actions._kept)
    menu = detail.print_button.menu()
    assert isinstance(menu, QMenu)
    action = menu.findChild(QAction, f"preview_{doc_type.value}")
    assert action is not None
    action.trigger()
    dialog = detail.printer.preview_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    gc.collect()
    widget = dialog.findChild(QPrintPreviewWidget)
    assert widget is not None
    for _ in range(3):  # pages drawn again into the printer, then painted on screen
        widget.updatePreview()
        widget.setZoomFactor(widget.zoomFactor() * 1.1)
        dialog.grab()
        gc.collect()
    assert widget.pageCount() >= 1
    printer = dialog.printer()
    assert isinstance(printer, QPrinter) and shiboken6.isValid(printer)
    assert len(actions._kept) == kept + 1
    dialog.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT)  # deleted on close
    assert len(actions._kept) == kept  # and its printer released with it


def test_preview_goes_with_its_order_detail(qtbot, shop_ctx, sample_order):
    """The order detail deleted while its preview shows: both go, then the printer."""
    detail = OrderDetailDialog(shop_ctx, sample_order.id)
    detail.show()
    kept = len(actions._kept)
    dialog = detail.printer.preview([sample_order.id], DocumentType.PACKING_SLIP)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    gc.collect()
    dialog.grab()
    detail.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT)
    gc.collect()
    assert len(actions._kept) == kept
