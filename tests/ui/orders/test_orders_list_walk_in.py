"""The Orders list names the customer of an order sold to nobody as its detail does
("Walk-in customer" / "Khách lẻ", in grey), not an empty cell."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft, create_order
from primedist.ui.i18n import install_language
from primedist.ui.orders import tab
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_orders, make_product, make_shop
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "shown")


@pytest.fixture
def orders(owner_ctx: ServiceContext) -> tuple[int, int]:
    """(a sale of ours to no customer, still editable; a marketplace order with its buyer's
    name)."""
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Mẹ Bé", "shopee")
    named = make_orders(engine, shop, 1, start=datetime(2026, 5, 1, tzinfo=UTC),
                        step=timedelta(hours=1), buyer_names=["Nguyễn Thị Hoa"])[0]  # fmt: skip
    variant = make_product(engine, "Áo thun", [("AO-1", 100_000, 5)])[0]
    walk_in = create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(variant, 1),), source=OrderSource.PHONE,
        status=OrderStatus.PENDING, payment_method=PaymentMethod.COD)).id  # fmt: skip
    return walk_in, named


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, orders) -> Iterator[OrdersPage]:
    p = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: not p.busy and not p.counts_pending, timeout=WAIT)
    yield p
    close_page(qtbot, p, lambda: not p.busy and not p.counts_pending)


def customer_cell(page: OrdersPage, order_id: int, role: int = Qt.ItemDataRole.DisplayRole):
    model = page.model
    model.load_all_keys()
    row = [model.key_at(r) for r in range(model.rowCount())].index(order_id)
    return model.data(model.index(row, model.col["buyer_name"]), role)


def test_a_walk_in_sale_says_walk_in_customer_in_grey(page, orders):
    walk_in, named = orders
    fg = Qt.ItemDataRole.ForegroundRole
    assert customer_cell(page, walk_in) == "Walk-in customer"
    assert customer_cell(page, walk_in, fg) == QColor(tab.WALK_IN_COLOUR)
    assert customer_cell(page, named) == "Nguyễn Thị Hoa"
    assert customer_cell(page, named, fg) is None
    install_language("vi")
    page.model.reformat()
    assert customer_cell(page, walk_in) == "Khách lẻ"


def test_the_row_menu_edits_the_right_clicked_order_by_its_number(qtbot, page, orders):
    walk_in, _named = orders
    model = page.model
    model.load_all_keys()
    row = [model.key_at(r) for r in range(model.rowCount())].index(walk_in)
    number = model.data(model.index(row, model.col["external_id"]))
    page._show_context_menu(page.view.visualRect(model.index(row, 1)).center())
    assert page.context_menu is not None
    edit = next(a for a in page.context_menu.actions() if a.text() == "Edit…")
    edit.trigger()
    sale = page.edit_dialog
    assert sale is not None and sale.windowTitle() == f"Edit order {number}"
    sale.close()
    page.context_menu.close()
