"""A counter sale's refund can go back another way than it was paid: a transfer sale
returned with cash from the drawer (the Return dialog had no choice: the refund always
went back by transfer, and End of day's cash in the drawer was too high by it)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import end_of_day as eod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.ui.orders.returns import ReturnDialog
from tests.factories import make_product

pytestmark = pytest.mark.usefixtures("quiet")
WAIT_MS = 10_000


def sale(ctx: ServiceContext, variant: int, method: PaymentMethod,
         source: OrderSource = OrderSource.COUNTER) -> int:  # fmt: skip
    draft = svc.OrderDraft(lines=(svc.DraftLine(variant, 2),), payment_method=method,
                           source=source)  # fmt: skip
    return svc.create_order(ctx, draft).id


def open_returns(qtbot, ctx: ServiceContext, order_id: int) -> ReturnDialog:
    dialog = ReturnDialog(ctx, svc.order_detail(ctx, order_id))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def choices(dialog: ReturnDialog) -> list[str]:
    return [dialog.refund_way.itemText(i) for i in range(dialog.refund_way.count())]


def test_a_transfer_sale_refunded_in_cash_leaves_the_drawer(
    qtbot, owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 20, 3, tzinfo=UTC))  # 10:00 local
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 150_000, 10)])
    sale(owner_ctx, shirt, PaymentMethod.CASH)  # 300.000 ₫ in the drawer
    order_id = sale(owner_ctx, shirt, PaymentMethod.BANK_TRANSFER)
    assert eod.end_of_day(owner_ctx).cash_in_drawer == 300_000

    dialog = open_returns(qtbot, owner_ctx, order_id)
    assert dialog.refund_way.isVisible() and dialog.refund_way_caption.text() == "Refund &by"
    assert choices(dialog) == ["Bank transfer", "Cash", "Card", "E-wallet", "Other"]
    assert dialog.refund_method() is None  # as it was paid, unless changed
    list(dialog.spins.values())[0].setValue(1)
    dialog.reason.setEditText("Khách đổi ý")
    dialog.refund_way.setCurrentIndex(choices(dialog).index("Cash"))
    assert dialog.refund_method() == PaymentMethod.CASH
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted

    report = eod.end_of_day(owner_ctx)
    assert report.cash_in_drawer == 300_000 - 150_000
    lines = {p.method: p for p in report.payments}
    assert (lines[PaymentMethod.CASH].refunded, lines[PaymentMethod.BANK_TRANSFER].refunded) == (
        150_000, 0)  # fmt: skip


def test_refunded_the_way_it_was_paid_by_default(
    qtbot, owner_ctx: ServiceContext, engine: Engine, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 20, 3, tzinfo=UTC))
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 150_000, 10)])
    order_id = sale(owner_ctx, shirt, PaymentMethod.CARD)
    dialog = open_returns(qtbot, owner_ctx, order_id)
    assert choices(dialog)[0] == "Card"
    dialog.return_everything()
    dialog.reason.setEditText("Lỗi")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    lines = {p.method: p for p in eod.end_of_day(owner_ctx).payments}
    assert lines[PaymentMethod.CARD].refunded == 300_000
    assert PaymentMethod.CASH not in lines


def test_no_choice_for_a_phone_order_nor_an_exchange(
    qtbot, owner_ctx: ServiceContext, engine: Engine
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 150_000, 10)])
    phone = sale(owner_ctx, shirt, PaymentMethod.BANK_TRANSFER, OrderSource.PHONE)
    assert open_returns(qtbot, owner_ctx, phone).refund_way.count() == 0
    counter = sale(owner_ctx, shirt, PaymentMethod.CASH)
    exchange = ReturnDialog(owner_ctx, svc.order_detail(owner_ctx, counter), exchange=True)
    qtbot.addWidget(exchange)
    assert exchange.refund_way.count() == 0 and exchange.refund_method() is None
