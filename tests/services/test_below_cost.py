"""A sale line priced below the variant's cost is flagged in the quote (for everyone who
sells); the cost itself is only in the quote of a user with Analytics access."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Module, Role
from primedist.domain.product import Variant
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft, create_order, quote_order
from tests.factories import make_product

variants_t = table_of(Variant)


def shirt_costing(engine: Engine, cost: int) -> int:
    (vid,) = make_product(engine, "Áo thun", [("AO-S", 99_000, 50)])
    with engine.begin() as conn:
        conn.execute(variants_t.update().where(variants_t.c.id == vid).values(cost=cost))
    return vid


def flags(ctx: ServiceContext, *lines: DraftLine) -> list[tuple[bool, int | None]]:
    quote = quote_order(ctx, OrderDraft(tuple(lines)))
    return [(line.below_cost, line.unit_cost) for line in quote.lines]


def test_below_cost_lines_are_flagged_with_the_cost_for_analytics_users(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    vid = shirt_costing(engine, 85_000)
    assert flags(owner_ctx, DraftLine(vid, 2)) == [(False, 85_000)]  # list price 99,000
    assert flags(owner_ctx, DraftLine(vid, 2, unit_price=80_000)) == [(True, 85_000)]
    assert flags(owner_ctx, DraftLine(vid, 2, discount=30_000)) == [(True, 85_000)]  # 84,000 each
    assert flags(owner_ctx, DraftLine(vid, 2, discount=28_000)) == [(False, 85_000)]  # at cost
    cashier = owner_ctx.with_actor(
        Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset({Module.ORDERS}))
    )
    assert flags(cashier, DraftLine(vid, 1, unit_price=80_000)) == [(True, None)]
    # A warning only: the sale is saved as typed.
    order = create_order(owner_ctx, OrderDraft((DraftLine(vid, 1, unit_price=80_000),)))
    assert order.total == 80_000


def test_no_cost_means_no_warning(engine: Engine, owner_ctx: ServiceContext) -> None:
    vid = shirt_costing(engine, 0)
    assert flags(owner_ctx, DraftLine(vid, 1, unit_price=1_000)) == [(False, None)]
    with engine.connect() as conn:
        assert conn.execute(sa.select(variants_t.c.cost)).scalar_one() == 0
