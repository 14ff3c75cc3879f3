"""Settings → Printers & templates with real widgets: editing a template redraws the
preview, errors name the placeholder, save/reset, printer per document type, test page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QScrollArea

from primedist.printing.model import DocumentType, Paper, PrintTarget, TargetKind
from primedist.printing.store import (
    default_template,
    is_customised,
    load_profile,
    load_shop_details,
    load_template,
)
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.printers import PREVIEW_SHOWN_PX, PrintersSettings
from tests.printing.support import Capture, decode_escpos, has_phrase, pdf_text

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def page(qtbot, shop_ctx) -> Iterator[PrintersSettings]:
    settings = SettingsPage(shop_ctx)
    qtbot.addWidget(settings)
    settings.show()
    section = settings.select_section("printers")
    assert isinstance(section, PrintersSettings)
    assert settings.sections.currentItem().text() == "Printers & templates"
    yield section  # holds `settings`: qtbot keeps only a weak reference to the window


def pixels(page: PrintersSettings) -> bytes:
    assert page.preview_image is not None
    image = page.preview_image.toImage()
    return bytes(image.constBits())[: image.sizeInBytes()]


def test_editing_the_template_updates_the_preview(qtbot, page):
    assert page.template.currentData() == "receipt_80"
    assert page.template.currentText() == "Receipt for an 80 mm roll"  # not the file's name
    assert page.editor.toPlainText() == default_template("receipt_80")
    before = pixels(page)
    assert page.preview_image.width() == 576  # the 80 mm printer's dots
    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        page.editor.setPlainText(
            page.editor.toPlainText().replace("{{title}}", "KHUYẾN MÃI {{title}}")
        )
    assert page.error == "" and pixels(page) != before
    taller = page.preview_image.height()

    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        page.editor.appendPlainText("{{staff_note}}")
    assert "{{staff_note}} is not a known placeholder" in page.error
    assert page.error_label.text() == page.error
    assert page.preview_image.height() == taller  # the last good picture stays


@pytest.mark.usefixtures("app_style")
def test_a_short_window_scrolls_the_page_and_the_preview_fits_its_column(qtbot, page):
    """On a laptop screen the section scrolls instead of squeezing its rows into each
    other, and the receipt preview is as wide as its column, not cut off at the side."""
    settings = page.window()
    settings.resize(1100, 560)
    qtbot.waitUntil(lambda: settings.height() == 560)
    qtbot.waitUntil(lambda: page.preview.pixmap().width() < PREVIEW_SHOWN_PX)
    for button in (page.save_printer_button, page.test_button, page.refresh_button):
        assert button.height() >= button.minimumSizeHint().height()
    box = page.printer_box
    assert box.height() >= box.minimumSizeHint().height()
    scroll = page.parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    assert scroll.verticalScrollBar().maximum() > 0
    room = page.preview_scroll.viewport().width()
    assert page.preview.pixmap().width() <= room
    assert not page.preview_scroll.horizontalScrollBar().isVisible()


def test_save_then_reset_template(qtbot, page, shop_ctx, answers):
    answers.answer = QMessageBox.StandardButton.RestoreDefaults
    edited = default_template("receipt_80").replace("{{footer}}", "Hẹn gặp lại {{shop_name}}")
    page.editor.setPlainText(edited)
    page.save_template()
    assert load_template(shop_ctx, "receipt_80") == edited
    assert page.message.text() == "Template Receipt for an 80 mm roll saved."

    page.editor.appendPlainText("{{#lines}}")  # broken: never saved
    page.save_template()
    assert "never closed" in page.message.text()
    assert load_template(shop_ctx, "receipt_80") == edited

    page.reset_template()
    assert answers == [
        "Replace the template Receipt for an 80 mm roll with the default one? "
        "The changes made to it are lost."
    ]
    assert not is_customised(shop_ctx, "receipt_80")
    assert page.editor.toPlainText() == default_template("receipt_80")
    assert page.message.text() == "Template Receipt for an 80 mm roll is back to the default."


def test_reset_asks_before_the_shops_own_template_is_lost(qtbot, page, shop_ctx, answers):
    """Reset to default throws away the shop's edited template: a click by mistake must
    not. Cancel keeps both the stored template and the editor's unsaved edits; nothing
    to lose (the shipped template, no edits) asks nothing."""
    page.reset_template()
    assert answers == []  # the shipped template, unedited: nothing to lose
    edited = default_template("receipt_80").replace("{{footer}}", "Hẹn gặp lại {{shop_name}}")
    page.editor.setPlainText(edited)
    page.save_template()
    page.editor.appendPlainText("<p>{{order_number}}</p>")  # and an edit not saved yet
    unsaved = page.editor.toPlainText()

    page.reset_template()  # answered Cancel
    assert len(answers) == 1 and "Receipt for an 80 mm roll" in answers[0]
    assert load_template(shop_ctx, "receipt_80") == edited
    assert page.editor.toPlainText() == unsaved
    assert "back to the default" not in page.message.text()

    page.editor.setPlainText(default_template("receipt_80"))  # unsaved: the default text
    page.reset_template()  # the stored template is still the shop's own: asked again
    assert len(answers) == 2 and load_template(shop_ctx, "receipt_80") == edited


def test_placeholder_list_inserts_on_double_click(qtbot, page):
    names = [page.names.item(i).data(Qt.ItemDataRole.UserRole) for i in range(page.names.count())]
    assert {"order_number", "total", "lines", "quantity", "label_total"} <= set(names)
    assert "staff_note" not in names
    page.editor.setPlainText("")
    item = page.names.item(names.index("order_number"))
    page.names.itemDoubleClicked.emit(item)
    assert page.editor.toPlainText() == "{{order_number}}"


def test_document_types_have_their_own_printer_and_paper(qtbot, page, shop_ctx, cups):
    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.INVOICE.value))
    assert page.template.currentData() == "invoice_a4" and page.paper.currentData() == Paper.A4
    page.template.setCurrentIndex(page.template.findData("invoice_a5"))
    assert page.paper.currentData() == Paper.A5  # the template's paper comes with it
    page._fill_printers()
    page.system_name.setCurrentIndex(page.system_name.findData(cups.capture))
    page.show_preview.setChecked(True)
    page.save_profile()
    assert page.message.text() == "Printer settings saved for Invoice."
    invoice = load_profile(shop_ctx, DocumentType.INVOICE)
    assert (invoice.template, invoice.paper, invoice.preview) == ("invoice_a5", Paper.A5, True)
    assert invoice.target == PrintTarget(TargetKind.SYSTEM, name=cups.capture)
    assert load_profile(shop_ctx, DocumentType.RECEIPT).target.name == ""

    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.RECEIPT.value))
    page.kind.setCurrentIndex(page.kind.findData(TargetKind.NETWORK.value))
    page.address.setText("printer.local:91OO")
    page.save_profile()
    assert "is not a printer address" in page.message.text()
    page.address.setText("192.168.1.50:9100")
    page.drawer.setChecked(True)
    page.save_profile()
    receipt = load_profile(shop_ctx, DocumentType.RECEIPT)
    assert (receipt.target.host, receipt.target.port, receipt.open_drawer) == (
        "192.168.1.50",
        9100,
        True,
    )

    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.INVOICE.value))
    assert page.kind.currentData() == TargetKind.SYSTEM
    assert page.system_name.currentData() == cups.capture


def test_no_printer_chosen_shows_as_none_not_the_first_queue(qtbot, page, shop_ctx, cups):
    """On a fresh data folder no printer is saved: the box says so (not the first CUPS
    queue, which would look set), and saving keeps none chosen."""
    from primedist.ui.printing import render

    assert cups.capture in render.available_printers()
    page.load(DocumentType.RECEIPT)
    assert load_profile(shop_ctx, DocumentType.RECEIPT).target.name == ""
    assert page.system_name.currentData() == ""
    assert page.system_name.currentText() == "— Choose a printer —"
    page.refresh_button.click()  # the live list again: still none chosen
    assert page.system_name.currentData() == ""
    page.save_profile()
    assert load_profile(shop_ctx, DocumentType.RECEIPT).target.name == ""

    page.system_name.setCurrentIndex(page.system_name.findData(cups.capture))
    page.save_profile()
    page.load(DocumentType.RECEIPT)
    assert page.system_name.currentData() == cups.capture  # the saved one, and only it


def test_unknown_stored_printer_is_shown_as_not_found(qtbot, page, shop_ctx):
    from dataclasses import replace

    from primedist.printing.store import save_profile

    profile = load_profile(shop_ctx, DocumentType.PACKING_SLIP)
    save_profile(shop_ctx, replace(profile, target=PrintTarget(name="Gone_Printer")))
    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.PACKING_SLIP.value))
    assert page.system_name.currentText() == "Gone_Printer (not found)"


def test_test_page_on_cups_and_escpos(qtbot, page, cups):
    page._fill_printers()
    page.system_name.setCurrentIndex(page.system_name.findData(cups.capture))
    before = cups.jobs()
    with qtbot.waitSignal(page.printer.printed, timeout=15_000):
        page.print_test_page()
    assert page.message.text() == f"Test page printed to {cups.capture}"
    text = pdf_text(cups.wait_job(before))
    assert has_phrase(text, "Sales receipt") and has_phrase(text, "Nến Thơm Sài Gòn")

    printer = Capture()
    try:
        page.kind.setCurrentIndex(page.kind.findData(TargetKind.NETWORK.value))
        page.address.setText(f"127.0.0.1:{printer.port}")
        with qtbot.waitSignal(page.printer.printed, timeout=15_000):
            page.print_test_page()
        assert decode_escpos(printer.wait(1)[0]).cuts == 1
    finally:
        printer.close()


def test_shop_details_saved_and_previewed(qtbot, page, shop_ctx):
    assert page.shop_fields["name"].text() == "Nến Thơm Sài Gòn"
    before = pixels(page)
    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        page.shop_fields["tax_code"].setText("0399999999")
    assert pixels(page) != before
    page.shop_fields["name"].setText("  ")
    page.save_shop()
    assert page.message.text() == "The shop name is required."
    page.shop_fields["name"].setText("Nến Thơm Hà Nội")
    page.save_shop()
    saved = load_shop_details(shop_ctx)
    assert (saved.name, saved.tax_code) == ("Nến Thơm Hà Nội", "0399999999")
