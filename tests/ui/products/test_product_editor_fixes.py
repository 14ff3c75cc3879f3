"""The product editor's limits, NFC name counter and attribute column widths, and the stock
history's columns, on real widgets over a migrated store."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import StockMoveKind
from primedist.domain.product import Product, SkuGroup, StockMovement, Variant
from primedist.services import catalogue as svc
from primedist.services import orders as orders_svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.products import editor as editor_mod
from primedist.ui.products.editor import LOW, OPT1, OPT2, PRICE, SKU, STOCK, ProductEditor
from primedist.ui.products.stock_dialogs import StockHistoryDialog
from tests.conftest import FIXED_NOW
from tests.factories import make_product
from tests.ui.products.test_editor import type_cell

WAIT_MS = 10_000


@pytest.fixture(autouse=True)
def quiet(quiet: list[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shared `quiet`; the editor's crash box recorded too, and its "discard what was
    typed?" answered Yes when the test closes it."""
    monkeypatch.setattr(editor_mod, "show_crash", lambda _p, exc: quiet.append(repr(exc)))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a: QMessageBox.StandardButton.Yes)  # fmt: skip
    return quiet


def ean13(body: str) -> str:
    """A valid EAN-13: the 12 digits and their check digit."""
    return body + str(svc.check_digit(body))


def open_editor(qtbot: Any, ctx: ServiceContext, product_id: int | None = None) -> ProductEditor:
    dialog = ProductEditor(ctx, product_id)
    qtbot.addWidget(dialog)
    dialog.resize(1200, 860)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def save_refused(qtbot: Any, dialog: ProductEditor) -> str:
    """Save, wait for the refusal shown under the grid; returns its text."""
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.variants_error.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=WAIT_MS)
    return dialog.variants_error.text()


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table_of(model))).scalar())


