# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""An order searched for on a status tab that does not hold it: the empty list says how
many orders match under the other tabs and offers to show them, the search kept (it said
"No orders match" while the tab counts showed the order under another tab)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.queries.orders import orders
from primedist.ui.orders.tab import OrdersPage
from tests.ui.orders.test_orders_tab import (  # noqa: F401  (fixtures)
    Data,
    data,
    keys,
    page,
    settle,
)

pytestmark = pytest.mark.usefixtures("english", "shown")


def search(qtbot: Any, page: OrdersPage, text: str) -> None:
    page.search.clear()
    qtbot.keyClicks(page.search, text)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    settle(qtbot, page)


def click_link(page: OrdersPage) -> None:
    """Follow the hint's link as a click on it does (QLabel's own link handling)."""
    hint = page.empty_hint
    assert hint.isVisible()
    assert not hint.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    href = hint.text().split('href="', 1)[1].split('"', 1)[0]
    hint.linkActivated.emit(href)


def test_an_order_under_another_tab_is_offered(qtbot: Any, page: OrdersPage, data: Data) -> None:
    order_id = data.ids(lambda r: r["status"] == "completed")[0]
    with data.engine.connect() as conn:
        ext = conn.execute(sa.select(orders.c.external_id).where(orders.c.id == order_id)).scalar()
    page.select_status_tab("pending")
    # Typed, not entered: Enter on an exact order number opens its tab at once
    # (tests/ui/orders/test_orders_keyboard_first.py); typing offers the link.
    page.search.clear()
    qtbot.keyClicks(page.search, str(ext))
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)  # the typed search applied
    settle(qtbot, page)
    assert page.model.rowCount() == 0 and page.counts["completed"] >= 1
    n = page.counts["all"]
    assert page.empty_hint.isVisible()
    assert page.empty_hint.text() == (
        f'No order on this tab matches; {n} under Completed — <a href="completed">Show</a>'
    )
    click_link(page)
    assert page.status_tab == "completed" and page.search.text() == str(ext)
    assert order_id in keys(page)
    assert not page.empty_hint.isVisible()


def test_matches_under_several_tabs_offer_all(qtbot: Any, page: OrdersPage, data: Data) -> None:
    """Three orders of one customer under three tabs: All shows them, the search kept."""
    hoa = data.hoa
    with data.engine.begin() as conn:
        for order_id, status in zip(hoa, ("completed", "shipping", "cancelled"), strict=True):
            conn.execute(orders.update().where(orders.c.id == order_id).values(status=status))
    page.select_status_tab("pending")
    search(qtbot, page, "nguyen thi hoa")
    assert page.model.rowCount() == 0
    assert page.empty_hint.text() == (
        'No order on this tab matches; 3 under other tabs — <a href="all">Show all</a>'
    )
    click_link(page)
    assert page.status_tab == "all" and page.search.text() == "nguyen thi hoa"
    assert sorted(keys(page)) == sorted(hoa)


def test_nothing_anywhere_says_so_plainly(qtbot: Any, page: OrdersPage) -> None:
    page.select_status_tab("pending")
    search(qtbot, page, "no such order 123")
    assert page.counts["all"] == 0
    assert page.empty_hint.text() == "No orders match the search, the status tab and the filters."
    assert page.empty_hint.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
