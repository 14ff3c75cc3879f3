"""Migration 0043 (users.can_refund, the right "Refunds and returns"): staff accounts of
before the upgrade keep doing what they did (returns and refunds allowed), managers and
the owner keep the flag off (they always may), accounts added afterwards start without it,
and the downgrade takes the column away."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

import primedist.db.store as store
from primedist.core import security
from primedist.domain.enums import Module, Role
from primedist.services import staff
from primedist.services.context import Actor, ServiceContext
from tests.db.test_migrations import schema_diff

BEFORE = "0042_no_cost_revenue"


def user_columns(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("users")}


def rights(engine: Engine) -> dict[str, bool]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT email, can_refund FROM users ORDER BY id"))
        return {email: bool(flag) for email, flag in rows}


def test_staff_of_before_the_upgrade_keep_refunds_and_new_staff_start_without(
    owner_ctx: ServiceContext,
) -> None:
    engine = owner_ctx.engine
    lan = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                          modules=[Module.ORDERS]).member  # fmt: skip
    staff.add_staff(owner_ctx, name="Bình", email="binh@shop.vn", role=Role.MANAGER)
    store.migrate(engine, BEFORE, down=True)
    assert "can_refund" not in user_columns(engine)
    with engine.begin() as conn:  # a staff member added by the version before
        conn.execute(sa.text(
            "INSERT INTO users (name, email, password_hash, role, is_active,"
            " must_change_password, created_at)"
            " VALUES ('Mai', 'mai@shop.vn', :h, 'staff', :t, :f, CURRENT_TIMESTAMP)"
        ), {"h": security.hash_password("mai-pass-123"), "t": True, "f": False})  # fmt: skip

    store.migrate(engine, "head")
    assert store.current_revision(engine) == store.HEAD_REVISION
    assert schema_diff(engine) == []
    assert rights(engine) == {"owner@example.vn": False, "lan@shop.vn": True,
                              "binh@shop.vn": False, "mai@shop.vn": True}  # fmt: skip
    assert staff.get_member(owner_ctx, lan.id).can_refund
    # Lan, signed in, may still take returns: the upgrade changed nothing for her.
    signed_in = Actor(lan.id, "Lan", "lan@shop.vn", Role.STAFF)  # her sign-in's snapshot
    assert owner_ctx.with_actor(signed_in).current_actor().may_refund

    # Added from now on: without it, from the app and from a plain INSERT alike.
    assert not staff.add_staff(owner_ctx, name="Hà", email="ha@shop.vn", role=Role.STAFF,
                               modules=[Module.ORDERS]).member.can_refund  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO users (name, email, password_hash, role, is_active,"
            " must_change_password, created_at)"
            " VALUES ('Tú', 'tu@shop.vn', 'x', 'staff', :t, :f, CURRENT_TIMESTAMP)"
        ), {"t": True, "f": False})  # fmt: skip
    assert rights(engine)["ha@shop.vn"] is False and rights(engine)["tu@shop.vn"] is False


def test_the_downgrade_drops_the_column_and_the_upgrade_adds_it_again(engine: Engine) -> None:
    store.migrate(engine, BEFORE, down=True)
    assert "can_refund" not in user_columns(engine)
    store.migrate(engine, "head")
    assert "can_refund" in user_columns(engine)
    assert schema_diff(engine) == []
