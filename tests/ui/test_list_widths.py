"""A list's name column takes the width the other columns leave free (no stretched
empty date column while names are cut with "…"), and gives it back when the window
narrows, down to its own width; then the list scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.services.context import ServiceContext
from primedist.ui.customers.list_page import CustomerListPage
from primedist.ui.products.groups import SkuGroupsPage
from tests.ui.support import close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def column(page: Any, key: str) -> int:
    return [c.key for c in page.model.spec.columns].index(key)


def last_visible(page: Any) -> int:
    header = page.view.horizontalHeader()
    return max(i for i in range(header.count()) if not header.isSectionHidden(i))


@pytest.mark.parametrize("page_class", [SkuGroupsPage, CustomerListPage])
def test_the_name_column_takes_the_spare_width_and_gives_it_back(
    qtbot: Any, owner_ctx: ServiceContext, page_class: type
) -> None:
    page = show_widget(qtbot, page_class(owner_ctx), width=1300)
    view, name = page.view, column(page, "name")
    own = page.model.spec.columns[name].width
    header = view.horizontalHeader()

    page.resize(3000, 700)
    qtbot.waitUntil(lambda: view.columnWidth(name) > own + 500)
    assert header.length() == view.viewport().width()  # no gap, no scrolling
    last = last_visible(page)
    assert view.columnWidth(last) < 300  # the last column keeps its own width

    page.resize(700, 700)  # narrower than the columns: the name is back to its width
    qtbot.waitUntil(lambda: view.columnWidth(name) == own)
    assert header.length() > view.viewport().width()  # and the list scrolls sideways

    page.resize(3000, 700)
    qtbot.waitUntil(lambda: view.columnWidth(name) > own + 500)
    view.setColumnWidth(last, view.columnWidth(last) + 200)  # the user widens a column:
    qtbot.waitUntil(lambda: header.length() == view.viewport().width())  # from the name
    close_page(qtbot, page)
