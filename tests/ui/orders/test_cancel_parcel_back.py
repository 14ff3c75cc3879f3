"""An own order whose parcel comes back undelivered: Return… (completed orders only) points
to Cancel order, whose dialog has a reason for it and says the items go back into stock,
as the cancel then does. The reason list starts with its placeholder, not an empty item."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import Engine
from sqlmodel import Session

from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.domain.product import Variant
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from primedist.ui.orders.dialogs import CancelReasonDialog
from tests.ui.orders.test_order_detail import click, open_detail, order_of, variants  # noqa: F401

pytestmark = pytest.mark.usefixtures("english")

PARCEL_BACK = "Delivery failed – parcel returned"


def stock_of(engine: Engine, variant_id: int) -> int:
    with Session(engine) as session:
        variant = session.get(Variant, variant_id)
        assert variant is not None
        return variant.stock


def shipped_phone_order(ctx: ServiceContext, variant_id: int) -> int:
    """A phone order of 2 units, paid by transfer, handed to the carrier (Shipping)."""
    created = svc.create_order(ctx, OrderDraft(
        lines=(DraftLine(variant_id, 2),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.BANK_TRANSFER, ship_name="Nguyễn Thị Hoa",
        ship_phone="0939921717", ship_address="12 Lê Lợi", ship_province="Hà Nội"))  # fmt: skip
    svc.change_status(ctx, created.id, OrderStatus.SHIPPING)
    return created.id


def test_a_parcel_back_is_cancelled_with_its_reason_and_goes_back_into_stock(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, variants: list[int]  # noqa: F811
) -> None:
    before = stock_of(engine, variants[0])
    order_id = shipped_phone_order(owner_ctx, variants[0])
    assert stock_of(engine, variants[0]) == before - 2  # left the shelf with the parcel
    detail = open_detail(qtbot, owner_ctx, order_id)
    assert not detail.return_button.isEnabled()
    assert "press Cancel order" in detail.return_button.toolTip()
    seen: dict[str, Any] = {}

    def choose_parcel_back() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, CancelReasonDialog)
        reasons = [dialog.reason.itemText(i) for i in range(dialog.reason.count())]
        seen.update(
            reasons=reasons, text=dialog.reason.currentText(), ok=dialog.ok.isEnabled(),
            stock=dialog.stock.text() if dialog.stock.isVisibleTo(dialog) else "",
        )  # fmt: skip
        dialog.reason.setCurrentIndex(reasons.index(PARCEL_BACK))
        dialog.ok.click()

    QTimer.singleShot(0, choose_parcel_back)
    with qtbot.waitSignal(detail.changed, timeout=10_000):
        click(qtbot, detail.cancel_button)
    assert "" not in seen["reasons"] and PARCEL_BACK in seen["reasons"]
    assert (seen["text"], seen["ok"]) == ("", False)  # the placeholder shows, not an item
    assert seen["stock"] == "Its items go back into stock."
    order = order_of(engine, order_id)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, PARCEL_BACK)
    assert stock_of(engine, variants[0]) == before  # back on the shelf, as the dialog said
    assert order.refunded_amount == 0  # a transfer is recorded as paid by no one yet


def test_a_completed_order_is_returned_with_no_word_about_cancel(
    qtbot: Any, engine: Engine, owner_ctx: ServiceContext, variants: list[int]  # noqa: F811
) -> None:
    order_id = shipped_phone_order(owner_ctx, variants[0])
    svc.change_status(owner_ctx, order_id, OrderStatus.COMPLETED)
    detail = open_detail(qtbot, owner_ctx, order_id)
    assert detail.return_button.isEnabled() and detail.return_button.toolTip() == ""


def test_several_orders_are_told_what_moves_as_far_as_they_moved_stock(qtbot: Any) -> None:
    dialog = CancelReasonDialog(3)
    qtbot.addWidget(dialog)
    assert dialog.stock.text() == (
        "The items these orders reserved or sent out go back into stock."
    )
    assert dialog.reason.currentText() == "" and not dialog.ok.isEnabled()
    assert dialog.reason.lineEdit().placeholderText() == "Choose or type a reason"
    untracked = CancelReasonDialog(1, restock=False)  # imported history: moves no stock
    qtbot.addWidget(untracked)
    assert untracked.stock.text() == "" and untracked.stock.isHidden()
