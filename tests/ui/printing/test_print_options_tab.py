"""Settings → Printers & templates → Options with real widgets: the first tab (the HTML is
Advanced), each change redraws the preview, Save keeps the options of the document type
shown, unsaved options are not thrown away without a question."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from primedist.printing.model import DocumentType
from primedist.printing.store import default_template, load_options, save_template

pytestmark = pytest.mark.usefixtures("english")


def _height(page) -> int:
    assert page.preview_image is not None
    return page.preview_image.height()


def test_options_come_first_and_the_preview_follows_them(qtbot, page):
    assert [page.pages.tabText(i) for i in range(page.pages.count())] == [
        "Options", "Advanced (HTML)", "Shop details"]  # fmt: skip
    assert page.pages.currentWidget() is page.options_box
    boxes = page.options_box.boxes
    assert boxes["show_code"].isChecked() and not boxes["show_sku"].isChecked()
    assert not boxes["show_logo"].isEnabled()  # the shop has no logo yet
    assert page.options_box.message.placeholderText() == "Thank you and see you again!"
    before = _height(page)
    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        boxes["show_code"].setChecked(False)  # the QR code goes
    without_code = _height(page)
    assert without_code < before
    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        page.options_box.message.setPlainText("Cảm ơn quý khách!\nĐổi hàng trong 7 ngày.\nZalo")
    assert _height(page) > without_code  # two more lines at the foot
    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        page.options_box.font_size.setCurrentIndex(1)  # Large
    assert _height(page) > without_code * 1.1


def test_save_keeps_the_options_of_the_document_type_shown(qtbot, page, shop_ctx, answers):
    page.options_box.boxes["show_sku"].setChecked(True)
    page.options_box.message.setPlainText("  Hẹn gặp lại!  ")
    assert page.has_unsaved()
    assert page.save_options()
    assert page.message.text() == "Options saved for Receipt."
    kept = load_options(shop_ctx, DocumentType.RECEIPT)
    assert kept.show_sku and kept.message == "Hẹn gặp lại!"
    assert not page.has_unsaved()
    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.INVOICE.value))
    assert answers == []  # nothing unsaved: no question
    assert page.options_box.message.toPlainText() == ""
    assert page.options_box.boxes["show_points"].isHidden()  # a receipt's line


def test_unsaved_options_ask_before_another_document_type(qtbot, page, shop_ctx, answers):
    page.options_box.boxes["show_phone"].setChecked(False)
    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.INVOICE.value))
    assert answers == ["The options for Receipt are not saved. Save them?"]  # Cancel
    assert page.current_doc_type() == DocumentType.RECEIPT
    assert not page.options_box.boxes["show_phone"].isChecked()
    answers.answer = QMessageBox.StandardButton.Save
    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.INVOICE.value))
    assert page.current_doc_type() == DocumentType.INVOICE
    assert not load_options(shop_ctx, DocumentType.RECEIPT).show_phone
    assert load_options(shop_ctx, DocumentType.INVOICE).show_phone


def test_a_shops_own_template_is_said_to_follow_only_its_placeholders(qtbot, shop_ctx, page):
    assert page.options_box.custom_note.isHidden()
    page.editor.setPlainText(default_template("receipt_80").replace("{{footer}}", "Hẹn gặp lại"))
    assert page.save_template()
    assert not page.options_box.custom_note.isHidden()
    save_template(shop_ctx, "invoice_a4", "<p>{{order_number}}</p>")
    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.INVOICE.value))
    assert not page.options_box.custom_note.isHidden()
