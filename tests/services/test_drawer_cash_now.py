"""What the drawer should hold now (`end_of_day.drawer_cash_now`): a goods receipt paid in
cash is checked against it. It is End of day's *cash in drawer* of today, every shop and
staff member: cash sales less cash refunds and cash paid to suppliers; yesterday's and other
ways of paying do not count. Products access asks it; without Orders access it says nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.domain.enums import Module, OrderSource, PaymentMethod
from primedist.errors import PermissionDenied
from primedist.services import end_of_day as eod
from primedist.services import goods_receipts as gr
from primedist.services import orders as svc
from primedist.services import suppliers
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_permissions import staff


def at(clock: FixedClock, hour: int, days: int = 0) -> None:
    local = datetime(2026, 11, 20, hour) + timedelta(days=days)
    clock.set((local - timedelta(hours=7)).replace(tzinfo=UTC))


def sell(ctx: ServiceContext, variant: int, qty: int, pay: PaymentMethod) -> None:
    line = svc.DraftLine(variant, qty)
    svc.create_order(ctx, svc.OrderDraft(lines=(line,), source=OrderSource.COUNTER,
                                         payment_method=pay))  # fmt: skip


def test_the_drawer_holds_todays_cash_less_what_went_to_suppliers(
    owner_ctx: ServiceContext, clock: FixedClock, engine: sa.Engine
) -> None:
    [shirt] = make_product(engine, "Áo thun", [("AO-S", 100_000, 50)])
    at(clock, 9, days=-1)
    sell(owner_ctx, shirt, 3, PaymentMethod.CASH)  # yesterday's: not in today's drawer
    at(clock, 10)
    sell(owner_ctx, shirt, 2, PaymentMethod.CASH)
    sell(owner_ctx, shirt, 1, PaymentMethod.BANK_TRANSFER)
    assert eod.drawer_cash_now(owner_ctx) == 200_000
    gr.receive_goods(owner_ctx, gr.ReceiptDraft([gr.ReceiptLine(shirt, 5, 50_000)],
                                                supplier="Gốm Minh Long", paid=150_000,
                                                method=PaymentMethod.CASH))  # fmt: skip
    [ncc] = suppliers.list_suppliers(owner_ctx)
    suppliers.pay_supplier(owner_ctx, ncc.id, 50_000, PaymentMethod.BANK_TRANSFER)  # not cash
    assert eod.drawer_cash_now(owner_ctx) == 50_000
    assert eod.drawer_cash_now(owner_ctx) == eod.end_of_day(owner_ctx).cash_in_drawer
    # A storekeeper who receives goods but does not see the day's takings: nothing said.
    assert eod.drawer_cash_now(staff(owner_ctx, Module.PRODUCTS)) is None
    with pytest.raises(PermissionDenied):
        eod.drawer_cash_now(staff(owner_ctx, Module.ORDERS))
