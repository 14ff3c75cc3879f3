"""The order detail dialog on a real migrated database, driven like a user would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.core.money import parse_money
from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod
from primedist.domain.order import Order, OrderStatusChange
from primedist.domain.sync import OutboxMessage
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.sync import SyncState
from primedist.ui.i18n import install_language
from primedist.ui.orders import detail as detail_module
from primedist.ui.orders.detail import (
    ITEM_DISCOUNT,
    MONEY_PARTS,
    SIDE_PANEL_WIDTH,
    OrderDetailDialog,
)
from tests.factories import make_customers, make_orders, make_product, make_shop
from tests.ui.test_translations import vietnamese

WAIT_MS = 10_000


@pytest.fixture
def variants(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """AO-S (99,000 đ, 10 in stock) and AO-M (120,000 đ, 3 in stock)."""
    return make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)])


@pytest.fixture
def customer_id(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_customers(engine, 1, names=["Nguyễn Thị Hoa"])[0]


def marketplace_order(
    engine: Engine, ctx: ServiceContext, variants: list[int], customer_id: int | None = None
) -> int:
    """A pending Shopee order of 2×AO-S + 1×AO-M with shipping and a seller discount."""
    shopee = make_shop(engine, "Shopee Quận 1", Channel.SHOPEE)
    draft = OrderDraft(
        lines=(DraftLine(variants[0], 2), DraftLine(variants[1], 1)),
        customer_id=customer_id,
        source=OrderSource.PHONE,
        shop_id=shopee,
        status=OrderStatus.PENDING,
        payment_method=PaymentMethod.COD,
        shipping_fee=30_000,
        order_discount=18_000,
        ship_name="Nguyễn Thị Hoa",
        ship_phone="0939 921 717",
        ship_address="12 Lê Lợi",
        ship_province="TP. Hồ Chí Minh",
    )
    return svc.create_order(ctx, draft).id


def counter_sale(ctx: ServiceContext, variants: list[int]) -> int:
    """A completed walk-in counter sale."""
    return svc.create_order(ctx, OrderDraft(lines=(DraftLine(variants[0], 1),))).id


def phone_order(ctx: ServiceContext, variants: list[int]) -> int:
    """A pending phone order: one to ship."""
    return svc.create_order(ctx, OrderDraft(lines=(DraftLine(variants[0], 1),),
                                            source=OrderSource.PHONE,
                                            payment_method=PaymentMethod.COD)).id  # fmt: skip


def open_detail(
    qtbot, ctx: ServiceContext, order_id: int, sync_state: SyncState | None = None
) -> OrderDetailDialog:
    # Its own sync state: online, whatever another test left in the app's.
    dialog = OrderDetailDialog(ctx, order_id, sync_state=sync_state or SyncState())
    qtbot.addWidget(dialog)
    dialog.resize(1100, 688)  # its size on a 1366 × 768 laptop (the test screen is 800 wide)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def click(qtbot, button: QPushButton) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def order_of(engine: Engine, order_id: int) -> Order:
    with Session(engine) as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order


def cell(table, row: int, col: int) -> str:
    item = table.item(row, col)
    return item.text() if item is not None else ""


def shown_amount(text: str) -> int:
    return parse_money(text, "en")


# --------------------------------------------------------------------------- showing


def test_detail_shows_items_money_customer_and_history(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    order_id = marketplace_order(engine, owner_ctx, variants, customer_id)
    order = order_of(engine, order_id)
    dialog = open_detail(qtbot, owner_ctx, order_id)

    assert dialog.objectName() == "orderDetail"
    assert dialog.number.text() == order.external_id
    assert dialog.windowTitle() == f"Order {order.external_id}"
    assert dialog.status_pill.text() == "Pending"
    assert dialog.meta_values["shop"].text() == "Shopee Quận 1 · Shopee"
    assert dialog.meta_values["payment"].text() == "COD"
    assert dialog.meta_values["source"].text() == "Phone order"
    assert dialog.meta_values["date"].text() == "20/11/2026 10:00"  # FIXED_NOW in shop time
    assert not dialog.outbox_banner.isVisible() and not dialog.flag_marker.isVisible()

    items = dialog.items_table
    assert items.rowCount() == 2
    assert [cell(items, r, 2) for r in range(2)] == ["AO-S", "AO-M"]
    # No line has a discount: that column stays hidden.
    assert items.isColumnHidden(ITEM_DISCOUNT)
    assert [cell(items, 0, c) for c in range(7) if not items.isColumnHidden(c)] == [
        "Áo thun cotton", "V1", "AO-S", "2", "99,000 VND", "198,000 VND"
    ]  # fmt: skip

    # The parts shown add up to the total shown, which is the order's total.
    values = dialog.money_values
    shown_parts = {
        key: shown_amount(values[key].text())
        for key, _l, _s in MONEY_PARTS
        if values[key].isVisible()
    }
    assert shown_parts == {
        "subtotal": 318_000, "shipping_fee": 30_000, "seller_discount": -18_000
    }  # fmt: skip
    assert values["seller_discount"].text() == "\u221218,000 VND"  # a deduction reads negative
    total = shown_amount(values["total"].text())
    assert sum(shown_parts.values()) == total == order.total == 330_000
    # Commission is the marketplace's fee: shown, apart from the total; nothing refunded yet.
    assert values["commission"].isVisible() and dialog.commission_note.isVisible()
    assert "not part of the total" in dialog.commission_note.text()
    assert not values["refunded"].isVisible()

    assert dialog.customer_button.text() == "Nguyễn Thị Hoa"
    assert dialog.customer_button.isEnabled()
    assert dialog.ship_values["ship_to"].text() == "Nguyễn Thị Hoa · 0939 921 717"
    assert dialog.ship_values["address"].text() == "12 Lê Lợi, TP. Hồ Chí Minh"
    assert dialog.ship_values["carrier"].text() == dialog.ship_values["tracking"].text() == "—"

    history = dialog.history_table
    assert history.rowCount() == 1
    assert [cell(history, 0, c) for c in range(4)] == [
        "20/11/2026 10:00", "Pending", "Chủ Thử", "Phone order"
    ]  # fmt: skip
    # Short tables are no taller than their rows: no empty panel, every row in sight.
    for table in (items, history):
        rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
        assert table.height() <= table.horizontalHeader().height() + rows + 8
        assert not table.verticalScrollBar().isVisible()


def test_pending_marketplace_order_enables_confirm_and_cancel_only(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, marketplace_order(engine, owner_ctx, variants))
    enabled = {
        name: getattr(dialog, f"{name}_button").isEnabled()
        for name in ("confirm", "ship", "complete", "cancel", "return", "flag", "print")
    }
    assert enabled == {
        "confirm": True, "ship": False, "complete": False, "cancel": True, "return": False,
        "flag": True, "print": True,
    }  # fmt: skip
    assert dialog.print_button.toolTip() == "Print a receipt, invoice or packing slip"
    assert dialog.flag_button.text() == "Flag"


# --------------------------------------------------------------------------- actions


def test_confirm_queues_the_marketplace_call_and_shows_it_waits(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = marketplace_order(engine, owner_ctx, variants)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.confirm_button)

    order = order_of(engine, order_id)
    assert order.status == OrderStatus.CONFIRMED and order.outbox_pending
    with Session(engine) as session:
        kinds = session.exec(select(OutboxMessage.kind)).all()
    assert kinds == ["order.confirm"]
    # The dialog reloaded: new status, the waiting banner, the next actions.
    assert dialog.status_pill.text() == "Confirmed"
    assert dialog.outbox_banner.isVisible()
    assert dialog.outbox_banner.text() == "Sending to Shopee…"  # online: it goes out now
    assert not dialog.confirm_button.isEnabled()
    assert dialog.ship_button.isEnabled() and dialog.cancel_button.isEnabled()
    assert cell(dialog.history_table, 1, 1) == "Pending → Confirmed"
    assert cell(dialog.history_table, 1, 2) == "Chủ Thử"


def test_cancel_asks_why_and_saves_the_reason(
    qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = marketplace_order(engine, owner_ctx, variants)
    dialog = open_detail(qtbot, owner_ctx, order_id)

    monkeypatch.setattr(detail_module, "ask_cancel_reason", lambda _parent, **_kw: None)
    with qtbot.assertNotEmitted(dialog.changed, wait=200):
        click(qtbot, dialog.cancel_button)  # the user kept the order
    assert order_of(engine, order_id).status == OrderStatus.PENDING

    monkeypatch.setattr(detail_module, "ask_cancel_reason", lambda _parent, **_kw: "Hết hàng")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.cancel_button)
    order = order_of(engine, order_id)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "Hết hàng")
    assert dialog.status_pill.text() == "Cancelled"
    assert dialog.cancel_note.isVisible() and dialog.cancel_note.text() == "Cancel reason: Hết hàng"
    assert cell(dialog.history_table, 1, 3) == "Hết hàng"
    assert not any(
        b.isEnabled()
        for b in (dialog.confirm_button, dialog.ship_button, dialog.cancel_button,
                  dialog.return_button)
    )  # fmt: skip


def test_ship_complete_then_return_from_the_detail(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    draft = OrderDraft(lines=(DraftLine(variants[0], 2),), source=OrderSource.PHONE)
    order_id = svc.create_order(owner_ctx, draft).id  # a confirmed phone order
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert not dialog.return_button.isEnabled() and not dialog.complete_button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.ship_button)
    assert order_of(engine, order_id).status == OrderStatus.SHIPPING
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.complete_button)
    assert order_of(engine, order_id).status == OrderStatus.COMPLETED
    assert dialog.return_button.isEnabled() and not dialog.cancel_button.isEnabled()

    click(qtbot, dialog.return_button)
    returns = dialog.return_dialog
    assert returns is not None and returns.isVisible()
    returns.return_everything()
    returns.reason.setEditText("Khách không nhận")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, returns.ok)
    assert order_of(engine, order_id).status == OrderStatus.RETURNED
    assert dialog.status_pill.text() == "Returned"
    assert dialog.money_values["refunded"].isVisible()
    assert cell(dialog.items_table, 0, 3) == "2 (returned 2)"
    assert not dialog.return_button.isEnabled()


def test_flag_toggles(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = counter_sale(owner_ctx, variants)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.flag_button)
    assert order_of(engine, order_id).flagged
    assert dialog.flag_marker.isVisible() and dialog.flag_button.text() == "Unflag"
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.flag_button)
    assert not order_of(engine, order_id).flagged
    assert not dialog.flag_marker.isVisible() and dialog.flag_button.text() == "Flag"


def test_staff_note_is_saved(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = counter_sale(owner_ctx, variants)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert not dialog.save_note_button.isEnabled()  # nothing typed yet
    assert "never printed" in dialog.note_hint.text()
    qtbot.keyClicks(dialog.note_edit, "Goi truoc khi giao")
    assert dialog.save_note_button.isEnabled()
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.save_note_button)
    assert order_of(engine, order_id).staff_note == "Goi truoc khi giao"
    assert dialog.note_edit.toPlainText() == "Goi truoc khi giao"
    assert not dialog.save_note_button.isEnabled()
    with Session(engine) as session:
        actions = session.exec(sa.text("SELECT action FROM audit_events")).scalars().all()
    assert "order.note" in actions


def test_unsaved_note_survives_another_action(
    qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, counter_sale(owner_ctx, variants))
    qtbot.keyClicks(dialog.note_edit, "draft")
    with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
        click(qtbot, dialog.flag_button)
    assert dialog.note_edit.toPlainText() == "draft" and dialog.save_note_button.isEnabled()
    # Closed after the test, the dialog asks about the note: it is not kept.
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Discard)


# --------------------------------------------------------------------------- customer


def test_walk_in_customer_cannot_be_opened(
    qtbot, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, counter_sale(owner_ctx, variants))
    assert dialog.customer_button.text() == "Walk-in customer"
    assert not dialog.customer_button.isEnabled()
    assert dialog.ship_values["address"].text() == "—"
    # A counter sale pays no commission: no commission row.
    assert not dialog.money_values["commission"].isVisible()


def test_a_real_customer_opens_the_customer(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int], customer_id: int
) -> None:
    dialog = open_detail(qtbot, owner_ctx, marketplace_order(engine, owner_ctx, variants,
                                                             customer_id))  # fmt: skip
    with qtbot.waitSignal(dialog.openCustomer, timeout=1000) as opened:
        click(qtbot, dialog.customer_button)
    assert opened.args == [customer_id]


def test_history_names_the_system_when_no_user_acted(
    qtbot, engine: Engine, owner_ctx: ServiceContext, ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = marketplace_order(engine, owner_ctx, variants)
    svc.confirm_orders(ctx, [order_id])  # ctx: the system (scheduler, CLI)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    assert [cell(dialog.history_table, r, 2) for r in range(2)] == ["Chủ Thử", "System"]
    with Session(engine) as session:
        assert len(session.exec(select(OrderStatusChange)).all()) == 2


def test_escape_closes(qtbot, owner_ctx: ServiceContext, variants: list[int]) -> None:
    dialog = open_detail(qtbot, owner_ctx, counter_sale(owner_ctx, variants))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_failed_action_is_shown_and_the_dialog_catches_up(
    qtbot, quiet, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = marketplace_order(engine, owner_ctx, variants)
    dialog = open_detail(qtbot, owner_ctx, order_id)
    svc.cancel_orders(owner_ctx, [order_id], "Khách huỷ trên Shopee")  # meanwhile, elsewhere
    with qtbot.assertNotEmitted(dialog.changed, wait=0):
        click(qtbot, dialog.confirm_button)
        qtbot.waitUntil(lambda: bool(quiet), timeout=WAIT_MS)
    assert quiet == [f"Order {dialog.number.text()} is Cancelled: it cannot become Confirmed."]
    quiet.clear()
    qtbot.waitUntil(lambda: dialog.status_pill.text() == "Cancelled", timeout=WAIT_MS)
    assert not dialog.confirm_button.isEnabled() and dialog.flag_button.isEnabled()
    assert order_of(engine, order_id).status == OrderStatus.CANCELLED


def test_every_breakdown_adds_up_to_its_total(qtbot, engine: Engine, owner_ctx: ServiceContext):
    """Orders with every kind of money part (imported-style rows): shown parts = shown total."""
    shop = make_shop(engine, "Lazada Hà Nội", Channel.LAZADA)
    ids = make_orders(engine, shop, 12, start=datetime(2026, 5, 1, tzinfo=UTC),
                      step=timedelta(hours=5))  # fmt: skip
    dialog = open_detail(qtbot, owner_ctx, ids[0])
    kinds_seen: set[str] = set()
    for order_id in ids:
        dialog.order_id = order_id
        dialog.reload()
        values = dialog.money_values
        parts = {k: shown_amount(values[k].text()) for k, _l, _s in MONEY_PARTS
                 if values[k].isVisible()}  # fmt: skip
        kinds_seen |= {k for k, v in parts.items() if v < 0}
        total = shown_amount(values["total"].text())
        assert sum(parts.values()) == total == order_of(engine, order_id).total
        assert shown_amount(values["commission"].text()) == order_of(engine, order_id).commission
    assert {"voucher_discount", "seller_discount", "points_discount"} <= kinds_seen


def test_a_line_discount_shows_in_its_own_column(
    qtbot, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    """Quantity × unit price − discount = subtotal, readable on the row."""
    lines = (DraftLine(variants[0], 2, discount=15_000), DraftLine(variants[1], 1))
    draft = OrderDraft(lines=lines)
    dialog = open_detail(qtbot, owner_ctx, svc.create_order(owner_ctx, draft).id)
    items = dialog.items_table
    assert not items.isColumnHidden(ITEM_DISCOUNT)
    header = items.horizontalHeaderItem(ITEM_DISCOUNT)
    assert header is not None and header.text() == "Discount"
    rows = [[cell(items, r, c) for c in (3, 4, ITEM_DISCOUNT, 6)] for r in range(2)]
    assert rows[0] == ["2", "99,000 VND", "\u221215,000 VND", "183,000 VND"]
    assert rows[1][2] == ""  # the other line has none
    assert shown_amount(rows[0][3]) == 2 * shown_amount(rows[0][1]) - 15_000


def test_switching_language_retranslates_the_open_dialog(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    dialog = open_detail(qtbot, owner_ctx, marketplace_order(engine, owner_ctx, variants))
    install_language("vi")
    try:
        QApplication.processEvents()
        assert dialog.status_pill.text() == vietnamese("enum", "Pending")
        assert dialog.meta_values["shop"].text() == "Shopee Quận 1 · Shopee"
        assert dialog.money_values["total"].text() == "330.000 ₫"
        assert cell(dialog.items_table, 0, 4) == "99.000 ₫"
    finally:
        install_language("en")
    QApplication.processEvents()
    assert dialog.status_pill.text() == "Pending"
    assert dialog.money_values["total"].text() == "330,000 VND"


@pytest.mark.usefixtures("app_style")
def test_the_side_panel_is_never_cut_off_at_the_edge(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    """The cards beside the items never scroll sideways: when their texts need more than
    the panel's usual width (the Vietnamese shipment buttons), the panel widens."""
    dialog = open_detail(qtbot, owner_ctx, phone_order(owner_ctx, variants))
    scroll, column = dialog.side_scroll, dialog.side_column

    def fits() -> bool:
        return column.width() >= column.minimumSizeHint().width() and (
            column.width() <= scroll.viewport().width()
        )

    assert fits()
    install_language("vi")
    try:
        qtbot.waitUntil(
            lambda: dialog.money_title.text() == vietnamese("OrderDetailDialog", "Payment")
        )
        ship = dialog.shipments_panel.ship_button
        qtbot.waitUntil(lambda: ship.text() == vietnamese("ShipmentsPanel", "Ship with carrier…"))
        # The Vietnamese buttons are wider: the panel widens once their layout asks.
        qtbot.waitUntil(lambda: scroll.width() > SIDE_PANEL_WIDTH)
        assert fits()
    finally:
        install_language("en")
    qtbot.waitUntil(lambda: scroll.width() == SIDE_PANEL_WIDTH)
    assert fits()


