"""First-run setup, sign-in, password change."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from primedist.core import security
from primedist.core.emails import is_email
from primedist.core.messages import msg
from primedist.core.tax_codes import tax_code_problem
from primedist.core.text import clean_line
from primedist.domain.enums import Channel, Module, Role
from primedist.domain.shop import Shop
from primedist.domain.user import User, UserModuleAccess
from primedist.errors import (
    AuthenticationError,
    Conflict,
    PermissionDenied,
    SetupRequired,
    ValidationError,
)
from primedist.services.app_settings import SHOP_PROFILE, get_setting, put_setting
from primedist.services.context import Actor, ServiceContext
from primedist.services.tags import ensure_default_tags

WRONG_LOGIN = "Wrong email or password."


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively; stored lower-cased and trimmed."""
    return email.strip().lower()


def _check_email(email: str) -> str:
    email = normalize_email(email)
    if not is_email(email):
        raise ValidationError(
            msg("{email} is not a valid email address.", email=repr(email)), field="email"
        )
    return email


def needs_setup(engine: Engine) -> bool:
    """True until the first-run setup has created the owner."""
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(User)).one() == 0


def actor_for(session: Session, user: User) -> Actor:
    """The Actor snapshot of a user, with their granted modules."""
    modules = session.exec(
        select(UserModuleAccess.module).where(UserModuleAccess.user_id == user.id)
    ).all()
    return Actor(
        id=user.id,
        name=user.name,
        email=user.email,
        role=user.role,
        modules=frozenset(Module(m) for m in modules),
        must_change_password=user.must_change_password,
    )


def setup_shop(
    ctx: ServiceContext,
    *,
    shop_name: str,
    owner_name: str,
    owner_email: str,
    owner_password: str,
    tag_names: Mapping[str, str] | None = None,
    address: str = "",
    phone: str = "",
    tax_code: str = "",
) -> Actor:
    """Create the shop (its own counter outlet), the owner account and the default tags,
    named `tag_names` (key → name, in the language of the set-up; else English). The
    address, phone and tax code (optional) go into the shop details that receipts and
    invoices print (Settings → Printers & templates)."""
    shop_name, owner_name = clean_line(shop_name), clean_line(owner_name)
    contact = {"address": clean_line(address), "phone": clean_line(phone),
               "tax_code": clean_line(tax_code)}  # fmt: skip
    if not shop_name:
        raise ValidationError(msg("The shop name is required."), field="shop_name")
    if not owner_name:
        raise ValidationError(msg("The owner's name is required."), field="owner_name")
    if problem := tax_code_problem(contact["tax_code"]):  # printed on every invoice
        raise ValidationError(problem, field="tax_code")
    email = _check_email(owner_email)
    try:
        security.check_password_strength(owner_password)
    except ValueError as exc:
        raise ValidationError(exc.args[0], field="owner_password") from exc
    with ctx.uow() as session:
        if session.exec(select(func.count()).select_from(User)).one():
            raise Conflict(msg("This shop is already set up: sign in instead."))
        now = ctx.clock.now()
        owner = User(
            name=owner_name,
            email=email,
            password_hash=security.hash_password(owner_password),
            role=Role.OWNER,
            created_at=now,
        )
        session.add(owner)
        session.add(Shop(name=shop_name, channel=Channel.OFFLINE, created_at=now))
        session.flush()
        ensure_default_tags(session.connection(), tag_names)
        actor = actor_for(session, owner)
        owner_ctx = ctx.with_actor(actor)
        profile = {"name": shop_name} | {k: v for k, v in contact.items() if v}
        put_setting(owner_ctx, session, SHOP_PROFILE, profile)
        owner_ctx.audit(
            session,
            "setup.complete",
            entity_type="user",
            entity_id=owner.id,
            summary=msg("Shop {shop} set up by {email}", shop=repr(shop_name), email=email),
        )
    return actor


def login(ctx: ServiceContext, email: str, password: str) -> Actor:
    """Check the credentials; the error never says whether the email exists. A sign-in
    is recorded: the last sign-in time and a `user.login` audit row."""
    with ctx.uow() as session:
        user = _checked_user(session, email, password)
        if security.needs_rehash(user.password_hash):
            user.password_hash = security.hash_password(password)
        user.last_login_at = ctx.clock.now()
        session.add(user)
        actor = actor_for(session, user)
        ctx.with_actor(actor).audit(session, "user.login", entity_type="user", entity_id=user.id)
    return actor


def check_login(ctx: ServiceContext, email: str, password: str) -> Actor:
    """The Actor of the credentials, as `login` checks them, writing nothing: the CLI's
    `--user` signs in on every command, and a sign-in recorded per command would bury
    the log (and a refused command would still have written one)."""
    with ctx.uow() as session:
        return actor_for(session, _checked_user(session, email, password))


def _checked_user(session: Session, email: str, password: str) -> User:
    email = normalize_email(email)
    if session.exec(select(func.count()).select_from(User)).one() == 0:
        raise SetupRequired(msg("No shop is set up yet."))
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        security.hash_password(password)  # same work as a real check: no timing oracle
        raise AuthenticationError(WRONG_LOGIN)
    if not security.verify_password(user.password_hash, password):
        raise AuthenticationError(WRONG_LOGIN)
    if not user.is_active:
        raise AuthenticationError(msg("This account is disabled: ask the shop owner."))
    return user


def change_password(ctx: ServiceContext, current: str, new: str) -> Actor:
    """Change the actor's own password (the current one is required)."""
    if ctx.actor.id is None:
        raise AuthenticationError(msg("Sign in first."))
    try:
        security.check_password_strength(new)
    except ValueError as exc:
        raise ValidationError(exc.args[0], field="new_password") from exc
    with ctx.uow() as session:
        user = session.get(User, ctx.actor.id)
        if user is None or not security.verify_password(user.password_hash, current):
            raise AuthenticationError(msg("The current password is wrong."))
        if not user.is_active:
            raise PermissionDenied(msg("Your account was disabled: ask the shop owner."))
        user.password_hash = security.hash_password(new)
        user.must_change_password = False
        session.add(user)
        ctx.audit(session, "user.password_change", entity_type="user", entity_id=user.id)
        return actor_for(session, user)


def owner_actor(ctx: ServiceContext) -> Actor:
    """The owner's Actor (the CLI acts as the owner when no `--user` is given)."""
    with ctx.uow() as session:
        owner = session.exec(
            select(User).where(User.role == Role.OWNER).order_by(User.id)  # type: ignore[arg-type]
        ).first()
        if owner is None:
            raise SetupRequired(msg("No shop is set up yet: run `primedist init` first."))
        return actor_for(session, owner)


def shop_profile(ctx: ServiceContext) -> dict[str, str]:
    """The shop's name/address/phone/tax code as set up."""
    with ctx.uow() as session:
        return dict(get_setting(session, SHOP_PROFILE, {}) or {})
