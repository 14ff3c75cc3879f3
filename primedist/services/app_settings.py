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


def put_setting(
    ctx: ServiceContext, session: Session, key: str, value: Any, *, default: Any = None
) -> None:
    """Store `key` (in the caller's unit of work) and audit the change. A key never saved
    holds its built-in `default`: the audit row's before, and saving the value it already
    has changes nothing (no audit row; a key never saved is stored all the same)."""
    row = session.get(AppSetting, key)
    before = default if row is None else json.loads(row.value_json)
    if row is not None and value == before:
        return
    if row is None:
        row = AppSetting(key=key, value_json="null")
    row.value_json = json.dumps(value, ensure_ascii=False)
    row.updated_by_id = ctx.actor.id
    row.updated_at = ctx.clock.now()
    session.add(row)
    if value != before:
        ctx.audit(session, "settings.change", entity_type="setting", entity_id=key,
                  before=before, after=value)  # fmt: skip
