"""The audit row of a restore names the person who restored it: their own account in the
restored data (the same id and email), or, when the backup gives their id to someone else
or has no such account, no user, with the restorer's name and email in its After."""

from __future__ import annotations

import dataclasses
import json

from sqlmodel import Session, col, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.domain.user import User
from primedist.services import auth, backup, staff
from primedist.services.context import ServiceContext
from tests.services.test_backup_service import pytestmark as sqlite_only

pytestmark = sqlite_only


def _restore_rows(ctx: ServiceContext) -> list[tuple[int | None, object]]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "backup.restore")
                            .order_by(col(AuditEvent.id))).all()  # fmt: skip
        return [(r.user_id, json.loads(r.after_json or "null")) for r in rows]


def _manager(ctx: ServiceContext, name: str, email: str) -> ServiceContext:
    uid = staff.add_staff(ctx, name=name, email=email, role=Role.MANAGER).member.id
    with ctx.uow() as session:
        return ctx.with_actor(auth.actor_for(session, session.get_one(User, uid)))


def test_a_backup_giving_the_restorers_id_to_someone_else_names_no_user(
    owner_ctx: ServiceContext,
) -> None:
    only_owner = backup.backup_now(owner_ctx)
    minh = staff.add_staff(owner_ctx, name="Minh", email="minh@shop.vn", role=Role.STAFF,
                           modules=[Module.ORDERS]).member  # fmt: skip
    with_minh = backup.backup_now(owner_ctx)
    # Minh is gone (the data of before him restored); Lan, added since, gets his id.
    ctx, _safety = backup.restore(owner_ctx, only_owner)
    lan = _manager(ctx, "Lan", "lan@shop.vn")
    assert lan.actor.id == minh.id

    after, _safety = backup.restore(lan, with_minh)

    assert after.actor.id is None  # Lan has no account in that data
    assert _restore_rows(after)[-1] == (None, {"restored_by": "Lan <lan@shop.vn>"})
    after.engine.dispose()
    ctx.engine.dispose()


def test_the_restorers_own_account_in_the_backup_is_named(owner_ctx: ServiceContext) -> None:
    lan = _manager(owner_ctx, "Lan", "lan@shop.vn")
    saved = backup.backup_now(owner_ctx)

    after, _safety = backup.restore(lan, saved)

    assert after.actor == lan.actor
    assert _restore_rows(after) == [(lan.actor.id, None)]
    after.engine.dispose()


def test_an_email_written_in_other_capitals_is_the_same_account(
    owner_ctx: ServiceContext,
) -> None:
    lan = _manager(owner_ctx, "Lan", "lan@shop.vn")
    saved = backup.backup_now(owner_ctx)
    as_typed = lan.with_actor(dataclasses.replace(lan.actor, email="LAN@Shop.vn"))

    after, _safety = backup.restore(as_typed, saved)

    assert _restore_rows(after) == [(lan.actor.id, None)]
    after.engine.dispose()
