# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""Shipments whose create was given up on, discarded or retried; a shipment prepared from
an order that changed since; the order card after a cancel; an edit on a later day than
the sale. Through the carrier sandbox on 127.0.0.1 and a real migrated store."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from primedist.carriers.ghn import CREATE_PATH
from primedist.domain.enums import OrderSource, OrderStatus, OutboxStatus, PaymentMethod
from primedist.errors import Conflict
from primedist.sandbox.carriers import CarrierFault, CarrierSandbox
from primedist.services import bulk_shipping as bulk
from primedist.services import end_of_day as eod
from primedist.services import order_edit as edit
from primedist.services import orders as order_svc
from primedist.services import outbox_delivery as od
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from tests.factories import make_product
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    draft,
    fast_factory,
    ghn_id,
    order_row,
    outbox_rows,
    phone_order,
    sandbox,
)

LOOKUP = "detail-by-client-code"


def ship_states(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT status FROM shipments ORDER BY id"))]


def last_try(engine: sa.Engine) -> None:
    """The next delivery is the create's last try (MAX_ATTEMPTS): a long outage before."""
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox_messages SET attempts=:n"),
                     {"n": svc.MAX_ATTEMPTS - 1})  # fmt: skip


def create_id(engine: sa.Engine) -> int:
    """The newest shipment create."""
    with engine.connect() as conn:
        return int(conn.execute(sa.text(
            "SELECT max(id) FROM outbox_messages WHERE kind='shipment.create'"
        )).scalar_one())  # fmt: skip


def ward_order(ctx: ServiceContext, engine: sa.Engine) -> int:
    """2 × 150,000 COD to Phường Bến Nghé, Hồ Chí Minh (bulk shipping can place it)."""
    [variant] = make_product(engine, "Áo thun", [("AT-1", 150_000, 10)])
    return order_svc.create_order(ctx, order_svc.OrderDraft(
        lines=(order_svc.DraftLine(variant, 2),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Nguyễn Lan", ship_phone="0901234567",
        ship_address="12 Lê Lợi", ship_ward="Phường Bến Nghé", ship_province="Hồ Chí Minh",
    )).id  # fmt: skip


def reserved(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text("SELECT sum(reserved) FROM variants")).scalar_one())


def given_up(ctx: ServiceContext, engine: sa.Engine, sandbox: CarrierSandbox, account: int,
             factory: svc.CarrierFactory) -> int:  # fmt: skip
    """An order whose create gave up on an HTTP 500 outage (the lookup failing too)."""
    order_id = phone_order(ctx, engine)
    svc.request_shipment(ctx, order_id, draft(ctx, order_id, account))
    last_try(engine)
    sandbox.inject(CarrierFault.HTTP_500, count=10)
    report = svc.deliver_carrier_outbox(ctx, factory=factory)
    sandbox.clear_faults()
    assert report.failed == 1
    return order_id


# --------------------------------------------------------------------------- giving up


def test_a_create_given_up_on_fails_its_shipment_and_frees_the_order(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    """12 tries of HTTP 500 and the lookup failing too: the shipment fails (it said
    `queued` for ever before: no cancel, no edit, no new shipment, stock held), with a
    warning to look at the carrier first."""
    order_id = given_up(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.FAILED)]
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.status == "failed" and not ship.open
    assert "could not be asked whether it made shipment" in (ship.last_error or "")
    assert edit.edit_lock(owner_ctx, order_id) is None
    assert order_svc.cancel_orders(owner_ctx, [order_id], "Khách huỷ").skipped == []
    assert order_row(engine, order_id).status == OrderStatus.CANCELLED
    assert reserved(engine) == 0


