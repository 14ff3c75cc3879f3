"""Who did what: the audit log, and the activity feed shown on Home."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from primedist.domain.base import Field, SQLModel, enum_field, fk, text_field, utcnow
from primedist.domain.enums import ActivityKind


class AuditEvent(SQLModel, table=True):
    """One change that matters, written in the same transaction as the change."""

    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index(None, "created_at"),
        sa.Index(None, "user_id", "created_at"),
        sa.Index(None, "action", "created_at"),
        # A record's own rows, newest last: an open detail asks which PC changed its record
        # (`services.changes`), an order's history and edit clash read its rows.
        sa.Index(None, "entity_type", "entity_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    #: Dotted verb, e.g. "order.confirm", "settings.change", "backup.create".
    action: str = Field(max_length=60)
    entity_type: str | None = Field(default=None, max_length=40)
    entity_id: str | None = Field(default=None, max_length=64)
    summary: str | None = Field(default=None, max_length=255)
    #: The summary's template and values (core/messages.stored_args), so the log reads in
    #: the reader's language; None for a plain summary (a name, a code).
    summary_args: str | None = text_field()
    before_json: str | None = text_field()
    after_json: str | None = text_field()
    #: The PC the change was made on (`core.host`); None in rows written before 0036.
    pc: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(default_factory=utcnow)


class ActivityEvent(SQLModel, table=True):
    """A news item for Home: orders synced, a sync failure, low stock, ranks updated."""

    __tablename__ = "activity_events"
    __table_args__ = (sa.Index(None, "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: ActivityKind = enum_field(ActivityKind)
    shop_id: int | None = fk("shops.id", ondelete="CASCADE")
    #: An English sentence (the CLI, and rows older than `args`).
    message: str = Field(max_length=255)
    #: JSON object of the event's figures and names; the UI words it in its language
    #: (services/activity.py names the keys per kind).
    args: str | None = text_field()
    created_at: datetime = Field(default_factory=utcnow)