@pytest.mark.parametrize(
    ("column", "text", "why"),
    [
        (STOCK, "5.000.000.000", "the stock cannot be more than 1,000,000."),
        (LOW, "2000000000", "the low-stock level cannot be more than 1,000,000."),
        (PRICE, "9.000.000.000.000.000.000", "the price cannot be more than 1,000,000,000,000."),
    ],
)
def test_the_editor_refuses_a_stock_or_price_above_the_limit(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, column: int, text: str, why: str
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    qtbot.keyClicks(dialog.name, "Binh giu nhiet")
    type_cell(qtbot, dialog.grid, 0, SKU, "BGN-1")
    type_cell(qtbot, dialog.grid, 0, PRICE, "150000")
    type_cell(qtbot, dialog.grid, 0, column, text)
    assert save_refused(qtbot, dialog) == f"Variant 1 (BGN-1): {why}"
    assert dialog.row_in_error() == 0
    assert dialog.isVisible() and dialog.saved_id is None
    assert count(engine, Product) == 0


def test_the_name_counter_counts_letters_of_a_decomposed_name(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    name = ("Giày thể thao nữ " * 7)[:98] + "ữ"
    typed = unicodedata.normalize("NFD", name)  # Unikey's "Unicode tổ hợp", a Mac paste
    dialog = open_editor(qtbot, owner_ctx)
    dialog.name.setText(typed)
    assert dialog.name_counter.text() == "99/120"
    assert not dialog.name_counter.property("over")
    type_cell(qtbot, dialog.grid, 0, SKU, "GIAY-1")
    type_cell(qtbot, dialog.grid, 0, PRICE, "589000")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(table_of(Product).c.name)).scalar_one()
    assert stored == name


def test_attribute_columns_show_their_values_whole(
    qtbot: Any, owner_ctx: ServiceContext, app_style: None
) -> None:
    sizes = ("36", "37", "38", "39")
    pid = svc.create_product(owner_ctx, ProductDraft(
        name="Giày sneaker cao cấp", option1_name="Màu", option2_name="Size",
        variants=[VariantDraft(sku=f"GS0006-VKM-{s}", barcode=ean13(f"8937653246{s}"),
                               option1="Vàng kem", option2=s, price=589_000)
                  for s in sizes]))  # fmt: skip
    dialog = open_editor(qtbot, owner_ctx, pid)
    grid = dialog.grid
    metrics = QFontMetrics(grid.font())
    # The text and the cell's padding (the style sheet's 6 px a side) fit.
    assert grid.columnWidth(OPT1) >= metrics.horizontalAdvance("Vàng kem") + 12
    assert grid.columnWidth(SKU) >= metrics.horizontalAdvance("GS0006-VKM-36") + 12
    # A very long value is cut at the cap: SKU keeps its room.
    dialog.attr_values[0].setText("Vàng kem pha xanh ngọc bích ánh kim cực kỳ sang trọng")
    type_cell(qtbot, grid, 0, OPT1, "Vang kem pha xanh ngoc bich anh kim cuc ky sang trong")
    assert grid.columnWidth(OPT1) == editor_mod.MAX_ATTRIBUTE_WIDTH
    assert grid.columnWidth(SKU) >= metrics.horizontalAdvance("GS0006-VKM-36") + 12
    assert not grid.isColumnHidden(OPT2)


# --------------------------------------------------------------------------- history


def test_the_history_gives_reason_its_room_and_names_the_groups_own_rows(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, owner: Actor, app_style: None
) -> None:
    with engine.begin() as conn:
        gid = conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
            {"code": "PS00003", "name": "Giày 36", "stock": 87, "reserved": 0,
             "created_at": FIXED_NOW},
        ).scalar_one()  # fmt: skip
        # The group's opening stock, as the demo writes it: a movement of no variant.
        conn.execute(sa.insert(table_of(StockMovement)), {
            "variant_id": None, "sku_group_id": gid, "kind": StockMoveKind.STOCK_IN,
            "quantity": 87, "stock_after": 87, "reserved_change": 0,
            "reason": svc.OPENING_REASON, "user_id": owner.id, "created_at": FIXED_NOW,
        })  # fmt: skip
    ids = make_product(engine, "Giày sneaker cao cấp",
                       [("GS0006-VKM-36", 589_000, 0), ("GS0006-VKM-36-B", 589_000, 0)],
                       sku_group_id=gid)  # fmt: skip
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(ids[1], 1),)))
    with engine.connect() as conn:
        pid = conn.execute(sa.select(Variant.product_id).where(Variant.id == ids[0])).scalar_one()
    dialog = StockHistoryDialog(owner_ctx, pid, variant_id=ids[0])
    qtbot.addWidget(dialog)
    dialog.resize(1000, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    header = table.horizontalHeader()
    opening = table.rowCount() - 1
    assert [table.item(opening, c).text() for c in (1, 2, 3, 6)] == [
        "Stock in", "PS00003", "+87", "Opening stock"]  # fmt: skip
    reason = StockHistoryDialog.REASON
    metrics = QFontMetrics(table.font())
    widths = [header.sectionSize(c) for c in range(table.columnCount())]
    # Reason shows its header and its texts whole, and takes the room left.
    assert widths[reason] >= header.sectionSizeHint(reason)
    assert widths[reason] >= metrics.horizontalAdvance("Opening stock") + 12
    assert sum(widths) >= table.viewport().width()
    # The other columns are as wide as their texts, no wider.
    for c in range(table.columnCount()):
        if c != reason:
            want = max(table.sizeHintForColumn(c), header.sectionSizeHint(c))
            assert widths[c] == want, c
    # A wider window: the room goes to Reason.
    dialog.resize(1300, 560)
    qtbot.waitUntil(lambda: header.sectionSize(reason) > widths[reason] + 200, timeout=WAIT_MS)
    assert [header.sectionSize(c) for c in range(table.columnCount()) if c != reason] == [
        w for c, w in enumerate(widths) if c != reason]  # fmt: skip
