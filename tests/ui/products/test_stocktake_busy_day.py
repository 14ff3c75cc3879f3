"""The stock-take on a busy day: a scan before the sheet is loaded loads it and counts,
"37*code" counts 37 at once (as goods receipts read it), also typed into a Counted cell, a
scan scrolls only as far as needed to show its line, and counts far below the stock are
confirmed before applying."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox
from sqlalchemy.engine import Engine

from primedist.core.product_codes import split_times
from primedist.services.context import ServiceContext
from primedist.ui.products import stocktake
from primedist.ui.products.stocktake import COL_COUNTED, StocktakePage
from tests.factories import make_product

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")
#: SKU, price, on hand: 60 lines of a size each, so that the sheet scrolls.
SIZES = [(f"AO-{n:02d}", 99_000, 140 if n < 7 else 5) for n in range(60)]


@pytest.fixture
def page(qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext) -> StocktakePage:
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: None))
    make_product(engine, "Áo thun", SIZES, barcodes=[f"89300000{n:05d}" for n in range(60)])
    widget = StocktakePage(owner_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def load(qtbot, page: StocktakePage) -> None:
    with qtbot.waitSignal(page.sheetLoaded, timeout=WAIT_MS):
        qtbot.mouseClick(page.load_button, Qt.MouseButton.LeftButton)


def scan(qtbot, page: StocktakePage, code: str) -> None:
    qtbot.keyClicks(page.scan_field, code)
    qtbot.keyClick(page.scan_field, Qt.Key.Key_Return)


def counted(page: StocktakePage, sku: str) -> int | None:
    return page.model.counted[row_of(page, sku)]


def row_of(page: StocktakePage, sku: str) -> int:
    return [r.sku for r in page.model.rows].index(sku)


def type_in_cell(qtbot, page: StocktakePage, sku: str, text: str) -> None:
    """Type `text` and Enter into the Counted cell of `sku`'s line."""
    index = page.model.index(row_of(page, sku), COL_COUNTED)
    page.view.setCurrentIndex(index)
    page.view.edit(index)
    (editor,) = page.view.viewport().findChildren(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not page.view.viewport().findChildren(QLineEdit), timeout=WAIT_MS)


def test_a_scan_before_the_sheet_loads_it_then_counts(qtbot, page: StocktakePage) -> None:
    assert not page.model.rows
    with qtbot.waitSignal(page.sheetLoaded, timeout=WAIT_MS):
        scan(qtbot, page, "8930000000003")
        # A second scan while it loads waits for it too, in the field still on.
        assert page.scan_field.isEnabled() and page.scan_field.text() == ""
        scan(qtbot, page, "3*AO-04")
    qtbot.waitUntil(lambda: not page._busy, timeout=WAIT_MS)
    assert len(page.model.rows) == 60
    assert counted(page, "AO-03") == 1 and counted(page, "AO-04") == 3
    assert page.totals().lines == 2
    assert page.scan_message.text() == "AO-04 · Áo thun: counted 3"
    assert page.view.currentIndex().row() == 4


def test_a_scan_on_an_uncounted_sheet_of_other_filters_loads_the_chosen_one(
    qtbot, page: StocktakePage
) -> None:
    page.loaded_filters = ("Nothing", None)  # as if a category's sheet was shown
    with qtbot.waitSignal(page.sheetLoaded, timeout=WAIT_MS):
        scan(qtbot, page, "AO-01")
    assert page.loaded_filters == (None, None) and counted(page, "AO-01") == 1
    # With a count on it, the sheet there is kept: the scan counts on it.
    page.loaded_filters = ("Nothing", None)
    scan(qtbot, page, "AO-01")
    assert counted(page, "AO-01") == 2 and not page._busy


def test_times_before_a_code_counts_that_many_at_once(qtbot, page: StocktakePage) -> None:
    assert split_times("37*8930000000002") == (37, "8930000000002")
    assert split_times(" 5 * ao ") == (5, "ao") and split_times("12*") == (12, "")
    assert split_times("AO-01") == (None, "AO-01")
    load(qtbot, page)
    scan(qtbot, page, "37*8930000000002")
    assert counted(page, "AO-02") == 37  # one entry, not a refusal
    scan(qtbot, page, "AO-02")
    assert counted(page, "AO-02") == 38
    scan(qtbot, page, "12*")  # alone: the line scanned last is 12
    assert counted(page, "AO-02") == 12
    assert page.scan_message.text() == "AO-02 · Áo thun: counted 12"
    scan(qtbot, page, "0*AO-02")
    assert counted(page, "AO-02") == 12
    assert page.scan_message.text() == "Type 1 to 1,000,000 before the *."
    assert page.scan_message.objectName() == "errorText"
    scan(qtbot, page, "999999*AO-02")  # past the most a count can be: refused, not capped
    assert counted(page, "AO-02") == 12
    assert page.scan_message.text() == "AO-02: a count is at most 1,000,000."


