"""Actions of a shop not linked (no app credentials, as the demo's Lazada shop; not
authorised yet) wait for the owner, not the network: the status bar counts them apart,
"N actions waiting for a shop to be linked in Sales channels", and the Sync panel's Status
says "Not linked" as Sales channels does. At its default width the panel shows the
actions' columns whole in Vietnamese, with room for their last message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtWidgets import QTableWidget
from sqlalchemy.engine import Engine

from primedist.connectors.base import Unreachable
from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from primedist.services.sync import SyncState, default_connector
from primedist.ui.sync.panel import DEFAULT_WIDTH, MESSAGE_MIN_WIDTH, SyncPanel
from primedist.ui.sync.status import SyncStatusWidget, outbox_changed
from tests.factories import make_product, make_shop
from tests.ui.support import WAIT
from tests.ui.sync.test_sync_panel import NOW

pytestmark = pytest.mark.usefixtures("no_crash")

HELD = "actions waiting for a shop to be linked in Sales channels"


def _queue_stock_pushes(engine: Engine, shop: int, skus: list[str]) -> None:
    variants = make_product(engine, f"Áo khoác {shop}", [(sku, 99_000, 1_203) for sku in skus])
    with engine.begin() as conn:
        for variant in variants:
            conn.exec_driver_sql(
                "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
                " attempts, next_attempt_at, created_at, updated_at) VALUES"
                " (?, 'stock.push', ?, ?, 'pending', 0, ?, ?, ?)",
                (f"stock:{variant}", shop, json.dumps({"variant_id": variant, "available": 1_203}),
                 NOW, NOW, NOW),
            )  # fmt: skip


def _text(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def _offline_for(shop_id: int) -> Any:
    """The shops' own connectors, but `shop_id` cannot be reached (the network is down)."""

    def factory(ctx: ServiceContext, sid: int) -> Any:
        if sid == shop_id:
            raise Unreachable("Cannot reach Shopee: network down")
        return default_connector(ctx, sid)

    return factory


def _shops(engine: Engine) -> tuple[int, int]:
    """(a linked shop whose actions wait for the network, the demo's Lazada shop)."""
    shopee = make_shop(engine, "Prime Official - Shopee")
    lazada = make_shop(engine, "Prime Store - Lazada", "lazada")  # no app key: not linked
    _queue_stock_pushes(engine, shopee, ["SP-1"])
    _queue_stock_pushes(engine, lazada, ["CVXL0015-TIM-L", "QJ0042-XANH-M"])
    return shopee, lazada


@pytest.mark.usefixtures("english")
def test_the_status_bar_counts_the_actions_waiting_for_a_shop_apart(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shopee, _lazada = _shops(engine)
    report = od.deliver_outbox(ctx, factory=_offline_for(shopee))  # Send now, offline
    assert (report.offline, report.retrying, report.not_ready) == (True, 1, 2)
    state = SyncState()
    state.update(offline=True)
    widget = SyncStatusWidget(ctx, state=state)
    qtbot.addWidget(widget)
    outbox_changed()  # counted from the store, as after the user's own actions
    qtbot.waitUntil(lambda: widget.recounting == 0, timeout=WAIT)
    # One waits for the network; two wait for the owner to link their shop.
    assert widget.text() == f"Offline — 1 action waiting · 2 {HELD}"
    state.update(offline=False)
    widget.refresh()
    assert widget.text() == f"1 action waiting · 2 {HELD}"

    od.discard_action(ctx, od.list_actions(ctx)[0].id)  # the Shopee one
    outbox_changed()
    qtbot.waitUntil(lambda: widget.recounting == 0, timeout=WAIT)
    assert widget.text() == f"2 {HELD}"
    state.update(offline=True)
    widget.refresh()
    assert widget.text() == f"Offline · 2 {HELD}"  # none of them waits for the network


def test_the_panel_says_the_shop_is_not_linked_and_fits_its_columns_in_vietnamese(
    qtbot: Any, ctx: ServiceContext, engine: Engine, vietnamese: None, app_style: None
) -> None:
    shopee, _lazada = _shops(engine)
    tiktok = make_shop(engine, "Prime Store - TikTok Shop", "tiktok")
    _queue_stock_pushes(engine, tiktok, ["AT0101-TRANG-XL"])
    od.deliver_outbox(ctx, factory=_offline_for(shopee))
    panel = SyncPanel(ctx)
    qtbot.addWidget(panel)
    # Its default width on a screen wider than it (the offscreen one is 800 px wide).
    panel.resize(DEFAULT_WIDTH, 560)
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.actions_page.table
    qtbot.waitUntil(lambda: table.rowCount() == 4, timeout=WAIT)
    statuses = [_text(table, r, 3) for r in range(4)]
    assert statuses == ["Đang chờ", "Chưa liên kết", "Chưa liên kết", "Chưa liên kết"]

    # Every action, subject and status whole ("Cập nhật tồn kho", not "Cập nhật tồn k…":
    # a cell needs its hint and the grid line), no sideways scrolling, and the last
    # message keeps its room.
    model = table.model()
    for r in range(4):
        for c in range(6):
            need = table.sizeHintForIndex(model.index(r, c)).width() + 1
            assert table.columnWidth(c) >= need, (r, c, _text(table, r, c))
    assert table.columnWidth(6) >= MESSAGE_MIN_WIDTH
    assert sum(table.columnWidth(c) for c in range(7)) <= table.viewport().width()

    # Narrower (the old default width): a subject gives way, the action label stays whole.
    panel.resize(1040, 560)
    qtbot.waitUntil(lambda: table.viewport().width() < 1000, timeout=WAIT)
    for r in range(4):
        need = table.sizeHintForIndex(model.index(r, 1)).width() + 1
        assert table.columnWidth(1) >= need, (r, _text(table, r, 1))
