"""Products, after a review: the SKU group editor's listings fit its default size (no
sideways scrolling, the prices whole) in both languages; the groups list names the
discount price as Products does; stock history names the system user as other names."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Channel
from primedist.domain.product import StockMovement
from primedist.services import sku_groups as groups_svc
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from primedist.ui.products.groups import GroupDialog, SkuGroupsPage
from primedist.ui.products.stock_dialogs import StockHistoryDialog
from tests.factories import make_product, make_shop
from tests.services.test_stock import list_on
from tests.ui.support import WAIT, close_page, show_widget

LONG_NAME = "Đèn ngủ cảm ứng chính hãng điều chỉnh ba mức sáng, sạc USB-C, bảo hành 12 tháng"


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def long_group(owner_ctx: ServiceContext) -> int:
    """A group of two listings with long product and shop names and big prices."""
    engine = owner_ctx.engine
    tiki = make_shop(engine, "Prime Official - Tiki Trading Hồ Chí Minh", Channel.TIKI)
    lazada = make_shop(engine, "Prime Store - Lazada Mall Việt Nam", Channel.LAZADA)
    (a,) = make_product(engine, LONG_NAME, [("DNCU0002-NAVY-XL-2024", 12_490_000, 4)])
    (b,) = make_product(engine, LONG_NAME + " (bản B)", [("DNCU0002-NAVY-XL-2025", 12_990_000, 2)])
    list_on(engine, tiki, [a, b])
    list_on(engine, lazada, [a, b])
    return groups_svc.create_group(owner_ctx, "PS-1", "Đèn ngủ", variant_ids=[a, b])


@pytest.mark.usefixtures("app_style", "no_crash")
@pytest.mark.parametrize("language", ["english", "vietnamese"])
def test_the_group_editor_fits_its_default_size(
    qtbot: Any, request: pytest.FixtureRequest, owner_ctx: ServiceContext, language: str
) -> None:
    request.getfixturevalue(language)
    dialog = GroupDialog(owner_ctx, long_group(owner_ctx))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.loaded and dialog.members.rowCount() == 2, timeout=WAIT)
    table, header = dialog.members, dialog.members.horizontalHeader()
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0, timeout=WAIT)
    # Every column on screen; the prices (and their headers) whole.
    assert header.sectionViewportPosition(5) + header.sectionSize(5) <= table.viewport().width()
    metrics = header.fontMetrics()
    for c in (4, 5):
        header_item = table.horizontalHeaderItem(c)
        assert header_item is not None
        title = header_item.text()
        assert header.sectionSize(c) >= metrics.horizontalAdvance(title)
        price = cell(table, 0, c)
        assert header.sectionSize(c) >= table.fontMetrics().horizontalAdvance(price)
    # What is cut short shows whole in its tooltip.
    product = table.item(0, 1)
    assert product is not None and product.toolTip() == LONG_NAME


@pytest.mark.usefixtures("english", "no_crash")
def test_the_groups_list_says_discount_price(qtbot: Any, owner_ctx: ServiceContext) -> None:
    page = show_widget(qtbot, SkuGroupsPage(owner_ctx))
    model = page.model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "Discount price" in titles and "Special price" not in titles
    close_page(qtbot, page)


@pytest.mark.usefixtures("english", "quiet")
def test_stock_history_names_the_system_user_with_a_capital(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext
) -> None:
    (variant_id,) = make_product(engine, "Áo thun", [("AO", 99_000, 3)])
    stock_svc.stock_in(owner_ctx, variant_id, 2, reason="NCC A")
    moves = table_of(StockMovement)
    with engine.begin() as conn:  # as the app's own jobs move stock: no user
        conn.execute(sa.update(moves).values(user_id=None))
        product_id = conn.execute(sa.text("SELECT product_id FROM variants")).scalar_one()
    dialog = StockHistoryDialog(owner_ctx, product_id, variant_id=variant_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert cell(dialog.table, 0, 8) == "System"
