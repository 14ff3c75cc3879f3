"""The sync interval setting the scheduler reads."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Role
from primedist.errors import PermissionDenied, ValidationError
from primedist.services import schedule_settings as sched
from primedist.services.app_settings import put_setting
from primedist.services.context import Actor, ServiceContext


def test_default_then_stored_interval_with_audit(owner_ctx: ServiceContext) -> None:
    with Session(owner_ctx.engine) as session:
        assert sched.sync_interval_minutes(session) == sched.DEFAULT_SYNC_INTERVAL == 10
    assert sched.set_sync_interval(owner_ctx, 30) == 30
    assert sched.get_sync_interval(owner_ctx) == 30
    sched.set_sync_interval(owner_ctx, 30)  # unchanged: no second audit row
    with Session(owner_ctx.engine) as session:
        assert sched.sync_interval_minutes(session) == 30
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.entity_id == "sync.interval_minutes")
        ).all()
    assert [(r.action, r.before_json, r.after_json, r.user_id) for r in rows] == [
        ("settings.change", "10", "30", owner_ctx.actor.id)
    ]


@pytest.mark.parametrize("bad", [0, 1, 24 * 60 + 1, -5])
def test_out_of_range_interval_is_refused(owner_ctx: ServiceContext, bad: int) -> None:
    with pytest.raises(ValidationError, match="2 to 1,440 minutes"):
        sched.set_sync_interval(owner_ctx, bad)
    assert sched.get_sync_interval(owner_ctx) == 10


@pytest.mark.parametrize("stored", ["15", None, True, 0, 99999])
def test_a_hand_edited_value_never_stops_the_scheduler(
    owner_ctx: ServiceContext, stored: object
) -> None:
    with owner_ctx.uow() as session:
        put_setting(owner_ctx, session, sched.SYNC_INTERVAL_KEY, stored)
    with Session(owner_ctx.engine) as session:
        value = sched.sync_interval_minutes(session)
    assert sched.MIN_SYNC_INTERVAL <= value <= sched.MAX_SYNC_INTERVAL
    if stored == 0:
        assert value == 2
    if stored == 99999:
        assert value == 1440


def test_staff_without_settings_cannot_change_it(owner_ctx: ServiceContext) -> None:
    staff = Actor(id=None, name="Lan", email="lan@x.vn", role=Role.STAFF)
    with pytest.raises(PermissionDenied, match="Lan has no access to settings"):
        sched.set_sync_interval(owner_ctx.with_actor(staff), 20)
    with pytest.raises(PermissionDenied):
        sched.get_sync_interval(owner_ctx.with_actor(staff))
