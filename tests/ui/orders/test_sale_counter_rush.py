# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""A busy counter with the keyboard and a barcode scanner only: F2 opens a sale from any
tab; a code typed from the digits under the bars (in groups) or read by a scanner as
UPC-A / EAN-13 finds its variant; Enter after a voucher scanned (or a discount typed)
sends the next scan to the products, not onto the voucher code; a name typed and Enter at
once needs no second Enter; F2 right after a tab's key is not lost."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.core.product_codes import other_code_spellings
from primedist.services.context import ServiceContext
from primedist.services.loyalty.vouchers import VoucherDraft, save_voucher
from primedist.ui.main_window import MainWindow
from primedist.ui.orders.sale import SaleDialog
from tests.factories import make_product
from tests.ui.orders.test_sale_dialog import (  # noqa: F401  (fixtures)
    SHIRT_M,
    SHIRT_S,
    dialog,
    field,
    lines,
    products,
    questions,
    scan,
    settle,
)
from tests.ui.test_keyboard_flow import main_window, press

pytestmark = pytest.mark.usefixtures("english")

#: A UPC-A code (12 digits) and the same item's EAN-13 (a 0 in front).
UPC = "012345678905"
EAN_OF_UPC = "0" + UPC


@pytest.fixture
def coded(engine: Engine, products: dict[str, int]) -> dict[str, int]:
    """Two items whose codes scanners read another way than they were saved."""
    mug = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 8)], barcodes=[UPC])
    tea = make_product(engine, "Trà sen", [("TRA-1", 80_000, 8)], barcodes=["0040000000010"])
    return {"COC-1": mug[0], "TRA-1": tea[0]}


def test_the_other_spellings_of_a_code() -> None:
    assert other_code_spellings("8 930000 000028") == ["8930000000028"]
    assert other_code_spellings(UPC) == [EAN_OF_UPC]
    assert other_code_spellings(EAN_OF_UPC) == [UPC]
    assert other_code_spellings("0 12345 67890 5") == [UPC, EAN_OF_UPC]
    assert other_code_spellings("ao thun 2") == []
    assert other_code_spellings("30 32") == []  # sizes searched for, not a code


def test_a_code_typed_in_its_printed_groups_adds_that_variant(
    qtbot: Any, dialog: SaleDialog
) -> None:
    """The label's digits are printed "8 930000 000028": typed so, they were a name search
    whose first row was the product's OTHER size (AO-S), and Enter picked nothing."""
    scan(qtbot, dialog, "8 930000 000028")
    assert lines(dialog) == [("AO-M", 1)]
    assert not dialog.product_popup.isVisible()
    assert field(dialog, "productSearch").text() == ""
    assert dialog.focusWidget() is field(dialog, "productSearch")
    scan(qtbot, dialog, "AO-M")  # the variant's SKU finds the same line as its barcode
    scan(qtbot, dialog, SHIRT_S)
    assert lines(dialog) == [("AO-M", 2), ("AO-S", 1)]


def test_upc_and_ean_13_readings_find_the_same_item(
    qtbot: Any, dialog: SaleDialog, coded: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    beeps: list[None] = []
    monkeypatch.setattr(QApplication, "beep", lambda: beeps.append(None))
    scan(qtbot, dialog, UPC)  # as saved
    scan(qtbot, dialog, EAN_OF_UPC)  # a scanner set to EAN-13 adds the leading 0
    scan(qtbot, dialog, "040000000010")  # saved as EAN-13, read as UPC-A
    assert lines(dialog) == [("COC-1", 2), ("TRA-1", 1)]
    assert not dialog.product_popup.isVisible()
    assert beeps == []
    scan(qtbot, dialog, "0040000000027")  # no item: said, beeped, selected for the next scan
    assert dialog.product_popup.isVisible() and len(beeps) == 1
    assert dialog.product_popup.item(0).text() == "No product matches “0040000000027”"
    scan(qtbot, dialog, SHIRT_S)
    assert lines(dialog) == [("COC-1", 2), ("TRA-1", 1), ("AO-S", 1)]


def test_enter_after_a_scanned_voucher_goes_back_to_the_products(
    qtbot: Any, dialog: SaleDialog, owner_ctx: ServiceContext
) -> None:
    """A printed voucher scanned ends with Enter: the next item's scan typed onto the
    voucher code ("GIAM208930000000011"), which then did not exist."""
    save_voucher(owner_ctx, VoucherDraft("GIAM20", value=20_000))
    product = field(dialog, "productSearch")
    scan(qtbot, dialog, SHIRT_S)
    qtbot.keyClick(product, Qt.Key.Key_F7)
    voucher = field(dialog, "voucherCode")
    qtbot.keyClicks(voucher, "GIAM20")
    qtbot.keyClick(voucher, Qt.Key.Key_Return)
    assert dialog.focusWidget() is product
    scan(qtbot, dialog, SHIRT_M)
    settle(qtbot, dialog)
    assert voucher.text() == "GIAM20"
    assert lines(dialog) == [("AO-S", 1), ("AO-M", 1)]
    assert dialog.quote is not None and dialog.quote.voucher_discount == 20_000
    qtbot.keyClick(product, Qt.Key.Key_F6)  # the order discount: Enter, then a scan
    qtbot.keyClicks(field(dialog, "orderDiscount"), "10000")
    qtbot.keyClick(field(dialog, "orderDiscount"), Qt.Key.Key_Return)
    assert dialog.focusWidget() is product
    scan(qtbot, dialog, SHIRT_S)
    assert lines(dialog) == [("AO-S", 2), ("AO-M", 1)]
    assert field(dialog, "orderDiscount").text() == "10,000"  # formatted as it left


def sale_opened(qtbot: Any) -> SaleDialog:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SaleDialog))
    sale = QApplication.activeModalWidget()
    assert isinstance(sale, SaleDialog)
    qtbot.waitUntil(lambda: sale.focusWidget() is field(sale, "productSearch"))
    return sale