def test_a_sale_completed_at_the_counter_shows_no_shipping_card(
    qtbot, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    done = open_detail(qtbot, owner_ctx, counter_sale(owner_ctx, variants))
    assert not done.shipments_panel.isVisible()  # nothing will leave by carrier
    to_ship = open_detail(qtbot, owner_ctx, phone_order(owner_ctx, variants))
    assert to_ship.shipments_panel.isVisible()
    assert to_ship.shipments_panel.ship_button.isEnabled()


def _lines_fit(table, row: int, col: int) -> bool:
    """The cell's row is tall enough for its text wrapped inside the cell's padding (Qt's
    own height hint wrapped it at the whole column width: the last line came out elided)."""
    from PySide6.QtCore import QRect

    from primedist.ui.widgets import CELL_PADDING

    width = table.columnWidth(col) - CELL_PADDING
    text = cell(table, row, col)
    box = table.fontMetrics().boundingRect(QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap,
                                           text)  # fmt: skip
    return table.rowHeight(row) >= box.height()


def test_long_texts_wrap_whole_and_the_history_note_keeps_its_room(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    name = "Kem chống nắng dưỡng ẩm SPF50+ PA++++ cho da dầu mụn nhạy cảm, bản giới hạn mùa hè"
    [variant] = make_product(engine, name, [("KCN-50", 159_000, 5)])
    order_id = svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(variant, 1),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD)).id  # fmt: skip
    with Session(engine) as s:  # a carrier's step, with the long note such rows carry
        s.add(OrderStatusChange(order_id=order_id, from_status=OrderStatus.CONFIRMED,
                                to_status=OrderStatus.SHIPPING, source="carrier",
                                user_id=owner_ctx.actor.id,
                                note="GHN: Đang giao hàng (delivering) — bưu cục Quận 1",
                                changed_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC)))  # fmt: skip
        s.commit()
    dialog = open_detail(qtbot, owner_ctx, order_id)
    items, history = dialog.items_table, dialog.history_table
    qtbot.waitUntil(lambda: cell(items, 0, 0).startswith("Kem chống nắng"))
    assert items.rowHeight(0) > 2 * items.fontMetrics().height()  # wrapped
    assert _lines_fit(items, 0, 0)
    last = history.rowCount() - 1
    # A carrier's row reads "Carrier", whoever asked for the news (named in the tooltip).
    assert cell(history, last, 2) == "Carrier"
    assert history.item(last, 2).toolTip() == owner_ctx.actor.name
    # The note keeps about a third of the width; the other columns wrap whole.
    assert history.columnWidth(3) >= history.viewport().width() * 0.3
    assert all(_lines_fit(history, r, c) for r in range(history.rowCount()) for c in range(4))


