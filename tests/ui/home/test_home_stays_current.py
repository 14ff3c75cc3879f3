"""Home reads its figures again when it shows again and when a sync ends while it shows,
never on the UI thread and never more than one refresh waiting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from primedist.config import Settings
from primedist.domain.enums import OrderSource, OrderStatus
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui.app import ui_settings_for
from primedist.ui.home import page as home_page
from primedist.ui.home.page import HomePage
from primedist.ui.main_window import MainWindow
from tests.factories import make_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")


def pending_sale(ctx: ServiceContext, variant: int) -> int:
    """A phone order left Pending (the sale screen's "Save as pending")."""
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
                           status=OrderStatus.PENDING)  # fmt: skip
    return svc.create_order(ctx, draft).id


def pending_shown(page: HomePage) -> str:
    return page.todo["pending"].value.text()


def settled(qtbot: QtBot, page: HomePage) -> None:
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None, timeout=WAIT)


def test_back_on_home_after_a_sale_shows_the_new_pending_count(
    qtbot: QtBot, owner_ctx: ServiceContext, settings: Settings
) -> None:
    variant = make_product(owner_ctx.engine, "Áo thun cotton", [("AT-1", 150_000, 50)])[0]
    pending_sale(owner_ctx, variant)
    window = MainWindow(owner_ctx, ui_settings_for(settings), "Cửa hàng Thử")
    show_widget(qtbot, window)
    home = window.select_tab("home")
    assert isinstance(home, HomePage)
    settled(qtbot, home)
    assert pending_shown(home) == "1"
    window.select_tab("products")  # Home hides: sales and confirms happen elsewhere
    for _ in range(2):
        pending_sale(owner_ctx, variant)
    assert pending_shown(home) == "1"  # not read while hidden
    with qtbot.waitSignal(home.refreshed, timeout=WAIT):
        window.select_tab("home")
    settled(qtbot, home)
    assert pending_shown(home) == "3"
    svc.confirm_orders(owner_ctx, [pending_sale(owner_ctx, variant)])  # 4 made, 1 confirmed
    window.select_tab("orders")
    with qtbot.waitSignal(home.refreshed, timeout=WAIT):
        window.select_tab("home")
    settled(qtbot, home)
    assert pending_shown(home) == "3"
    window.close()


def test_showing_again_reads_once_more_after_a_refresh_in_flight(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    page = show_widget(qtbot, HomePage(ctx), 1000, 700)
    settled(qtbot, page)
    asked: list[int] = []
    real = page.refresh
    page.refresh = lambda: (asked.append(page.running), real())[1]  # type: ignore[method-assign]
    page.hide()
    page.show()  # back: one refresh
    page.hide()
    page.show()  # again while it runs: one more once it ends, not two in the queue
    page.hide()
    page.show()
    settled(qtbot, page)
    qtbot.waitUntil(lambda: len(asked) == 2 and page.running == 0, timeout=WAIT)
    assert asked == [0, 0]
    page.show()  # shown already: nothing to read
    assert len(asked) == 2


def test_a_sync_that_ends_while_home_shows_reads_the_figures_again(
    qtbot: QtBot, ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home_page, "SYNC_WATCH_MS", 20)
    state = SyncState()
    page = HomePage(ctx, sync_state=state)
    show_widget(qtbot, page, 1000, 700)
    settled(qtbot, page)
    reads: list[Any] = []
    page.refreshed.connect(lambda: reads.append(1))
    state.started("Shopee A")
    qtbot.wait(100)
    assert reads == []  # a sync running changes nothing yet
    state.finished("Shopee A")  # failed half-way: no new last sync, orders may be in
    qtbot.waitUntil(lambda: len(reads) == 1, timeout=WAIT)
    state.update(last_sync_at=datetime(2026, 11, 20, 3, 5, tzinfo=UTC))
    qtbot.waitUntil(lambda: len(reads) == 2, timeout=WAIT)
    settled(qtbot, page)
    page.hide()  # hidden: no watching (it reads again when shown)
    state.update(last_sync_at=datetime(2026, 11, 20, 3, 5, tzinfo=UTC) + timedelta(minutes=5))
    qtbot.wait(100)
    assert len(reads) == 2 and not page.sync_watch.isActive()
