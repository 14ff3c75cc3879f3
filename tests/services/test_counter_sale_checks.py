"""What a counter sale refuses: COD (nobody delivers it: it was saved completed, with
nothing paid and nothing owed), and cash received past the money ceiling (a barcode
scanned into the cash field: 5,000,008,937,653,245,880 đ with its change). A sale on
account whose total is already refused says that problem only, not also "paid now must
be less than the total 0", and owes nothing below zero."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.domain.order import Order
from primedist.errors import ValidationError
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import MAX_AMOUNT, DraftLine, OrderDraft
from tests.factories import make_customers, make_product
from tests.services.test_orders import count

COD_AT_THE_COUNTER = (
    "A counter sale is not paid on delivery (COD): choose how the customer pays now."
)


@pytest.fixture
def shirt(engine: Engine, owner_ctx: ServiceContext) -> int:
    """AO-S, 99,000 đ, 10 in stock."""
    return make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10)])[0]


def test_a_counter_sale_is_not_cod(engine: Engine, owner_ctx: ServiceContext, shirt: int) -> None:
    draft = OrderDraft(lines=(DraftLine(shirt, 1),), payment_method=PaymentMethod.COD)
    assert svc.quote_order(owner_ctx, draft).problems == (COD_AT_THE_COUNTER,)
    with pytest.raises(ValidationError, match="not paid on delivery"):
        svc.create_order(owner_ctx, draft)
    assert count(engine, Order) == 0
    # A phone order is delivered: COD, as ever.
    phone = OrderDraft(lines=(DraftLine(shirt, 1),), source=OrderSource.PHONE,
                       payment_method=PaymentMethod.COD)  # fmt: skip
    assert svc.quote_order(owner_ctx, phone).problems == ()
    svc.create_order(owner_ctx, phone)


def test_cash_past_the_ceiling_is_refused(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    scanned = 5_000_008_937_653_245_880
    draft = OrderDraft(lines=(DraftLine(shirt, 1),), cash_received=scanned)
    quote = svc.quote_order(owner_ctx, draft)
    assert quote.problems == ("The cash received cannot be more than 1,000,000,000,000.",)
    assert quote.change_due is None
    with pytest.raises(ValidationError, match="cannot be more than"):
        svc.create_order(owner_ctx, draft)
    assert count(engine, Order) == 0
    # The ceiling itself is still cash (a huge note count, not a typo's extra digits).
    most = OrderDraft(lines=(DraftLine(shirt, 1),), cash_received=MAX_AMOUNT)
    assert svc.create_order(owner_ctx, most).change_due == MAX_AMOUNT - 99_000


def test_on_account_says_nothing_of_a_refused_total(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    (hoa,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    draft = OrderDraft(lines=(DraftLine(shirt, 1),), customer_id=hoa, order_discount=999_999,
                       payment_method=PaymentMethod.ON_ACCOUNT, paid_now=10_000)  # fmt: skip
    quote = svc.quote_order(owner_ctx, draft)
    assert quote.problems == ("The order discount must be between 0 and 99,000.",)
    assert (quote.total, quote.owed) == (0, 0)  # not −10,000 owed
    # Nobody to owe it is said all the same: it is not the total's problem.
    walk_in = svc.quote_order(owner_ctx, OrderDraft(
        lines=(DraftLine(shirt, 1),), order_discount=999_999,
        payment_method=PaymentMethod.ON_ACCOUNT, paid_now=10_000))  # fmt: skip
    assert walk_in.problems == (
        "The order discount must be between 0 and 99,000.",
        "A sale on account needs a customer: choose who owes it.",
    )
    # A total that stands: paid now is checked against it.
    fine = OrderDraft(lines=(DraftLine(shirt, 1),), customer_id=hoa, paid_now=99_000,
                      payment_method=PaymentMethod.ON_ACCOUNT)  # fmt: skip
    assert any("Paid now must be less than" in p for p in svc.quote_order(owner_ctx, fine).problems)
