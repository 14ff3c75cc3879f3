"""The product editor asks a reason when Save changes the stock of existing variants (Cancel
saves nothing; the movement carries the reason), shows the variant grid on opening on a
1366×768 laptop, and the stock history's columns fit its window. Real widgets over a
migrated store."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel, StockMoveKind
from primedist.domain.product import StockMovement, Variant
from primedist.domain.user import User
from primedist.services import catalogue as svc
from primedist.services import orders as orders_svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.i18n import install_language
from primedist.ui.products import editor as editor_mod
from primedist.ui.products.editor import PRICE, STOCK, ProductEditor
from primedist.ui.products.stock_dialogs import StockHistoryDialog
from tests.factories import make_shop
from tests.ui.products.test_editor import WAIT_MS, open_editor, type_cell, variants

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(autouse=True)
def quiet(quiet: list[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shared `quiet`; the editor's crash box recorded too, and its "discard what was
    typed?" answered Yes when the test closes it."""
    monkeypatch.setattr(editor_mod, "show_crash", lambda _p, exc: quiet.append(repr(exc)))
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    return quiet


def shirt(ctx: ServiceContext) -> int:
    return svc.create_product(ctx, ProductDraft(
        name="Áo sơ mi linen", option1_name="Màu", option2_name="Size",
        variants=[VariantDraft(sku=f"ASM-{c}-{s}", option1=c, option2=s, price=299_000,
                               stock=5 if s == "S" else 0)
                  for c in ("Be", "Xám") for s in ("S", "M", "L")]))  # fmt: skip


def movements(engine: Engine, sku: str) -> list[tuple[StockMoveKind, int, str | None]]:
    m, v = table_of(StockMovement), table_of(Variant)
    with engine.connect() as conn:
        vid = conn.execute(sa.select(v.c.id).where(v.c.sku == sku)).scalar_one()
        rows = conn.execute(sa.select(m.c.kind, m.c.quantity, m.c.reason)
                            .where(m.c.variant_id == vid).order_by(m.c.id))  # fmt: skip
        return [tuple(r) for r in rows]  # type: ignore[misc]


