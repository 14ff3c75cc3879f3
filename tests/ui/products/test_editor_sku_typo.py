"""A typo corrected in a value leaves the SKU: a SKU the editor made from the values
("Men rn" -> BAT-MENRN) is made again when the value is corrected, by Generate variants and
by Fill in SKUs, while the row is not saved; a SKU typed by hand or saved stays. Real
widgets over a migrated store."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from primedist.services import catalogue as svc
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.products.editor import OPT1, SKU, ProductEditor
from tests.ui.products.test_editor import Questions, cells, open_editor, type_text

pytestmark = pytest.mark.usefixtures("quiet", "questions")


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Questions:
    asker = Questions()
    monkeypatch.setattr(QMessageBox, "question", asker)
    return asker


def generate(qtbot: Any, dialog: ProductEditor) -> None:
    qtbot.mouseClick(dialog.generate_button, Qt.MouseButton.LeftButton)


def fill_in(qtbot: Any, dialog: ProductEditor) -> None:
    qtbot.mouseClick(dialog.make_skus_button, Qt.MouseButton.LeftButton)


def glaze_editor(qtbot: Any, ctx: ServiceContext, values: str) -> ProductEditor:
    dialog = open_editor(qtbot, ctx)
    type_text(qtbot, dialog.name, "Bát cơm")
    type_text(qtbot, dialog.attr_names[0], "Men")
    type_text(qtbot, dialog.attr_values[0], values)
    return dialog


def test_generate_variants_makes_the_sku_of_a_corrected_value_again(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = glaze_editor(qtbot, owner_ctx, "Men rn, Trơn")
    qtbot.keyClicks(dialog.base_sku, "BAT")
    generate(qtbot, dialog)
    assert cells(dialog.grid, SKU) == ["BAT-MENRN", "BAT-TRON"]
    dialog.grid.item(1, SKU).setText("BAT-T1")  # typed by hand: stays
    dialog.attr_values[0].clear()
    type_text(qtbot, dialog.attr_values[0], "Men rạn, Trơn bóng")
    generate(qtbot, dialog)
    assert cells(dialog.grid, OPT1) == ["Men rạn", "Trơn bóng"]
    assert cells(dialog.grid, SKU) == ["BAT-MENRAN", "BAT-T1"]


def test_fill_in_skus_makes_the_sku_of_a_corrected_value_again(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    dialog = glaze_editor(qtbot, owner_ctx, "Men rn, Trơn")
    generate(qtbot, dialog)  # no base SKU: the SKUs are left to Fill in SKUs
    fill_in(qtbot, dialog)
    assert cells(dialog.grid, SKU) == ["BATCOM-MENRN", "BATCOM-TRON"]
    # Corrected in the values: Generate variants makes it from the name again.
    dialog.attr_values[0].clear()
    type_text(qtbot, dialog.attr_values[0], "Men rạn, Trơn")
    generate(qtbot, dialog)
    assert cells(dialog.grid, SKU) == ["BATCOM-MENRAN", "BATCOM-TRON"]
    # Corrected in the grid's cell: Fill in SKUs makes it again.
    dialog.grid.item(1, OPT1).setText("Trơn bóng")
    fill_in(qtbot, dialog)
    assert cells(dialog.grid, SKU) == ["BATCOM-MENRAN", "BATCOM-TRONBONG"]


def test_a_saved_sku_stays_when_its_value_is_renamed(qtbot: Any, owner_ctx: ServiceContext) -> None:
    draft = ProductDraft(name="Bát cơm", option1_name="Men", variants=[
        VariantDraft(sku="BAT-MENRN", option1="Men rn", price=50_000)])  # fmt: skip
    pid = svc.create_product(owner_ctx, draft)
    dialog = open_editor(qtbot, owner_ctx, pid)
    dialog.grid.item(0, OPT1).setText("Men rạn")
    fill_in(qtbot, dialog)
    dialog.attr_values[0].setText("Men rạn")
    generate(qtbot, dialog)
    assert cells(dialog.grid, SKU) == ["BAT-MENRN"]
