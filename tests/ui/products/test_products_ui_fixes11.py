"""Products as a tester found them: Remove variant asks before a variant's stock leaves the
product (No keeps it); the price preview never says a change happens when none will; the
Add product examples are English in English; the scheduled changes say how to make one in
a sentence and name what their Cancel button cancels. Real widgets over a migrated store."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.product import Product, Variant
from primedist.services import catalogue as svc
from primedist.services import orders as orders_svc
from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.price_change import PriceField, PriceMode
from primedist.ui.products.editor import SKU, ProductEditor
from primedist.ui.products.price_dialog import PriceChangeDialog, mode_key
from primedist.ui.products.price_schedules import PriceSchedulesDialog
from tests.conftest import FIXED_NOW
from tests.factories import add_product
from tests.ui.products.test_editor import Questions, cells, open_editor, save_and_wait
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "quiet")
v = table_of(Variant).c


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    """QMessageBox.question recorded and answered No (the test sets `answer`)."""
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


# --------------------------------------------------------------------------- Remove variant


def linen_shirt(ctx: ServiceContext) -> int:
    """Áo sơ mi linen: Size S (30 on hand), M (234 on hand, one sold), L (no stock)."""
    draft = ProductDraft(name="Áo sơ mi linen dáng ôm", option1_name="Size", variants=[
        VariantDraft(sku="ASML-S", option1="S", price=459_000, stock=30),
        VariantDraft(sku="ASML-M", option1="M", price=459_000, stock=235),
        VariantDraft(sku="ASML-L", option1="L", price=459_000, stock=0),
    ])  # fmt: skip
    pid = svc.create_product(ctx, draft)
    sold = svc.get_product(ctx, pid).draft.variants[1].id
    assert sold is not None
    orders_svc.create_order(ctx, OrderDraft(lines=(DraftLine(sold, 1),)))  # 235 -> 234
    return pid


def stored(engine: Engine, pid: int) -> tuple[dict[str, tuple[int, bool]], int]:
    """SKU -> (stock, active) of the product's variants, and its stock total."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(v.sku, v.stock, v.is_active).where(v.product_id == pid))
        total = conn.execute(sa.select(table_of(Product).c.stock_total)
                             .where(table_of(Product).c.id == pid)).scalar_one()  # fmt: skip
        return {r.sku: (r.stock, bool(r.is_active)) for r in rows}, int(total)


def select_sku(dialog: ProductEditor, sku: str) -> None:
    row = cells(dialog.grid, SKU).index(sku)
    dialog.grid.clearSelection()
    dialog.grid.selectRow(row)


def test_remove_variant_asks_first_naming_its_stock_and_no_keeps_it(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, questions: Questions
) -> None:
    pid = linen_shirt(owner_ctx)
    before = stored(engine, pid)
    assert before == ({"ASML-S": (30, True), "ASML-M": (234, True), "ASML-L": (0, True)}, 264)
    dialog = open_editor(qtbot, owner_ctx, pid)
    select_sku(dialog, "ASML-M")
    qtbot.mouseClick(dialog.remove_row_button, Qt.MouseButton.LeftButton)
    assert len(questions.asked) == 1
    asked = questions.asked[0]
    assert "• ASML-M: stock 234, sold or listed before" in asked
    assert "inactive, with its stock and its history" in asked
    assert "ASML-S" not in asked and "ASML-L" not in asked
    # No: the variant stays on the form, and a save changes nothing of its stock.
    assert cells(dialog.grid, SKU) == ["ASML-S", "ASML-M", "ASML-L"]
    save_and_wait(qtbot, dialog)
    assert stored(engine, pid) == before


def test_removing_a_variant_with_stock_goes_once_the_owner_says_yes(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, questions: Questions
) -> None:
    pid = linen_shirt(owner_ctx)
    dialog = open_editor(qtbot, owner_ctx, pid)
    dialog.grid.clearSelection()
    for sku in ("ASML-S", "ASML-M"):  # both at once: both named
        row = cells(dialog.grid, SKU).index(sku)
        dialog.grid.item(row, SKU).setSelected(True)
    questions.answer = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(dialog.remove_row_button, Qt.MouseButton.LeftButton)
    assert "• ASML-S: stock 30\n• ASML-M: stock 234, sold or listed before" in questions.asked[0]
    assert cells(dialog.grid, SKU) == ["ASML-L"]
    save_and_wait(qtbot, dialog)
    # Sold before: kept inactive with its stock; never sold: deleted.
    assert stored(engine, pid) == ({"ASML-M": (234, False), "ASML-L": (0, True)}, 0)


