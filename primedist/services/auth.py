"""First-run setup, sign-in, password change."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from primedist.core import security
from primedist.core.clock import as_utc
from primedist.core.emails import is_email
from primedist.core.messages import msg
from primedist.core.tax_codes import tax_code_problem
from primedist.core.text import clean_line
from primedist.db.product_summary import give_new_shop_low_stock_level
from primedist.domain.enums import Channel, Module, Role
from primedist.domain.shop import Shop
from primedist.domain.user import SignInFailure, User, UserModuleAccess
from primedist.errors import (
    AuthenticationError,
    Conflict,
    PermissionDenied,
    SetupRequired,
    ValidationError,
)
from primedist.services.app_settings import SHOP_PROFILE, get_setting, put_setting
from primedist.services.context import Actor, ServiceContext
from primedist.services.loyalty.settings import give_new_shop_points_rule
from primedist.services.tags import ensure_default_tags

WRONG_LOGIN = "Wrong email or password."
#: Wrong passwords in a row for one email before its sign-ins pause; the first pause, which
#: doubles with each further wrong one, up to the longest.
FAILURES_BEFORE_PAUSE = 5
FIRST_PAUSE = timedelta(seconds=30)
LONGEST_PAUSE = timedelta(minutes=5)


class WrongCredentials(AuthenticationError):
    """A wrong password (or an unknown email): counted towards a pause, and audited."""

    def __init__(self, message: str, *, email: str, user_id: int | None) -> None:
        super().__init__(message)
        self.email = email
        self.user_id = user_id


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
        can_refund=user.can_refund,
        can_export=user.can_export,
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
        counter = Shop(name=shop_name, channel=Channel.OFFLINE, created_at=now)
        session.add(counter)
        session.flush()
        give_new_shop_low_stock_level(session.connection(), int(counter.id or 0), now)
        give_new_shop_points_rule(session, now)
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
    is recorded: the last sign-in time and a `user.login` audit row. A wrong password is
    recorded too (`failures_counted`), and pauses the email's sign-ins after several."""
    with failures_counted(ctx), ctx.uow() as session:
        user = _checked_user(ctx, session, email, password)
        if security.needs_rehash(user.password_hash):
            user.password_hash = security.hash_password(password)
        user.last_login_at = ctx.clock.now()
        session.add(user)
        actor = actor_for(session, user)
        ctx.with_actor(actor).audit(session, "user.login", entity_type="user", entity_id=user.id)
    return actor


def check_login(ctx: ServiceContext, email: str, password: str) -> Actor:
    """The Actor of the credentials, as `login` checks them, recording no sign-in: the
    CLI's `--user` signs in on every command, and a sign-in recorded per command would
    bury the log. A wrong password is recorded and counted as at the app's sign-in."""
    with failures_counted(ctx), ctx.uow() as session:
        return actor_for(session, _checked_user(ctx, session, email, password))


def _checked_user(ctx: ServiceContext, session: Session, email: str, password: str) -> User:
    email = normalize_email(email)
    if session.exec(select(func.count()).select_from(User)).one() == 0:
        raise SetupRequired(msg("No shop is set up yet."))
    refuse_while_paused(session, email, ctx.clock.now())
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None:
        security.hash_password(password)  # same work as a real check: no timing oracle
        raise WrongCredentials(WRONG_LOGIN, email=email, user_id=None)
    if not security.verify_password(user.password_hash, password):
        raise WrongCredentials(WRONG_LOGIN, email=email, user_id=user.id)
    clear_sign_in_failures(session, email)
    if not user.is_active:
        raise AuthenticationError(msg("This account is disabled: ask the shop owner."))
    return user


# Wrong passwords in a row -------------------------------------------------------------
def _failure_key(email: str) -> str:
    return normalize_email(email)[:254]  # the column's length: any text may be typed


