"""The product editor: a colour × size grid typed in, edits, inline errors, images."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMessageBox, QTableWidget
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel, StockMoveKind
from primedist.domain.product import (
    Product,
    ProductImage,
    ProductListing,
    StockMovement,
    Variant,
)
from primedist.services import catalogue as svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.products import editor as editor_mod
from primedist.ui.products.editor import (
    BARCODE,
    DISCOUNT,
    OPT1,
    OPT2,
    PRICE,
    SKU,
    STOCK,
    WEIGHT,
    ProductEditor,
)
from tests.factories import make_shop

WAIT_MS = 10_000


class Questions:
    def __init__(self) -> None:
        self.asked: list[str] = []
        self.answer = QMessageBox.StandardButton.No

    def __call__(self, _parent, _title, text, *_args) -> QMessageBox.StandardButton:
        self.asked.append(text)
        return self.answer


@pytest.fixture(autouse=True)
def quiet(quiet: list[str], monkeypatch) -> list[str]:
    """The shared `quiet` (tests/ui/conftest.py); this module's own crash box is recorded too."""
    monkeypatch.setattr(editor_mod, "show_crash", lambda _p, exc: quiet.append(repr(exc)))
    return quiet


@pytest.fixture(autouse=True)
def questions(monkeypatch) -> Questions:
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


@pytest.fixture
def shops(engine: Engine, owner_ctx: ServiceContext) -> dict[str, int]:
    return {
        "shopee": make_shop(engine, "Shopee Hà Nội", Channel.SHOPEE),
        "lazada": make_shop(engine, "Lazada Sài Gòn", Channel.LAZADA),
    }


def type_text(qtbot, widget, text: str) -> None:
    """Type like a Vietnamese keyboard: plain keys, and accented letters (Đ, ờ, à)
    committed by the input method (QTest cannot synthesise their key presses)."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def open_editor(qtbot, ctx: ServiceContext, product_id: int | None = None) -> ProductEditor:
    dialog = ProductEditor(ctx, product_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_cell(qtbot, grid: QTableWidget, row: int, column: int, text: str) -> None:
    """Open the cell's editor, type `text` over what is there and press Enter."""
    item = grid.item(row, column)
    grid.setCurrentItem(item)
    grid.editItem(item)
    editor = grid.indexWidget(grid.currentIndex())
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # commits through a queued call
    qtbot.waitUntil(lambda: grid.state() != QTableWidget.State.EditingState, timeout=WAIT_MS)


def cells(grid: QTableWidget, column: int) -> list[str]:
    return [grid.item(r, column).text() for r in range(grid.rowCount())]


def save_and_wait(qtbot, dialog: ProductEditor) -> int:
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved_id is not None
    return dialog.saved_id


def variants(engine: Engine, product_id: int) -> dict[str, sa.Row]:
    t = table_of(Variant)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).where(t.c.product_id == product_id, t.c.is_active))
        return {r.sku: r for r in rows}


def moves(engine: Engine, variant_id: int) -> list[tuple[StockMoveKind, int, str]]:
    t = table_of(StockMovement)
    with engine.connect() as conn:
        stmt = sa.select(t.c.kind, t.c.quantity, t.c.reason).where(t.c.variant_id == variant_id)
        return [tuple(r) for r in conn.execute(stmt.order_by(t.c.id))]


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table_of(model))).scalar())


