"""The Sync panel and the status bar with real widgets: a disconnected or never linked
shop says so and cannot be synced from the panel; the last error in the reader's language
(and a daily-limit pause in shop time, not the platform's UTC); dates no later than today;
the discard question in the singular for one action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.connectors.http import CANNOT_REACH
from primedist.core.clock import FixedClock
from primedist.core.messages import Message, msg
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui.sync.panel import ActionsPage, ShopLogPage
from primedist.ui.sync.status import SyncStatusWidget
from tests.factories import give_tokens, make_shop

pytestmark = pytest.mark.usefixtures("no_crash")

UNREACHABLE = (
    "Cannot reach Shopee at http://127.0.0.1:41103: Server disconnected without sending a response."
)


def _checkpoint(engine: Engine, shop_id: int, error: str, paused: str | None = None) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_checkpoints (shop_id, resource, error_count, last_error,"
            " paused_until) VALUES (?, 'orders', 1, ?, ?)", (shop_id, error, paused),
        )  # fmt: skip


def _page(qtbot: Any, ctx: ServiceContext, shop: str) -> ShopLogPage:
    page = ShopLogPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.shop.count() > 0)
    page.shop.setCurrentIndex(next(i for i in range(page.shop.count())
                                   if page.shop.itemText(i).startswith(shop)))  # fmt: skip
    return page


@pytest.mark.usefixtures("english")
def test_a_disconnected_or_unlinked_shop_says_so_and_cannot_be_synced(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    linked = make_shop(engine, "A Linked")
    give_tokens(engine, linked)
    gone = make_shop(engine, "B Gone", "lazada")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE shops SET status = 'disconnected' WHERE id = ?", (gone,))
    make_shop(engine, "C Never")  # no tokens: Settings says "Not linked" too

    page = _page(qtbot, ctx, "B Gone")

    names = [page.shop.itemText(i) for i in range(page.shop.count())]
    assert names == ["A Linked", "B Gone (Disconnected)", "C Never (Not linked)"]
    assert "Disconnected: authorise it again in Settings → Sales channels" in (
        page.state_label.text()
    )
    assert not page.sync_button.isEnabled() and not page.refetch_button.isEnabled()
    page.shop.setCurrentIndex(2)
    assert "Not linked: authorise it in Settings → Sales channels" in page.state_label.text()
    assert not page.sync_button.isEnabled() and not page.refetch_button.isEnabled()
    page.shop.setCurrentIndex(0)
    assert page.sync_button.isEnabled() and page.refetch_button.isEnabled()
    assert "Disconnected" not in page.state_label.text()


@pytest.mark.usefixtures("vietnamese")
def test_the_last_error_is_in_the_readers_language(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Shopee A")
    give_tokens(engine, shop)
    _checkpoint(engine, shop, UNREACHABLE)  # the checkpoint keeps plain English

    page = _page(qtbot, ctx, "Shopee A")

    qtbot.waitUntil(lambda: "Lỗi gần nhất" in page.state_label.text())
    text = page.state_label.text()
    assert "Lỗi gần nhất: Không kết nối được Shopee tại http://127.0.0.1:41103" in text
    assert "Cannot reach" not in text


@pytest.mark.usefixtures("english")
def test_a_daily_limit_pause_is_said_in_shop_time_not_the_platforms_utc(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Shopee A")
    give_tokens(engine, shop)
    _checkpoint(engine, shop, "Shopee: daily limit (error_limit, /api/v2/order/get_order_list)."
                " Paused until 2026-11-20 16:00 UTC.", "2026-11-20 16:00:00.000000")  # fmt: skip

    page = _page(qtbot, ctx, "Shopee A")

    text = page.state_label.text()
    assert "Paused (daily limit) until 20/11/2026 23:00" in text  # Vietnam's time
    assert "UTC" not in text and "Paused until" not in text


def test_the_status_bar_tooltip_is_in_the_readers_language(
    qtbot: Any, ctx: ServiceContext, vietnamese: None
) -> None:
    state = SyncState()
    widget = SyncStatusWidget(ctx, state=state)
    qtbot.addWidget(widget)
    reason = Message(CANNOT_REACH.template, {"platform": "Shopee", "url": "http://x",
                                             "reason": "Server disconnected"})  # fmt: skip
    state.update(offline=True, waiting=2, last_error=reason)
    qtbot.waitUntil(lambda: "Không kết nối được Shopee" in widget.toolTip(), timeout=10_000)
    state.update(offline=False, last_error=msg("{shop}: {reason}", shop="Shop A", reason=reason))
    qtbot.waitUntil(lambda: widget.toolTip().startswith("Shop A: Không kết nối"),
                    timeout=10_000)  # fmt: skip


@pytest.mark.usefixtures("english")
def test_refetch_dates_end_today_and_a_start_in_the_future_is_named(
    qtbot: Any, ctx: ServiceContext, engine: Engine, clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    shop = make_shop(engine, "Shopee A")
    give_tokens(engine, shop)
    page = _page(qtbot, ctx, "Shopee A")
    today = QDate(2026, 11, 20)  # 10:00 in Vietnam
    assert page.date_from.maximumDate() == today == page.date_to.maximumDate()
    page.date_from.setDate(QDate(2027, 11, 29))
    page.date_to.setDate(QDate(2027, 12, 6))
    assert (page.date_from.date(), page.date_to.date()) == (today, today)

    ran: list[Any] = []
    monkeypatch.setattr(page, "_run", ran.append)
    clock.advance(timedelta(days=-2))  # the PC's clock put back while the panel is open
    page.refetch()
    assert ran == []
    assert page.state_label.text() == (
        "The start day 20/11/2026 is in the future: choose today or an earlier day."
    )
    assert page.date_from.maximumDate() == QDate(2026, 11, 18)
    clock.advance(timedelta(days=2))
    page.refetch()
    assert len(ran) == 1


@pytest.mark.usefixtures("english")
def test_the_discard_question_counts_one_action_in_the_singular(
    qtbot: Any, ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = ActionsPage(ctx)
    qtbot.addWidget(page)
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    assert not page.confirm_discard(1)
    assert not page.confirm_discard(2)
    assert asked == [
        "Discard this action? It will not be sent to the marketplace; the change stays in "
        "this app only.",
        "Discard 2 actions? They will not be sent to the marketplace; the changes stay in "
        "this app only.",
    ]
