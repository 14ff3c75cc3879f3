"""Points paid on a sale come back with its goods: a partial return gives back the
returned goods' share of them, later returns the rest, never more than was redeemed;
End of day counts only the cash."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import OrderStatus, PaymentMethod, PointsKind
from primedist.domain.loyalty import PointsEntry
from primedist.domain.order import Order
from primedist.services import end_of_day as eod
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import adjust_points, reconcile_order_points
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_customers, make_product
from tests.services.loyalty.conftest import customer

entries_t = table_of(PointsEntry)
orders_t = table_of(Order)


@pytest.fixture
def dress(engine: Engine) -> int:
    """A 299,000 đ dress, 20 in stock."""
    return make_product(engine, "Váy lụa", [("VAY-1", 299_000, 20)])[0]


@pytest.fixture
def cid(engine: Engine, owner_ctx: ServiceContext) -> int:
    """A customer given 100 points (1,000 đ each)."""
    (customer_id,) = make_customers(engine, 1, names=["Khách Trả Một Nửa"])
    adjust_points(owner_ctx, customer_id, 100, "tặng")
    return customer_id


def paid_with_points(ctx: ServiceContext, dress: int, cid: int, qty: int) -> tuple[int, int]:
    """A counter sale of `qty` dresses paying 100 points (100,000 đ), the rest in cash;
    returns (order id, its line id)."""
    created = svc.create_order(ctx, OrderDraft(lines=(DraftLine(dress, qty),), customer_id=cid,
                                               points=100))  # fmt: skip
    return created.id, svc.order_detail(ctx, created.id).lines[0].id or 0


def given_back(engine: Engine, order_id: int) -> list[tuple[Any, ...]]:
    """The order's `refund` rows of the ledger: (delta, balance after, reason)."""
    e = entries_t.c
    refunds = sa.and_(e.order_id == order_id, e.kind == PointsKind.REFUND.value)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(e.delta, e.balance_after, e.reason).where(refunds)
                            .order_by(e.id))  # fmt: skip
        return [tuple(r) for r in rows]


def last_balance(engine: Engine, cid: int) -> int:
    e = entries_t.c
    with engine.connect() as conn:
        return int(conn.execute(sa.select(e.balance_after).where(e.customer_id == cid)
                                .order_by(e.id.desc()).limit(1)).scalar_one())  # fmt: skip


def test_a_partial_return_gives_back_the_returned_items_share_of_the_points(
    engine: Engine, owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    oid, line = paid_with_points(owner_ctx, dress, cid, 2)  # 598,000 − 100,000 = 498,000
    number = svc.order_detail(owner_ctx, oid).order.external_id
    assert customer(engine, cid).points_balance == 49  # 100 − 100 + 49 earned

    result = svc.return_order(owner_ctx, oid, {line: 1}, reason="Trả 1")

    # Half the cash and half the points: the kept dress cost 249,000 đ + 50 points.
    assert result.refund_amount == 249_000
    assert given_back(engine, oid) == [
        (50, 74, f"Given back: points redeemed on returned items of {number}")
    ]
    row = customer(engine, cid)
    assert (row.points_balance, row.points_earned) == (24 + 50, 124)
    assert last_balance(engine, cid) == row.points_balance
    # Idempotent: the order again writes nothing.
    with engine.begin() as conn:
        assert reconcile_order_points(conn, [oid], owner_ctx.clock.now()) == 0

    # The last dress back: the rest of the points, never more than were redeemed.
    svc.return_order(owner_ctx, oid, {line: 1}, reason="Trả nốt")
    assert svc.order_detail(owner_ctx, oid).order.status == OrderStatus.RETURNED
    assert [d for d, *_ in given_back(engine, oid)] == [50, 50]
    row = customer(engine, cid)
    assert row.points_balance == 100  # as before the sale: nothing earned, all given back
    assert last_balance(engine, cid) == 100


def test_shares_round_down_and_the_last_item_gives_back_the_rest(
    engine: Engine, owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    oid, line = paid_with_points(owner_ctx, dress, cid, 3)
    for _ in range(3):
        svc.return_order(owner_ctx, oid, {line: 1}, reason="Lỗi")
    assert [d for d, *_ in given_back(engine, oid)] == [33, 33, 34]
    assert customer(engine, cid).points_balance == 100


def test_returned_as_a_status_after_a_partial_return_gives_back_what_is_left(
    engine: Engine, owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    oid, line = paid_with_points(owner_ctx, dress, cid, 4)
    svc.return_order(owner_ctx, oid, {line: 1}, reason="Lỗi")
    svc.change_status(owner_ctx, oid, OrderStatus.RETURN_REFUND, reason="Trả hết")
    svc.change_status(owner_ctx, oid, OrderStatus.RETURNED, reason="Trả hết")
    assert [d for d, *_ in given_back(engine, oid)] == [25, 75]
    assert customer(engine, cid).points_balance == 100


def test_cancelled_after_a_partial_return_gives_back_only_what_is_left(
    engine: Engine, owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    """An order ending cancelled (as a marketplace sync may write it) gets back the
    points not given back yet, not all of them again."""
    oid, line = paid_with_points(owner_ctx, dress, cid, 2)
    svc.return_order(owner_ctx, oid, {line: 1}, reason="Trả 1")
    with engine.begin() as conn:
        conn.execute(orders_t.update().where(orders_t.c.id == oid)
                     .values(status=OrderStatus.CANCELLED.value))  # fmt: skip
        reconcile_order_points(conn, [oid], owner_ctx.clock.now())
    assert [d for d, *_ in given_back(engine, oid)] == [50, 50]
    assert customer(engine, cid).points_balance == 100


def test_the_return_dialogs_figure_is_what_the_ledger_gives_back(
    engine: Engine, owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    oid, line = paid_with_points(owner_ctx, dress, cid, 3)
    detail = svc.order_detail(owner_ctx, oid)
    assert svc.points_back(detail.order, detail.lines, {line: 2}) == 66
    assert svc.points_back(detail.order, detail.lines, {line: 3}) == 100
    svc.return_order(owner_ctx, oid, {line: 2}, reason="Lỗi")
    detail = svc.order_detail(owner_ctx, oid)
    assert svc.points_back(detail.order, detail.lines, {line: 1}) == 34
    assert [d for d, *_ in given_back(engine, oid)] == [66]


def test_end_of_day_counts_the_cash_refund_not_the_points(
    engine: Engine, owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    oid, line = paid_with_points(owner_ctx, dress, cid, 2)
    svc.return_order(owner_ctx, oid, {line: 1}, reason="Trả 1")
    day = eod.end_of_day(owner_ctx)
    cash = next(p for p in day.payments if p.method == PaymentMethod.CASH)
    assert (cash.total, cash.refunded, cash.net) == (498_000, 249_000, 249_000)
    assert day.cash_in_drawer == 249_000
