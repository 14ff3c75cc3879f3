"""End of day with more cash paid to a supplier than the day took in: the drawer's cash
(and the count's expected cash) in red, what took it below zero said under it, and the
cash paid to suppliers a line of its own under the payment methods."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.core.money import format_money
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.services import orders as svc
from primedist.services import suppliers as sup
from primedist.services.context import ServiceContext
from primedist.ui.orders.end_of_day import TONES, EndOfDayDialog
from tests.factories import make_product
from tests.ui.support import WAIT, show_widget

pytestmark = pytest.mark.usefixtures("quiet")
RED = TONES[-1]


def money(amount: int) -> str:
    return format_money(amount, "en")


@pytest.fixture
def day(owner_ctx: ServiceContext, engine: Engine, clock: FixedClock) -> None:
    """Today: one 100,000 sale in cash and one by transfer."""
    clock.set(datetime(2026, 11, 20, 3, tzinfo=UTC))  # 10:00 in the shop
    [shirt] = make_product(engine, "Áo thun", [("AO-S", 100_000, 50)])
    for pay in (PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER):
        svc.create_order(owner_ctx, svc.OrderDraft(lines=(svc.DraftLine(shirt, 1),),
                                                   source=OrderSource.COUNTER,
                                                   payment_method=pay))  # fmt: skip
    clock.set(clock.now() + timedelta(hours=1))


def open_dialog(qtbot, ctx: ServiceContext) -> EndOfDayDialog:
    dialog = show_widget(qtbot, EndOfDayDialog(ctx), width=1280, height=680)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=WAIT)
    return dialog


def test_a_supplier_paid_in_cash_takes_the_drawer_below_zero(qtbot, owner_ctx, day):
    ncc = sup.create_supplier(owner_ctx, sup.SupplierDraft("Gốm Minh Long")).id
    sup.pay_supplier(owner_ctx, ncc, 350_000)  # cash, from the drawer
    dialog = open_dialog(qtbot, owner_ctx)
    cash, note = dialog.figures["cash"], dialog.figure_notes["cash"]
    assert cash.text() == money(100_000 - 350_000)
    assert RED in cash.styleSheet() and RED in note.styleSheet()
    assert note.text() == f"Below zero: {money(350_000)} paid to suppliers in cash"
    rows = [tuple(dialog.payments.item(r, c).text() for c in (0, 5))
            for r in range(dialog.payments.rowCount())]  # fmt: skip
    assert rows == [("Cash", money(100_000)), ("Bank transfer", money(100_000)),
                    ("Cash paid to suppliers", money(-350_000))]  # fmt: skip
    dialog.float_edit.setText("200,000")
    assert dialog.expected_label.text() == money(-50_000)
    assert RED in dialog.expected_label.styleSheet()
    dialog.float_edit.setText("500,000")  # the float covers it: no longer red
    assert dialog.expected_label.text() == money(250_000)
    assert RED not in dialog.expected_label.styleSheet()


def test_a_drawer_above_zero_is_not_red(qtbot, owner_ctx, day):
    ncc = sup.create_supplier(owner_ctx, sup.SupplierDraft("Gốm Minh Long")).id
    sup.pay_supplier(owner_ctx, ncc, 40_000)
    dialog = open_dialog(qtbot, owner_ctx)
    assert dialog.figures["cash"].text() == money(60_000)
    assert dialog.figures["cash"].styleSheet() == ""
    assert dialog.figure_notes["cash"].text() == (
        f"Cash sales − cash refunds − {money(40_000)} paid to suppliers"
    )