def test_a_given_up_create_the_carrier_made_is_recorded_not_failed(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    """The last try timed out after GHN made the parcel: it is looked up and tracked."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    last_try(engine)
    sandbox.inject(CarrierFault.TIMEOUT, path=CREATE_PATH)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely, report.failed) == (1, 1, 0)
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.DONE)]
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert (ship.carrier_order_code, ship.status) == ("GY000001VN", "ready_to_pick")
    assert order_row(engine, order_id).tracking_number == "GY000001VN"


def test_a_given_up_create_the_carrier_does_not_have_fails_plainly(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    last_try(engine)
    sandbox.inject(CarrierFault.HTTP_500, path=CREATE_PATH, count=2)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert sandbox.request_count(LOOKUP) == 1
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.status == "failed" and "HTTP 500" in (ship.last_error or "")
    assert "could not be asked" not in (ship.last_error or "")


def stuck(engine: sa.Engine) -> None:
    """The state a give-up left before the fix: create failed, shipment still queued."""
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox_messages SET status='failed', attempts=12, "
                             "last_error='GHN answered HTTP 500'"))  # fmt: skip


def test_cancelling_a_shipment_the_carrier_never_made_just_cancels_it(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = phone_order(owner_ctx, engine)
    view = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    stuck(engine)
    svc.request_cancel(owner_ctx, view.id)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.failed == 0 and report.delivered == 1
    assert ship_states(engine) == ["cancel"]
    assert sandbox.request_count("cancel") == 0
    assert order_svc.cancel_orders(owner_ctx, [order_id], "Khách huỷ").skipped == []


def test_discarding_a_failed_create_settles_its_shipment(owner_ctx, engine, sandbox, ghn_id):
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    stuck(engine)
    od.discard_action(owner_ctx, create_id(engine))
    assert ship_states(engine) == ["failed"]
    assert order_svc.cancel_orders(owner_ctx, [order_id], "Khách huỷ").skipped == []
    assert reserved(engine) == 0


def test_retrying_a_create_for_a_cancelled_order_is_refused(owner_ctx, engine, sandbox, ghn_id,
                                                            fast_factory):  # fmt: skip
    order_id = given_up(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    order_svc.cancel_orders(owner_ctx, [order_id], "Khách huỷ")
    with pytest.raises(Conflict, match="is cancelled"):
        od.retry_action(owner_ctx, create_id(engine))
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.FAILED)]
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert sandbox.calls(CREATE_PATH) == []


def test_retrying_a_create_for_a_reshipped_order_is_refused(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = given_up(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    old = create_id(engine)
    owner_ctx.clock.advance(timedelta(minutes=5))
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    with pytest.raises(Conflict, match="already has shipment"):
        od.retry_action(owner_ctx, old)


def test_retrying_a_create_for_an_order_changed_since_is_refused(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    order_id = given_up(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    owner_ctx.clock.advance(timedelta(minutes=5))
    now = edit.order_draft(owner_ctx, order_id)
    edit.update_order(owner_ctx, order_id, replace(now, ship_address="45 Hai Bà Trưng"))
    with pytest.raises(Conflict, match="changed since the shipment was prepared"):
        od.retry_action(owner_ctx, create_id(engine))


def test_a_retried_create_is_looked_up_first_and_tracked(owner_ctx, engine, sandbox, ghn_id,
                                                         fast_factory):  # fmt: skip
    """The last try made the parcel but its lookup failed: the shipment failed. Sent
    again from the Sync panel, the parcel is found (not made twice) and tracked."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    last_try(engine)
    sandbox.inject(CarrierFault.TIMEOUT, path=CREATE_PATH)
    sandbox.inject(CarrierFault.DROP, path=LOOKUP, count=2)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert ship_states(engine) == ["failed"]
    od.retry_action(owner_ctx, create_id(engine))
    assert ship_states(engine) == ["queued"]  # live again: the order waits for it
    with pytest.raises(Conflict, match="already has shipment"):
        svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely) == (1, 1)
    assert len(sandbox.calls(CREATE_PATH)) == 1
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert (ship.carrier_order_code, ship.status) == ("GY000001VN", "ready_to_pick")
    assert [o.view.id for o in svc.open_shipments(owner_ctx)] == [ship.id]


def test_a_failed_shipment_found_at_the_carrier_is_tracked_again(owner_ctx, engine, sandbox,
                                                                ghn_id):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    view = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE shipments SET status='failed'"))
    with owner_ctx.uow() as session:
        ship = svc._shipment(session, view.id)
        session.expunge(ship)
    svc._record_created(owner_ctx, ship, "GY000009VN", 22_000, None)
    assert ship_states(engine) == ["ready_to_pick"]


# --------------------------------------------------------------------------- stale drafts


def test_bulk_ship_refuses_an_order_edited_since_it_was_planned(owner_ctx, engine, sandbox,
                                                                ghn_id, fast_factory):  # fmt: skip
    order_id = ward_order(owner_ctx, engine)
    [plan] = bulk.plan_shipments(owner_ctx, [order_id], ghn_id, factory=fast_factory)
    assert plan.draft is not None and plan.draft.parcel.cod_amount == 300_000
    [extra] = make_product(engine, "Quần", [("Q-1", 250_000, 5)])
    now = edit.order_draft(owner_ctx, order_id)
    edit.update_order(
        owner_ctx, order_id, replace(now, lines=now.lines + (order_svc.DraftLine(extra, 1),))
    )
    report = bulk.ship_planned(owner_ctx, [plan])
    assert report.created == []
    [(refused_id, _number, why)] = report.refused
    assert refused_id == order_id
    assert "cash on delivery is now 550,000 đ (it was 300,000 đ)" in why
    assert outbox_rows(engine) == []


