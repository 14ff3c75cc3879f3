"""The demo's ranks come from the app's own recompute, history included: a Diamond
customer's Rank tab read "Diamond: no rank change recorded yet" when the demo set the
ranks by itself."""

from __future__ import annotations

from primedist.domain.enums import Rank
from primedist.services import demo
from primedist.services.context import ServiceContext
from primedist.services.loyalty.ranks import rank_status
from tests.services.test_demo import rows


def test_every_ranked_demo_customer_has_the_history_of_its_rank(ctx: ServiceContext) -> None:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=3_000, customers=400, seed=7)
    ranked = rows(
        ctx.engine, "SELECT id, rank, total_expenses FROM customers WHERE rank != 'copper'"
    )
    assert {r for _id, r, _spent in ranked} == {"silver", "gold", "diamond"}
    missing = rows(
        ctx.engine,
        "SELECT c.id FROM customers c WHERE c.rank != 'copper' AND NOT EXISTS ("
        " SELECT 1 FROM rank_history h WHERE h.customer_id = c.id AND h.to_rank = c.rank)",
    )
    assert missing == []
    # As a recompute writes it: the value that reached the rank, by the owner, when it moved.
    diamond_id, _rank, spent = next(row for row in ranked if row[1] == "diamond")
    status = rank_status(owner_ctx, diamond_id)
    assert status.rank == Rank.DIAMOND and not status.pinned
    (change,) = status.history
    assert (change.from_rank, change.to_rank) == (Rank.COPPER, Rank.DIAMOND)
    assert change.value == spent >= change.threshold == 10_000_000
    assert change.by == demo.DEMO_OWNER_NAME
    assert change.changed_at == status.since
    # Copper customers never moved: no history.
    assert rows(
        ctx.engine,
        "SELECT COUNT(*) FROM rank_history h JOIN customers c ON c.id = h.customer_id"
        " WHERE c.rank = 'copper'",
    ) == [(0,)]
