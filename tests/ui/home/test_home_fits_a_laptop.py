"""Home on the usual laptop (1280×720, 1366×768), in both languages: the marketplace table
of the demo's five channels shows every row, without a sideways scroll bar, also after the
window was wider (its columns were spread over the old width, read before the resize)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from primedist.config import Settings
from primedist.services import demo
from primedist.services.context import ServiceContext
from primedist.ui.app import ui_settings_for
from primedist.ui.home.page import HomePage
from primedist.ui.i18n import install_language
from primedist.ui.main_window import MainWindow
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "app_style", "english")


def rows_whole(home: HomePage) -> bool:
    """Every row of the marketplace table inside its viewport, none under a scroll bar."""
    table = home.channels
    last = table.rowCount() - 1
    bottom = table.rowViewportPosition(last) + table.rowHeight(last)
    return bottom <= table.viewport().height()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)], ids=["1280", "1366"])
def test_the_marketplace_table_fits_a_laptop(
    qtbot: QtBot, ctx: ServiceContext, settings: Settings, lang: str, size: tuple[int, int]
) -> None:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=120, customers=20, seed=3)
    install_language(lang)
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Prime Demo Shop")
    qtbot.addWidget(window)
    window.resize(1700, 900)  # a wider window first: the columns spread over its width
    window.show()
    qtbot.waitExposed(window)
    home = window.select_tab("home")
    assert isinstance(home, HomePage)
    qtbot.waitUntil(lambda: home.running == 0 and home.data is not None, timeout=WAIT)
    table = home.channels
    assert table.rowCount() == 5  # Shopee, Lazada, Tiki, TikTok Shop and the counter
    window.resize(*size)
    qtbot.waitUntil(lambda: table.width() < 1000, timeout=WAIT)
    qtbot.wait(50)  # the layout settles
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    assert sum(header.sectionSize(c) for c in range(4)) <= table.viewport().width()
    assert rows_whole(home)
    assert table.visibleRegion().boundingRect() == table.rect()  # not cut by the window


def test_columns_spread_over_the_narrower_width_after_a_resize(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    """The table itself made narrower (as its window's layout does): its columns follow the
    new width, not the one its viewport had before (a sideways bar covered the last row)."""
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=60, customers=10, seed=5)
    home = show_widget(qtbot, HomePage(owner_ctx), 1700, 900)
    qtbot.waitUntil(lambda: home.running == 0 and home.data is not None, timeout=WAIT)
    table = home.channels
    table.resize(table.minimumWidth() + 40, table.height())
    header = table.horizontalHeader()
    assert sum(header.sectionSize(c) for c in range(4)) <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible() and rows_whole(home)
