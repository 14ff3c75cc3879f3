"""A shop owner's first product, typed with no demo: a refused cell takes the keys, the
SKUs a small shop never had are made for it, and the counter lists a new product from the
start. Real widgets over a migrated store."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QTableWidget, QTableWidgetItem
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel
from primedist.services import catalogue as svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.products.editor import PRICE, SKU, ProductEditor
from primedist.ui.products.list_page import ProductListPage
from tests.factories import make_shop
from tests.ui.products.test_editor import (
    WAIT_MS,
    Questions,
    cells,
    open_editor,
    save_and_wait,
    type_text,
)
from tests.ui.support import close_page, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "questions")


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """QMessageBox.question answered No: closing a typed dialog asks first."""
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


def first_product(
    qtbot: Any, ctx: ServiceContext, name: str = "Áo sơ mi linen nữ"
) -> ProductEditor:
    dialog = open_editor(qtbot, ctx)
    dialog.activateWindow()
    type_text(qtbot, dialog.name, name)
    cell(dialog.grid, 0, PRICE).setText("250.000")
    return dialog


def cell(grid: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = grid.item(row, column)
    assert item is not None
    return item


def refused(qtbot: Any, dialog: ProductEditor) -> str:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.variants_error.isHidden(), timeout=WAIT_MS)
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=WAIT_MS)
    return dialog.variants_error.text()


def test_a_bad_price_takes_the_keys_to_its_cell(qtbot: Any, owner_ctx: ServiceContext) -> None:
    dialog = first_product(qtbot, owner_ctx)
    cell(dialog.grid, 0, SKU).setText("AO-1")
    cell(dialog.grid, 0, PRICE).setText("abc")
    assert refused(qtbot, dialog) == "Variant 1 (AO-1): abc is not a number."
    assert dialog.focusWidget() is dialog.grid
    index = dialog.grid.currentIndex()
    assert (index.row(), index.column()) == (0, PRICE)


def test_fill_in_skus_makes_the_missing_ones_from_the_name_and_keeps_typed_ones(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    svc.create_product(owner_ctx, ProductDraft(
        name="Áo sơ mi lụa", variants=[VariantDraft(sku="asmln-den-s", price=1)]))  # fmt: skip
    dialog = first_product(qtbot, owner_ctx)
    dialog.attr_names[0].setText("Màu")
    dialog.attr_values[0].setText("Đen, Xanh rêu")
    dialog.attr_names[1].setText("Size")
    dialog.attr_values[1].setText("S, M")
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    cell(dialog.grid, 3, SKU).setText("MY-OWN")
    qtbot.mouseClick(dialog.make_skus_button, Qt.MouseButton.LeftButton)
    # Đen S is another product's SKU (in another case): the next free one.
    assert cells(dialog.grid, SKU) == ["ASMLN-DEN-S-2", "ASMLN-DEN-M", "ASMLN-XANHREU-S", "MY-OWN"]
    pid = save_and_wait(qtbot, dialog)
    assert sorted(v.sku for v in svc.get_product(owner_ctx, pid).draft.variants) == [
        "ASMLN-DEN-M", "ASMLN-DEN-S-2", "ASMLN-XANHREU-S", "MY-OWN"]  # fmt: skip


def test_fill_in_skus_asks_for_a_name_first(qtbot: Any, owner_ctx: ServiceContext) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    qtbot.mouseClick(dialog.make_skus_button, Qt.MouseButton.LeftButton)
    assert cells(dialog.grid, SKU) == [""]
    assert not dialog.name_error.isHidden()


def test_sku_stem_is_short_upper_case_and_without_accents() -> None:
    assert svc.sku_stem("Bút bi") == "BUTBI"
    assert svc.sku_stem("Áo sơ mi linen nữ") == "ASMLN"
    assert svc.sku_stem("Nồi cơm điện 18L") == "NCD18L"
    assert svc.sku_stem("Đồ chơi") == "DOCHOI"
    assert svc.sku_stem("  ") == "SP"


def test_a_new_product_starts_on_the_counter_and_the_list_shows_it(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    counter = make_shop(engine, "Cửa hàng", Channel.OFFLINE)
    shopee = make_shop(engine, "Shopee Hà Nội", Channel.SHOPEE)
    dialog = first_product(qtbot, owner_ctx, "Bút bi")
    assert dialog.shop_checks[counter].isChecked()
    assert not dialog.shop_checks[shopee].isChecked()
    assert "counter sells every product" in dialog.shop_checks[counter].toolTip()
    cell(dialog.grid, 0, SKU).setText("BB")
    pid = save_and_wait(qtbot, dialog)
    assert counter in svc.counter_shop_ids(owner_ctx)  # the store's own counter, if any, too
    assert svc.get_product(owner_ctx, pid).draft.shop_ids == svc.counter_shop_ids(owner_ctx)
    page = show_widget(qtbot, ProductListPage(owner_ctx))
    try:
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=WAIT_MS)
        shops = page.model.data(page.model.index(0, page.model.col["shops"]))
        assert "Cửa hàng" in shops
    finally:
        close_page(qtbot, page)


def test_an_existing_product_keeps_its_shops_as_saved(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    counter = make_shop(engine, "Cửa hàng", Channel.OFFLINE)
    pid = svc.create_product(owner_ctx, ProductDraft(
        name="Cốc sứ", variants=[VariantDraft(sku="COC-1", price=45_000)]))  # fmt: skip
    dialog = open_editor(qtbot, owner_ctx, pid)
    assert not dialog.shop_checks[counter].isChecked()
