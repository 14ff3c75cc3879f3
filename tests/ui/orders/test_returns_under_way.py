"""Home's Return/Refund card counts the returns under way; clicking it opens the Orders
tab on exactly those (the "Return under way" chip), not the returns already finished
that the Return/Refund tab also lists. The chip is also in the Filters menu, and its
counts are the same whether read from the daily summary or the orders themselves."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from primedist.core.clock import shop_tz
from primedist.queries.orders import OrderFilter, orders, status_counts
from primedist.services.context import ServiceContext
from primedist.ui.orders.tab import OrdersPage
from tests.services.report_data import Shop2, build
from tests.ui.home.test_home import make_page
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)  # O10 under way (return_refund), O5 returned


def ids_of(ctx: ServiceContext, *statuses: str) -> set[int]:
    with ctx.engine.connect() as conn:
        found = conn.execute(sa.select(orders.c.id).where(orders.c.status.in_(statuses)))
        return set(found.scalars())


def settle(qtbot: QtBot, page: OrdersPage) -> None:
    qtbot.waitUntil(
        lambda: not page.busy and not page.counts_pending and bool(page.counts), timeout=WAIT
    )


def shown_ids(page: OrdersPage) -> set[int]:
    page.model.load_all_keys()
    return {page.model.key_at(r) for r in range(page.model.rowCount())}


def test_the_card_opens_exactly_the_returns_it_counts(
    qtbot: QtBot, ctx: ServiceContext, owner_ctx: ServiceContext, shop: Shop2
) -> None:
    under_way, returned = ids_of(ctx, "return_refund"), ids_of(ctx, "returned")
    assert len(under_way) == 1 and len(returned) == 1
    home = make_page(qtbot, ctx)
    card = home.todo["return_refund"]
    with qtbot.waitSignal(home.openOrders) as seen:
        card.clicked.emit()
    tab, flt = seen.args
    assert (tab, flt) == ("return_refund", OrderFilter(returns_under_way=True))

    page = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    try:
        page.set_filter(flt)  # as the main window does (show_orders)
        page.select_status_tab(tab)
        settle(qtbot, page)
        assert shown_ids(page) == under_way
        assert page.model.rowCount() == int(card.value.text())
        assert page.chip("returning").text.text() == "Return under way"
        assert page.filter_actions["returning"].isChecked()
        assert page.counts["return_refund"] == page.counts["all"] == 1
        # Its ×: the whole Return/Refund tab again, the finished returns too.
        page.remove_filter("returning")
        settle(qtbot, page)
        assert shown_ids(page) == under_way | returned
        assert page.counts["return_refund"] == 2
        assert not page.filter_actions["returning"].isChecked()
    finally:
        close_page(qtbot, page, lambda: not page.busy and not page.counts_pending)


def test_the_menu_item_toggles_the_chip(
    qtbot: QtBot, ctx: ServiceContext, owner_ctx: ServiceContext, shop: Shop2
) -> None:
    page = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    try:
        settle(qtbot, page)
        assert page.filter_actions["returning"].text() == "Returns under way only"
        page.filter_actions["returning"].trigger()
        settle(qtbot, page)
        assert page.chip("returning") is not None
        assert shown_ids(page) == ids_of(ctx, "return_refund")  # on the All tab too
        page.filter_actions["returning"].trigger()
        settle(qtbot, page)
        assert page.chip("returning") is None
        assert len(shown_ids(page)) == page.counts["all"] > 2
    finally:
        close_page(qtbot, page, lambda: not page.busy and not page.counts_pending)


@pytest.mark.parametrize("extra", [{}, {"min_total": 1}, {"date_from": date(2026, 11, 1)}])
def test_counts_from_the_summary_and_from_the_orders_agree(
    ctx: ServiceContext, shop: Shop2, extra: dict[str, Any]
) -> None:
    flt = OrderFilter(returns_under_way=True, **extra)  # min_total: read from the orders
    with ctx.engine.connect() as conn:
        counts = status_counts(conn, flt, shop_tz())
        searched = status_counts(conn, flt, shop_tz(), search="O10")  # read from the orders
    assert counts["return_refund"] == counts["all"] == 1
    assert counts["pending"] == counts["completed"] == 0
    assert searched["return_refund"] == searched["all"] == 1
