"""Scheduled price changes (*chương trình giá theo lịch*): a bulk price change (the rule of
`services.price_change`) that starts at a set time and, optionally, ends at another, when
each variant it changed gets its price from before back (unless someone changed that
price by hand meanwhile: then the hand's price stays).

* scheduled — waiting for its start;
* running — applied, waiting for its end;
* done — applied and ended (or applied, with no end);
* cancelled — stopped before it started;
* failed — at its start a variant could not take its new price: nothing changed (why kept).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from primedist.domain.base import fk, text_field, utcnow


class ScheduleState(StrEnum):
    SCHEDULED = "scheduled"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


#: States still waiting for the scheduler (to start, or to end).
PENDING_STATES = (ScheduleState.SCHEDULED, ScheduleState.RUNNING)


class PriceSchedule(SQLModel, table=True):
    """One scheduled change: its name, rule, products and times, and what came of it."""

    __tablename__ = "price_schedules"
    __table_args__ = (sa.Index(None, "state", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    #: The rule (`services.price_change.PriceRule`): field, mode, value (a decimal as
    #: text), rounding.
    field: str = Field(max_length=20)
    mode: str = Field(max_length=20)
    value: str = Field(default="0", max_length=40)
    round_to: int = 1
    #: The products chosen (a JSON list of ids); their active variants change at the start.
    product_ids: str = text_field(default="[]")
    starts_at: datetime
    ends_at: datetime | None = None
    state: str = Field(default=ScheduleState.SCHEDULED.value, max_length=12)
    #: Why it failed, or what its end left as it was.
    message: str | None = Field(default=None, max_length=255)
    #: Variants changed at the start; at the end, given their price back / kept by hand.
    changed: int = 0
    restored: int = 0
    kept: int = 0
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    applied_at: datetime | None = None
    ended_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = fk("users.id", ondelete="SET NULL")


class PriceScheduleItem(SQLModel, table=True):
    """One variant a running change changed: its price before and the one it set (the end
    gives `old` back only while the variant still has `new`)."""

    __tablename__ = "price_schedule_items"

    schedule_id: int = fk("price_schedules.id", ondelete="CASCADE", primary_key=True)
    variant_id: int = fk("variants.id", ondelete="CASCADE", primary_key=True, index=True)
    old: int | None = Field(default=None, sa_type=sa.BigInteger)
    new: int | None = Field(default=None, sa_type=sa.BigInteger)
