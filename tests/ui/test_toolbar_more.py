# ruff: noqa: F811  (pytest fixtures imported from another test module)
"""The Orders and Customers toolbars in a 1024 px window in Vietnamese: no button's text
is cut ("Đơn hàng mới" showed "n hàng r"); the less used actions wait in the More menu,
enabled as their buttons and doing what they do; given room (1366 px) every button is
back in the row and More is hidden."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractButton, QPushButton, QVBoxLayout, QWidget

from primedist.services.context import ServiceContext
from primedist.ui.action_row import ActionRow
from primedist.ui.customers.page import CustomersPage
from primedist.ui.i18n import install_language
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_customers
from tests.ui.orders.test_orders_tab import (  # noqa: F401  (fixtures)
    Data,
    click_row,
    data,
    page,
    settle,
)
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("app_style", "shown")


def cut(row: ActionRow) -> list[tuple[str, int, int]]:
    """The row's buttons shown narrower than their text needs."""
    return [(b.text(), b.width(), b.sizeHint().width())
            for b in row.findChildren(QAbstractButton)
            if b.isVisible() and b.width() < b.sizeHint().width()]  # fmt: skip


def menu_texts(row: ActionRow) -> list[str]:
    row.more_menu.aboutToShow.emit()  # as when it opens: the states of now
    return [a.text() for a in row.more_menu.actions()]


def test_orders_toolbar_at_1024_moves_actions_to_more_and_back_at_1366(
    qtbot: Any, vietnamese: None, page: OrdersPage, data: Data
) -> None:
    row = page.actions_row
    page.resize(1024, 700)
    qtbot.wait(50)
    assert page.width() == 1024
    assert cut(row) == []
    assert page.new_button.isVisible() and page.confirm_button.isVisible()
    assert row.more_button.isVisible()
    moved = row.in_more()
    assert page.template_button in moved and page.unflag_button in moved
    assert not any(b.isVisible() for b in moved)
    in_row = [page.confirm_button, page.cancel_button, page.ship_button, page.flag_button,
              page.unflag_button, page.end_of_day_button, page.export_button,
              page.print_button, page.import_button, page.template_button]  # fmt: skip
    assert moved == sorted(moved, key=in_row.index)  # the menu reads as the row did
    assert menu_texts(row) == [b.text() for b in moved]
    unflag = row.menu_action(page.unflag_button)
    assert unflag is not None and not unflag.isEnabled()  # nothing selected, as the button

    # The menu's Unflag unflags, as the button did.
    click_row(qtbot, page, 0)
    key = page.model.key_at(0)
    qtbot.mouseClick(page.flag_button, Qt.MouseButton.LeftButton)
    settle(qtbot, page)
    assert key in data.ids(lambda r: bool(r["flagged"]))
    menu_texts(row)
    assert unflag.isEnabled()
    unflag.trigger()
    settle(qtbot, page)
    assert key not in data.ids(lambda r: bool(r["flagged"]))
    assert page.message.text() == "Đã bỏ đánh dấu 1 đơn hàng"

    # Wider: every button back in the row, whole; More hidden.
    page.resize(1366, 700)
    qtbot.wait(50)
    assert row.in_more() == [] and not row.more_button.isVisible()
    assert page.template_button.isVisible() and page.unflag_button.isVisible()
    assert cut(row) == []


def test_orders_toolbar_follows_the_language(
    qtbot: Any, vietnamese: None, page: OrdersPage
) -> None:
    """English is shorter: fewer actions in More; back in Vietnamese, nothing cut."""
    row = page.actions_row
    page.resize(1024, 700)
    qtbot.wait(50)
    vi_moved = row.in_more()
    assert vi_moved and cut(row) == []
    install_language("en")
    qtbot.waitUntil(lambda: len(row.in_more()) < len(vi_moved), timeout=WAIT)
    qtbot.wait(50)
    assert cut(row) == [] and row.more_button.text() == "More"
    install_language("vi")
    qtbot.waitUntil(lambda: row.in_more() == vi_moved, timeout=WAIT)
    qtbot.wait(50)
    assert cut(row) == []


def test_customers_toolbar_at_1024_in_vietnamese(
    qtbot: Any, vietnamese: None, owner_ctx: ServiceContext
) -> None:
    make_customers(owner_ctx.engine, 30)
    page = show_widget(qtbot, CustomersPage(owner_ctx), 1024, 700)
    lst = page.list
    row = lst.actions_row
    qtbot.waitUntil(lambda: lst.model.rowCount() > 0, timeout=WAIT)
    lst.view.selectRow(0)
    qtbot.wait(50)
    assert page.width() == 1024
    assert cut(row) == []  # was "ềm vào phân khú", "hêm khách hàn"
    assert lst.add_button.isVisible() and lst.add_segment_button.isVisible()
    assert lst.import_button in row.in_more() and row.more_button.isVisible()
    assert "Nhập tệp" in menu_texts(row)
    action = row.menu_action(lst.import_button)
    assert action is not None and action.isEnabled()
    with qtbot.waitSignal(lst.importRequested, timeout=WAIT):
        action.trigger()  # the import wizard opens, as from the button
    page.last_dialog.close()
    page.resize(1366, 700)
    qtbot.wait(50)
    assert row.in_more() == [] and not row.more_button.isVisible()
    assert cut(row) == []
    close_page(qtbot, lst)


def test_a_shortcut_works_while_its_button_is_in_more(qtbot: Any, english: None) -> None:
    window = QWidget()
    row = ActionRow()
    QVBoxLayout(window).addWidget(row)
    clicks: list[str] = []
    export = row.add(QPushButton("Export everything"))
    export.clicked.connect(lambda: clicks.append("export"))
    row.add_more()
    row.add(QPushButton("New"))
    export.setShortcut(QKeySequence("Ctrl+E"))
    row.set_overflow_order([export])
    show_widget(qtbot, window, 1000, 60)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    assert row.in_more() == [] and cut(row) == []

    def press() -> None:
        qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        qtbot.wait(300)  # a button's shortcut animates a click first

    press()
    assert clicks == ["export"]
    window.resize(120, 60)
    qtbot.waitUntil(lambda: row.in_more() == [export], timeout=WAIT)
    assert not export.isVisible() and cut(row) == []
    action = row.menu_action(export)
    assert action is not None and action.shortcut() == QKeySequence("Ctrl+E")
    press()
    assert clicks == ["export", "export"]
    export.setEnabled(False)  # disabled in the row: its shortcut does nothing from More
    press()
    assert clicks == ["export", "export"]


def test_products_toolbar_at_1024_in_vietnamese(
    qtbot: Any, vietnamese: None, owner_ctx: ServiceContext
) -> None:
    """ "Thêm sản phẩm" showed "m sản ph", "In tem mã vạch" "tem mã vạ"."""
    from primedist.ui.products.list_page import ProductListPage

    lst = show_widget(qtbot, ProductListPage(owner_ctx), 1024, 700)
    row = lst.actions_row
    qtbot.wait(50)
    assert lst.width() == 1024
    assert cut(row) == []
    assert lst.add_button.isVisible() and lst.hide_button.isVisible()
    assert lst.template_button in row.in_more() and row.more_button.isVisible()
    assert "Tệp mẫu…" in menu_texts(row)
    lst.resize(1366, 700)
    qtbot.wait(50)
    assert row.in_more() == [] and not row.more_button.isVisible()
    assert cut(row) == []
    close_page(qtbot, lst)
