# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""An order searched for while a filter chip hides it (another shop's, another payment…): the
empty list says that orders match without the filters, how many, and one link clears the
chips and shows the tab holding them, the search kept (it said "No orders match" and the
owner took the order for lost). Without a chip, nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt

from primedist.queries import orders as q
from primedist.queries.orders import OrderFilter, orders
from primedist.ui.orders import tab
from primedist.ui.orders.tab import OrdersPage
from tests.ui.orders.test_orders_search_other_tabs import click_link, search
from tests.ui.orders.test_orders_tab import (  # noqa: F401  (fixtures)
    Data,
    data,
    keys,
    page,
    settle,
)

pytestmark = pytest.mark.usefixtures("english", "shown")


def set_statuses(data: Data, *statuses: str) -> None:
    """Hoa's three orders (all Lazada Kho's) in these statuses."""
    with data.engine.begin() as conn:
        for order_id, status in zip(data.hoa, statuses, strict=True):
            conn.execute(orders.update().where(orders.c.id == order_id).values(status=status))


def hint(page: OrdersPage) -> str:
    assert page.empty_hint.isVisible()
    return page.empty_hint.text()


def test_a_chip_hiding_the_orders_says_so_and_clears(
    qtbot: Any, page: OrdersPage, data: Data
) -> None:
    page.set_filter(OrderFilter(shop_ids=(data.mall,)))
    search(qtbot, page, "nguyen thi hoa")
    assert page.model.rowCount() == 0 and page.counts["all"] == 0
    assert hint(page) == (
        "No orders match with the current filters — 3 match without them. "
        '<a href="clear:all">Clear filters</a>'
    )
    click_link(page)
    settle(qtbot, page)
    assert page.current_filter() == OrderFilter() and not page.chips.isVisible()
    assert page.status_tab == "all" and page.search.text() == "nguyen thi hoa"
    assert sorted(keys(page)) == sorted(data.hoa)
    assert not page.empty_hint.isVisible()


def test_hidden_on_this_tab_counts_this_tab(qtbot: Any, page: OrdersPage, data: Data) -> None:
    """One of the three under Pending (the tab shown): the count and the link are its own."""
    set_statuses(data, "pending", "completed", "completed")
    page.select_status_tab("pending")
    page.set_filter(OrderFilter(shop_ids=(data.tiki,), min_total=1))
    search(qtbot, page, "nguyen thi hoa")
    assert hint(page) == (
        "No orders match with the current filters — 1 match without them. "
        '<a href="clear:pending">Clear filters</a>'
    )
    click_link(page)
    settle(qtbot, page)
    assert page.current_filter() == OrderFilter() and page.status_tab == "pending"
    assert keys(page) == [data.hoa[0]]


def test_hidden_under_another_tab_is_one_click_away(
    qtbot: Any, page: OrdersPage, data: Data
) -> None:
    """The chip hides them and they are under Completed, not Pending: one link does both."""
    set_statuses(data, "completed", "completed", "completed")
    page.select_status_tab("pending")
    page.set_filter(OrderFilter(shop_ids=(data.mall, data.tiki)))
    search(qtbot, page, "nguyen thi hoa")
    assert page.model.rowCount() == 0
    assert hint(page) == (
        "No orders match with the current filters — 3 match without them, under Completed. "
        '<a href="clear:completed">Clear filters and show</a>'
    )
    click_link(page)
    settle(qtbot, page)
    assert page.current_filter() == OrderFilter() and page.status_tab == "completed"
    assert page.search.text() == "nguyen thi hoa"
    assert sorted(keys(page)) == sorted(data.hoa)


def test_hidden_under_several_tabs_shows_all(qtbot: Any, page: OrdersPage, data: Data) -> None:
    set_statuses(data, "completed", "shipping", "cancelled")
    page.select_status_tab("pending")
    page.set_filter(OrderFilter(flagged_only=True))
    search(qtbot, page, "nguyen thi hoa")
    assert hint(page) == (
        "No orders match with the current filters — 3 match without them, under other tabs. "
        '<a href="clear:all">Clear filters and show all</a>'
    )
    click_link(page)
    settle(qtbot, page)
    assert page.current_filter() == OrderFilter() and page.status_tab == "all"
    assert sorted(keys(page)) == sorted(data.hoa)


def test_past_the_cap_the_count_is_a_lower_bound(
    qtbot: Any, page: OrdersPage, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(q, "UNFILTERED_CAP", 2)
    monkeypatch.setattr(tab, "UNFILTERED_CAP", 2)
    page.set_filter(OrderFilter(shop_ids=(data.mall,)))
    search(qtbot, page, "nguyen thi hoa")
    assert hint(page).startswith("No orders match with the current filters — 2+ match without")


def test_without_a_chip_nothing_changes(
    qtbot: Any, page: OrdersPage, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No chip: the unfiltered count never runs and the lines are those of before (another
    tab offered, or nothing anywhere); a chip with no match anywhere says so plainly."""
    runs: list[str] = []
    real = tab.count_unfiltered
    monkeypatch.setattr(tab, "count_unfiltered", lambda e, s: runs.append(s) or real(e, s))
    set_statuses(data, "completed", "completed", "completed")
    page.select_status_tab("pending")
    search(qtbot, page, "nguyen thi hoa")
    assert hint(page) == (
        'No order on this tab matches; 3 under Completed — <a href="completed">Show</a>'
    )
    search(qtbot, page, "no such order 123")
    plain = "No orders match the search, the status tab and the filters."
    assert hint(page) == plain and runs == []
    assert page.empty_hint.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    page.set_filter(OrderFilter(shop_ids=(data.mall,)))
    settle(qtbot, page)
    assert runs == ["no such order 123"] and hint(page) == plain
