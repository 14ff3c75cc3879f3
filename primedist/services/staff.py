"""Staff accounts (add, change, disable, reset password), one's own profile, and the
idle-lock setting.

Managing accounts is for the owner and managers only, whatever modules a staff member has:
a staff member with Settings access could otherwise grant themselves every module. Only
the owner may add, change or disable a manager, and nobody may disable themselves or the
owner.

A staff member's right "Refunds and returns" (`User.can_refund`) goes with their module
access: returns, refunds, exchanges and cancelling a paid order
(`ServiceContext.require_refunds`). New staff start without it; the owner and managers
always may. So does the right "Export data" (`User.can_export`): any export of the shop's
data to a file (`ServiceContext.require_export`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from primedist.core import security
from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.domain.enums import Module, Role
from primedist.domain.user import User, UserModuleAccess
from primedist.errors import (
    AuthenticationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from primedist.services.app_settings import get_setting, put_setting
from primedist.services.auth import (
    WrongCredentials,
    _check_email,
    actor_for,
    clear_sign_in_failures,
    failures_counted,
    refuse_while_paused,
)
from primedist.services.context import Actor, ServiceContext

LOCK_MINUTES_KEY = "security.lock_minutes"
DEFAULT_LOCK_MINUTES = 15
MAX_LOCK_MINUTES = 8 * 60
#: Roles that can be given from the Staff page (the owner is made by the first-run setup).
ASSIGNABLE_ROLES = (Role.MANAGER, Role.STAFF)


@dataclass(frozen=True)
class StaffMember:
    """An account as the Staff page lists it (never the password hash)."""

    id: int
    name: str
    email: str
    role: Role
    modules: frozenset[Module]
    is_active: bool
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None
    #: The right "Refunds and returns" (staff only: False for the owner and managers,
    #: who always may).
    can_refund: bool = False
    #: The right "Export data" (staff only: False for the owner and managers).
    can_export: bool = False


@dataclass(frozen=True)
class IssuedPassword:
    """A one-time password to hand over once; it is not stored in clear anywhere."""

    member: StaffMember
    one_time_password: str


# Reading -------------------------------------------------------------------------------
def list_staff(ctx: ServiceContext) -> list[StaffMember]:
    """Every account, owner first, then by name."""
    ctx.require_manager()
    with ctx.uow() as session:
        users = session.exec(select(User)).all()
        members = [_member(session, u) for u in users]
    order = {Role.OWNER: 0, Role.MANAGER: 1, Role.STAFF: 2}
    return sorted(members, key=lambda m: (order[m.role], m.name.casefold(), m.id))


def get_member(ctx: ServiceContext, user_id: int) -> StaffMember:
    ctx.require_manager()
    with ctx.uow() as session:
        return _member(session, _user(session, user_id))


def _member(session: Session, user: User) -> StaffMember:
    assert user.id is not None
    modules = session.exec(
        select(UserModuleAccess.module).where(UserModuleAccess.user_id == user.id)
    ).all()
    return StaffMember(
        id=user.id,
        name=user.name,
        email=user.email,
        role=Role(user.role),
        modules=frozenset(Module(m) for m in modules),
        is_active=user.is_active,
        must_change_password=user.must_change_password,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
        can_refund=user.can_refund,
        can_export=user.can_export,
    )


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(msg("No user has id {user_id}.", user_id=str(user_id)))
    return user


# Changing accounts ---------------------------------------------------------------------
def add_staff(
    ctx: ServiceContext,
    *,
    name: str,
    email: str,
    role: Role,
    modules: Iterable[Module] = (),
    can_refund: bool = False,
    can_export: bool = False,
) -> IssuedPassword:
    """A new account with a one-time password (shown once); they choose their own password
    at first sign-in. An email already used (any case) is refused. `can_refund`: the
    right "Refunds and returns", `can_export` the right "Export data" (off unless given;
    staff only)."""
    actor = ctx.require_manager()
    name = _check_name(name)
    email = _check_email(email)
    role = _check_role(actor, role)
    granted = _granted(role, modules)
    password = security.generate_one_time_password()
    with ctx.uow() as session:
        _refuse_taken_email(session, email)
        user = User(
            name=name,
            email=email,
            password_hash=security.hash_password(password),
            role=role,
            must_change_password=True,
            created_at=ctx.clock.now(),
            can_refund=role is Role.STAFF and can_refund,
            can_export=role is Role.STAFF and can_export,
        )
        session.add(user)
        session.flush()
        _set_modules(session, user, granted)
        member = _member(session, user)
        summary = msg("{name} <{email}> added as {role}", name=name, email=email, role=role)
        ctx.audit(session, "staff.add", entity_type="user", entity_id=user.id, summary=summary,
                  after=_snapshot(member))  # fmt: skip
    return IssuedPassword(member, password)


def update_staff(
    ctx: ServiceContext,
    user_id: int,
    *,
    name: str,
    role: Role,
    modules: Iterable[Module] = (),
    email: str | None = None,
    can_refund: bool | None = None,
    can_export: bool | None = None,
) -> StaffMember:
    """Change an account's name, email (None keeps it), role, module access and the rights
    "Refunds and returns" (`can_refund`) and "Export data" (`can_export`) (None keeps
    each) (the owner's role stays). A
    mistyped email is corrected here: the person signs in with the new one; one another
    account uses (any case) is refused."""
    actor = ctx.require_manager()
    name = _check_name(name)
    new_email = None if email is None else _check_email(email)
    with ctx.uow() as session:
        user = _user(session, user_id)
        before = _member(session, user)
        _may_manage(actor, before)
        if before.role is not Role.OWNER:
            user.role = _check_role(actor, role, was=before.role)
        granted = _granted(Role(user.role), modules)
        refunds = user.can_refund if can_refund is None else can_refund
        # Managers always may: like their module list, their own flag stays off.
        user.can_refund = Role(user.role) is Role.STAFF and refunds
        exports = user.can_export if can_export is None else can_export
        user.can_export = Role(user.role) is Role.STAFF and exports
        user.name = name
        if new_email is not None and new_email != user.email:
            _refuse_taken_email(session, new_email, user_id)
            user.email = new_email
        session.add(user)
        _set_modules(session, user, granted)
        after = _member(session, user)
        if after != before:
            was, now = _snapshot(before), _snapshot(after)
            ctx.audit(session, "staff.update", entity_type="user", entity_id=user_id,
                      summary=f"{name} <{user.email}>", before=_changed(was, now),
                      after=_changed(now, was))  # fmt: skip
        return after


def set_active(ctx: ServiceContext, user_id: int, active: bool) -> StaffMember:
    """Disable (they can no longer sign in) or enable an account."""
    actor = ctx.require_manager()
    with ctx.uow() as session:
        user = _user(session, user_id)
        member = _member(session, user)
        _may_manage(actor, member)
        if not active and (member.role is Role.OWNER or user_id == ctx.actor.id):
            raise PermissionDenied(msg("The owner and your own account cannot be disabled."))
        if user.is_active != active:
            user.is_active = active
            session.add(user)
            ctx.audit(session, "staff.enable" if active else "staff.disable",
                      entity_type="user", entity_id=user_id,
                      summary=f"{user.name} <{user.email}>",
                      before={"is_active": not active}, after={"is_active": active})  # fmt: skip
        return _member(session, user)


def reset_password(ctx: ServiceContext, user_id: int) -> IssuedPassword:
    """A new one-time password for someone who forgot theirs (they choose one at sign-in)."""
    actor = ctx.require_manager()
    password = security.generate_one_time_password()
    with ctx.uow() as session:
        user = _user(session, user_id)
        member = _member(session, user)
        _may_manage(actor, member)
        if member.role is Role.OWNER:
            raise PermissionDenied(msg("The owner's password is changed from My account."))
        if member.role is Role.MANAGER and actor.role is not Role.OWNER:
            # A manager's own too: theirs is changed in My account (with the current one),
            # a forgotten one the owner resets (README: managers ask the owner).
            raise PermissionDenied(
                msg("Only the owner may change the owner's or a manager's account.")
            )
        user.password_hash = security.hash_password(password)
        user.must_change_password = True
        session.add(user)
        clear_sign_in_failures(session, user.email)  # the new password works at once
        ctx.audit(session, "staff.password_reset", entity_type="user", entity_id=user_id,
                  summary=f"{user.name} <{user.email}>")  # fmt: skip
        return IssuedPassword(_member(session, user), password)


def recover_owner_password(ctx: ServiceContext) -> IssuedPassword:
    """A new one-time password for an owner who forgot theirs, from this computer's command
    line (`primedist staff reset-password OWNER_EMAIL`, which acts as the owner without a
    password: whoever can run it there can read the store anyway). The app never offers it:
    an owner who is signed in changes theirs in My account. At the next sign-in the owner
    chooses a new one."""
    refusal = msg("Only the owner's own command line may reset the owner's password.")
    ctx.require_owner(refusal)
    owner_id = ctx.actor.id
    if owner_id is None:  # an owner role without an account (never the CLI's owner)
        raise PermissionDenied(refusal)
    password = security.generate_one_time_password()
    with ctx.uow() as session:
        user = _user(session, owner_id)
        user.password_hash = security.hash_password(password)
        user.must_change_password = True
        session.add(user)
        clear_sign_in_failures(session, user.email)
        ctx.audit(session, "staff.password_reset", entity_type="user", entity_id=owner_id,
                  summary=msg("{name} <{email}>: the owner's password reset on this "
                              "computer", name=user.name, email=user.email))  # fmt: skip
        return IssuedPassword(_member(session, user), password)


def _may_manage(actor: Actor, member: StaffMember) -> None:
    """`actor`: as their account stands now (`ServiceContext.require_manager`)."""
    if actor.role is Role.OWNER or member.id == actor.id:
        return
    if member.role in (Role.OWNER, Role.MANAGER):
        raise PermissionDenied(msg("Only the owner may change the owner's or a manager's account."))


def _refuse_taken_email(session: Session, email: str, user_id: int | None = None) -> None:
    """Conflict when another account than `user_id` signs in with `email` (lower-cased)."""
    taken = session.exec(select(User.id).where(User.email == email, User.id != user_id)).first()
    if taken is not None:
        raise Conflict(msg("The email {email} is already used by another account.", email=email))


def _check_name(name: str) -> str:
    name = clean_line(name)
    if not name:
        raise ValidationError(msg("The name is required."), field="name")
    if len(name) > 120:
        raise ValidationError(msg("The name is longer than 120 characters."), field="name")
    return name


def _check_role(actor: Actor, role: Role | str, *, was: Role | None = None) -> Role:
    """The role to give (`was`: the account's role now, None for a new account); only the
    owner makes someone a manager, so a manager keeps theirs when changing their own name."""
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError(
            msg("{role} is not a role (manager or staff).", role=repr(role)), field="role"
        ) from None
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError(msg("The role must be Manager or Staff."), field="role")
    if role is Role.MANAGER and was is not Role.MANAGER and actor.role is not Role.OWNER:
        raise PermissionDenied(msg("Only the owner may make someone a manager."))
    return role


def _granted(role: Role, modules: Iterable[Module | str]) -> frozenset[Module]:
    """Managers and the owner use every module: only staff keep a module list."""
    if role is not Role.STAFF:
        return frozenset()
    try:
        return frozenset(Module(m) for m in modules)
    except ValueError as exc:
        raise ValidationError(msg("Unknown module: {exc}", exc=str(exc)), field="modules") from None


def _set_modules(session: Session, user: User, modules: frozenset[Module]) -> None:
    session.exec(delete(UserModuleAccess).where(col(UserModuleAccess.user_id) == user.id))
    for module in sorted(modules):
        session.add(UserModuleAccess(user_id=user.id, module=module))
    session.flush()


def _changed(these: dict[str, object], other: dict[str, object]) -> dict[str, object]:
    """The fields of `these` that differ in `other`: an edit's row names only those (the
    whole account in Before and After hid the change in the log's cut-off columns)."""
    return {k: v for k, v in these.items() if other.get(k) != v}


def _snapshot(member: StaffMember) -> dict[str, object]:
    return {
        "name": member.name,
        "email": member.email,
        "role": member.role.value,
        "modules": sorted(m.value for m in member.modules),
        "can_refund": member.can_refund,
        "can_export": member.can_export,
        "is_active": member.is_active,
    }


# One's own account ---------------------------------------------------------------------
def update_profile(ctx: ServiceContext, *, name: str, email: str) -> Actor:
    """Change the signed-in user's own name and email (an email in use is refused)."""
    if ctx.actor.id is None:
        raise AuthenticationError(msg("Sign in first."))
    name = _check_name(name)
    email = _check_email(email)
    with ctx.uow() as session:
        user = _active_self(session, ctx)
        _refuse_taken_email(session, email, user.id)
        before = {"name": user.name, "email": user.email}
        if before != {"name": name, "email": email}:
            user.name, user.email = name, email
            session.add(user)
            ctx.audit(session, "user.profile", entity_type="user", entity_id=user.id,
                      before=before, after={"name": name, "email": email})  # fmt: skip
        return actor_for(session, user)


def choose_password(ctx: ServiceContext, new: str) -> Actor:
    """Set one's own password after signing in with a one-time password."""
    if ctx.actor.id is None:
        raise AuthenticationError(msg("Sign in first."))
    try:
        security.check_password_strength(new)
    except ValueError as exc:
        raise ValidationError(exc.args[0], field="new_password") from exc
    with ctx.uow() as session:
        user = _active_self(session, ctx)
        if not user.must_change_password:
            raise AuthenticationError(
                msg("Change your password with your current one (My account).")
            )
        if security.verify_password(user.password_hash, new):
            raise ValidationError(
                msg("Choose a password of your own, not the one-time password."),
                field="new_password",
            )
        user.password_hash = security.hash_password(new)
        user.must_change_password = False
        session.add(user)
        ctx.audit(session, "user.password_set", entity_type="user", entity_id=user.id)
        return actor_for(session, user)


def _active_self(session: Session, ctx: ServiceContext) -> User:
    """The signed-in user's own account; PermissionDenied once it was disabled."""
    assert ctx.actor.id is not None
    user = _user(session, ctx.actor.id)
    if not user.is_active:
        raise PermissionDenied(msg("Your account was disabled: ask the shop owner."))
    return user


def unlock(ctx: ServiceContext, password: str) -> Actor:
    """Check the signed-in user's password on the lock screen (still active, right
    password). Wrong ones count as at the sign-in (`auth.failures_counted`): several in a
    row pause the account's sign-ins, here and on the sign-in screen alike."""
    if ctx.actor.id is None:
        raise AuthenticationError(msg("Sign in first."))
    with failures_counted(ctx), ctx.uow() as session:
        user = _user(session, ctx.actor.id)
        refuse_while_paused(session, user.email, ctx.clock.now())
        if not security.verify_password(user.password_hash, password):
            raise WrongCredentials(msg("Wrong password."), email=user.email, user_id=user.id)
        clear_sign_in_failures(session, user.email)
        if not user.is_active:
            raise AuthenticationError(msg("This account is disabled: ask the shop owner."))
        return actor_for(session, user)


# Idle lock -----------------------------------------------------------------------------
def lock_minutes_in(session: Session) -> int:
    """Minutes without input before the window locks (0 = never)."""
    value = get_setting(session, LOCK_MINUTES_KEY, DEFAULT_LOCK_MINUTES)
    if isinstance(value, bool) or not isinstance(value, int):
        return DEFAULT_LOCK_MINUTES
    return min(max(value, 0), MAX_LOCK_MINUTES)


def lock_minutes(ctx: ServiceContext) -> int:
    with ctx.uow() as session:
        return lock_minutes_in(session)


def set_lock_minutes(ctx: ServiceContext, minutes: int) -> int:
    """Store the idle-lock delay (0 turns the lock off); audited. The owner or a manager
    only: a staff member with Settings access could otherwise switch the lock off."""
    ctx.require_manager()
    if isinstance(minutes, bool) or not 0 <= minutes <= MAX_LOCK_MINUTES:
        raise ValidationError(
            msg(
                "The lock delay must be 0 (never) to {limit} minutes (got {minutes}).",
                limit=str(MAX_LOCK_MINUTES),
                minutes=str(minutes),
            ),
            field="lock_minutes",
        )
    with ctx.uow() as session:
        if get_setting(session, LOCK_MINUTES_KEY) != minutes:
            put_setting(ctx, session, LOCK_MINUTES_KEY, minutes, default=DEFAULT_LOCK_MINUTES)
    return minutes
