"""The demo's carrier: a GHN account named "Demo" served by the carrier sandbox on 127.0.0.1
(real HTTP), parcels that travel at the demo's pace, restarts and a removal kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from primedist.carriers.base import RequiredNote
from primedist.domain.enums import Module, OrderSource, OrderStatus, PaymentMethod, Role
from primedist.errors import PermissionDenied
from primedist.services import demo_carrier
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from primedist.services.app_settings import get_setting
from primedist.services.context import Actor, ServiceContext
from tests.factories import make_product

PACE = timedelta(seconds=demo_carrier.PACE)


def phone_orders(ctx: ServiceContext, engine: sa.Engine, count: int) -> list[int]:
    [variant] = make_product(engine, "Áo thun", [("AT-1", 150_000, 10)])
    draft = order_svc.OrderDraft(
        lines=(order_svc.DraftLine(variant, 1),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Nguyễn Lan", ship_phone="0901234567",
        ship_address="12 Lê Lợi", ship_province="Hồ Chí Minh",
    )  # fmt: skip
    return [order_svc.create_order(ctx, draft).id for _ in range(count)]


def ship(ctx: ServiceContext, order_id: int, account_id: int) -> str:
    """Create the order's shipment the way the dialog does and send it; its GHN code."""
    draft = svc.draft_for_order(ctx, order_id, account_id)
    draft = replace(draft, to=replace(draft.to, ward_code="20101", district_id=1442),
                    service_id=53320, required_note=RequiredNote.NO_VIEW)  # fmt: skip
    assert svc.quote_fee(ctx, draft).total > 0  # the sandbox answers the fee like GHN
    svc.request_shipment(ctx, order_id, draft)
    assert svc.deliver_carrier_outbox(ctx).delivered == 1
    code = svc.order_shipments(ctx, order_id)[0].carrier_order_code
    assert code is not None
    return code


def shipment_status(ctx: ServiceContext, order_id: int) -> str:
    return svc.order_shipments(ctx, order_id)[0].status


def order_status(ctx: ServiceContext, order_id: int) -> OrderStatus:
    return order_svc.order_detail(ctx, order_id).order.status


def test_the_demo_gets_a_ghn_account_whose_parcels_travel(owner_ctx, engine, clock):
    running = demo_carrier.start_demo_carrier(owner_ctx)
    assert running is not None
    try:
        [account] = svc.list_accounts(owner_ctx)
        assert (account.id, account.name, account.carrier, account.status) == (
            running.account_id, "Demo", "ghn", "active")  # fmt: skip
        assert account.api_host == running.url and running.url.startswith("http://127.0.0.1:")
        [order_id] = phone_orders(owner_ctx, engine, 1)
        code = ship(owner_ctx, order_id, account.id)
        assert shipment_status(owner_ctx, order_id) == "ready_to_pick"
        # One step per PACE: after two and a half, the parcel is picked up.
        clock.advance(PACE * 2.5)
        report = svc.poll_shipments(owner_ctx, order_id=order_id)
        assert (report.checked, report.changed, report.errors) == (1, 1, [])
        assert shipment_status(owner_ctx, order_id) == "picked"
        assert order_status(owner_ctx, order_id) == OrderStatus.SHIPPING
        clock.advance(PACE * 3)
        svc.poll_shipments(owner_ctx)
        assert shipment_status(owner_ctx, order_id) == "delivered"
        assert order_status(owner_ctx, order_id) == OrderStatus.COMPLETED
        assert [s for s, _ in running.sandbox.shipments[code].history] == [
            "ready_to_pick",
            "picking",
            "picked",
            "transporting",
            "delivering",
            "delivered",
        ]
    finally:
        running.stop()


