"""Save in the product editor checks the whole form at once (every problem shown and
marked, the first one focused, each mark gone as soon as it is corrected, nothing moving),
makes the SKUs left blank, and the form scrolls as one: its lists are as tall as their
rows. Real widgets over a migrated store."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel
from primedist.services import catalogue as svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.products.editor import PRICE, SKU, ProductEditor
from tests.factories import make_shop
from tests.ui.products.test_editor import WAIT_MS, Questions, open_editor, save_and_wait

pytestmark = pytest.mark.usefixtures("quiet", "questions")


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


def where(widget: QWidget, dialog: ProductEditor) -> QPoint:
    QApplication.processEvents()
    return widget.mapTo(dialog, QPoint(0, 0))


def red(dialog: ProductEditor, row: int, column: int) -> bool:
    return dialog.grid.item(row, column).background().color().name() == "#fecaca"


def test_an_empty_save_shows_every_problem_at_once_and_each_goes_when_corrected(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    dialog.grid.setFocus()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    # The name and the price together, the name (first in the form) focused.
    assert not dialog.name_error.isHidden()
    assert dialog.name_error.text() == "Give the product a name."
    assert dialog.variants_error.text() == "Variant 1: give its price."
    assert dialog.name.property("invalid") is True and red(dialog, 0, PRICE)
    assert dialog.focusWidget() is dialog.name
    assert dialog.problems_note.text() == "Fields to correct (in red): 2"
    assert dialog.hint.isHidden()
    # A name typed: its error goes at once, the price's stays.
    qtbot.keyClicks(dialog.name, "But bi")
    assert dialog.name_error.isHidden() and not dialog.name.property("invalid")
    assert not dialog.variants_error.isHidden()
    assert dialog.problems_note.text() == "Fields to correct (in red): 1"
    # A price that is no number still is wrong; a number clears the cell.
    dialog.grid.item(0, PRICE).setText("abc")
    assert dialog.variants_error.text() == "Variant 1: abc is not a number."
    dialog.grid.item(0, PRICE).setText("15000")
    assert dialog.variants_error.isHidden() and not red(dialog, 0, PRICE)
    assert dialog.problems_note.isHidden() and not dialog.hint.isHidden()


def test_every_grid_problem_is_marked_and_the_first_cell_takes_the_keys(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    qtbot.keyClicks(dialog.name, "Mu")
    for _ in range(2):
        dialog.add_row()
    dialog.grid.item(0, PRICE).setText("10000")
    dialog.grid.item(2, PRICE).setText("x")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.variants_error.text() == (
        "Variant 2: give its price.\nVariant 3: x is not a number."
    )
    assert red(dialog, 1, PRICE) and red(dialog, 2, PRICE) and not red(dialog, 0, PRICE)
    assert dialog.focusWidget() is dialog.grid
    assert (dialog.grid.currentRow(), dialog.grid.currentColumn()) == (1, PRICE)
    assert dialog.row_in_error() == 1


def test_showing_and_clearing_the_errors_moves_nothing(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    before = [where(w, dialog) for w in (dialog.name, dialog.category, dialog.grid)]
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.name_error.isHidden() and not dialog.variants_error.isHidden()
    assert [where(w, dialog) for w in (dialog.name, dialog.category, dialog.grid)] == before
    qtbot.keyClicks(dialog.name, "Mu")
    assert [where(w, dialog) for w in (dialog.name, dialog.category, dialog.grid)] == before


def test_a_sku_left_blank_is_made_on_save_unused_in_the_shop(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    svc.create_product(owner_ctx, ProductDraft(
        name="Bút chì", variants=[VariantDraft(sku="BUTBI", price=1)]))  # fmt: skip
    dialog = open_editor(qtbot, owner_ctx)
    qtbot.keyClicks(dialog.name, "But bi")
    dialog.grid.item(0, PRICE).setText("5000")
    pid = save_and_wait(qtbot, dialog)
    assert [v.sku for v in svc.get_product(owner_ctx, pid).draft.variants] == ["BUTBI-2"]


def test_a_typed_sku_is_kept(qtbot: Any, owner_ctx: ServiceContext) -> None:
    dialog = open_editor(qtbot, owner_ctx)
    qtbot.keyClicks(dialog.name, "But bi")
    dialog.grid.item(0, PRICE).setText("5000")
    dialog.grid.item(0, SKU).setText("MY-OWN")
    pid = save_and_wait(qtbot, dialog)
    assert [v.sku for v in svc.get_product(owner_ctx, pid).draft.variants] == ["MY-OWN"]


@pytest.mark.usefixtures("app_style")
def test_a_six_variant_product_scrolls_as_one_form_on_a_laptop(
    qtbot: Any, owner_ctx: ServiceContext, engine: Engine
) -> None:
    """1366×768 (a 688 px high dialog): the variants and the shops show whole; only the
    dialog scrolls."""
    for i, channel in enumerate((Channel.SHOPEE, Channel.TIKI, Channel.LAZADA, Channel.TIKTOK)):
        make_shop(engine, f"Shop {i}", channel)
    pid = svc.create_product(owner_ctx, ProductDraft(
        name="Áo sơ mi", option1_name="Màu", option2_name="Size",
        variants=[VariantDraft(sku=f"ASM-{c}-{s}", option1=c, option2=s, price=299_000)
                  for c in ("Rêu", "Đỏ") for s in ("S", "M", "L")]))  # fmt: skip
    dialog = open_editor(qtbot, owner_ctx, pid)
    dialog.resize(1200, 688)
    qtbot.waitUntil(lambda: dialog.height() == 688, timeout=WAIT_MS)
    grid = dialog.grid
    rows = sum(grid.rowHeight(r) for r in range(grid.rowCount()))
    assert grid.rowCount() == 6 and grid.viewport().height() >= rows
    # Nothing to scroll inside: the wheel over them scrolls the dialog.
    assert grid.verticalScrollBar().maximum() == 0
    assert dialog.shops_scroll.verticalScrollBar().maximum() == 0
    assert len(dialog.shop_checks) >= 5
    assert dialog.save_button.isVisible()
    assert dialog.save_button.geometry().bottom() < dialog.height()
    bar = dialog.form_scroll.verticalScrollBar()
    assert bar.isVisible() and bar.value() == 0
