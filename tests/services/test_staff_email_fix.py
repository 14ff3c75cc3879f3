"""An owner corrects a staff member's mistyped email in Edit staff: they then sign in with
the new one; an email another account uses is refused; the change is in the audit log."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.errors import AuthenticationError, Conflict, ValidationError
from primedist.services import auth, staff
from primedist.services.context import ServiceContext
from tests.conftest import OWNER_EMAIL


def _updates(ctx: ServiceContext) -> list[AuditEvent]:
    with Session(ctx.engine) as session:
        return list(session.exec(
            select(AuditEvent).where(AuditEvent.action == "staff.update")).all())  # fmt: skip


def test_a_mistyped_email_is_corrected_and_audited(owner_ctx: ServiceContext) -> None:
    issued = staff.add_staff(owner_ctx, name="Lan", email="lan@shpo.vn", role=Role.STAFF,
                             modules=[Module.ORDERS])  # fmt: skip
    uid = issued.member.id
    fixed = staff.update_staff(owner_ctx, uid, name="Lan", email=" LAN@Shop.vn ",
                               role=Role.STAFF, modules=[Module.ORDERS])  # fmt: skip
    assert fixed.email == "lan@shop.vn"
    assert auth.login(owner_ctx, "lan@shop.vn", issued.one_time_password).id == uid
    with pytest.raises(AuthenticationError):
        auth.login(owner_ctx, "lan@shpo.vn", issued.one_time_password)
    (row,) = _updates(owner_ctx)
    assert json.loads(row.before_json or "")["email"] == "lan@shpo.vn"
    assert json.loads(row.after_json or "")["email"] == "lan@shop.vn"
    # Left out (the CLI, older callers): the email stays.
    kept = staff.update_staff(owner_ctx, uid, name="Lan Trần", role=Role.STAFF,
                              modules=[Module.ORDERS])  # fmt: skip
    assert kept.email == "lan@shop.vn"


def test_an_email_in_use_or_not_an_email_is_refused(owner_ctx: ServiceContext) -> None:
    uid = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF).member.id
    with pytest.raises(Conflict, match=f"The email {OWNER_EMAIL} is already used"):
        staff.update_staff(owner_ctx, uid, name="Lan", email=OWNER_EMAIL.upper(),
                           role=Role.STAFF)  # fmt: skip
    with pytest.raises(ValidationError, match="not a valid email"):
        staff.update_staff(owner_ctx, uid, name="Lan", email="lan-at-shop", role=Role.STAFF)
    assert staff.get_member(owner_ctx, uid).email == "lan@shop.vn"
    assert _updates(owner_ctx) == []
