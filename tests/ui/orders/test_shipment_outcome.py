# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""What the shipments panel says after a send (only its own order's outcome, in words),
the order card after a cancel, and a Shipment dialog whose order was edited meanwhile:
against the carrier sandbox on 127.0.0.1 and a real migrated database."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from primedist.carriers.ghn import CREATE_PATH
from primedist.services import order_edit as edit
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from primedist.ui.orders.shipment import FEE_COLUMN
from tests.factories import make_product
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    outbox_rows,
    phone_order,
    sandbox,
)
from tests.ui.orders.test_shipment import WAIT_MS, fill_dialog, open_detail, wait_fee

pytestmark = pytest.mark.usefixtures("quiet")


def test_after_a_cancel_the_panel_says_cancelled_not_another_orders_refusal(
    qtbot, owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    # Another order's create, waiting, that the carrier will refuse in the same send.
    other = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, other, draft(owner_ctx, other, ghn_id))
    sandbox._by_client[f"PD{other}"] = "X"  # its code is taken at GHN
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    panel = detail.shipments_panel
    panel.confirm_cancel = lambda _ship: True
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text() == "The shipment is cancelled.",
                    timeout=WAIT_MS)  # fmt: skip
    assert outbox_rows(engine).count(("shipment.create", "failed")) == 1  # the other's
    # The order card no longer shows the cancelled parcel's code.
    qtbot.waitUntil(lambda: detail.ship_values["tracking"].text() != "GY000001VN",
                    timeout=WAIT_MS)  # fmt: skip


def test_a_refusal_is_told_without_the_outbox_numbers(qtbot, owner_ctx, engine, sandbox,
                                                      ghn_id, fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    sandbox._by_client[f"PD{order_id}"] = "X"
    view = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    panel = open_detail(qtbot, owner_ctx, order_id, fast_factory).shipments_panel
    panel._watched = view.id
    panel.send_now()
    qtbot.waitUntil(lambda: "The carrier refused the shipment:" in panel.status.text(),
                    timeout=WAIT_MS)  # fmt: skip
    assert "already exists" in panel.status.text()
    assert "#" not in panel.status.text() and "shipment.create" not in panel.status.text()


def test_the_dialog_refuses_an_order_edited_while_it_was_open(qtbot, owner_ctx, engine, sandbox,
                                                              ghn_id, fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    panel = open_detail(qtbot, owner_ctx, order_id, fast_factory).shipments_panel
    dialog = fill_dialog(qtbot, panel)
    wait_fee(qtbot, dialog, "Shipping fee")
    [extra] = make_product(engine, "Quần", [("Q-1", 250_000, 5)])
    now = edit.order_draft(owner_ctx, order_id)
    edit.update_order(
        owner_ctx, order_id, replace(now, lines=now.lines + (order_svc.DraftLine(extra, 1),))
    )
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "changed since the shipment was prepared" in dialog.message.text(),
                    timeout=WAIT_MS)  # fmt: skip
    assert "550,000" in dialog.message.text()
    assert svc.order_shipments(owner_ctx, order_id) == []
    assert sandbox.calls(CREATE_PATH) == []


def test_the_fee_stays_on_one_line(qtbot, owner_ctx, engine, sandbox, ghn_id, fast_factory):
    """At 1600 × 1000 the fee column was as wide as "22,000" only: "VND" went below."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    detail.resize(1600, 1000)
    panel = detail.shipments_panel
    table = panel.table
    qtbot.waitUntil(lambda: bool(table.item(0, FEE_COLUMN) and table.item(0, FEE_COLUMN).text()),
                    timeout=WAIT_MS)  # fmt: skip
    text = table.item(0, FEE_COLUMN).text()
    assert "VND" in text and " " not in text  # a no-break space: never two lines
    assert table.columnWidth(FEE_COLUMN) >= table.fontMetrics().horizontalAdvance(text)
