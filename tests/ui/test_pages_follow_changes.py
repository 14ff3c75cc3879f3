"""Home and the Products and Customers sub-tabs follow what another PC changes in the
shared database (`ui.data_watch`), as the lists do: Home shown reads its figures again;
the sub-page shown (SKU groups, Purchase orders, Goods receipts, Suppliers, Segments)
reads its rows again in place — the row selected and the rows on screen kept —, a built
one hidden when it shows again; nothing while the user is busy there (a dialog of the
page, a menu open), and never the stock-take's count sheet (counts in progress). Here the
other PC is a context with an engine of its own on the same database (`other_pc`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from primedist.config import Settings
from primedist.domain.enums import OrderSource, OrderStatus
from primedist.services import goods_receipts as gr
from primedist.services import orders as order_svc
from primedist.services import purchase_orders as po
from primedist.services import segments as sg
from primedist.services import sku_groups as groups_svc
from primedist.services import stock as stock_svc
from primedist.services import suppliers as suppliers_svc
from primedist.services.context import ServiceContext
from primedist.ui.customers.page import CustomersPage
from primedist.ui.customers.segments import SegmentsPage
from primedist.ui.home.page import HomePage
from primedist.ui.main_window import MainWindow
from primedist.ui.products.groups import SkuGroupsPage
from primedist.ui.products.page import ProductsPage
from primedist.ui.products.purchase_orders import PurchaseOrdersPage
from primedist.ui.products.receipts import GoodsReceiptsPage
from primedist.ui.products.stocktake import StocktakePage
from primedist.ui.products.suppliers import SuppliersPage
from tests.factories import make_customers, make_product
from tests.ui.support import WAIT, reads_after, watched_window

pytestmark = pytest.mark.usefixtures("quiet")

GROUPS, STOCKTAKE = 1, 2


@pytest.fixture
def variant(owner_ctx: ServiceContext) -> int:
    return make_product(owner_ctx.engine, "Cốc sứ Bát Tràng", [("COC-1", 45_000, 20)])[0]


@pytest.fixture
def window(qtbot: QtBot, owner_ctx: ServiceContext, settings: Settings,
           monkeypatch: pytest.MonkeyPatch, variant: int) -> Iterator[MainWindow]:  # fmt: skip
    """The main window, its watch reading every 50 ms (5 s in the app)."""
    with watched_window(qtbot, owner_ctx, settings, monkeypatch) as w:
        yield w


def products_tab(window: MainWindow) -> ProductsPage:
    page = window.select_tab("products")
    assert isinstance(page, ProductsPage)
    return page


def order_from(ctx: ServiceContext, variant: int, supplier: str, quantity: int = 5) -> int:
    """A purchase order saved on that PC; its id."""
    return po.create_order(ctx, po.OrderDraft(supplier, [po.OrderLine(variant, quantity)])).id


# Home ------------------------------------------------------------------------------------
def pending_on(home: HomePage) -> str:
    return home.todo["pending"].value.text()


def counter_sale(pc: ServiceContext, variant: int) -> int:
    """A phone order left Pending at the counter PC."""
    draft = order_svc.OrderDraft(lines=(order_svc.DraftLine(variant, 1),),
                                 source=OrderSource.PHONE, status=OrderStatus.PENDING)  # fmt: skip
    return order_svc.create_order(pc, draft).id


def home_tab(qtbot: QtBot, window: MainWindow) -> HomePage:
    home = window.select_tab("home")
    assert isinstance(home, HomePage)
    qtbot.waitUntil(lambda: home.running == 0 and home.data is not None, timeout=WAIT)
    reads_after(qtbot, window, 1)
    return home


def test_a_sale_at_the_counter_shows_on_the_owners_home(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    home = home_tab(qtbot, window)
    assert pending_on(home) == "0"
    sale = counter_sale(other_pc, variant)
    qtbot.waitUntil(lambda: pending_on(home) == "1", timeout=WAIT)  # no tab switched
    order_svc.confirm_orders(other_pc, [sale])  # confirmed there: no longer to do here
    qtbot.waitUntil(lambda: pending_on(home) == "0", timeout=WAIT)


def test_home_waits_while_its_shop_menu_is_open_and_reads_once_when_hidden(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    home = home_tab(qtbot, window)
    refreshes: list[int] = []
    home.refreshed.connect(lambda: refreshes.append(1))
    menu = home.bar.shops_button.menu()
    menu.popup(home.mapToGlobal(QPoint(40, 40)))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=WAIT)
    counter_sale(other_pc, variant)
    qtbot.waitUntil(lambda: "home" in window.lists_behind, timeout=WAIT)
    reads_after(qtbot, window, 3)
    assert refreshes == [] and pending_on(home) == "0"  # not under the open menu
    menu.close()
    qtbot.waitUntil(lambda: pending_on(home) == "1", timeout=WAIT)  # at the next read
    assert refreshes == [1]

    window.select_tab("orders")  # hidden: nothing read, the figures read on show
    for _ in range(2):
        counter_sale(other_pc, variant)
    reads_after(qtbot, window, 3)
    assert refreshes == [1] and "home" not in window.lists_behind
    with qtbot.waitSignal(home.refreshed, timeout=WAIT):
        window.select_tab("home")
    assert pending_on(home) == "3"
    reads_after(qtbot, window, 3)
    assert refreshes == [1, 1]  # once


# Products' sub-tabs ----------------------------------------------------------------------
def test_a_purchase_order_made_elsewhere_shows_the_order_selected_kept(
    qtbot: QtBot, window: MainWindow, owner_ctx: ServiceContext, other_pc: ServiceContext,
    variant: int,
) -> None:  # fmt: skip
    order_from(owner_ctx, variant, "Gốm Minh Long")
    older = order_from(owner_ctx, variant, "Gốm Bát Tràng", 7)
    orders = products_tab(window).show_tab(ProductsPage.ORDERS)
    assert isinstance(orders, PurchaseOrdersPage)
    qtbot.waitUntil(lambda: orders.count.text() == "2 orders", timeout=WAIT)
    first = order_from(owner_ctx, variant, "Sứ Hải Dương")  # this PC's own: read on search
    orders.refresh()
    qtbot.waitUntil(lambda: orders.count.text() == "3 orders", timeout=WAIT)
    orders.table.selectRow([row.id for row in orders.rows].index(older))
    qtbot.waitUntil(lambda: bool(orders.lines), timeout=WAIT)
    orders.say("Saved")  # what the user did last stays said
    orders.search.setText("Minh")  # typed, Enter not pressed: not a search yet
    reads_after(qtbot, window, 1)

    new = order_from(other_pc, variant, "Gốm Chu Đậu")
    qtbot.waitUntil(lambda: orders.count.text() == "4 orders", timeout=WAIT)
    assert [row.id for row in orders.rows][0] == new and first in [r.id for r in orders.rows]
    current = orders.current()
    assert current is not None and current.id == older  # the same order selected
    qtbot.waitUntil(lambda: bool(orders.lines), timeout=WAIT)
    assert orders.lines[0].quantity == 7 and orders.search.text() == "Minh"
    assert orders.status.text() == "Saved"


def test_a_receipt_made_elsewhere_shows_when_its_sub_tab_shows_again(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    products = products_tab(window)
    receipts = products.show_tab(ProductsPage.RECEIPTS)
    assert isinstance(receipts, GoodsReceiptsPage)
    qtbot.waitUntil(lambda: receipts.count.text() == "0 receipts", timeout=WAIT)
    reads_after(qtbot, window, 1)
    gr.receive_goods(other_pc, gr.ReceiptDraft([gr.ReceiptLine(variant, 3)], supplier="Gốm Sứ"))
    qtbot.waitUntil(lambda: receipts.count.text() == "1 receipt", timeout=WAIT)  # shown

    orders = products.show_tab(ProductsPage.ORDERS)  # another sub-tab
    assert isinstance(orders, PurchaseOrdersPage)
    reads_after(qtbot, window, 1)
    gr.receive_goods(other_pc, gr.ReceiptDraft([gr.ReceiptLine(variant, 2)], supplier="Gốm Sứ"))
    qtbot.waitUntil(lambda: "products" not in window.lists_behind
                    and window.data_watch.seen is not None, timeout=WAIT)  # fmt: skip
    reads_after(qtbot, window, 3)
    assert receipts.count.text() == "1 receipt"  # not read while hidden
    products.show_tab(ProductsPage.RECEIPTS)
    qtbot.waitUntil(lambda: receipts.count.text() == "2 receipts", timeout=WAIT)


def test_a_group_made_elsewhere_shows_not_under_an_open_group_dialog(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext
) -> None:
    products = products_tab(window)
    groups = products.show_tab(GROUPS)
    assert isinstance(groups, SkuGroupsPage)
    reads_after(qtbot, window, 1)
    groups_svc.create_group(other_pc, "PS-1", "Bình nước")
    qtbot.waitUntil(lambda: groups.model.rowCount() == 1, timeout=WAIT)
    groups.view.selectRow(0)

    dialog = groups.open_group(None)  # a new group being typed
    dialog.code.setText("PS-9")
    groups_svc.create_group(other_pc, "PS-2", "Đèn bàn")
    qtbot.waitUntil(lambda: "products" in window.lists_behind, timeout=WAIT)
    reads_after(qtbot, window, 3)
    assert groups.model.rowCount() == 1 and dialog.code.text() == "PS-9"
    dialog.reject()
    qtbot.waitUntil(lambda: groups.model.rowCount() == 2, timeout=WAIT)  # at the next read
    assert groups.model.cell(groups.view.currentIndex().row(), "code") == "PS-1"
    assert groups.selected_id() == groups.model.key_at(groups.view.currentIndex().row())


def test_suppliers_shown_follow_the_selected_one_kept(
    qtbot: QtBot, window: MainWindow, owner_ctx: ServiceContext, other_pc: ServiceContext
) -> None:
    for name in ("Gốm Minh Long", "Sứ Hải Dương"):
        suppliers_svc.create_supplier(owner_ctx, suppliers_svc.SupplierDraft(name))
    suppliers = products_tab(window).show_tab(ProductsPage.SUPPLIERS)
    assert isinstance(suppliers, SuppliersPage)
    qtbot.waitUntil(lambda: len(suppliers.rows) == 2, timeout=WAIT)
    chosen = suppliers.rows[1].id
    suppliers.table.selectRow(1)
    reads_after(qtbot, window, 1)
    suppliers_svc.create_supplier(other_pc, suppliers_svc.SupplierDraft("Gốm Chu Đậu"))
    qtbot.waitUntil(lambda: len(suppliers.rows) == 3, timeout=WAIT)
    current = suppliers.current()
    assert current is not None and current.id == chosen


def test_a_count_in_progress_is_never_reset(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    """The count sheet is what is being counted (applied as of its load, the stock sold
    meanwhile said then): a change elsewhere leaves it as it is."""
    stocktake = products_tab(window).show_tab(STOCKTAKE)
    assert isinstance(stocktake, StocktakePage)
    with qtbot.waitSignal(stocktake.sheetLoaded, timeout=WAIT):
        stocktake.load(ask=False)
    assert stocktake.scan("COC-1") and stocktake.scan("COC-1")
    reads_after(qtbot, window, 1)
    stock_svc.adjust_stock(other_pc, variant, 12, reason="Đếm lại")
    qtbot.waitUntil(lambda: "products" not in window.lists_behind
                    and window.data_watch.seen is not None, timeout=WAIT)  # fmt: skip
    reads_after(qtbot, window, 3)
    assert stocktake.model.counts() == {variant: 2}
    assert stocktake.model.rows[0].on_hand == 20  # the sheet as loaded


# Customers' Segments ---------------------------------------------------------------------
def test_segments_follow_shown_and_when_shown_again(
    qtbot: QtBot, window: MainWindow, owner_ctx: ServiceContext, other_pc: ServiceContext
) -> None:
    ids = make_customers(owner_ctx.engine, 5)
    vip = sg.create_segment(owner_ctx, "VIP")
    sg.add_to_segment(owner_ctx, vip, ids[:2])
    customers = window.select_tab("customers")
    assert isinstance(customers, CustomersPage)
    segments = customers.show_segments()
    assert isinstance(segments, SegmentsPage)

    def cells(row: int = 0) -> list[str]:
        items = [segments.table.item(row, c) for c in range(2)]
        return [item.text() if item is not None else "" for item in items]

    qtbot.waitUntil(lambda: segments.table.rowCount() == 1 and cells() == ["VIP", "2"],
                    timeout=WAIT)  # fmt: skip
    segments.table.selectRow(0)
    reads_after(qtbot, window, 1)
    sg.add_to_segment(other_pc, vip, ids[2:4])
    qtbot.waitUntil(lambda: cells() == ["VIP", "4"], timeout=WAIT)
    assert segments.selected_id() == vip

    customers.tabs.setCurrentIndex(0)  # the list: Segments hidden
    reads_after(qtbot, window, 1)
    sg.rename_segment(other_pc, vip, "Khách VIP")
    qtbot.waitUntil(lambda: "customers" not in window.lists_behind
                    and window.data_watch.seen is not None, timeout=WAIT)  # fmt: skip
    reads_after(qtbot, window, 3)
    assert cells() == ["VIP", "4"]  # not read while hidden
    customers.show_segments()
    qtbot.waitUntil(lambda: cells() == ["Khách VIP", "4"], timeout=WAIT)
    assert segments.selected_id() == vip


def test_segments_behind_a_name_being_asked_wait(
    qtbot: QtBot, window: MainWindow, owner_ctx: ServiceContext, other_pc: ServiceContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    vip = sg.create_segment(owner_ctx, "VIP")
    customers = window.select_tab("customers")
    assert isinstance(customers, CustomersPage)
    segments = customers.show_segments()
    assert isinstance(segments, SegmentsPage)
    qtbot.waitUntil(lambda: segments.table.rowCount() == 1, timeout=WAIT)
    reads_after(qtbot, window, 1)
    seen: dict[str, Any] = {}

    def asking(parent: Any, _title: str, _label: str, text: str = "") -> str | None:
        """The name box open (a modal dialog of the page) while another PC adds one."""
        from PySide6.QtWidgets import QInputDialog

        box = QInputDialog(parent)
        box.setTextValue("Khách sỉ")
        box.open()
        sg.create_segment(other_pc, "Khách lẻ")
        qtbot.waitUntil(lambda: "customers" in window.lists_behind, timeout=WAIT)
        reads_after(qtbot, window, 3)
        seen["rows"], seen["typed"] = segments.table.rowCount(), box.textValue()
        box.reject()
        return None

    monkeypatch.setattr("primedist.ui.customers.segments.ask_name", asking)
    segments.new_segment()
    assert seen == {"rows": 1, "typed": "Khách sỉ"}  # nothing read under the open box
    qtbot.waitUntil(lambda: segments.table.rowCount() == 2, timeout=WAIT)
    assert vip in [r.id for r in segments.rows]
