"""The debt reminder (`customers account KH --chat`, *Chép tin nhắc nợ*) lists the open sales
on account only: payments pay off the oldest sales first, so what is owed is the newest
sales' (the oldest of those paid in part says what is left of it). Through the services on
a real migrated database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.enums import PaymentMethod
from primedist.printing.documents import REMINDER_SALES, account_reminder
from primedist.services import customer_account as account
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import CreatedOrder, DraftLine, OrderDraft
from tests.factories import make_customers, make_product


@pytest.fixture
def variant(engine: Engine) -> int:
    return make_product(engine, "Áo thun", [("AO-S", 100_000, 500)])[0]


@pytest.fixture
def hien(engine: Engine) -> int:
    return make_customers(engine, 1, names=["Nguyễn Ngọc Hiền"])[0]


def sell(
    ctx: ServiceContext, clock: FixedClock, variant: int, customer: int, qty: int
) -> CreatedOrder:
    """A sale on account of `qty` × 100,000 đ, a day after the last."""
    clock.advance(timedelta(days=1))
    draft = OrderDraft(lines=(DraftLine(variant, qty),), customer_id=customer,
                       payment_method=PaymentMethod.ON_ACCOUNT)  # fmt: skip
    return svc.create_order(ctx, draft)


def listed(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("• ")]


def test_only_the_sales_still_owed_are_listed(
    owner_ctx: ServiceContext, clock: FixedClock, variant: int, hien: int
) -> None:
    first, second, third, fourth = (
        sell(owner_ctx, clock, variant, hien, qty).external_id for qty in (9, 6, 2, 1)
    )  # 900,000, 600,000, 200,000 and 100,000
    clock.advance(timedelta(days=1))
    account.receive_payment(owner_ctx, hien, 1_550_000)  # all but the newest 250,000
    assert account.get_balance(owner_ctx, hien).owed == 250_000

    text = account_reminder(owner_ctx, hien)

    lines = listed(text)
    assert [line.split(" — ")[0] for line in lines] == [f"• {fourth}", f"• {third}"]
    assert lines[0].endswith("— 100.000 ₫")
    assert lines[1].endswith("— 200.000 ₫ (còn nợ 150.000 ₫)")
    assert first not in text and second not in text
    assert "Tổng mua ghi nợ: 1.800.000 ₫" in text and "Còn nợ: 250.000 ₫" in text
    english = listed(account_reminder(owner_ctx, hien, lang="en"))
    assert english[1].endswith("— 200,000 VND (150,000 VND still owed)")


def test_nothing_owed_lists_no_sale(
    owner_ctx: ServiceContext, clock: FixedClock, variant: int, hien: int
) -> None:
    sell(owner_ctx, clock, variant, hien, 2)
    account.receive_payment(owner_ctx, hien, 200_000)
    text = account_reminder(owner_ctx, hien)
    assert listed(text) == []
    assert "Còn nợ: 0 ₫" in text


def test_a_refund_comes_off_its_sale_and_older_debt_is_not_a_sale(
    owner_ctx: ServiceContext, clock: FixedClock, variant: int, hien: int
) -> None:
    account.adjust_balance(owner_ctx, hien, 500_000, "Nợ cũ trong sổ")
    returned = sell(owner_ctx, clock, variant, hien, 3)  # 300,000, then 100,000 back
    line = svc.order_detail(owner_ctx, returned.id).lines[0]
    svc.return_order(owner_ctx, returned.id, {line.id or 0: 1}, reason="Lỗi")
    # Owes 500,000 + 200,000: the sale is open for what is left of it (200,000), the rest
    # is the older debt of the adjustment, summed below the list.
    text = account_reminder(owner_ctx, hien)
    (only,) = listed(text)
    assert only.startswith(f"• {returned.external_id} —") and only.endswith("— 200.000 ₫")
    assert "Nợ cũ và điều chỉnh: +500.000 ₫" in text and "Còn nợ: 700.000 ₫" in text


def test_more_open_sales_than_listed_are_counted(
    owner_ctx: ServiceContext, clock: FixedClock, variant: int, hien: int
) -> None:
    for _ in range(REMINDER_SALES + 3):
        sell(owner_ctx, clock, variant, hien, 1)
    account.receive_payment(owner_ctx, hien, 100_000)  # the oldest is paid
    text = account_reminder(owner_ctx, hien)
    assert len(listed(text)) == REMINDER_SALES
    assert "… và 2 đơn khác" in text
