"""An order that came confirmed from Shopee (no confirmation of ours) cannot be cancelled
here: the order detail disables Cancel and says why; Cancel on the list skips it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from sqlalchemy.engine import Engine

from primedist.services.context import ServiceContext
from primedist.ui.orders import tab
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.tab import OrdersPage
from tests.factories import make_orders, make_shop
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "shown")

WHY = (
    "is confirmed on Shopee (its shipment is arranged): Shopee no longer lets the seller cancel it"
)


def _confirmed_shopee_order(engine: Engine) -> tuple[int, str]:
    shop = make_shop(engine, "Shopee Mall", "shopee")
    make_orders(engine, shop, 30, start=datetime(2026, 11, 1, tzinfo=UTC), step=timedelta(hours=3))
    with engine.connect() as conn:
        row = conn.execute(sa.text(
            "SELECT id, external_id FROM orders WHERE status = 'confirmed' ORDER BY id LIMIT 1"
        )).one()  # fmt: skip
    return int(row[0]), str(row[1])


def _status(engine: Engine, order_id: int) -> str:
    with engine.connect() as conn:
        query = sa.text("SELECT status FROM orders WHERE id = :i")
        return str(conn.execute(query, {"i": order_id}).scalar_one())


def test_the_detail_disables_cancel_and_says_why(qtbot: Any, owner_ctx: ServiceContext) -> None:
    order_id, number = _confirmed_shopee_order(owner_ctx.engine)
    dialog = OrderDetailDialog(owner_ctx, order_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.detail is not None and not dialog._busy, timeout=WAIT)
    assert not dialog.cancel_button.isEnabled()
    assert dialog.cancel_button.toolTip().startswith(f"{number} {WHY}")


def test_cancel_on_the_list_skips_it_and_says_why(
    qtbot: Any, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id, number = _confirmed_shopee_order(owner_ctx.engine)
    monkeypatch.setattr(tab, "ask_cancel_reason", lambda _p, _n, **_kw: "Hết hàng")
    page = show_widget(qtbot, OrdersPage(owner_ctx), height=700)
    qtbot.waitUntil(lambda: not page.busy and not page.counts_pending, timeout=WAIT)
    page.select_status_tab("confirmed")
    assert page.select_ids([order_id]) == 1
    assert page.cancel_button.isEnabled()  # by its status; the service says no
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.busy and not page.counts_pending, timeout=WAIT)
    assert number in page.message.text() and WHY in page.message.text()
    assert _status(owner_ctx.engine, order_id) == "confirmed"
    close_page(qtbot, page, lambda: not page.busy and not page.counts_pending)
