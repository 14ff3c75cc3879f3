"""An exchange's new sale redeems points as the return leaves them: the returned items'
earned points taken back, the points paid on them given back. The preview
(`quote_exchange`) and the save (`exchange_order`) agree."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import OrderStatus, PointsKind
from primedist.domain.loyalty import PointsEntry
from primedist.errors import ValidationError
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.exchange import ExchangeDraft, exchange_order, quote_exchange
from primedist.services.loyalty.points import adjust_points
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_customers, make_product
from tests.services.loyalty.conftest import customer

entries_t = table_of(PointsEntry)


@pytest.fixture
def sizes(engine: Engine) -> list[int]:
    """Váy size S and M, 299,000 đ each, 10 of each in stock."""
    return make_product(engine, "Váy lụa", [("VAY-S", 299_000, 10), ("VAY-M", 299_000, 10)])


@pytest.fixture
def cid(engine: Engine) -> int:
    return make_customers(engine, 1, names=["Khách Đổi Hàng"])[0]


def sold(
    ctx: ServiceContext, variant: int, cid: int, qty: int = 1, points: int = 0
) -> tuple[int, int]:
    created = svc.create_order(ctx, OrderDraft(lines=(DraftLine(variant, qty),), customer_id=cid,
                                               points=points))  # fmt: skip
    return created.id, svc.order_detail(ctx, created.id).lines[0].id or 0


def for_size(variant: int, order_id: int, line_id: int, points: int, qty: int = 1) -> ExchangeDraft:
    sale = OrderDraft(lines=(DraftLine(variant, qty),), points=points)
    return ExchangeDraft(order_id, {line_id: qty}, "Đổi size", sale)


def ledger_ends_at_the_balance(engine: Engine, cid: int) -> None:
    e = entries_t.c
    with engine.connect() as conn:
        last = conn.execute(sa.select(e.balance_after).where(e.customer_id == cid)
                            .order_by(e.id.desc()).limit(1)).scalar_one()  # fmt: skip
        total = conn.execute(sa.select(sa.func.sum(e.delta))
                             .where(e.customer_id == cid)).scalar_one()  # fmt: skip
    assert last == total == customer(engine, cid).points_balance


def test_points_earned_by_the_returned_items_cannot_pay_for_the_new_sale(
    engine: Engine, owner_ctx: ServiceContext, sizes: list[int], cid: int
) -> None:
    old, line = sold(owner_ctx, sizes[0], cid)
    assert customer(engine, cid).points_balance == 29  # earned on 299,000 đ
    draft = for_size(sizes[1], old, line, points=29)

    quoted = quote_exchange(owner_ctx, draft)

    # The preview says what the save says: the 29 points go with the returned dress.
    assert quoted.points_balance == 0
    assert quoted.quote.points_discount == 0
    assert [p for p in quoted.problems if "points" in p] == ["Khách Đổi Hàng has only 0 points."]
    with pytest.raises(ValidationError, match="only 0 points"):
        exchange_order(owner_ctx, draft)
    # The preview wrote nothing.
    assert customer(engine, cid).points_balance == 29
    assert svc.order_detail(owner_ctx, old).order.status == OrderStatus.COMPLETED


def test_points_paid_on_the_returned_items_pay_for_the_new_sale(
    engine: Engine, owner_ctx: ServiceContext, sizes: list[int], cid: int
) -> None:
    adjust_points(owner_ctx, cid, 100, "tặng")
    old, line = sold(owner_ctx, sizes[0], cid, points=100)  # 199,000 đ + 100 points
    assert customer(engine, cid).points_balance == 19
    draft = for_size(sizes[1], old, line, points=100)

    quoted = quote_exchange(owner_ctx, draft)

    assert not quoted.problems
    assert quoted.points_balance == 100  # 19 earned taken back, 100 given back
    assert quoted.quote.points_discount == 100_000
    assert customer(engine, cid).points_balance == 19  # the preview wrote nothing
    done = exchange_order(owner_ctx, draft)
    assert (done.credit, done.to_pay) == (quoted.credit, quoted.to_pay) == (199_000, 0)
    new = svc.order_detail(owner_ctx, done.created.id).order
    assert (new.points_used, new.points_discount) == (100, 100_000)
    assert customer(engine, cid).points_balance == 19  # earned on the new 199,000 đ
    ledger_ends_at_the_balance(engine, cid)
    e = entries_t.c
    with engine.connect() as conn:
        kinds = conn.execute(sa.select(e.kind, e.delta).where(e.order_id == old)
                             .order_by(e.id)).all()  # fmt: skip
    assert [(k, d) for k, d in kinds][-2:] == [(PointsKind.EARN, -19), (PointsKind.REFUND, 100)]


def test_a_partial_exchange_frees_the_returned_items_share_of_the_points(
    engine: Engine, owner_ctx: ServiceContext, sizes: list[int], cid: int
) -> None:
    adjust_points(owner_ctx, cid, 100, "tặng")
    old, line = sold(owner_ctx, sizes[0], cid, qty=2, points=100)  # 498,000 đ + 100 points
    assert customer(engine, cid).points_balance == 49
    draft = for_size(sizes[1], old, line, points=74)

    quoted = quote_exchange(owner_ctx, draft)

    # 49 − 25 (earned on the returned half) + 50 (its half of the points paid).
    assert quoted.points_balance == 74
    assert not quoted.problems
    done = exchange_order(owner_ctx, draft)
    assert done.to_pay == quoted.to_pay
    assert svc.order_detail(owner_ctx, done.created.id).order.points_used == 74
    ledger_ends_at_the_balance(engine, cid)
