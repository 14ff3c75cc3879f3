"""A marketplace action that failed is seen where the owner looks: the Orders list marks
the order's status (⚠ before it, in red, the reason as its tooltip), its
detail says why with Retry / Discard, and the Sync panel lists failed actions first and
sorts by a column header."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from sqlalchemy.engine import Engine

from primedist.connectors.base import RemoteRejected
from primedist.services.context import ServiceContext
from primedist.services.outbox_delivery import failure_text
from primedist.ui.orders import tab
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.sync.panel import ActionsPage
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "shown")

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
WHY = "Shopee did not take the confirmation: the order is not on the marketplace"


def _queue(engine: Engine, shop: int, order_id: int, status: str, error: str | None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO outbox_messages (intent_key, kind, shop_id, order_id, payload_json,"
            " status, attempts, next_attempt_at, last_error, created_at, updated_at) VALUES"
            " (:k, 'order.confirm', :s, :o, '{}', :st, 1, :t, :e, :t, :t)"),
            {"k": f"confirm:order:{order_id}", "s": shop, "o": order_id, "st": status,
             "e": error, "t": NOW.replace(tzinfo=None)})  # fmt: skip


@pytest.fixture
def failed(owner_ctx: ServiceContext) -> Iterator[tuple[int, int, str]]:
    """(the order whose confirm failed, an order whose confirm waits, the failure text)."""
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Mall", "shopee")
    gone, waits = make_orders(engine, shop, 2, start=NOW - timedelta(days=1),
                              step=timedelta(hours=1))  # fmt: skip
    text = failure_text("order.confirm", "Shopee", RemoteRejected(
        "Shopee: Order 2511X does not exist. (error_not_found, /api/v2/logistics/ship_order)",
        code="error_not_found"))  # fmt: skip
    _queue(engine, shop, waits, "pending", None)  # older: listed first by id alone
    _queue(engine, shop, gone, "failed", text)
    yield gone, waits, text


def _cell(page: OrdersPage, order_id: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    model = page.model
    model.load_all_keys()
    row = [model.key_at(r) for r in range(model.rowCount())].index(order_id)
    return model.data(model.index(row, model.col["status"]), role)


def test_the_list_marks_the_order_not_sent(qtbot: Any, owner_ctx: ServiceContext,
                                           failed: tuple[int, int, str]) -> None:  # fmt: skip
    gone, waits, _text = failed
    page = show_widget(qtbot, OrdersPage(owner_ctx), height=700)
    qtbot.waitUntil(lambda: not page.busy and not page.counts_pending, timeout=WAIT)
    assert str(_cell(page, gone)) == "⚠ Shipping"
    assert _cell(page, gone, Qt.ItemDataRole.ForegroundRole) == QColor(tab.FAILED_COLOUR)
    tip = str(_cell(page, gone, Qt.ItemDataRole.ToolTipRole))
    assert tip.startswith(f"Not sent to the marketplace: {WHY} (“Order 2511X does not exist.")
    assert "⚠" not in str(_cell(page, waits))
    close_page(qtbot, page, lambda: not page.busy and not page.counts_pending)


def test_the_detail_says_why_and_discard_clears_it(
    qtbot: Any, owner_ctx: ServiceContext, failed: tuple[int, int, str]
) -> None:
    gone, _waits, _text = failed
    dialog = OrderDetailDialog(owner_ctx, gone)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail is not None and not dialog._busy, timeout=WAIT)
    assert dialog.failed_box.isVisible()
    assert dialog.failed_note.text().startswith(f"⚠ Not sent to Shopee: {WHY} (“Order 2511X")
    assert dialog.retry_failed_button.isVisible() and dialog.discard_failed_button.isVisible()
    qtbot.mouseClick(dialog.discard_failed_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog._busy and not dialog.failed_box.isVisible(), timeout=WAIT)
    with owner_ctx.engine.connect() as conn:
        status = conn.execute(
            sa.text("SELECT status FROM outbox_messages WHERE order_id = :o"), {"o": gone}
        ).scalar_one()
    assert status == "cancelled"


def test_the_sync_panel_lists_failed_first_and_sorts_by_a_header(
    qtbot: Any, owner_ctx: ServiceContext, failed: tuple[int, int, str]
) -> None:
    page = ActionsPage(owner_ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=WAIT)
    assert [page.table.item(r, 3).text() for r in (0, 1)] == ["Failed", "Waiting"]
    assert page.table.item(0, 6).text().startswith(WHY)
    page.table.selectRow(1)
    waiting_id = page.selected_ids()
    # Sorting by Status puts the waiting one first in descending order, and the selection
    # follows the row (not its old place).
    page.table.horizontalHeader().setSortIndicator(3, Qt.SortOrder.DescendingOrder)
    page._sort_clicked(3)
    assert [page.table.item(r, 3).text() for r in (0, 1)] == ["Waiting", "Failed"]
    assert page.selected_ids() == waiting_id
    page.reload()  # the chosen sort stays over reloads
    qtbot.wait(300)
    assert [page.table.item(r, 3).text() for r in (0, 1)] == ["Waiting", "Failed"]
