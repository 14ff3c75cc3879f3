"""The context every service call gets: engine, acting user, clock.

Services open one unit of work (`ctx.uow()`), check the actor's permission
(`ctx.require(Module.X)`), and write the audit row in the same transaction.

The permission checks read the signed-in user's account as it stands now (one query by
primary key): the owner disabling someone, demoting a manager or taking a module away
applies to a session already open, not at its next sign-in.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from primedist.config import Settings
from primedist.core.clock import Clock, SystemClock
from primedist.core.host import this_pc
from primedist.core.messages import msg, stored_args
from primedist.db.engine import session_scope
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.domain.user import User, UserModuleAccess
from primedist.errors import PermissionDenied


class AccountDisabled(PermissionDenied):
    """The signed-in user's account was disabled (or deleted) while they were signed in:
    every service refuses them, and the app's window signs them out."""


@dataclass(frozen=True)
class Actor:
    """A snapshot of the signed-in user: who acts, and what they may open."""

    id: int | None
    name: str
    email: str
    role: Role
    modules: frozenset[Module] = field(default_factory=frozenset)
    must_change_password: bool = False
    #: The staff right "Refunds and returns" (`User.can_refund`).
    can_refund: bool = False
    #: The staff right "Export data" (`User.can_export`).
    can_export: bool = False

    def can(self, module: Module) -> bool:
        """Owner and managers may use every module; staff only those granted."""
        return self.role in (Role.OWNER, Role.MANAGER) or module in self.modules

    @property
    def may_refund(self) -> bool:
        """Whether they may take returns, give refunds, exchange items and cancel a paid
        order: the owner and managers always; staff with Orders and the right."""
        return self.role in (Role.OWNER, Role.MANAGER) or (
            self.can_refund and Module.ORDERS in self.modules
        )

    @property
    def may_export(self) -> bool:
        """Whether they may export the shop's data to a file (of the modules they may
        use): the owner and managers always; staff with the right "Export data"."""
        return self.role in (Role.OWNER, Role.MANAGER) or self.can_export


#: The actor of CLI commands and scheduler jobs run without `--user`.
SYSTEM = Actor(id=None, name="system", email="", role=Role.OWNER)
#: audit_events.summary holds this many characters (the rest is cut).
SUMMARY_MAX = 255
#: A user's account as it stands now: active?, role, the refund and export rights, and a
#: row per module granted (built once: the permission checks run it at every service call).
_ACCOUNT_NOW = (
    sa.select(  # type: ignore[call-overload]
        User.is_active, User.role, User.can_refund, User.can_export, UserModuleAccess.module
    )
    .select_from(User)
    .outerjoin(UserModuleAccess, UserModuleAccess.user_id == User.id)
    .where(User.id == sa.bindparam("user_id"))
)


@dataclass
class ServiceContext:
    """Engine + actor + clock (+ settings when running inside an installation), and the
    PC the actor works at, as its audit rows name it (a test's other PC names another)."""

    engine: Engine
    actor: Actor = SYSTEM
    clock: Clock = field(default_factory=SystemClock)
    settings: Settings | None = None
    pc: str = field(default_factory=this_pc)

    @contextmanager
    def uow(self, *, write: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error. `write`: it writes
        after reading (`session_scope`): other writers make it wait, not fail."""
        with session_scope(self.engine, write=write) as session:
            yield session

    def current_actor(self) -> Actor:
        """The actor with the role and modules their account has now (one query by primary
        key); AccountDisabled when the account was disabled (or is gone). The system
        actor and any other actor without an account (id None) are taken as they are."""
        if self.actor.id is None:
            return self.actor
        with self.engine.connect() as conn:
            rows = conn.execute(_ACCOUNT_NOW, {"user_id": self.actor.id}).all()
        if not rows or not rows[0].is_active:
            raise AccountDisabled(msg("Your account was disabled: ask the shop owner."))
        modules = frozenset(Module(r.module) for r in rows if r.module is not None)
        return replace(self.actor, role=Role(rows[0].role), modules=modules,
                       can_refund=bool(rows[0].can_refund),
                       can_export=bool(rows[0].can_export))  # fmt: skip

    def can(self, module: Module) -> bool:
        """Whether the actor, as their account stands now, may use `module` (a disabled
        account raises AccountDisabled)."""
        return self.current_actor().can(module)

    def require(self, module: Module) -> Actor:
        """Raise PermissionDenied unless the actor may use `module`; returns the actor as
        their account stands now (`current_actor`)."""
        actor = self.current_actor()
        if not actor.can(module):
            raise PermissionDenied(
                msg("{user} has no access to {module}: ask the shop owner.",
                    user=actor.name, module=module)
            )  # fmt: skip
        return actor

    def require_refunds(self) -> Actor:
        """`require(Module.ORDERS)`, and the right "Refunds and returns" (`Actor.may_refund`):
        returns, refunds and exchanges give money back. Returns the actor as their account
        stands now."""
        actor = self.require(Module.ORDERS)
        if not actor.may_refund:
            raise PermissionDenied(
                msg("Only the owner, a manager or staff with the right “Refunds and returns” "
                    "may take returns, give refunds or exchange items: ask the shop owner.")
            )  # fmt: skip
        return actor

    def require_export(self, module: Module) -> Actor:
        """`require(module)`, and the right "Export data" (`Actor.may_export`): a file of
        the shop's data leaves the shop with whoever takes it. Returns the actor as their
        account stands now."""
        actor = self.require(module)
        if not actor.may_export:
            raise PermissionDenied(
                msg("Only the owner, a manager or staff with the right “Export data” may "
                    "export the shop's data to a file: ask the shop owner.")
            )  # fmt: skip
        return actor

    def require_manager(self) -> Actor:
        """Raise PermissionDenied unless the actor is the owner or a manager; returns the
        actor as their account stands now."""
        actor = self.current_actor()
        if actor.role not in (Role.OWNER, Role.MANAGER):
            raise PermissionDenied(msg("Only the owner or a manager may do this."))
        return actor

    def require_owner(self, message: str) -> Actor:
        """Raise PermissionDenied(`message`) unless the actor is the owner; `message` is the
        whole refusal, e.g. msg("Only the owner may …"). Returns the actor as their account
        stands now."""
        actor = self.current_actor()
        if actor.role != Role.OWNER:
            raise PermissionDenied(message)
        return actor

    def with_actor(self, actor: Actor) -> ServiceContext:
        return replace(self, actor=actor)

    def audit(
        self,
        session: Session,
        action: str,
        *,
        entity_type: str | None = None,
        entity_id: object = None,
        summary: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Add an audit row to the current unit of work. A `summary` made with `msg()`
        keeps its template and values, so the log reads in the reader's language."""
        session.add(
            AuditEvent(
                user_id=self.actor.id,
                action=action,
                entity_type=entity_type,
                entity_id=None if entity_id is None else str(entity_id),
                summary=None if summary is None else summary[:SUMMARY_MAX],
                summary_args=stored_args(summary),
                before_json=None if before is None else json.dumps(before, default=str),
                after_json=None if after is None else json.dumps(after, default=str),
                pc=self.pc,
                created_at=self.clock.now(),
            )
        )
