"""An order's detail gives the lines' unit costs and its gross profit only to a user who
sees Analytics: the shop's costs are not for Orders-only staff (as the sale's quote)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.base import table_of
from primedist.domain.enums import Module, Role
from primedist.domain.order import OrderLine
from primedist.domain.product import Variant
from primedist.services import staff
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft, create_order, order_detail
from tests.factories import make_product

variants_t = table_of(Variant)
lines_t = table_of(OrderLine)


def counter_sale(engine: Engine, owner_ctx: ServiceContext) -> int:
    """A counter sale of 2 shirts at 99,000 that cost 60,000 each."""
    (vid,) = make_product(engine, "Áo thun", [("AO-S", 99_000, 50)])
    with engine.begin() as conn:
        conn.execute(variants_t.update().where(variants_t.c.id == vid).values(cost=60_000))
    order = create_order(owner_ctx, OrderDraft((DraftLine(vid, 2),)))
    assert order.id is not None
    return order.id


def staff_ctx(owner_ctx: ServiceContext, email: str, modules: list[Module]) -> ServiceContext:
    issued = staff.add_staff(owner_ctx, name=email, email=email, role=Role.STAFF,
                             modules=modules)  # fmt: skip
    m = issued.member
    return owner_ctx.with_actor(Actor(m.id, m.name, m.email, m.role, m.modules))


def test_orders_only_staff_get_no_costs_and_no_profit(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    order_id = counter_sale(engine, owner_ctx)
    cashier = staff_ctx(owner_ctx, "lan@x.vn", [Module.ORDERS])
    detail = order_detail(cashier, order_id)
    assert [line.unit_cost for line in detail.lines] == [None]
    assert detail.gross_profit is None
    # The rest of the line is there (the detail, returns and printing use it) …
    assert [(line.quantity, line.subtotal) for line in detail.lines] == [(2, 198_000)]
    # … and the stored cost is untouched.
    with engine.connect() as conn:
        assert conn.execute(sa.select(lines_t.c.unit_cost)).scalars().all() == [60_000]


def test_analytics_users_get_the_costs_and_the_profit(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    order_id = counter_sale(engine, owner_ctx)
    analyst = staff_ctx(owner_ctx, "mai@x.vn", [Module.ORDERS, Module.ANALYTICS])
    for ctx in (owner_ctx, analyst):
        detail = order_detail(ctx, order_id)
        assert [line.unit_cost for line in detail.lines] == [60_000]
        assert detail.gross_profit == 198_000 - 2 * 60_000


def test_costs_follow_the_account_as_it_stands_now(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    """Analytics taken away from a user already signed in: their next detail has no costs."""
    order_id = counter_sale(engine, owner_ctx)
    analyst = staff_ctx(owner_ctx, "mai@x.vn", [Module.ORDERS, Module.ANALYTICS])
    assert order_detail(analyst, order_id).gross_profit == 78_000
    staff.update_staff(owner_ctx, analyst.actor.id or 0, name="mai", role=Role.STAFF,
                       modules=[Module.ORDERS])  # fmt: skip
    assert order_detail(analyst, order_id).gross_profit is None
