"""Users (owner, managers, staff) and their per-module access."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from primedist.domain.base import Field, SQLModel, enum_field, fk, utcnow
from primedist.domain.enums import Module, Role


class User(SQLModel, table=True):
    """A person who signs in; email is stored lower-cased and is unique."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    role: Role = enum_field(Role, default=Role.STAFF)
    is_active: bool = Field(default=True)
    #: Set for a new staff member's one-time password: they choose their own at first login.
    must_change_password: bool = Field(default=False)
    #: A staff member's right "Refunds and returns": returns, refunds, exchanges and the
    #: cancel of a paid order (they give money back). New staff start without it; staff
    #: of before migration 0043 kept it (they could do all of it then). The owner and
    #: managers always may: theirs stays False, as their module list stays empty.
    can_refund: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    #: A staff member's right "Export data": any export of the shop's data to a file
    #: (orders, customers, products, reports…), within the modules they have. New staff
    #: start without it; staff of before migration 0044 kept it. The owner and managers
    #: always may: theirs stays False.
    can_export: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None


class UserModuleAccess(SQLModel, table=True):
    """One row per module a staff user may open."""

    __tablename__ = "user_module_access"

    user_id: int | None = fk("users.id", ondelete="CASCADE", primary_key=True)
    module: Module = enum_field(Module, primary_key=True)


class SignInFailure(SQLModel, table=True):
    """Wrong passwords typed in a row for one email at a sign-in (the app's, the lock
    screen's, the CLI's `--user`). Kept per email typed, an account's or not, so a pause
    says nothing about whether the email exists; the row goes at the next sign-in."""

    __tablename__ = "sign_in_failures"

    #: Lower-cased and trimmed, as `users.email`.
    email: str = Field(primary_key=True, max_length=254)
    failures: int = Field(default=0)
    last_failed_at: datetime = Field(default_factory=utcnow)
    #: Sign-ins for this email are refused until then (None: not paused).
    paused_until: datetime | None = None
