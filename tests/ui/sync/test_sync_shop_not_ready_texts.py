"""The Sync panel says why a shop's actions wait in the reader's language: a shop with no
app credentials, or not linked yet, keeps its actions waiting with the connector's reason
(stored as plain English), read back as the app's own message."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from primedist.services import outbox_delivery as od
from primedist.services.channels import add_shop
from primedist.services.context import ServiceContext
from primedist.ui.sync.panel import ActionsPage
from tests.factories import make_product, make_shop
from tests.ui.support import WAIT
from tests.ui.sync.test_sync_panel import NOW

pytestmark = pytest.mark.usefixtures("no_crash")


def _queue_stock_push(engine: Engine, shop: int) -> None:
    (variant,) = make_product(engine, "Áo khoác", [("CVXL0015-TIM-L", 99_000, 203)])
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO outbox_messages (intent_key, kind, shop_id, payload_json, status,"
            " attempts, next_attempt_at, created_at, updated_at) VALUES"
            " ('stock:1', 'stock.push', ?, ?, 'pending', 0, ?, ?, ?)",
            (shop, json.dumps({"variant_id": variant, "available": 203}), NOW, NOW, NOW),
        )  # fmt: skip


def _shown_reason(qtbot: Any, ctx: ServiceContext) -> tuple[str, str]:
    """The action's Last message cell and the line under the list once it is chosen."""
    page = ActionsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT)
    page.table.selectRow(0)
    cell = page.table.item(0, 6)
    assert cell is not None
    return cell.text(), page.detail.text()


@pytest.mark.usefixtures("vietnamese")
def test_a_shop_without_app_credentials_says_so_in_vietnamese(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Prime Store - Lazada", "lazada")  # as the demo's: no app key
    _queue_stock_push(engine, shop)
    report = od.deliver_outbox(ctx)  # Send now
    # It waits for the owner, never used up, and is not tried again at every run.
    assert (report.not_ready, report.retrying, report.failed) == (1, 0, 0)
    cell, detail = _shown_reason(qtbot, ctx)
    # Lazada's own names for them, in a whole Vietnamese sentence (no "app key/secret").
    assert cell == (
        "Prime Store - Lazada chưa có App Key và App Secret: hãy thêm trong Kênh bán hàng."
    )
    assert detail.endswith(cell)
    assert "add them" not in detail and "/" not in cell


@pytest.mark.usefixtures("english")
def test_a_shop_without_app_credentials_reads_as_before_in_english(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    shop = make_shop(engine, "Prime Store - Lazada", "lazada")
    _queue_stock_push(engine, shop)
    od.deliver_outbox(ctx)
    cell, _detail = _shown_reason(qtbot, ctx)
    assert cell == "Prime Store - Lazada has no app key/secret: add them in Sales channels."


@pytest.mark.usefixtures("vietnamese")
def test_a_shop_not_linked_yet_says_so_in_vietnamese(
    qtbot: Any, ctx: ServiceContext, engine: Engine
) -> None:
    # Added with its app credentials (Add store…), not authorised yet.
    shop = add_shop(ctx, "shopee", name="Prime Official - Shopee", app_id="1000777",
                    app_secret="shopee-partner-key-for-tests")  # fmt: skip
    _queue_stock_push(engine, shop)
    od.deliver_outbox(ctx)
    cell, _detail = _shown_reason(qtbot, ctx)
    assert cell == "Prime Official - Shopee chưa được liên kết: hãy ủy quyền trong Kênh bán hàng."
