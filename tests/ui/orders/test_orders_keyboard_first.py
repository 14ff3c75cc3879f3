# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""The Orders tab driven from the keyboard, on a real migrated database: the Menu key's
row menu is the current row's (it was the row below's, and dropped the selection), Tab
leaves the list, the main actions have keys, an old outcome does not linger, and Enter on
an order number held by another status tab goes there."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from primedist.queries.orders import orders
from primedist.ui.orders.bulk_ship import BulkShipDialog
from primedist.ui.orders.tab import OrdersPage
from tests.ui.orders.test_orders_tab import (  # noqa: F401  (fixtures)
    click_row,
    data,
    page,
    settle,
)
from tests.ui.support import WAIT

pytestmark = pytest.mark.usefixtures("english", "shown")


def focus_list(qtbot: Any, page: OrdersPage) -> None:
    page.view.activateWindow()
    page.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.view, timeout=WAIT)


def select_rows(qtbot: Any, page: OrdersPage, first: int, last: int, current: int) -> None:
    """Rows first..last selected, the keyboard's current row on `current`."""
    click_row(qtbot, page, first)
    sel = page.view.selectionModel()
    rows = QItemSelectionModel.SelectionFlag.Rows
    for row in range(first + 1, last + 1):
        sel.select(page.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select | rows)
    sel.setCurrentIndex(page.model.index(current, 1), QItemSelectionModel.SelectionFlag.NoUpdate)


def menu_key(page: OrdersPage) -> None:
    """The Menu key as Qt delivers it: a keyboard context menu event to the window, which
    hands it to the focused widget."""
    window = page.window().windowHandle()
    assert window is not None
    QApplication.sendEvent(
        window, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(), QPoint())
    )


def opened_by(page: OrdersPage, monkeypatch: Any) -> list[int]:
    """The order ids the row menu's Open… opens."""
    opened: list[int] = []
    monkeypatch.setattr(page, "open_order", lambda order_id, _parent=None: opened.append(order_id))
    return opened


def menu_action(menu: QMenu, text: str) -> Any:
    action = next((a for a in menu.actions() if a.text() == text), None)
    assert action is not None, [a.text() for a in menu.actions()]
    return action


def test_the_menu_key_opens_the_current_rows_menu_and_keeps_the_selection(
    qtbot, page, data, monkeypatch
):
    page.select_status_tab("pending")
    settle(qtbot, page)
    select_rows(qtbot, page, 0, 4, current=2)
    chosen = page.selected_ids()
    assert len(chosen) == 5
    focus_list(qtbot, page)
    opened = opened_by(page, monkeypatch)

    menu_key(page)
    menu = page.context_menu
    assert menu is not None and menu.isVisible()
    assert page.selected_ids() == chosen  # the five stay selected
    menu_action(menu, "Open…").trigger()
    assert opened == [page.model.key_at(2)]  # the current row's, not the one below
    menu.close()

    # Confirm from that menu confirms the five.
    menu_key(page)
    menu = page.context_menu
    assert menu is not None
    menu_action(menu, "Confirm").trigger()
    settle(qtbot, page)
    assert [data.status(i)[0] for i in chosen] == ["confirmed"] * 5


def test_a_right_click_takes_the_row_under_the_mouse(qtbot, page, data, monkeypatch):
    page.select_status_tab("pending")
    settle(qtbot, page)
    select_rows(qtbot, page, 0, 2, current=1)
    opened = opened_by(page, monkeypatch)
    at = page.view.visualRect(page.model.index(5, 1)).center()
    viewport = page.view.viewport()
    QApplication.sendEvent(
        viewport,
        QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at)),
    )
    menu = page.context_menu
    assert menu is not None and menu.isVisible()
    assert page.selected_ids() == [page.model.key_at(5)]  # outside the selection: alone
    menu_action(menu, "Open…").trigger()
    assert opened == [page.model.key_at(5)]
    menu.close()


def test_tab_leaves_the_list_with_the_selection_kept(qtbot, page):
    page.select_status_tab("pending")
    settle(qtbot, page)
    select_rows(qtbot, page, 0, 4, current=2)
    chosen = page.selected_ids()
    focus_list(qtbot, page)
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not page.view
    assert page.selected_ids() == chosen


def test_keys_confirm_ship_and_print_the_selection(qtbot, page, data):
    assert "(Ctrl+Enter)" in page.confirm_button.toolTip()
    assert "(Ctrl+G)" in page.ship_button.toolTip()
    assert "(Ctrl+P)" in page.print_button.toolTip()
    page.select_status_tab("pending")
    settle(qtbot, page)
    select_rows(qtbot, page, 0, 1, current=0)
    chosen = page.selected_ids()
    focus_list(qtbot, page)

    qtbot.keyClick(page.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    menu = page.print_button.menu()
    assert menu is not None
    qtbot.waitUntil(menu.isVisible, timeout=WAIT)
    menu.close()

    focus_list(qtbot, page)
    qtbot.keyClick(page.view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    ship = page.findChild(BulkShipDialog)
    assert ship is not None and ship.isVisible()
    ship.reject()

    focus_list(qtbot, page)
    qtbot.keyClick(page.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, page)
    assert [data.status(i)[0] for i in chosen] == ["confirmed", "confirmed"]
    assert page.message.text() == "2 orders confirmed"


def test_the_last_outcome_goes_with_a_tab_switch_a_search_or_the_next_action(qtbot, page):
    def confirm_two() -> None:
        page.select_status_tab("pending")
        settle(qtbot, page)
        select_rows(qtbot, page, 0, 1, current=0)
        page.confirm_button.click()
        settle(qtbot, page)
        assert page.message_bar.isVisible()

    confirm_two()
    page.select_status_tab("completed")
    assert not page.message_bar.isVisible()

    confirm_two()
    qtbot.keyClicks(page.search, "Hoa")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert not page.message_bar.isVisible()
    page.search.clear()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    settle(qtbot, page)

    confirm_two()
    select_rows(qtbot, page, 0, 0, current=0)
    page.flag_button.click()  # the next action: while it runs, no stale outcome
    assert not page.message_bar.isVisible()
    settle(qtbot, page)
    assert page.message.text() == "1 order flagged" and page.message_bar.isVisible()


def test_enter_on_an_order_number_of_another_tab_goes_there(qtbot, page, data):
    order_id = data.ids(lambda r: r["status"] == "completed")[0]
    with data.engine.connect() as conn:
        ext = conn.execute(sa.select(orders.c.external_id).where(orders.c.id == order_id)).scalar()
    page.select_status_tab("pending")
    settle(qtbot, page)
    qtbot.keyClicks(page.search, str(ext).lower())
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.status_tab == "completed", timeout=WAIT)
    qtbot.waitUntil(lambda: page.selected_ids() == [order_id], timeout=WAIT)
    assert QApplication.focusWidget() is page.view
    assert page.model.key_at(page.view.currentIndex().row()) == order_id

