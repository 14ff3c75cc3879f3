# ruff: noqa: F811  (pytest fixtures imported from other test modules)
"""The staff right "Refunds and returns": a staff member with Orders but without it sells and
cancels unpaid orders, but is refused returns, exchanges and the cancel of a paid order (and
nothing is written); with it they may; the owner and managers always may. The right is
given and taken from Settings → Staff (audited) and applies to a session already open.
On a real migrated store, through the services."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from primedist.domain.audit import AuditEvent
from primedist.domain.enums import Channel, Module, OrderSource, OrderStatus, PaymentMethod, Role
from primedist.domain.order import Order
from primedist.domain.product import Variant
from primedist.domain.user import User
from primedist.errors import PermissionDenied
from primedist.services import orders as svc
from primedist.services import shipping as ship_svc
from primedist.services import staff
from primedist.services.auth import actor_for
from primedist.services.context import ServiceContext
from primedist.services.exchange import (
    ExchangeDraft,
    exchange_order,
    exchangeable_order,
    quote_exchange,
)
from primedist.services.orders import DraftLine, OrderDraft
from tests.factories import make_customers, make_product, make_shop
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    sandbox,
)

RIGHT = "Refunds and returns"


def signed_in(owner_ctx: ServiceContext, email: str, *, refunds: bool = False,
              role: Role = Role.STAFF) -> ServiceContext:  # fmt: skip
    """An account added from Settings → Staff (Orders for staff), as signed in now."""
    modules = [Module.ORDERS] if role is Role.STAFF else []
    issued = staff.add_staff(owner_ctx, name=email.split("@")[0], email=email, role=role,
                             modules=modules, can_refund=refunds)  # fmt: skip
    with Session(owner_ctx.engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        return owner_ctx.with_actor(actor_for(session, user))


@pytest.fixture
def shirt(engine: Engine, owner_ctx: ServiceContext) -> int:
    return make_product(engine, "Áo thun", [("AO-1", 150_000, 20)])[0]


def counter_sale(ctx: ServiceContext, variant: int, qty: int = 2) -> int:
    """A completed counter sale paid in cash."""
    return svc.create_order(ctx, OrderDraft(lines=(DraftLine(variant, qty),))).id


def phone_order(ctx: ServiceContext, variant: int, method: PaymentMethod, **kw: Any) -> int:
    """A confirmed phone order (cash paid; COD and transfer record no payment yet)."""
    sale = OrderDraft(lines=(DraftLine(variant, 1),), source=OrderSource.PHONE,
                      payment_method=method, **kw)  # fmt: skip
    return svc.create_order(ctx, sale).id


def first_line(ctx: ServiceContext, order_id: int) -> int:
    return svc.order_detail(ctx, order_id).lines[0].id or 0


def exchange(order_id: int, line: int, variant: int) -> ExchangeDraft:
    """One item of `order_id` back for one `variant`, paid in cash."""
    new = OrderDraft(lines=(DraftLine(variant, 1),))
    return ExchangeDraft(order_id, {line: 1}, "Đổi size", new)


def audit_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def stock(engine: Engine, variant: int) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(Variant.stock).where(Variant.id == variant)).scalar())


def status(engine: Engine, order_id: int) -> tuple[OrderStatus, int]:
    with Session(engine) as session:
        order = session.get(Order, order_id)
        assert order is not None
        return order.status, order.refunded_amount


def test_without_the_right_returns_exchanges_and_a_paid_cancel_are_refused(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    sale = counter_sale(owner_ctx, shirt)
    paid = phone_order(owner_ctx, shirt, PaymentMethod.CASH)
    unpaid = phone_order(owner_ctx, shirt, PaymentMethod.COD)
    lan = signed_in(owner_ctx, "lan@shop.vn")  # a new staff member: the right is off
    assert not lan.actor.may_refund and lan.actor.can(Module.ORDERS)
    line = first_line(lan, sale)
    before = (audit_count(engine), stock(engine, shirt), status(engine, sale))

    refusals = [
        lambda: svc.return_order(lan, sale, {line: 1}, reason="Lỗi"),
        lambda: exchange_order(lan, exchange(sale, line, shirt)),
        lambda: quote_exchange(lan, exchange(sale, line, shirt)),
        lambda: exchangeable_order(lan, svc.order_numbers(lan, [sale])[sale]),
        lambda: svc.change_status(lan, paid, OrderStatus.CANCELLED, reason="Khách hủy"),
    ]
    for call in refusals:
        with pytest.raises(PermissionDenied, match=f"staff with the right “{RIGHT}”"):
            call()
    assert (audit_count(engine), stock(engine, shirt), status(engine, sale)) == before
    assert status(engine, paid) == (OrderStatus.CONFIRMED, 0)

    # The detail's Cancel says why before the click; a bulk Cancel skips the paid order.
    lock = svc.cancel_lock(lan, paid)
    assert lock is not None and "may cancel a paid order" in lock and RIGHT in lock
    assert svc.cancel_lock(lan, unpaid) is None
    result = svc.cancel_orders(lan, [paid, unpaid], "Hết hàng")
    assert result.done == [unpaid]
    assert [(oid, str(why)) for oid, _n, why in result.skipped] == [(paid, str(lock))]
    assert status(engine, paid) == (OrderStatus.CONFIRMED, 0)

    # A return under way is only a status: it is hers to set; Returned (refunded) is not.
    svc.change_status(lan, sale, OrderStatus.RETURN_REFUND, reason="Khách mang lại")
    with pytest.raises(PermissionDenied, match=RIGHT):
        svc.change_status(lan, sale, OrderStatus.RETURNED, reason="Khách mang lại")
    assert status(engine, sale) == (OrderStatus.RETURN_REFUND, 0)


def test_a_marketplace_cancel_and_an_unpaid_sale_on_account_stay_open(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    """A marketplace refunds its buyer itself; a sale on account with nothing taken gives
    nothing back. One with money taken at the sale does: refused."""
    shop = make_shop(engine, "Shopee Lan", Channel.SHOPEE)
    shopee = phone_order(owner_ctx, shirt, PaymentMethod.CARD, shop_id=shop,
                         status=OrderStatus.PENDING)  # paid, to Shopee  # fmt: skip
    assert status(engine, shopee) == (OrderStatus.PENDING, 0)
    hoa = make_customers(engine, 1, names=["Nguyễn Thị Hoa"])[0]
    owed = phone_order(owner_ctx, shirt, PaymentMethod.ON_ACCOUNT, customer_id=hoa)
    part_paid = phone_order(owner_ctx, shirt, PaymentMethod.ON_ACCOUNT, customer_id=hoa,
                            paid_now=50_000)  # fmt: skip
    lan = signed_in(owner_ctx, "lan@shop.vn")
    svc.change_status(lan, shopee, OrderStatus.CANCELLED, reason="Hết hàng")
    svc.change_status(lan, owed, OrderStatus.CANCELLED, reason="Khách hủy")
    with pytest.raises(PermissionDenied, match=RIGHT):
        svc.change_status(lan, part_paid, OrderStatus.CANCELLED, reason="Khách hủy")
    assert [status(engine, o)[0] for o in (shopee, owed, part_paid)] == [
        OrderStatus.CANCELLED, OrderStatus.CANCELLED, OrderStatus.CONFIRMED
    ]  # fmt: skip


def test_with_the_right_and_as_a_manager_the_same_calls_go_through(
    engine: Engine, owner_ctx: ServiceContext, shirt: int
) -> None:
    mai = signed_in(owner_ctx, "mai@shop.vn", refunds=True)
    manager = signed_in(owner_ctx, "binh@shop.vn", role=Role.MANAGER)
    assert staff.get_member(owner_ctx, manager.actor.id or 0).can_refund is False
    for who in (mai, manager, owner_ctx):
        sale = counter_sale(owner_ctx, shirt, qty=3)
        line = first_line(who, sale)
        assert svc.return_order(who, sale, {line: 1}, reason="Lỗi").refund_amount == 150_000
        assert exchangeable_order(who, svc.order_numbers(who, [sale])[sale]) == sale
        assert quote_exchange(who, exchange(sale, line, shirt)).problems == ()
        exchange_order(who, exchange(sale, line, shirt))
        paid = phone_order(owner_ctx, shirt, PaymentMethod.CASH)
        assert svc.cancel_lock(who, paid) is None
        svc.change_status(who, paid, OrderStatus.CANCELLED, reason="Khách hủy")
        assert status(engine, paid) == (OrderStatus.CANCELLED, 150_000)  # given back


def test_the_right_given_and_taken_applies_to_a_session_already_open(
    owner_ctx: ServiceContext, shirt: int
) -> None:
    lan = signed_in(owner_ctx, "lan@shop.vn")
    uid = lan.actor.id or 0
    sale = counter_sale(owner_ctx, shirt, qty=3)
    line = first_line(owner_ctx, sale)
    staff.update_staff(owner_ctx, uid, name="lan", role=Role.STAFF, modules=[Module.ORDERS],
                       can_refund=True)  # fmt: skip
    svc.return_order(lan, sale, {line: 1}, reason="Lỗi")  # her sign-in said no: now yes
    staff.update_staff(owner_ctx, uid, name="lan", role=Role.STAFF, modules=[Module.ORDERS],
                       can_refund=False)  # fmt: skip
    with pytest.raises(PermissionDenied, match=RIGHT):
        svc.return_order(lan, sale, {line: 1}, reason="Lỗi")


def test_the_right_needs_orders_too(owner_ctx: ServiceContext) -> None:
    issued = staff.add_staff(owner_ctx, name="Hà", email="ha@shop.vn", role=Role.STAFF,
                             modules=[Module.PRODUCTS], can_refund=True)  # fmt: skip
    assert issued.member.can_refund
    with Session(owner_ctx.engine) as session:
        user = session.get(User, issued.member.id)
        assert user is not None
        ha = owner_ctx.with_actor(actor_for(session, user))
    assert not ha.actor.may_refund
    with pytest.raises(PermissionDenied, match="no access to orders"):
        svc.return_order(ha, 1, {1: 1}, reason="Lỗi")


def test_staff_accounts_keep_the_right_as_given_and_its_changes_are_audited(
    owner_ctx: ServiceContext,
) -> None:
    lan = staff.add_staff(owner_ctx, name="Lan", email="lan@shop.vn", role=Role.STAFF,
                          modules=[Module.ORDERS]).member  # fmt: skip
    assert lan.can_refund is False  # new staff start without it
    mai = staff.add_staff(owner_ctx, name="Mai", email="mai@shop.vn", role=Role.STAFF,
                          modules=[Module.ORDERS], can_refund=True).member  # fmt: skip
    assert mai.can_refund is True
    # Managers always may: their own flag stays off, as their module list stays empty.
    binh = staff.add_staff(owner_ctx, name="Bình", email="binh@shop.vn", role=Role.MANAGER,
                           can_refund=True).member  # fmt: skip
    assert binh.can_refund is False

    given = staff.update_staff(owner_ctx, lan.id, name="Lan", role=Role.STAFF,
                               modules=[Module.ORDERS], can_refund=True)  # fmt: skip
    assert given.can_refund is True
    kept = staff.update_staff(owner_ctx, lan.id, name="Lan Trần", role=Role.STAFF,
                              modules=[Module.ORDERS])  # None keeps it  # fmt: skip
    assert kept.can_refund is True
    taken = staff.update_staff(owner_ctx, lan.id, name="Lan Trần", role=Role.STAFF,
                               modules=[Module.ORDERS], can_refund=False)  # fmt: skip
    assert taken.can_refund is False and staff.get_member(owner_ctx, lan.id).can_refund is False

    with Session(owner_ctx.engine) as session:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_(["staff.add", "staff.update"]),
                   AuditEvent.entity_id == str(lan.id))
            .order_by(col(AuditEvent.id))
        ).all()  # fmt: skip
        changes = [(r.action, json.loads(r.before_json or "null"),
                    json.loads(r.after_json or "null")) for r in rows]  # fmt: skip
    assert changes[0][0] == "staff.add" and changes[0][2]["can_refund"] is False
    assert changes[1:] == [
        ("staff.update", {"can_refund": False}, {"can_refund": True}),
        ("staff.update", {"name": "Lan"}, {"name": "Lan Trần"}),
        ("staff.update", {"can_refund": True}, {"can_refund": False}),
    ]


def test_a_parcel_the_carrier_brings_back_is_returned_whoever_reads_the_tracking(
    owner_ctx: ServiceContext, engine: Engine, shirt: int, sandbox, ghn_id, fast_factory
) -> None:
    """Not a till's choice: a staff member without the right who refreshes the tracking
    still gets the order returned and its items back on the shelf."""
    order_id = phone_order(owner_ctx, shirt, PaymentMethod.COD, ship_name="Nguyễn Lan",
                           ship_phone="0901234567", ship_address="12 Lê Lợi",
                           ship_province="Hồ Chí Minh")  # fmt: skip
    ship_svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    ship_svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    code = ship_svc.order_shipments(owner_ctx, order_id)[0].carrier_order_code or ""
    lan = signed_in(owner_ctx, "lan@shop.vn")
    for state in ("delivering", "return", "returned"):
        sandbox.set_status(code, state)
        report = ship_svc.poll_shipments(lan, factory=fast_factory)
        assert report.errors == []
        if state == "delivering":
            assert stock(engine, shirt) == 19  # the parcel left the shelf
    assert status(engine, order_id)[0] == OrderStatus.RETURNED
    assert stock(engine, shirt) == 20  # back on it
    assert [ln.returned_quantity for ln in svc.order_detail(owner_ctx, order_id).lines] == [1]
