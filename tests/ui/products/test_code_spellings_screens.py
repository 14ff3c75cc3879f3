"""A code typed from the digits under the bars (in their printed groups) or read as UPC-A
(12 digits) / EAN-13 (13, a leading 0) finds its item on every screen that looks codes up,
not only on the sale screen: the goods receipt's scan field (and what shares its look-up:
the CLI's purchase order lines, a delivery list imported), the stock-take's, and the
labels asked for by SKU or barcode (`primedist print labels`)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import Engine

from primedist.errors import ValidationError
from primedist.services import goods_receipts
from primedist.services import labels as label_svc
from primedist.services.context import ServiceContext
from primedist.ui.products.receipts import GoodsReceiptDialog
from primedist.ui.products.stocktake import StocktakePage
from tests.factories import make_product

pytestmark = pytest.mark.usefixtures("english")
WAIT_MS = 10_000

#: A UPC-A code (12 digits) and the same item's EAN-13 (a 0 in front).
UPC = "012345678905"
EAN_OF_UPC = "0" + UPC
#: Codes as a cashier or a scanner gives them, and the SKU each must find.
SPELLINGS = [
    ("8 930000 000028", "AO-M"),  # AO-M's 8930000000028, typed in its printed groups
    (EAN_OF_UPC, "COC-1"),  # saved as UPC-A, read as EAN-13
    ("040000000010", "TRA-1"),  # saved as EAN-13, read as UPC-A
]


@pytest.fixture
def coded(engine: Engine) -> None:
    make_product(engine, "Áo thun", [("AO-S", 99_000, 10), ("AO-M", 99_000, 3)],
                 barcodes=["8930000000011", "8930000000028"])  # fmt: skip
    make_product(engine, "Cốc sứ", [("COC-1", 45_000, 8)], barcodes=[UPC])
    make_product(engine, "Trà sen", [("TRA-1", 80_000, 8)], barcodes=["0040000000010"])


@pytest.fixture
def beeps(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    heard: list[bool] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: heard.append(True)))
    return heard


@pytest.mark.usefixtures("coded")
def test_the_goods_receipt_scan_finds_the_other_spellings(
    qtbot: Any, owner_ctx: ServiceContext, beeps: list[bool]
) -> None:
    dialog = GoodsReceiptDialog(owner_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    for code, _sku in SPELLINGS:
        dialog.search.setText(code)  # a scanner types the code…
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)  # …and Enter
    dialog.search.setText(UPC)  # as saved
    qtbot.keyClick(dialog.search, Qt.Key.Key_Return)
    assert [(ln.hit.sku, ln.quantity) for ln in dialog.lines] == [
        ("AO-M", 1), ("COC-1", 2), ("TRA-1", 1)]  # fmt: skip
    assert beeps == []


@pytest.mark.usefixtures("coded")
def test_the_shared_lookup_keeps_names_and_unknown_codes_apart(owner_ctx: ServiceContext) -> None:
    for code, sku in SPELLINGS:
        hit = goods_receipts.find_variant(owner_ctx, code)
        assert hit is not None and hit.sku == sku, code
    assert goods_receipts.find_variant(owner_ctx, "0040000000027") is None  # no such item
    assert goods_receipts.find_variant(owner_ctx, "893 0000") is None  # too short for a code


@pytest.mark.usefixtures("coded")
def test_the_stocktake_scan_finds_the_other_spellings(
    qtbot: Any, owner_ctx: ServiceContext, beeps: list[bool]
) -> None:
    page = StocktakePage(owner_ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    with qtbot.waitSignal(page.sheetLoaded, timeout=WAIT_MS):
        qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)
    for code, sku in SPELLINGS:
        qtbot.keyClicks(page.scan_field, code)
        qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)
        assert page.scan_message.text().startswith(f"{sku} · "), code
    counted = {row.sku: n for row, n in zip(page.model.rows, page.model.counted, strict=True)}
    assert counted == {"AO-M": 1, "AO-S": None, "COC-1": 1, "TRA-1": 1}
    assert beeps == []
    assert page.model.is_scan("8 930000 000028")  # typed into a Counted cell: a scan
    qtbot.keyClicks(page.scan_field, "0040000000027")
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)
    assert beeps == [True]


@pytest.mark.usefixtures("coded")
def test_labels_asked_for_by_another_spelling(owner_ctx: ServiceContext) -> None:
    wanted = [label_svc.SkuCopies(code, 2) for code, _sku in SPELLINGS]
    items = label_svc.items_for_skus(owner_ctx, [*wanted, label_svc.SkuCopies(UPC, 1)])
    assert [(i.sku, i.code, i.copies) for i in items] == [
        ("AO-M", "8930000000028", 2), ("COC-1", UPC, 2), ("TRA-1", "0040000000010", 2),
        ("COC-1", UPC, 1)]  # fmt: skip
    with pytest.raises(ValidationError, match="0040000000027"):
        label_svc.items_for_skus(owner_ctx, [label_svc.SkuCopies("0040000000027")])
