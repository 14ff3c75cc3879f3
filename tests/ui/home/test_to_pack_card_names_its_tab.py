"""Home's to-pack card and the Orders tab it opens say one name: the card reads
"Confirmed – to pack", the tab "Confirmed (N)" (it read "To pack" / "Chờ đóng gói" while
the tab said "Confirmed" / "Đã xác nhận": two names for one list). Both languages, and the
card still fits a 1024-pixel window's row."""

from __future__ import annotations

import re

import pytest
from pytestqt.qtbot import QtBot

from primedist.services.context import ServiceContext
from primedist.ui.orders.tab import OrdersPage
from tests.services.report_data import Shop2, build
from tests.ui.home.test_home import make_page
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("quiet", "app_style")


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def without_count(tab_text: str) -> str:
    """`Confirmed (1)` → `Confirmed`."""
    return re.sub(r" \([\d.,]+\)$", "", tab_text)


@pytest.mark.parametrize("language", ["english", "vietnamese"])
def test_the_card_names_the_status_tab_it_opens(
    qtbot: QtBot, ctx: ServiceContext, owner_ctx: ServiceContext, shop: Shop2,
    language: str, request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    request.getfixturevalue(language)
    home = make_page(qtbot, ctx)
    card = home.todo["to_pack"]
    with qtbot.waitSignal(home.openOrders) as seen:
        card.clicked.emit()
    tab, flt = seen.args
    page = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    try:
        page.set_filter(flt)  # as the main window does (show_orders)
        page.select_status_tab(tab)
        qtbot.waitUntil(lambda: not page.busy and not page.counts_pending, timeout=WAIT)
        tabs = page.status_tabs
        shown = without_count(tabs.tabText(tabs.currentIndex()))
        title = card.title.text()
        assert title.startswith(shown + " – ")  # the tab's own name first
        assert title != shown  # and what is to do with them
        if language == "english":
            assert (shown, title) == ("Confirmed", "Confirmed – to pack")
    finally:
        close_page(qtbot, page, lambda: not page.busy and not page.counts_pending)
    # The longer title still fits its card in a 1024-pixel window (four cards a row).
    home.resize(1000, 700)
    home.show()
    # Once the cards' own layouts have run (a pass after the show), never cut.
    qtbot.waitUntil(lambda: card.title.sizeHint().width() <= card.title.width(), timeout=WAIT)
