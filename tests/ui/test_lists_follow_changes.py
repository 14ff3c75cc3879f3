"""The Orders, Products and Customers lists follow what another PC changes in the shared
database (`ui.data_watch`): the list shown is read again in place — its selection, its
current row and the rows on screen kept —, a list on another tab when it shows again;
nothing is read again while nothing changed, nor while the user is busy in the list;
the watch stops with the window. Here the other PC is a context with an engine of its
own on the same database, as a second app would have."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from primedist.config import Settings
from primedist.domain.enums import OrderSource, OrderStatus
from primedist.services import orders as svc
from primedist.services import stock as stock_svc
from primedist.services.context import ServiceContext
from primedist.services.customers import CustomerDraft, update_customer
from primedist.services.sync import SyncState
from primedist.ui import data_watch
from primedist.ui.app import ui_settings_for
from primedist.ui.list_tools import SqlListPage, alive
from primedist.ui.lock import LockDialog
from primedist.ui.main_window import MainWindow
from primedist.ui.orders.tab import OrdersPage
from tests.conftest import OWNER_PASSWORD
from tests.factories import make_customers, make_orders, make_product, make_shop
from tests.ui.support import WAIT, assert_db_worker_idle, reads_after, show_widget, watched_window

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def variant(owner_ctx: ServiceContext) -> int:
    """A product in stock, and 120 marketplace orders (the list scrolls)."""
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Mall", "shopee")
    make_orders(engine, shop, 120, start=datetime(2026, 10, 1, tzinfo=UTC),
                step=timedelta(hours=6), seed=3)  # fmt: skip
    return make_product(engine, "Áo thun cotton", [("AT-1", 150_000, 50)])[0]


@pytest.fixture
def window(qtbot: QtBot, owner_ctx: ServiceContext, settings: Settings,
           monkeypatch: pytest.MonkeyPatch, variant: int) -> Iterator[MainWindow]:  # fmt: skip
    """The main window, its watch reading every 50 ms (5 s in the app)."""
    with watched_window(qtbot, owner_ctx, settings, monkeypatch) as w:
        yield w


def count_refreshes(page: SqlListPage) -> list[int]:
    """Every run of the list's query from now on (its model's refresh)."""
    runs: list[int] = []
    real = page.model.refresh

    def counted(**kwargs: Any) -> None:
        runs.append(1)
        real(**kwargs)

    page.model.refresh = counted  # type: ignore[method-assign]
    return runs


def sell(pc: ServiceContext, variant: int) -> int:
    """A phone order saved at the counter PC; its id."""
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
                           status=OrderStatus.PENDING)  # fmt: skip
    return svc.create_order(pc, draft).id


def text_of(page: SqlListPage, key: int, column: str) -> str:
    model: Any = page.model
    model.load_all_keys()
    row = next(r for r in range(model.rowCount()) if model.key_at(r) == key)
    return str(model.data(model.index(row, model.col[column])))


def orders_tab(qtbot: QtBot, window: MainWindow) -> OrdersPage:
    page = window.select_tab("orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(lambda: not page.counts_pending and bool(page.counts), timeout=WAIT)
    reads_after(qtbot, window, 1)
    return page


def place(page: SqlListPage) -> tuple[list[int], int | None, int | None]:
    """(selected keys, the current row's key, the key of the first row on screen)."""
    model, view = page.model, page.view
    return (page.selected_ids(), model.key_at(view.currentIndex().row()),
            model.key_at(view.rowAt(0)))  # fmt: skip


# The list shown --------------------------------------------------------------------------
def test_a_sale_on_another_pc_shows_in_the_orders_list_the_users_place_kept(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    page = orders_tab(qtbot, window)
    view, model = page.view, page.model
    assert model.rowCount() == 120
    view.verticalScrollBar().setValue(30)  # scrolled down the list ...
    row = view.rowAt(0) + 3
    view.setFocus()
    view.selectionModel().setCurrentIndex(  # ... on an order there
        model.index(row, 1),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    before = place(page)
    assert before[0] == [before[1]] and before[2] is not None
    refreshes = count_refreshes(page)

    new = sell(other_pc, variant)
    qtbot.waitUntil(lambda: model.rowCount() == 121, timeout=WAIT)
    assert refreshes == [1] and model.key_at(0) == new  # newest first, at the top
    assert place(page) == before  # the same order selected and current, the same rows shown
    qtbot.waitUntil(lambda: page.counts.get("all") == 121, timeout=WAIT)  # the status tabs too
    assert not page.message_bar.isVisible()

    view.verticalScrollBar().setValue(0)  # at the top: another new order shows there
    new_again = sell(other_pc, variant)
    qtbot.waitUntil(lambda: model.rowCount() == 122, timeout=WAIT)
    assert view.verticalScrollBar().value() == 0 and model.key_at(view.rowAt(0)) == new_again


def test_deep_in_a_long_list_the_selection_and_the_rows_shown_stay(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    page = orders_tab(qtbot, window)
    model, view = page.model, page.view
    # Keys read 20 at a time at first (500 in the app): the user is far past them.
    monkeypatch.setattr(type(model), "FIRST_CHUNK", 20)
    model.load_all_keys()
    view.verticalScrollBar().setValue(90)
    row = view.rowAt(0) + 2
    view.setFocus()
    view.setCurrentIndex(model.index(row, 1))
    before = place(page)
    assert before[0] == [before[1]] and row > 40
    sell(other_pc, variant)
    qtbot.waitUntil(lambda: model.rowCount() == 121, timeout=WAIT)
    assert place(page) == before
    shown = range(view.rowAt(0), view.rowAt(view.viewport().height() - 1) + 1)
    assert all(model.key_at(r) is not None for r in shown)  # no row waiting for its key


def test_a_search_read_again_in_the_background_leaves_its_rows_shown_meanwhile(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    page = orders_tab(qtbot, window)
    model = page.model
    # Over its time on the UI thread, as a broad search over 1M orders: read in the background.
    monkeypatch.setattr(model, "_search_within_budget", lambda _state: None)
    page._on_search("DH02")
    assert model.busy  # read in the background
    qtbot.waitUntil(lambda: not model.busy and model.rowCount() == 120, timeout=WAIT)
    page.view.setCurrentIndex(model.index(3, 1))
    before = place(page)
    shown: list[int] = []  # the rows the list had at each reset
    model.modelReset.connect(lambda: shown.append(model.rowCount()))
    refreshes = count_refreshes(page)
    sell(other_pc, variant)  # (a counter sale: not one of the orders searched for)
    qtbot.waitUntil(lambda: refreshes == [1] and not model.busy, timeout=WAIT)
    assert shown == [120]  # never an empty list while the search read
    assert place(page) == before


def test_nothing_is_read_again_while_nothing_changed(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    page = orders_tab(qtbot, window)
    refreshes = count_refreshes(page)
    reads_after(qtbot, window, 5)
    assert refreshes == [] and not window.lists_behind
    sell(other_pc, variant)
    qtbot.waitUntil(lambda: len(refreshes) == 1, timeout=WAIT)
    reads_after(qtbot, window, 5)
    assert refreshes == [1]  # once per change


def test_a_customer_renamed_elsewhere_shows_the_new_name(
    qtbot: QtBot, window: MainWindow, owner_ctx: ServiceContext, other_pc: ServiceContext
) -> None:
    customer = make_customers(owner_ctx.engine, 3, names=["Lê Văn Tám", "Phạm Thu", "Ngô Lan"])[1]
    customers: Any = window.select_tab("customers")
    listed = customers.list
    assert text_of(listed, customer, "name") == "Phạm Thu"
    reads_after(qtbot, window, 1)
    update_customer(other_pc, customer, CustomerDraft(name="Phạm Thu Hà"))
    qtbot.waitUntil(lambda: text_of(listed, customer, "name") == "Phạm Thu Hà", timeout=WAIT)


def test_a_stock_change_elsewhere_shows_in_the_products_list(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    products: Any = window.select_tab("products")
    listed = products.list
    product = listed.model.key_at(0)
    assert text_of(listed, product, "stock") == "50"
    reads_after(qtbot, window, 1)
    stock_svc.adjust_stock(other_pc, variant, 42, reason="Đếm lại")
    qtbot.waitUntil(lambda: text_of(listed, product, "stock") == "42", timeout=WAIT)


# A list on another tab, a user busy in the list -----------------------------------------
def test_a_hidden_list_is_read_again_when_it_shows_not_before(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    page = orders_tab(qtbot, window)
    refreshes = count_refreshes(page)
    window.select_tab("products")
    new = sell(other_pc, variant)
    qtbot.waitUntil(lambda: "orders" in window.lists_behind, timeout=WAIT)
    reads_after(qtbot, window, 3)
    assert refreshes == [] and page.model.rowCount() == 120  # not read while hidden
    assert window.lists_behind == {"orders"}  # Products, shown, was read again at once
    window.select_tab("orders")
    assert refreshes == [1] and page.model.key_at(0) == new and not window.lists_behind


def test_a_list_behind_is_read_again_as_its_tab_is_clicked_not_at_the_next_read(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    """A tab changes as the mouse button goes down on it: that button held is no one busy
    in the list, which is read again at once (not 5 s later, at the watch's next read)."""
    page = orders_tab(qtbot, window)
    refreshes = count_refreshes(page)
    window.select_tab("products")
    new = sell(other_pc, variant)
    qtbot.waitUntil(lambda: "orders" in window.lists_behind, timeout=WAIT)
    window.data_watch.stop()  # no later read catches the list up instead
    bar = window.tabs.tabBar()
    at = bar.tabRect(window.tabs.indexOf(window.tab_pages["orders"])).center()
    qtbot.mousePress(bar, Qt.MouseButton.LeftButton, pos=at)
    try:
        assert window.tabs.currentWidget() is window.tab_pages["orders"]
        assert QApplication.mouseButtons() == Qt.MouseButton.LeftButton
        assert refreshes == [1] and page.model.key_at(0) == new
        assert not window.lists_behind
    finally:
        qtbot.mouseRelease(bar, Qt.MouseButton.LeftButton, pos=at)


def test_a_list_the_user_is_busy_in_waits_for_the_next_read(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    page = orders_tab(qtbot, window)
    refreshes = count_refreshes(page)
    page._set_busy(True)  # a bulk action runs
    sell(other_pc, variant)
    qtbot.waitUntil(lambda: "orders" in window.lists_behind, timeout=WAIT)
    reads_after(qtbot, window, 3)
    assert refreshes == []
    page._set_busy(False)
    qtbot.waitUntil(lambda: refreshes == [1], timeout=WAIT)  # at the next read

    menu = page.build_context_menu(page.model.key_at(0) or 0)  # the row's menu open
    menu.popup(page.view.mapToGlobal(page.view.rect().center()))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=WAIT)
    sell(other_pc, variant)
    qtbot.waitUntil(lambda: "orders" in window.lists_behind, timeout=WAIT)
    reads_after(qtbot, window, 3)
    assert refreshes == [1] and page.model.rowCount() == 121
    menu.close()
    qtbot.waitUntil(lambda: refreshes == [1, 1] and page.model.rowCount() == 122, timeout=WAIT)


# The watch's life ------------------------------------------------------------------------
def test_no_read_while_locked_nor_after_the_window_closed(
    qtbot: QtBot, window: MainWindow, other_pc: ServiceContext, variant: int
) -> None:
    page = orders_tab(qtbot, window)
    watch = window.data_watch
    window.lock()
    qtbot.waitUntil(lambda: not watch.reading, timeout=WAIT)
    locked = watch.reads
    new = sell(other_pc, variant)
    qtbot.wait(300)
    assert watch.reads == locked and page.model.key_at(0) != new  # nothing read while locked
    dialog = window.lock_dialog
    assert isinstance(dialog, LockDialog)
    dialog.password.setText(OWNER_PASSWORD)
    with qtbot.waitSignal(dialog.unlocked, timeout=WAIT):
        dialog.try_unlock()
    qtbot.waitUntil(lambda: page.model.key_at(0) == new, timeout=WAIT)  # what changed meanwhile
    window.close()
    qtbot.waitUntil(lambda: not watch.reading, timeout=WAIT)
    closed = watch.reads
    qtbot.wait(300)
    assert watch.reads == closed and not watch.active


def test_a_read_still_running_when_the_window_goes_is_answered_to_no_one(
    qtbot: QtBot, owner_ctx: ServiceContext, settings: Settings, other_pc: ServiceContext,
    variant: int, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(data_watch, "INTERVAL_MS", 50)
    # Not left to pytest-qt to close: this window is deleted while its read runs.
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    window.resize(1300, 760)
    window.show()
    qtbot.waitExposed(window)
    orders_tab(qtbot, window)
    watch = window.data_watch
    answers: list[str] = []
    watch.changed.connect(lambda: answers.append("changed"))
    watch.checked.connect(lambda: answers.append("checked"))
    sell(other_pc, variant)  # the next read would find a change
    release = threading.Event()
    real: Callable[[ServiceContext], Any] = data_watch.change_stamp

    def slow(ctx: ServiceContext) -> Any:
        release.wait(WAIT / 1000)
        return real(ctx)

    monkeypatch.setattr(data_watch, "change_stamp", slow)
    qtbot.waitUntil(lambda: watch.reading, timeout=WAIT)
    answers.clear()
    window.close()
    window.deleteLater()
    qtbot.waitUntil(lambda: not alive(window), timeout=WAIT)
    release.set()
    assert_db_worker_idle()
    qtbot.wait(100)  # the answer comes back to the UI thread: no one takes it
    assert answers == []


def test_a_sync_another_pc_ended_counts_as_a_change(
    qtbot: QtBot, owner_ctx: ServiceContext
) -> None:
    """A synced order whose status stayed (a new tracking number) moves no stamp: the
    sync's end, as the status bar read it from the database, is the change."""
    holder = show_widget(qtbot, QWidget(), 200, 100)
    state = SyncState()
    watch = data_watch.DataWatch(holder, lambda: owner_ctx, lambda: True, interval_ms=20,
                                 sync_state=state)  # fmt: skip
    changes: list[int] = []
    watch.changed.connect(lambda: changes.append(1))
    watch.start()
    reads = watch.reads
    qtbot.waitUntil(lambda: watch.reads >= reads + 3 and not watch.reading, timeout=WAIT)
    # The status bar's first read: when the last sync was, not a sync that just ended.
    state.update(last_sync_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC))
    qtbot.waitUntil(lambda: watch.reads >= reads + 6 and not watch.reading, timeout=WAIT)
    assert changes == []
    state.update(last_sync_at=datetime(2026, 11, 20, 2, 5, tzinfo=UTC))  # another PC's sync
    qtbot.waitUntil(lambda: changes == [1], timeout=WAIT)
    watch.stop()
    qtbot.waitUntil(lambda: not watch.reading, timeout=WAIT)