def test_a_restart_points_the_same_account_at_the_new_server_and_tracks_on(owner_ctx, engine,
                                                                          clock):  # fmt: skip
    first = demo_carrier.start_demo_carrier(owner_ctx)
    assert first is not None
    order_a, order_b = phone_orders(owner_ctx, engine, 2)
    try:
        code_a = ship(owner_ctx, order_a, first.account_id)
        clock.advance(PACE)
        svc.poll_shipments(owner_ctx)
        assert shipment_status(owner_ctx, order_a) == "picking"
    finally:
        first.stop()
    second = demo_carrier.start_demo_carrier(owner_ctx)
    assert second is not None
    try:
        assert second.account_id == first.account_id and second.url != first.url
        [account] = svc.list_accounts(owner_ctx)  # not a second demo account
        assert account.api_host == second.url
        # The parcel of the first run is still known, and goes on from where it was.
        clock.advance(PACE)
        report = svc.poll_shipments(owner_ctx, order_id=order_a)
        assert (report.checked, report.changed, report.errors) == (1, 1, [])
        assert shipment_status(owner_ctx, order_a) == "picked"
        # A new parcel gets a code of its own, not the first run's.
        code_b = ship(owner_ctx, order_b, second.account_id)
        assert code_b != code_a and code_b == "GY000002VN"
    finally:
        second.stop()


def test_polling_one_order_reads_only_its_shipments(owner_ctx, engine, clock):
    running = demo_carrier.start_demo_carrier(owner_ctx)
    assert running is not None
    try:
        order_a, order_b = phone_orders(owner_ctx, engine, 2)
        ship(owner_ctx, order_a, running.account_id)
        ship(owner_ctx, order_b, running.account_id)
        clock.advance(PACE)
        assert svc.poll_shipments(owner_ctx, order_id=order_b).checked == 1
        assert shipment_status(owner_ctx, order_b) == "picking"
        assert shipment_status(owner_ctx, order_a) == "ready_to_pick"  # not asked yet
    finally:
        running.stop()


def test_a_removed_demo_account_stays_removed(owner_ctx, engine):
    running = demo_carrier.start_demo_carrier(owner_ctx)
    assert running is not None
    running.stop()
    svc.remove_account(owner_ctx, running.account_id)  # no shipments: the row goes
    assert svc.list_accounts(owner_ctx) == []
    assert demo_carrier.start_demo_carrier(owner_ctx) is None
    assert svc.list_accounts(owner_ctx) == []
    with owner_ctx.uow() as session:
        assert get_setting(session, demo_carrier.ACCOUNT_KEY) is True


def test_an_account_added_without_its_setting_is_adopted_not_doubled(owner_ctx, engine):
    """A start that added the account but failed before noting it (SQLite busy, then a
    retry) finds it by name."""
    running = demo_carrier.start_demo_carrier(owner_ctx)
    assert running is not None
    running.stop()
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM app_settings WHERE key = :k"),
                     {"k": demo_carrier.ACCOUNT_KEY})  # fmt: skip
    again = demo_carrier.start_demo_carrier(owner_ctx)
    assert again is not None
    again.stop()
    assert again.account_id == running.account_id
    assert [a.id for a in svc.list_accounts(owner_ctx)] == [running.account_id]


def test_without_settings_access_nothing_starts(owner_ctx):
    staff = Actor(id=None, name="Staff", email="staff@shop.vn", role=Role.STAFF,
                  modules=frozenset({Module.ORDERS}))  # fmt: skip
    with pytest.raises(PermissionDenied):
        demo_carrier.start_demo_carrier(owner_ctx.with_actor(staff))
    assert svc.list_accounts(owner_ctx) == []


def test_the_demo_leaves_phone_and_chat_orders_that_ship_in_one_go(ctx):
    from primedist.services import bulk_shipping, demo

    owner = ctx.with_actor(demo.ensure_demo_owner(ctx))
    demo.generate_demo(owner, orders=3_000, customers=400, seed=7)
    with ctx.engine.connect() as conn:
        waiting = conn.execute(sa.text(
            "SELECT id, status FROM orders WHERE source IN ('phone', 'chat')"
            " AND status IN ('pending', 'confirmed') ORDER BY created_at DESC"
        )).all()  # fmt: skip
    assert len(waiting) == demo.WAITING_TO_SHIP and waiting[0][1] == "pending"
    running = demo_carrier.start_demo_carrier(owner)
    assert running is not None
    try:
        ids = [order_id for order_id, _status in waiting]
        plan = bulk_shipping.plan_shipments(owner, ids, running.account_id)
        assert [p.problem for p in plan] == [None] * len(ids)  # each placed by its ward
        report = bulk_shipping.ship_planned(owner, plan)
        assert len(report.created) == len(ids) and report.refused == []
        assert svc.deliver_carrier_outbox(owner).delivered == len(ids)
    finally:
        running.stop()