def test_a_draft_whose_goods_weigh_otherwise_now_is_refused(owner_ctx, engine, ghn_id):
    order_id = phone_order(owner_ctx, engine)
    prepared = draft(owner_ctx, order_id, ghn_id)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE variants SET weight_g=900"))
    with pytest.raises(Conflict, match="goods weigh 1,800 g now"):
        svc.request_shipment(owner_ctx, order_id, prepared)


def test_a_weight_the_owner_typed_still_ships(owner_ctx, engine, sandbox, ghn_id, fast_factory):
    order_id = ward_order(owner_ctx, engine)
    [plan] = bulk.plan_shipments(owner_ctx, [order_id], ghn_id, factory=fast_factory)
    report = bulk.ship_planned(owner_ctx, [bulk.with_weight(plan, 1_234)])
    assert [v.order_id for v in report.created] == [order_id] and report.refused == []


# --------------------------------------------------------------------------- order card


def test_a_cancelled_shipment_leaves_the_order_card(owner_ctx, engine, sandbox, ghn_id,
                                                   fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    view = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert order_row(engine, order_id).tracking_number == "GY000001VN"
    svc.request_cancel(owner_ctx, view.id)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    order = order_row(engine, order_id)
    assert (order.carrier, order.tracking_number) == (None, None)


def test_a_dropped_create_does_not_leave_an_old_code_on_the_card(owner_ctx, engine, ghn_id):
    order_id = phone_order(owner_ctx, engine)
    first = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    with engine.begin() as conn:  # shipped, cancelled, as an older version left the card
        conn.execute(sa.text("UPDATE shipments SET status='cancel', "
                             "carrier_order_code='GY000001VN'"))  # fmt: skip
        conn.execute(sa.text("UPDATE outbox_messages SET status='done'"))
        conn.execute(sa.text("UPDATE orders SET carrier='GHN', tracking_number='GY000001VN'"))
    second = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    assert svc.request_cancel(owner_ctx, second.id).status == "cancel"
    assert order_row(engine, order_id).tracking_number is None
    assert first.id != second.id


# --------------------------------------------------------------------------- edit later


def test_a_sale_edited_on_a_later_day_keeps_that_days_end_of_day(owner_ctx, engine):
    """A cash sale of 300,000 on the 20th: on the 21st its total cannot become 550,000
    (the 20th's drawer would count money never taken); its delivery can still change."""
    order_id = phone_order(owner_ctx, engine, payment=PaymentMethod.CASH)
    day = eod.end_of_day(owner_ctx).day
    assert eod.end_of_day(owner_ctx, day).sales == 300_000
    [extra] = make_product(engine, "Quần", [("Q-1", 250_000, 5)])
    owner_ctx.clock.advance(timedelta(days=1))
    now = edit.order_draft(owner_ctx, order_id)
    more = replace(now, lines=now.lines + (order_svc.DraftLine(extra, 1),))
    with pytest.raises(Conflict, match="was sold on 20/11/2026, a day already over"):
        edit.update_order(owner_ctx, order_id, more)
    with pytest.raises(Conflict, match="a day already over"):
        edit.update_order(
            owner_ctx, order_id, replace(now, payment_method=PaymentMethod.BANK_TRANSFER)
        )
    report = eod.end_of_day(owner_ctx, day)
    assert (report.sales, report.cash_in_drawer) == (300_000, 300_000)
    assert order_row(engine, order_id).paid_amount == 300_000
    edit.update_order(owner_ctx, order_id, replace(now, ship_address="45 Hai Bà Trưng"))
    assert order_row(engine, order_id).ship_address == "45 Hai Bà Trưng"


def test_a_sale_edited_the_same_day_may_change_its_total(owner_ctx, engine):
    order_id = phone_order(owner_ctx, engine, payment=PaymentMethod.CASH)
    [extra] = make_product(engine, "Quần", [("Q-1", 250_000, 5)])
    owner_ctx.clock.advance(timedelta(hours=2))
    now = edit.order_draft(owner_ctx, order_id)
    edit.update_order(
        owner_ctx, order_id, replace(now, lines=now.lines + (order_svc.DraftLine(extra, 1),))
    )
    assert order_row(engine, order_id).total == 550_000
