"""A customer's success rate reads the same in the Customers list and in the customer's
detail (one format, the language's), and the list's phones read as the Orders list's, as do
the detail's contact card and delivery addresses ("0909 023 788", not "0909023788")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from primedist.domain.base import table_of
from primedist.domain.customer import CustomerPhone
from primedist.domain.enums import Channel, OrderStatus
from primedist.domain.order import Order
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import AddressDraft, add_address
from primedist.services.customer_stats import refresh_customer_stats
from primedist.ui.customers.detail import CustomerDetailDialog
from primedist.ui.customers.list_page import CustomerListPage
from primedist.ui.i18n import install_language
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_customers, make_orders, make_shop
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "quiet")
orders_t = table_of(Order)
phones_t = table_of(CustomerPhone)
START = datetime.now(UTC) - timedelta(days=30)


@pytest.fixture
def customer(owner_ctx: ServiceContext) -> int:
    """5 of 6 finished orders completed (83.33…%), phone 0909023788."""
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Hà Nội", Channel.SHOPEE)
    (cid,) = make_customers(engine, 1, names=["Nguyễn Thị Lan"])
    ids = make_orders(engine, shop, 6, start=START, step=timedelta(days=1), customer_ids=[cid],
                      buyer_names=["Nguyễn Thị Lan"], buyer_phones=["0909023788"])  # fmt: skip
    with engine.begin() as conn:
        for i, oid in enumerate(ids):
            status = OrderStatus.CANCELLED if i == 0 else OrderStatus.COMPLETED
            conn.execute(orders_t.update().where(orders_t.c.id == oid)
                         .values(status=status, refunded_amount=0))  # fmt: skip
        conn.execute(phones_t.update().where(phones_t.c.customer_id == cid)
                     .values(phone="0909023788"))  # fmt: skip
        refresh_customer_stats(conn, [cid])
    return cid


@pytest.fixture
def listed(qtbot, owner_ctx: ServiceContext, customer: int) -> Iterator[CustomerListPage]:
    page = show_widget(qtbot, CustomerListPage(owner_ctx))
    page.model.load_all_keys()
    yield page
    close_page(qtbot, page)


def list_cell(page: CustomerListPage, key: str) -> str:
    page.model.reformat()
    return page.model.data(page.model.index(0, page.model.col[key]), Qt.ItemDataRole.DisplayRole)


def detail_rate(qtbot, ctx: ServiceContext, cid: int) -> str:
    dialog = show_widget(qtbot, CustomerDetailDialog(ctx, cid), 1100, 760)
    qtbot.waitUntil(lambda: not dialog.stats_loading, timeout=WAIT)
    try:
        return dialog.stat_values["success_rate"].text()
    finally:
        dialog.close()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_list_and_the_detail_show_one_success_rate(qtbot, owner_ctx, customer, listed, lang):
    install_language(lang)
    shown = list_cell(listed, "success_rate")
    assert shown == "83%"
    assert detail_rate(qtbot, owner_ctx, customer) == shown


def test_the_list_shows_phones_as_the_orders_list_does(qtbot, owner_ctx, listed):
    assert list_cell(listed, "phone") == "0909 023 788"
    orders = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    try:
        qtbot.waitUntil(lambda: not orders.busy, timeout=WAIT)
        model = orders.model
        index = model.index(0, model.col["buyer_phone"])
        assert model.data(index, Qt.ItemDataRole.DisplayRole) == list_cell(listed, "phone")
    finally:
        close_page(qtbot, orders, lambda: not orders.busy and not orders.counts_pending)


def test_the_detail_shows_phones_as_the_list_does(qtbot, owner_ctx, customer, listed):
    add_address(owner_ctx, customer, AddressDraft(recipient="Lan", phone="0912345678",
                                                  street="12 Lý Thường Kiệt",
                                                  province="Hà Nội"))  # fmt: skip
    with owner_ctx.engine.begin() as conn:  # a foreign number: as stored
        conn.execute(phones_t.insert().values(customer_id=customer, phone="+6591234567",
                                              is_primary=False, created_at=START))  # fmt: skip
    dialog = show_widget(qtbot, CustomerDetailDialog(owner_ctx, customer), 1100, 760)
    try:
        qtbot.waitUntil(lambda: dialog.profile is not None, timeout=WAIT)
        phones = dialog.contact_values["phones"]
        assert phones.text() == "0909 023 788\n+6591234567"  # was "0909023788"
        assert phones.text().splitlines()[0] == list_cell(listed, "phone")
        address = dialog.address_list.item(0).text()
        assert address.endswith("\nLan · 0912 345 678")
    finally:
        dialog.close()
