"""The order detail's gross profit follows the signed-in user's account as it stands now
(the service leaves the costs out), not the rights they had when they signed in."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from primedist.domain.enums import Module, Role
from primedist.services import staff
from primedist.services.context import Actor, ServiceContext
from tests.ui.orders.test_order_detail import open_detail, shown_amount
from tests.ui.orders.test_order_detail_profit_hint import phone_sale, set_cost, shirt

__all__ = ["shirt"]  # the fixture


def test_the_profit_follows_the_rights_given_and_taken_since_sign_in(
    qtbot, engine: Engine, owner_ctx: ServiceContext, shirt: list[int]
) -> None:
    s, _m = shirt
    set_cost(engine, s, 60_000)
    order_id = phone_sale(owner_ctx, (s, 2))
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@x.vn", role=Role.STAFF,
                             modules=[Module.ORDERS])  # fmt: skip
    signed_in = Actor(issued.member.id, "Lan", "lan@x.vn", Role.STAFF,
                      frozenset({Module.ORDERS}))  # fmt: skip
    lan = owner_ctx.with_actor(signed_in)
    before = open_detail(qtbot, lan, order_id)
    assert not before.money_values["profit"].isVisible()
    # The owner gives Lan Analytics while she is signed in: her next detail shows the profit.
    staff.update_staff(owner_ctx, issued.member.id, name="Lan", role=Role.STAFF,
                       modules=[Module.ORDERS, Module.ANALYTICS])  # fmt: skip
    given = open_detail(qtbot, lan, order_id)
    assert given.money_values["profit"].isVisible()
    assert shown_amount(given.money_values["profit"].text()) == 2 * 39_000
    # … and takes it back: her sign-in snapshot still says Analytics, the detail does not.
    staff.update_staff(owner_ctx, issued.member.id, name="Lan", role=Role.STAFF,
                       modules=[Module.ORDERS])  # fmt: skip
    with_analytics = frozenset({Module.ORDERS, Module.ANALYTICS})
    snapshot = Actor(issued.member.id, "Lan", "lan@x.vn", Role.STAFF, with_analytics)
    taken = open_detail(qtbot, owner_ctx.with_actor(snapshot), order_id)
    assert not taken.money_values["profit"].isVisible()
    assert not taken.profit_note.isVisible()
