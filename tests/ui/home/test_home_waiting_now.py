"""Home's to-do cards of work waiting follow the shop as it stands, not the range; the
comparison of a range ending today says it stops at the same time of day."""

from __future__ import annotations

from datetime import date

import pytest
from pytestqt.qtbot import QtBot

from primedist.queries.orders import OrderFilter
from primedist.services.context import ServiceContext
from tests.services.report_data import FROM, TO, Shop2, build
from tests.ui.home.test_home import make_page, refreshed

pytestmark = pytest.mark.usefixtures("quiet")

WAITING = "Waiting now, whatever the dates above."


@pytest.fixture
def shop(ctx: ServiceContext) -> Shop2:
    return build(ctx.engine)


def test_waiting_cards_keep_their_counts_whatever_the_range(
    qtbot: QtBot, ctx: ServiceContext, shop: Shop2
) -> None:
    page = make_page(qtbot, ctx)
    refreshed(qtbot, page, lambda: page.bar.set_preset("today"))  # no order placed today
    cards = list(page.todo)
    assert cards[:3] == ["pending", "to_pack", "shipping"]  # To pack: confirmed, not shipped
    assert page.todo["to_pack"].title.text() == "Confirmed – to pack"
    texts = {k: c.value.text() for k, c in page.todo.items()}
    assert (texts["pending"], texts["shipping"], texts["return_refund"]) == ("1", "1", "1")
    assert texts["cancelled"] == "0"  # o2 was placed (and cancelled) on the 12th
    assert WAITING in page.todo["shipping"].toolTip()
    assert WAITING not in page.todo["cancelled"].toolTip()
    with qtbot.waitSignal(page.openOrders) as seen:
        page.todo["shipping"].clicked.emit()
    assert seen.args == ["shipping", OrderFilter()]  # every date, as the count
    refreshed(qtbot, page, lambda: page.bar.set_range(FROM, TO))
    assert page.todo["shipping"].value.text() == "1" and page.todo["cancelled"].value.text() == "1"


def test_the_comparison_says_until_when(qtbot: QtBot, ctx: ServiceContext, shop: Shop2) -> None:
    page = make_page(qtbot, ctx)  # the clock: 10:00 on 2026-11-20, Vietnam time
    refreshed(qtbot, page, lambda: page.bar.set_preset("today"))
    assert page.revenue.change.toolTip() == "vs yesterday until 10:00"
    assert page.new_orders.change.toolTip() == "vs yesterday until 10:00"
    refreshed(qtbot, page, lambda: page.bar.set_preset("7d"))
    assert page.revenue.change.toolTip() == "vs 07/11/2026 – 13/11/2026 until 10:00"
    refreshed(qtbot, page, lambda: page.bar.set_range(FROM, TO))  # not today: whole days
    assert page.revenue.change.toolTip() == "vs 03/11/2026 – 09/11/2026"
    refreshed(qtbot, page, lambda: page.bar.set_range(date(2026, 11, 19), date(2026, 11, 19)))
    assert page.revenue.change.toolTip() == "vs 18/11/2026"
