"""The Sync panel follows the outbox by itself, says what "Send now" did in the user's
language, reads the connectors' messages in it, starts re-fetches on the shop's day and
shows every header whole."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QDate, QTranslator
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui.sync.panel import (
    MINIMUM_WIDTH,
    RELOAD_DELAY_MS,
    ActionsPage,
    ShopLogPage,
    SyncPanel,
)
from primedist.ui.sync.status import outbox_changed
from tests.factories import make_product, make_shop
from tests.ui.support import WAIT, show_widget
from tests.ui.sync.test_sync_panel import NOW, _queue

pytestmark = pytest.mark.usefixtures("no_crash")

#: A stand-in catalogue (the real one gets these strings later), by context.
CATALOGUE = {
    ("service", "Cannot reach {platform} at {url}: {reason}."):
        "Không kết nối được {platform} tại {url}: {reason}.",
    ("ActionsPage", "%n action will be tried again later"): "%n thao tác sẽ được thử lại sau",
    ("ActionsPage", "%n action"): "%n thao tác",
    ("ActionsPage", "%n action waiting for a shop to be linked in Sales channels"):
        "%n thao tác chờ liên kết gian hàng trong Kênh bán hàng",
}  # fmt: skip


class StandIn(QTranslator):
    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: ANN001, ANN201
        return CATALOGUE.get((context, source))

    def isEmpty(self) -> bool:  # noqa: N802
        return False


@pytest.fixture
def catalogue(qapp: Any, vietnamese: None) -> Iterator[None]:
    translator = StandIn()
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


def _set_status(engine: Engine, status: str, action_id: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE outbox_messages SET status = ? WHERE id = ?",
                             (status, action_id))  # fmt: skip


def _subjects(page: ActionsPage) -> list[str]:
    return [page.table.item(r, 2).text() for r in range(page.table.rowCount())]


def test_the_actions_follow_the_outbox_without_refresh(
    qtbot: Any, ctx: ServiceContext, engine: Engine, english: None
) -> None:
    shop = make_shop(engine, "Shopee A")
    for n in (1, 2, 3):
        _queue(engine, shop, "pending", n)
    state = SyncState()
    page = show_widget(qtbot, ActionsPage(ctx, state=state))
    qtbot.waitUntil(lambda: _subjects(page) == ["SN1", "SN2", "SN3"], timeout=WAIT)

    # An action of this window settled one (a confirm elsewhere calls outbox_changed).
    page.table.selectRow(2)
    _set_status(engine, "done", 1)
    outbox_changed()
    qtbot.waitUntil(lambda: _subjects(page) == ["SN2", "SN3"], timeout=WAIT)
    assert page.selected_ids() == [3]  # the chosen action stays chosen, by id

    # The scheduler delivered one: it only updates the counts the status bar shows.
    _set_status(engine, "done", 2)
    state.update(waiting=1)
    qtbot.waitUntil(lambda: _subjects(page) == ["SN3"], timeout=WAIT)
    assert page.message.text() == "1 action"

    # Never under the user's feet: while they act, the reload waits for them.
    page.acting = 1
    _set_status(engine, "done", 3)
    outbox_changed()
    qtbot.wait(RELOAD_DELAY_MS * 4)
    assert _subjects(page) == ["SN3"]
    page.acting = 0
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=WAIT)
    assert page.message.text() == "No actions waiting."


def test_send_now_says_what_it_did_in_the_users_language_and_keeps_saying_it(
    qtbot: Any, ctx: ServiceContext, engine: Engine, catalogue: None
) -> None:
    shop = make_shop(engine, "Shopee A")  # no partner id/key yet: the send waits for it
    _queue(engine, shop, "pending", 1)
    page = show_widget(qtbot, ActionsPage(ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    page.deliver_button.click()
    qtbot.waitUntil(page.deliver_button.isEnabled, timeout=WAIT)
    qtbot.wait(RELOAD_DELAY_MS * 4)  # the reloads that follow the send are done
    assert page.message.text() == (
        "1 thao tác chờ liên kết gian hàng trong Kênh bán hàng · 1 thao tác"
    )
    assert "to retry" not in page.message.text()  # not the CLI's summary


def test_a_connectors_message_reads_in_the_users_language(
    qtbot: Any, ctx: ServiceContext, engine: Engine, catalogue: None
) -> None:
    shop = make_shop(engine, "Shopee A")
    english = "Cannot reach Shopee at https://partner.shopeemobile.com: [Errno 111] refused."
    with engine.begin() as conn:  # the outbox keeps the English only
        conn.exec_driver_sql(
            "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
            " attempts, next_attempt_at, last_error, created_at, updated_at) VALUES"
            " ('confirm:order:1', 'order.confirm', ?, '{}', 'pending', 3, ?, ?, ?, ?)",
            (shop, NOW, english, NOW, NOW),
        )  # fmt: skip
    page = show_widget(qtbot, ActionsPage(ctx))
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    vietnamese = (
        "Không kết nối được Shopee tại https://partner.shopeemobile.com: [Errno 111] refused."
    )
    assert page.table.item(0, 6).text() == vietnamese
    assert page.table.item(0, 0).toolTip() == vietnamese
    page.table.selectRow(0)
    assert page.detail.text().endswith(vietnamese)


def test_refetch_starts_on_the_shops_day(
    qtbot: Any, ctx: ServiceContext, clock: FixedClock, english: None
) -> None:
    clock.set(datetime(2026, 11, 20, 18, 30, tzinfo=UTC))  # already the 21st in Vietnam
    page = show_widget(qtbot, ShopLogPage(ctx))
    assert page.date_to.date() == QDate(2026, 11, 21)
    assert page.date_from.date() == QDate(2026, 11, 14)


def test_every_header_is_whole_in_vietnamese_at_the_default_size(
    qtbot: Any, ctx: ServiceContext, engine: Engine, vietnamese: None, app_style: None
) -> None:
    tiktok = make_shop(engine, "Prime Store - TikTok Shop", "tiktok")
    for n in range(1, 11):
        _queue(engine, tiktok, "failed" if n % 3 == 0 else "pending", n)
    (variant,) = make_product(engine, "Áo", [("ASML0001-REU-XXL-NAVY-LONG", 99_000, 1_204)])
    with engine.begin() as conn:  # a long subject: "ASML0001-… · còn 1.204 có thể bán"
        conn.exec_driver_sql(
            "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
            " attempts, next_attempt_at, last_error, created_at, updated_at) VALUES"
            " ('stock:1', 'stock.push', ?, ?, 'pending', 1, ?, 'Prime Store - TikTok Shop"
            " refused the stock', ?, ?)",
            (tiktok, json.dumps({"variant_id": variant, "listing_external_id": "L1",
                                 "available": 1_204}), NOW, NOW, NOW),
        )  # fmt: skip
    panel = SyncPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.actions_page.table
    qtbot.waitUntil(lambda: table.rowCount() == 11, timeout=WAIT)
    # As wide as DEFAULT_WIDTH where the screen allows; the offscreen one is 800 px wide.
    assert panel.width() == MINIMUM_WIDTH
    header = table.horizontalHeader()
    for c in range(table.columnCount()):
        label = table.horizontalHeaderItem(c).text()
        assert header.sectionSize(c) >= header.sectionSizeFromContents(c).width(), label
    # The last message (its whole text is the tooltip and the line under the list) gave
    # its room first; then only the rare long texts are cut: every confirm's action and
    # subject stay whole.
    for r in range(10):
        for c in (1, 2):
            index = table.model().index(r, c)
            assert header.sectionSize(c) >= table.sizeHintForIndex(index).width(), (r, c)
    panel.grab().save("/tmp/hunt/sync-fix/panel-vi.png")
