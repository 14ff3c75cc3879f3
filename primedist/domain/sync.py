"""Marketplace sync state: per-shop checkpoints, the sync log, and the outbox."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from primedist.domain.base import Field, SQLModel, enum_field, fk, text_field, utcnow
from primedist.domain.enums import OutboxStatus


class SyncCheckpoint(SQLModel, table=True):
    """How far a shop's resource (orders, products) has been pulled, and its health."""

    __tablename__ = "sync_checkpoints"

    shop_id: int = fk("shops.id", ondelete="CASCADE", primary_key=True)
    resource: str = Field(max_length=20, primary_key=True)
    #: High-water mark of `update_time` fully synced (the next window starts here).
    synced_until: datetime | None = None
    #: Paging cursor inside the current window, so a failed sync resumes.
    cursor: str | None = text_field()
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = text_field()
    error_count: int = Field(default=0)
    #: Daily API limit reached: do not call again before this time.
    paused_until: datetime | None = None
    #: Orders placed before this (the shop's first sync) are history: they never move
    #: stock, since the shelf count at linking time already reflects them.
    stock_since: datetime | None = None


class SyncLogEntry(SQLModel, table=True):
    """A line of a shop's sync log (errors in plain words, tokens redacted)."""

    __tablename__ = "sync_log"
    __table_args__ = (sa.Index(None, "shop_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = fk("shops.id", ondelete="CASCADE")
    level: str = Field(default="info", max_length=10)
    message: str = Field(max_length=500)
    #: The message's template and values (core/messages.stored_args), so the UI words it
    #: in the reader's language; None for a plain line.
    args: str | None = text_field()
    created_at: datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """An action for a marketplace or carrier, stored first and delivered at most once."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index(None, "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    #: Unique per intent (e.g. "confirm:order:123"): enqueueing twice is a no-op.
    intent_key: str = Field(max_length=160, unique=True)
    kind: str = Field(max_length=40)
    shop_id: int | None = fk("shops.id", ondelete="CASCADE", index=True)
    carrier_account_id: int | None = fk("carrier_accounts.id", ondelete="CASCADE")
    order_id: int | None = fk("orders.id", ondelete="CASCADE", index=True)
    payload_json: str = Field(default="{}", sa_type=sa.Text)
    status: OutboxStatus = enum_field(OutboxStatus, default=OutboxStatus.PENDING)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str | None = text_field()
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
