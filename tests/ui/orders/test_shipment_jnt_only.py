# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""A shop whose only carrier account is J&T Express ships from the order detail and from
the Orders tab's Ship…, driven like a user would against the carrier sandbox on
127.0.0.1: the form takes the address as names (J&T needs none of GHN's lists), the
owner's "before paying" choice reaches J&T, and the label line names the file."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from primedist.carriers.jnt import ADD_ORDER_PATH
from primedist.services import shipping as svc
from primedist.ui.orders import shipment as shipment_module
from primedist.ui.orders.bulk_ship import STATE_COLUMN, BulkShipDialog
from tests.services.test_bulk_shipping import order_to
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    fast_factory,
    ghn_id,
    outbox_rows,
    phone_order,
    sandbox,
)
from tests.services.test_shipping_jnt_names import (  # noqa: F401  (fixtures)
    ghn_master_data_calls,
    jnt_only,
    named,
)
from tests.ui.orders.test_shipment import WAIT_MS, has_focus, open_detail, table_texts

pytestmark = pytest.mark.usefixtures("quiet", "english")


def open_form(qtbot, panel) -> shipment_module.ShipmentDialog:
    qtbot.mouseClick(panel.ship_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None
    dialog.quote_timer.setInterval(1)
    qtbot.waitUntil(lambda: dialog.service.currentText() == "EZ", timeout=WAIT_MS)
    return dialog


def type_into(dialog, level: str, text: str) -> None:
    # (setText: QTest cannot type "ậ" under the offscreen platform.)
    dialog.place_names.fields[level].setText(text)


def test_a_jnt_only_shop_ships_an_order_by_the_address_names(
    qtbot, owner_ctx, engine, sandbox, jnt_only, fast_factory
):
    order_id = phone_order(owner_ctx, engine)  # the order names only its province
    panel = open_detail(qtbot, owner_ctx, order_id, fast_factory).shipments_panel
    dialog = open_form(qtbot, panel)
    # The names, from the order and editable; not GHN's picker (no GHN account to ask).
    assert dialog.place_names.isVisible() and not dialog.picker.isVisible()
    assert dialog.place_names.names() == ("Hồ Chí Minh", "", "")
    assert not dialog.message.isVisible() and dialog.create_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.fee.text() == "Type the province and ward to see the fee.",
                    timeout=WAIT_MS)  # fmt: skip
    # Create before the ward is typed: it is asked for, with the cursor there.
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Type the recipient's ward."
    assert has_focus(dialog.place_names.fields["ward"])
    assert outbox_rows(engine) == []
    type_into(dialog, "district", "Quận 1")
    type_into(dialog, "ward", "Phường Bến Nghé")
    qtbot.waitUntil(lambda: dialog.fee.text().startswith("J&T Express gives its fee only"),
                    timeout=WAIT_MS)  # fmt: skip
    dialog.required_note.setCurrentIndex(dialog.required_note.findData("CHOTHUHANG"))
    dialog.note.setText("Gọi trước khi giao")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(table_texts(panel)) and table_texts(panel)[0][0]
                    == "800000000001", timeout=WAIT_MS)  # fmt: skip
    [sent] = sandbox.calls(ADD_ORDER_PATH)
    receiver = sent.body["receiver"]
    assert (receiver["prov"], receiver["city"], receiver["area"], receiver["address"]) == (
        "Hồ Chí Minh", "Quận 1", "Phường Bến Nghé", "12 Lê Lợi")  # fmt: skip
    assert sent.body["remark"] == "Cho thử hàng. Gọi trước khi giao"  # the courier reads it
    assert ghn_master_data_calls(sandbox) == 0


def test_the_label_line_names_the_file_not_its_folder(
    qtbot, owner_ctx, engine, sandbox, jnt_only, fast_factory, monkeypatch
):
    opened = []
    monkeypatch.setattr(shipment_module, "open_file", opened.append)
    order_id = phone_order(owner_ctx, engine)
    draft = named(owner_ctx, order_id, jnt_only, ward_name="Phường Bến Nghé")
    svc.request_shipment(owner_ctx, order_id, draft)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    panel = open_detail(qtbot, owner_ctx, order_id, fast_factory).shipments_panel
    panel.printer.setCurrentIndex(0)  # "Open the label file"
    qtbot.mouseClick(panel.label_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    assert opened[0].name == "800000000001.pdf"
    assert panel.status.text() == "Label opened: 800000000001.pdf"


def test_ship_on_the_orders_tab_works_with_jnt_alone(
    qtbot, owner_ctx, engine, sandbox, jnt_only, fast_factory
):
    ready = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Kim Mã")
    no_ward = order_to(owner_ctx, engine, province="Đà Nẵng", ward=None)
    dialog = BulkShipDialog(owner_ctx, [ready, no_ward], factory=fast_factory)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: bool(dialog.planned) and not dialog._busy, timeout=WAIT_MS)
    states = [dialog.table.item(r, STATE_COLUMN).text() for r in range(2)]
    assert states == ["Ready", "The address has no ward."]
    assert dialog.create_button.text() == "Create 1 shipment"
    dialog.required_note.setCurrentIndex(dialog.required_note.findData("KHONGCHOXEMHANG"))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.table.item(0, STATE_COLUMN).text()
                    == "Shipment 800000000001 created", timeout=WAIT_MS)  # fmt: skip
    [sent] = sandbox.calls(ADD_ORDER_PATH)
    assert (sent.body["receiver"]["prov"], sent.body["receiver"]["area"]) == (
        "Hà Nội", "Phường Kim Mã")  # fmt: skip
    assert sent.body["remark"] == "Không cho xem hàng"
