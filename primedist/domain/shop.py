"""Shops (one per marketplace store or offline outlet) and their encrypted credentials."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from primedist.domain.base import Field, SQLModel, enum_field, fk, text_field, utcnow
from primedist.domain.enums import Channel, ShopStatus


class Shop(SQLModel, table=True):
    """A sales outlet: a marketplace store (Shopee, ...) or the shop's own counter."""

    __tablename__ = "shops"
    __table_args__ = (sa.UniqueConstraint("channel", "external_shop_id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    channel: Channel = enum_field(Channel)
    external_shop_id: str | None = Field(default=None, max_length=64)
    region: str = Field(default="VN", max_length=8)
    status: ShopStatus = enum_field(ShopStatus, default=ShopStatus.ACTIVE)
    #: API host override (live, sandbox or any URL); None = the channel's live host.
    api_host: str | None = Field(default=None, max_length=255)
    timezone: str = Field(default="Asia/Ho_Chi_Minh", max_length=64)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class ShopCredential(SQLModel, table=True):
    """OAuth tokens of a linked marketplace shop, encrypted at rest (never plain text)."""

    __tablename__ = "shop_credentials"

    shop_id: int | None = fk("shops.id", ondelete="CASCADE", primary_key=True)
    access_token_enc: str | None = text_field()
    refresh_token_enc: str | None = text_field()
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    updated_at: datetime = Field(default_factory=utcnow)
