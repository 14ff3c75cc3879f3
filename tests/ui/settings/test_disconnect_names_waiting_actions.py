"""Settings → Sales channels → Disconnect: the question says how many actions wait for the
shop (kept, sent once it is connected again), and the Sync panel's last message says why
they wait."""

from __future__ import annotations

import json
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from primedist.services import outbox_delivery as od
from primedist.services.context import ServiceContext
from primedist.services.outbox import queue_coalesced
from primedist.ui.settings.channels import COL_STATUS, ChannelsSettings
from primedist.ui.sync.status import last_message_text
from tests.ui.settings.test_channels_settings import WAIT_MS, cell, row_of, shops  # noqa: F401

pytestmark = pytest.mark.usefixtures("quiet")


def _queue_stock(ctx: ServiceContext, shop_id: int, variants: list[int]) -> None:
    rows = {f"stock:{shop_id}:{v}": {"intent_key": f"stock:{shop_id}:{v}", "shop_id": shop_id,
            "payload_json": json.dumps({"variant_id": v, "available": 5})}
            for v in variants}  # fmt: skip
    with ctx.engine.begin() as conn:
        queue_coalesced(conn, "stock.push", rows, ctx.clock.now())


def _asked_on_disconnect(qtbot: Any, ctx: ServiceContext, name: str,
                         monkeypatch: pytest.MonkeyPatch) -> str:  # fmt: skip
    widget = ChannelsSettings(ctx)
    qtbot.addWidget(widget)
    widget.table.selectRow(row_of(widget, name))
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str) -> QMessageBox.StandardButton:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    qtbot.mouseClick(widget.disconnect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cell(widget, name, COL_STATUS) == "Disconnected", timeout=WAIT_MS)
    (text,) = asked
    return text


def test_the_question_counts_the_waiting_actions_and_the_panel_says_why_they_wait(
    qtbot: Any, owner_ctx: ServiceContext, shops: dict[str, int],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    _queue_stock(owner_ctx, shops["A Connected"], [11, 12])
    _queue_stock(owner_ctx, shops["B Expired"], [13])

    asked = _asked_on_disconnect(qtbot, owner_ctx, "A Connected", monkeypatch)

    assert "Its orders stay here" in asked
    assert asked.endswith(
        "\n\n2 actions waiting for this shop will be sent when it is connected again."
    )
    reasons = {(a.shop, last_message_text(a.last_error)) for a in od.list_actions(owner_ctx)}
    assert reasons == {("A Connected", str(od.SHOP_DISCONNECTED)), ("B Expired", "")}


def test_a_shop_with_nothing_waiting_is_asked_as_before(
    qtbot: Any, owner_ctx: ServiceContext, shops: dict[str, int],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    asked = _asked_on_disconnect(qtbot, owner_ctx, "A Connected", monkeypatch)
    assert asked.endswith("you can re-authorise it later.")
