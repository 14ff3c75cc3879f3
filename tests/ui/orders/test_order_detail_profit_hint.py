"""The order detail's gross profit says when lines have no cost: their whole price counts as
profit, which must not read as a real margin (a real migrated database, the dialog shown)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.domain.enums import Module, OrderSource, Role
from primedist.services import orders as svc
from primedist.services.context import Actor, ServiceContext
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_product
from tests.ui.orders.test_order_detail import open_detail, shown_amount


@pytest.fixture
def shirt(engine: Engine, owner_ctx: ServiceContext) -> list[int]:
    """AO-S (99,000 đ, 10 in stock) and AO-M (120,000 đ, 3 in stock), no cost given."""
    return make_product(engine, "Áo thun cotton", [("AO-S", 99_000, 10), ("AO-M", 120_000, 3)])


def set_cost(engine: Engine, variant_id: int, cost: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET cost = :c WHERE id = :v"),
                     {"c": cost, "v": variant_id})  # fmt: skip


def phone_sale(ctx: ServiceContext, *lines: tuple[int, int]) -> int:
    draft = OrderDraft(lines=tuple(DraftLine(v, q) for v, q in lines), source=OrderSource.PHONE)
    return svc.create_order(ctx, draft).id


def test_lines_without_a_cost_are_named_under_the_gross_profit(
    qtbot, engine: Engine, owner_ctx: ServiceContext, shirt: list[int]
) -> None:
    """AO-S (99,000) costs 60,000; AO-M (120,000) has no cost."""
    s, m = shirt
    set_cost(engine, s, 60_000)
    dialog = open_detail(qtbot, owner_ctx, phone_sale(owner_ctx, (s, 2), (m, 1)))
    assert shown_amount(dialog.money_values["profit"].text()) == 2 * 39_000 + 120_000
    note = dialog.profit_note
    assert note.isVisible()
    assert note.text() == "1 line has no cost: its whole price counts as profit"
    # None of the lines has a cost: the whole subtotal is "profit", and it says so.
    set_cost(engine, s, 0)
    both = open_detail(qtbot, owner_ctx, phone_sale(owner_ctx, (s, 1), (m, 1)))
    assert shown_amount(both.money_values["profit"].text()) == 99_000 + 120_000
    assert both.profit_note.isVisible()
    assert both.profit_note.text() == "2 lines have no cost: their whole price counts as profit"
    # Every line costed: no hint.
    set_cost(engine, s, 60_000)
    costed = open_detail(qtbot, owner_ctx, phone_sale(owner_ctx, (s, 1)))
    assert costed.money_values["profit"].isVisible() and not costed.profit_note.isVisible()
    # Who does not see the profit does not see the hint either.
    staff = Actor(id=None, name="Lan", email="lan@x.vn", role=Role.STAFF,
                  modules=frozenset({Module.ORDERS}))  # fmt: skip
    other = open_detail(qtbot, owner_ctx.with_actor(staff), phone_sale(owner_ctx, (m, 1)))
    assert not other.money_values["profit"].isVisible() and not other.profit_note.isVisible()