def back_to(qtbot: Any, window: MainWindow) -> None:
    """The sale closed, the main window has the keyboard again."""
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def test_f2_opens_a_sale_from_any_tab(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, products: dict[str, int]
) -> None:
    """F2 was "New order" on the Orders tab only: on Home (where the app opens) it did
    nothing, and the cashier had to find the Orders tab first."""
    window = main_window(qtbot, owner_ctx, settings)
    assert window.tabs.currentWidget() is window.tab_pages["home"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F2)
    sale = sale_opened(qtbot)
    assert window.tabs.currentWidget() is window.tab_pages["orders"]
    scan(qtbot, sale, SHIRT_S)
    assert lines(sale) == [("AO-S", 1)]
    sale.model.clear()
    qtbot.keyClick(sale.focusWidget(), Qt.Key.Key_Escape)
    # On the Orders tab F2 is still its "New order" (one owner of the key, not two).
    back_to(qtbot, window)
    assert not window.sale_key.isEnabled()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F2)
    sale = sale_opened(qtbot)
    sale.reject()
    # From the Customers tab too.
    back_to(qtbot, window)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.tab_pages["customers"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F2)
    sale = sale_opened(qtbot)
    assert window.tabs.currentWidget() is window.tab_pages["orders"]
    sale.reject()


def test_a_name_and_enter_at_once_adds_its_only_match(qtbot: Any, dialog: SaleDialog) -> None:
    """Part of a name typed and Enter pressed straight away: its only match was listed, and
    a second Enter was needed to add it."""
    product = field(dialog, "productSearch")
    qtbot.keyClicks(product, "quan jean")
    qtbot.keyClick(product, Qt.Key.Key_Return)
    assert lines(dialog) == [("QJ-30", 1)]
    assert not dialog.product_popup.isVisible() and product.text() == ""
    assert dialog.focusWidget() is product
    qtbot.keyClicks(product, "QJ")  # the start of a SKU with one match: the same
    qtbot.keyClick(product, Qt.Key.Key_Return)
    assert lines(dialog) == [("QJ-30", 2)]


def test_a_name_with_several_matches_lists_them_the_first_highlighted(
    qtbot: Any, dialog: SaleDialog
) -> None:
    """Several matches: the list shows with its first row highlighted, so the next Enter
    adds it (nothing was highlighted: the cashier could not see what Enter would add)."""
    product = field(dialog, "productSearch")
    popup = dialog.product_popup
    qtbot.keyClicks(product, "ao thun")
    qtbot.keyClick(product, Qt.Key.Key_Return)
    assert popup.isVisible() and popup.count() == 2 and lines(dialog) == []
    assert popup.currentRow() == 0 and popup.item(0).isSelected()
    assert "AO-S" in popup.item(0).text()
    qtbot.keyClick(product, Qt.Key.Key_Return)
    assert lines(dialog) == [("AO-S", 1)] and not popup.isVisible()
    qtbot.keyClicks(product, "ao thun")
    qtbot.keyClick(product, Qt.Key.Key_Return)
    qtbot.keyClick(product, Qt.Key.Key_Down)  # from the highlighted first row to the next
    qtbot.keyClick(product, Qt.Key.Key_Return)
    assert lines(dialog) == [("AO-S", 1), ("AO-M", 1)]


def test_f2_right_after_a_tab_key_opens_the_sale(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, products: dict[str, int]
) -> None:
    """Ctrl+4 then F2 at once: the Orders tab, built as it first showed, was not shown yet
    (its "New order" button, F2's owner there, took no key), and F2 was lost. Each tab's key
    here is its first press, each F2 pressed before anything else runs."""
    window = main_window(qtbot, owner_ctx, settings)
    for key in (Qt.Key.Key_4, Qt.Key.Key_3, Qt.Key.Key_5, Qt.Key.Key_6, Qt.Key.Key_2):
        press(qtbot, key, Qt.KeyboardModifier.ControlModifier)
        press(qtbot, Qt.Key.Key_F2)
        sale = sale_opened(qtbot)
        assert window.tabs.currentWidget() is window.tab_pages["orders"]
        sale.reject()
        back_to(qtbot, window)
