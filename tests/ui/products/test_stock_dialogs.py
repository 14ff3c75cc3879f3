"""The stock dialogs: stock in / out / adjust through the service, errors shown in the
dialog, and a SKU's movement history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy.engine import Engine

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import StockMoveKind
from primedist.domain.order import Order
from primedist.domain.product import SkuGroup, StockMovement, Variant
from primedist.services import orders as orders_svc
from primedist.services import stock as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.products.stock_dialogs import StockHistoryDialog, StockMoveDialog
from tests.conftest import FIXED_NOW
from tests.factories import make_product

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def product(engine: Engine, owner_ctx: ServiceContext) -> tuple[int, list[int]]:
    """Áo thun: AO-S (10 on hand), AO-M (3 on hand); returns (product id, variant ids)."""
    ids = make_product(engine, "Áo thun", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)])
    return product_of(engine, ids[0]), ids


def product_of(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(sa.select(Variant.product_id).where(Variant.id == variant_id)).scalar_one()
        )


def stock(engine: Engine, variant_id: int) -> tuple[int, int]:
    """(on hand, cost) of an ungrouped variant."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(Variant.stock, Variant.cost).where(Variant.id == variant_id)
        ).one()
    return int(row[0]), int(row[1])


def moves(engine: Engine, variant_id: int) -> list[tuple[str, int, int, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(StockMovement.kind, StockMovement.quantity, StockMovement.stock_after,
                      StockMovement.reason)
            .where(StockMovement.variant_id == variant_id)
            .order_by(StockMovement.id)  # type: ignore[arg-type]
        ).all()  # fmt: skip
    return [(str(k), q, a, r) for k, q, a, r in rows]


def open_move(qtbot, ctx: ServiceContext, product_id: int, variant_id: int | None = None):
    dialog = StockMoveDialog(ctx, product_id, variant_id=variant_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def test_stock_in_with_a_unit_cost(
    qtbot, engine: Engine, owner_ctx: ServiceContext, owner: Actor, product
) -> None:
    product_id, (s, m) = product
    with engine.begin() as conn:
        t = table_of(Variant)
        conn.execute(sa.update(t).where(t.c.id == m).values(cost=40_000))
    dialog = open_move(qtbot, owner_ctx, product_id)
    assert dialog.windowTitle() == "Stock movement: Áo thun"
    texts = [dialog.variants.itemText(i) for i in range(dialog.variants.count())]
    assert texts == [
        "AO-S · V1 — on hand 10 · reserved 0 · available 10",
        "AO-M · V2 — on hand 3 · reserved 0 · available 3",
    ]
    assert dialog.kind_in.isChecked() and dialog.unit_cost.isVisible()
    dialog.variants.setCurrentIndex(1)
    type_into(qtbot, dialog.quantity, "5")
    assert dialog.result_label.text() == "On hand 3 → 8 (+5)"
    assert dialog.save.isEnabled()  # a stock in needs no reason
    qtbot.keyClicks(dialog.unit_cost, "5O")  # a typo: not money
    assert not dialog.save.isEnabled()
    assert dialog.problem.text() == "Type the unit cost as an amount of money, e.g. 45.000."
    dialog.unit_cost.clear()
    qtbot.keyClicks(dialog.unit_cost, "48,000")
    qtbot.keyClicks(dialog.reason, "NCC Minh Anh")
    assert dialog.save.isEnabled() and not dialog.problem.isVisible()
    with qtbot.waitSignals([dialog.accepted, dialog.stockChanged], timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.movement is not None and dialog.movement.stock_after == 8
    # (3 × 40,000 + 5 × 48,000) / 8 = 45,000
    assert stock(engine, m) == (8, 45_000)
    assert moves(engine, m) == [(StockMoveKind.STOCK_IN, 5, 8, "NCC Minh Anh")]
    assert stock(engine, s)[0] == 10 and moves(engine, s) == []
    with engine.connect() as conn:
        user = conn.execute(sa.select(StockMovement.user_id)).scalar()
    assert user == owner.id


def test_stock_out_more_than_on_hand_is_refused_in_the_dialog(
    qtbot, engine: Engine, owner_ctx: ServiceContext, product
) -> None:
    product_id, (s, _m) = product
    dialog = open_move(qtbot, owner_ctx, product_id, variant_id=s)
    qtbot.mouseClick(dialog.kind_out, Qt.MouseButton.LeftButton)
    assert dialog.kind() == "out" and not dialog.unit_cost.isVisible()
    type_into(qtbot, dialog.quantity, "12")
    # Refused: no stock below 0 previewed, only the refusal.
    assert dialog.result_label.text() == ""
    assert dialog.problem.text() == "Only 10 on hand: cannot take out 12."
    assert not dialog.save.isEnabled()
    type_into(qtbot, dialog.quantity, "6")
    assert dialog.result_label.text() == "On hand 10 → 4 (-6)"
    assert dialog.problem.text() == "Give a reason for the stock change."
    qtbot.keyClicks(dialog.reason, "Hang loi")
    assert dialog.save.isEnabled()

    # Meanwhile a sale leaves 3 on the shelf: the service refuses, the dialog says why,
    # stays open and shows the current figures.
    svc.stock_out(owner_ctx, s, 7, reason="elsewhere")
    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog._busy, timeout=WAIT_MS)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.problem.isVisible()
    assert dialog.problem.text() == "Only 3 of AO-S on hand: cannot take out 6."
    assert dialog.variants.currentText().startswith("AO-S · V1 — on hand 3 ·")
    assert not dialog.save.isEnabled()  # 6 > 3, now known here too
    assert moves(engine, s) == [(StockMoveKind.STOCK_OUT, -7, 3, "elsewhere")]

    type_into(qtbot, dialog.quantity, "2")  # editing clears the service's message
    assert dialog.problem.isHidden()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert moves(engine, s)[-1] == (StockMoveKind.STOCK_OUT, -2, 1, "Hang loi")
    assert stock(engine, s)[0] == 1


def test_adjust_to_a_count(qtbot, engine: Engine, owner_ctx: ServiceContext, product) -> None:
    product_id, (_s, m) = product
    dialog = open_move(qtbot, owner_ctx, product_id, variant_id=m)
    assert dialog.variants.current().sku == "AO-M"
    qtbot.mouseClick(dialog.kind_adjust, Qt.MouseButton.LeftButton)
    assert dialog.captions["quantity"].text() == "&Counted on hand"
    assert dialog.quantity.value() == 3  # starts at the on hand
    assert dialog.problem.text() == "The count is the stock on hand already: nothing to change."
    dialog.variants.setCurrentIndex(0)  # AO-S: the count follows the variant's on hand
    assert dialog.quantity.value() == 10
    dialog.variants.setCurrentIndex(1)
    assert dialog.quantity.value() == 3
    type_into(qtbot, dialog.quantity, "0")
    qtbot.keyClicks(dialog.reason, "Kiem lai")
    assert dialog.result_label.text() == "On hand 3 → 0 (-3)"
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)  # Enter saves
    assert moves(engine, m) == [(StockMoveKind.ADJUSTMENT, -3, 0, "Kiem lai")]
    with engine.connect() as conn:
        actions = conn.execute(sa.select(AuditEvent.action, AuditEvent.summary)).all()
    assert ("stock.adjust", "AO-M: 3 → 0 (Kiem lai)") in [tuple(a) for a in actions]


def test_grouped_variant_shows_and_moves_the_group_stock(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    with engine.begin() as conn:
        gid = conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id),
            {"code": "PRIME-1", "name": "Bình", "stock": 20, "reserved": 2,
             "created_at": FIXED_NOW},
        ).scalar_one()  # fmt: skip
    (v,) = make_product(engine, "Bình nước", [("BN-SP", 150_000, 0)], sku_group_id=gid)
    dialog = open_move(qtbot, owner_ctx, product_of(engine, v))
    assert dialog.variants.currentText() == (
        "BN-SP — on hand 20 · reserved 2 · available 18 · shared by group PRIME-1"
    )
    type_into(qtbot, dialog.quantity, "4")
    assert dialog.result_label.text() == "On hand 20 → 24 (+4) · shared by group PRIME-1"
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    with engine.connect() as conn:
        assert conn.execute(sa.select(SkuGroup.stock).where(SkuGroup.id == gid)).scalar() == 24


