"""The stock movement dialog warns (and asks) before a stock out or a count leaves less on
hand than open orders hold; the marketplaces are then told 0, never a negative figure; and
the dialog gives back the room of a hint that hides."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel, OrderSource, OrderStatus, PaymentMethod, StockMoveKind
from primedist.domain.product import StockMovement, Variant
from primedist.domain.sync import OutboxMessage
from primedist.services import orders as orders_svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.products import stock_dialogs
from primedist.ui.products.stock_dialogs import StockMoveDialog
from tests.factories import make_product, make_shop
from tests.services.test_stock import list_on

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def held(engine: Engine, owner_ctx: ServiceContext) -> tuple[int, int]:
    """AO-S (10 on hand) listed on Shopee, 4 of it held by a pending phone order; returns
    (product id, variant id)."""
    (v,) = make_product(engine, "Áo thun", [("AO-S", 99_000, 10)])
    shopee = make_shop(engine, "Shopee A", Channel.SHOPEE)
    list_on(engine, shopee, [v])
    orders_svc.create_order(owner_ctx, OrderDraft(
        lines=(DraftLine(v, 4),), source=OrderSource.PHONE, status=OrderStatus.PENDING,
        payment_method=PaymentMethod.COD))  # fmt: skip
    with engine.connect() as conn:
        product_id, reserved = conn.execute(
            sa.select(Variant.product_id, Variant.reserved).where(Variant.id == v)
        ).one()
    assert reserved == 4
    return int(product_id), v


def open_move(qtbot, ctx: ServiceContext, product_id: int) -> StockMoveDialog:
    dialog = StockMoveDialog(ctx, product_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def stock_and_pushes(engine: Engine, variant_id: int) -> tuple[int, list[int]]:
    with engine.connect() as conn:
        stock = conn.execute(sa.select(Variant.stock).where(Variant.id == variant_id)).scalar()
        payloads = conn.execute(
            sa.select(OutboxMessage.payload_json).where(OutboxMessage.kind == "stock.push")
        ).scalars()
        return int(stock or 0), [json.loads(p)["available"] for p in payloads]


def test_a_stock_out_below_what_orders_hold_is_said_and_asked(
    qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext, held: tuple[int, int]
) -> None:
    product_id, v = held
    asked: list[tuple[str, int, int]] = []
    answer = [False]
    monkeypatch.setattr(stock_dialogs, "ask_below_held",
                        lambda _p, var, after: asked.append((var.sku, after, var.reserved))
                        or answer[0])  # fmt: skip
    dialog = open_move(qtbot, owner_ctx, product_id)
    qtbot.mouseClick(dialog.kind_out, Qt.MouseButton.LeftButton)
    type_into(qtbot, dialog.quantity, "5")
    qtbot.keyClicks(dialog.reason, "hu hong")
    assert dialog.result_label.text() == "On hand 10 → 5 (-5)"  # 5 left, 4 held: fine
    type_into(qtbot, dialog.quantity, "8")
    assert dialog.result_label.text() == "On hand 10 → 2 (-8) · below the 4 held for open orders"
    assert dialog.save.isEnabled()  # a warning: the goods may really be broken

    qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)  # asked; No
    assert asked == [("AO-S", 2, 4)]
    assert dialog.isVisible() and not dialog._busy
    assert stock_and_pushes(engine, v) == (10, [6])  # nothing moved (the order's push)

    answer[0] = True
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    # 2 on hand, 4 held: Shopee is told none is left, not -2.
    assert stock_and_pushes(engine, v) == (2, [0])


def test_a_count_below_what_orders_hold_is_asked_too(
    qtbot, monkeypatch, engine: Engine, owner_ctx: ServiceContext, held: tuple[int, int]
) -> None:
    product_id, v = held
    asked: list[int] = []
    monkeypatch.setattr(stock_dialogs, "ask_below_held",
                        lambda _p, _v, after: asked.append(after) or True)  # fmt: skip
    dialog = open_move(qtbot, owner_ctx, product_id)
    qtbot.mouseClick(dialog.kind_adjust, Qt.MouseButton.LeftButton)
    type_into(qtbot, dialog.quantity, "0")
    qtbot.keyClicks(dialog.reason, "dem lai")
    assert dialog.result_label.text() == "On hand 10 → 0 (-10) · below the 4 held for open orders"
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert asked == [0]
    with engine.connect() as conn:
        moves = conn.execute(
            sa.select(StockMovement.kind, StockMovement.quantity)
            .where(StockMovement.variant_id == v, StockMovement.quantity != 0)
        ).all()  # fmt: skip
    assert [tuple(m) for m in moves] == [(StockMoveKind.ADJUSTMENT, -10)]
    assert stock_and_pushes(engine, v) == (0, [0])


def test_a_stock_in_or_a_count_above_what_orders_hold_asks_nothing(
    qtbot, monkeypatch, owner_ctx: ServiceContext, held: tuple[int, int]
) -> None:
    product_id, _v = held
    monkeypatch.setattr(stock_dialogs, "ask_below_held",
                        lambda *_a: pytest.fail("asked"))  # fmt: skip
    dialog = open_move(qtbot, owner_ctx, product_id)
    type_into(qtbot, dialog.quantity, "3")
    assert dialog.result_label.text() == "On hand 10 → 13 (+3)"
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.save, Qt.MouseButton.LeftButton)


def test_save_stays_put_when_the_hint_hides_and_no_empty_bands_show(
    qtbot, owner_ctx: ServiceContext, held: tuple[int, int]
) -> None:
    """Typing the reason clears "Give a reason…": Save must not jump up under the pointer
    (its line is kept), and no empty bands show once the stock in's rows go."""
    product_id, _v = held
    dialog = open_move(qtbot, owner_ctx, product_id)

    def snug() -> bool:
        # The title's band is its own height, not a share of room left over.
        return dialog.title.height() == dialog.title.sizeHint().height()

    def save_at() -> QPoint:
        return dialog.save.mapTo(dialog, QPoint(0, 0))

    assert snug()
    qtbot.mouseClick(dialog.kind_adjust, Qt.MouseButton.LeftButton)
    type_into(qtbot, dialog.quantity, "7")
    assert dialog.problem.text() == "Give a reason for the stock change."
    qtbot.waitUntil(snug, timeout=WAIT_MS)
    with_hint, at = dialog.height(), save_at()
    qtbot.keyClicks(dialog.reason, "dem lai ke")
    assert dialog.problem.isHidden() and dialog.save.isEnabled()
    qtbot.wait(50)  # a relayout would have run
    assert (dialog.height(), save_at()) == (with_hint, at) and snug()
    dialog.reason.clear()  # and back: nothing moves either
    assert not dialog.problem.isHidden()
    qtbot.wait(50)
    assert (dialog.height(), save_at()) == (with_hint, at)
    qtbot.mouseClick(dialog.kind_in, Qt.MouseButton.LeftButton)  # cost and labels rows
    qtbot.mouseClick(dialog.kind_out, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(snug, timeout=WAIT_MS)


def test_the_question_names_the_sku_as_typed_and_defaults_to_no(qtbot) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from primedist.queries.stocktake import VariantStock

    v = VariantStock(1, "AO-<b>%2</b>", None, "", 107, 4, 0, None, None)
    seen: list[tuple[str, str, str]] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append((box.windowTitle(), box.text(), box.defaultButton().text()))
        box.button(button).click()

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.No))
    assert not stock_dialogs.ask_below_held(None, v, 2)  # type: ignore[arg-type]
    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Yes))
    assert stock_dialogs.ask_below_held(None, v, 2)  # type: ignore[arg-type]
    text = ("AO-<b>%2</b> will have 2 on hand, below the 4 held for open orders: those orders "
            "cannot all be packed until more comes in. Save all the same?")  # fmt: skip
    assert seen == [("Below what open orders hold", text, "&No")] * 2
