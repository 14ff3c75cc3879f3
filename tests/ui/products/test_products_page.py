"""The Products tab as one piece: the list's requests open the editor, the stock dialogs,
export and import; the SKU-group and stock-take pages are built when first shown; the
main window hosts it, and the Settings tab hosts Low stock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from PySide6.QtWidgets import QMessageBox

from primedist.domain.base import table_of
from primedist.domain.product import Product, Variant
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.import_report import ImportReportDialog
from primedist.ui.products.editor import ProductEditor
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.stock_dialogs import StockHistoryDialog, StockMoveDialog
from tests.factories import make_shop
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
products_t = table_of(Product)
variants_t = table_of(Variant)


@pytest.fixture
def product(owner_ctx: ServiceContext) -> int:
    shop = make_shop(owner_ctx.engine, "Prime Shopee", "shopee")
    variants = [
        VariantDraft(sku="AO-TRANG-S", barcode="8934567890120", option1="S", price=29_000,
                     discount_price=25_000, stock=10),
        VariantDraft(sku="AO-TRANG-M", option1="M", price=49_000, stock=4),
    ]  # fmt: skip
    draft = ProductDraft(name="Áo thun trắng", category="Áo", features=None, description=None,
                         option1_name="Size", option2_name=None, variants=variants,
                         shop_ids=[shop], images=[])  # fmt: skip
    return create_product(owner_ctx, draft)


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, product: int) -> Iterator[ProductsPage]:
    p = show_widget(qtbot, ProductsPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 1, timeout=WAIT)
    yield p
    p.shutdown()


def test_list_requests_open_the_editor_and_stock_dialogs(qtbot, page, product):
    page.list.editRequested.emit(product)
    assert isinstance(page.last_dialog, ProductEditor)
    assert page.last_dialog.name.text() == "Áo thun trắng"
    page.last_dialog.reject()
    page.list.addRequested.emit()
    assert isinstance(page.last_dialog, ProductEditor) and page.last_dialog.name.text() == ""
    page.last_dialog.reject()
    page.list.stockRequested.emit(product)
    assert isinstance(page.last_dialog, StockMoveDialog)
    page.last_dialog.reject()
    page.list.historyRequested.emit(product)
    assert isinstance(page.last_dialog, StockHistoryDialog)
    page.last_dialog.reject()


def test_a_price_saved_in_the_editor_shows_in_the_list(qtbot, page, product, owner_ctx):
    editor = page.open_editor(product)
    assert isinstance(editor, ProductEditor)
    with owner_ctx.engine.begin() as conn:  # as if changed elsewhere: the list re-reads
        conn.execute(sa.update(products_t).values(price_min=19_000))
    editor.reject()
    model = page.list.model
    price = model.index(0, model.col["price"])
    qtbot.waitUntil(lambda: (model.data(price) or "").startswith("19,000"), timeout=WAIT)


def test_export_then_import_the_same_file_changes_nothing(qtbot, page, tmp_path: Path):
    target = tmp_path / "products.xlsx"
    page.export(None, target)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, QMessageBox), timeout=WAIT)
    sheet = openpyxl.load_workbook(target, read_only=True).active
    assert sheet is not None
    skus = sorted(str(r[3]) for r in sheet.iter_rows(min_row=2, values_only=True))
    assert skus == ["AO-TRANG-M", "AO-TRANG-S"]
    page.import_file(target)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, ImportReportDialog), timeout=WAIT)
    report = page.last_dialog
    assert isinstance(report, ImportReportDialog)
    assert "1 unchanged" in report.summary.text() and not report.table.isVisible()


def test_import_report_lists_rejected_rows(qtbot, page, tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("product_name,sku,price\nÁo mới,AO-MOI,12.5\n", encoding="utf-8")
    page.import_file(bad)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, ImportReportDialog), timeout=WAIT)
    report = page.last_dialog
    assert isinstance(report, ImportReportDialog)
    assert report.table.rowCount() == 1
    # The file headed it by the template's key: named too.
    cells = (report.table.item(0, 0).text(), report.table.item(0, 1).text())
    assert cells == ("2", "Price (price)")


def test_import_report_shows_ignored_columns_and_the_files_headers(qtbot, page, tmp_path: Path):
    bad = tmp_path / "vi.csv"
    bad.write_text("Tên sản phẩm,Mã SKU,Giá bán,stok\nÁo mới,AO-MOI,12.5,3\n", encoding="utf-8")
    page.import_file(bad)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, ImportReportDialog), timeout=WAIT)
    report = page.last_dialog
    assert isinstance(report, ImportReportDialog)
    assert report.warning.text() == "Columns not recognised, ignored: stok"
    assert not report.warning.isHidden()
    assert (report.table.item(0, 0).text(), report.table.item(0, 1).text()) == ("2", "Giá bán")
    report.reject()
    good = tmp_path / "ok.csv"  # no unknown column: no warning
    good.write_text("product_name,sku,price\nÁo mới,AO-MOI,12000\n", encoding="utf-8")
    page.import_file(good)
    qtbot.waitUntil(lambda: page.last_dialog is not report, timeout=WAIT)
    assert isinstance(page.last_dialog, ImportReportDialog)
    assert page.last_dialog.warning.isHidden()


def test_groups_and_stocktake_are_built_when_first_shown(qtbot, page):
    assert page.groups is None and page.stocktake is None
    groups = page.show_tab(1)
    assert groups is page.groups
    qtbot.waitUntil(groups.isVisible, timeout=WAIT)
    stocktake = page.show_tab(2)
    assert stocktake is page.stocktake
    qtbot.waitUntil(stocktake.isVisible, timeout=WAIT)
    assert page.show_tab(1) is groups  # built once


def test_language_switch_renames_the_sub_tabs(qtbot, page):
    install_language("vi")
    qtbot.waitUntil(lambda: page.tabs.tabText(2) != "Stock-take", timeout=WAIT)
    install_language("en")
    qtbot.waitUntil(lambda: page.tabs.tabText(2) == "Stock-take", timeout=WAIT)
