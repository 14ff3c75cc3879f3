"""Cancelling an order of a channel the app cannot cancel on (Lazada, TikTok Shop, Tiki)
says so in the cancel dialog, before the user confirms: not only after, in the detail."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel, OrderStatus
from primedist.services.context import ServiceContext
from primedist.ui.orders.dialogs import CancelReasonDialog
from tests.ui.orders.test_order_detail import click, open_detail, order_of
from tests.ui.orders.test_order_detail_by_hand import pending_order

pytestmark = pytest.mark.usefixtures("english")


def cancel_dialog_note(qtbot: Any, engine: Engine, ctx: ServiceContext, channel: Channel) -> str:
    """What the cancel dialog of a pending order of `channel` says besides its question
    ("" when nothing); the user then keeps the order."""
    order_id = pending_order(engine, ctx, channel)
    detail = open_detail(qtbot, ctx, order_id)
    seen: dict[str, Any] = {}

    def look_then_keep() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, CancelReasonDialog)
        seen["note"] = dialog.note.text() if dialog.note.isVisibleTo(dialog) else ""
        dialog.reject()

    QTimer.singleShot(0, look_then_keep)
    click(qtbot, detail.cancel_button)
    assert "note" in seen
    assert order_of(engine, order_id).status == OrderStatus.PENDING  # kept
    return str(seen["note"])


@pytest.mark.parametrize(
    ("channel", "name"),
    [(Channel.LAZADA, "Lazada"), (Channel.TIKTOK, "TikTok Shop"), (Channel.TIKI, "Tiki")],
)
def test_the_cancel_dialog_says_to_cancel_it_in_seller_center_too(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, channel: Channel, name: str
) -> None:
    assert cancel_dialog_note(qtbot, engine, owner_ctx, channel) == (
        f"The app cannot cancel orders on {name}: after cancelling it here, cancel it in "
        f"{name} Seller Center too."
    )


@pytest.mark.parametrize("channel", [Channel.SHOPEE, Channel.OFFLINE])
def test_nothing_more_to_say_where_the_app_cancels_or_the_order_is_the_shops(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, channel: Channel
) -> None:
    assert cancel_dialog_note(qtbot, engine, owner_ctx, channel) == ""
