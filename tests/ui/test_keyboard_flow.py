"""A day at the keyboard: the language box takes no stray key, the keys follow the tab
shown (its search box, its list), Ctrl+1…Ctrl+6 and Ctrl+F, and Down / Enter in a search
box."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QAction, QShortcut, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import Session

from primedist.config import Settings
from primedist.core import security
from primedist.domain.enums import Module, Role
from primedist.domain.user import User, UserModuleAccess
from primedist.services import auth
from primedist.services.context import Actor, ServiceContext
from primedist.ui.app import ui_settings_for
from primedist.ui.i18n import current_language, install_language
from primedist.ui.main_window import MainWindow
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.widgets import LanguageCombo, SearchBox
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, close_page, show_widget


@pytest.fixture(autouse=True)
def english(qapp: Any) -> Iterator[None]:
    install_language("en")
    yield
    install_language("en")


def main_window(qtbot: Any, ctx: ServiceContext, settings: Settings) -> MainWindow:
    window = MainWindow(ctx, ui_settings_for(settings), "Cửa hàng Thử")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def click_tab(qtbot: Any, window: MainWindow, key: str) -> QWidget:
    """Click a main tab as the user does; its (built) page."""
    tab = window.tab_pages[key]
    bar = window.tabs.tabBar()
    center = bar.tabRect(window.tabs.indexOf(tab)).center()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=center)
    assert window.tabs.currentWidget() is tab and tab.page is not None
    return tab.page


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(
    qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key pressed wherever the focus is (shortcuts included)."""
    target = focused()
    assert target is not None
    qtbot.keyClick(target, key, modifier)


def close_lists(qtbot: Any, window: MainWindow) -> None:
    """Stop the list pages built (Orders; the lists of Products and Customers)."""
    for tab in window.tab_pages.values():
        page = getattr(tab.page, "list", tab.page)
        if hasattr(page, "busy") and hasattr(page, "shutdown"):
            close_page(qtbot, page)


def orders_page(qtbot: Any, window: MainWindow) -> OrdersPage:
    page = click_tab(qtbot, window, "orders")
    assert isinstance(page, OrdersPage)
    qtbot.waitUntil(page.isVisible)
    qtbot.waitUntil(lambda: page.model.complete and not page.counts_pending, timeout=WAIT)
    return page


@pytest.fixture
def with_orders(owner_ctx: ServiceContext) -> ServiceContext:
    shop = make_shop(owner_ctx.engine, "Shopee Quận 1", "shopee")
    start = datetime(2026, 5, 1, tzinfo=UTC)
    make_orders(owner_ctx.engine, shop, 12, start=start, step=timedelta(hours=1))
    return owner_ctx


