"""The status bar's sync indicator and the Sync panel, driven with real widgets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel
from sqlalchemy.engine import Engine

from primedist.core.messages import restored
from primedist.errors import Conflict
from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState
from primedist.ui.messages import error_text, localize
from primedist.ui.sync.panel import ActionsPage, ShopLogPage, SyncPanel
from primedist.ui.sync.status import SyncStatusWidget
from tests.factories import give_tokens, make_product, make_shop

pytestmark = pytest.mark.usefixtures("english", "no_crash")
NOW = "2026-11-20 02:00:00.000000"


def _queue(engine: Engine, shop_id: int, status: str, n: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
            " attempts, next_attempt_at, last_error, created_at, updated_at) VALUES"
            " (?, 'order.confirm', ?, ?, ?, 2, ?, ?, ?, ?)",
            (f"confirm:order:{n}", shop_id, f'{{"external_id": "SN{n}"}}', status, NOW,
             "Order SN is CANCELLED" if status == "failed" else None, NOW, NOW),
        )  # fmt: skip


def _statuses(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql(
            "SELECT status FROM outbox_messages ORDER BY id")]  # fmt: skip


def test_status_bar_says_offline_with_the_actions_waiting(qtbot: Any, ctx: ServiceContext) -> None:
    state = SyncState()
    widget = SyncStatusWidget(ctx, state=state)
    qtbot.addWidget(widget)
    assert widget.text() == ""  # nothing synced yet, nothing waiting: nothing to say
    state.update(offline=True, waiting=3)
    qtbot.waitUntil(lambda: widget.text() == "Offline — 3 actions waiting", timeout=10_000)
    state.update(offline=False, waiting=0, failed=0, running={"Shopee A"})
    qtbot.waitUntil(lambda: widget.text() == "Syncing Shopee A…", timeout=10_000)
    state.update(running=set(), last_sync_at=datetime(2026, 11, 20, 3, 5, tzinfo=UTC))
    qtbot.waitUntil(lambda: widget.text() == "Synced 10:05", timeout=10_000)  # shop time


def test_actions_page_retries_and_discards(
    qtbot: Any, ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = make_shop(engine, "Shopee A")
    _queue(engine, shop, "failed", 1)
    _queue(engine, shop, "pending", 2)
    page = ActionsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2)
    assert page.table.item(0, 3).text() == "Failed"
    assert page.table.item(0, 6).text() == "Order SN is CANCELLED"
    assert not page.retry_button.isEnabled()

    page.table.selectRow(0)
    assert page.retry_button.isEnabled()
    page.retry_button.click()
    qtbot.waitUntil(lambda: _statuses(engine) == ["pending", "pending"])
    qtbot.waitUntil(lambda: page.table.item(0, 3).text() == "Waiting")

    monkeypatch.setattr(page, "confirm_discard", lambda n: n == 2)
    selection = page.table.selectionModel()
    for row in (0, 1):
        index = page.table.model().index(row, 0)
        selection.select(index, QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)  # fmt: skip
    page.discard_button.click()
    qtbot.waitUntil(lambda: _statuses(engine) == ["cancelled", "cancelled"])
    qtbot.waitUntil(lambda: page.message.text() == "No actions waiting.")


def test_actions_say_what_they_are_about_and_show_the_whole_message(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Lazada A", "lazada")
    (variant,) = make_product(engine, "Áo thun", [("AT-01-M", 99_000, 1_204)])
    long = "Lazada A refused the stock: " + "the listing is under review " * 6
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
            " attempts, next_attempt_at, last_error, created_at, updated_at) VALUES"
            " ('stock:1', 'stock.push', ?, ?, 'pending', 1, ?, ?, ?, ?)",
            (shop, json.dumps({"variant_id": variant, "listing_external_id": "L1",
                               "available": 1_204}), NOW, long, NOW, NOW),
        )  # fmt: skip
    page = ActionsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1)
    assert page.table.item(0, 2).text() == "AT-01-M · 1,204 available"  # not "variant 7"
    assert page.table.item(0, 5).text() == "20/11/2026 09:00"  # shop time, app format
    assert page.table.item(0, 2).toolTip() == long
    assert not page.detail.isVisible()
    page.show()
    page.table.selectRow(0)
    qtbot.waitUntil(page.detail.isVisible)
    assert page.detail.text() == f"Last message: {long}"
    page.table.clearSelection()
    qtbot.waitUntil(lambda: not page.detail.isVisible())
    (row,) = od.list_actions(ctx)  # the CLI's words
    assert row.describe() == "AT-01-M: 1204 available"


def test_shop_log_page_shows_the_state_and_log(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Shopee A")
    give_tokens(engine, shop)  # linked: a shop without tokens says "Not linked"
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO sync_checkpoints (shop_id, resource, error_count, last_error)"
            " VALUES (?, 'orders', 1, 'Could not reach Shopee')", (shop,)
        )  # fmt: skip
        for i, (level, msg) in enumerate(
            [("info", "Synced 12 orders"), ("warning", "Could not reach the marketplace")]
        ):
            conn.exec_driver_sql(
                "INSERT INTO sync_log (shop_id, level, message, created_at) VALUES (?, ?, ?, ?)",
                (shop, level, msg, f"2026-11-20 0{i + 1}:00:00.000000"),
            )  # fmt: skip
    page = ShopLogPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2)
    assert page.shop.currentText() == "Shopee A"
    assert page.table.item(0, 1).text() == "Warning"  # newest first
    assert "Last error: Could not reach Shopee" in page.state_label.text()
    assert "Last sync: never" in page.state_label.text()


def test_panel_opens_once(qtbot: Any, ctx: ServiceContext) -> None:
    first = SyncPanel.show_for(ctx, None)
    qtbot.addWidget(first)
    assert SyncPanel.show_for(ctx, None) is first
    assert first.tabs.count() == 2
    first.close()


def test_actions_and_their_audit_lines_are_named_in_vietnamese(
    qtbot: Any, ctx: ServiceContext, engine: Engine, vietnamese: None
) -> None:
    shop = make_shop(engine, "Shopee A")
    _queue(engine, shop, "failed", 1)
    with engine.begin() as conn:  # a cancellation waits beside it
        conn.exec_driver_sql(
            "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
            " attempts, next_attempt_at, created_at, updated_at) VALUES ('cancel:order:2',"
            " 'order.cancel', ?, '{}', 'pending', 0, ?, ?, ?)", (shop, NOW, NOW, NOW))  # fmt: skip
    page = ActionsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2)
    kinds = {page.table.item(r, 1).text() for r in range(2)}
    assert kinds == {"Xác nhận đơn", "Hủy đơn"}  # not "order.confirm", "order.cancel"

    failed = next(r.id for r in od.list_actions(ctx) if r.kind == "order.confirm")
    od.retry_action(ctx, failed)
    with engine.connect() as conn:
        summary, args = conn.exec_driver_sql(
            "SELECT summary, summary_args FROM audit_events WHERE action = 'outbox.retry'"
        ).one()
    assert summary == "order.confirm: queued again"  # the CLI's words: the code
    assert localize(restored(summary, args)) == "Xác nhận đơn: đã xếp lại hàng chờ"
    od.discard_action(ctx, failed)
    with pytest.raises(Conflict) as caught:
        od.retry_action(ctx, failed)
    assert error_text(caught.value) == f"Thao tác {failed} đã bị bỏ: không thể thử lại."


def test_send_now_tells_a_marketplace_error_from_offline(qtbot: Any, ctx: ServiceContext) -> None:
    page = ActionsPage(ctx)
    qtbot.addWidget(page)
    answered = od.DeliveryReport(retrying=2, marketplace_error=True)
    silent = od.DeliveryReport(retrying=2, offline=True)
    assert page.delivery_text(answered).endswith("the marketplace answered with an error")
    assert "could not be reached" not in page.delivery_text(answered)
    assert page.delivery_text(silent).endswith("the marketplace could not be reached")
