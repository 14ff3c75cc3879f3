"""First-run setup, sign-in, password change and the permission checks of the services."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from primedist.core import security
from primedist.domain.audit import AuditEvent
from primedist.domain.customer import Tag
from primedist.domain.enums import Channel, Module, Role
from primedist.domain.settings import AppSetting
from primedist.domain.shop import Shop
from primedist.domain.user import User, UserModuleAccess
from primedist.errors import (
    AuthenticationError,
    Conflict,
    PermissionDenied,
    SetupRequired,
    ValidationError,
)
from primedist.services import auth
from primedist.services.app_settings import SHOP_PROFILE
from primedist.services.context import SYSTEM, Actor, ServiceContext
from tests.conftest import FIXED_NOW, OWNER_EMAIL, OWNER_PASSWORD

SHOP_NAME = "Cửa hàng Thử"
STAFF_PASSWORD = "staff-pass-1"


# Helpers -------------------------------------------------------------------------------
def _utc(dt: datetime | None) -> datetime | None:
    """Stored timestamps come back naive from SQLite: compare them as UTC."""
    if dt is None or dt.tzinfo is not None:
        return dt
    return dt.replace(tzinfo=UTC)


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _nothing_written(engine: Engine) -> None:
    for model in (User, Shop, Tag, AppSetting, AuditEvent, UserModuleAccess):
        assert _count(engine, model) == 0, model.__name__
    assert auth.needs_setup(engine)


def _audits(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def _setup(ctx: ServiceContext, **overrides: str) -> Actor:
    values = {
        "shop_name": SHOP_NAME,
        "owner_name": "Chủ Thử",
        "owner_email": OWNER_EMAIL,
        "owner_password": OWNER_PASSWORD,
    }
    values.update(overrides)
    return auth.setup_shop(ctx, **values)


def _add_user(
    engine: Engine,
    email: str,
    *,
    role: Role = Role.STAFF,
    modules: tuple[Module, ...] = (),
    active: bool = True,
    password: str = STAFF_PASSWORD,
) -> User:
    with Session(engine, expire_on_commit=False) as session:
        user = User(
            name=email.split("@")[0],
            email=email,
            password_hash=security.hash_password(password),
            role=role,
            is_active=active,
        )
        session.add(user)
        session.flush()
        for module in modules:
            session.add(UserModuleAccess(user_id=user.id, module=module))
        session.commit()
        return user


def _actor(role: Role, modules: tuple[Module, ...] = ()) -> Actor:
    """An actor without an account (id None): the checks take its role and modules as they
    are (one with an account is checked against its row: test_live_permissions)."""
    return Actor(
        id=None, name=f"A {role.value}", email="a@x.vn", role=role, modules=frozenset(modules)
    )


# Setup ---------------------------------------------------------------------------------
def test_setup_creates_owner_shop_tags_profile_and_audit(
    ctx: ServiceContext, engine: Engine
) -> None:
    assert auth.needs_setup(engine)

    actor = _setup(ctx, owner_email="  Owner@Example.VN ")

    assert actor.role is Role.OWNER
    assert actor.email == OWNER_EMAIL
    assert actor.id is not None
    assert not auth.needs_setup(engine)
    with Session(engine) as session:
        users = session.exec(select(User)).all()
        assert len(users) == 1
        user = users[0]
        assert user.email == OWNER_EMAIL
        assert user.role is Role.OWNER
        assert user.is_active
        assert user.password_hash != OWNER_PASSWORD
        assert OWNER_PASSWORD not in user.password_hash
        assert user.password_hash.startswith("$argon2id$")
        assert security.verify_password(user.password_hash, OWNER_PASSWORD)
        assert _utc(user.created_at) == FIXED_NOW

        shops = session.exec(select(Shop)).all()
        assert [(s.name, s.channel) for s in shops] == [(SHOP_NAME, Channel.OFFLINE)]

        tags = session.exec(select(Tag)).all()
        assert {t.name for t in tags} == {"Potential", "Often returns"}
        assert all(t.is_default for t in tags)

        profile = session.get(AppSetting, SHOP_PROFILE)
        assert profile is not None
        assert json.loads(profile.value_json) == {"name": SHOP_NAME}
        assert profile.updated_by_id == user.id

    done = _audits(engine, "setup.complete")
    assert len(done) == 1
    assert done[0].user_id == actor.id
    assert done[0].entity_type == "user"
    assert done[0].entity_id == str(actor.id)
    assert _utc(done[0].created_at) == FIXED_NOW
    assert auth.shop_profile(ctx) == {"name": SHOP_NAME}


def test_setup_is_one_transaction(
    ctx: ServiceContext, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_audit = ServiceContext.audit

    def failing_audit(self: ServiceContext, session: Session, action: str, **kw: Any) -> None:
        if action == "setup.complete":
            raise RuntimeError("audit log unavailable")
        real_audit(self, session, action, **kw)

    # Patched on the class: setup_shop audits through a derived (owner) context.
    monkeypatch.setattr(ServiceContext, "audit", failing_audit)
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        _setup(ctx)
    _nothing_written(engine)

    monkeypatch.undo()
    _setup(ctx)  # nothing half-written blocks a retry
    assert _count(engine, User) == 1


def test_second_setup_is_a_conflict(ctx: ServiceContext, owner: Actor, engine: Engine) -> None:
    with pytest.raises(Conflict):
        _setup(ctx, owner_email="other@example.vn", shop_name="Another shop")
    assert _count(engine, User) == 1
    assert _count(engine, Shop) == 1
    assert len(_audits(engine, "setup.complete")) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"shop_name": ""}, "shop_name"),
        ({"shop_name": "   "}, "shop_name"),
        ({"owner_name": " "}, "owner_name"),
        ({"owner_email": "not-an-email"}, "email"),
        ({"owner_email": "owner@localhost"}, "email"),
        ({"owner_email": "@example.vn"}, "email"),
        ({"owner_email": "o wner@example.vn"}, "email"),
        ({"owner_password": "1234567"}, "owner_password"),
        ({"owner_password": ""}, "owner_password"),
    ],
)
def test_setup_validation_names_the_field_and_writes_nothing(
    ctx: ServiceContext, engine: Engine, overrides: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        _setup(ctx, **overrides)
    assert info.value.field == field
    assert info.value.user_message
    _nothing_written(engine)


def test_eight_character_password_is_enough(ctx: ServiceContext) -> None:
    _setup(ctx, owner_password="hoa-mai8")
    assert auth.login(ctx, OWNER_EMAIL, "hoa-mai8").role is Role.OWNER


def test_the_owner_may_not_choose_12345678(ctx: ServiceContext, engine: Engine) -> None:
    with pytest.raises(ValidationError) as info:
        _setup(ctx, owner_password="12345678")
    assert info.value.field == "owner_password"
    assert "one of the first anyone tries" in info.value.user_message
    _nothing_written(engine)


# Login ---------------------------------------------------------------------------------
def test_login_with_right_password(ctx: ServiceContext, owner: Actor, engine: Engine) -> None:
    actor = auth.login(ctx, OWNER_EMAIL, OWNER_PASSWORD)

    assert actor.role is Role.OWNER
    assert actor.id == owner.id
    assert actor.email == OWNER_EMAIL
    with Session(engine) as session:
        user = session.get(User, owner.id)
        assert user is not None
        assert _utc(user.last_login_at) == FIXED_NOW
    logins = _audits(engine, "user.login")
    assert len(logins) == 1
    assert logins[0].user_id == owner.id
    assert logins[0].entity_id == str(owner.id)


def test_login_email_is_case_insensitive(ctx: ServiceContext, owner: Actor) -> None:
    actor = auth.login(ctx, "  OWNER@Example.VN ", OWNER_PASSWORD)
    assert actor.id == owner.id


def test_wrong_password_and_unknown_email_look_the_same(
    ctx: ServiceContext, owner: Actor, engine: Engine
) -> None:
    with pytest.raises(AuthenticationError) as wrong_pw:
        auth.login(ctx, OWNER_EMAIL, "not-the-password")
    with pytest.raises(AuthenticationError) as unknown:
        auth.login(ctx, "nobody@example.vn", OWNER_PASSWORD)

    assert wrong_pw.value.user_message == unknown.value.user_message == auth.WRONG_LOGIN
    assert str(wrong_pw.value) == str(unknown.value)
    assert _audits(engine, "user.login") == []
    with Session(engine) as session:
        user = session.get(User, owner.id)
        assert user is not None and user.last_login_at is None


def test_disabled_user_is_told_only_with_the_right_password(
    ctx: ServiceContext, owner: Actor, engine: Engine
) -> None:
    _add_user(engine, "off@example.vn", active=False)

    with pytest.raises(AuthenticationError) as wrong:
        auth.login(ctx, "off@example.vn", "wrong-password")
    assert wrong.value.user_message == auth.WRONG_LOGIN

    with pytest.raises(AuthenticationError) as right:
        auth.login(ctx, "off@example.vn", STAFF_PASSWORD)
    assert right.value.user_message != auth.WRONG_LOGIN
    assert "disabled" in right.value.user_message
    assert _audits(engine, "user.login") == []


def test_login_before_setup_requires_setup(ctx: ServiceContext, engine: Engine) -> None:
    with pytest.raises(SetupRequired):
        auth.login(ctx, OWNER_EMAIL, OWNER_PASSWORD)
    _nothing_written(engine)


def test_owner_actor_before_setup_tells_to_run_init(ctx: ServiceContext) -> None:
    with pytest.raises(SetupRequired, match="primedist init"):
        auth.owner_actor(ctx)


def test_owner_actor_is_the_owner(ctx: ServiceContext, owner: Actor, engine: Engine) -> None:
    _add_user(engine, "boss2@example.vn", role=Role.MANAGER)
    assert auth.owner_actor(ctx) == owner


# Password change -----------------------------------------------------------------------
def test_change_password(owner_ctx: ServiceContext, ctx: ServiceContext, engine: Engine) -> None:
    new = "brand-new-pass"
    actor = auth.change_password(owner_ctx, OWNER_PASSWORD, new)

    assert actor.id == owner_ctx.actor.id
    assert auth.login(ctx, OWNER_EMAIL, new).id == actor.id
    with pytest.raises(AuthenticationError):
        auth.login(ctx, OWNER_EMAIL, OWNER_PASSWORD)
    changes = _audits(engine, "user.password_change")
    assert [(a.user_id, a.entity_id) for a in changes] == [(actor.id, str(actor.id))]


def test_change_password_requires_the_current_one(
    owner_ctx: ServiceContext, ctx: ServiceContext, engine: Engine
) -> None:
    with pytest.raises(AuthenticationError):
        auth.change_password(owner_ctx, "wrong-current", "brand-new-pass")
    assert auth.login(ctx, OWNER_EMAIL, OWNER_PASSWORD).role is Role.OWNER
    with pytest.raises(AuthenticationError):
        auth.login(ctx, OWNER_EMAIL, "brand-new-pass")
    assert _audits(engine, "user.password_change") == []


def test_change_password_checks_the_new_one(owner_ctx: ServiceContext, ctx: ServiceContext) -> None:
    with pytest.raises(ValidationError) as info:
        auth.change_password(owner_ctx, OWNER_PASSWORD, "short")
    assert info.value.field == "new_password"
    assert auth.login(ctx, OWNER_EMAIL, OWNER_PASSWORD).role is Role.OWNER


def test_change_password_clears_must_change(
    ctx: ServiceContext, owner: Actor, engine: Engine
) -> None:
    user = _add_user(engine, "new@example.vn")
    with Session(engine) as session:
        row = session.get(User, user.id)
        assert row is not None
        row.must_change_password = True
        session.add(row)
        session.commit()

    actor = auth.login(ctx, "new@example.vn", STAFF_PASSWORD)
    assert actor.must_change_password
    after = auth.change_password(ctx.with_actor(actor), STAFF_PASSWORD, "my-own-pass")
    assert not after.must_change_password
    assert not auth.login(ctx, "new@example.vn", "my-own-pass").must_change_password


def test_change_password_needs_a_signed_in_user(ctx: ServiceContext, owner: Actor) -> None:
    with pytest.raises(AuthenticationError):
        auth.change_password(ctx, OWNER_PASSWORD, "brand-new-pass")


# Permissions ---------------------------------------------------------------------------
def test_require_refuses_staff_without_the_module(ctx: ServiceContext) -> None:
    staff = ctx.with_actor(_actor(Role.STAFF, (Module.ORDERS,)))
    with pytest.raises(PermissionDenied) as info:
        staff.require(Module.CUSTOMERS)
    assert "customers" in info.value.user_message
    staff.require(Module.ORDERS)  # granted: passes


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER])
def test_require_passes_owner_and_manager_for_every_module(ctx: ServiceContext, role: Role) -> None:
    boss = ctx.with_actor(_actor(role))
    for module in Module:
        boss.require(module)
    boss.require_manager()


def test_require_manager_refuses_staff(ctx: ServiceContext) -> None:
    staff = ctx.with_actor(_actor(Role.STAFF, tuple(Module)))
    with pytest.raises(PermissionDenied):
        staff.require_manager()


def test_system_actor_acts_as_owner(ctx: ServiceContext) -> None:
    assert ctx.actor is SYSTEM
    ctx.require(Module.SETTINGS)
    ctx.require_manager()


def test_actor_for_reads_the_granted_modules(
    ctx: ServiceContext, owner: Actor, engine: Engine
) -> None:
    staff = _add_user(engine, "staff@example.vn", modules=(Module.ORDERS, Module.PRODUCTS))
    nobody = _add_user(engine, "nobody@example.vn")

    with Session(engine) as session:
        row = session.get(User, staff.id)
        assert row is not None
        actor = auth.actor_for(session, row)
    assert actor.role is Role.STAFF
    assert actor.modules == frozenset({Module.ORDERS, Module.PRODUCTS})
    assert actor.can(Module.ORDERS) and not actor.can(Module.SETTINGS)

    logged_in = auth.login(ctx, "staff@example.vn", STAFF_PASSWORD)
    assert logged_in.modules == frozenset({Module.ORDERS, Module.PRODUCTS})
    ctx.with_actor(logged_in).require(Module.PRODUCTS)
    with pytest.raises(PermissionDenied):
        ctx.with_actor(logged_in).require(Module.CUSTOMERS)

    bare = auth.login(ctx, "nobody@example.vn", STAFF_PASSWORD)
    assert bare.id == nobody.id
    assert bare.modules == frozenset()
    for module in Module:
        with pytest.raises(PermissionDenied):
            ctx.with_actor(bare).require(module)