def test_a_variant_holding_nothing_goes_without_a_question(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine, questions: Questions
) -> None:
    pid = linen_shirt(owner_ctx)
    dialog = open_editor(qtbot, owner_ctx, pid)
    qtbot.mouseClick(dialog.add_row_button, Qt.MouseButton.LeftButton)  # a new, empty row
    dialog.grid.clearSelection()
    dialog.grid.selectRow(3)
    qtbot.mouseClick(dialog.remove_row_button, Qt.MouseButton.LeftButton)
    select_sku(dialog, "ASML-L")  # loaded, no stock, never sold
    qtbot.mouseClick(dialog.remove_row_button, Qt.MouseButton.LeftButton)
    assert questions.asked == []
    assert cells(dialog.grid, SKU) == ["ASML-S", "ASML-M"]


# --------------------------------------------------------------------------- price preview


def test_a_price_no_variant_can_take_says_nothing_will_change(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    pid = add_product(owner_ctx, "Bình giữ nhiệt inox", [
        VariantDraft(sku="BDI50033", price=379_000, discount_price=354_000, stock=5)])  # fmt: skip
    dialog = show_widget(qtbot, PriceChangeDialog(owner_ctx, [pid]), width=900, height=600)
    dialog.field.setCurrentIndex(dialog.field.findData(PriceField.PRICE))
    dialog.mode.setCurrentIndex(dialog.mode.findData(mode_key(PriceMode.SET, 1)))
    dialog.value.setText("350000")
    qtbot.waitUntil(lambda: "cannot take" in dialog.summary.text(), timeout=WAIT)
    assert dialog.summary.text().startswith(
        "Nothing will change: 1 of 1 variants cannot take the new price (in red). Change the "
        "rule, or choose fewer products.\nBDI50033: the new price 350,000 is below its discount "
        "price 354,000")  # fmt: skip
    assert "variants change" not in dialog.summary.text()
    assert not dialog.apply_button.isEnabled()
    dialog.reject()
    with engine.connect() as conn:
        assert conn.execute(sa.select(v.price).where(v.sku == "BDI50033")).scalar_one() == 379_000


# --------------------------------------------------------------------------- texts


def test_the_add_product_examples_are_english_in_english(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    examples = [dialog.name.placeholderText(), *(e.placeholderText() for e in dialog.attr_names),
                *(e.placeholderText() for e in dialog.attr_values)]  # fmt: skip
    assert examples == ["e.g. Cotton T-shirt", "e.g. Colour", "e.g. Size", "e.g. Red, Blue",
                        "e.g. S, M, L"]  # fmt: skip
    assert all(text.isascii() for text in examples)


def test_the_scheduled_changes_say_how_to_make_one_and_what_cancel_cancels(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    pid = add_product(owner_ctx, "Áo thun trắng", [VariantDraft(sku="AO-S", price=100_000)])
    rule = pc.PriceRule(PriceField.DISCOUNT, pc.PriceMode.PERCENT_OFF, Decimal(10))
    ps.schedule_prices(owner_ctx, "Giờ vàng", [pid], rule, FIXED_NOW + timedelta(days=2), None)
    dialog = show_widget(qtbot, PriceSchedulesDialog(owner_ctx), width=1000, height=460)
    intro = dialog.intro.text()
    assert "→" not in intro
    assert "To schedule one, choose Change prices… and set When to “At a set time”." in intro
    dialog.table.selectRow(0)
    assert dialog.stop_button.text() == "Cancel schedule" and dialog.stop_button.isEnabled()
    assert dialog.close_button.text() == "Close"
    # The whole text shows on the button.
    metrics = dialog.stop_button.fontMetrics()
    assert dialog.stop_button.width() >= metrics.horizontalAdvance("Cancel schedule")
