# ruff: noqa: F811  (pytest fixtures imported from the service tests)
"""Ship… on the Orders tab: several orders shipped at once with the shop's GHN account,
driven like a user would, against the carrier sandbox on 127.0.0.1 (real HTTP, a real
migrated database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt

from primedist.carriers.base import RequiredNote
from primedist.services.bulk_shipping import HEAVY_SERVICE
from primedist.services.context import ServiceContext
from primedist.ui.i18n import install_language
from primedist.ui.orders.bulk_ship import STATE_COLUMN, WEIGHT_COLUMN, BulkShipDialog
from primedist.ui.orders.detail import OrderDetailDialog
from primedist.ui.orders.tab import OrdersPage
from primedist.ui.printing import carrier_labels
from tests.factories import make_orders, make_shop
from tests.printing.conftest import cups  # noqa: F401  (the session's CUPS)
from tests.printing.support import pdf_pages_mm, pdf_text
from tests.services.test_bulk_shipping import order_to
from tests.services.test_shipping import ghn_id, sandbox  # noqa: F401  (fixtures)
from tests.ui.support import WAIT, close_page, show_widget

pytestmark = pytest.mark.usefixtures("english", "quiet")


@pytest.fixture
def orders(owner_ctx: ServiceContext) -> dict[str, int]:
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Mall", "shopee")
    market = make_orders(engine, shop, 1, start=datetime(2026, 11, 1, tzinfo=UTC),
                         step=timedelta(0))[0]  # fmt: skip
    return {
        "ben_nghe": order_to(
            owner_ctx, engine, province="TP. Hồ Chí Minh", ward="Phường Bến Nghé"
        ),  # fmt: skip
        "kim_ma": order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Kim Mã"),
        "no_ward": order_to(owner_ctx, engine, province="Đà Nẵng", ward=None),
        "market": market,
    }


@pytest.fixture
def page(qtbot, owner_ctx: ServiceContext, orders) -> Iterator[OrdersPage]:
    p = show_widget(qtbot, OrdersPage(owner_ctx), height=760)
    qtbot.waitUntil(lambda: not p.busy and p.model.loaded_keys >= len(orders), timeout=WAIT)
    yield p
    close_page(qtbot, p, lambda: not p.busy and not p.counts_pending)


def open_bulk(qtbot, page: OrdersPage, ids: list[int]) -> BulkShipDialog:
    assert page.select_ids(ids) == len(ids)
    assert page.ship_button.isEnabled()
    qtbot.mouseClick(page.ship_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(BulkShipDialog)
    assert dialog is not None and dialog.isVisible()
    wait_idle(qtbot, dialog)
    return dialog


def wait_idle(qtbot, dialog: BulkShipDialog) -> None:
    qtbot.waitUntil(lambda: bool(dialog.planned) and not dialog._busy, timeout=WAIT)


def states(dialog: BulkShipDialog) -> dict[str, str]:
    table = dialog.table
    return {table.item(r, 0).text(): table.item(r, STATE_COLUMN).text()
            for r in range(table.rowCount())}  # fmt: skip


def external(engine: sa.Engine, order_id: int) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT external_id FROM orders WHERE id = :i"),
                            {"i": order_id}).scalar_one()  # fmt: skip


def test_the_selected_orders_are_checked_then_the_ready_ones_ship(
    qtbot, page, orders, owner_ctx, ghn_id
):
    engine = owner_ctx.engine
    names = {k: external(engine, v) for k, v in orders.items()}
    dialog = open_bulk(qtbot, page, list(orders.values()))

    shown = states(dialog)
    assert shown[names["ben_nghe"]] == shown[names["kim_ma"]] == "Ready"
    assert shown[names["no_ward"]] == "The address has no ward."
    assert "ships with its marketplace's logistics" in shown[names["market"]]
    row = next(r for r in range(4) if dialog.table.item(r, 0).text() == names["ben_nghe"])
    assert dialog.table.item(row, 2).text() == "Phường Bến Nghé, Quận 1, Hồ Chí Minh"
    assert dialog.summary.text() == (
        "2 ready; 2 need attention (double-click one to ship it from the order)"
    )
    assert dialog.create_button.text() == "Create 2 shipments"

    dialog.required_note.setCurrentIndex(2)  # no viewing before paying
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.created) == 2 and not dialog._busy, timeout=WAIT)

    shown = states(dialog)
    for key in ("ben_nghe", "kim_ma"):
        assert shown[names[key]].startswith("Shipment GY") and shown[names[key]].endswith(
            " created")  # the carrier's tracking code  # fmt: skip
    assert not dialog.create_button.isEnabled()
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT order_id, required_note, carrier_order_code FROM shipments ORDER BY order_id"
        )).all()  # fmt: skip
    assert [(r[0], r[1]) for r in rows] == [
        (orders["ben_nghe"], RequiredNote.NO_VIEW.value),
        (orders["kim_ma"], RequiredNote.NO_VIEW.value)]  # fmt: skip
    assert all(r[2] for r in rows)
    dialog.close()


def test_a_row_to_fix_opens_its_order_and_is_checked_again_after(
    qtbot, page, orders, owner_ctx, ghn_id
):
    dialog = open_bulk(qtbot, page, [orders["no_ward"], orders["kim_ma"]])
    row = next(r for r in range(2) if dialog.planned[r].order_id == orders["no_ward"])
    rect = dialog.table.visualItemRect(dialog.table.item(row, 1))
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = dialog.findChild(OrderDetailDialog)
    assert detail is not None and detail.isVisible() and detail.order_id == orders["no_ward"]
    qtbot.mouseClick(detail.address_button, Qt.MouseButton.LeftButton)  # the owner adds the ward
    form = detail.address_dialog
    assert form is not None
    form.edits["ward"].setText("Phường Thạch Thang")
    with qtbot.waitSignal(detail.changed, timeout=WAIT):
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    detail.close()
    qtbot.waitUntil(lambda: all(p.ready for p in dialog.planned) and not dialog._busy,
                    timeout=WAIT)  # fmt: skip
    assert dialog.create_button.text() == "Create 2 shipments"
    dialog.close()


def test_a_parcels_own_weight_is_typed_in_its_row(qtbot, page, orders, owner_ctx, ghn_id):
    dialog = open_bulk(qtbot, page, [orders["ben_nghe"], orders["kim_ma"]])
    row = next(r for r in range(2) if dialog.planned[r].order_id == orders["ben_nghe"])
    weight = dialog.table.item(row, WEIGHT_COLUMN)
    # Its product has no weight: an estimate, and the tooltip says so.
    assert weight.text() == "≈ 500" and weight.flags() & Qt.ItemFlag.ItemIsEditable
    assert weight.toolTip().startswith("An estimate: 1 item has no weight in its product")
    assert not dialog.table.item(row, 0).flags() & Qt.ItemFlag.ItemIsEditable

    weight.setText("≈ 25,000")  # as the cell's editor commits it, the mark left in
    draft = dialog.planned[row].draft
    assert draft.parcel.weight_g == 25_000 and draft.service_type_id == HEAVY_SERVICE
    assert weight.text() == "25,000"  # weighed: no longer an estimate
    weight.setText("nặng")
    assert "“nặng” is not a weight in grams." in dialog.summary.text()
    weight.setText("31000")
    assert "The weight must be 1 to 30,000 g." in dialog.summary.text()
    assert weight.text() == "25,000" and dialog.planned[row].draft.parcel.weight_g == 25_000

    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.created) == 2 and not dialog._busy, timeout=WAIT)
    with owner_ctx.engine.connect() as conn:
        weights = dict(conn.execute(sa.text("SELECT order_id, weight_g FROM shipments")).all())
    assert weights == {orders["ben_nghe"]: 25_000, orders["kim_ma"]: 500}
    dialog.close()


def shipped(qtbot, page, orders) -> BulkShipDialog:
    """The dialog after two shipments were created and sent."""
    dialog = open_bulk(qtbot, page, [orders["ben_nghe"], orders["kim_ma"]])
    assert not dialog.label_button.isVisible()  # nothing to print yet
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.labelled()) == 2 and not dialog._busy, timeout=WAIT)
    assert dialog.label_button.isVisible() and dialog.label_button.isEnabled()
    return dialog


def test_the_labels_go_to_the_chosen_printer_as_one_job(qtbot, page, orders, ghn_id, cups):
    dialog = shipped(qtbot, page, orders)
    dialog.printer.setCurrentIndex(dialog.printer.findData(cups.capture))
    before = cups.jobs()
    qtbot.mouseClick(dialog.label_button, Qt.MouseButton.LeftButton)
    job = cups.wait_job(before)  # one job, not one per label
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT)
    assert dialog.summary.text() == f"2 labels sent to {cups.capture} (one print job)."
    # One page a label, in the list's order (the sandbox prints the tracking code).
    codes = [dialog.created[p.order_id].carrier_order_code for p in dialog.planned
             if p.order_id in dialog.created]  # fmt: skip
    assert len(pdf_pages_mm(job)) == 2
    text = pdf_text(job)
    assert text.index(codes[0]) < text.index(codes[1])
    # A paused printer: said, nothing is lost.
    dialog.printer.setCurrentIndex(dialog.printer.findData(cups.paused))
    qtbot.mouseClick(dialog.label_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "paused or offline" in dialog.summary.text(), timeout=WAIT)
    assert cups.jobs() == {str(job)} | before
    dialog.close()


def test_without_a_printer_the_labels_open_as_one_pdf(qtbot, page, orders, ghn_id, monkeypatch):
    opened = []
    monkeypatch.setattr(carrier_labels, "open_file", opened.append)
    dialog = shipped(qtbot, page, orders)
    dialog.printer.setCurrentIndex(0)
    assert dialog.printer.currentText() == "Open them as one PDF"
    qtbot.mouseClick(dialog.label_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(opened), timeout=WAIT)
    [path] = opened
    assert path.suffix == ".pdf" and len(pdf_pages_mm(path)) == 2
    assert all(code in pdf_text(path) for code in ("GY000001VN", "GY000002VN"))
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT)
    assert dialog.summary.text() == (
        f"2 labels opened in the PDF viewer, one per page ({path.name})."
    )
    dialog.close()


def test_without_a_carrier_account_it_says_where_to_add_one(qtbot, page, orders):
    assert page.select_ids([orders["kim_ma"]]) == 1
    qtbot.mouseClick(page.ship_button, Qt.MouseButton.LeftButton)
    dialog = page.findChild(BulkShipDialog)
    assert dialog is not None
    assert "Settings → Logistics" in dialog.summary.text()
    assert not dialog.create_button.isEnabled() and dialog.table.rowCount() == 0
    dialog.close()


def test_ship_needs_a_pending_or_confirmed_order(qtbot, page, orders, owner_ctx):
    from primedist.services import orders as order_svc

    order_svc.cancel_orders(owner_ctx, [orders["kim_ma"]], "Khách đổi ý")
    page.refresh()
    qtbot.waitUntil(lambda: not page.busy, timeout=WAIT)
    assert page.select_ids([orders["kim_ma"]]) == 1
    qtbot.waitUntil(lambda: page.model.raw_value(0, "status") is not None, timeout=WAIT)
    assert not page.ship_button.isEnabled()
    page.select_ids([orders["kim_ma"], orders["ben_nghe"]])
    assert page.ship_button.isEnabled()


def test_in_vietnamese(qtbot, page, orders, ghn_id):
    install_language("vi")
    dialog = open_bulk(qtbot, page, [orders["kim_ma"], orders["no_ward"]])
    assert dialog.windowTitle() == "Giao qua đơn vị vận chuyển"
    shown = set(states(dialog).values())
    assert "Sẵn sàng" in shown and "Địa chỉ chưa có phường/xã." in shown
    assert dialog.create_button.text() == "Tạo 1 vận đơn"
    assert page.ship_button.text() == "Tạo vận đơn…"
    dialog.close()
