"""Failures that trying again cannot cure show no Retry: a broken template at the till (it
says where to fix it, not "check the printer"), and Settings' test page with no printer
chosen (the choice is on that page). And an image that cannot load is left out of a
document, not drawn as a broken picture icon."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QMessageBox

from primedist.printing.documents import Document
from primedist.printing.model import DocumentType, Paper
from primedist.printing.store import TEMPLATE_KEY, default_template
from primedist.services.app_settings import put_setting
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.printing import render
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.printers import PrintersSettings

pytestmark = pytest.mark.usefixtures("english")


def test_a_broken_template_at_the_till_says_so_without_retry(qtbot, shop_ctx, sample_order):
    """A template stored before saving checked it (an order with no fees has no {{amount}})
    fails on every try: the message is about the template, not the printer."""
    broken = default_template("receipt_80").replace(
        "{{#adjustments}}", "{{^adjustments}}<p>{{amount}}</p>{{/adjustments}}{{#adjustments}}", 1
    )
    with shop_ctx.uow() as session:
        put_setting(shop_ctx, session, TEMPLATE_KEY + "receipt_80", broken)
    dialog = OrderDetailDialog(shop_ctx, sample_order.id)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.printer.failed, timeout=15_000) as failed:
        dialog.printer.print([sample_order.id], DocumentType.RECEIPT)
    box = dialog.printer.error_box
    assert box is not None and box.isVisible()
    assert failed.args[0] == box.text()
    assert box.text().startswith("The document's template is broken, so nothing was printed: ")
    assert "{{amount}}" in box.text()
    assert box.text().endswith("Fix the template in Settings → Printers & templates.")
    assert box.button(QMessageBox.StandardButton.Retry) is None
    assert "printer" not in box.informativeText()


def test_test_page_with_no_printer_chosen_points_above_without_retry(qtbot, shop_ctx):
    settings = SettingsPage(shop_ctx)
    settings.show()
    try:
        page = settings.select_section("printers")
        assert isinstance(page, PrintersSettings)
        assert page.system_name.currentData() == ""  # a fresh data folder: none chosen
        with qtbot.waitSignal(page.printer.failed, timeout=15_000) as failed:
            page.print_test_page()
        assert failed.args[0] == (
            "No printer is chosen: choose a printer above, then print the test page again."
        )
        box = page.printer.error_box
        assert box is not None and box.button(QMessageBox.StandardButton.Retry) is None
        assert box.button(QMessageBox.StandardButton.Close) is not None
    finally:
        # Gone before the next test (a page left alive answers its language change there).
        settings.close()
        settings.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


@pytest.mark.parametrize("source", ["/nope/logo.png", "https://example.com/logo.png", ""])
def test_an_image_that_cannot_load_is_left_out(qapp, source):
    """A logo file gone since the template was saved drew a broken picture icon."""
    html = f'<p>Cửa hàng</p><p><img src="{source}" width="60"></p><p>Cảm ơn</p>'
    image = render.to_image(Document("X", html, Paper.ROLL_80))
    without = render.to_image(Document("X", html.replace(f'<img src="{source}" width="60">',
                                                         ""), Paper.ROLL_80))  # fmt: skip
    grey = [QColor(image.pixel(x, y)).lightness() for y in range(image.height())
            for x in range(image.width())]  # fmt: skip
    ink = sum(1 for v in grey if v < 250)
    plain = [QColor(without.pixel(x, y)).lightness() for y in range(without.height())
             for x in range(without.width())]  # fmt: skip
    assert ink == sum(1 for v in plain if v < 250)  # the text only: no icon drawn
    assert image.height() >= without.height()
