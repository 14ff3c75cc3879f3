"""Customers put in a group (level) by hand: the wholesale buyers of a group without a
purchase threshold get its prices, and the automatic upgrade leaves them alone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import Module, Role
from primedist.errors import NotFound, PermissionDenied
from primedist.services.context import Actor, ServiceContext
from primedist.services.customers import merge_customers
from primedist.services.loyalty import levels, ranks
from primedist.services.orders import DraftLine, OrderDraft, quote_order
from tests.factories import make_product
from tests.services.loyalty.conftest import customer, customers_with

audit_t = table_of(AuditEvent)


def test_a_group_given_by_hand_brings_its_prices_and_survives_the_recompute(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    wholesale = levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    levels.save_level(owner_ctx, name="VIP", code="VIP", upgrade_threshold=2_000_000)
    (shirt,) = make_product(engine, "Áo thun", [("AO-S", 99_000, 50)])
    levels.set_level_price(owner_ctx, wholesale, "AO-S", 70_000)
    big, small = customers_with(engine, [{"total_expenses": 5_000_000}, {"total_expenses": 0}])

    assert levels.set_customers_level(owner_ctx, wholesale, [big, small, big]) == 2

    draft = OrderDraft((DraftLine(shirt, 10),), customer_id=small)
    line = quote_order(owner_ctx, draft).lines[0]
    assert (line.unit_price, line.price_level) == (70_000, "Khách sỉ")
    # A sale below the group's price: the member pays the shelf price, never more.
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET discount_price = 65000 WHERE id = :v"),
                     {"v": shirt})  # fmt: skip
    line = quote_order(owner_ctx, draft).lines[0]
    assert (line.unit_price, line.price_level) == (65_000, None)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET discount_price = NULL WHERE id = :v"),
                     {"v": shirt})  # fmt: skip
    ranks.recompute_ranks(owner_ctx)  # big has spent past VIP's threshold: stays wholesale
    assert [(customer(engine, c).level_id, customer(engine, c).level_pinned)
            for c in (big, small)] == [(wholesale, True), (wholesale, True)]  # fmt: skip
    assert next(r for r in levels.list_levels(owner_ctx) if r.id == wholesale).members == 2

    ranks.set_pinned(owner_ctx, big, False)  # a group without threshold is only by hand
    ranks.recompute_ranks(owner_ctx)
    assert customer(engine, big).level_id == wholesale
    assert ranks.rank_status(owner_ctx, small).level_id == wholesale
    assert ranks.rank_status(owner_ctx, small).pinned  # the level is pinned, not the rank
    assert not customer(engine, small).rank_pinned
    with engine.connect() as conn:  # the audit says how customers join each group
        summaries = conn.execute(sa.select(audit_t.c.summary).where(
            audit_t.c.action == "level.create").order_by(audit_t.c.id)).scalars().all()
    assert summaries == ["SI Khách sỉ (no automatic upgrade)",
                         "VIP VIP (customers who spent 2,000,000 join it)"]  # fmt: skip


def test_no_group_takes_the_group_off_and_keeps_it_off(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP", upgrade_threshold=1_000_000)
    (cid,) = customers_with(engine, [{"total_expenses": 3_000_000, "level_id": vip}])
    assert levels.set_customers_level(owner_ctx, None, [cid]) == 1
    ranks.recompute_ranks(owner_ctx)
    assert (customer(engine, cid).level_id, customer(engine, cid).level_pinned) == (None, True)
    # Asked again: nobody moves, but the audit says who asked.
    assert levels.set_customers_level(owner_ctx, None, [cid]) == 0
    with engine.connect() as conn:
        summaries = conn.execute(
            sa.select(audit_t.c.summary).where(audit_t.c.action == "level.assign")
        ).scalars().all()  # fmt: skip
    assert summaries == ["—: 1 of 1 customers given this level by hand",
                         "—: 0 of 1 customers given this level by hand"]  # fmt: skip
    ranks.set_pinned(owner_ctx, cid, False)  # unpinned: the upgrade applies again
    ranks.recompute_ranks(owner_ctx)
    assert customer(engine, cid).level_id == vip


def test_deleted_and_merged_customers_are_skipped(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    level = levels.save_level(owner_ctx, name="Sỉ", code="SI")
    gone, survivor, merged = customers_with(engine, [{"deleted_at": clock.now()}, {}, {}])
    merge_customers(owner_ctx, survivor, [merged])
    assert levels.set_customers_level(owner_ctx, level, [gone, survivor, merged]) == 1
    assert [customer(engine, c).level_id for c in (gone, survivor, merged)] == [None, level, None]


def test_an_unknown_group_or_a_user_without_customers_is_refused(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    (cid,) = customers_with(engine, [{}])
    with pytest.raises(NotFound):
        levels.set_customers_level(owner_ctx, 999, [cid])
    level = levels.save_level(owner_ctx, name="Sỉ", code="SI")
    cashier = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.ORDERS}))
    )
    with pytest.raises(PermissionDenied):
        levels.set_customers_level(cashier, level, [cid])
    assert customer(engine, cid).level_id is None


def test_groups_and_their_prices_are_set_by_the_owner_or_a_manager(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    from primedist.domain.enums import Module, Role
    from primedist.errors import PermissionDenied
    from primedist.services.context import Actor

    make_product(engine, "Áo thun", [("AO-S", 99_000, 50)])
    clerk = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.CUSTOMERS, Module.SETTINGS}))
    )
    with pytest.raises(PermissionDenied):
        levels.save_level(clerk, name="Khách sỉ", code="SI")
    wholesale = levels.save_level(owner_ctx, name="Khách sỉ", code="SI")
    for change in (lambda: levels.set_level_price(clerk, wholesale, "AO-S", 0),
                   lambda: levels.delete_level(clerk, wholesale)):  # fmt: skip
        with pytest.raises(PermissionDenied):
            change()
    assert levels.level_prices(owner_ctx, wholesale) == []
