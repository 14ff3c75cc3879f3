# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""The address picker, the Shipment dialog and the shipments panel on the order detail,
driven like a user would, against the carrier sandbox on 127.0.0.1 (real HTTP, a real
migrated database, a real CUPS queue for the label)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from primedist.carriers.ghn import CREATE_PATH
from primedist.carriers.places import bare_name
from primedist.domain.enums import Channel, OrderStatus
from primedist.sandbox.carriers import CarrierFault, label_pdf
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders import shipment as shipment_module
from primedist.ui.orders.address_picker import AddressPicker
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.shipment import ShipmentDialog, ShipmentsPanel
from tests.factories import make_orders, make_shop
from tests.printing.conftest import cups  # noqa: F401  (the session's CUPS)
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    fast_factory,
    ghn_id,
    outbox_rows,
    phone_order,
    sandbox,
)

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


def open_detail(qtbot, ctx: ServiceContext, order_id: int, factory) -> OrderDetailDialog:
    dialog = OrderDetailDialog(ctx, order_id)
    qtbot.addWidget(dialog)
    dialog.shipments_panel.factory = factory
    dialog.show()
    return dialog


def table_texts(panel: ShipmentsPanel) -> list[list[str]]:
    table = panel.table
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]  # fmt: skip


def fill_dialog(qtbot, panel: ShipmentsPanel) -> ShipmentDialog:
    """Open the dialog and pick Quận 1 / Phường Bến Nghé (the order names only the province)."""
    qtbot.mouseClick(panel.ship_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None
    picker = dialog.picker
    qtbot.waitUntil(lambda: picker.choice().province_name == "Hồ Chí Minh", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bool(picker.places["district"]), timeout=WAIT_MS)
    picker.choose("district", "1442")
    qtbot.waitUntil(lambda: bool(picker.places["ward"]), timeout=WAIT_MS)
    picker.choose("ward", "20101")
    return dialog


def has_focus(widget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is widget or widget.isAncestorOf(focused))


def wait_fee(qtbot, dialog: ShipmentDialog, expected: str) -> None:
    qtbot.waitUntil(lambda: expected in dialog.fee.text(), timeout=WAIT_MS)


# --------------------------------------------------------------------------- picker


def test_picker_preselects_the_order_address_and_cascades(qtbot, owner_ctx, sandbox, ghn_id):
    picker = AddressPicker(owner_ctx)
    qtbot.addWidget(picker)
    picker.load("TP. Hồ Chí Minh", "Quận 1", "Phường Bến Nghé")
    qtbot.waitUntil(lambda: picker.choice().complete, timeout=WAIT_MS)
    choice = picker.choice()
    assert (choice.province_name, choice.district_id, choice.ward_code) == (
        "Hồ Chí Minh", 1442, "20101")  # fmt: skip
    # Folded search in the ward combo: the popup offers what the words find.
    ward_line = picker.combos["ward"].lineEdit()
    ward_line.clear()
    qtbot.keyClicks(ward_line, "da kao")
    model = picker.combos["ward"].completer().model()
    assert model.stringList() == ["Phường Đa Kao"]
    picker.combos["ward"].completer().activated.emit("Phường Đa Kao")
    assert picker.choice().ward_code == "20102"
    # Another district: its wards replace the old ones, none chosen yet.
    [thu_duc] = picker.search("district", "thu duc")
    picker.choose("district", thu_duc.code)
    assert not picker.choice().complete
    qtbot.waitUntil(lambda: [p.name for p in picker.places["ward"]]
                    == ["Phường An Khánh", "Phường Thảo Điền"], timeout=WAIT_MS)  # fmt: skip
    assert [p.code for p in picker.search("ward", "thao dien")] == ["90737"]


def test_picker_stops_at_a_name_it_does_not_know(qtbot, owner_ctx, sandbox, ghn_id):
    picker = AddressPicker(owner_ctx)
    qtbot.addWidget(picker)
    picker.load("Hà Nội", "Quận 99", "Phường Kim Mã")
    qtbot.waitUntil(lambda: bool(picker.places["district"]) and not picker.busy, timeout=WAIT_MS)
    assert picker.choice().province_name == "Hà Nội"
    assert picker.choice().district_id is None and picker.places["ward"] == []
    assert picker.combos["district"].isEnabled() and not picker.combos["ward"].isEnabled()


def test_picker_places_a_2025_address_without_a_district(qtbot, owner_ctx, sandbox, ghn_id):
    """Province → ward (the 2025 map): the ward's district is found by its name."""
    picker = AddressPicker(owner_ctx)
    qtbot.addWidget(picker)
    picker.load("TP. Hồ Chí Minh", "", "Phường Thảo Điền")
    qtbot.waitUntil(lambda: picker.choice().complete, timeout=WAIT_MS)
    assert (picker.choice().district_name, picker.choice().ward_code) == (
        "Thành Phố Thủ Đức", "90737")  # fmt: skip
    # A ward GHN's lists do not have (a 2025 merger): nothing is guessed.
    picker.load("TP. Hồ Chí Minh", "", "Phường Sài Gòn")
    qtbot.waitUntil(lambda: not picker.busy and bool(picker.places["district"]), timeout=WAIT_MS)
    assert picker.choice().district_id is None and picker.choice().ward_code is None


def test_picker_without_a_ghn_account_says_so(qtbot, owner_ctx):
    picker = AddressPicker(owner_ctx)
    qtbot.addWidget(picker)
    with qtbot.waitSignal(picker.failed, timeout=WAIT_MS):
        picker.load("Hà Nội")
    assert "Add a GHN account in Settings → Logistics" in picker.message.text()
    assert not picker.combos["province"].isEnabled()


# --------------------------------------------------------------------------- dialog + panel


def test_create_from_the_dialog_is_sent_and_listed(qtbot, owner_ctx, engine, sandbox, ghn_id,
                                                   fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    panel = detail.shipments_panel
    assert panel.isVisible() and panel.ship_button.isEnabled()
    assert not panel.table.isVisible()  # no shipments yet
    dialog = fill_dialog(qtbot, panel)
    assert (dialog.to_name.text(), dialog.to_phone.text()) == ("Nguyễn Lan", "0901234567")
    assert dialog.cod.value() == 300_000  # a COD order: what is left to pay
    # 2 shirts with no weight in their product: counted at 500 g each, and it says so.
    assert dialog.weight.value() == 1_000 and dialog.weight_hint.isVisible()
    assert dialog.weight_hint.text() == "≈ 2 items without a weight counted at 500 g each"
    assert dialog.cod.suffix() == dialog.insurance.suffix() == " VND"  # as the app writes money
    # The recipient's, the address's and the parcel's fields start at one edge.
    fields = (dialog.to_name, dialog.picker.combos["ward"], dialog.service)
    edges = {field.mapTo(dialog, QPoint(0, 0)).x() for field in fields}
    assert len(edges) == 1, edges
    qtbot.waitUntil(lambda: dialog.service.count() == 2, timeout=WAIT_MS)
    # 22,000 + 2,500 for the second 500 g + 0.5 % of the 300,000 insured value.
    wait_fee(qtbot, dialog, "Shipping fee: 26,000 VND")
    dialog.required_note.setCurrentIndex(dialog.required_note.findData("KHONGCHOXEMHANG"))
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(table_texts(panel)) and table_texts(panel)[0][0] == "GY000001VN",
                    timeout=WAIT_MS)  # fmt: skip
    assert table_texts(panel)[0][:2] == ["GY000001VN", "Waiting for pickup"]
    assert panel.table.item(0, 0).toolTip() == "GHN"  # the carrier (the card is narrow)
    [sent] = sandbox.calls(CREATE_PATH)
    assert sent.body["client_order_code"] == f"PD{order_id}"
    assert (sent.body["to_district_id"], sent.body["to_ward_code"]) == (1442, "20101")
    assert (sent.body["cod_amount"], sent.body["required_note"]) == (300_000, "KHONGCHOXEMHANG")
    qtbot.waitUntil(lambda: detail.ship_values["tracking"].text() == "GY000001VN",
                    timeout=WAIT_MS)  # fmt: skip
    assert detail.ship_values["carrier"].text() == "GHN"
    assert not detail.outbox_banner.isVisible()
    assert not panel.ship_button.isEnabled()  # one live shipment per order
    assert panel.label_button.isEnabled() and panel.cancel_button.isEnabled()
    # Said in the shop's words, and no longer "waiting" once the carrier took it.
    qtbot.waitUntil(lambda: panel.status.text() == "Sent to the carrier: the tracking code is "
                    "in the list.", timeout=WAIT_MS)  # fmt: skip


def test_a_fee_asked_while_the_services_load_does_not_lose_them(
    qtbot, owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    """On a slow line the fee is asked (the form's timer) before the services answer: the
    services still show, then the fee with the first service."""
    order_id = phone_order(owner_ctx, engine)
    panel = open_detail(qtbot, owner_ctx, order_id, fast_factory).shipments_panel
    qtbot.mouseClick(panel.ship_button, Qt.MouseButton.LeftButton)
    dialog = panel.dialog
    assert dialog is not None
    dialog.quote_timer.setInterval(1)  # the fee is asked at once after each change
    picker = dialog.picker
    qtbot.waitUntil(lambda: bool(picker.places["district"]), timeout=WAIT_MS)
    sandbox.inject(CarrierFault.TIMEOUT, count=5, path="available-services", delay=0.3)
    picker.choose("district", "1442")
    qtbot.waitUntil(lambda: bool(picker.places["ward"]), timeout=WAIT_MS)
    picker.choose("ward", "20101")
    dialog.weight.setValue(dialog.weight.value() + 200)  # typed while the services load
    assert not dialog.weight_hint.isVisible()  # the owner's figure now, not an estimate
    qtbot.waitUntil(lambda: "fee" in dialog.fee.text().lower(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: dialog.service.count() == 2, timeout=WAIT_MS)
    wait_fee(qtbot, dialog, "Shipping fee: 26,000 VND")


def test_offline_create_waits_then_goes_out(qtbot, owner_ctx, engine, sandbox, ghn_id,
                                            fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    panel = detail.shipments_panel
    dialog = fill_dialog(qtbot, panel)
    wait_fee(qtbot, dialog, "Shipping fee")
    sandbox.inject(CarrierFault.DROP, count=50)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cannot be reached" in panel.status.text(), timeout=WAIT_MS)
    notices = []
    panel.notice.connect(notices.append)
    send_now, panel.send_now = panel.send_now, lambda: None
    panel._created(panel.shipments[0])  # what it says before sending: the order's number
    assert notices == [f"The shipment of order {panel.order.external_id} is waiting to be sent."]
    panel.send_now = send_now
    assert table_texts(panel)[0][:2] == ["GHN", "Waiting to be sent"]  # no code yet
    assert detail.outbox_banner.isVisible()
    assert "the carrier" in detail.outbox_banner.text()
    assert sandbox.calls(CREATE_PATH) == []
    sandbox.clear_faults()
    owner_ctx.clock.advance(timedelta(hours=3))
    panel.send_now()
    qtbot.waitUntil(lambda: table_texts(panel)[0][0] == "GY000001VN", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not detail.outbox_banner.isVisible(), timeout=WAIT_MS)
    assert len(sandbox.calls(CREATE_PATH)) == 1


def test_bad_parcel_is_named_and_nothing_is_written(qtbot, owner_ctx, engine, sandbox, ghn_id,
                                                    fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    dialog = ShipmentDialog(owner_ctx, order_id, factory=fast_factory)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: bool(dialog.picker.places["district"]), timeout=WAIT_MS)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "Pick the recipient's district and ward."
    assert has_focus(dialog.picker.combos["district"])
    dialog.picker.choose("district", "1442")
    qtbot.waitUntil(lambda: bool(dialog.picker.places["ward"]), timeout=WAIT_MS)
    dialog.picker.choose("ward", "20102")
    dialog.weight.setValue(40_000)
    wait_fee(qtbot, dialog, "The weight must be 1-30,000 g")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "The weight must be 1-30,000 g (got 40,000)" in dialog.message.text()
    assert has_focus(dialog.weight)
    dialog.weight.setValue(1_000)
    dialog.cod.setValue(12_000_000)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "COD amount must be 0-10,000,000" in dialog.message.text()
    assert outbox_rows(engine) == [] and svc.order_shipments(owner_ctx, order_id) == []
    assert dialog.isVisible()


def test_carrier_refusal_is_shown_and_a_new_shipment_allowed(qtbot, owner_ctx, engine, sandbox,
                                                             ghn_id, fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    sandbox._by_client[f"PD{order_id}"] = "X"  # the code is already taken at GHN
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    panel = detail.shipments_panel
    dialog = fill_dialog(qtbot, panel)
    wait_fee(qtbot, dialog, "Shipping fee")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "The carrier refused" in panel.status.text(), timeout=WAIT_MS)
    assert "already exists" in panel.status.text()
    status = table_texts(panel)[0][1]
    assert status.startswith("Refused:") and "already exists" in status
    assert panel.ship_button.isEnabled()  # a failed shipment does not block a new one
    assert not panel.label_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_fee_refusal_from_the_carrier_is_shown(qtbot, owner_ctx, engine, sandbox, ghn_id,
                                               fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    dialog = ShipmentDialog(owner_ctx, order_id, factory=fast_factory)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: bool(dialog.picker.places["district"]), timeout=WAIT_MS)
    sandbox.inject(CarrierFault.BAD_TOKEN, count=20)
    dialog.picker.choose("district", "1442")
    qtbot.waitUntil(lambda: "No fee quote" in dialog.fee.text(), timeout=WAIT_MS)
    assert "Token is not valid" in dialog.fee.text()


def test_cancel_goes_to_the_carrier(qtbot, owner_ctx, engine, sandbox, ghn_id, fast_factory):
    order_id = phone_order(owner_ctx, engine)
    view = svc.request_shipment(owner_ctx, order_id, _draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    panel = detail.shipments_panel
    asked = []
    panel.confirm_cancel = lambda ship: asked.append(ship.carrier_order_code) or True
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: table_texts(panel)[0][1] == "Cancelled", timeout=WAIT_MS)
    assert asked == ["GY000001VN"]
    assert sandbox.shipments["GY000001VN"].status == "cancel"
    assert svc.order_shipments(owner_ctx, order_id)[0].id == view.id
    assert panel.ship_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_cancel_declined_does_nothing(qtbot, owner_ctx, engine, sandbox, ghn_id, fast_factory):
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, _draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    panel = open_detail(qtbot, owner_ctx, order_id, fast_factory).shipments_panel
    panel.confirm_cancel = lambda _ship: False
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert outbox_rows(engine) == [("shipment.create", "done")]
    assert sandbox.shipments["GY000001VN"].status == "ready_to_pick"


def test_marketplace_orders_have_no_shipments_panel(qtbot, owner_ctx, engine):
    shop = make_shop(engine, "Shopee Quận 1", Channel.SHOPEE)
    [order_id] = make_orders(engine, shop, 1, start=datetime(2026, 11, 1, tzinfo=UTC),
                             step=timedelta(hours=1))  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET status = 'pending'"))
    detail = OrderDetailDialog(owner_ctx, order_id)
    qtbot.addWidget(detail)
    detail.show()
    assert not detail.shipments_panel.isVisible()
    assert not detail.shipments_panel.ship_button.isEnabled()


# --------------------------------------------------------------------------- label


def _draft(ctx: ServiceContext, order_id: int, account_id: int) -> svc.ShipmentDraft:
    from tests.services.test_shipping import draft

    return draft(ctx, order_id, account_id)


def shipped_panel(qtbot, owner_ctx, engine, ghn_id, fast_factory) -> ShipmentsPanel:
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, _draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    return open_detail(qtbot, owner_ctx, order_id, fast_factory).shipments_panel


def test_label_pdf_printed_on_the_chosen_printer(qtbot, owner_ctx, engine, sandbox, ghn_id,
                                                 fast_factory, cups):  # noqa: F811  # fmt: skip
    panel = shipped_panel(qtbot, owner_ctx, engine, ghn_id, fast_factory)
    panel.printer.setCurrentIndex(panel.printer.findData(cups.capture))
    before = cups.jobs()
    qtbot.mouseClick(panel.label_button, Qt.MouseButton.LeftButton)
    job = cups.wait_job(before)
    code = panel.shipments[0].carrier_order_code
    assert job.read_bytes() == label_pdf("GHN", code)  # the carrier's PDF, as it came
    qtbot.waitUntil(lambda: panel.status.text() == f"Label sent to {cups.capture}.",
                    timeout=WAIT_MS)  # fmt: skip
    # The choice is remembered for the next order.
    again = ShipmentsPanel(owner_ctx)
    qtbot.addWidget(again)
    assert again.printer.currentData() == cups.capture


def test_label_on_a_paused_printer_names_it(qtbot, owner_ctx, engine, sandbox, ghn_id,
                                            fast_factory, cups):  # noqa: F811  # fmt: skip
    panel = shipped_panel(qtbot, owner_ctx, engine, ghn_id, fast_factory)
    panel.printer.setCurrentIndex(panel.printer.findData(cups.paused))
    before = cups.jobs()
    qtbot.mouseClick(panel.label_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cups.paused in panel.status.text(), timeout=WAIT_MS)
    assert "paused or offline" in panel.status.text()
    assert cups.jobs() == before
    assert panel.label_button.isEnabled()  # ready to try again


def test_label_without_a_printer_is_opened(qtbot, owner_ctx, engine, sandbox, ghn_id,
                                           fast_factory, monkeypatch):  # fmt: skip
    opened = []
    monkeypatch.setattr(shipment_module, "open_file", opened.append)
    panel = shipped_panel(qtbot, owner_ctx, engine, ghn_id, fast_factory)
    panel.printer.setCurrentIndex(0)
    qtbot.mouseClick(panel.label_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT_MS)
    [path] = opened
    code = panel.shipments[0].carrier_order_code
    assert path.suffix == ".pdf" and path.read_bytes() == label_pdf("GHN", code)
    assert sandbox.request_count("a5/gen-token") == 1


def test_label_when_the_carrier_is_down(qtbot, owner_ctx, engine, sandbox, ghn_id, fast_factory,
                                        monkeypatch):  # fmt: skip
    monkeypatch.setattr(shipment_module, "open_file", lambda _p: pytest.fail("opened"))
    panel = shipped_panel(qtbot, owner_ctx, engine, ghn_id, fast_factory)
    sandbox.inject(CarrierFault.HTTP_500, count=10)
    panel.printer.setCurrentIndex(0)
    qtbot.mouseClick(panel.label_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "HTTP 500" in panel.status.text(), timeout=WAIT_MS)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT label_path FROM shipments")).scalar_one() is None


def test_update_tracking_asks_the_carrier_now(qtbot, owner_ctx, engine, sandbox, ghn_id,
                                              fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, _draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    panel = detail.shipments_panel
    assert panel.track_button.isVisible() and panel.track_button.isEnabled()
    assert "15 minutes" in panel.track_button.toolTip()
    qtbot.mouseClick(panel.track_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "No news" in panel.status.text(), timeout=WAIT_MS)
    assert table_texts(panel)[0][1] == "Waiting for pickup"
    # The parcel is on its way: one click shows it, and moves the order on.
    sandbox.set_status("GY000001VN", "delivering")
    qtbot.mouseClick(panel.track_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: table_texts(panel)[0][1] == "Out for delivery", timeout=WAIT_MS)
    assert panel.status.text() == "Tracking updated."
    assert detail.detail is not None and detail.detail.order.status == OrderStatus.SHIPPING
    # The carrier cannot be reached: said, nothing changed.
    sandbox.inject(CarrierFault.DROP, count=50)
    qtbot.mouseClick(panel.track_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "did not answer" in panel.status.text(), timeout=WAIT_MS)
    assert "GY000001VN" in panel.status.text()
    assert table_texts(panel)[0][1] == "Out for delivery"
    sandbox.clear_faults()
    # Delivered: the order is completed and there is nothing left to track.
    sandbox.set_status("GY000001VN", "delivered")
    qtbot.mouseClick(panel.track_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: table_texts(panel)[0][1] == "Delivered", timeout=WAIT_MS)
    assert detail.detail.order.status == OrderStatus.COMPLETED
    assert not panel.track_button.isVisible()
    # In Vietnamese the statuses are GHN's own words.
    install_language("vi")
    try:
        qtbot.waitUntil(lambda: table_texts(panel)[0][1] == "Giao hàng thành công",
                        timeout=WAIT_MS)  # fmt: skip
    finally:
        install_language("en")


def test_demo_orders_addresses_are_found_in_the_demo_carriers_lists(qtbot, owner_ctx, engine):
    """The demo GHN account: a demo order's 2025 address (province, ward) fills
    the whole picker by itself, in any province."""
    from primedist.services import demo, demo_carrier

    demo.generate_demo(owner_ctx, orders=300, customers=60, seed=5)
    with engine.connect() as conn:
        addresses = conn.execute(sa.text(
            "SELECT DISTINCT ship_province, ship_ward FROM orders WHERE ship_ward IS NOT NULL "
            "ORDER BY ship_province, ship_ward LIMIT 8")).all()  # fmt: skip
    assert len({p for p, _w in addresses}) >= 3
    running = demo_carrier.start_demo_carrier(owner_ctx)
    assert running is not None
    try:
        picker = AddressPicker(owner_ctx)
        qtbot.addWidget(picker)
        for province, ward in addresses:
            picker.load(province, "", ward)
            qtbot.waitUntil(lambda: picker.choice().complete, timeout=WAIT_MS)
            choice = picker.choice()
            assert bare_name(choice.province_name) == bare_name(province)
            assert choice.district_name == f"Khu vực {choice.province_name}"
            assert choice.ward_name == ward
    finally:
        running.stop()


def test_a_lost_parcel_reads_in_the_readers_language_on_home(qtbot, owner_ctx, engine, sandbox,
                                                             ghn_id, fast_factory):  # fmt: skip
    from primedist.services.reports import events
    from primedist.ui.home.activity_text import describe

    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, _draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    sandbox.set_status("GY000001VN", "lost")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    [event] = [e for e in events(owner_ctx) if e.kind == "shipment"]
    order = event.args["order"]
    assert describe(event, "en") == f"GHN parcel GY000001VN of order {order}: Lost"
    install_language("vi")
    try:
        assert describe(event, "vi") == f"Kiện GHN GY000001VN của đơn {order}: Hàng thất lạc"
    finally:
        install_language("en")


def test_a_cod_past_what_the_box_holds_opens_and_is_refused(
    qtbot, owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = phone_order(owner_ctx, engine)
    with engine.begin() as conn:  # 3 billion đồng: more than Qt's int holds
        conn.execute(sa.text("UPDATE orders SET subtotal = 3000000000, total = 3000000000 "
                             "WHERE id = :id"), {"id": order_id})  # fmt: skip
    detail = open_detail(qtbot, owner_ctx, order_id, fast_factory)
    dialog = fill_dialog(qtbot, detail.shipments_panel)
    assert dialog.cod.value() == dialog.cod.maximum()
    wait_fee(qtbot, dialog, "The COD amount must be 0-10,000,000")  # instead of a fee
