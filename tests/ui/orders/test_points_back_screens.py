"""Points paid on a sale, seen where the items come back: the return dialog says how many
points go back to the customer, and the exchange sale screen offers the points as the
return leaves them (the points paid on the returned items can pay for the new ones)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points
from primedist.services.orders import DraftLine, OrderDraft
from primedist.services.sale_lookup import variant_hits
from primedist.ui.orders.exchange import ExchangeSaleDialog
from primedist.ui.orders.returns import ExchangeStart, ReturnDialog
from tests.factories import make_customers, make_product
from tests.services.loyalty.conftest import customer

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(autouse=True)
def lose_unsaved(monkeypatch: pytest.MonkeyPatch) -> None:
    """A screen left unsaved (a failed test) closes: "lose its lines?" is answered yes."""
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)  # fmt: skip


@pytest.fixture
def sizes(engine: Engine) -> list[int]:
    """Váy size S and M, 299,000 đ each, 10 of each in stock."""
    return make_product(engine, "Váy lụa", [("VAY-S", 299_000, 10), ("VAY-M", 299_000, 10)])


@pytest.fixture
def paid_with_points(engine: Engine, owner_ctx: ServiceContext, sizes: list[int]) -> int:
    """2 × size S paid with 100 points (100,000 đ) and 498,000 đ cash; its customer has
    spent all their points on it."""
    cid = make_customers(engine, 1, names=["Khách Trả Một Nửa"])[0]
    adjust_points(owner_ctx, cid, 100, "tặng")
    draft = OrderDraft(lines=(DraftLine(sizes[0], 2),), customer_id=cid, points=100)
    return svc.create_order(owner_ctx, draft).id


def test_the_return_dialog_says_the_points_that_go_back(
    qtbot, engine: Engine, owner_ctx: ServiceContext, paid_with_points: int
) -> None:
    dialog = ReturnDialog(owner_ctx, svc.order_detail(owner_ctx, paid_with_points))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.points_back.isVisible()  # nothing chosen yet
    spin = next(iter(dialog.spins.values()))
    spin.setValue(1)
    assert dialog.points_back.isVisible()
    assert dialog.points_back.text() == "50 points paid on the order go back to the customer."
    spin.setValue(2)
    assert dialog.points_back.text() == "100 points paid on the order go back to the customer."
    dialog.reason.setEditText("Lỗi")
    spin.setValue(1)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    cid = svc.order_detail(owner_ctx, paid_with_points).order.customer_id
    assert cid is not None
    assert customer(engine, cid).points_balance == 24 + 50  # as the dialog said


def test_the_exchange_screen_offers_the_points_the_return_gives_back(
    qtbot, engine: Engine, owner_ctx: ServiceContext, sizes: list[int], paid_with_points: int
) -> None:
    detail = svc.order_detail(owner_ctx, paid_with_points)
    cid = detail.order.customer_id
    assert cid is not None
    # All 100 points went on the sale: the balance is only what it earned.
    assert customer(engine, cid).points_balance == 49
    line = detail.lines[0].id or 0
    start = ExchangeStart(paid_with_points, detail.order.external_id, cid, "Đổi size",
                          249_000, {line: 1})  # fmt: skip
    screen = ExchangeSaleDialog(owner_ctx, start)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    screen.add_product(variant_hits(owner_ctx, [sizes[1]])[0])
    screen.requote()
    # 49 − 25 earned on the returned dress + 50 paid on it.
    assert screen.points_balance.text() == "of 74"
    assert screen.points.isEnabled()
    screen.points.setText("74")
    screen.requote()
    assert screen.quote is not None and screen.quote.points_discount == 74_000
    assert screen.save_button.isEnabled(), screen.problems
    screen.print_receipt.setChecked(False)
    with qtbot.waitSignal(screen.orderCreated, timeout=10_000) as saved:
        qtbot.keyClick(screen, Qt.Key.Key_F9)
    assert svc.order_detail(owner_ctx, saved.args[0]).order.points_used == 74
    assert customer(engine, cid).points_balance == 22  # all 74 used; 22 earned on the new one


def test_the_return_dialog_says_the_earned_points_taken_back_as_the_ledger_does(
    qtbot, engine: Engine, owner_ctx: ServiceContext, paid_with_points: int
) -> None:
    """The 498,000 đ paid earned 49 points: half of it refunded keeps 24, so 25 go (beside
    the 50 redeemed points that come back), and the ledger then takes back those 25."""
    before = svc.order_detail(owner_ctx, paid_with_points)
    assert before.order.points_earned == 49
    dialog = ReturnDialog(owner_ctx, before)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.points_taken.isVisible()  # nothing chosen yet
    spin = next(iter(dialog.spins.values()))
    spin.setValue(1)
    assert dialog.points_back.text() == "50 points paid on the order go back to the customer."
    assert dialog.points_taken.isVisible()
    assert dialog.points_taken.text() == (
        "25 points earned on the returned items are taken back from the customer."
    )
    dialog.refund.clear()
    qtbot.keyClicks(dialog.refund, "0")  # nothing refunded: the order keeps what it earned
    assert not dialog.points_taken.isVisible()
    dialog.use_suggested.click()
    assert dialog.points_taken.text().startswith("25 points earned")
    dialog.reason.setEditText("Lỗi")
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=10_000)
    after = svc.order_detail(owner_ctx, paid_with_points)
    assert (after.points.given_back, after.points.taken_back) == (50, 25)  # as the dialog said
