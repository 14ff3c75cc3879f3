"""The Products list's stock tooltip names the variants that make a row amber (its total
can look plenty while one colour/size is out), read for the hovered row only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.db.product_summary import refresh_product_summaries
from primedist.domain.base import table_of
from primedist.domain.product import Variant
from primedist.services.context import ServiceContext
from primedist.ui.products.list_page import ProductListPage
from tests.factories import make_catalogue_product
from tests.ui.support import close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "shown")
variants_t = table_of(Variant)


def _name_options(engine: sa.Engine, options: dict[str, tuple[str, str]]) -> None:
    with engine.begin() as conn:
        for sku, (colour, size) in options.items():
            conn.execute(
                sa.update(variants_t)
                .where(variants_t.c.sku == sku)
                .values(option1=colour, option2=size)
            )
        refresh_product_summaries(conn)


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext) -> Iterator[ProductListPage]:
    engine = owner_ctx.engine
    make_catalogue_product(
        engine, "Áo sơ mi linen",
        [("SM-XR-S", 299_000, None, 400), ("SM-XR-M", 299_000, None, 0),
         ("SM-DO-M", 299_000, None, 410)],
        low_stock_level=5,
    )  # fmt: skip
    make_catalogue_product(
        engine, "Chân váy",
        [("CV-1", 1, None, 3), ("CV-2", 1, None, 0), ("CV-3", 1, None, 1),
         ("CV-4", 1, None, 2), ("CV-5", 1, None, 4), ("CV-6", 1, None, 90)],
        low_stock_level=5,
    )  # fmt: skip
    make_catalogue_product(engine, "Tất", [("TAT-1", 1, None, 2)], low_stock_level=5)
    make_catalogue_product(engine, "Mũ", [("MU-1", 1, None, 50)], low_stock_level=5)
    _name_options(engine, {"SM-XR-S": ("Xanh rêu", "S"), "SM-XR-M": ("Xanh rêu", "M"),
                           "SM-DO-M": ("Đỏ", "M")})  # fmt: skip
    p = show_widget(qtbot, ProductListPage(owner_ctx))
    yield p
    close_page(qtbot, p)


def stock_tip(page: ProductListPage, name: str) -> str | None:
    model = page.model
    model.load_all_keys()
    names = [model.data(model.index(r, model.col["name"])) for r in range(model.rowCount())]
    index = model.index(names.index(name), model.col["stock"])
    return model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_a_low_row_names_the_variants_that_are_short(page):
    # 810 in stock, yet amber: the tooltip says it is Xanh rêu / M that ran out.
    assert stock_tip(page, "Áo sơ mi linen") == (
        "On hand 810, reserved by open orders 0\nLow stock: Xanh rêu / M (0)"
    )
    # At most three named, the fewest first; the rest counted.
    assert stock_tip(page, "Chân váy") == (
        "On hand 100, reserved by open orders 0\nLow stock: CV-2 (0), CV-3 (1), CV-4 (2) +2 more"
    )
    assert stock_tip(page, "Tất") == "On hand 2, reserved by open orders 0\nLow stock: TAT-1 (2)"
    assert stock_tip(page, "Mũ") == "On hand 50, reserved by open orders 0"


def test_the_variants_are_read_for_the_hovered_row_only(page, owner_ctx):
    model = page.model
    model.load_all_keys()
    model.reread()
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    sa.event.listen(owner_ctx.engine, "before_cursor_execute", record)
    try:
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole):
                    model.data(index, role)
        drawn = [s for s in seen if "option1" in s]
        assert seen and drawn == []  # the page itself reads the summary columns only
        assert stock_tip(page, "Mũ") is not None  # not low: nothing more to read
        assert [s for s in seen if "option1" in s] == []
        assert stock_tip(page, "Tất") is not None
        assert len([s for s in seen if "option1" in s]) == 1
    finally:
        sa.event.remove(owner_ctx.engine, "before_cursor_execute", record)
