"""A new shop's Suppliers, Goods receipts and Purchase orders pages say what to do first
in the middle of their empty list (they were blank tables), say so only once the list is
read, and tell "nothing found" from "nothing yet"."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from primedist.services import suppliers as svc
from primedist.services.context import ServiceContext
from primedist.ui.products.purchase_orders import PurchaseOrdersPage
from primedist.ui.products.receipts import GoodsReceiptsPage
from primedist.ui.products.suppliers import SuppliersPage
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def hint(page: SuppliersPage | GoodsReceiptsPage | PurchaseOrdersPage) -> str:
    return page.empty_hint.text() if page.empty_hint.isVisible() else ""


def test_an_empty_supplier_list_says_how_to_add_one(
    qtbot: QtBot, owner_ctx: ServiceContext
) -> None:
    page = SuppliersPage(owner_ctx)
    assert page.empty_hint.text() == ""  # not read yet: no "no suppliers" over a list to come
    show_widget(qtbot, page)
    qtbot.waitUntil(lambda: hint(page).startswith("No suppliers yet"), timeout=WAIT)
    assert "New supplier" in hint(page)
    page.owing_check.setChecked(True)
    qtbot.waitUntil(lambda: hint(page) == "No suppliers match the search and the filters.",
                    timeout=WAIT)  # fmt: skip
    page.owing_check.setChecked(False)
    svc.create_supplier(owner_ctx, svc.SupplierDraft(name="Gốm Minh Long"))
    page.refresh()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    assert hint(page) == ""
    page.search.setText("Không có")
    page.refresh()
    qtbot.waitUntil(lambda: hint(page) == "No suppliers match the search and the filters.",
                    timeout=WAIT)  # fmt: skip


def test_empty_receipts_and_purchase_orders_say_what_to_do(
    qtbot: QtBot, owner_ctx: ServiceContext
) -> None:
    receipts = show_widget(qtbot, GoodsReceiptsPage(owner_ctx))
    qtbot.waitUntil(lambda: hint(receipts).startswith("No goods receipts yet"), timeout=WAIT)
    assert "New goods receipt" in hint(receipts)
    orders = show_widget(qtbot, PurchaseOrdersPage(owner_ctx))
    qtbot.waitUntil(lambda: hint(orders).startswith("No purchase orders awaiting goods"),
                    timeout=WAIT)  # fmt: skip
    orders.state.setCurrentIndex(orders.state.findData(""))  # All orders: still none
    qtbot.waitUntil(lambda: hint(orders).startswith("No purchase orders yet"), timeout=WAIT)
    orders.search.setText("DHN000009")
    orders.refresh()
    qtbot.waitUntil(lambda: hint(orders) == "No purchase orders match the search.", timeout=WAIT)
