"""The quote of a sale whose lines are refused says what is wrong with the lines only —
not that the order discount "must be between 0 and −101,000" — and no total comes to less
than nothing (a discount over its line or over the order: it cannot be saved anyway)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import PaymentMethod
from primedist.errors import ValidationError
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_product


@pytest.fixture
def shirt(engine: Engine, owner_ctx: ServiceContext) -> int:
    """AO-S, 99,000 đ, 10 in stock."""
    return make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10)])[0]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ({"discount": 200_000}, "Line 1 (AO-S): the discount must be between 0 and 99,000."),
        ({"unit_price": -1}, "Line 1 (AO-S): the price cannot be negative."),
        ({"quantity": -2}, "Line 1 (AO-S): the quantity must be at least 1."),
    ],
)
def test_a_refused_line_is_the_only_problem_and_the_total_is_not_negative(
    owner_ctx: ServiceContext, shirt: int, line: dict[str, int], problem: str
) -> None:
    draft = OrderDraft(lines=(DraftLine(shirt, **{"quantity": 1, **line}),))
    quote = svc.quote_order(owner_ctx, draft)
    assert quote.problems == (problem,)
    assert quote.subtotal <= 0 and quote.total == 0
    with pytest.raises(ValidationError, match="Line 1"):  # the sale stops at the line
        svc.create_order(owner_ctx, draft)


def test_an_order_discount_over_the_goods_leaves_a_total_of_nothing(
    owner_ctx: ServiceContext, shirt: int
) -> None:
    draft = OrderDraft(lines=(DraftLine(shirt, 1),), order_discount=150_000,
                       cash_received=100_000)  # fmt: skip
    quote = svc.quote_order(owner_ctx, draft)
    assert quote.problems == ("The order discount must be between 0 and 99,000.",)
    assert (quote.total, quote.change_due) == (0, 100_000)
    on_account = svc.quote_order(owner_ctx, OrderDraft(
        lines=(DraftLine(shirt, 1),), order_discount=150_000,
        payment_method=PaymentMethod.ON_ACCOUNT))  # fmt: skip
    assert (on_account.total, on_account.owed) == (0, 0)


def test_a_sale_that_adds_up_is_priced_as_before(owner_ctx: ServiceContext, shirt: int) -> None:
    draft = OrderDraft(lines=(DraftLine(shirt, 2, discount=8_000),), order_discount=90_000,
                       shipping_fee=30_000)  # fmt: skip
    quote = svc.quote_order(owner_ctx, draft)
    assert quote.problems == ()
    assert (quote.subtotal, quote.total) == (190_000, 130_000)
    assert svc.create_order(owner_ctx, draft).total == 130_000
