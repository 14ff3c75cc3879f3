"""A setting changed for the first time: the audit row's "before" is the value that was in
effect (the built-in default), not blank; a first save of the default itself changes
nothing worth a row."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import RankBasis
from primedist.services import backup, labels, schedule_settings, staff
from primedist.services.context import ServiceContext
from primedist.services.labels import LabelSettings
from primedist.services.loyalty import settings as loyalty


def _changes(ctx: ServiceContext, key: str) -> list[tuple[Any, Any]]:
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.action == "settings.change",
                                     AuditEvent.entity_id == key).order_by(AuditEvent.id)  # type: ignore[arg-type]
        ).all()  # fmt: skip
    return [(json.loads(r.before_json or "null"), json.loads(r.after_json or "null"))
            for r in rows]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "save", "default", "new"),
    [
        (backup.KEEP_KEY, backup.set_backup_keep, backup.DEFAULT_KEEP, 3),
        (schedule_settings.SYNC_INTERVAL_KEY, schedule_settings.set_sync_interval,
         schedule_settings.DEFAULT_SYNC_INTERVAL, 30),
        (staff.LOCK_MINUTES_KEY, staff.set_lock_minutes, staff.DEFAULT_LOCK_MINUTES, 5),
    ],
)  # fmt: skip
def test_the_first_change_shows_the_default_before(
    owner_ctx: ServiceContext, key: str, save: Callable[[ServiceContext, int], int],
    default: int, new: int,
) -> None:  # fmt: skip
    save(owner_ctx, default)  # the default saved as it is: nothing changed, no row
    assert _changes(owner_ctx, key) == []
    save(owner_ctx, new)
    save(owner_ctx, default)
    assert _changes(owner_ctx, key) == [(default, new), (new, default)]


def test_label_settings_first_change_shows_the_defaults(owner_ctx: ServiceContext) -> None:
    chosen = LabelSettings.from_json({**LabelSettings().to_json(), "printer": "Xprinter"})
    labels.save_settings(owner_ctx, chosen)
    assert _changes(owner_ctx, labels.SETTINGS_KEY) == [
        (LabelSettings().to_json(), chosen.to_json())
    ]


def test_rank_settings_first_change_shows_the_defaults(owner_ctx: ServiceContext) -> None:
    with Session(owner_ctx.engine) as session:
        defaults = loyalty.rank_settings(session)
    thresholds = {RankBasis.ORDERS: (30, 20, 10, 0)}
    loyalty.save_rank_settings(owner_ctx, basis=RankBasis.ORDERS, window=defaults.window,
                               thresholds=thresholds)  # fmt: skip
    [(before, after)] = _changes(owner_ctx, loyalty.RANKING_SETTING)
    assert before is not None and before["basis"] == defaults.basis.value
    assert before[RankBasis.ORDERS.value] == list(defaults.thresholds[RankBasis.ORDERS])
    assert after["basis"] == RankBasis.ORDERS.value and after["orders"] == [30, 20, 10, 0]
