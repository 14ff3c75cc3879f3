"""Home's to-do cards from the keyboard: Tab reaches them, with a frame that shows it,
Enter or Space opens them as a click does, and a screen reader names them by their title
and count. A card the user may not open stays out of the Tab order."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from primedist.domain.enums import Module, Role
from primedist.services.context import Actor, ServiceContext
from primedist.ui.home.page import Card, HomePage

pytestmark = pytest.mark.usefixtures("quiet")

#: The focus frame's colour (resources/style.qss: QFrame#card[clickable="true"]:focus).
FOCUS_BLUE = QColor("#2563EB")


def make_page(qtbot: QtBot, ctx: ServiceContext) -> HomePage:
    page = HomePage(ctx)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    return page


def test_tab_reaches_the_todo_cards_and_enter_or_space_opens_them(
    qtbot: QtBot, owner_ctx: ServiceContext
) -> None:
    page = make_page(qtbot, owner_ctx)
    pending, to_pack = page.todo["pending"], page.todo["to_pack"]
    pending.setFocus()
    assert page.focusWidget() is pending
    qtbot.keyClick(pending, Qt.Key.Key_Tab)
    assert page.focusWidget() is to_pack  # the next card, in their row's order
    opened: list[str] = []
    page.openOrders.connect(lambda tab, _filter: opened.append(tab))
    qtbot.keyClick(to_pack, Qt.Key.Key_Return)
    qtbot.keyClick(pending, Qt.Key.Key_Space)
    assert opened == ["confirmed", "pending"]
    products: list[object] = []
    page.openProducts.connect(products.append)
    qtbot.keyClick(page.todo["low_stock"], Qt.Key.Key_Enter)
    assert len(products) == 1


def test_a_card_is_named_by_its_title_and_count(qtbot: QtBot, owner_ctx: ServiceContext) -> None:
    page = make_page(qtbot, owner_ctx)
    for key, card in page.todo.items():
        assert card.accessibleName() == f"{card.title.text()} {card.value.text()}", key
    assert page.todo["pending"].accessibleName() == "Pending 0"


def test_a_card_that_does_not_open_is_not_in_the_tab_order(
    qtbot: QtBot, owner_ctx: ServiceContext
) -> None:
    cashier = owner_ctx.with_actor(Actor(None, "Mai", "mai@x.vn", Role.STAFF,
                                         frozenset({Module.ORDERS})))  # fmt: skip
    page = make_page(qtbot, cashier)
    assert page.todo["pending"].focusPolicy() & Qt.FocusPolicy.TabFocus
    low = page.todo["low_stock"]  # the products' card: hidden from a cashier
    assert low.isHidden() and not low.focusPolicy() & Qt.FocusPolicy.TabFocus
    opened: list[object] = []
    page.openProducts.connect(opened.append)
    qtbot.keyClick(low, Qt.Key.Key_Return)
    assert opened == []


@pytest.mark.usefixtures("app_style")
def test_the_focused_card_shows_a_frame(qtbot: QtBot) -> None:
    card = Card("pending", clickable=True, compact=True)
    other = Card("shipping", clickable=True, compact=True)
    for c in (card, other):
        qtbot.addWidget(c)
        c.title.setText("Pending")
        c.value.setText("3")
        c.resize(200, 80)
        c.show()
        qtbot.waitExposed(c)
    card.activateWindow()
    qtbot.waitActive(card)
    card.setFocus()
    qtbot.waitUntil(card.hasFocus)

    def edge(c: Card) -> QColor:
        return c.grab().toImage().pixelColor(c.width() // 2, 0)  # the top border, mid-way

    assert edge(card) == FOCUS_BLUE
    assert edge(other) != FOCUS_BLUE  # not focused: the plain grey border
