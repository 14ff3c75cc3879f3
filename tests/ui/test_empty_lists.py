"""An empty list says why it is empty (nothing yet, or nothing matches), in the middle
of the table, and the line goes once rows come."""

from __future__ import annotations

from typing import Any

import pytest

from primedist.services.context import ServiceContext
from primedist.services.customers import CustomerDraft, add_customer
from primedist.ui.customers.list_page import CustomerListPage
from primedist.ui.orders.tab import OrdersPage
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def hint_shown(page: Any, starts: str) -> bool:
    hint = page.empty_hint
    return (not page.model.busy and hint.isVisible() and hint.text().startswith(starts)
            and hint.geometry().center() == page.view.viewport().rect().center())  # fmt: skip


def test_an_empty_store_says_how_to_begin_and_a_search_says_nothing_matches(
    qtbot: Any, owner_ctx: ServiceContext
) -> None:
    orders = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: hint_shown(orders, "No orders yet: make a sale"), timeout=WAIT)
    qtbot.keyClicks(orders.search, "0909")  # typed: the search runs as typing pauses
    qtbot.waitUntil(lambda: hint_shown(orders, "No orders match the search"), timeout=WAIT)
    close_page(qtbot, orders, lambda: not orders.busy and not orders.counts_pending)

    customers = show_widget(qtbot, CustomerListPage(owner_ctx))
    qtbot.waitUntil(lambda: hint_shown(customers, "No customers yet"), timeout=WAIT)
    add_customer(owner_ctx, CustomerDraft(name="Trần Thị Mai"))
    customers.refresh()
    qtbot.waitUntil(lambda: customers.model.rowCount() == 1, timeout=WAIT)
    assert not customers.empty_hint.isVisible()  # rows: no line over them
    qtbot.keyClicks(customers.search, "khong co ai")
    qtbot.waitUntil(lambda: hint_shown(customers, "No customers match"), timeout=WAIT)
    close_page(qtbot, customers)
