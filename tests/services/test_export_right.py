"""The staff right "Export data": a staff member without it is refused every export of the
shop's data to a file (orders, end of day, customers, segments, products, SKU groups,
purchase orders, goods receipts, suppliers, Analytics), and nothing is written: no file,
no audit row; with it, and as a manager or the owner, the same exports are written. The
right does not open a module; it is given and taken from Settings → Staff (audited) and
applies to a session already open. On a real migrated store, through the services."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, func, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Module, Role
from primedist.domain.user import User
from primedist.errors import PermissionDenied
from primedist.services import (
    customer_export,
    end_of_day,
    goods_receipts,
    order_export,
    product_export,
    purchase_orders,
    reports,
    segments,
    sku_groups,
    staff,
    suppliers,
)
from primedist.services.auth import actor_for
from primedist.services.context import ServiceContext
from tests.conftest import FIXED_NOW
from tests.factories import make_customers, make_orders, make_product, make_shop

RIGHT = "staff with the right “Export data” may export the shop's data to a file"
Call = Callable[[ServiceContext], Any]


def signed_in(owner_ctx: ServiceContext, email: str, *, exports: bool = False,
              role: Role = Role.STAFF, modules: tuple[Module, ...] = tuple(Module)
              ) -> ServiceContext:  # fmt: skip
    """An account added from Settings → Staff (every module for staff), as signed in now."""
    issued = staff.add_staff(owner_ctx, name=email.split("@")[0], email=email, role=role,
                             modules=modules if role is Role.STAFF else (),
                             can_export=exports)  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        return owner_ctx.with_actor(actor_for(session, user))


@pytest.fixture
def shop_data(owner_ctx: ServiceContext) -> dict[str, int]:
    """An order of a customer, a product, a segment: something in every export."""
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee Lan")
    make_product(engine, "Áo thun", [("AO-1", 150_000, 10)])
    (customer,) = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])
    make_orders(engine, shop, 1, start=FIXED_NOW - timedelta(hours=2),
                step=timedelta(minutes=1), customer_ids=[customer])  # fmt: skip
    return {"segment": segments.create_segment(owner_ctx, "Khách quen")}


def exports(owner_ctx: ServiceContext, d: dict[str, int], out: Path) -> list[tuple[str, Call]]:
    """(file name, call) of every export of shop data a staff member could make."""
    day = FIXED_NOW.date()
    eod = end_of_day.end_of_day(owner_ctx)
    series = reports.series(owner_ctx, "revenue", day - timedelta(days=7), day)
    return [
        ("orders.xlsx", lambda x: order_export.export_orders(x, out / "orders.xlsx")),
        ("eod.xlsx", lambda x: end_of_day.export_end_of_day(
            x, eod, out / "eod.xlsx", end_of_day.texts_for("vi"))),
        ("customers.csv", lambda x: customer_export.export_customers(x, out / "customers.csv")),
        ("segment.xlsx", lambda x: segments.export_segment(
            x, d["segment"], out / "segment.xlsx")),
        ("products.xlsx", lambda x: product_export.export_products(x, out / "products.xlsx")),
        ("groups.xlsx", lambda x: sku_groups.export_groups(x, out / "groups.xlsx")),
        ("po.xlsx", lambda x: purchase_orders.export_orders(x, out / "po.xlsx")),
        ("receipts.xlsx", lambda x: goods_receipts.export_receipts(x, out / "receipts.xlsx")),
        ("suppliers.xlsx", lambda x: suppliers.export_suppliers(x, out / "suppliers.xlsx")),
        ("series.xlsx", lambda x: reports.export_series(
            x, out / "series.xlsx", series, title="Doanh thu", value_header="Doanh thu",
            money=True)),
        ("ranking.xlsx", lambda x: reports.export_ranking(
            x, out / "ranking.xlsx", [], title="Top", headers=["a", "b", "c", "d", "e"])),
    ]  # fmt: skip


def audit_count(ctx: ServiceContext, action: str | None = None) -> int:
    stmt = select(func.count()).select_from(AuditEvent)
    if action is not None:
        stmt = stmt.where(col(AuditEvent.action).like(action))
    with Session(ctx.engine) as session:
        return int(session.exec(stmt).one())


def test_without_the_right_every_export_is_refused_and_nothing_is_written(
    owner_ctx: ServiceContext, shop_data: dict[str, int], tmp_path: Path
) -> None:
    lan = signed_in(owner_ctx, "lan@shop.vn")  # every module; a new account: no right
    assert not lan.actor.may_export and all(lan.actor.can(m) for m in Module)
    before = audit_count(owner_ctx)
    out = tmp_path / "exports"
    out.mkdir()
    for name, call in exports(owner_ctx, shop_data, out):
        with pytest.raises(PermissionDenied, match=RIGHT):
            call(lan)
        assert not (out / name).exists(), name
    assert list(out.iterdir()) == []  # not even a temporary file
    assert audit_count(owner_ctx) == before


def test_with_the_right_as_a_manager_and_as_the_owner_the_exports_are_written(
    owner_ctx: ServiceContext, shop_data: dict[str, int], tmp_path: Path
) -> None:
    mai = signed_in(owner_ctx, "mai@shop.vn", exports=True)
    manager = signed_in(owner_ctx, "binh@shop.vn", role=Role.MANAGER)
    assert staff.get_member(owner_ctx, manager.actor.id or 0).can_export is False
    for who in (mai, manager, owner_ctx):
        assert who.actor.may_export
        out = tmp_path / (who.actor.email or "owner")
        out.mkdir()
        for name, call in exports(owner_ctx, shop_data, out):
            call(who)
            assert (out / name).is_file(), (who.actor.email, name)
    # The orders and customers files hold the customer's name (and so her phone's row).
    rows = customer_export.export_customers(mai, tmp_path / "hoa.csv").rows
    assert rows == 1 and "Nguyễn Thị Hoa" in (tmp_path / "hoa.csv").read_text("utf-8-sig")
    assert order_export.export_orders(mai, tmp_path / "o.xlsx").rows == 1
    assert audit_count(owner_ctx, "orders.export") == 4


def test_the_right_opens_no_module(owner_ctx: ServiceContext, tmp_path: Path) -> None:
    ha = signed_in(owner_ctx, "ha@shop.vn", exports=True, modules=(Module.ORDERS,))
    assert ha.actor.may_export and not ha.actor.can(Module.CUSTOMERS)
    with pytest.raises(PermissionDenied, match="no access to customers"):
        customer_export.export_customers(ha, tmp_path / "c.xlsx")
    assert order_export.export_orders(ha, tmp_path / "o.xlsx").rows == 0


def test_the_right_given_and_taken_applies_to_a_session_already_open(
    owner_ctx: ServiceContext, tmp_path: Path
) -> None:
    lan = signed_in(owner_ctx, "lan@shop.vn", modules=(Module.ORDERS, Module.CUSTOMERS))
    uid = lan.actor.id or 0
    keep = {"name": "lan", "role": Role.STAFF, "modules": [Module.ORDERS, Module.CUSTOMERS]}
    staff.update_staff(owner_ctx, uid, **keep, can_export=True)
    # Her sign-in said no: the account now says yes.
    customer_export.export_customers(lan, tmp_path / "c.xlsx")
    staff.update_staff(owner_ctx, uid, **keep, can_export=False)
    with pytest.raises(PermissionDenied, match=RIGHT):
        order_export.export_orders(lan, tmp_path / "o.xlsx")
    assert not (tmp_path / "o.xlsx").exists()


def test_new_staff_start_without_it_and_its_changes_are_audited(
    owner_ctx: ServiceContext,
) -> None:
    lan = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                          modules=[Module.ORDERS]).member  # fmt: skip
    assert lan.can_export is False
    mai = staff.add_staff(owner_ctx, name="Mai", email="mai@shop.vn", role=Role.STAFF,
                          modules=[Module.ORDERS], can_export=True).member  # fmt: skip
    assert mai.can_export is True
    # Managers always may: their own flag stays off, as their module list stays empty.
    binh = staff.add_staff(owner_ctx, name="Bình", email="binh@shop.vn", role=Role.MANAGER,
                           can_export=True).member  # fmt: skip
    assert binh.can_export is False

    orders_only = {"role": Role.STAFF, "modules": [Module.ORDERS]}
    assert staff.update_staff(owner_ctx, lan.id, name="Lan", **orders_only,
                              can_export=True).can_export  # fmt: skip
    kept = staff.update_staff(owner_ctx, lan.id, name="Lan Trần", **orders_only)  # None keeps
    assert kept.can_export is True and kept.can_refund is False
    taken = staff.update_staff(owner_ctx, lan.id, name="Lan Trần", **orders_only,
                               can_export=False)  # fmt: skip
    assert taken.can_export is False and staff.get_member(owner_ctx, lan.id).can_export is False
    # Taking the right from a staff member made a manager: the flag stays off.
    made_manager = staff.update_staff(owner_ctx, mai.id, name="Mai", role=Role.MANAGER)
    assert made_manager.can_export is False

    with Session(owner_ctx.engine) as session:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_(["staff.add", "staff.update"]),
                   AuditEvent.entity_id == str(lan.id))
            .order_by(col(AuditEvent.id))
        ).all()  # fmt: skip
        changes = [(r.action, json.loads(r.before_json or "null"),
                    json.loads(r.after_json or "null")) for r in rows]  # fmt: skip
    assert changes[0][0] == "staff.add" and changes[0][2]["can_export"] is False
    assert changes[1:] == [
        ("staff.update", {"can_export": False}, {"can_export": True}),
        ("staff.update", {"name": "Lan"}, {"name": "Lan Trần"}),
        ("staff.update", {"can_export": True}, {"can_export": False}),
    ]
