"""The audit log viewer's queries (filters by user, kind, date; keyset pages) and export;
and the changes the issue lists each writing their audit row in the same transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from primedist.core import host
from primedist.core.clock import FixedClock
from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.errors import PermissionDenied, ValidationError
from primedist.queries import spec as query_spec
from primedist.services import audit_log, staff, stock
from primedist.services.audit_log import AuditFilter
from primedist.services.context import Actor, ServiceContext
from tests.conftest import FIXED_NOW, PG_URL
from tests.factories import make_product


@pytest.fixture
def log(owner_ctx: ServiceContext) -> dict[str, int]:
    """Audit rows over three days by the owner, Lan (staff) and the system."""
    lan = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                          modules=[Module.ORDERS]).member  # fmt: skip
    lan_ctx = owner_ctx.with_actor(Actor(id=lan.id, name="Lan", email=lan.email, role=Role.STAFF))
    system = ServiceContext(owner_ctx.engine, clock=owner_ctx.clock)
    for day in range(3):
        for who in (owner_ctx, lan_ctx, system):
            c = ServiceContext(who.engine, who.actor, FixedClock(FIXED_NOW - timedelta(days=day)))
            with c.uow() as session:
                c.audit(session, "order.confirmed", entity_type="order", entity_id=day,
                        summary=f"day {day}")  # fmt: skip
                c.audit(session, "stock.in", entity_type="variant", entity_id=1,
                        before={"stock": 1}, after={"stock": 5})  # fmt: skip
    return {"lan": lan.id, "owner": owner_ctx.actor.id or 0}


def count(ctx: ServiceContext, flt: AuditFilter) -> int:
    with ctx.engine.connect() as conn:
        return query_spec.count_rows(conn, audit_log.AUDIT_SPEC, audit_log.audit_state(flt))


def test_filters_by_user_kind_and_day(owner_ctx: ServiceContext, log: dict[str, int]) -> None:
    everything = count(owner_ctx, AuditFilter())
    assert everything >= 18
    assert count(owner_ctx, AuditFilter(user_id=log["lan"])) == 6
    assert count(owner_ctx, AuditFilter(user_id=audit_log.SYSTEM_USER)) == 6
    assert count(owner_ctx, AuditFilter(user_id=log["lan"], kinds=("stock",))) == 3
    assert count(owner_ctx, AuditFilter(kinds=("order", "stock"))) == 18
    today = FIXED_NOW.astimezone(audit_log.shop_tz()).date()
    assert count(owner_ctx, AuditFilter(kinds=("order",), date_from=today, date_to=today)) == 3
    assert count(owner_ctx, AuditFilter(kinds=("order",), date_from=today - timedelta(days=1))) == 6
    assert {"order", "stock", "staff", "setup", "settings"} <= set(audit_log.audit_kinds(owner_ctx))
    names = dict(audit_log.audit_users(owner_ctx))
    assert names[audit_log.SYSTEM_USER] == "system" and names[log["lan"]] == "Lan"

    rows = audit_log.list_events(owner_ctx, AuditFilter(user_id=log["lan"]), limit=4)
    assert len(rows) == 4
    assert rows[0]["user"] == "Lan"
    assert [r["created_at"] for r in rows] == sorted((r["created_at"] for r in rows), reverse=True)
    with pytest.raises(ValidationError, match="after the end day"):
        audit_log.list_events(owner_ctx, AuditFilter(date_from=date(2026, 1, 2),
                                                     date_to=date(2026, 1, 1)))  # fmt: skip


def test_keyset_pages_cover_every_row_once(owner_ctx: ServiceContext, log: dict[str, int]) -> None:
    state = audit_log.audit_state(AuditFilter())
    seen: list[int] = []
    after = None
    with owner_ctx.engine.connect() as conn:
        while True:
            page = query_spec.fetch_keys(conn, audit_log.AUDIT_SPEC, state, after=after, limit=5)
            if not page.keys:
                break
            seen += page.keys
            after = page.after
        total = conn.execute(sa.select(sa.func.count()).select_from(audit_log.audit_t)).scalar()
    assert len(seen) == len(set(seen)) == total


def test_export_writes_the_filtered_rows_and_audits_itself(
    owner_ctx: ServiceContext, log: dict[str, int], tmp_path: Path
) -> None:
    target = tmp_path / "nhat-ky.xlsx"
    report = audit_log.export_audit(owner_ctx, target, AuditFilter(kinds=("stock",)))
    assert report.rows == 9
    sheet = openpyxl.load_workbook(target, read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("When", "User", "PC", "Action", "Record", "Summary", "Before", "After")
    assert {r[3] for r in rows[1:]} == {"stock.in"}
    assert rows[1][6] == '{"stock": 1}' and rows[1][7] == '{"stock": 5}'
    assert isinstance(rows[1][0], datetime)
    with Session(owner_ctx.engine) as session:
        exported = session.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()
    assert exported.user_id == log["owner"]


def test_each_row_names_the_pc_it_was_written_on(
    owner_ctx: ServiceContext, other_pc: ServiceContext, tmp_path: Path
) -> None:
    """Two PCs on one database: the log, its export and the CLI's rows say which PC did
    what (this one by its host name); a row from before PCs were named says none."""
    (variant,) = make_product(owner_ctx.engine, "Áo", [("AO-1", 100_000, 3)])
    with owner_ctx.engine.begin() as conn:  # as 0036 left the rows before it
        conn.execute(audit_log.audit_t.insert().values(action="stock.in", created_at=FIXED_NOW))
    stock.stock_in(owner_ctx, variant, 2, reason="nhập hàng")
    stock.stock_in(other_pc, variant, 1, reason="nhập hàng")
    # Signed in as someone else there, still that PC.
    lan = other_pc.with_actor(Actor(id=None, name="Lan", email="lan@shop.vn", role=Role.OWNER))
    stock.stock_out(lan, variant, 1, reason="hỏng")
    rows = audit_log.list_events(owner_ctx, AuditFilter(kinds=("stock",)))
    assert [(r["action"], r["pc"]) for r in rows] == [
        ("stock.out", "KHO-PC"), ("stock.in", "KHO-PC"), ("stock.in", host.HOST),
        ("stock.in", None),
    ]  # fmt: skip
    target = tmp_path / "nhat-ky.xlsx"
    audit_log.export_audit(owner_ctx, target, AuditFilter(kinds=("stock",)))
    sheet = openpyxl.load_workbook(target, read_only=True).active
    assert sheet is not None
    header, *written = list(sheet.iter_rows(values_only=True))
    assert [r[header.index("PC")] for r in written] == ["KHO-PC", "KHO-PC", host.HOST, None]


def test_only_managers_read_the_log(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    helper = owner_ctx.with_actor(Actor(id=None, name="S", email="s@x.vn", role=Role.STAFF,
                                        modules=frozenset(Module)))  # fmt: skip
    for call in (audit_log.audit_kinds, audit_log.audit_users, audit_log.audit_spec,
                 lambda c: audit_log.list_events(c, AuditFilter()),
                 lambda c: audit_log.export_audit(c, tmp_path / "x.xlsx")):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call(helper)
    assert not (tmp_path / "x.xlsx").exists()


def test_a_stock_move_and_its_audit_row_share_one_transaction(owner_ctx: ServiceContext) -> None:
    (variant,) = make_product(owner_ctx.engine, "Áo", [("AO-1", 100_000, 3)])
    stock.stock_in(owner_ctx, variant, 2, reason="nhập hàng")
    rows = audit_log.list_events(owner_ctx, AuditFilter(kinds=("stock",)))
    assert [(r["action"], r["user"]) for r in rows] == [("stock.in", "Chủ Thử")]
    # A refused move writes neither the movement nor an audit row.
    with pytest.raises(ValidationError):
        stock.stock_out(owner_ctx, variant, 99, reason="hỏng")
    assert len(audit_log.list_events(owner_ctx, AuditFilter(kinds=("stock",)))) == 1


def test_the_changes_the_issue_lists_each_write_an_audit_row(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    """Prices, stock, orders confirmed/cancelled, customers merged, settings, staff,
    exports, backups: one audit row each, by the acting user."""
    import dataclasses

    from primedist.services import backup, catalogue, customers, order_export, orders
    from primedist.services import schedule_settings as sched
    from tests.factories import make_customers, make_orders, make_shop

    shop = make_shop(owner_ctx.engine, "Shopee A")
    (variant,) = make_product(owner_ctx.engine, "Áo", [("AO-1", 100_000, 3)])
    first, second = make_customers(owner_ctx.engine, 2)
    o1, o2 = make_orders(owner_ctx.engine, shop, 2, start=FIXED_NOW - timedelta(days=1),
                         step=timedelta(minutes=5))  # fmt: skip
    with owner_ctx.engine.begin() as conn:  # the factory picks statuses at random
        conn.exec_driver_sql("UPDATE orders SET status = 'pending'")
    with Session(owner_ctx.engine) as session:
        from primedist.domain.product import Variant

        v = session.get(Variant, variant)
        assert v is not None and v.product_id is not None
        product_id = v.product_id

    editable = catalogue.get_product(owner_ctx, product_id)
    priced = [dataclasses.replace(x, price=120_000) for x in editable.draft.variants]
    draft = dataclasses.replace(editable.draft, variants=priced)
    catalogue.update_product(owner_ctx, product_id, draft)
    stock.stock_in(owner_ctx, variant, 2, reason="nhập")
    assert orders.confirm_orders(owner_ctx, [o1]).done == [o1]
    assert orders.cancel_orders(owner_ctx, [o2], "khách hủy").done == [o2]
    customers.merge_customers(owner_ctx, first, [second])
    sched.set_sync_interval(owner_ctx, 30)
    staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF)
    order_export.export_orders(owner_ctx, tmp_path / "o.xlsx")
    # The app's backups are of the SQLite store (a PostgreSQL server is backed up with
    # pg_dump): on PostgreSQL the other changes are checked.
    saved = None if PG_URL else backup.backup_now(owner_ctx)

    rows = audit_log.list_events(owner_ctx, AuditFilter(user_id=owner_ctx.actor.id), limit=100)
    by_action = {r["action"]: r for r in rows}
    for action in ("product.update", "stock.in", "order.confirmed", "order.cancelled",
                   "customer.merge", "settings.change", "staff.add", "orders.export",
                   *(("backup.create",) if saved else ())):  # fmt: skip
        assert action in by_action, (action, sorted(by_action))
    assert "120" in by_action["product.update"]["summary"]  # the price change is named
    if saved is None:
        return
    new_ctx, _safety = backup.restore(owner_ctx, saved)
    try:
        restored = audit_log.list_events(new_ctx, AuditFilter(kinds=("backup",)))
        assert restored[0]["action"] == "backup.restore"
    finally:
        new_ctx.engine.dispose()
