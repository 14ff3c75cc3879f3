"""The exchange sale screen for a sale on account part paid: what was paid with it pays for
the new sale, so the screen says *To pay* (the new total less it), not *Off what they owe*
with the whole credit; a sale on account paid nothing still says *Off what they owe*."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy.engine import Engine

from primedist.domain.enums import PaymentMethod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import CreatedOrder, DraftLine, OrderDraft
from primedist.services.sale_lookup import variant_hits
from primedist.ui.orders.exchange import ExchangeSaleDialog
from primedist.ui.orders.returns import ExchangeStart
from tests.factories import make_customers, make_product

pytestmark = pytest.mark.usefixtures("quiet")


@pytest.fixture(autouse=True)
def lose_unsaved(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screens close unsaved when the test ends: "lose its lines?" is answered yes."""
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *_a, **_k: QMessageBox.StandardButton.Yes)  # fmt: skip


def exchange_screen(
    qtbot, engine: Engine, ctx: ServiceContext, paid_now: int
) -> ExchangeSaleDialog:
    small, medium = make_product(engine, "Áo sơ mi", [("SM-S", 259_000, 5), ("SM-M", 299_000, 5)])
    (buyer,) = make_customers(engine, 1, names=["Trần Thu Hà"])
    sale = svc.create_order(ctx, OrderDraft(
        lines=(DraftLine(small, 1),), customer_id=buyer,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=paid_now)).id  # fmt: skip
    line = svc.order_detail(ctx, sale).lines[0].id or 0
    start = ExchangeStart(sale, "DH-1", buyer, "Đổi size", 259_000, {line: 1})
    screen = ExchangeSaleDialog(ctx, start)
    qtbot.addWidget(screen)
    screen.show()
    screen.add_product(variant_hits(ctx, [medium])[0])
    screen.requote()
    return screen


def test_part_paid_shows_what_to_pay(qtbot, engine: Engine, owner_ctx: ServiceContext) -> None:
    screen = exchange_screen(qtbot, engine, owner_ctx, paid_now=100_000)
    assert screen.total_captions["to_pay"].text() == "To pay"
    assert screen.total_values["to_pay"].text() == "199,000 VND"
    assert screen.saved_text(CreatedOrder(2, "DH-2", 299_000, None)) == (
        "Exchange DH-2 saved — paid 199,000 VND"
    )


def test_nothing_paid_comes_off_what_they_owe(
    qtbot, engine: Engine, owner_ctx: ServiceContext
) -> None:
    screen = exchange_screen(qtbot, engine, owner_ctx, paid_now=0)
    assert screen.total_captions["to_pay"].text() == "Off what they owe"
    assert screen.total_values["to_pay"].text().endswith("259,000 VND")
    assert screen.saved_text(CreatedOrder(2, "DH-2", 299_000, None)) == (
        "Exchange DH-2 saved — 259,000 VND off what they owe"
    )
