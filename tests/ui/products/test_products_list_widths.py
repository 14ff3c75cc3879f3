"""The Products list in a 1366 px main window (a laptop, maximised) shows every column
without scrolling sideways, in Vietnamese and in English: the price columns are as wide
as the prices in view (they were sized to a seven-digit range, and Created was cut), and
every price and stock shows whole. Real widgets over a migrated store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView

from primedist.config import Settings
from primedist.services.context import ServiceContext
from primedist.ui.app import ui_settings_for
from primedist.ui.i18n import install_language
from primedist.ui.main_window import MainWindow
from primedist.ui.products.list_page import ProductListPage
from primedist.ui.products.page import ProductsPage
from tests.factories import make_catalogue_product, make_shop
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "app_style", "quiet")

START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def products(owner_ctx: ServiceContext) -> None:
    """Twenty products as the demo shop's (a scroll bar's worth), the newest on top with
    the widest prices: a range in both price columns, a seven-digit price, 1.767 in stock."""
    engine = owner_ctx.engine
    shop = make_shop(engine, "Prime Official - Shopee Mall", "shopee")
    for i in range(17):
        make_catalogue_product(engine, f"Khăn tắm cotton {i}", [(f"KT{i}", 99_000, None, 20)],
                               shop_ids=(shop,), created_at=START + timedelta(hours=i))  # fmt: skip
    wide = (
        ("Serum vitamin C cho da nhạy cảm", [("SVC-50", 459_000, 412_000, 10),
                                             ("SVC-100", 789_000, 699_000, 1_767)]),
        ("Son kem lì dưỡng ẩm", [("SKL-01", 139_000, 112_000, 772),
                                 ("SKL-02", 139_000, 127_000, 5)]),
        ("Nồi chiên không dầu 6 lít", [("NCKD-6", 1_290_000, 1_090_000, 26)]),
    )  # fmt: skip
    for n, (name, variants) in enumerate(wide):
        make_catalogue_product(engine, name, variants, shop_ids=(shop,),
                               created_at=START + timedelta(days=2, hours=n))  # fmt: skip


@pytest.fixture
def laptop_window(
    qtbot: Any, owner_ctx: ServiceContext, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    """The main window 1366 px wide (the test screen is smaller: the window would be
    maximised to it)."""
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _s: QRect(0, 0, 3000, 2000))
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.close()


def products_list(qtbot: Any, window: MainWindow) -> ProductListPage:
    page = window.select_tab("products")
    assert isinstance(page, ProductsPage)
    lst = page.list
    qtbot.waitUntil(lambda: lst.isVisible() and lst.model.complete, timeout=WAIT)
    qtbot.wait(50)  # the price columns are fitted once the rows show
    return lst


def clipped(view: QTableView, keys: tuple[str, ...]) -> list[str]:
    """The texts of the rows in view, in these columns, wider than the room the style
    leaves them in their cell (they show cut with "…")."""
    model = view.model()
    spec = [c.key for c in model.spec.columns]  # type: ignore[attr-defined]
    metrics, style, delegate = view.fontMetrics(), view.style(), view.itemDelegate()
    cut = []
    for row in range(model.rowCount()):
        for key in keys:
            index = model.index(row, spec.index(key))
            rect = view.visualRect(index)
            if not rect.intersects(view.viewport().rect()):
                continue
            option = QStyleOptionViewItem()
            option.initFrom(view)
            option.rect = rect
            delegate.initStyleOption(option, index)  # type: ignore[attr-defined]
            room = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, view)
            if metrics.horizontalAdvance(option.text) > room.width():
                cut.append(option.text)
    return cut


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.usefixtures("products")
def test_every_column_fits_a_1366_window_with_prices_and_stock_whole(
    qtbot: Any, laptop_window: MainWindow, lang: str
) -> None:
    install_language(lang)
    view = products_list(qtbot, laptop_window).view
    header = view.horizontalHeader()
    assert view.verticalScrollBar().isVisible()  # the narrowest room: beside a scroll bar
    shown = [i for i in range(header.count()) if not header.isSectionHidden(i)]
    assert sum(view.columnWidth(i) for i in shown) <= view.viewport().width()  # was 1,414
    assert view.horizontalScrollBar().maximum() == 0  # no sideways scrolling
    assert clipped(view, ("price", "discount_price", "stock")) == []
    created = shown[-1]  # the last column, cut at the window's edge before
    assert view.columnViewportPosition(created) + view.columnWidth(created) <= (
        view.viewport().width()
    )


@pytest.mark.usefixtures("products")
def test_a_wider_price_scrolled_into_view_widens_its_column_and_a_new_query_sizes_afresh(
    qtbot: Any, laptop_window: MainWindow
) -> None:
    lst = products_list(qtbot, laptop_window)
    view, price = lst.view, lst.model.col["price"]
    wide = view.columnWidth(price)  # the newest on top: "459.000 ₫ - 789.000 ₫"
    view.sortByColumn(price, Qt.SortOrder.AscendingOrder)  # 99.000 ₫ on top
    qtbot.waitUntil(lambda: view.columnWidth(price) < wide - 40, timeout=WAIT)
    narrow = view.columnWidth(price)
    view.scrollToBottom()  # the ranges come into view: the column widens for them
    qtbot.waitUntil(lambda: view.columnWidth(price) > narrow + 40, timeout=WAIT)
    assert clipped(view, ("price", "discount_price")) == []
    widened = view.columnWidth(price)
    view.scrollToTop()  # and keeps its width while the same rows scroll (no jumping)
    qtbot.wait(50)
    assert view.columnWidth(price) == widened
    lst.set_search("khăn")  # a new query: 99.000 ₫ only
    qtbot.waitUntil(lambda: view.columnWidth(price) == narrow, timeout=WAIT)