def test_the_gross_profit_shows_to_who_sees_analytics(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    """2 × AO-S sold at 99,000 VND that cost 60,000 VND: 78,000 VND of profit, until
    the order is returned; a staff member without Analytics never sees the costs."""
    from primedist.domain.enums import Module, Role
    from primedist.services.context import Actor

    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET cost = 60000 WHERE id = :v"), {"v": variants[0]})
    draft = OrderDraft(lines=(DraftLine(variants[0], 2),), source=OrderSource.PHONE)
    order_id = svc.create_order(owner_ctx, draft).id
    dialog = open_detail(qtbot, owner_ctx, order_id)
    profit = dialog.money_values["profit"]
    assert profit.isVisible() and shown_amount(profit.text()) == 78_000
    assert dialog.money_captions["profit"].text() == "Gross profit"
    staff = Actor(id=None, name="Lan", email="lan@x.vn", role=Role.STAFF,
                  modules=frozenset({Module.ORDERS}))  # fmt: skip
    other = open_detail(qtbot, owner_ctx.with_actor(staff), order_id)
    assert not other.money_values["profit"].isVisible()
    other.close()
    svc.cancel_orders(owner_ctx, [order_id], "khách đổi ý")  # from another PC
    dialog.reload()
    qtbot.waitUntil(lambda: not dialog.money_values["profit"].isVisible(), timeout=WAIT_MS)


def test_an_older_syncs_platform_code_is_not_shown_as_a_note(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int]
) -> None:
    order_id = marketplace_order(engine, owner_ctx, variants)
    with Session(engine) as session:  # what syncs before this version wrote
        session.add(OrderStatusChange(order_id=order_id, from_status=OrderStatus.PENDING,
                                      to_status=OrderStatus.CONFIRMED, source="sync",
                                      note="PROCESSED", changed_at=datetime.now(UTC)))  # fmt: skip
        session.commit()
    dialog = open_detail(qtbot, owner_ctx, order_id)
    history = dialog.history_table
    assert cell(history, 1, 2) == "Marketplace sync"
    assert cell(history, 1, 3) == ""
    assert history.item(1, 3).toolTip() == "PROCESSED"