# 1. The language box ------------------------------------------------------------------
def test_a_stray_key_or_the_wheel_never_switches_the_language(qtbot: Any) -> None:
    """Down, a word typed (or scanned) starting with "e", the moving keys and the wheel
    on the closed box switched the whole app to English; only a pick in its list does."""
    install_language("vi")
    combo = show_widget(qtbot, LanguageCombo(), 200, 40)
    chosen: list[str] = []
    combo.languageChosen.connect(chosen.append)
    combo.languageChosen.connect(install_language)  # as the app does
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus)

    qtbot.keyClick(combo, Qt.Key.Key_Down)
    combo.hidePopup()  # Down opened the list: nothing is picked until Enter there
    qtbot.keyClicks(combo, "e123 english")
    for key in (Qt.Key.Key_End, Qt.Key.Key_PageDown, Qt.Key.Key_Home, Qt.Key.Key_Up):
        qtbot.keyClick(combo, key)
        combo.hidePopup()
    wheel = QWheelEvent(QPointF(20, 10), QPointF(combo.mapToGlobal(QPoint(20, 10))), QPoint(),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)  # fmt: skip
    QApplication.sendEvent(combo, wheel)
    assert chosen == [] and current_language() == "vi" and combo.currentData() == "vi"

    # A pick in the open list switches it.
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    view.setCurrentIndex(view.model().index(combo.findData("en"), 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert chosen == ["en"] and current_language() == "en"


def test_the_language_box_shows_the_language_switched_elsewhere(qtbot: Any) -> None:
    combo = show_widget(qtbot, LanguageCombo(), 200, 40)
    chosen: list[str] = []
    combo.languageChosen.connect(chosen.append)
    install_language("vi")  # from Settings → Language, say
    qtbot.waitUntil(lambda: combo.currentData() == "vi")
    assert chosen == []  # showing it is no pick


def test_tab_never_lands_in_the_header(
    qtbot: Any, with_orders: ServiceContext, settings: Settings
) -> None:
    """Tab from the window went to the language box (then Down or a letter switched the
    language) and the user menu; they are clicked, not tabbed to."""
    window = main_window(qtbot, with_orders, settings)
    window.resize(1280, 800)  # the toolbar's buttons in the row (not in More): Tab stops
    orders_page(qtbot, window)
    header = {window.language, window.user_button}
    assert all(w.focusPolicy() == Qt.FocusPolicy.ClickFocus for w in header)
    seen = []
    for _ in range(60):
        press(qtbot, Qt.Key.Key_Tab)
        seen.append(focused())
    assert len(set(seen)) > 5  # the Tab key went round the page
    assert not header & set(seen)


# 2. The keys follow the tab shown -----------------------------------------------------
def test_a_tab_clicked_takes_the_keys_to_its_search_box(
    qtbot: Any, with_orders: ServiceContext, settings: Settings
) -> None:
    from primedist.ui.customers.page import CustomersPage
    from primedist.ui.products.page import ProductsPage
    from primedist.ui.settings.page import SettingsPage

    window = main_window(qtbot, with_orders, settings)
    window.language.setFocus()  # where the first Tab went
    page = orders_page(qtbot, window)
    qtbot.waitUntil(page.search.hasFocus)
    press(qtbot, Qt.Key.Key_E)  # typed on the list, not the language box
    assert page.search.text() == "e" and current_language() == "en"

    products = click_tab(qtbot, window, "products")
    assert isinstance(products, ProductsPage)
    qtbot.waitUntil(products.list.search.hasFocus)
    customers = click_tab(qtbot, window, "customers")
    assert isinstance(customers, CustomersPage)
    qtbot.waitUntil(customers.list.search.hasFocus)
    settings_page = click_tab(qtbot, window, "settings")
    assert isinstance(settings_page, SettingsPage)
    qtbot.waitUntil(settings_page.sections.hasFocus)  # no search box: its list
    click_tab(qtbot, window, "home")
    qtbot.waitUntil(window.tabs.tabBar().hasFocus)  # cards: the tab bar, arrows switch tabs
    press(qtbot, Qt.Key.Key_Right)
    assert window.tabs.currentWidget() is window.tab_pages["analytics"]
    assert window.tabs.tabBar().hasFocus()  # stepping along the tabs stays on them

    # Back on a tab shown before: its search box again.
    click_tab(qtbot, window, "orders")
    qtbot.waitUntil(page.search.hasFocus)
    close_lists(qtbot, window)


def test_ctrl_f_goes_to_the_search_box_with_its_text_selected(
    qtbot: Any, with_orders: ServiceContext, settings: Settings
) -> None:
    window = main_window(qtbot, with_orders, settings)
    page = orders_page(qtbot, window)
    qtbot.keyClicks(page.search, "DH")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    page.view.setFocus()
    qtbot.waitUntil(page.view.hasFocus)
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus() and page.search.selectedText() == "DH"
    press(qtbot, Qt.Key.Key_X)  # typing replaces the old search
    assert page.search.text() == "x"
    close_lists(qtbot, window)


# 3. Ctrl+1…Ctrl+6 ---------------------------------------------------------------------
def test_ctrl_and_a_number_shows_the_tab_at_that_place(
    qtbot: Any, with_orders: ServiceContext, settings: Settings
) -> None:
    window = main_window(qtbot, with_orders, settings)
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5, Qt.Key.Key_6]
    expected = ["home", "analytics", "products", "orders", "customers", "settings"]
    for key, tab in reversed(list(zip(keys, expected, strict=True))):
        press(qtbot, key, Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.currentWidget() is window.tab_pages[tab], tab
        # Building Customers showed its Delete button as a window of its own for a
        # moment: the main window lost the keyboard.
        assert window.isActiveWindow(), tab
    page = orders_page(qtbot, window)
    press(qtbot, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert page.search.hasFocus()

    # No two keys of one window do two things (F2 New order, Ctrl+F, Ctrl+1…), on any
    # tab: F2 is the main window's away from Orders, the Orders tab's button's on it.
    for name in ("products", "customers", "settings", "analytics", "orders", "home"):
        window.select_tab(name)
        qtbot.waitUntil(window.tabs.currentWidget().isVisible)
        qtbot.wait(0)  # the page built just now shows
        keys_used = [s.key().toString() for s in window.findChildren(QShortcut) if s.isEnabled()]
        keys_used += [b.shortcut().toString() for b in window.findChildren(QAbstractButton)
                      if b.window() is window and not b.shortcut().isEmpty()
                      and b.isVisibleTo(window)]  # fmt: skip
        keys_used += [k.toString() for a in window.findChildren(QAction) for k in a.shortcuts()]
        twice = [k for k, n in Counter(keys_used).items() if n > 1]
        assert twice == [] and {"Ctrl+1", "Ctrl+6", "Ctrl+F", "F2"} <= set(keys_used), name
    close_lists(qtbot, window)


def test_the_numbers_follow_the_tabs_a_user_may_open(
    qtbot: Any, ctx: ServiceContext, owner: Actor, settings: Settings
) -> None:
    """Staff who may open orders and customers: Home, Orders, Customers are Ctrl+1…3."""
    with Session(ctx.engine) as session:
        password = security.hash_password("nhan-password")
        user = User(name="Trần Văn Nhân", email="nhan@example.vn", password_hash=password,
                    role=Role.STAFF)  # fmt: skip
        session.add(user)
        session.flush()
        for module in (Module.ORDERS, Module.CUSTOMERS):
            session.add(UserModuleAccess(user_id=user.id, module=module))
        session.commit()
        actor = auth.actor_for(session, user)
    window = main_window(qtbot, ctx.with_actor(actor), settings)
    assert list(window.tab_pages) == ["home", "orders", "customers"]
    control = Qt.KeyboardModifier.ControlModifier
    press(qtbot, Qt.Key.Key_3, control)
    assert window.tabs.currentWidget() is window.tab_pages["customers"]
    press(qtbot, Qt.Key.Key_2, control)
    assert window.tabs.currentWidget() is window.tab_pages["orders"]
    press(qtbot, Qt.Key.Key_5, control)  # no fifth tab: nothing happens
    assert window.tabs.currentWidget() is window.tab_pages["orders"]
    close_lists(qtbot, window)


# Down and Enter in a search box ---------------------------------------------------------
def test_down_in_the_search_box_goes_to_the_list(
    qtbot: Any, with_orders: ServiceContext, settings: Settings
) -> None:
    window = main_window(qtbot, with_orders, settings)
    page = orders_page(qtbot, window)
    qtbot.waitUntil(page.search.hasFocus)
    assert not page.view.selectionModel().hasSelection()
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.view.hasFocus()
    assert [i.row() for i in page.view.selectionModel().selectedRows()] == [0]
    qtbot.keyClick(page.view, Qt.Key.Key_Down)  # the list's own keys from there
    assert page.view.currentIndex().row() == 1

    # A row already selected stays the one: Down only moves the focus.
    press(qtbot, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.view.hasFocus()
    assert [i.row() for i in page.view.selectionModel().selectedRows()] == [1]
    close_lists(qtbot, window)


def test_down_finds_the_list_under_the_box_and_enter_only_searches(qtbot: Any) -> None:
    """In a dialog, a box without `set_list` goes to the list under it; Enter searches at
    once (no wait for the pause) and does not also press the dialog's default button."""
    dialog = QDialog()
    layout = QVBoxLayout(dialog)
    box = SearchBox()
    table = QTableWidget(3, 2)
    for row in range(3):
        table.setItem(row, 0, QTableWidgetItem(f"row {row}"))
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.setColumnHidden(0, True)  # the first shown column is the one selected
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
    buttons.accepted.connect(dialog.accept)
    for widget in (box, table, buttons):
        layout.addWidget(widget)
    show_widget(qtbot, dialog, 400, 300)
    dialog.activateWindow()
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)

    searched: list[str] = []
    box.searchChanged.connect(searched.append)
    qtbot.keyClicks(box, "ao")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert searched == ["ao"] and dialog.isVisible() and dialog.result() == 0

    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert table.hasFocus() and table.currentIndex().row() == 0
    assert table.currentIndex().column() == 1

    other = QTableWidget(1, 1)
    other.setItem(0, 0, QTableWidgetItem("only"))
    layout.insertWidget(0, other)  # before the box: found only when set
    box.set_list(other)
    qtbot.waitUntil(other.isVisible)
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert other.hasFocus() and other.currentRow() == 0