def click_save(qtbot: Any, dialog: ProductEditor) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def test_a_stock_changed_asks_a_reason_and_the_movement_carries_it(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = shirt(owner_ctx)
    dialog = open_editor(qtbot, owner_ctx, pid)
    assert "reason asked on Save" in dialog.hint.text()
    type_cell(qtbot, dialog.grid, 4, STOCK, "10")  # Xám / M: 0 → 10
    type_cell(qtbot, dialog.grid, 3, STOCK, "3")  # Xám / S: 5 → 3
    click_save(qtbot, dialog)
    asked = dialog.stock_reason_dialog
    assert asked is not None
    qtbot.waitUntil(asked.isVisible, timeout=WAIT_MS)
    assert asked.headline.text() == "New stock on 2 variant(s):"
    assert asked.listing.text().splitlines() == [
        "• Xám / S · ASM-Xám-S: 5 → 3 (−2)", "• Xám / M · ASM-Xám-M: 0 → 10 (+10)"]  # fmt: skip
    # A reason is chosen, never assumed; the same choices as Stock movement's.
    assert asked.reason_box.currentText() == "" and not asked.save.isEnabled()
    assert asked.reason_box.itemText(0) == "Stock-take count"
    asked.reason_box.setCurrentIndex(asked.reason_box.findText("Stock-take count"))
    qtbot.keyClicks(asked.note, "dem lai cuoi thang")
    assert asked.save.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(asked.save, Qt.MouseButton.LeftButton)
    reason = "Stock-take count — dem lai cuoi thang"
    assert movements(engine, "ASM-Xám-M")[-1] == (StockMoveKind.ADJUSTMENT, 10, reason)
    assert movements(engine, "ASM-Xám-S")[-1] == (StockMoveKind.ADJUSTMENT, -2, reason)
    assert variants(engine, pid)["ASM-Xám-M"].stock == 10


def test_cancel_at_the_reason_goes_back_to_the_editor_with_nothing_saved(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = shirt(owner_ctx)
    dialog = open_editor(qtbot, owner_ctx, pid)
    type_cell(qtbot, dialog.grid, 1, STOCK, "7")
    type_cell(qtbot, dialog.grid, 1, PRICE, "319000")
    click_save(qtbot, dialog)
    asked = dialog.stock_reason_dialog
    assert asked is not None
    qtbot.waitUntil(asked.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(asked.reason_box.lineEdit(), "Nhap them")  # a reason of one's own
    qtbot.mouseClick(asked.cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not asked.isVisible(), timeout=WAIT_MS)
    qtbot.wait(50)
    assert dialog.isVisible() and dialog.saved_id is None
    row = variants(engine, pid)["ASM-Be-M"]
    assert (row.stock, row.price) == (0, 299_000)
    assert movements(engine, "ASM-Be-M") == []
    # What was typed stays: Save asks again.
    assert dialog.grid.item(1, STOCK).text() == "7"
    click_save(qtbot, dialog)
    again = dialog.stock_reason_dialog
    assert again is not None and again is not asked
    qtbot.waitUntil(again.isVisible, timeout=WAIT_MS)
    qtbot.keyClicks(again.reason_box.lineEdit(), "Nhap them")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(again.save, Qt.MouseButton.LeftButton)
    assert movements(engine, "ASM-Be-M") == [(StockMoveKind.ADJUSTMENT, 7, "Nhap them")]


def test_no_reason_is_asked_without_a_stock_change_nor_for_a_new_product(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = shirt(owner_ctx)
    dialog = open_editor(qtbot, owner_ctx, pid)
    type_cell(qtbot, dialog.grid, 0, PRICE, "289000")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        click_save(qtbot, dialog)
    assert dialog.stock_reason_dialog is None
    assert variants(engine, pid)["ASM-Be-S"].price == 289_000
    # A new product's stock is its opening stock.
    new = open_editor(qtbot, owner_ctx)
    assert new.hint.text() == "Stock typed here is recorded as a stock movement."
    qtbot.keyClicks(new.name, "Khan tay")
    type_cell(qtbot, new.grid, 0, PRICE, "25000")
    type_cell(qtbot, new.grid, 0, STOCK, "12")
    with qtbot.waitSignal(new.accepted, timeout=WAIT_MS):
        click_save(qtbot, new)
    assert new.stock_reason_dialog is None
    sku = next(iter(variants(engine, new.saved_id or 0)))
    assert movements(engine, sku) == [(StockMoveKind.STOCK_IN, 12, svc.OPENING_REASON)]


@pytest.mark.usefixtures("app_style")
def test_the_grid_shows_on_opening_on_a_laptop(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    """1366×768 (a 688 px high dialog), five shops and a description: the first rows of
    prices and stock show without scrolling."""
    for i, channel in enumerate((Channel.SHOPEE, Channel.TIKI, Channel.LAZADA, Channel.TIKTOK)):
        make_shop(engine, f"Prime Official {i}", channel)
    pid = svc.create_product(owner_ctx, ProductDraft(
        name="Áo sơ mi linen phong cách Hàn Quốc", option1_name="Màu", option2_name="Size",
        description="Chất liệu thoáng mát, đường may chắc chắn, dễ phối đồ.\n" * 4,
        variants=[VariantDraft(sku=f"ASML-{c}-{s}", option1=c, option2=s, price=299_000)
                  for c in ("Be", "Xám", "Tím than")
                  for s in ("S", "M", "L", "XL", "XXL")]))  # fmt: skip
    dialog = ProductEditor(owner_ctx, pid)
    qtbot.addWidget(dialog)
    dialog.resize(1200, 688)
    dialog.show()
    qtbot.waitExposed(dialog)
    scroll = dialog.form_scroll
    assert scroll.verticalScrollBar().value() == 0
    seen = scroll.viewport().rect()
    grid = dialog.grid
    for row in range(4):
        cell = grid.visualRect(grid.model().index(row, PRICE))
        top_left = grid.viewport().mapTo(scroll.viewport(), cell.topLeft())
        on_form = QRect(top_left, cell.size())
        assert seen.contains(on_form), (row, on_form, seen)


def test_the_stock_history_shows_every_column_whole(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    """Vietnamese, at the dialog's width on a 1024×768 screen (it opens 1,300 px wide where
    there is room): "Thực hiện" (By) with a long name is not cut off; a long Reason gives
    up room, whole in its tooltip."""
    with engine.begin() as conn:
        conn.execute(sa.update(table_of(User)).values(name="Chủ cửa hàng Demo Nguyễn Văn An"))
    pid = shirt(owner_ctx)
    editable = svc.get_product(owner_ctx, pid).draft
    editable.variants[1].stock = 10
    svc.update_product(owner_ctx, pid, editable,
                       stock_reason="Kiểm kho — đếm lại cuối tháng, kệ số 3 bị lệch")  # fmt: skip
    vid = editable.variants[0].id
    assert vid is not None
    orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(vid, 1),)))
    install_language("vi")
    dialog = StockHistoryDialog(owner_ctx, pid)
    qtbot.addWidget(dialog)
    dialog.resize(984, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    header = table.horizontalHeader()
    by = table.columnCount() - 1
    qtbot.waitUntil(lambda: header.sectionSize(by) > 0, timeout=WAIT_MS)
    assert header.sectionPosition(by) + header.sectionSize(by) <= table.viewport().width()
    assert table.horizontalScrollBar().maximum() == 0
    names = [table.item(r, by).text() for r in range(table.rowCount())]
    assert "Chủ cửa hàng Demo Nguyễn Văn An" in names
    assert header.sectionSize(by) >= table.sizeHintForColumn(by)
    reasons = [table.item(r, StockHistoryDialog.REASON) for r in range(table.rowCount())]
    long = next(i for i in reasons if i.text().startswith("Kiểm kho"))
    assert long.toolTip() == long.text()
