"""The audit log's records by name (one query per kind for a page of rows), on SQLite and
PostgreSQL alike: a customer with its code, a staff member; a deleted or unnamed record
left out."""

from __future__ import annotations

from primedist.domain.enums import Role
from primedist.services import audit_log, customers, staff
from primedist.services.context import ServiceContext


def test_records_are_named_by_kind(owner_ctx: ServiceContext) -> None:
    cid = customers.add_customer(owner_ctx, customers.CustomerDraft(name="Lê Thu")).customer_id
    staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    ((uid, _name),) = [(i, n) for i, n in audit_log.audit_users(owner_ctx) if n == "Lan"]
    with owner_ctx.engine.connect() as conn:
        records = [f"customer {cid}", f"user {uid}", "customer 999999", "backup 3", "setting x"]
        names = audit_log.record_names(conn, records)
    code = customers.customer_code(cid)
    assert names == {f"customer {cid}": f"Lê Thu ({code})", f"user {uid}": "Lan"}