def test_add_a_colour_by_size_product_by_typing(
    qtbot, owner_ctx: ServiceContext, engine: Engine, shops
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    assert dialog.windowTitle() == "New product"
    assert dialog.grid.rowCount() == 1  # a single variant to start with
    type_text(qtbot, dialog.name, "Áo thun cotton")
    assert dialog.name_counter.text() == "14/120"
    type_text(qtbot, dialog.category.lineEdit(), "Thời trang")
    qtbot.keyClicks(dialog.features, "100% cotton")
    type_text(qtbot, dialog.attr_names[0], "Màu")
    type_text(qtbot, dialog.attr_values[0], "Đỏ, Xanh lá")
    qtbot.keyClicks(dialog.attr_names[1], "Size")
    qtbot.keyClicks(dialog.attr_values[1], "S, M, L")
    qtbot.keyClicks(dialog.base_sku, "AO")
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)

    grid = dialog.grid
    assert grid.rowCount() == 6
    assert cells(grid, OPT1) == ["Đỏ"] * 3 + ["Xanh lá"] * 3
    assert cells(grid, OPT2) == ["S", "M", "L"] * 2
    assert cells(grid, SKU)[:4] == ["AO-DO-S", "AO-DO-M", "AO-DO-L", "AO-XANHLA-S"]
    assert grid.horizontalHeaderItem(OPT1).text() == "Màu"
    assert not grid.isColumnHidden(OPT2)

    qtbot.keyClicks(dialog.all_price, "99000")
    qtbot.keyClicks(dialog.all_cost, "50.000")
    qtbot.keyClicks(dialog.all_stock, "5")
    qtbot.keyClicks(dialog.all_weight, "1200")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert set(cells(grid, PRICE)) == {"99,000"}
    assert set(cells(grid, WEIGHT)) == {"1,200"}
    type_cell(qtbot, grid, 2, PRICE, "109000")  # L costs more
    type_cell(qtbot, grid, 2, DISCOUNT, "105.000")
    type_cell(qtbot, grid, 5, STOCK, "2")
    type_cell(qtbot, grid, 0, BARCODE, "8930000000019")
    assert grid.item(2, PRICE).text() == "109,000"
    dialog.shop_checks[shops["shopee"]].setChecked(True)

    pid = save_and_wait(qtbot, dialog)
    with engine.connect() as conn:
        product = conn.execute(sa.select(table_of(Product)).where(table_of(Product).c.id == pid))
        product = product.one()
    assert (product.name, product.category, product.features) == (
        "Áo thun cotton", "Thời trang", "100% cotton")  # fmt: skip
    rows = variants(engine, pid)
    assert len(rows) == 6
    large = rows["AO-DO-L"]
    assert (large.option1_name, large.option1, large.option2_name, large.option2) == (
        "Màu", "Đỏ", "Size", "L")  # fmt: skip
    assert (large.price, large.discount_price, large.cost, large.stock) == (
        109_000, 105_000, 50_000, 5)  # fmt: skip
    assert rows["AO-DO-S"].barcode == "8930000000019"
    assert {r.weight_g for r in rows.values()} == {1_200}
    assert rows["AO-XANHLA-L"].stock == 2
    assert moves(engine, rows["AO-XANHLA-L"].id) == [
        (StockMoveKind.STOCK_IN, 2, svc.OPENING_REASON)]  # fmt: skip
    with engine.connect() as conn:
        shops_listed = conn.execute(sa.select(table_of(ProductListing).c.shop_id)).scalars().all()
    # A new product starts on the store's counter (ticked from the start) too.
    assert sorted(shops_listed) == sorted([shops["shopee"], *svc.counter_shop_ids(owner_ctx)])


@pytest.mark.usefixtures("app_style")
def test_the_editor_fits_a_laptop_screen_with_its_buttons(qtbot, owner_ctx: ServiceContext) -> None:
    """On a 1366×768 laptop (about 688 px of height for a dialog) the details scroll and
    Save stays on the screen; on a tall screen nothing scrolls."""
    dialog = open_editor(qtbot, owner_ctx)
    assert dialog.minimumSizeHint().height() <= 688
    dialog.resize(1120, 688)
    qtbot.waitUntil(lambda: dialog.height() == 688)
    save = dialog.save_button.geometry()
    assert dialog.save_button.isVisible() and save.bottom() < dialog.height()
    assert dialog.grid.height() >= dialog.grid.minimumHeight()
    assert dialog.form_scroll.verticalScrollBar().isVisible()
    dialog.resize(1120, 1000)
    bar = dialog.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: dialog.height() == 1000 and not bar.isVisible())


