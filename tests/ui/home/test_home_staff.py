"""Home for a staff member shows only what their modules allow (cards hidden, not zeros);
one whose modules show no figure gets a welcome instead of an empty grid. Real widgets
over the hand-built shop (tests/services/report_data.py)."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from primedist.domain.enums import Module, Role
from primedist.services.context import Actor, ServiceContext
from primedist.ui.home.page import HomePage
from tests.services.report_data import FROM, TO, VN, Shop2, build
from tests.services.test_home_by_module import post_events

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    data = build(ctx.engine)
    post_events(ctx.engine, ["synced", "low stock", "goods received", "backup failed"],
                datetime(2026, 11, 15, 8, tzinfo=VN))  # fmt: skip
    return data


def staff(ctx: ServiceContext, *modules: Module) -> ServiceContext:
    return ctx.with_actor(Actor(None, "Lan", "lan@shop.vn", Role.STAFF, frozenset(modules)))


def make_page(qtbot: QtBot, ctx: ServiceContext) -> HomePage:
    page = HomePage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    return page


def shown(widget: QWidget) -> bool:
    return not widget.isHidden()


def figures(page: HomePage) -> dict[str, bool]:
    """Which of Home's parts show."""
    parts = {f"todo {key}": shown(card) for key, card in page.todo.items()}
    parts |= {name: shown(getattr(page, name)) for name in (
        "bar", "todo_title", "owing", "revenue", "profit", "new_orders", "channels",
        "pie_panel", "events", "welcome")}  # fmt: skip
    return parts


def test_the_owner_sees_every_part(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    page = make_page(qtbot, ctx)
    every = figures(page)
    assert not every.pop("welcome") and not every.pop("owing")  # nobody owes
    assert all(every.values()), every
    assert page.events.count() == 4  # the backup's failure too


def test_a_staff_member_with_products_sees_the_product_cards_only(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, staff(ctx, Module.PRODUCTS))
    visible = {part for part, on in figures(page).items() if on}
    assert visible == {"bar", "todo_title", "todo low_stock", "todo no_revenue", "events"}
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.set_range(FROM, TO)
    assert page.todo["no_revenue"].value.text() == "1"
    assert page.todo["no_revenue"].property("clickable")
    lines = [page.events.item(i).text() for i in range(page.events.count())]
    assert len(lines) == 2 and "Goods received from Gốm Minh Long" in lines[0]
    assert "2 product(s) low on stock" in lines[1]


def test_a_staff_member_without_a_module_is_welcomed(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, staff(ctx))
    visible = {part for part, on in figures(page).items() if on}
    assert visible == {"welcome"}  # no range bar, no card of zeros, no events of others
    assert page.welcome_title.text() == "Hello, Lan"
    assert page.welcome_text.text() == (
        "Your account has no shop figures to show here. Ask the shop owner for access to "
        "the parts of the shop you work on.")  # fmt: skip
    assert page.shortcuts == {}


def test_the_welcome_opens_the_tabs_a_staff_member_has(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    """Customers and Settings: nobody owes, so no figure; their tabs one click away."""
    page = make_page(qtbot, staff(ctx, Module.CUSTOMERS, Module.SETTINGS))
    assert shown(page.welcome) and not shown(page.bar) and not shown(page.todo_title)
    assert "Your work is on the tabs below." in page.welcome_text.text()
    assert [b.text() for b in page.shortcuts.values()] == ["Open Customers", "Open Settings"]
    with qtbot.waitSignal(page.openTab) as opened:
        page.shortcuts["customers"].click()
    assert opened.args == ["customers"]
    # The shop's sync, stock and backup news are not theirs.
    assert shown(page.events) and page.events.count() == 1
    assert page.events.item(0).text() == "No news yet."
