"""A staff member's edit is audited with only what changed in Before/After (the modules
given, a new name), as the other edits are, not the whole account twice: the change was
hidden in the log's cut-off columns."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.services import staff
from primedist.services.context import ServiceContext


def _updates(ctx: ServiceContext) -> list[tuple[object, object]]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.action == "staff.update")
                            .order_by(col(AuditEvent.id))).all()  # fmt: skip
        return [(json.loads(r.before_json or "null"), json.loads(r.after_json or "null"))
                for r in rows]  # fmt: skip


def test_an_edit_records_only_the_fields_it_changed(owner_ctx: ServiceContext) -> None:
    uid = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                          modules=[Module.ORDERS]).member.id  # fmt: skip

    staff.update_staff(owner_ctx, uid, name="Lan", role=Role.STAFF,
                       modules=[Module.ORDERS, Module.PRODUCTS])  # fmt: skip
    staff.update_staff(owner_ctx, uid, name="Lan Trần", email="lan.tran@shop.vn",
                       role=Role.MANAGER, modules=[])  # fmt: skip
    staff.update_staff(owner_ctx, uid, name="Lan Trần", role=Role.MANAGER)  # no change

    assert _updates(owner_ctx) == [
        ({"modules": ["orders"]}, {"modules": ["orders", "products"]}),
        (
            {"name": "Lan", "email": "lan@shop.vn", "role": "staff",
             "modules": ["orders", "products"]},
            {"name": "Lan Trần", "email": "lan.tran@shop.vn", "role": "manager",
             "modules": []},
        ),
    ]  # fmt: skip
