"""Analytics' product rank sorted on a figure's header asks the service again: its first
rows come from every product sold, not from the ten best by units."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from primedist.domain.enums import Channel, OrderStatus
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from primedist.ui.analytics.page import AnalyticsPage
from tests.factories import make_product, make_shop
from tests.services.report_data import FROM, NOW, TO, add_order

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def sales(ctx: ServiceContext) -> None:
    """11 cheap products sold 5-15 units; one dear one sold once (12th by units, 1st by
    revenue)."""
    engine = ctx.engine
    shop = make_shop(engine, "Shop", Channel.SHOPEE)
    sold = {f"Cheap {i:02d}": (make_product(engine, f"Cheap {i:02d}", [(f"C{i}", 1_000, 99)])[0],
                               5 + i, 1_000) for i in range(11)}  # fmt: skip
    sold["Dear"] = (make_product(engine, "Dear", [("D", 5_000_000, 9)])[0], 1, 5_000_000)
    with engine.begin() as conn:
        ids = [add_order(conn, shop, name, datetime(2026, 11, 12, 9), OrderStatus.COMPLETED,
                         lines=[(variant, n, price, 0)])
               for name, (variant, n, price) in sold.items()]  # fmt: skip
        orders_changed(conn, ids, now=NOW)


def names(page: AnalyticsPage) -> list[str]:
    table = page.tables["products"]
    items = [table.item(r, 0) for r in range(table.rowCount())]
    return [item.text() for item in items if item is not None]


@pytest.mark.usefixtures("sales")
def test_sorting_by_revenue_shows_the_best_sellers_by_revenue(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    page = AnalyticsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.set_range(FROM, TO)
    qtbot.waitUntil(lambda: page.running == 0)
    assert len(names(page)) == 10 and "Dear" not in names(page)  # the ten best by units
    header = page.tables["products"].horizontalHeader()
    x = header.sectionViewportPosition(2) + header.sectionSize(2) // 2
    for _click in range(2):  # Revenue: ascending, then descending
        with qtbot.waitSignal(page.refreshed, timeout=5000):
            qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))  # type: ignore[no-untyped-call]
        qtbot.waitUntil(lambda: page.running == 0)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert names(page)[:3] == ["Dear", "Cheap 10", "Cheap 09"]
    # A new range keeps the order chosen.
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.set_range(FROM, TO.replace(day=15))
    qtbot.waitUntil(lambda: page.running == 0)
    assert names(page)[0] == "Dear"
