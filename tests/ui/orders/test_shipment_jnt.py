# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""A J&T Express shipment from the order detail, driven like a user would, against the
carrier sandbox on 127.0.0.1: the form says where its fee shows (J&T quotes none), and
a cancel refused because the parcel was picked up meanwhile shows it picked up."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from primedist.domain.enums import OrderStatus
from primedist.sandbox.carriers import (
    DEMO_JNT_ACCOUNT,
    DEMO_JNT_CUSTOMER,
    DEMO_JNT_KEY,
    DEMO_JNT_PASSWORD,
)
from primedist.services import shipping as svc
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    order_row,
    phone_order,
    sandbox,
)
from tests.ui.orders.test_shipment import WAIT_MS, fill_dialog, open_detail, table_texts

pytestmark = pytest.mark.usefixtures("quiet", "english")


@pytest.fixture
def jnt_id(owner_ctx, sandbox, ghn_id) -> int:
    """A J&T account beside the GHN one (whose lists the address picker uses)."""
    view = svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY,
                               DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip
    return view.id


def test_the_jnt_form_says_its_fee_comes_with_the_shipment(qtbot, owner_ctx, engine, jnt_id,
                                                           fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    panel = open_detail(qtbot, owner_ctx, order_id, fast_factory).shipments_panel
    dialog = fill_dialog(qtbot, panel)
    dialog.quote_timer.setInterval(1)
    dialog.account.setCurrentIndex(dialog.account.findData(jnt_id))
    qtbot.waitUntil(lambda: dialog.service.currentText() == "EZ", timeout=WAIT_MS)
    expected = ("J&T Express gives its fee only when the shipment is created: it then shows "
                "in the shipments list.")  # fmt: skip
    qtbot.waitUntil(lambda: dialog.fee.text() == expected, timeout=WAIT_MS)  # not a failure
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(table_texts(panel)) and table_texts(panel)[0][0]
                    == "800000000001", timeout=WAIT_MS)  # fmt: skip
    assert table_texts(panel)[0][2].startswith("25,000")  # J&T's fee, once created


def test_a_cancel_refused_after_pickup_shows_the_parcel_picked_up(qtbot, owner_ctx, engine,
                                                                   sandbox, jnt_id,
                                                                   fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id,
                         replace(draft(owner_ctx, order_id, jnt_id), service_id=None))  # fmt: skip
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    sandbox.set_status("800000000001", "picked")  # picked up since the last poll
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    panel = detail.shipments_panel
    assert table_texts(panel)[0][1] == "Waiting for pickup" and panel.cancel_button.isEnabled()
    panel.confirm_cancel = lambda _ship: True
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "refused to cancel" in panel.status.text(), timeout=WAIT_MS)
    assert table_texts(panel)[0][1] == "Picked up"
    assert not panel.cancel_button.isEnabled()  # nothing left to cancel at the carrier
    assert order_row(engine, order_id).status == OrderStatus.SHIPPING
