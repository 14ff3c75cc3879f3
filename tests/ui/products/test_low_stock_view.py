"""Home's "Low on stock" link: the Products list on its low-stock chip names the low
variants in the Stock cells (one query a page), and the low variant is a step away —
double-click its Stock cell, the Stock in/out button or the row menu open the stock
dialog on it; "Receive goods…" starts a goods receipt of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.db.product_summary import refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.queries.products import ProductFilter
from primedist.services.context import ServiceContext
from primedist.ui.products import list_page
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.stock_dialogs import StockMoveDialog
from tests.factories import make_catalogue_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")
variants_t = table_of(Variant)
LOW = ProductFilter(statuses=("low_stock",))


@pytest.fixture
def ids(owner_ctx: ServiceContext) -> dict[str, int]:
    engine = owner_ctx.engine
    found = {
        "somi": make_catalogue_product(
            engine, "Áo sơ mi linen",
            [("SM-BE-S", 299_000, None, 216), ("SM-XAM-M", 299_000, None, 0),
             ("SM-TIM-S", 299_000, None, 5), ("SM-TIM-M", 299_000, None, 226)],
            low_stock_level=5,
        ),
        "vay": make_catalogue_product(
            engine, "Chân váy",
            [("CV-1", 1, None, 3), ("CV-2", 1, None, 0), ("CV-3", 1, None, 1),
             ("CV-4", 1, None, 2), ("CV-5", 1, None, 4), ("CV-6", 1, None, 90)],
            low_stock_level=5,
        ),
        "mu": make_catalogue_product(engine, "Mũ", [("MU-1", 1, None, 50)], low_stock_level=5),
    }  # fmt: skip
    with engine.begin() as conn:
        options = (("SM-BE-S", "Be", "S"), ("SM-XAM-M", "Xám", "M"),
                   ("SM-TIM-S", "Tím than", "S"), ("SM-TIM-M", "Tím than", "M"))  # fmt: skip
        for sku, colour, size in options:
            conn.execute(sa.update(variants_t).where(variants_t.c.sku == sku)
                         .values(option1=colour, option2=size))  # fmt: skip
        refresh_product_summaries(conn)
        found.update({sku: int(vid) for sku, vid in conn.execute(
            sa.select(variants_t.c.sku, variants_t.c.id))})  # fmt: skip
    return found


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, ids) -> Iterator[ProductsPage]:
    p = show_widget(qtbot, ProductsPage(owner_ctx), width=1366, height=760)
    qtbot.waitUntil(lambda: p.list.model.rowCount() == 3, timeout=WAIT)
    yield p
    p.shutdown()


def row_of(page: ProductsPage, name: str) -> int:
    model = page.list.model
    model.load_all_keys()
    shown = [model.data(model.index(r, model.col["name"])) for r in range(model.rowCount())]
    return shown.index(name)


def stock_index(page: ProductsPage, name: str):
    model = page.list.model
    return model.index(row_of(page, name), model.col["stock"])


def test_the_low_view_names_the_low_variants_in_the_stock_cell(qtbot, page):
    model = page.list.model
    # Outside the low view a row shows its total (the tooltip names what is low).
    assert model.data(stock_index(page, "Áo sơ mi linen")) == "447"
    page.list.set_filter(LOW)
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=WAIT)
    # The fewest first; past three, a count (the tooltip lists them all with their level).
    assert model.data(stock_index(page, "Áo sơ mi linen")) == "Xám / M: 0 · Tím than / S: 5"
    assert model.data(stock_index(page, "Chân váy")) == "CV-2: 0 · CV-3: 1 · CV-4: 2 · +2"
    tip = model.data(stock_index(page, "Chân váy"), Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[1:] == [
        "Low stock:", "  CV-2: 0 (level 5)", "  CV-3: 1 (level 5)", "  CV-4: 2 (level 5)",
        "  CV-1: 3 (level 5)", "  CV-5: 4 (level 5)",
        "Double-click: stock in or correct the count of CV-2",
    ]  # fmt: skip
    amber = model.data(stock_index(page, "Chân váy"), Qt.ItemDataRole.ForegroundRole)
    assert amber == list_page.QColor(list_page.LOW_STOCK_COLOUR)
    # The column makes room for the names (the name column gives it).
    view = page.list.view
    column = model.col["stock"]
    need = view.fontMetrics().horizontalAdvance("Xám / M: 0 · Tím than / S: 5")
    qtbot.waitUntil(lambda: view.columnWidth(column) >= need, timeout=WAIT)
    page.list.set_filter(ProductFilter())  # back to totals, and to the column's width
    qtbot.waitUntil(lambda: view.columnWidth(column) == 80, timeout=WAIT)
    assert model.data(stock_index(page, "Áo sơ mi linen")) == "447"


def test_the_low_variants_are_read_in_one_query_a_page(qtbot, page, owner_ctx):
    model = page.list.model
    page.list.set_filter(LOW)
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=WAIT)
    model.reread()
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    sa.event.listen(owner_ctx.engine, "before_cursor_execute", record)
    try:
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    model.data(index, role)
    finally:
        sa.event.remove(owner_ctx.engine, "before_cursor_execute", record)
    assert len([s for s in seen if "option1" in s]) == 1


def test_double_click_on_a_low_stock_cell_opens_stock_on_that_variant(qtbot, page, ids):
    list_ = page.list
    list_.set_filter(LOW)
    qtbot.waitUntil(lambda: list_.model.rowCount() == 2, timeout=WAIT)
    index = stock_index(page, "Áo sơ mi linen")
    view = list_.view
    view.scrollTo(index)
    at = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.waitUntil(lambda: isinstance(page.last_dialog, StockMoveDialog), timeout=WAIT)
    dialog = page.last_dialog
    assert dialog.variant().variant_id == ids["SM-XAM-M"]  # the one at 0, not the first
    dialog.reject()
    # The name cell still opens the editor.
    at = view.visualRect(list_.model.index(index.row(), list_.model.col["name"])).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.waitUntil(lambda: not isinstance(page.last_dialog, StockMoveDialog), timeout=WAIT)
    page.last_dialog.reject()


def test_the_stock_button_and_the_row_menu_open_on_the_low_variant(qtbot, page, ids):
    list_ = page.list
    assert not list_.stock_button.isEnabled()  # nothing selected
    assert list_.select_ids([ids["somi"]]) == 1
    assert list_.stock_button.isVisible() and list_.stock_button.isEnabled()
    qtbot.mouseClick(list_.stock_button, Qt.MouseButton.LeftButton)
    assert isinstance(page.last_dialog, StockMoveDialog)
    assert page.last_dialog.variant().variant_id == ids["SM-XAM-M"]
    page.last_dialog.reject()
    # The row menu offers each low variant.
    menu = list_.build_context_menu(ids["somi"])
    sub = next(a.menu() for a in menu.actions() if a.text() == "Stock in/out…")
    texts = [a.text() for a in sub.actions() if a.text()]
    assert texts == ["Tím than / S (5)…", "Xám / M (0)…"][::-1] + ["Another variant…"]
    next(a for a in sub.actions() if a.text() == "Tím than / S (5)…").trigger()
    assert isinstance(page.last_dialog, StockMoveDialog)
    assert page.last_dialog.variant().variant_id == ids["SM-TIM-S"]
    page.last_dialog.reject()
    # A product with nothing low: one entry, on its first variant; no goods to receive.
    plain = list_.build_context_menu(ids["mu"])
    assert "Receive goods…" not in [a.text() for a in plain.actions()]


def test_receive_goods_starts_a_receipt_of_the_low_variants(qtbot, page, ids):
    menu = page.list.build_context_menu(ids["somi"])
    next(a for a in menu.actions() if a.text() == "Receive goods…").trigger()
    qtbot.waitUntil(lambda: page.receipt_dialog is not None, timeout=WAIT)
    dialog = page.receipt_dialog
    # Each brought up to twice its level (10): 10 of Xám / M, 5 of Tím than / S.
    lines = {line.hit.variant_id: line.quantity for line in dialog.lines}
    assert lines == {ids["SM-XAM-M"]: 10, ids["SM-TIM-S"]: 5}
    dialog.done(0)
