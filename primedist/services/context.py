"""The context every service call gets: engine, acting user, clock.

Services open one unit of work (`ctx.uow()`), check the actor's permission
(`ctx.require(Module.X)`), and write the audit row in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from primedist.config import Settings
from primedist.core.clock import Clock, SystemClock
from primedist.core.messages import msg, stored_args
from primedist.db.engine import session_scope
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    """A snapshot of the signed-in user: who acts, and what they may open."""

    id: int | None
    name: str
    email: str
    role: Role
    modules: frozenset[Module] = field(default_factory=frozenset)
    must_change_password: bool = False

    def can(self, module: Module) -> bool:
        """Owner and managers may use every module; staff only those granted."""
        return self.role in (Role.OWNER, Role.MANAGER) or module in self.modules


#: The actor of CLI commands and scheduler jobs run without `--user`.
SYSTEM = Actor(id=None, name="system", email="", role=Role.OWNER)
#: audit_events.summary holds this many characters (the rest is cut).
SUMMARY_MAX = 255


@dataclass
class ServiceContext:
    """Engine + actor + clock (+ settings when running inside an installation)."""

    engine: Engine
    actor: Actor = SYSTEM
    clock: Clock = field(default_factory=SystemClock)
    settings: Settings | None = None

    @contextmanager
    def uow(self, *, write: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error. `write`: it writes
        after reading (`session_scope`): other writers make it wait, not fail."""
        with session_scope(self.engine, write=write) as session:
            yield session

    def require(self, module: Module) -> None:
        """Raise PermissionDenied unless the actor may use `module`."""
        if not self.actor.can(module):
            raise PermissionDenied(
                msg("{user} has no access to {module}: ask the shop owner.",
                    user=self.actor.name, module=module)
            )  # fmt: skip

    def require_manager(self) -> None:
        """Raise PermissionDenied unless the actor is the owner or a manager."""
        if self.actor.role not in (Role.OWNER, Role.MANAGER):
            raise PermissionDenied(msg("Only the owner or a manager may do this."))

    def require_owner(self, message: str) -> None:
        """Raise PermissionDenied(`message`) unless the actor is the owner; `message` is the
        whole refusal, e.g. msg("Only the owner may …")."""
        if self.actor.role != Role.OWNER:
            raise PermissionDenied(message)

    def with_actor(self, actor: Actor) -> ServiceContext:
        return ServiceContext(self.engine, actor, self.clock, self.settings)

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
                created_at=self.clock.now(),
            )
        )
