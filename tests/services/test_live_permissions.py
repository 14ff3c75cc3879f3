"""The permission checks read the signed-in user's account as it stands now: disabling
someone, demoting a manager or taking a module away applies to a session already open
(the stale `ServiceContext` a window holds), not at its next sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from primedist.domain.enums import Module, Role
from primedist.errors import PermissionDenied
from primedist.services import auth, schedule_settings, staff
from primedist.services.context import SYSTEM, ServiceContext

DISABLED = "Your account was disabled: ask the shop owner."


def sign_in(owner_ctx: ServiceContext, email: str, role: Role, *modules: Module) -> Any:
    """A new account, signed in (its own password chosen): (ctx of its session, its id)."""
    issued = staff.add_staff(owner_ctx, name="Lan", email=email, role=role, modules=modules)
    first = owner_ctx.with_actor(auth.login(owner_ctx, email, issued.one_time_password))
    return owner_ctx.with_actor(staff.choose_password(first, "lan-own-pass")), issued.member.id


@contextmanager
def counted(ctx: ServiceContext) -> Iterator[list[str]]:
    """The SQL statements run on `ctx.engine` inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(ctx.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(ctx.engine, "before_cursor_execute", record)


def test_a_disabled_user_is_refused_at_once_in_the_session_already_open(
    owner_ctx: ServiceContext,
) -> None:
    lan, lan_id = sign_in(owner_ctx, "lan@shop.vn", Role.STAFF, Module.SETTINGS)
    assert schedule_settings.set_sync_interval(lan, 20) == 20  # allowed while active
    staff.set_active(owner_ctx, lan_id, False)

    for call in (
        lambda: schedule_settings.set_sync_interval(lan, 30),
        lambda: schedule_settings.get_sync_interval(lan),
        lambda: staff.update_profile(lan, name="Kẻ gian", email="lan@shop.vn"),
        lambda: auth.change_password(lan, "lan-own-pass", "another-pass-1"),
    ):
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert refused.value.user_message == DISABLED
    assert schedule_settings.get_sync_interval(owner_ctx) == 20  # nothing changed
    assert [m.name for m in staff.list_staff(owner_ctx) if m.id == lan_id] == ["Lan"]

    staff.set_active(owner_ctx, lan_id, True)  # enabled again: the same session goes on
    assert schedule_settings.set_sync_interval(lan, 30) == 30


def test_a_module_taken_away_or_given_applies_at_once(owner_ctx: ServiceContext) -> None:
    lan, lan_id = sign_in(owner_ctx, "lan@shop.vn", Role.STAFF, Module.SETTINGS)
    staff.update_staff(owner_ctx, lan_id, name="Lan", role=Role.STAFF, modules=[Module.ORDERS])
    assert lan.actor.can(Module.SETTINGS)  # the snapshot still says so; the store does not
    with pytest.raises(PermissionDenied, match="Lan has no access to settings"):
        schedule_settings.set_sync_interval(lan, 30)
    assert not lan.can(Module.SETTINGS) and lan.can(Module.ORDERS)

    staff.update_staff(owner_ctx, lan_id, name="Lan", role=Role.STAFF, modules=[Module.SETTINGS])
    assert schedule_settings.set_sync_interval(lan, 30) == 30


def test_a_demoted_manager_is_refused_and_a_promoted_one_allowed_at_once(
    owner_ctx: ServiceContext,
) -> None:
    minh, minh_id = sign_in(owner_ctx, "minh@shop.vn", Role.MANAGER)
    assert len(staff.list_staff(minh)) == 2
    staff.update_staff(owner_ctx, minh_id, name="Minh", role=Role.STAFF, modules=[])
    for call in (
        lambda: staff.list_staff(minh),
        lambda: staff.add_staff(minh, name="X", email="x@shop.vn", role=Role.STAFF),
        lambda: staff.set_lock_minutes(minh, 0),
    ):
        with pytest.raises(PermissionDenied, match="Only the owner or a manager"):
            call()
    with pytest.raises(PermissionDenied, match="no access to settings"):
        schedule_settings.set_sync_interval(minh, 30)

    staff.update_staff(owner_ctx, minh_id, name="Minh", role=Role.MANAGER)
    assert len(staff.list_staff(minh)) == 2
    assert schedule_settings.set_sync_interval(minh, 30) == 30


def test_a_staff_member_promoted_to_manager_gets_no_owner_rights(
    owner_ctx: ServiceContext,
) -> None:
    """The fresh role is the one the account checks use (not the stale snapshot's)."""
    lan, lan_id = sign_in(owner_ctx, "lan@shop.vn", Role.STAFF, Module.SETTINGS)
    staff.update_staff(owner_ctx, lan_id, name="Lan", role=Role.MANAGER)
    member = staff.add_staff(lan, name="Hoa", email="hoa@shop.vn", role=Role.STAFF).member
    with pytest.raises(PermissionDenied, match="Only the owner may make someone a manager"):
        staff.update_staff(lan, member.id, name="Hoa", role=Role.MANAGER)
    staff.update_staff(owner_ctx, lan_id, name="Lan", role=Role.STAFF, modules=[])
    with pytest.raises(PermissionDenied):
        staff.set_active(lan, member.id, False)


def test_the_owner_and_the_system_keep_working_with_one_small_query(
    owner_ctx: ServiceContext, ctx: ServiceContext
) -> None:
    with counted(owner_ctx) as seen:
        owner_ctx.require(Module.SETTINGS)
        owner_ctx.require_manager()
        owner_ctx.require_owner("nope")
    assert len(seen) == 3  # one query by primary key per check
    assert all("users" in s and "user_module_access" in s for s in seen)
    assert schedule_settings.set_sync_interval(owner_ctx, 25) == 25

    assert ctx.actor is SYSTEM
    with counted(ctx) as seen:
        ctx.require(Module.SETTINGS)
        ctx.require_owner("nope")
    assert seen == []  # no account to read
    assert schedule_settings.set_sync_interval(ctx, 26) == 26


def test_figures_shown_by_module_follow_the_account_as_it_stands(
    owner_ctx: ServiceContext, engine: sa.Engine
) -> None:
    """Costs and gross profit are for Analytics users: taken away, the open session no
    longer sees them (the quote's unit costs, End of day's gross profit, Home's profit)."""
    from primedist.services.end_of_day import end_of_day
    from primedist.services.orders import DraftLine, OrderDraft, create_order, quote_order
    from tests.factories import make_product

    (hat,) = make_product(engine, "Mũ", [("MU-1", 100_000, 5)])
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET cost = 60000"))
    create_order(owner_ctx, OrderDraft(lines=(DraftLine(hat, 1),)))
    lan, lan_id = sign_in(owner_ctx, "lan@shop.vn", Role.STAFF, Module.ORDERS,
                          Module.ANALYTICS)  # fmt: skip
    draft = OrderDraft(lines=(DraftLine(hat, 1),))
    assert [line.unit_cost for line in quote_order(lan, draft).lines] == [60_000]
    assert end_of_day(lan).gross_profit is not None

    staff.update_staff(owner_ctx, lan_id, name="Lan", role=Role.STAFF, modules=[Module.ORDERS])
    assert [line.unit_cost for line in quote_order(lan, draft).lines] == [None]
    assert end_of_day(lan).gross_profit is None
