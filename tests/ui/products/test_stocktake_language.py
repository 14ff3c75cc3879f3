"""The stock-take's message beside the scan field follows a language switch, as the rest of
the page does: a refusal left in the other language read as a new, unexplained problem."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.products.stocktake import StocktakePage
from tests.factories import make_product
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "no_crash")


@pytest.fixture
def page(qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext) -> StocktakePage:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    make_product(engine, "Áo thun", [("AO-S", 99_000, 10)], barcodes=["8930000000011"])
    widget = StocktakePage(owner_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.sheetLoaded, timeout=WAIT):
        qtbot.mouseClick(widget.load_button, Qt.MouseButton.LeftButton)
    return widget


def scan(qtbot, page: StocktakePage, code: str) -> None:
    qtbot.keyClicks(page.scan_field, code)
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)


def test_an_unknown_code_is_said_again_in_the_language_chosen(qtbot, page):
    scan(qtbot, page, "XXX")
    assert page.scan_message.text() == (
        "Unknown code “XXX”: no line of this sheet has that barcode or SKU."
    )
    install_language("vi")
    qtbot.waitUntil(lambda: page.scan_message.text() == (
        "Không tìm thấy mã “XXX”: phiếu này không có dòng nào mang mã vạch hoặc SKU đó."
    ), timeout=WAIT)  # fmt: skip
    assert page.scan_message.objectName() == "errorText"  # still a refusal
    install_language("en")
    qtbot.waitUntil(lambda: page.scan_message.text().startswith("Unknown code “XXX”"),
                    timeout=WAIT)  # fmt: skip


def test_a_count_scanned_is_said_again_in_the_language_chosen(qtbot, page):
    assert page.scan_message.text() == "1 lines loaded. Scan the first item."
    scan(qtbot, page, "8930000000011")
    assert page.scan_message.text() == "AO-S · Áo thun: counted 1"
    install_language("vi")
    qtbot.waitUntil(lambda: page.scan_message.text() == "AO-S · Áo thun: đã đếm 1", timeout=WAIT)
