"""Print labels driven like a shop owner after a goods receipt: opened from the Products
tab on the selected products, copies typed or taken from stock, the paper and what a label
shows, a code the paper cannot carry, Save as PDF and Print on a real CUPS queue, the
choices remembered; in Vietnamese too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from primedist.printing.labels import LabelOptions
from primedist.services import labels as svc
from primedist.services.catalogue import VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.products.labels import COLUMNS, COPIES, LabelsDialog
from primedist.ui.products.page import ProductsPage
from tests.factories import add_product
from tests.printing.conftest import cups  # noqa: F401  (the session's CUPS)
from tests.printing.support import has_phrase, pdf_pages_mm, pdf_text
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


@pytest.fixture
def products(owner_ctx: ServiceContext) -> dict[str, int]:
    shirt = add_product(owner_ctx, "Áo thun trắng", [
        VariantDraft(sku="AO-TRANG-S", barcode="8934567890120", option1="S", price=29_000,
                     discount_price=25_000, stock=10),
        VariantDraft(sku="AO-TRANG-M", option1="M", price=49_000, stock=4),
    ])  # fmt: skip
    cap = add_product(owner_ctx, "Mũ lưỡi trai", [VariantDraft(sku="MŨ-ĐỎ", price=60_000, stock=2)])
    return {"shirt": shirt, "cap": cap}


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, products) -> Iterator[ProductsPage]:
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 2, timeout=WAIT)
    yield p
    p.shutdown()


def open_labels(qtbot, ctx: ServiceContext, product_ids: list[int]) -> LabelsDialog:
    dialog = show_widget(qtbot, LabelsDialog(ctx, product_ids), width=1240, height=660)
    qtbot.waitUntil(lambda: not dialog._busy and dialog.table.rowCount() > 0, timeout=WAIT)
    return dialog


def cells(dialog: LabelsDialog, column: str) -> list[str]:
    col = COLUMNS.index(column)
    return [dialog.table.item(r, col).text() for r in range(dialog.table.rowCount())]


def type_copies(dialog: LabelsDialog, row: int, copies: int) -> None:
    dialog.table.item(row, COPIES).setData(Qt.ItemDataRole.EditRole, copies)


def test_opened_from_the_selected_products(qtbot, page):
    lst = page.list
    assert not lst.labels_button.isEnabled()  # nothing selected
    lst.view.selectAll()
    assert lst.labels_button.isEnabled()
    qtbot.mouseClick(lst.labels_button, Qt.MouseButton.LeftButton)
    dialog = page.last_dialog
    assert isinstance(dialog, LabelsDialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 3, timeout=WAIT)
    assert sorted(cells(dialog, "sku")) == ["AO-TRANG-M", "AO-TRANG-S", "MŨ-ĐỎ"]
    dialog.reject()


def test_copies_paper_and_totals(qtbot, owner_ctx, products):
    dialog = open_labels(qtbot, owner_ctx, [products["shirt"]])
    assert cells(dialog, "sku") == ["AO-TRANG-S", "AO-TRANG-M"]
    # The barcode when there is one; the discount price is what the label says.
    assert cells(dialog, "code") == ["8934567890120", "AO-TRANG-M"]
    assert cells(dialog, "price") == ["25,000 VND", "49,000 VND"]
    assert dialog.totals.text() == "2 labels on 1 page"
    type_copies(dialog, 1, 5)
    assert dialog.totals.text() == "6 labels on 3 pages"
    qtbot.mouseClick(dialog.from_stock, Qt.MouseButton.LeftButton)
    assert [dialog.items[r].copies for r in range(2)] == [10, 4]
    assert dialog.totals.text() == "14 labels on 7 pages"
    # An A4 sheet with 64 labels used: one place left on the first, the rest on a second.
    dialog.paper.setCurrentIndex(dialog.paper.findData("a4_65"))
    assert dialog.skip.isEnabled() and dialog.skip.maximum() == 65
    dialog.skip.setValue(65)
    assert dialog.totals.text() == "14 labels on 2 pages"
    dialog.paper.setCurrentIndex(dialog.paper.findData("roll_50x30_1"))
    assert not dialog.skip.isEnabled() and dialog.options().skip == 0
    qtbot.mouseClick(dialog.one_each, Qt.MouseButton.LeftButton)
    assert dialog.totals.text() == "2 labels on 2 pages"
    assert not dialog.preview.pixmap().isNull()


def test_a_code_the_paper_cannot_carry(qtbot, owner_ctx, products):
    dialog = open_labels(qtbot, owner_ctx, [products["cap"], products["shirt"]])
    assert cells(dialog, "sku")[0] == "MŨ-ĐỎ"
    assert "'MŨ-ĐỎ' cannot be a barcode" in dialog.problems.text()
    assert not dialog.pdf_button.isEnabled()
    type_copies(dialog, 0, 0)  # leave the cap out: the others print
    assert dialog.problems.isHidden() and dialog.pdf_button.isEnabled()


def test_save_as_pdf_and_remember(qtbot, owner_ctx, products, tmp_path):
    dialog = open_labels(qtbot, owner_ctx, [products["shirt"]])
    dialog.show_shop.setChecked(False)
    dialog.paper.setCurrentIndex(dialog.paper.findData("roll_40x30_1"))
    target = tmp_path / "tem.pdf"
    dialog.save_pdf_to(target)
    qtbot.waitUntil(lambda: "printed to" in dialog.status.text(), timeout=WAIT)
    assert dialog.status.text() == f"2 labels printed to {target}"
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(target)] == [(40, 30)] * 2
    assert has_phrase(pdf_text(target), "Áo thun trắng S 25,000 VND")
    qtbot.waitUntil(lambda: svc.load_settings(owner_ctx).options.stock == "roll_40x30_1",
                    timeout=WAIT)  # fmt: skip
    assert svc.load_settings(owner_ctx).options == LabelOptions("roll_40x30_1", show_shop=False)
    # Opened again: the same paper and contents.
    again = open_labels(qtbot, owner_ctx, [products["shirt"]])
    assert again.paper.currentData() == "roll_40x30_1" and not again.show_shop.isChecked()


def test_print_on_a_cups_queue(qtbot, owner_ctx, products, cups):  # noqa: F811
    dialog = open_labels(qtbot, owner_ctx, [products["shirt"]])
    dialog._fill_printers(cups.capture)
    assert dialog.printer.currentData() == cups.capture and dialog.print_button.isEnabled()
    type_copies(dialog, 0, 3)
    before = cups.jobs()
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    job: Path = cups.wait_job(before)
    assert [(round(w), round(h)) for w, h in pdf_pages_mm(job)] == [(74, 22)] * 2
    qtbot.waitUntil(lambda: "printed to" in dialog.status.text(), timeout=WAIT)
    assert dialog.status.text() == f"4 labels printed to {cups.capture}"
    qtbot.waitUntil(lambda: svc.load_settings(owner_ctx).printer == cups.capture, timeout=WAIT)


def test_a_paused_printer_is_said_in_the_failure_box(qtbot, owner_ctx, products, cups):  # noqa: F811
    """The box every failed print shows (not a grey line): Retry, or Save as PDF."""
    dialog = open_labels(qtbot, owner_ctx, [products["shirt"]])
    dialog._fill_printers(cups.paused)
    qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(dialog, "error_box", None) is not None, timeout=WAIT)
    box = dialog.error_box
    assert box.isVisible() and "paused or offline" in box.text() and dialog.status.text() == ""
    names = {b.objectName() for b in box.buttons() if b.objectName()}
    assert names == {"printRetry", "printPreviewPdf"}  # the labels' printer is chosen here
    assert dialog.print_button.isEnabled()  # ready to try again


def test_in_vietnamese(qtbot, owner_ctx, products):
    install_language("vi")
    dialog = open_labels(qtbot, owner_ctx, [products["shirt"]])
    assert dialog.windowTitle() == "In tem mã vạch"
    assert dialog.totals.text() == "2 tem trên 1 trang"
    assert cells(dialog, "price") == ["25.000 ₫", "49.000 ₫"]
    assert dialog.paper.currentText() == "Cuộn 2 tem, 35 × 22 mm"


def test_labels_for_a_stock_in(qtbot, page, products):
    """Goods received: a stock in with Print barcode labels ticked opens the labels of
    that variant, as many as came in (the product's other variants at 0)."""
    from primedist.ui.products.stock_dialogs import StockMoveDialog

    move = page.open_stock(products["shirt"])
    assert isinstance(move, StockMoveDialog)
    assert move.labels_check.isVisibleTo(move) and not move.labels_check.isChecked()
    move.kind_out.setChecked(True)
    assert not move.labels_check.isVisibleTo(move)  # stock out and adjust print nothing
    move.kind_in.setChecked(True)
    sku = move.variant().sku
    move.quantity.setValue(6)
    move.labels_check.setChecked(True)
    qtbot.mouseClick(move.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, LabelsDialog), timeout=WAIT)
    labels = page.last_dialog
    qtbot.waitUntil(lambda: labels.table.rowCount() == 2, timeout=WAIT)
    assert {i.sku: i.copies for i in labels.items} == {
        "AO-TRANG-S": 6 if sku == "AO-TRANG-S" else 0,
        "AO-TRANG-M": 6 if sku == "AO-TRANG-M" else 0,
    }
    assert labels.totals.text() == "6 labels on 3 pages"
    labels.reject()
    # Without the tick, no labels dialog follows.
    move = page.open_stock(products["shirt"])
    move.quantity.setValue(2)
    asked: list[tuple[int, int, int]] = []
    move.labelsRequested.connect(lambda *args: asked.append(args))
    with qtbot.waitSignal(move.stockChanged, timeout=WAIT):
        qtbot.mouseClick(move.save, Qt.MouseButton.LeftButton)
    assert asked == []
