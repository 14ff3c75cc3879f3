"""Settings → Printers & templates: the live preview follows a switch of the app's
language made while the page is open (it stayed in the language the page opened in),
driven through the real page on a real migrated store."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from primedist.ui.i18n import install_language
from primedist.ui.settings.printers import PrintersSettings

pytestmark = pytest.mark.usefixtures("english")


def switch(lang: str) -> None:
    """Switch the app's language (as Settings → Language does) and let the widgets get
    the LanguageChange Qt posts them."""
    install_language(lang)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)


def preview_html(page: PrintersSettings) -> str:
    assert page.preview_document is not None
    return page.preview_document.html


def test_the_preview_follows_a_language_switch(qtbot, page: PrintersSettings) -> None:
    assert page.preview_lang.currentData() == "en"
    assert "Sales receipt" in preview_html(page)
    assert page.preview_image is not None
    english = page.preview_image.toImage()

    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        switch("vi")
    assert page.preview_lang.currentData() == "vi"
    html = preview_html(page)
    assert "Hóa đơn bán hàng" in html and "Sales receipt" not in html
    assert "80.000 ₫" in html  # the amounts in Vietnamese too
    assert page.preview_image.toImage() != english

    with qtbot.waitSignal(page.previewUpdated, timeout=5000):
        switch("en")
    assert page.preview_lang.currentData() == "en"
    assert "Sales receipt" in preview_html(page)
