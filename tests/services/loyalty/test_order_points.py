# ruff: noqa: F811  (pytest fixtures imported from the partial-return points tests)
"""How an order's points moved after the sale, as the order detail (and so its reprinted
receipt) reads them from the ledger: the redeemed points given back and the earned points
taken back by a return. Real migrated store, orders made and returned through the
services."""

from __future__ import annotations

import pytest

from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.points import OrderPoints, taken_back
from primedist.services.loyalty.settings import PointsSettings, save_points_settings
from tests.services.loyalty.test_points_partial_return import (  # noqa: F401  (fixtures)
    cid,
    dress,
    paid_with_points,
)


def points_of(ctx: ServiceContext, order_id: int) -> OrderPoints:
    return svc.order_detail(ctx, order_id).points


def test_a_partial_return_gives_back_redeemed_points_and_takes_back_earned_ones(
    owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    # 2 dresses (598,000) − 100 points = 498,000: 49 points earned.
    oid, line = paid_with_points(owner_ctx, dress, cid, 2)
    assert points_of(owner_ctx, oid) == OrderPoints(0, 0)  # nothing moved yet

    svc.return_order(owner_ctx, oid, {line: 1}, reason="Trả 1")
    # Half the redeemed points back; 249,000 kept earns 24 of the 49.
    assert points_of(owner_ctx, oid) == OrderPoints(given_back=50, taken_back=25)

    svc.return_order(owner_ctx, oid, {line: 1}, reason="Trả nốt")
    assert points_of(owner_ctx, oid) == OrderPoints(given_back=100, taken_back=49)


def test_the_points_taken_back_are_the_ledgers_not_the_rules_of_today(
    owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    """The shop's rate changes after the sale: the order keeps the rate it earned at, and
    the receipt says what its ledger rows took back (25), not what today's rate would
    make of the return (498,000 ÷ 50,000 − 249,000 ÷ 50,000 = 5)."""
    oid, line = paid_with_points(owner_ctx, dress, cid, 2)
    save_points_settings(owner_ctx, PointsSettings(earn_per=50_000))
    svc.return_order(owner_ctx, oid, {line: 1}, reason="Trả 1")
    assert points_of(owner_ctx, oid).taken_back == 25


def test_no_points_moved_without_a_customer_or_with_earning_off(
    owner_ctx: ServiceContext, dress: int, cid: int
) -> None:
    walk_in = svc.create_order(owner_ctx, svc.OrderDraft(lines=(svc.DraftLine(dress, 2),)))
    line = svc.order_detail(owner_ctx, walk_in.id).lines[0].id or 0
    svc.return_order(owner_ctx, walk_in.id, {line: 1}, reason="Trả 1")
    assert points_of(owner_ctx, walk_in.id) == OrderPoints(0, 0)

    save_points_settings(owner_ctx, PointsSettings(earn_per=0))
    sale = svc.create_order(owner_ctx, svc.OrderDraft(lines=(svc.DraftLine(dress, 2),),
                                                      customer_id=cid))  # fmt: skip
    line = svc.order_detail(owner_ctx, sale.id).lines[0].id or 0
    svc.return_order(owner_ctx, sale.id, {line: 1}, reason="Trả 1")
    assert points_of(owner_ctx, sale.id) == OrderPoints(0, 0)


@pytest.mark.parametrize(("deltas", "taken"), [
    ([], 0),
    ([49], 0),
    ([49, -25], 25),  # a partial return
    ([49, -25, -24], 49),  # then the rest
    ([30, -30, 30], 0),  # reversed, then completed again: nothing taken in the end
    ([30, -30, 30, -10], 10),
    ([20, 10, -5], 5),  # corrected up, then a return
])  # fmt: skip
def test_taken_back_is_the_most_earned_less_what_is_kept(deltas: list[int], taken: int) -> None:
    assert taken_back(deltas) == taken
