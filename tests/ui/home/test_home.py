"""Home tab with real widgets over the hand-built shop (tests/services/report_data.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QListWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel
from primedist.queries.orders import OrderFilter
from primedist.queries.products import ProductFilter
from primedist.services.context import ServiceContext
from primedist.ui.home.first_steps import DONE, STEPS, TODO
from primedist.ui.home.page import HomePage
from primedist.ui.i18n import install_language
from tests.factories import give_tokens, make_orders, make_product, make_shop
from tests.services.report_data import FROM, TO, Shop2, build

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def make_page(qtbot: QtBot, ctx: ServiceContext) -> HomePage:
    page = HomePage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    return page


def refreshed(qtbot: QtBot, page: HomePage, change: Any) -> None:
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        change()
    qtbot.waitUntil(lambda: page.running == 0)


def test_range_and_shops_update_the_cards(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    page = make_page(qtbot, ctx)  # 7 days to the 20th: o9 (14th), o3 (16th), o4 (17th)
    assert page.revenue.value.text() == "1,259,000 VND"
    refreshed(qtbot, page, lambda: page.bar.set_range(FROM, TO))
    assert page.revenue.value.text() == "390,000 VND"
    assert "▲ 225.00%" in page.revenue.change.text() and "120,000 VND" in page.revenue.change.text()
    assert page.new_orders.value.text() == "7"
    texts = {k: c.value.text() for k, c in page.todo.items()}
    assert texts == {"pending": "1", "to_pack": "0", "shipping": "1", "return_refund": "1",
                     "cancelled": "1", "low_stock": "0", "no_revenue": "1"}  # fmt: skip
    rows = {page.channels.item(r, 0).text(): [page.channels.item(r, c).text() for c in (1, 2, 3)]
            for r in range(page.channels.rowCount())}  # fmt: skip
    assert rows["Lazada"] == ["30,000 VND", "▼ 62.50%", "0/1 Shop"]
    assert rows["Shopee"][2] == "1/1 Shop" and rows["Tiki"][2] == "Not linked yet"
    make_shop(ctx.engine, "Quầy", Channel.OFFLINE)  # a counter has nothing to link
    refreshed(qtbot, page, page.refresh)
    offline = [page.channels.item(r, 3).text() for r in range(page.channels.rowCount())
               if page.channels.item(r, 0).text() == "In store"]  # fmt: skip
    assert offline == ["—"]
    assert dict(page.pie.slices) == {"Shopee": 5, "Lazada": 2}
    refreshed(qtbot, page, lambda: page.bar.tick_shops({shop.b}))
    assert page.revenue.value.text() == "30,000 VND"
    assert "▼ 62.50%" in page.revenue.change.text()
    assert dict(page.pie.slices) == {"Lazada": 2}
    assert page.bar.shops_button.text() == "1 shop(s)"


def test_todo_cards_open_the_filtered_lists(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    page = make_page(qtbot, ctx)
    refreshed(qtbot, page, lambda: page.bar.set_range(FROM, TO))
    refreshed(qtbot, page, lambda: page.bar.tick_shops({shop.a}))
    # Work waiting opens every date (as its count); what the range brought, the range.
    with qtbot.waitSignal(page.openOrders) as seen:
        page.todo["return_refund"].clicked.emit()
    # Returns under way only, as the card counts (not those already returned).
    assert seen.args == ["return_refund", OrderFilter(shop_ids=(shop.a,), returns_under_way=True)]
    with qtbot.waitSignal(page.openOrders) as seen:
        page.todo["to_pack"].clicked.emit()
    assert seen.args == ["confirmed", OrderFilter(shop_ids=(shop.a,))]
    with qtbot.waitSignal(page.openOrders) as seen:
        page.todo["cancelled"].clicked.emit()
    assert seen.args == [
        "cancelled",
        OrderFilter(shop_ids=(shop.a,), date_from=FROM, date_to=TO),
    ]
    with qtbot.waitSignal(page.openProducts) as seen:
        page.todo["low_stock"].clicked.emit()
    assert seen.args == [ProductFilter(shop_ids=(shop.a,), statuses=("low_stock",))]
    refreshed(qtbot, page, lambda: page.bar.tick_shops({shop.a, shop.b}))
    dialog = page.show_no_revenue()
    table = dialog.findChild(type(page.channels))
    qtbot.waitUntil(lambda: table.rowCount() == 1)
    assert table.item(0, 0).text() == "Mũ lưỡi trai"
    dialog.close()


def test_events_and_see_more(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    import sqlalchemy as sa

    from primedist.domain.audit import ActivityEvent
    from primedist.domain.enums import ActivityKind

    with ctx.engine.begin() as conn:
        for i in range(6):
            conn.execute(sa.insert(ActivityEvent).values(
                kind=ActivityKind.LOW_STOCK, shop_id=shop.a, message=f"Low stock {i}",
                created_at=ctx.clock.now()))  # fmt: skip
    page = make_page(qtbot, ctx)
    assert page.events.count() == 5
    dialog = page.show_all_events()
    listing = dialog.findChild(QListWidget)
    qtbot.waitUntil(lambda: listing.count() == 6)
    assert "Shop A: Low stock" in listing.item(0).text()
    dialog.close()


@pytest.mark.usefixtures("english")  # back to English afterwards
def test_vietnamese_changes_use_a_decimal_comma_and_the_pie_legend_fits(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, ctx)
    refreshed(qtbot, page, lambda: page.bar.set_range(FROM, TO))
    install_language("vi")  # the (posted) LanguageChange event refills the page
    qtbot.waitUntil(lambda: "Việc cần làm" in page.todo_title.text())
    assert "▲ 225,00%" in page.revenue.change.text() and "120.000 ₫" in page.revenue.change.text()
    lazada = next(r for r in range(page.channels.rowCount())
                  if page.channels.item(r, 0).text() == "Lazada")  # fmt: skip
    assert page.channels.item(lazada, 2).text() == "▼ 62,50%"
    assert page.pie.legend_lines() == ["Shopee: 5 (71,4%)", "Lazada: 2 (28,6%)"]
    page.resize(900, 700)
    page.show()
    qtbot.waitExposed(page)
    widest = max(page.pie.fontMetrics().horizontalAdvance(t) for t in page.pie.legend_lines())
    assert page.pie.width() >= page.pie.minimumSizeHint().width() > widest + 120
    table = page.channels  # as tall as its rows: no empty panel under them
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    assert rows < table.height() < rows + 2 * table.horizontalHeader().height() + 10


@pytest.mark.usefixtures("english")  # back to English afterwards
def test_events_are_worded_in_the_ui_language(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    from datetime import timedelta

    import sqlalchemy as sa
    from sqlmodel import Session

    from primedist.domain.audit import ActivityEvent
    from primedist.domain.enums import ActivityKind
    from primedist.services import activity

    now = ctx.clock.now()
    with Session(ctx.engine) as session:
        session.execute(
            sa.insert(ActivityEvent).values(  # a row from before `args`
                kind=ActivityKind.INFO, message="Backup made", created_at=now - timedelta(hours=2)
            )
        )
        activity.post(
            session,
            ActivityKind.IMPORT,
            now - timedelta(hours=1),
            what="customers",
            file="khach.xlsx",
            created=1500,
            updated=0,
            rejected=2,
        )
        activity.post(session, ActivityKind.ORDERS_SYNCED, now, shop_id=shop.a, new=1234, updated=2)
        session.commit()  # fmt: skip
    page = make_page(qtbot, ctx)

    def lines() -> list[str]:
        return [page.events.item(i).text().split("  ", 1)[1] for i in range(3)]

    assert lines() == [
        "Shop A: 1,234 new order(s) synced, 2 updated",
        "Imported 1,500 new and 0 updated customers from khach.xlsx (2 rejected)",
        "Backup made",
    ]
    install_language("vi")
    qtbot.waitUntil(lambda: "đồng bộ" in page.events.item(0).text())
    assert lines() == [
        "Shop A: Đã đồng bộ 1.234 đơn hàng mới, 2 đơn cập nhật",
        "Đã nhập 1.500 khách hàng mới và cập nhật 0 từ khach.xlsx (2 bị từ chối)",
        "Backup made",
    ]


@pytest.mark.usefixtures("english")
def test_a_new_shop_sees_its_first_steps_until_its_first_order(
    qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    """Getting started: four steps ticked as they are done, each one click from its
    screen; the card goes with the first order."""
    page = HomePage(owner_ctx)
    qtbot.addWidget(page)
    page.show()
    card = page.first_steps
    qtbot.waitUntil(lambda: card.steps is not None and page.running == 0)
    assert card.isVisible()
    assert [card.marks[k].text() for k in STEPS] == [TODO, TODO, TODO, TODO]
    make_product(engine, "Áo thun cotton", [("AT-1", 150_000, 5)])
    shop = make_shop(engine, "Shopee Nhà Mai", Channel.SHOPEE)  # active, never authorised
    page.refresh()
    qtbot.waitUntil(lambda: card.steps is not None and card.steps.products)
    assert [card.marks[k].text() for k in STEPS] == [TODO, DONE, TODO, TODO]
    give_tokens(engine, shop)
    page.refresh()
    qtbot.waitUntil(lambda: card.steps is not None and card.steps.shop_linked)
    assert [card.marks[k].text() for k in STEPS] == [TODO, DONE, DONE, TODO]
    with qtbot.waitSignal(page.startStep, timeout=5000) as chosen:
        qtbot.mouseClick(card.buttons["shop_linked"], Qt.MouseButton.LeftButton)
    assert chosen.args == ["shop_linked"]
    make_orders(engine, shop, 1, start=datetime(2026, 11, 20, tzinfo=UTC), step=timedelta(1))
    page.refresh()
    qtbot.waitUntil(lambda: card.steps is not None and card.steps.orders)
    assert not card.isVisible()


def test_the_customers_owe_card(qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine) -> None:
    """Hidden while nobody owes; then what customers owe for sales on account, opening the
    Customers list of those who owe."""
    from primedist.domain.enums import Module, PaymentMethod, Role
    from primedist.queries.customers import CustomerFilter
    from primedist.services import orders
    from primedist.services.context import Actor
    from tests.factories import make_customers

    page = make_page(qtbot, owner_ctx)
    assert page.owing.isHidden()
    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 20)])
    for cid, qty in zip(make_customers(engine, 2), (2, 4), strict=True):
        orders.create_order(owner_ctx, orders.OrderDraft(
            lines=(orders.DraftLine(cup, qty),), customer_id=cid,
            payment_method=PaymentMethod.ON_ACCOUNT, paid_now=10_000))  # fmt: skip
    refreshed(qtbot, page, page.refresh)
    assert not page.owing.isHidden()
    assert (page.owing.title.text(), page.owing.value.text()) == (
        "Customers owe (2)",
        "250,000 VND",
    )
    with qtbot.waitSignal(page.openCustomers) as seen:
        page.owing.clicked.emit()
    assert seen.args == [CustomerFilter(owes_money=True)]
    # A cashier without Customers access is not shown the customers' debts.
    cashier = owner_ctx.with_actor(Actor(None, "Mai", "mai@x.vn", Role.STAFF,
                                         frozenset({Module.ORDERS})))  # fmt: skip
    assert make_page(qtbot, cashier).owing.isHidden()


def test_the_gross_profit_card_is_for_who_sees_analytics(
    qtbot: QtBot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    """Two cups sold at 45,000 VND that cost 30,000: 30,000 VND of profit, yesterday's
    figure nothing; a cashier (Orders only) has no such card."""
    import sqlalchemy as sa

    from primedist.domain.enums import Module, PaymentMethod, Role
    from primedist.services import orders
    from primedist.services.context import Actor

    (cup,) = make_product(engine, "Cốc sứ", [("COC-1", 45_000, 20)])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET cost = 30000 WHERE id = :v"), {"v": cup})
    orders.create_order(owner_ctx, orders.OrderDraft(
        lines=(orders.DraftLine(cup, 2),), payment_method=PaymentMethod.CASH))  # fmt: skip
    page = make_page(qtbot, owner_ctx)
    assert not page.profit.isHidden()
    assert page.profit.value.text() == "30,000 VND"
    assert page.profit.title.text() == "Gross profit ⓘ"
    assert page.profit.note.text() == "Margin 33.3%"  # 30,000 of 90,000
    assert page.profit.note.toolTip() == "Gross profit ÷ revenue of the same period"
    assert "Gross profit =" in page.profit.toolTip()
    cashier = owner_ctx.with_actor(Actor(None, "Mai", "mai@x.vn", Role.STAFF,
                                         frozenset({Module.ORDERS})))  # fmt: skip
    other = make_page(qtbot, cashier)
    assert other.profit.isHidden() and other.data is not None and other.data.profit is None


def test_a_cashier_is_not_shown_the_product_cards(
    qtbot: QtBot, owner_ctx: ServiceContext
) -> None:
    """Low stock and No revenue are the products' cards: a cashier (Orders only) does not
    see them (hidden, not zeros) and cannot open them; their own order cards open."""
    from primedist.domain.enums import Module, Role
    from primedist.services.context import Actor

    cashier = owner_ctx.with_actor(Actor(None, "Mai", "mai@x.vn", Role.STAFF,
                                         frozenset({Module.ORDERS})))  # fmt: skip
    page = make_page(qtbot, cashier)
    opened: list[object] = []
    page.openProducts.connect(opened.append)
    for key in ("low_stock", "no_revenue"):
        card = page.todo[key]
        assert card.isHidden() and not card.property("clickable")
        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert opened == [] and page.findChildren(QDialog) == []
    assert page.data is not None and "low_stock" not in page.data.todo
    assert not page.todo["pending"].isHidden() and page.todo["pending"].property("clickable")
    owner = make_page(qtbot, owner_ctx)
    assert not owner.todo["no_revenue"].isHidden()
    assert owner.todo["no_revenue"].property("clickable")


def test_today_moves_on_at_local_midnight_without_reopening_the_page(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2, clock: FixedClock
) -> None:
    # A shop PC stays open overnight: "Today" must be the new day after 00:00 local.
    clock.set(datetime(2026, 3, 20, 16, 55, tzinfo=UTC))  # 23:55 in Vietnam (UTC+7)
    page = make_page(qtbot, ctx)
    refreshed(qtbot, page, lambda: page.bar.set_preset("today"))
    assert page.bar.range() == (date(2026, 3, 20), date(2026, 3, 20))
    clock.advance(timedelta(minutes=10))  # 00:05 on the 21st
    refreshed(qtbot, page, page.refresh)
    assert page.bar.range() == (date(2026, 3, 21), date(2026, 3, 21))
    assert page.bar.date_to.date().toPython() == date(2026, 3, 21)  # what the bar shows
    refreshed(qtbot, page, lambda: page.bar.set_preset("7d"))
    assert page.bar.range() == (date(2026, 3, 15), date(2026, 3, 21))
