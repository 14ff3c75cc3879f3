"""`primedist --demo` links its marketplace shops and its carrier at every start: the audit
rows of that set-up are the System's, never the owner's (who did none of it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.services import demo, demo_carrier, demo_sync
from primedist.services.context import ServiceContext


@pytest.fixture
def demo_ctx(ctx: ServiceContext) -> ServiceContext:
    owner_ctx = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner_ctx, orders=300, customers=60, seed=3)
    return owner_ctx


def audit_rows(ctx: ServiceContext, after: int) -> list[tuple[str, int | None]]:
    a = table_of(AuditEvent).c
    with ctx.engine.connect() as conn:
        rows = conn.execute(sa.select(a.action, a.user_id).where(a.id > after).order_by(a.id))
        return [(r.action, r.user_id) for r in rows]


def last_id(ctx: ServiceContext) -> int:
    a = table_of(AuditEvent).c
    with ctx.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(a.id), 0))).scalar_one())


def test_a_demo_start_and_restart_write_no_owner_rows(demo_ctx: ServiceContext) -> None:
    owner = demo_ctx.actor.id
    assert owner is not None
    before = last_id(demo_ctx)
    clock = demo_ctx.clock
    assert isinstance(clock, FixedClock)
    for _start in range(2):  # the first start, then the app opened again
        carrier = demo_carrier.start_demo_carrier(demo_ctx)
        running = [demo_sync.start_demo_sync(demo_ctx, c) for c in demo_sync.DEMO_CHANNELS]
        for sandbox in [carrier, *running]:
            assert sandbox is not None
            sandbox.stop()
        clock.advance(timedelta(hours=2))
    rows = audit_rows(demo_ctx, before)
    # App credentials, the authorisation and the shop's info, per shop and start; the
    # carrier account at the first start.
    actions = {action for action, _user in rows}
    assert {"shop.set_partner", "shop.authorize", "carrier.add"} <= actions
    assert sum(action == "shop.authorize" for action, _user in rows) == 2 * 4
    assert [row for row in rows if row[1] == owner] == []
    assert {user for _action, user in rows} == {None}  # the System's
