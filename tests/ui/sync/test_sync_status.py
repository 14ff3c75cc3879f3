"""The status bar's sync text follows the language and the user's own actions (a bulk
confirm queues marketplace actions: it says so at once, not at the next delivery)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui.i18n import install_language
from primedist.ui.list_tools import alive
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.sync import status as status_module
from primedist.ui.sync.status import SyncStatusWidget, outbox_changed
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "no_crash")


def test_the_sync_text_follows_a_language_switch(qtbot: Any, ctx: ServiceContext) -> None:
    state = SyncState()
    state.update(waiting=26)
    widget = SyncStatusWidget(ctx, state=state)
    qtbot.addWidget(widget)
    widget.timer.stop()  # only the language switch may change the text
    assert widget.text() == "26 actions waiting"
    install_language("vi")
    qtbot.waitUntil(lambda: widget.text() == "26 thao tác đang chờ", timeout=WAIT)
    install_language("en")
    qtbot.waitUntil(lambda: widget.text() == "26 actions waiting", timeout=WAIT)
    assert widget.toolTip() == "Marketplace sync: click for details"


def test_a_bulk_confirm_shows_its_waiting_actions_at_once(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Mall", "shopee")
    make_orders(engine, shop, 90, start=datetime(2026, 11, 1, tzinfo=UTC), step=timedelta(hours=3))
    monkeypatch.setattr(status_module, "POLL_MS", 60_000)  # no poll helps: the action tells
    state = SyncState()
    widget = SyncStatusWidget(owner_ctx, state=state)
    qtbot.addWidget(widget)
    assert widget.text() == ""
    page = show_widget(qtbot, OrdersPage(owner_ctx), height=700)
    qtbot.waitUntil(lambda: not page.busy and not page.counts_pending, timeout=WAIT)
    page.select_status_tab("pending")
    assert page.model.rowCount() >= 2
    page.view.selectRow(0)
    page.view.selectionModel().select(
        page.model.index(1, 0),
        page.view.selectionModel().SelectionFlag.Select
        | page.view.selectionModel().SelectionFlag.Rows,
    )
    assert len(page.selected_ids()) == 2
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert od.waiting_count(owner_ctx) == 2
    qtbot.waitUntil(lambda: widget.text() == "2 actions waiting", timeout=5_000)
    close_page(qtbot, page, lambda: not page.busy and not page.counts_pending)


def test_recounts_come_in_one_query_and_never_reach_a_closed_widget(
    qtbot: Any, ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[int] = []
    real = status_module.count_actions
    monkeypatch.setattr(status_module, "count_actions",
                        lambda c: (counted.append(1), real(c))[1])  # fmt: skip
    state = SyncState()
    state.update(waiting=5, failed=1)  # as the last delivery counted them
    widget = SyncStatusWidget(ctx, state=state)
    qtbot.addWidget(widget)
    assert widget.text() == "1 action failed · 5 actions waiting"
    for _ in range(3):  # a burst of changes (a bulk action refreshes several lists)
        outbox_changed()
    qtbot.waitUntil(lambda: widget.recounting == 0, timeout=WAIT)
    assert counted == [1] and widget.text() == ""  # none waits, none failed now
    widget.close()
    widget.deleteLater()
    qtbot.waitUntil(lambda: not alive(widget), timeout=WAIT)
    outbox_changed()  # nobody listens any more: no error
    qtbot.wait(300)
    assert counted == [1]
