"""The shipping jobs: registered with the app's scheduler; catch-up sends what was
queued offline and tracks once, through the carrier sandbox on 127.0.0.1."""

from __future__ import annotations

from dataclasses import replace

from apscheduler.schedulers.background import BackgroundScheduler

from primedist.carriers.ghn import CREATE_PATH
from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod
from primedist.jobs import scheduler as app_scheduler
from primedist.jobs import shipping as jobs
from primedist.sandbox.carriers import DEMO_GHN_SHOP_ID, DEMO_GHN_TOKEN, CarrierSandbox
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from tests.factories import make_product


def test_jobs_registered(ctx):
    assert "shipping" in app_scheduler.JOB_MODULES
    scheduler = BackgroundScheduler()
    jobs.add_jobs(scheduler, ctx)
    assert {j.id for j in scheduler.get_jobs()} == {"shipping.outbox", "shipping.poll"}


def test_catch_up_sends_then_tracks(owner_ctx, engine):
    with CarrierSandbox() as sandbox:
        account = svc.add_ghn_account(owner_ctx, "GHN", DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID,
                                      sandbox.ghn_url)  # fmt: skip
        variant = make_product(engine, "Mũ", [("MU-1", 90_000, 5)])[0]
        order_id = order_svc.create_order(owner_ctx, order_svc.OrderDraft(
            lines=(order_svc.DraftLine(variant, 1),), source=OrderSource.CHAT,
            payment_method=PaymentMethod.COD, ship_name="Lan", ship_phone="0901234567",
            ship_address="1 Hai Bà Trưng")).id  # fmt: skip
        draft = svc.draft_for_order(owner_ctx, order_id, account.id)
        draft = replace(draft, to=replace(draft.to, ward_code="20101", district_id=1442))
        svc.request_shipment(owner_ctx, order_id, draft)
        jobs.catch_up(owner_ctx)
        [call] = sandbox.calls(CREATE_PATH)
        sandbox.set_status(call.body["client_order_code"], "delivered")
        jobs.poll(owner_ctx)
    detail = order_svc.order_detail(owner_ctx, order_id)
    assert detail.order.status == OrderStatus.COMPLETED
    assert detail.history[-1].source == "carrier"