def test_edit_an_existing_product(
    qtbot, owner_ctx: ServiceContext, engine: Engine, shops, questions: Questions
) -> None:
    pid = svc.create_product(
        owner_ctx,
        ProductDraft(
            name="Quần jean", category="Quần", option1_name="Size", shop_ids=[shops["lazada"]],
            variants=[VariantDraft(sku="QJ-29", option1="29", price=350_000, stock=4),
                      VariantDraft(sku="QJ-30", option1="30", price=350_000, stock=6,
                                   weight_g=1_200),
                      VariantDraft(sku="QJ-31", option1="31", price=350_000, stock=1)],
        ),
    )  # fmt: skip
    dialog = open_editor(qtbot, owner_ctx, pid)
    assert dialog.windowTitle() == "Edit product — Quần jean"
    assert dialog.name.text() == "Quần jean" and dialog.category.currentText() == "Quần"
    assert dialog.attr_names[0].text() == "Size"
    assert dialog.attr_values[0].text() == "29, 30, 31"
    assert dialog.grid.isColumnHidden(OPT2) and not dialog.grid.isColumnHidden(OPT1)
    assert cells(dialog.grid, SKU) == ["QJ-29", "QJ-30", "QJ-31"]
    assert cells(dialog.grid, STOCK) == ["4", "6", "1"]
    assert cells(dialog.grid, WEIGHT) == ["", "1,200", ""]
    assert dialog.grid.horizontalHeaderItem(WEIGHT).text() == "Weight (g)"
    assert dialog.shop_checks[shops["lazada"]].isChecked()

    dialog.name.clear()
    type_text(qtbot, dialog.name, "Quần jean ống suông")
    type_cell(qtbot, dialog.grid, 0, STOCK, "10")
    type_cell(qtbot, dialog.grid, 1, PRICE, "320000")
    type_cell(qtbot, dialog.grid, 0, WEIGHT, "650")
    type_cell(qtbot, dialog.grid, 1, WEIGHT, "1350")
    assert cells(dialog.grid, WEIGHT)[1] == "1,350"  # grouped as it is typed
    dialog.grid.setCurrentCell(2, SKU)
    questions.answer = QMessageBox.StandardButton.Yes  # it holds stock: asked first
    qtbot.mouseClick(dialog.remove_row_button, Qt.MouseButton.LeftButton)
    assert "• QJ-31: stock 1" in questions.asked[0]
    assert dialog.grid.rowCount() == 2
    dialog.shop_checks[shops["shopee"]].setChecked(True)
    # QJ-29's stock typed over: Save asks why first.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    asked = dialog.stock_reason_dialog
    assert asked is not None
    qtbot.waitUntil(asked.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(asked.reason_box.lineEdit(), "Recount")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(asked.save, Qt.MouseButton.LeftButton)
    assert dialog.saved_id == pid

    rows = variants(engine, pid)
    assert sorted(rows) == ["QJ-29", "QJ-30"]
    assert rows["QJ-30"].price == 320_000 and rows["QJ-30"].stock == 6
    assert (rows["QJ-29"].weight_g, rows["QJ-30"].weight_g) == (650, 1_350)
    assert moves(engine, rows["QJ-29"].id) == [
        (StockMoveKind.STOCK_IN, 4, svc.OPENING_REASON),
        (StockMoveKind.ADJUSTMENT, 6, "Recount"),
    ]
    assert svc.get_product(owner_ctx, pid).draft.name == "Quần jean ống suông"
    assert count(engine, ProductListing) == 2


def test_generate_keeps_rows_already_typed(qtbot, owner_ctx: ServiceContext) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    type_text(qtbot, dialog.attr_names[0], "Màu")
    type_text(qtbot, dialog.attr_values[0], "Đỏ, Xanh")
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    type_cell(qtbot, dialog.grid, 1, SKU, "AO-XANH")
    type_cell(qtbot, dialog.grid, 1, PRICE, "150000")
    # Add a second attribute: the Xanh row becomes (Xanh, S) with what was typed.
    qtbot.keyClicks(dialog.attr_names[1], "Size")
    qtbot.keyClicks(dialog.attr_values[1], "S, M")
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    grid = dialog.grid
    assert grid.rowCount() == 4
    assert (grid.item(2, OPT1).text(), grid.item(2, OPT2).text()) == ("Xanh", "S")
    assert (grid.item(2, SKU).text(), grid.item(2, PRICE).text()) == ("AO-XANH", "150,000")
    assert grid.item(3, SKU).text() == "" and grid.item(3, STOCK).text() == "0"
    # Dropping a value drops its rows.
    dialog.attr_values[0].setText("Xanh")
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    assert cells(grid, OPT1) == ["Xanh", "Xanh"] and grid.item(0, SKU).text() == "AO-XANH"


def test_a_refusal_shows_inline_and_nothing_is_saved(
    qtbot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    qtbot.keyClicks(dialog.attr_names[0], "Size")
    qtbot.keyClicks(dialog.attr_values[0], "S, M")
    qtbot.keyClicks(dialog.base_sku, "MU")
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.all_price, "100000")
    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    type_cell(qtbot, dialog.grid, 1, DISCOUNT, "120000")

    # No name: the service refuses, the message sits under the name.
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.name_error.isVisible(), timeout=WAIT_MS)
    assert dialog.name_error.text() == "Give the product a name."
    assert dialog.name.property("invalid") is True
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT_MS)

    # Discount above the price: row 2 highlighted, the message under the grid.
    type_text(qtbot, dialog.name, "Mũ lưỡi trai")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.variants_error.isVisible(), timeout=WAIT_MS)
    assert not dialog.name_error.isVisible()
    assert dialog.variants_error.text() == (
        "Variant 2 (MU-M): the discount price is above the price."
    )
    assert dialog.row_in_error() == 1
    assert dialog.grid.item(1, DISCOUNT).background().color().name() == "#fecaca"
    assert dialog.grid.item(1, SKU).background().color().name() == "#fef2f2"
    assert dialog.isVisible() and dialog.saved_id is None

    # A price that is no number never reaches the service.
    type_cell(qtbot, dialog.grid, 0, PRICE, "abc")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.variants_error.text() == "Variant 1 (MU-S): abc is not a number."
    assert dialog.row_in_error() == 0
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT_MS)

    # A weight of 0 g: refused by the service, its cell marked.
    type_cell(qtbot, dialog.grid, 0, PRICE, "100000")
    dialog.grid.item(1, DISCOUNT).setText("")
    type_cell(qtbot, dialog.grid, 1, WEIGHT, "0")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "weight" in dialog.variants_error.text(), timeout=WAIT_MS)
    assert dialog.variants_error.text() == "Variant 2 (MU-M): the weight must be 1 to 1,000,000 g."
    assert dialog.grid.item(1, WEIGHT).background().color().name() == "#fecaca"
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT_MS)
    assert count(engine, Product) == count(engine, Variant) == 0


