"""`search_referrers`: the customers a name (accents and case aside), a phone or a code
names, a few of them, newest first, never the customer being edited; Customers access."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from primedist.domain.enums import Module, Role
from primedist.domain.user import User
from primedist.errors import PermissionDenied
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import REFERRER_OFFERS, search_referrers
from tests.factories import make_customers, mobile


def test_a_few_customers_by_folded_name_phone_or_code(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    ids = make_customers(engine, REFERRER_OFFERS + 3, names=["Đỗ Thị Hằng"])
    hits = search_referrers(owner_ctx, "do thi hang")
    assert [h.id for h in hits] == ids[::-1][:REFERRER_OFFERS]  # newest first, a few
    assert [h.id for h in search_referrers(owner_ctx, mobile(ids[2]))] == [ids[2]]
    code = hits[0].code
    assert [h.id for h in search_referrers(owner_ctx, code.lower())] == [ids[-1]]
    assert search_referrers(owner_ctx, code, exclude=ids[-1]) == []


def test_a_user_without_customers_access_is_refused(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    staff.add_staff(owner_ctx, name="Thu ngân", email="thu.ngan@shop.vn", role=Role.STAFF,
                    modules=[Module.ORDERS])  # fmt: skip
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "thu.ngan@shop.vn")).one()
        clerk = owner_ctx.with_actor(auth.actor_for(session, user))
    with pytest.raises(PermissionDenied):
        search_referrers(clerk, "hang")
