"""Stored settings: app-wide values and per-shop parameters, as JSON text."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from primedist.domain.base import Field, SQLModel, fk, utcnow


class AppSetting(SQLModel, table=True):
    """An app-wide setting (rank thresholds, points rate, backup policy, ...)."""

    __tablename__ = "app_settings"

    key: str = Field(max_length=80, primary_key=True)
    value_json: str = Field(sa_type=sa.Text)
    updated_by_id: int | None = fk("users.id", ondelete="SET NULL")
    updated_at: datetime = Field(default_factory=utcnow)


class ShopParameter(SQLModel, table=True):
    """A per-shop parameter (low-stock default level, sync interval, ...)."""

    __tablename__ = "shop_parameters"

    shop_id: int = fk("shops.id", ondelete="CASCADE", primary_key=True)
    key: str = Field(max_length=80, primary_key=True)
    value_json: str = Field(sa_type=sa.Text)
    updated_at: datetime = Field(default_factory=utcnow)