def test_history_shows_the_movements_newest_first(
    qtbot, engine: Engine, owner_ctx: ServiceContext, product
) -> None:
    product_id, (s, m) = product
    svc.stock_in(owner_ctx, s, 5, reason="NCC A")
    svc.stock_out(owner_ctx, s, 2, reason="Hong")
    order = orders_svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(s, 1),)))
    with engine.connect() as conn:
        number = conn.execute(sa.select(Order.external_id).where(Order.id == order.id)).scalar()
    dialog = StockHistoryDialog(owner_ctx, product_id, variant_id=s)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["Time", "Movement", "SKU", "Quantity", "Reserved", "On hand after",
                       "Reason", "Order", "By"]  # fmt: skip
    cells = [[table.item(r, c).text() for c in range(1, 9)] for r in range(table.rowCount())]
    assert cells == [
        ["Sale", "AO-S", "-1", "", "12", "", number, "Chủ Thử"],  # the order, said once
        ["Stock out", "AO-S", "-2", "", "13", "Hong", "", "Chủ Thử"],
        ["Stock in", "AO-S", "+5", "", "15", "NCC A", "", "Chủ Thử"],
    ]
    assert table.item(0, 0).text() == "20/11/2026 10:00"  # 03:00 UTC in Ho Chi Minh City
    dialog.variants.setCurrentIndex(1)  # AO-M: nothing moved yet
    assert table.rowCount() == 0
    svc.stock_in(owner_ctx, m, 1)
    dialog.variants.setCurrentIndex(0)
    dialog.variants.setCurrentIndex(1)
    assert [table.item(0, c).text() for c in (1, 3, 5, 8)] == ["Stock in", "+1", "4", "Chủ Thử"]


def test_the_apps_own_reasons_read_in_vietnamese(
    qtbot, owner_ctx: ServiceContext, product, vietnamese
) -> None:
    """A goods receipt's movement (and the app's other fixed reasons) in the reader's
    language; a reason a person typed stays as typed."""
    from primedist.services import goods_receipts as gr
    from primedist.ui.products.stock_dialogs import reason_label

    product_id, (s, _m) = product
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(s, 4)], supplier="Đức Minh"))
    dialog = StockHistoryDialog(owner_ctx, product_id, variant_id=s)
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 6).text() == "Nhập hàng PN000001 · Đức Minh"
    assert reason_label("Opening stock") == "Tồn đầu kỳ"
    assert reason_label("Joined group PS1") == "Gộp vào nhóm PS1"
    assert reason_label("Hàng lỗi") == "Hàng lỗi"
    assert reason_label("Return to supplier TH000001 · PN000001") == (
        "Trả hàng nhà cung cấp TH000001 · PN000001")  # fmt: skip
    assert reason_label("Return to supplier TH000001 cancelled: nhầm %2 %1") == (
        "Trả hàng nhà cung cấp TH000001 đã hủy: nhầm %2 %1")  # fmt: skip
    assert reason_label("Goods receipt PN000001 cancelled: nhập nhầm") == (
        "Nhập hàng PN000001 đã hủy: nhập nhầm")  # fmt: skip
