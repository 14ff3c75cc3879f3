"""Staff accounts: add with a one-time password, first sign-in, change, disable, reset;
one's own profile; the idle-lock setting; who may do what."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.domain.user import User
from primedist.errors import AuthenticationError, Conflict, PermissionDenied, ValidationError
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from tests.conftest import OWNER_EMAIL


def audits(ctx: ServiceContext, action: str) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def add_lan(ctx: ServiceContext, *modules: Module) -> staff.IssuedPassword:
    return staff.add_staff(ctx, name=" Trần  Thị Lan ", email="Lan@Shop.VN", role=Role.STAFF,
                           modules=modules or (Module.ORDERS, Module.CUSTOMERS))  # fmt: skip


def test_new_staff_signs_in_once_with_the_one_time_password_then_chooses_their_own(
    owner_ctx: ServiceContext,
) -> None:
    issued = add_lan(owner_ctx)
    member = issued.member
    assert (member.name, member.email, member.role) == ("Trần Thị Lan", "lan@shop.vn", Role.STAFF)
    assert member.modules == {Module.ORDERS, Module.CUSTOMERS}
    assert member.must_change_password and member.is_active
    otp = issued.one_time_password
    assert len(otp) == 12
    with Session(owner_ctx.engine) as session:
        stored = session.get(User, member.id)
        assert stored is not None and otp not in stored.password_hash

    actor = auth.login(owner_ctx, "LAN@shop.vn", otp)
    assert actor.must_change_password
    assert actor.can(Module.ORDERS) and not actor.can(Module.PRODUCTS)
    lan = owner_ctx.with_actor(actor)
    with pytest.raises(ValidationError, match="not the one-time password"):
        staff.choose_password(lan, otp)
    after = staff.choose_password(lan, "lan-own-pass")
    assert not after.must_change_password
    with pytest.raises(AuthenticationError):
        auth.login(owner_ctx, "lan@shop.vn", otp)
    assert not auth.login(owner_ctx, "lan@shop.vn", "lan-own-pass").must_change_password
    # Once chosen, a change needs the current password (My account), not choose_password.
    with pytest.raises(AuthenticationError, match="current one"):
        staff.choose_password(lan, "another-pass")

    (added,) = audits(owner_ctx, "staff.add")
    assert added.user_id == owner_ctx.actor.id and added.entity_id == str(member.id)
    assert json.loads(added.after_json or "") == {
        "name": "Trần Thị Lan", "email": "lan@shop.vn", "role": "staff",
        "modules": ["customers", "orders"], "can_refund": False, "can_export": False,
        "is_active": True,
    }  # fmt: skip
    assert otp not in (added.summary or "") + (added.after_json or "")
    assert len(audits(owner_ctx, "user.password_set")) == 1


def test_an_email_already_used_is_refused_in_any_case(owner_ctx: ServiceContext) -> None:
    add_lan(owner_ctx)
    with pytest.raises(Conflict, match="lan@shop.vn is already used"):
        staff.add_staff(owner_ctx, name="Other", email=" LAN@shop.vn ", role=Role.STAFF)
    with pytest.raises(Conflict, match="already used"):
        staff.add_staff(owner_ctx, name="Other", email=OWNER_EMAIL.upper(), role=Role.MANAGER)
    assert [m.email for m in staff.list_staff(owner_ctx)] == [OWNER_EMAIL, "lan@shop.vn"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "  "}, "name is required"),
        ({"email": "not-an-email"}, "not a valid email"),
        ({"role": Role.OWNER}, "Manager or Staff"),
        ({"role": "boss"}, "not a role"),
    ],
)
def test_bad_staff_input_is_refused_and_nothing_written(
    owner_ctx: ServiceContext, fields: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {"name": "Lan", "email": "lan@shop.vn", "role": Role.STAFF}
    values.update(fields)
    with pytest.raises(ValidationError, match=message):
        staff.add_staff(owner_ctx, **values)  # type: ignore[arg-type]
    assert len(staff.list_staff(owner_ctx)) == 1


def test_update_disable_enable_and_reset(owner_ctx: ServiceContext) -> None:
    issued = add_lan(owner_ctx)
    uid = issued.member.id
    lan = owner_ctx.with_actor(auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password))
    staff.choose_password(lan, "lan-own-pass")

    changed = staff.update_staff(owner_ctx, uid, name="Lan Trần", role=Role.STAFF,
                                 modules=[Module.PRODUCTS])  # fmt: skip
    assert changed.modules == {Module.PRODUCTS}
    assert auth.login(owner_ctx, "lan@shop.vn", "lan-own-pass").modules == {Module.PRODUCTS}
    (update,) = audits(owner_ctx, "staff.update")
    assert json.loads(update.before_json or "")["modules"] == ["customers", "orders"]
    assert json.loads(update.after_json or "")["modules"] == ["products"]

    staff.set_active(owner_ctx, uid, False)
    with pytest.raises(AuthenticationError, match="disabled"):
        auth.login(owner_ctx, "lan@shop.vn", "lan-own-pass")
    with pytest.raises(AuthenticationError, match="disabled"):
        staff.unlock(lan, "lan-own-pass")
    staff.set_active(owner_ctx, uid, True)
    assert staff.unlock(lan, "lan-own-pass").email == "lan@shop.vn"
    with pytest.raises(AuthenticationError, match="Wrong password"):
        staff.unlock(lan, "nope-nope")

    reset = staff.reset_password(owner_ctx, uid)
    with pytest.raises(AuthenticationError):
        auth.login(owner_ctx, "lan@shop.vn", "lan-own-pass")
    assert auth.login(owner_ctx, "lan@shop.vn", reset.one_time_password).must_change_password
    assert [len(audits(owner_ctx, a)) for a in ("staff.disable", "staff.enable",
                                                "staff.password_reset")] == [1, 1, 1]  # fmt: skip


def test_managers_manage_staff_but_not_the_owner_or_managers(owner_ctx: ServiceContext) -> None:
    boss = staff.add_staff(owner_ctx, name="Minh", email="minh@shop.vn", role=Role.MANAGER)
    assert boss.member.modules == frozenset()  # managers use every module anyway
    minh = owner_ctx.with_actor(auth.login(owner_ctx, "minh@shop.vn", boss.one_time_password))
    lan = add_lan(minh)  # a manager adds staff
    owner_id = owner_ctx.actor.id
    assert owner_id is not None

    with pytest.raises(PermissionDenied, match="Only the owner may make someone a manager"):
        staff.add_staff(minh, name="X", email="x@shop.vn", role=Role.MANAGER)
    with pytest.raises(PermissionDenied):
        staff.set_active(minh, owner_id, False)
    with pytest.raises(PermissionDenied):
        staff.reset_password(owner_ctx, owner_id)
    with pytest.raises(PermissionDenied, match="cannot be disabled"):
        staff.set_active(owner_ctx, owner_id, False)
    staff.set_active(minh, lan.member.id, False)

    # Staff, even with Settings access, cannot manage accounts (no self-granted modules).
    helper = add_lan_like(owner_ctx, "hoa@shop.vn", Module.SETTINGS)
    for call in (
        lambda: staff.list_staff(helper),
        lambda: staff.update_staff(helper, helper.actor.id or 0, name="Hoa", role=Role.STAFF,
                                   modules=list(Module)),
        lambda: staff.add_staff(helper, name="Y", email="y@shop.vn", role=Role.STAFF),
    ):  # fmt: skip
        with pytest.raises(PermissionDenied, match="owner or a manager"):
            call()


def add_lan_like(ctx: ServiceContext, email: str, *modules: Module) -> ServiceContext:
    issued = staff.add_staff(ctx, name="Hoa", email=email, role=Role.STAFF, modules=modules)
    return ctx.with_actor(auth.login(ctx, email, issued.one_time_password))


def test_own_profile(owner_ctx: ServiceContext) -> None:
    add_lan(owner_ctx)
    with pytest.raises(Conflict):
        staff.update_profile(owner_ctx, name="Chủ", email="lan@shop.vn")
    actor = staff.update_profile(owner_ctx, name="Chủ Mới", email="Boss@Shop.vn")
    assert (actor.name, actor.email) == ("Chủ Mới", "boss@shop.vn")
    (row,) = audits(owner_ctx, "user.profile")
    assert json.loads(row.before_json or "")["email"] == OWNER_EMAIL


def test_lock_minutes_setting(owner_ctx: ServiceContext) -> None:
    assert staff.lock_minutes(owner_ctx) == staff.DEFAULT_LOCK_MINUTES
    assert staff.set_lock_minutes(owner_ctx, 0) == 0
    assert staff.lock_minutes(owner_ctx) == 0
    with pytest.raises(ValidationError, match="0 \\(never\\) to 480"):
        staff.set_lock_minutes(owner_ctx, 481)


def test_only_the_owner_or_a_manager_changes_the_lock_delay(owner_ctx: ServiceContext) -> None:
    helper = add_lan_like(owner_ctx, "hoa@shop.vn", Module.SETTINGS)
    with pytest.raises(PermissionDenied, match="owner or a manager"):
        staff.set_lock_minutes(helper, 0)  # Settings access does not switch the lock off
    assert staff.lock_minutes(owner_ctx) == staff.DEFAULT_LOCK_MINUTES
    boss = staff.add_staff(owner_ctx, name="Minh", email="minh@shop.vn", role=Role.MANAGER)
    minh = owner_ctx.with_actor(auth.login(owner_ctx, "minh@shop.vn", boss.one_time_password))
    assert staff.set_lock_minutes(minh, 5) == 5


def test_a_manager_edits_their_own_account_keeping_the_role(owner_ctx: ServiceContext) -> None:
    boss = staff.add_staff(owner_ctx, name="Minh", email="minh@shop.vn", role=Role.MANAGER)
    minh = owner_ctx.with_actor(auth.login(owner_ctx, "minh@shop.vn", boss.one_time_password))
    mine = staff.update_staff(minh, boss.member.id, name="Minh Lê", role=Role.MANAGER)
    assert (mine.name, mine.role) == ("Minh Lê", Role.MANAGER)
    # Still only the owner makes someone a manager.
    lan = add_lan(minh).member
    with pytest.raises(PermissionDenied, match="Only the owner may make someone a manager"):
        staff.update_staff(minh, lan.id, name="Lan", role=Role.MANAGER)
    assert staff.get_member(owner_ctx, lan.id).role is Role.STAFF
    with pytest.raises(ValidationError, match="Manager or Staff"):
        staff.update_staff(minh, boss.member.id, name="Minh", role=Role.OWNER)
