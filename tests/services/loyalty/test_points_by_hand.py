"""Points adjusted by hand: money off, so the owner or a manager only (as what a customer
owes); points added count as earned, so remaining never exceeds earned."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.domain.base import table_of
from primedist.domain.enums import Module, Role
from primedist.domain.loyalty import PointsEntry
from primedist.domain.user import User
from primedist.errors import PermissionDenied
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import customer_profile
from primedist.services.customers import merge_customers
from primedist.services.loyalty.points import adjust_points
from tests.services.loyalty.conftest import customer, customers_with

entries_t = table_of(PointsEntry)


def account(owner_ctx: ServiceContext, email: str, role: Role) -> ServiceContext:
    """A real account with Customers access, signed in."""
    staff.add_staff(owner_ctx, name=email.split("@")[0], email=email, role=role,
                    modules=[Module.CUSTOMERS, Module.ORDERS])  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        return owner_ctx.with_actor(auth.actor_for(session, user))


def test_staff_cannot_give_points_but_a_manager_can(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 40, "points_earned": 40}])
    clerk = account(owner_ctx, "thu.ngan@shop.vn", Role.STAFF)
    for delta in (1_000_000, -40):
        with pytest.raises(PermissionDenied, match="owner or a manager"):
            adjust_points(clerk, cid, delta, "khách quen")
    row = customer(engine, cid)
    assert (row.points_balance, row.points_earned) == (40, 40)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(entries_t)).scalar_one() == 0
    manager = account(owner_ctx, "quan.ly@shop.vn", Role.MANAGER)
    assert adjust_points(manager, cid, 10, "quà sinh nhật") == 50


def test_points_added_by_hand_count_as_earned(engine: Engine, owner_ctx: ServiceContext) -> None:
    (cid,) = customers_with(engine, [{"points_balance": 4_711, "points_earned": 4_711}])
    adjust_points(owner_ctx, cid, 500, "quà tri ân")
    row = customer(engine, cid)
    assert (row.points_balance, row.points_earned) == (5_211, 5_211)
    # Points taken by hand leave what was earned (as a redemption does).
    adjust_points(owner_ctx, cid, -211, "đổi quà")
    row = customer(engine, cid)
    assert (row.points_balance, row.points_earned) == (5_000, 5_211)
    detail = customer_profile(owner_ctx, cid)
    assert (detail.points_balance, detail.points_earned) == (5_000, 5_211)


def test_a_merge_keeps_the_points_earned_by_hand(engine: Engine, owner_ctx: ServiceContext) -> None:
    keep, other = customers_with(engine, [{}, {}])
    adjust_points(owner_ctx, keep, 300, "quà")
    adjust_points(owner_ctx, other, 200, "quà")
    merge_customers(owner_ctx, keep, [other])
    row = customer(engine, keep)
    assert (row.points_balance, row.points_earned) == (500, 500)
