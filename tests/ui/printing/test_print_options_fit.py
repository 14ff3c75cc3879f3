"""Settings → Printers & templates on a 1366×768 laptop (the window maximized under a title
bar), in Vietnamese and English: the printer's fields two a row and the Options' ticks two
a row, so the Options show whole, the thank-you message and Save included, without
scrolling; what the page says after Save comes into view. At 1024 px the fields go back
to one a row, none cut at the side."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from primedist.config import Settings
from primedist.printing.model import DocumentType
from primedist.services.context import ServiceContext
from primedist.ui.app import ui_settings_for
from primedist.ui.i18n import install_language
from primedist.ui.main_window import MainWindow
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.printers import PrintersSettings

pytestmark = pytest.mark.usefixtures("quiet", "app_style")

#: A maximized window on a 1366×768 screen (the title bar takes about 20 px), and on 1024.
LAPTOP = (1366, 748)
SMALL = (1024, 748)


def printers_page(qtbot: QtBot, ctx: ServiceContext, settings: Settings,
                  size: tuple[int, int]) -> tuple[PrintersSettings, QScrollArea]:  # fmt: skip
    window = MainWindow(ctx, ui_settings_for(settings), "Nến Thơm Sài Gòn")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.showNormal()  # it opened maximized on the small test screen
    window.resize(*size)
    qtbot.waitUntil(lambda: window.size().toTuple() == size)
    page = window.select_tab("settings")
    assert isinstance(page, SettingsPage)
    section = page.select_section("printers")
    assert isinstance(section, PrintersSettings)
    qtbot.wait(100)  # the layout settles
    scroll = section.parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    return section, scroll


def in_view(widget: QWidget, scroll: QScrollArea) -> bool:
    top = widget.mapTo(scroll.viewport(), QPoint(0, 0)).y()
    return widget.isVisible() and 0 <= top and top + widget.height() <= scroll.viewport().height()


def whole(widget: QWidget) -> bool:
    return widget.width() >= widget.sizeHint().width()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_options_and_their_save_fit_a_laptop_without_scrolling(
    qtbot: QtBot, shop_ctx: ServiceContext, settings: Settings, lang: str
) -> None:
    install_language(lang)
    page, scroll = printers_page(qtbot, shop_ctx, settings, LAPTOP)
    assert page.printer_fields.wide and page.options_box.choices.wide
    assert scroll.verticalScrollBar().value() == 0
    form = page.options_box
    for widget in (*form.boxes.values(), form.font_size, form.message, form.save_button):
        assert in_view(widget, scroll), widget.objectName()
    for widget in (page.template, page.paper, page.kind, page.where, page.drawer):
        assert whole(widget), widget.objectName()
    form.message.setPlainText("Cảm ơn quý khách!")
    form.save_button.click()
    assert page.message.text()
    qtbot.waitUntil(lambda: in_view(page.message, scroll))  # what Save said, not below
    assert in_view(form.save_button, scroll)


def test_the_invoice_options_close_up_without_the_receipts_ticks(
    qtbot: QtBot, shop_ctx: ServiceContext, settings: Settings
) -> None:
    install_language("en")
    page, _scroll = printers_page(qtbot, shop_ctx, settings, LAPTOP)
    grid = page.options_box.choices.grid
    page.doc_type.setCurrentIndex(page.doc_type.findData(DocumentType.INVOICE.value))
    form = page.options_box
    assert form.boxes["show_points"].isHidden() and form.boxes["show_cashier"].isHidden()
    assert grid.indexOf(form.boxes["show_points"]) == -1  # no hole where it was
    assert grid.getItemPosition(grid.indexOf(form.font_size))[:2] == (2, 3)  # after the SKU


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_1024_window_has_one_field_a_row_none_cut(
    qtbot: QtBot, shop_ctx: ServiceContext, settings: Settings, lang: str
) -> None:
    install_language(lang)
    page, scroll = printers_page(qtbot, shop_ctx, settings, SMALL)
    assert not page.printer_fields.wide
    form = page.options_box
    for widget in (page.template, page.paper, page.kind, page.where, page.show_preview,
                   page.cut, page.drawer, *form.boxes.values(), form.font_size):  # fmt: skip
        assert whole(widget), widget.objectName()
    assert not scroll.horizontalScrollBar().isVisible()


def test_the_preview_caption_keeps_one_line_when_there_is_room(
    qtbot: QtBot, shop_ctx: ServiceContext, settings: Settings
) -> None:
    """It wraps only to let a 1024 px window in without a sideways scroll bar."""
    install_language("vi")
    page, _scroll = printers_page(qtbot, shop_ctx, settings, LAPTOP)
    caption = page.preview_caption
    assert caption.height() < 2 * caption.fontMetrics().height()