def _png(path: Path, size: tuple[int, int]) -> str:
    Image.new("RGB", size, "orange").save(path, "PNG")
    return str(path)


def test_an_added_image_shows_a_thumbnail(
    qtbot, owner_ctx: ServiceContext, engine: Engine, settings, tmp_path: Path
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    problems = dialog.add_images([_png(tmp_path / "photo.png", (640, 320)), str(broken)])
    assert dialog.images.count() == 1
    icon = dialog.images.item(0).icon()
    assert not icon.isNull()
    pixmap = icon.pixmap(200, 200)
    assert (pixmap.width(), pixmap.height()) == (96, 48)
    assert len(problems) == 1 and "broken.png" in problems[0]
    assert dialog.images_error.isVisible() and "broken.png" in dialog.images_error.text()

    type_text(qtbot, dialog.name, "Túi vải")
    type_cell(qtbot, dialog.grid, 0, SKU, "TUI-1")
    type_cell(qtbot, dialog.grid, 0, PRICE, "45000")
    pid = save_and_wait(qtbot, dialog)
    with engine.connect() as conn:
        (image,) = conn.execute(sa.select(table_of(ProductImage))).all()
    assert image.product_id == pid and (settings.data_dir / image.thumb_path).is_file()

    # Opened again, the stored thumbnail is shown.
    again = open_editor(qtbot, owner_ctx, pid)
    assert again.images.count() == 1 and not again.images.item(0).icon().isNull()


def test_escape_cancels(qtbot, owner_ctx: ServiceContext, questions: Questions) -> None:
    clean = open_editor(qtbot, owner_ctx)
    qtbot.keyClick(clean, Qt.Key.Key_Escape)
    assert clean.result() == QDialog.DialogCode.Rejected and not clean.isVisible()
    assert questions.asked == []

    typed = open_editor(qtbot, owner_ctx)
    type_text(qtbot, typed.name, "Áo")
    qtbot.keyClick(typed, Qt.Key.Key_Escape)
    assert questions.asked and typed.isVisible()  # asked, answered No
    questions.answer = QMessageBox.StandardButton.Yes
    qtbot.keyClick(typed, Qt.Key.Key_Escape)
    assert not typed.isVisible() and typed.saved_id is None


def test_each_marketplace_tick_says_whether_its_listing_is_linked(
    qtbot, owner_ctx: ServiceContext, engine: Engine, shops: dict[str, int]
) -> None:
    counter = make_shop(engine, "Cửa hàng", Channel.OFFLINE)
    pid = svc.create_product(owner_ctx, ProductDraft(
        name="Cốc sứ", variants=[VariantDraft(sku="COC-1", price=45_000)],
        shop_ids=[shops["shopee"], shops["lazada"], counter]))  # fmt: skip
    listings = table_of(ProductListing)
    with engine.begin() as conn:  # what a sync learns from the product's first Shopee order
        conn.execute(listings.update().where(listings.c.product_id == pid,
                                             listings.c.shop_id == shops["shopee"])
                     .values(external_id="800007"))  # fmt: skip
    dialog = open_editor(qtbot, owner_ctx, pid)
    shopee, lazada = dialog.shop_checks[shops["shopee"]], dialog.shop_checks[shops["lazada"]]
    assert shopee.text() == "Shopee Hà Nội  (Shopee) — linked"
    assert shopee.toolTip() == "Item 800007 on the marketplace: stock changes are sent there."
    assert lazada.text() == "Lazada Sài Gòn  (Lazada) — not linked yet"
    assert "Fetch listings" in lazada.toolTip()
    assert dialog.shop_checks[counter].text() == "Cửa hàng  (In store)"  # nothing to link
    assert svc.get_product(owner_ctx, pid).item_ids == {
        shops["shopee"]: "800007", shops["lazada"]: None, counter: None}  # fmt: skip


def test_prices_left_as_shown_do_not_undo_a_sale_started_meanwhile(
    qtbot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = svc.create_product(owner_ctx, ProductDraft(
        name="Quần jean", option1_name="Size",
        variants=[VariantDraft(sku="QJ-29", option1="29", price=350_000, stock=4),
                  VariantDraft(sku="QJ-30", option1="30", price=350_000, stock=6)],
    ))  # fmt: skip
    dialog = open_editor(qtbot, owner_ctx, pid)
    sale = svc.get_product(owner_ctx, pid).draft  # e.g. a price schedule starting now
    for v in sale.variants:
        v.discount_price = 299_000
    svc.update_product(owner_ctx, pid, sale)

    type_text(qtbot, dialog.name, " ống suông")
    type_cell(qtbot, dialog.grid, 1, PRICE, "360000")
    save_and_wait(qtbot, dialog)
    rows = variants(engine, pid)
    assert (rows["QJ-29"].price, rows["QJ-29"].discount_price) == (350_000, 299_000)
    assert (rows["QJ-30"].price, rows["QJ-30"].discount_price) == (360_000, 299_000)
