"""A count made from the report on screen names what the drawer should hold as shown: when
cash came in or went out since (another till's sale), the count is refused with what the
drawer should hold now, and nothing is recorded; the command line names none and is not
checked. A count keeps the view it belongs to (shops and staff member by id)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.domain.enums import PaymentMethod
from primedist.errors import Conflict
from primedist.services import end_of_day as eod
from primedist.services import till
from primedist.services.context import ServiceContext
from tests.factories import make_product, make_shop
from tests.services.test_end_of_day import DAY, at, sell


def test_a_sale_since_the_report_was_shown_refuses_the_count(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 100_000, 50)])
    at(clock, 10)
    sell(owner_ctx, [(shirt, 2)], PaymentMethod.CASH)
    shown = eod.end_of_day(owner_ctx, DAY)
    assert shown.cash_in_drawer == 200_000
    at(clock, 21)
    sell(owner_ctx, [(shirt, 3)], PaymentMethod.CASH)  # another cashier, meanwhile
    with pytest.raises(Conflict) as refused:
        till.close_till(owner_ctx, DAY, opening_float=100_000, counted=300_000,
                        expected=100_000 + shown.cash_in_drawer)  # fmt: skip
    assert str(refused.value) == (
        "Cash came in or went out since the report was shown: the drawer should now hold "
        "600,000 đ. Check the count again."
    )
    assert till.till_counts(owner_ctx, DAY) == []
    # Counted against what the drawer holds now: recorded.
    count = till.close_till(owner_ctx, DAY, opening_float=100_000, counted=600_000,
                            expected=600_000)  # fmt: skip
    assert (count.expected, count.difference) == (600_000, 0)
    # The command line names no figure: no check.
    cli = till.close_till(owner_ctx, DAY, opening_float=0, counted=450_000)
    assert (cli.expected, cli.difference) == (500_000, -50_000)


def test_a_count_keeps_the_shops_and_staff_member_by_id(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    shopee = make_shop(engine, "Shopee Lan")
    at(clock, 21)
    owner = owner_ctx.actor.id
    one = till.close_till(owner_ctx, DAY, opening_float=0, counted=0, shop_ids=[shopee],
                          staff_id=owner)  # fmt: skip
    everyone = till.close_till(owner_ctx, DAY, opening_float=0, counted=0)
    assert (one.shop_ids, one.staff_id, one.shops) == ((shopee,), owner, ("Shopee Lan",))
    assert (everyone.shop_ids, everyone.staff_id) == ((), None)
