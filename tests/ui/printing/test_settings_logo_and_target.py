"""Settings → Printers & templates: the page opens whatever logo is stored, and the USB id
and serial port errors of the printer form are worded in the app's language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PIL import Image
from PySide6.QtCore import QTranslator

from primedist.printing.model import TargetKind
from primedist.printing.store import load_shop_details, save_shop_details
from primedist.ui.settings.page import SettingsPage
from primedist.ui.settings.printers import KINDS, PrintersSettings

pytestmark = pytest.mark.usefixtures("english")

#: A stand-in catalogue for the form's context.
CATALOGUE = {
    "%1 is not a USB id: use VENDOR:PRODUCT in hex, e.g. 04b8:0202.":
        "%1 không phải mã USB: nhập VENDOR:PRODUCT dạng hex, ví dụ 04b8:0202.",
    "Type the serial port, e.g. /dev/ttyUSB0 or COM3.":
        "Nhập cổng nối tiếp, ví dụ /dev/ttyUSB0 hoặc COM3.",
}  # fmt: skip


class StandIn(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ANN001, ANN201
        return CATALOGUE.get(source) if context == "PrintersSettings" else None

    def isEmpty(self) -> bool:  # noqa: N802
        return False


@pytest.fixture
def catalogue(qapp) -> Iterator[StandIn]:
    translator = StandIn()
    qapp.installTranslator(translator)
    yield translator
    qapp.removeTranslator(translator)


def test_settings_open_with_a_cmyk_logo(qtbot, shop_ctx, tmp_path):
    """A CMYK JPEG logo used to raise while the preview was drawn: the page never opened,
    so the logo could not be removed there."""
    logo = tmp_path / "logo_cmyk.jpg"
    Image.new("CMYK", (300, 120), (0, 230, 220, 30)).save(logo)
    save_shop_details(shop_ctx, replace(load_shop_details(shop_ctx), logo_path=str(logo)))
    settings = SettingsPage(shop_ctx)
    qtbot.addWidget(settings)
    settings.show()
    page = settings.select_section("printers")
    assert isinstance(page, PrintersSettings)
    assert page.error == "" and page.preview_image is not None
    assert page.shop_fields["logo_path"].text() == load_shop_details(shop_ctx).logo_path
    page.shop_fields["logo_path"].setText("")  # and it can be removed
    page.save_shop()
    assert load_shop_details(shop_ctx).logo_path == ""


def test_usb_and_serial_errors_are_translated(qtbot, shop_ctx, catalogue):
    settings = SettingsPage(shop_ctx)
    qtbot.addWidget(settings)
    settings.show()
    page = settings.select_section("printers")
    assert isinstance(page, PrintersSettings)
    page.kind.setCurrentIndex(KINDS.index(TargetKind.USB))
    page.usb_ids.setText("epson")
    page.save_profile()
    assert page.message.text() == (
        "'epson' không phải mã USB: nhập VENDOR:PRODUCT dạng hex, ví dụ 04b8:0202."
    )
    page.kind.setCurrentIndex(KINDS.index(TargetKind.SERIAL))
    page.serial_device.setText("  ")
    page.save_profile()
    assert page.message.text() == "Nhập cổng nối tiếp, ví dụ /dev/ttyUSB0 hoặc COM3."
