"""Typed access to app-wide settings stored as JSON (AppSetting rows)."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from primedist.domain.settings import AppSetting
from primedist.services.context import ServiceContext

SHOP_PROFILE = "shop.profile"
DEMO_FLAG = "demo.generated"


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    """The stored value of `key`, or `default`."""
    row = session.get(AppSetting, key)
    return default if row is None else json.loads(row.value_json)


def put_setting(ctx: ServiceContext, session: Session, key: str, value: Any) -> None:
    """Store `key` (in the caller's unit of work) and audit the change."""
    row = session.get(AppSetting, key)
    before = None if row is None else json.loads(row.value_json)
    if row is None:
        row = AppSetting(key=key, value_json="null")
    row.value_json = json.dumps(value, ensure_ascii=False)
    row.updated_by_id = ctx.actor.id
    row.updated_at = ctx.clock.now()
    session.add(row)
    ctx.audit(
        session, "settings.change", entity_type="setting", entity_id=key, before=before, after=value
    )
