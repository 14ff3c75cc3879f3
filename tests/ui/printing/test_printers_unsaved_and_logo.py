"""Settings → Printers & templates: an edited template is not lost when another document
type or template is chosen (Save / Discard / Cancel), a shop logo that is not a readable
image is refused naming the Logo field, and a chosen logo is copied into the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from primedist.printing.model import DocumentType
from primedist.printing.store import default_template, load_shop_details, load_template
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.printers import PrintersSettings

pytestmark = pytest.mark.usefixtures("english")

Button = QMessageBox.StandardButton
EDIT = "<p>KHUYẾN MÃI THÁNG 12</p>"


def _edit(page: PrintersSettings) -> str:
    edited = page.editor.toPlainText().replace("<html><body>", "<html><body>" + EDIT)
    page.editor.setPlainText(edited)
    return edited


def _choose(page: PrintersSettings, doc_type: DocumentType) -> None:
    page.doc_type.setCurrentIndex(page.doc_type.findData(doc_type.value))


def test_switching_document_type_asks_and_cancel_keeps_the_edit(page, answers):
    edited = _edit(page)
    _choose(page, DocumentType.INVOICE)
    assert answers == [
        "The changes to the template Receipt for an 80 mm roll are not saved. Save them?"
    ]
    # Cancel: the receipt and its edit stay, the combo is back on Receipt.
    assert page.current_doc_type() == DocumentType.RECEIPT
    assert page.template.currentData() == "receipt_80"
    assert page.editor.toPlainText() == edited


def test_switching_template_cancel_puts_the_combo_back(page, answers):
    edited = _edit(page)
    page.template.setCurrentIndex(page.template.findData("receipt_58"))
    assert len(answers) == 1
    assert page.template.currentData() == "receipt_80"
    assert page.editor.toPlainText() == edited


def test_save_answer_saves_the_template_that_was_edited(page, answers, shop_ctx):
    answers.answer = Button.Save
    edited = _edit(page)
    page.template.setCurrentIndex(page.template.findData("receipt_58"))
    assert load_template(shop_ctx, "receipt_80") == edited  # not saved as receipt_58
    assert load_template(shop_ctx, "receipt_58") == default_template("receipt_58")
    assert page.editor.toPlainText() == default_template("receipt_58")
    page.template.setCurrentIndex(page.template.findData("receipt_80"))
    assert EDIT in page.editor.toPlainText()
    assert len(answers) == 1  # nothing unsaved the second time


def test_discard_answer_drops_the_edit_and_unchanged_text_asks_nothing(page, answers, shop_ctx):
    _choose(page, DocumentType.INVOICE)  # nothing edited: no question
    _choose(page, DocumentType.RECEIPT)
    assert answers == []
    answers.answer = Button.Discard
    _edit(page)
    _choose(page, DocumentType.INVOICE)
    assert page.template.currentData() == "invoice_a4"
    _choose(page, DocumentType.RECEIPT)
    assert EDIT not in page.editor.toPlainText()
    assert load_template(shop_ctx, "receipt_80") == default_template("receipt_80")
    assert len(answers) == 1


def test_a_broken_edit_answered_save_stays_on_screen(page, answers, shop_ctx):
    answers.answer = Button.Save
    page.editor.appendPlainText("{{#lines}}")  # never closed: the save is refused
    broken = page.editor.toPlainText()
    _choose(page, DocumentType.INVOICE)
    assert "never closed" in page.message.text()
    assert page.current_doc_type() == DocumentType.RECEIPT
    assert page.editor.toPlainText() == broken


def test_confirm_leave_is_there_for_the_settings_page(page, answers):
    assert page.confirm_leave() and answers == []
    _edit(page)
    assert not page.confirm_leave()  # Cancel
    answers.answer = Button.Discard
    assert page.confirm_leave()


# --------------------------------------------------------------------------- logo


def test_a_missing_logo_is_refused_naming_the_logo(page, shop_ctx):
    page.shop_fields["logo_path"].setText("/nonexistent/logo.png")
    page.shop_fields["address"].setText("12 Lê Lợi, Q1")
    page.save_shop()
    assert page.message.text() == (
        "The logo /nonexistent/logo.png cannot be used: the file cannot be found."
    )
    assert load_shop_details(shop_ctx).address != "12 Lê Lợi, Q1"  # nothing saved


def test_a_file_that_is_not_an_image_is_refused(page, shop_ctx, tmp_path):
    fake = tmp_path / "logo.png"
    fake.write_text("not a picture")
    page.shop_fields["logo_path"].setText(str(fake))
    page.save_shop()
    assert page.message.text() == (
        f"The logo {fake} cannot be used: this is not an image Primedist can read."
    )
    assert load_shop_details(shop_ctx).logo_path == ""


def test_a_chosen_logo_is_copied_into_the_data_folder(page, shop_ctx, tmp_path):
    source = tmp_path / "my logo.png"
    Image.new("RGB", (200, 80), (200, 30, 30)).save(source)
    page.shop_fields["logo_path"].setText(str(source))
    page.save_shop()
    assert page.message.text() == "Shop details saved."
    stored = load_shop_details(shop_ctx).logo_path
    assert not Path(stored).is_absolute() and stored.startswith("images/shop/")
    copy = Path(shop_ctx.settings.data_dir) / stored
    assert copy.read_bytes() == source.read_bytes()
    assert page.shop_fields["logo_path"].text() == stored  # the form shows what is kept
    source.unlink()  # the copy prints on without the original
    page.update_preview()
    assert page.error == ""
    page.save_shop()  # saving again keeps the copy as it is
    assert load_shop_details(shop_ctx).logo_path == stored


def test_a_stored_logo_missing_on_this_pc_does_not_block_saving(page, shop_ctx, tmp_path):
    """A restored backup or another PC on a shared server has the logo's path but not its
    copy: changing the phone still saves (only a newly chosen logo is checked)."""
    source = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (20, 120, 30)).save(source)
    page.shop_fields["logo_path"].setText(str(source))
    page.save_shop()
    stored = load_shop_details(shop_ctx).logo_path
    (Path(shop_ctx.settings.data_dir) / stored).unlink()
    page.shop_fields["phone"].setText("0909 123 456")
    page.save_shop()
    assert page.message.text() == "Shop details saved."
    details = load_shop_details(shop_ctx)
    assert (details.logo_path, details.phone) == (stored, "0909 123 456")


def test_a_logo_that_cannot_be_copied_says_why(page, shop_ctx, tmp_path):
    source = tmp_path / "logo.png"
    Image.new("RGB", (120, 60), (20, 120, 30)).save(source)
    images = Path(shop_ctx.settings.data_dir) / "images"
    images.mkdir(exist_ok=True)
    (images / "shop").write_text("a file where the folder goes")
    page.shop_fields["logo_path"].setText(str(source))
    page.save_shop()
    assert page.message.text().startswith("The logo cannot be copied into the data folder (")
    assert load_shop_details(shop_ctx).logo_path != str(source)  # nothing saved


# --------------------------------------------------------------------------- texts


def test_the_receipt_template_opens_with_a_vietnamese_comment(page):
    """The editor shows the shipped template: its opening comment is in Vietnamese too,
    naming the section as the Vietnamese app does."""
    from PySide6.QtCore import QCoreApplication

    from primedist.ui.i18n import install_language

    install_language("vi")
    try:
        section = QCoreApplication.translate("SettingsPage", "Printers & templates")
        settings = QCoreApplication.translate("MainWindow", "Settings")
    finally:
        install_language("en")
    assert section != "Printers & templates"  # the catalogue was installed
    first_line = page.editor.toPlainText().splitlines()[0]
    assert first_line.startswith("<!-- Hóa đơn khổ cuộn 80 mm.")
    assert f"{settings} → {section}" in first_line


def test_closing_the_window_asks_about_an_unsaved_template(qtbot, owner_ctx, settings, answers):
    """The window's close (X) shows Settings → Printers and asks; Cancel keeps it open with
    the edit, Discard lets it close."""
    from primedist.ui.app import ui_settings_for
    from primedist.ui.main_window import MainWindow

    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    window.show()
    window.select_tab("home")
    settings_page = window.tab_pages["settings"].ensure_built()
    assert isinstance(settings_page, SettingsPage)
    printers = settings_page.select_section("printers")
    assert isinstance(printers, PrintersSettings)
    settings_page.select_section("account")
    assert window.may_close()  # nothing edited: no question
    assert answers == []
    edited = _edit(printers)
    assert not window.may_close()  # Cancel
    assert len(answers) == 1
    assert window.tabs.currentWidget() is window.tab_pages["settings"]
    assert settings_page.stack.currentWidget().isAncestorOf(printers)
    assert printers.editor.toPlainText() == edited
    answers.answer = Button.Discard
    assert window.may_close()


def test_switch_user_from_the_menu_asks_about_an_unsaved_template(
    qtbot, owner_ctx, settings, answers
):
    from primedist.ui.app import ui_settings_for
    from primedist.ui.main_window import MainWindow

    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng")
    qtbot.addWidget(window)
    window.show()
    settings_page = window.select_tab("settings")
    assert isinstance(settings_page, SettingsPage)
    printers = settings_page.select_section("printers")
    assert isinstance(printers, PrintersSettings)
    _edit(printers)
    switched: list[bool] = []
    window.switchUserRequested.connect(lambda: switched.append(True))
    window.switch_user_asked()  # Cancel: stays signed in, the edit kept
    assert (len(answers), switched) == (1, [])
    answers.answer = Button.Discard
    window.switch_user_asked()
    assert switched == [True]
