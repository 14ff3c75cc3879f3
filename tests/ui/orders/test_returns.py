"""The return dialog: partial and full returns, the refund, and keyboard use."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy.engine import Engine
from sqlmodel import Session

from primedist.core.money import format_money
from primedist.domain.enums import OrderStatus
from primedist.domain.order import Order, OrderLine
from primedist.domain.product import Variant
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.orders.returns import ReturnDialog
from tests.factories import make_product

WAIT_MS = 10_000
pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture
def products(engine: Engine, owner_ctx: ServiceContext) -> tuple[int, int]:
    """A: 99,000 đ with 10 in stock; B: 120,000 đ with 5 in stock."""
    a = make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10)])[0]
    b = make_product(engine, "Mũ lưỡi trai", [("MU-1", 120_000, 5)])[0]
    return a, b


@pytest.fixture
def sale_id(owner_ctx: ServiceContext, products: tuple[int, int]) -> int:
    """A completed counter sale of 2×A + 1×B (stock: A 8, B 4)."""
    a, b = products
    return svc.create_order(owner_ctx, OrderDraft(lines=(DraftLine(a, 2), DraftLine(b, 1)))).id


def open_returns(qtbot, ctx: ServiceContext, order_id: int) -> ReturnDialog:
    dialog = ReturnDialog(ctx, svc.order_detail(ctx, order_id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def on_hand(engine: Engine, variant_id: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(Variant.stock).where(Variant.id == variant_id)).scalar())


def load_order(engine: Engine, order_id: int) -> tuple[Order, list[OrderLine]]:
    with Session(engine) as session:
        order = session.get(Order, order_id)
        assert order is not None
        lines = session.exec(
            sa.select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)
        ).scalars()
        return order, list(lines)


def submit(qtbot, dialog: ReturnDialog) -> None:
    assert dialog.ok.isEnabled(), dialog.problem.text()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_partial_then_full_return(
    qtbot, engine: Engine, owner_ctx: ServiceContext, products: tuple[int, int], sale_id: int
) -> None:
    a, b = products
    dialog = open_returns(qtbot, owner_ctx, sale_id)
    assert dialog.objectName() == "returnDialog"
    spin_a, spin_b = dialog.spins.values()
    assert (spin_a.maximum(), spin_b.maximum()) == (2, 1)
    assert not dialog.ok.isEnabled()
    assert dialog.problem.text() == "Choose at least one item to return."
    assert dialog.ok.text() == "Return and refund"

    spin_a.setFocus()
    qtbot.keyClick(spin_a, Qt.Key.Key_Up)  # A: 1
    assert dialog.quantities() == {list(dialog.spins)[0]: 1}
    order, lines = load_order(engine, sale_id)
    suggested = svc.suggested_refund(order, lines, dialog.quantities(), paid=order.paid_amount)
    assert suggested == 99_000
    assert dialog.refund.text() == format_money(suggested, "en") == "99,000 VND"
    assert not dialog.ok.isEnabled()
    assert dialog.problem.text() == "Say why the items come back."  # the reason is required
    edit = dialog.reason.lineEdit()
    assert edit is not None
    qtbot.keyClicks(edit, "Loi duong may")  # QTest types Latin-1 only
    assert dialog.ok.isEnabled() and not dialog.problem.isVisible()
    submit(qtbot, dialog)
    assert dialog.outcome is not None and dialog.outcome.refund_amount == suggested

    order, lines = load_order(engine, sale_id)
    assert [line.returned_quantity for line in lines] == [1, 0]
    assert on_hand(engine, a) == 9 and on_hand(engine, b) == 4
    assert order.refunded_amount == suggested and order.status == OrderStatus.COMPLETED
    last = svc.order_detail(owner_ctx, sale_id).history[-1]
    assert last.note is not None and last.note.endswith(": Loi duong may")
    assert last.note.startswith("Returned 1 item(s)")

    again = open_returns(qtbot, owner_ctx, sale_id)
    assert [s.maximum() for s in again.spins.values()] == [1, 1]
    qtbot.mouseClick(again.everything_button, Qt.MouseButton.LeftButton)
    assert list(again.quantities().values()) == [1, 1]
    left = order.total - order.refunded_amount
    assert again.refund.text() == format_money(left, "en")  # what is left to refund
    again.reason.setCurrentIndex(2)
    assert again.reason_text() == "Wrong item"  # back to stock (not "Defective")
    submit(qtbot, again)
    order, lines = load_order(engine, sale_id)
    assert order.status == OrderStatus.RETURNED and order.refunded_amount == order.total
    assert [line.returned_quantity for line in lines] == [2, 1]
    assert on_hand(engine, a) == 10 and on_hand(engine, b) == 5


def test_refund_follows_the_quantities_until_typed_by_hand(
    qtbot, owner_ctx: ServiceContext, sale_id: int
) -> None:
    dialog = open_returns(qtbot, owner_ctx, sale_id)
    spin_a, spin_b = dialog.spins.values()
    spin_a.setValue(2)
    assert dialog.refund.text() == "198,000 VND"
    spin_b.setValue(1)
    assert dialog.refund.text() == "318,000 VND"
    assert not dialog.use_suggested.isVisible()

    dialog.refund.selectAll()
    qtbot.keyClicks(dialog.refund, "150.000")
    spin_b.setValue(0)  # the hand-typed amount stays
    assert dialog.refund.text() == "150.000" and dialog.refund_amount() == 150_000
    assert dialog.use_suggested.isVisible()
    qtbot.mouseClick(dialog.use_suggested, Qt.MouseButton.LeftButton)
    assert dialog.refund.text() == "198,000 VND"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("318.001", "The refund must be between 0 and 318,000 VND."),
        ("-5", "The refund must be between 0 and 318,000 VND."),
        ("a lot", "Type the refund as an amount of money, e.g. 150.000."),
        ("", "Type the refund as an amount of money, e.g. 150.000."),
    ],
)
def test_an_impossible_refund_disables_ok(
    qtbot, owner_ctx: ServiceContext, sale_id: int, typed: str, problem: str
) -> None:
    dialog = open_returns(qtbot, owner_ctx, sale_id)
    dialog.return_everything()
    dialog.reason.setEditText("Khách đổi ý")
    assert dialog.ok.isEnabled()
    dialog.refund.selectAll()
    qtbot.keyClick(dialog.refund, Qt.Key.Key_Delete)
    qtbot.keyClicks(dialog.refund, typed)
    assert not dialog.ok.isEnabled()
    assert dialog.problem.isVisible() and dialog.problem.text() == problem
    dialog.submit()  # Enter, or a stray call: nothing happens
    qtbot.wait(50)
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_everything_refunded_already_allows_only_a_zero_refund(
    qtbot, engine: Engine, owner_ctx: ServiceContext, sale_id: int
) -> None:
    lines = svc.order_detail(owner_ctx, sale_id).lines
    order, _lines = load_order(engine, sale_id)
    svc.return_order(owner_ctx, sale_id, {lines[0].id or 0: 1}, reason="x",
                     refund_amount=order.total)  # fmt: skip
    dialog = open_returns(qtbot, owner_ctx, sale_id)
    dialog.return_everything()
    dialog.reason.setEditText("y")
    assert dialog.refund.text() == "0 VND" and dialog.ok.isEnabled()
    assert dialog.max_refund() == 0


def test_a_return_made_with_the_keyboard_only(
    qtbot, engine: Engine, owner_ctx: ServiceContext, sale_id: int
) -> None:
    """Tab order: line by line the quantity, then how many go back to stock → reason →
    refund → refund by (a counter sale) → OK; Enter on OK returns."""
    dialog = open_returns(qtbot, owner_ctx, sale_id)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    spin_a, spin_b = dialog.spins.values()
    assert QApplication.focusWidget() is spin_a  # the first quantity has the focus

    def press(key: Qt.Key) -> object:
        qtbot.keyClick(QApplication.focusWidget(), key)
        return QApplication.focusWidget()

    back_a, back_b = dialog.restock.values()
    press(Qt.Key.Key_Up)
    assert press(Qt.Key.Key_Tab) is back_a and back_a.value() == 1
    assert press(Qt.Key.Key_Tab) is spin_b
    press(Qt.Key.Key_Up)
    assert press(Qt.Key.Key_Tab) is back_b
    assert press(Qt.Key.Key_Tab) in (dialog.reason, dialog.reason.lineEdit())
    qtbot.keyClicks(QApplication.focusWidget(), "Sai mau")
    assert press(Qt.Key.Key_Tab) is dialog.refund
    assert dialog.refund.text() == "219,000 VND"
    assert press(Qt.Key.Key_Tab) is dialog.refund_way
    assert press(Qt.Key.Key_Tab) is dialog.ok
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        press(Qt.Key.Key_Return)
    order, lines = load_order(engine, sale_id)
    assert [line.returned_quantity for line in lines] == [1, 1]
    assert order.refunded_amount == 219_000 and order.status == OrderStatus.COMPLETED