def test_history_without_notes_gives_its_columns_their_whole_texts(
    qtbot, engine: Engine, owner_ctx: ServiceContext, variants: list[int], vietnamese, app_style
) -> None:
    """No room kept for a note no row has: "Đồng bộ từ sàn" and "Chờ xác nhận → Đã xác
    nhận" stay on one line (they wrapped beside an empty Note column, and the rows grown
    taller cut the last one off)."""
    order_id = marketplace_order(engine, owner_ctx, variants)
    with Session(engine) as s:
        s.add(OrderStatusChange(order_id=order_id, from_status=OrderStatus.PENDING,
                                to_status=OrderStatus.CONFIRMED, source="sync",
                                changed_at=datetime.now(UTC)))  # fmt: skip
        s.commit()
    dialog = open_detail(qtbot, owner_ctx, order_id)
    history = dialog.history_table
    qtbot.waitUntil(lambda: history.rowCount() == 2)
    assert cell(history, 1, 1) == "Chờ xác nhận → Đã xác nhận"
    assert cell(history, 1, 2) == "Đồng bộ từ sàn"
    for c in range(3):
        assert history.sizeHintForColumn(c) <= history.columnWidth(c), c
    two_lines = 2 * history.fontMetrics().lineSpacing() + 10  # as the wrap delegate counts
    assert all(history.rowHeight(r) < two_lines for r in range(2))
    assert history.verticalScrollBar().maximum() == 0  # every row in view
    # The note takes the rest of the width.
    widths = sum(history.columnWidth(c) for c in range(4))
    assert widths >= history.viewport().width() - 1