def test_times_a_code_typed_into_a_counted_cell_counts_the_code_s_line(
    qtbot, page: StocktakePage
) -> None:
    """A "37*code" in a Counted cell was refused as not a number: the line of the code now
    gets the count, this line or another (selected, scrolled to, said); an unknown code
    is refused naming it; a plain number counts as before."""
    load(qtbot, page)
    type_in_cell(qtbot, page, "AO-02", "37*8930000000002")  # this line's barcode
    assert counted(page, "AO-02") == 37
    type_in_cell(qtbot, page, "AO-02", "5 * ao-02")  # its SKU, in another case
    assert counted(page, "AO-02") == 5
    type_in_cell(qtbot, page, "AO-02", "12*")  # alone: this line
    assert counted(page, "AO-02") == 12

    # Another line's code: that line is counted, shown and selected; this one keeps its 12.
    type_in_cell(qtbot, page, "AO-02", "37*8930000000050")
    qtbot.waitUntil(lambda: page.view.currentIndex().row() == 50, timeout=WAIT_MS)
    assert counted(page, "AO-50") == 37 and counted(page, "AO-02") == 12
    assert page.view.selectionModel().isRowSelected(50)
    assert page.view.rowAt(page.view.viewport().height() - 1) >= 50  # scrolled to it
    assert page.scan_message.text() == (
        "“8930000000050” is AO-50 · Áo thun: that line is counted 37."
    )
    assert page.scan_message.objectName() == "muted"
    assert page.totals().lines == 2

    # An unknown code, or more than a count can be: refused, nothing counted.
    type_in_cell(qtbot, page, "AO-03", "37*NOPE-1")
    assert counted(page, "AO-03") is None and page.totals().lines == 2
    assert page.scan_message.text() == (
        "Unknown code “NOPE-1”: no line of this sheet has that barcode or SKU."
    )
    assert page.scan_message.objectName() == "errorText"
    type_in_cell(qtbot, page, "AO-03", "2000000*AO-03")
    assert counted(page, "AO-03") is None
    assert page.scan_message.text() == (
        "“2000000*AO-03” is more than a count can be (at most 1,000,000): type the number "
        "counted, or scan in the scan field."
    )
    type_in_cell(qtbot, page, "AO-03", "1.200")  # a plain number: as before
    assert counted(page, "AO-03") == 1200


def test_a_scan_scrolls_only_as_far_as_its_line_needs(qtbot, page: StocktakePage) -> None:
    load(qtbot, page)
    bar = page.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 20, timeout=WAIT_MS)  # laid out
    bar.setValue(20)  # AO-20 at the top
    qtbot.wait(10)
    top = page.view.rowAt(0)
    last = page.view.rowAt(page.view.viewport().height() - 1)
    assert top == 20 and last > top + 3
    scan(qtbot, page, f"AO-{last - 1:02d}")  # shown already, near the bottom: no move
    assert bar.value() == 20
    assert page.view.currentIndex().row() == last - 1
    assert page.view.selectionModel().isRowSelected(last - 1)
    scan(qtbot, page, "AO-59")  # below: scrolled just far enough, the line at the bottom
    assert page.view.currentIndex().row() == 59
    assert page.view.rowAt(page.view.viewport().height() - 1) == 59
    assert bar.value() == bar.maximum()


def answer(qtbot, button: QMessageBox.StandardButton, seen: list[QMessageBox]) -> None:
    """Press `button` of the question once it shows (what it asked goes to `seen`)."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, press)
            return
        seen.append(box)
        box.button(button).click()

    QTimer.singleShot(0, press)


def test_counts_far_below_the_stock_are_confirmed_first(
    qtbot, monkeypatch, page: StocktakePage
) -> None:
    load(qtbot, page)
    for sku, n in (("AO-00", 1), ("AO-01", 0), ("AO-02", 13), ("AO-03", 14), ("AO-04", 2),
                   ("AO-05", 3), ("AO-06", 4), ("AO-10", 0)):  # fmt: skip
        page.model.set_count([r.sku for r in page.model.rows].index(sku), n)
    asked: list[str] = []
    monkeypatch.setattr(stocktake, "ask_apply", lambda *_a, **_k: asked.append("x") and None)
    seen: list[QMessageBox] = []
    answer(qtbot, QMessageBox.StandardButton.No, seen)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    (box,) = seen
    # 6 lines of 140 under 14 (AO-03's 14 is not; AO-10's 5 in stock is too few to ask).
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    assert box.text() == (
        "6 lines are counted at under a tenth of their stock:\n\n"
        "AO-01: counted 0, in stock 140\nAO-00: counted 1, in stock 140\n"
        "AO-04: counted 2, in stock 140\nAO-05: counted 3, in stock 140\n"
        "AO-06: counted 4, in stock 140\n… and 1 more line\n\n"
        "Applying takes the difference off the stock. Are these counts right?"
    )
    assert asked == [] and page.totals().lines == 8  # No: back to the counts, all kept
    answer(qtbot, QMessageBox.StandardButton.Yes, seen)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 2 and asked == ["x"]  # Yes: on to the confirmation
    # Two more: "lines" (one read "1 more lines").
    page.model.set_count(row_of(page, "AO-03"), 0)
    answer(qtbot, QMessageBox.StandardButton.No, seen)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert "in stock 140\n… and 2 more lines\n\n" in seen[2].text()


def test_counts_near_the_stock_ask_nothing_more(qtbot, monkeypatch, page: StocktakePage) -> None:
    load(qtbot, page)
    page.model.set_count(0, 139)
    page.model.set_count(10, 1)  # 5 in stock: too few to be a slip
    monkeypatch.setattr(stocktake, "confirm_far_below", lambda *_a: pytest.fail("asked"))
    asked: list[bool] = []
    monkeypatch.setattr(stocktake, "ask_apply", lambda *_a, **_k: asked.append(True) and None)
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert asked == [True]
