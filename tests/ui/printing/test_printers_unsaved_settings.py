"""Settings → Printers & templates: changed printer settings are not thrown away without a
question (another document type, closing the window), "Show the print preview" is greyed
out for an ESC/POS printer (it prints at once), and the shop's name saved there shows in
the window's header and title at once, as plain text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from primedist.printing.model import DocumentType, TargetKind
from primedist.printing.store import load_profile
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.printers import KINDS, PrintersSettings

pytestmark = pytest.mark.usefixtures("english")

Button = QMessageBox.StandardButton
ASKED = "The printer settings for Receipt are not saved. Save them?"


def _lan_printer(page: PrintersSettings) -> None:
    page.kind.setCurrentIndex(KINDS.index(TargetKind.NETWORK))
    page.address.setText("192.168.1.77:9100")
    page.drawer.setChecked(True)


def _choose(page: PrintersSettings, doc_type: DocumentType) -> None:
    page.doc_type.setCurrentIndex(page.doc_type.findData(doc_type.value))


def test_another_document_type_asks_and_cancel_keeps_the_printer(page, answers):
    _lan_printer(page)
    assert page.has_unsaved()
    _choose(page, DocumentType.INVOICE)
    assert answers == [ASKED]
    assert page.current_doc_type() == DocumentType.RECEIPT
    assert page.kind.currentData() == TargetKind.NETWORK.value
    assert page.address.text() == "192.168.1.77:9100" and page.drawer.isChecked()


def test_save_keeps_the_printer_for_the_type_it_was_set_for(page, answers, shop_ctx):
    answers.answer = Button.Save
    _lan_printer(page)
    _choose(page, DocumentType.INVOICE)
    assert page.current_doc_type() == DocumentType.INVOICE
    receipt = load_profile(shop_ctx, DocumentType.RECEIPT)
    assert (receipt.target.kind, receipt.target.host, receipt.target.port) == (
        TargetKind.NETWORK, "192.168.1.77", 9100)  # fmt: skip
    assert receipt.open_drawer
    assert load_profile(shop_ctx, DocumentType.INVOICE).target.kind == TargetKind.SYSTEM
    _choose(page, DocumentType.RECEIPT)  # nothing changed on the invoice: no question
    assert len(answers) == 1
    assert page.address.text() == "192.168.1.77:9100" and page.drawer.isChecked()


def test_discard_drops_the_change_and_nothing_changed_asks_nothing(page, answers, shop_ctx):
    _choose(page, DocumentType.INVOICE)
    _choose(page, DocumentType.RECEIPT)
    assert answers == [] and not page.has_unsaved()
    answers.answer = Button.Discard
    _lan_printer(page)
    _choose(page, DocumentType.INVOICE)
    assert answers == [ASKED]
    _choose(page, DocumentType.RECEIPT)
    assert page.kind.currentData() == TargetKind.SYSTEM.value and not page.drawer.isChecked()
    assert load_profile(shop_ctx, DocumentType.RECEIPT).target.kind == TargetKind.SYSTEM


def test_a_saved_printer_is_no_longer_unsaved(page, answers):
    _lan_printer(page)
    assert page.save_profile()
    assert not page.has_unsaved()
    _choose(page, DocumentType.INVOICE)
    assert answers == []


def test_an_address_half_typed_counts_as_unsaved(page, answers):
    page.kind.setCurrentIndex(KINDS.index(TargetKind.NETWORK))
    page.address.setText("192.168.1.")  # not an address yet
    assert page.has_unsaved()
    assert not page.confirm_leave()  # Cancel


def test_closing_the_window_asks_about_unsaved_printer_settings(
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
    settings_page.select_section("account")
    assert window.may_close() and answers == []
    _lan_printer(printers)
    assert not window.may_close()  # Cancel: the window stays, the printer too
    assert answers == [ASKED]
    assert settings_page.stack.currentWidget().isAncestorOf(printers)
    assert printers.address.text() == "192.168.1.77:9100"
    answers.answer = Button.Discard
    assert window.may_close()


@pytest.mark.parametrize("kind", [TargetKind.NETWORK, TargetKind.USB, TargetKind.SERIAL])
def test_preview_first_is_greyed_out_for_an_escpos_printer(page, kind):
    assert page.show_preview.isEnabled() and page.show_preview.toolTip() == ""
    page.kind.setCurrentIndex(KINDS.index(kind))
    assert not page.show_preview.isEnabled()
    assert "no print preview" in page.show_preview.toolTip()
    page.kind.setCurrentIndex(KINDS.index(TargetKind.SYSTEM))
    assert page.show_preview.isEnabled() and page.show_preview.toolTip() == ""


def test_a_stored_escpos_printer_opens_with_preview_greyed_out(page, answers):
    _lan_printer(page)
    assert page.save_profile()
    _choose(page, DocumentType.INVOICE)
    assert page.show_preview.isEnabled()
    _choose(page, DocumentType.RECEIPT)
    assert not page.show_preview.isEnabled()


def test_the_shop_name_in_the_header_is_plain_and_follows_a_rename(qtbot, owner_ctx, settings):
    from primedist.ui.app import ui_settings_for
    from primedist.ui.main_window import MainWindow

    window = MainWindow(owner_ctx, ui_settings_for(settings), "Tiệm Nến <b>&amp;</b>")
    qtbot.addWidget(window)
    window.show()
    assert window.shop_label.textFormat() == Qt.TextFormat.PlainText
    settings_page = window.select_tab("settings")
    assert isinstance(settings_page, SettingsPage)
    printers = settings_page.select_section("printers")
    assert isinstance(printers, PrintersSettings)
    printers.shop_fields["name"].setText("  Tiệm Nến Hoa Mai  ")
    printers.save_shop()
    assert window.shop_label.text() == "Tiệm Nến Hoa Mai"  # as kept (trimmed)
    assert window.windowTitle() == "Prime Distribution — Tiệm Nến Hoa Mai"