def refuse_while_paused(session: Session, email: str, now: datetime) -> None:
    """AuthenticationError, saying how long to wait, while `email`'s sign-ins are paused
    (checked before the password, so a paused guess learns nothing)."""
    row = session.get(SignInFailure, _failure_key(email))
    if row is None or row.paused_until is None:
        return
    wait = as_utc(row.paused_until) - now
    # Longer than any pause: set by a PC whose clock was ahead (or this one's before it
    # was put right); honoured, it would keep the account out until that time came.
    if timedelta(0) < wait <= LONGEST_PAUSE:
        raise AuthenticationError(_paused_message(email, wait))


def _paused_message(email: str, wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    return msg("Too many wrong passwords for {email}: sign-in is paused. Try again in "
               "{seconds} seconds.", email=normalize_email(email), seconds=seconds)  # fmt: skip


def clear_sign_in_failures(session: Session, email: str) -> None:
    """The right password (or a new one-time one) ends the count of wrong ones."""
    row = session.get(SignInFailure, _failure_key(email))
    if row is not None:
        session.delete(row)


def pause_after(failures: int) -> timedelta | None:
    """How long sign-ins pause after `failures` wrong passwords in a row (None: not yet)."""
    if failures < FAILURES_BEFORE_PAUSE:
        return None
    doublings = min(failures - FAILURES_BEFORE_PAUSE, 16)  # 30 s · 2^16 is past any cap
    pause: timedelta = FIRST_PAUSE * (1 << doublings)
    return min(pause, LONGEST_PAUSE)


@contextmanager
def failures_counted(ctx: ServiceContext) -> Iterator[None]:
    """Around a password check (sign-in, lock screen, the CLI's `--user`): a
    WrongCredentials raised inside is counted for its email and audited
    (`user.sign_in_failed`: the email typed, never the password) in a unit of work of its
    own, as the check's is rolled back; the wrong password that starts a pause says so."""
    try:
        yield
    except WrongCredentials as wrong:
        pause = _record_failure(ctx, wrong)
        if pause is not None:
            raise AuthenticationError(_paused_message(wrong.email, pause)) from None
        raise


def _record_failure(ctx: ServiceContext, wrong: WrongCredentials) -> timedelta | None:
    now = ctx.clock.now()
    key = _failure_key(wrong.email)
    with ctx.uow(write=True) as session:
        row = session.get(SignInFailure, key) or SignInFailure(email=key, failures=0)
        row.failures += 1
        row.last_failed_at = now
        pause = pause_after(row.failures)
        row.paused_until = None if pause is None else now + pause
        session.add(row)
        known = wrong.user_id is not None
        summary = (msg("{email}: wrong password", email=key) if known
                   else msg("{email}: no account has this email", email=key))  # fmt: skip
        after: dict[str, object] = {"failures": row.failures}
        if pause is not None:
            after["paused_seconds"] = int(pause.total_seconds())
        # As the account tried (the sign-in's own row is too); an unknown email: nobody's.
        who = ctx.with_actor(Actor(id=wrong.user_id, name="", email=key, role=Role.STAFF))
        who.audit(session, "user.sign_in_failed", entity_type="user",
                  entity_id=wrong.user_id, summary=summary, after=after)  # fmt: skip
    return pause


def change_password(ctx: ServiceContext, current: str, new: str) -> Actor:
    """Change the actor's own password (the current one is required)."""
    if ctx.actor.id is None:
        raise AuthenticationError(msg("Sign in first."))
    try:
        security.check_password_strength(new)
    except ValueError as exc:
        raise ValidationError(exc.args[0], field="new_password") from exc
    # Counted as at the sign-in: an unlocked session must not try passwords at full speed.
    with failures_counted(ctx), ctx.uow() as session:
        user = session.get(User, ctx.actor.id)
        if user is None:
            raise AuthenticationError(msg("The current password is wrong."))
        refuse_while_paused(session, user.email, ctx.clock.now())
        if not security.verify_password(user.password_hash, current):
            raise WrongCredentials(msg("The current password is wrong."), email=user.email,
                                   user_id=user.id)  # fmt: skip
        clear_sign_in_failures(session, user.email)
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
