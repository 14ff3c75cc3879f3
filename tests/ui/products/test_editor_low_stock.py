"""The product editor marks its low variants as the Products list finds them: the stock
cell amber (red when none is left), why in its tooltip; the mark follows what is typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel
from primedist.services import catalogue as svc
from primedist.services import low_stock
from primedist.services.catalogue import ProductDraft, VariantDraft
from primedist.services.context import ServiceContext
from primedist.ui.products.editor import LOW, STOCK
from primedist.ui.products.list_page import LOW_STOCK_COLOUR, OUT_OF_STOCK_COLOUR
from tests.factories import make_shop
from tests.ui.products.test_editor import open_editor, type_cell


def test_low_and_empty_variants_are_marked_with_their_level(
    qtbot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Lazada Sài Gòn", Channel.LAZADA)
    pid = svc.create_product(
        owner_ctx,
        ProductDraft(
            name="Quần jean", option1_name="Size", shop_ids=[shop],
            variants=[VariantDraft(sku="QJ-29", option1="29", price=1, stock=4,
                                   low_stock_level=5),
                      VariantDraft(sku="QJ-30", option1="30", price=1, stock=6),
                      VariantDraft(sku="QJ-31", option1="31", price=1, stock=0),
                      VariantDraft(sku="QJ-32", option1="32", price=1, stock=50)],
        ),
    )  # fmt: skip
    low_stock.set_shop_level(owner_ctx, [shop], 10)  # QJ-30 and QJ-32 take the shop's level
    dialog = open_editor(qtbot, owner_ctx, pid)
    grid = dialog.grid

    def colour(row: int) -> QColor | None:
        brush = grid.item(row, STOCK).data(Qt.ItemDataRole.ForegroundRole)
        return None if brush is None else brush.color()

    def tip(row: int) -> str:
        return grid.item(row, STOCK).toolTip()

    amber, red = QColor(LOW_STOCK_COLOUR), QColor(OUT_OF_STOCK_COLOUR)
    assert [colour(r) for r in range(4)] == [amber, amber, red, None]
    assert tip(0) == "Low on stock: 4 available, level 5"
    assert tip(1) == "Low on stock: 6 available, level 10"  # the shop's default
    assert tip(2) == "Out of stock: 0 available, level 10"
    assert tip(3) == ""
    # The mark follows the grid: a count typed, a level lowered.
    type_cell(qtbot, grid, 0, STOCK, "20")
    assert colour(0) is None and tip(0) == ""
    type_cell(qtbot, grid, 1, LOW, "3")
    assert colour(1) is None
    type_cell(qtbot, grid, 3, STOCK, "10")
    assert colour(3) == amber and tip(3) == "Low on stock: 10 available, level 10"
    dialog._dirty = False
    dialog.reject()
