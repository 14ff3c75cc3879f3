"""Shipments with GHN / J&T through the carrier sandbox on 127.0.0.1: accounts, the
address cache, create/cancel through the outbox (exactly once, also after a crash),
tracking → order statuses, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from primedist.carriers.base import Address, HttpSettings, Parcel, RequiredNote
from primedist.carriers.ghn import CREATE_PATH
from primedist.domain.enums import OrderSource, OrderStatus, OutboxStatus, PaymentMethod
from primedist.domain.order import Order, OrderStatusChange
from primedist.domain.product import Variant
from primedist.domain.sync import OutboxMessage
from primedist.errors import Conflict, ValidationError
from primedist.sandbox.carriers import (
    DEMO_GHN_SHOP_ID,
    DEMO_GHN_TOKEN,
    DEMO_JNT_ACCOUNT,
    DEMO_JNT_CUSTOMER,
    DEMO_JNT_KEY,
    DEMO_JNT_PASSWORD,
    CarrierFault,
    CarrierSandbox,
)
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext
from primedist.services.orders import MAX_QUANTITY
from tests.factories import make_product

FAST = HttpSettings(timeout=0.5, max_attempts=2, backoff_base=0.01, backoff_max=0.02)


@pytest.fixture
def sandbox() -> Iterator[CarrierSandbox]:
    with CarrierSandbox(timeout_delay=1.0) as sb:
        yield sb


@pytest.fixture
def fast_factory() -> svc.CarrierFactory:
    """The stored account's client with short timeouts (the timeout fault is 1 s)."""
    return lambda ctx, account_id: svc.carrier_for(ctx, account_id, FAST)


@pytest.fixture
def ghn_id(owner_ctx: ServiceContext, sandbox: CarrierSandbox) -> int:
    view = svc.add_ghn_account(owner_ctx, "GHN main", DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID,
                               sandbox.ghn_url)  # fmt: skip
    return view.id


def phone_order(ctx: ServiceContext, engine: sa.Engine, payment=PaymentMethod.COD) -> int:
    variants = make_product(engine, "Áo thun", [("AT-1", 150_000, 10)])
    draft = order_svc.OrderDraft(
        lines=(order_svc.DraftLine(variants[0], 2),), source=OrderSource.PHONE,
        payment_method=payment, ship_name="Nguyễn Lan", ship_phone="0901234567",
        ship_address="12 Lê Lợi", ship_province="Hồ Chí Minh",
    )  # fmt: skip
    return order_svc.create_order(ctx, draft).id


def draft(ctx: ServiceContext, order_id: int, account_id: int) -> svc.ShipmentDraft:
    d = svc.draft_for_order(ctx, order_id, account_id)
    # Quận 1 / Phường Bến Nghé picked, as the address picker gives it (J&T takes the names).
    to = replace(d.to, ward_code="20101", district_id=1442, ward_name="Phường Bến Nghé",
                 district_name="Quận 1")  # fmt: skip
    return replace(d, to=to, service_id=53320, required_note=RequiredNote.NO_VIEW)


def outbox_rows(engine: sa.Engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        t = OutboxMessage.__table__  # type: ignore[attr-defined]
        return [(r.kind, r.status) for r in conn.execute(sa.select(t.c.kind, t.c.status))]


def order_row(engine: sa.Engine, order_id: int) -> Order:
    from sqlmodel import Session

    with Session(engine) as s:
        order = s.get(Order, order_id)
        assert order is not None
        s.expunge(order)
        return order


# --------------------------------------------------------------------------- accounts


def test_ghn_account_is_checked_and_stored_encrypted(owner_ctx, sandbox, engine):
    view = svc.add_ghn_account(owner_ctx, "GHN main", DEMO_GHN_TOKEN, str(DEMO_GHN_SHOP_ID),
                               sandbox.ghn_url)  # fmt: skip
    assert [(a.name, a.status, a.carrier) for a in svc.list_accounts(owner_ctx)] == [
        ("GHN main", "active", "ghn")
    ]
    with engine.connect() as conn:
        enc = conn.execute(sa.text("SELECT credentials_enc FROM carrier_accounts")).scalar_one()
    assert DEMO_GHN_TOKEN not in enc
    assert svc.carrier_for(owner_ctx, view.id).check_account() == "Prime Sandbox"


def test_wrong_token_or_shop_is_refused_and_nothing_saved(owner_ctx, sandbox):
    with pytest.raises(ValidationError, match="refused") as bad:
        svc.add_ghn_account(owner_ctx, "GHN", "wrong-token", DEMO_GHN_SHOP_ID, sandbox.ghn_url)
    assert bad.value.field == "token"
    with pytest.raises(ValidationError, match="ShopId"):
        svc.add_ghn_account(owner_ctx, "GHN", DEMO_GHN_TOKEN, 12345, sandbox.ghn_url)
    with pytest.raises(ValidationError, match="must be a number"):
        svc.add_ghn_account(owner_ctx, "GHN", DEMO_GHN_TOKEN, "12a", sandbox.ghn_url)
    assert svc.list_accounts(owner_ctx) == []


def test_dead_network_says_so(owner_ctx, sandbox):
    url = sandbox.ghn_url
    sandbox.stop()
    with pytest.raises(Exception, match="Could not check the account with GHN"):
        svc.add_ghn_account(owner_ctx, "GHN", DEMO_GHN_TOKEN, DEMO_GHN_SHOP_ID, url)


def test_jnt_account_digest_checked(owner_ctx, sandbox):
    view = svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY,
                               DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip
    assert view.carrier == "jnt"
    with pytest.raises(ValidationError, match="refused"):
        svc.add_jnt_account(owner_ctx, "J&T 2", DEMO_JNT_ACCOUNT, "wrong-key-123",
                            DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip


def test_remove_account_with_shipments_is_hidden_not_deleted(owner_ctx, engine, sandbox, ghn_id,
                                                            fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    with pytest.raises(Conflict, match="waiting to be sent"):
        svc.remove_account(owner_ctx, ghn_id)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    code = svc.order_shipments(owner_ctx, order_id)[0].carrier_order_code or ""
    sandbox.set_status(code, "delivered")  # none on the way (tests/services/test_carrier_token)
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    svc.remove_account(owner_ctx, ghn_id)
    assert svc.list_accounts(owner_ctx) == []
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT status, credentials_enc FROM carrier_accounts")).one()
    assert tuple(row) == ("removed", None)


# --------------------------------------------------------------------------- addresses


def test_address_lists_cached_and_refreshed_on_demand(owner_ctx, sandbox, ghn_id):
    provinces = svc.address_places(owner_ctx, "province")
    assert "Hồ Chí Minh" in [p.name for p in provinces]
    calls = sandbox.request_count("master-data/province")
    assert svc.address_places(owner_ctx, "province") == provinces
    assert sandbox.request_count("master-data/province") == calls  # from the cache
    svc.address_places(owner_ctx, "province", refresh=True)
    assert sandbox.request_count("master-data/province") == calls + 1
    wards = svc.address_places(owner_ctx, "ward", "1442")
    assert [p.name for p in svc.match_places(wards, "ben nghe")] == ["Phường Bến Nghé"]
    assert [p.name for p in svc.match_places(provinces, "tp ha noi")] == ["Hà Nội"]


def test_address_lists_need_a_ghn_account(owner_ctx):
    with pytest.raises(Conflict, match="Add a GHN account"):
        svc.address_places(owner_ctx, "province")


# --------------------------------------------------------------------------- create / cancel


def test_quote_then_create_through_the_outbox(owner_ctx, engine, sandbox, ghn_id, fast_factory):
    order_id = phone_order(owner_ctx, engine)
    d = draft(owner_ctx, order_id, ghn_id)
    assert d.parcel.cod_amount == 300_000 and d.to.name == "Nguyễn Lan"
    assert [s.name for s in svc.available_services(owner_ctx, ghn_id, 1442)] == [
        "Hàng nhẹ", "Hàng nặng"]  # fmt: skip
    quote = svc.quote_fee(owner_ctx, d)
    assert quote.total == 22_000 + 2_500 + 300_000 // 200
    view = svc.request_shipment(owner_ctx, order_id, d)
    assert view.status == "queued" and view.client_order_code == f"PD{order_id}"
    assert sandbox.calls(CREATE_PATH) == []  # nothing sent yet: queued
    assert order_row(engine, order_id).outbox_pending
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.delivered == 1
    [sent] = sandbox.calls(CREATE_PATH)
    assert sent.body["client_order_code"] == f"PD{order_id}"
    assert sent.body["cod_amount"] == 300_000
    assert sent.body["required_note"] == "KHONGCHOXEMHANG"
    # Each item with its weight: the shirt has none, so the default.
    assert [(i["code"], i["quantity"], i["weight"]) for i in sent.body["items"]] == [
        ("AT-1", 2, svc.DEFAULT_ITEM_WEIGHT_G)]  # fmt: skip
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.carrier_order_code == "GY000001VN" and ship.status == "ready_to_pick"
    order = order_row(engine, order_id)
    assert (order.carrier, order.tracking_number) == ("GHN", "GY000001VN")
    assert not order.outbox_pending
    with pytest.raises(Conflict, match="already has shipment GY000001VN"):
        svc.request_shipment(owner_ctx, order_id, d)


def test_the_parcel_weighs_its_goods(owner_ctx, engine):
    """Each item at its variant's weight, 500 g for one with none (or no product row any
    more), all of it: a parcel past what a carrier takes is refused, not cut."""
    mug, shirt, table = make_product(engine, "Đồ", [("COC", 50_000, 20), ("AO", 90_000, 20),
                                                    ("BAN", 900_000, 20)])  # fmt: skip
    variants = Variant.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for vid, grams in ((mug, 350), (table, 12_000)):
            conn.execute(variants.update().where(variants.c.id == vid).values(weight_g=grams))

    def order(*lines: tuple[int, int]) -> int:
        draft = order_svc.OrderDraft(
            lines=tuple(order_svc.DraftLine(v, q) for v, q in lines), source=OrderSource.PHONE,
            payment_method=PaymentMethod.COD, ship_name="Lan", ship_phone="0901234567",
            ship_address="12 Lê Lợi", ship_province="Hồ Chí Minh",
        )  # fmt: skip
        return order_svc.create_order(owner_ctx, draft).id

    def weight(order_id: int) -> int:
        return svc.draft_for_order(owner_ctx, order_id, 1).parcel.weight_g

    mixed = order((mug, 2), (shirt, 1))
    assert weight(mixed) == 2 * 350 + 500
    assert svc.draft_for_order(owner_ctx, mixed, 1).unweighed_items == 1  # an estimate
    heavy = order((table, 3))
    assert weight(heavy) == 36_000  # over the carriers' 30 kg: check_draft refuses it
    assert svc.draft_for_order(owner_ctx, heavy, 1).unweighed_items == 0
    # What the order detail (and the packing slip) says: known only when every item is.
    assert order_svc.order_detail(owner_ctx, mixed).goods_weight_g is None
    assert order_svc.order_detail(owner_ctx, heavy).goods_weight_g == 36_000
    with engine.begin() as conn:  # the shirt's product row deleted: its line counts 500 g
        conn.execute(sa.text("UPDATE order_lines SET variant_id = NULL WHERE variant_id = :v"),
                     {"v": shirt})  # fmt: skip
        conn.execute(variants.update().where(variants.c.id == mug).values(weight_g=400))
    assert weight(mixed) == 2 * 400 + 500


def test_bad_parcel_named_before_anything_is_written(owner_ctx, engine, ghn_id):
    order_id = phone_order(owner_ctx, engine)
    d = draft(owner_ctx, order_id, ghn_id)
    for parcel, field in ((replace(d.parcel, weight_g=40_000), "weight_g"),
                          (replace(d.parcel, cod_amount=20_000_000), "cod_amount"),
                          (replace(d.parcel, height_cm=0), "height_cm")):  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            svc.request_shipment(owner_ctx, order_id, replace(d, parcel=parcel))
        assert exc.value.field == field
    with pytest.raises(ValidationError, match="district and ward"):
        svc.request_shipment(owner_ctx, order_id, replace(d, to=replace(d.to, ward_code="")))
    assert outbox_rows(engine) == []


def weighted_cod_order(ctx: ServiceContext, engine: sa.Engine, price: int, grams: int,
                       qty: int = 2) -> int:  # fmt: skip
    """A COD phone order of `qty` items at `price` đ and `grams` g each."""
    (variant,) = make_product(engine, "Tủ gỗ", [("TU-1", price, 10)])
    t = Variant.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(t.update().where(t.c.id == variant).values(weight_g=grams))
    order = order_svc.OrderDraft(
        lines=(order_svc.DraftLine(variant, qty),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Nguyễn Lan", ship_phone="0901234567",
        ship_address="12 Lê Lợi", ship_province="Hồ Chí Minh",
    )  # fmt: skip
    return order_svc.create_order(ctx, order, allow_negative_stock=True).id


def test_cod_and_weight_past_the_limits_are_refused_not_cut(owner_ctx, engine, sandbox,
                                                            ghn_id):  # fmt: skip
    """11,960,000 đ to collect and 37.5 kg: the draft carries the true figures and the
    checks refuse them naming the limit, before anything is written or sent (cutting
    them would collect less than the packing slip says, and under-declare the weight)."""
    rich = weighted_cod_order(owner_ctx, engine, price=5_980_000, grams=1_000)
    d = draft(owner_ctx, rich, ghn_id)
    assert d.parcel.cod_amount == 11_960_000
    with pytest.raises(ValidationError) as exc:
        svc.request_shipment(owner_ctx, rich, d)
    assert exc.value.field == "cod_amount"
    assert exc.value.user_message == (
        "The COD amount must be 0-10,000,000 đ (got 11,960,000 đ).")  # fmt: skip
    with pytest.raises(ValidationError, match="COD amount"):
        svc.quote_fee(owner_ctx, d)

    heavy = weighted_cod_order(owner_ctx, engine, price=100_000, grams=18_750)
    d = draft(owner_ctx, heavy, ghn_id)
    assert d.parcel.weight_g == 37_500
    with pytest.raises(ValidationError) as exc:
        svc.request_shipment(owner_ctx, heavy, d)
    assert exc.value.field == "weight_g"
    assert exc.value.user_message == "The weight must be 1-30,000 g (got 37,500)."
    assert outbox_rows(engine) == [] and sandbox.calls() == []


def test_absurd_figures_are_refused_with_a_message_not_an_overflow(owner_ctx, engine,
                                                                   ghn_id):  # fmt: skip
    """Figures no parcel has, or the database cannot store (past 2**63), are a
    ValidationError naming the field, never an OverflowError from the database."""
    # As many grams as an INTEGER column holds, as many items as a sale takes.
    many = weighted_cod_order(owner_ctx, engine, price=1, grams=2 * 10**9, qty=MAX_QUANTITY)
    d = draft(owner_ctx, many, ghn_id)
    assert d.parcel.weight_g == 2 * 10**15  # the goods' true weight, never cut
    with pytest.raises(ValidationError, match=r"weight must be 1-30,000 g") as exc:
        svc.request_shipment(owner_ctx, many, d)
    assert exc.value.field == "weight_g"
    huge = 10**20
    for field in ("weight_g", "length_cm", "cod_amount", "insurance_value"):
        parcel = Parcel(**{"weight_g": 1_000, field: huge})
        with pytest.raises(ValidationError) as exc:
            svc.check_draft(replace(d, parcel=parcel))
        assert exc.value.field == field and f"{huge:,}" in exc.value.user_message
    assert outbox_rows(engine) == []


def test_offline_create_waits_and_is_sent_once_when_back(owner_ctx, engine, sandbox, ghn_id,
                                                         fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.DROP, count=5)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.offline and report.retrying == 1 and report.delivered == 0
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.PENDING)]
    sandbox.clear_faults()
    owner_ctx.clock.advance(timedelta(hours=3))
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).delivered == 1
    assert len(sandbox.calls(CREATE_PATH)) == 1


def test_create_that_timed_out_is_not_sent_again(owner_ctx, engine, sandbox, ghn_id,
                                                fast_factory):  # fmt: skip
    """The carrier created it but the answer never came: the next delivery finds it by
    the client order code instead of creating a second shipment."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.TIMEOUT, path=CREATE_PATH)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.retrying == 1
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.IN_PROGRESS)]
    owner_ctx.clock.advance(timedelta(hours=3))
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely) == (1, 1)
    assert len(sandbox.calls(CREATE_PATH)) == 1
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.carrier_order_code == "GY000001VN"


def test_a_create_answered_without_its_code_is_looked_up_not_failed(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    """GHN made the parcel but its answer lost the order code: the shipment is found by
    our client order code and recorded, not failed (a failed one would let the shop
    make a second parcel)."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.CORRUPT, path=CREATE_PATH)
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely, report.failed) == (1, 1, 0)
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.DONE)]
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert (ship.carrier_order_code, ship.status) == ("GY000001VN", "ready_to_pick")
    assert order_row(engine, order_id).tracking_number == "GY000001VN"
    with pytest.raises(Conflict, match="already has shipment GY000001VN"):
        svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    assert len(sandbox.shipments) == 1


def test_an_unclear_create_whose_lookup_fails_waits_and_is_found_later(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    """No order code in the answer and the lookup cannot connect: the create stays in
    progress (the shipment queued, still the order's live one) and the next run finds
    the parcel instead of creating a second."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.CORRUPT, path=CREATE_PATH)
    sandbox.inject(CarrierFault.DROP, path="detail-by-client-code", count=2)  # both tries
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.retrying, report.failed) == (0, 1, 0)
    assert "gave no order code" in report.messages[0]
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.IN_PROGRESS)]
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.status == "queued" and ship.open
    with pytest.raises(Conflict, match=f"already has shipment PD{order_id}"):
        svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    owner_ctx.clock.advance(timedelta(hours=3))
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely) == (1, 1)
    assert len(sandbox.calls(CREATE_PATH)) == 1
    assert svc.order_shipments(owner_ctx, order_id)[0].carrier_order_code == "GY000001VN"


def test_a_lookup_that_cannot_connect_keeps_the_create_uncertain(
    owner_ctx, engine, sandbox, ghn_id, fast_factory
):
    """A create that timed out, then a run whose lookup cannot connect: the create may
    still have reached the carrier, so the message stays in progress and a later run
    looks again (it does not send the create blind and fail on the taken code)."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.TIMEOUT, path=CREATE_PATH)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    owner_ctx.clock.advance(timedelta(hours=3))
    sandbox.inject(CarrierFault.DROP, path="detail-by-client-code", count=2)
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).retrying == 1
    assert outbox_rows(engine) == [("shipment.create", OutboxStatus.IN_PROGRESS)]
    owner_ctx.clock.advance(timedelta(hours=3))
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely, report.failed) == (1, 1, 0)
    assert len(sandbox.calls(CREATE_PATH)) == 1
    assert svc.order_shipments(owner_ctx, order_id)[0].carrier_order_code == "GY000001VN"


def test_create_is_retried_at_once_only_when_rate_limited(owner_ctx, engine, sandbox, ghn_id,
                                                          fast_factory):  # fmt: skip
    """A 429 means the carrier did not act: the client sends the create again in the same
    delivery. An HTTP 500 may come after it acted: the message waits for the next run."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.inject(CarrierFault.HTTP_500, path=CREATE_PATH)
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).retrying == 1
    assert sandbox.request_count(CREATE_PATH) == 1
    owner_ctx.clock.advance(timedelta(hours=3))
    sandbox.inject(CarrierFault.RATE_LIMIT, path=CREATE_PATH)
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).delivered == 1
    assert sandbox.request_count(CREATE_PATH) == 3
    assert len(sandbox.calls(CREATE_PATH)) == 1


def test_crash_after_claim_checks_the_carrier_first(owner_ctx, engine, sandbox, ghn_id,
                                                   fast_factory):  # fmt: skip
    """Killed between claim and answer (message left in progress, nothing created):
    the next run asks, finds nothing, creates exactly once."""
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE outbox_messages SET status='in_progress', attempts=1"))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert sandbox.request_count("detail-by-client-code") == 1
    assert len(sandbox.calls(CREATE_PATH)) == 1


def test_refused_create_fails_with_the_carriers_message(owner_ctx, engine, sandbox, ghn_id,
                                                       fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    sandbox.shipments.clear()
    sandbox._by_client[f"PD{order_id}"] = "X"  # the code is taken at the carrier
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.failed == 1 and "already exists" in report.messages[0]
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.status == "failed" and "already exists" in (ship.last_error or "")
    # A failed shipment does not block a new one, with a new client code.
    view = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    assert view.client_order_code == f"PD{order_id}-2"


def test_cancel_before_sending_drops_the_create(owner_ctx, engine, sandbox, ghn_id,
                                                fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    view = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    assert svc.request_cancel(owner_ctx, view.id).status == "cancel"
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert sandbox.calls() == []
    assert not order_row(engine, order_id).outbox_pending


def test_cancel_after_create_goes_to_the_carrier(owner_ctx, engine, sandbox, ghn_id,
                                                 fast_factory):  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    view = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    svc.request_cancel(owner_ctx, view.id)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert sandbox.shipments["GY000001VN"].status == "cancel"
    assert svc.order_shipments(owner_ctx, order_id)[0].status == "cancel"
    sandbox.set_status("GY000001VN", "picked")
    view2 = svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    sandbox.advance("GY000002VN")
    sandbox.advance("GY000002VN")  # picked
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    with pytest.raises(Conflict, match="no longer"):
        svc.request_cancel(owner_ctx, view2.id)


# --------------------------------------------------------------------------- tracking


def history(engine: sa.Engine, order_id: int) -> list[tuple[str | None, str, str]]:
    with engine.connect() as conn:
        t = OrderStatusChange.__table__  # type: ignore[attr-defined]
        rows = conn.execute(
            sa.select(t.c.from_status, t.c.to_status, t.c.source)
            .where(t.c.order_id == order_id).order_by(t.c.id)
        )  # fmt: skip
        return [tuple(r) for r in rows]


def stock(engine: sa.Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        t = Variant.__table__  # type: ignore[attr-defined]
        return tuple(conn.execute(sa.select(t.c.stock, t.c.reserved)).one())


def shipped(owner_ctx, engine, sandbox, ghn_id, factory) -> tuple[int, str]:
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    svc.deliver_carrier_outbox(owner_ctx, factory=factory)
    return order_id, svc.order_shipments(owner_ctx, order_id)[0].carrier_order_code or ""


def test_delivery_moves_the_order_to_completed(owner_ctx, engine, sandbox, ghn_id, fast_factory):
    order_id, code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    assert stock(engine) == (10, 2)  # a phone order reserves
    sandbox.set_status(code, "delivering")
    assert svc.poll_shipments(owner_ctx, factory=fast_factory).changed == 1
    assert order_row(engine, order_id).status == OrderStatus.SHIPPING
    assert stock(engine) == (8, 0)  # handed to the carrier: consumed
    sandbox.set_status(code, "delivered")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert order_row(engine, order_id).status == OrderStatus.COMPLETED
    assert history(engine, order_id)[-2:] == [
        ("confirmed", "shipping", "carrier"), ("shipping", "completed", "carrier")]  # fmt: skip
    # Final: not polled again.
    before = sandbox.request_count("shipping-order/detail")
    assert svc.poll_shipments(owner_ctx, factory=fast_factory).checked == 0
    assert sandbox.request_count("shipping-order/detail") == before


def test_return_to_sender_restocks_without_refunding_unpaid_cod(owner_ctx, engine, sandbox,
                                                                ghn_id, fast_factory):  # fmt: skip
    order_id, code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    sandbox.set_status(code, "return")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    order = order_row(engine, order_id)
    assert order.status == OrderStatus.RETURN_REFUND  # confirmed → shipping → return
    sandbox.set_status(code, "returned")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    order = order_row(engine, order_id)
    assert order.status == OrderStatus.RETURNED and order.refunded_amount == 0
    assert stock(engine) == (10, 0)


def test_a_parcel_coming_back_or_lost_reaches_the_activity_feed(owner_ctx, engine, sandbox,
                                                                ghn_id, fast_factory):  # fmt: skip
    from primedist.services.reports import events

    def shipment_events() -> list[dict]:
        return [e.args for e in events(owner_ctx) if e.kind == "shipment"]

    order_id, code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    external_id = order_row(engine, order_id).external_id
    sandbox.set_status(code, "delivering")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert shipment_events() == []  # on its way: nothing to see to
    sandbox.set_status(code, "return")  # the buyer refused it
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    svc.poll_shipments(owner_ctx, factory=fast_factory)  # read again: no second event
    assert shipment_events() == [{"code": code, "order": external_id, "order_id": order_id,
                                  "carrier": "GHN", "status": "return"}]  # fmt: skip
    [event] = [e for e in events(owner_ctx) if e.kind == "shipment"]
    assert event.message == f"GHN parcel {code} of order {external_id}: return"
    assert event.shop is not None  # the order's shop, for Home's shop filter
    sandbox.set_status(code, "lost")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert [a["status"] for a in shipment_events()] == ["lost", "return"]  # newest first


def test_lost_parcel_flags_the_order_and_status_never_goes_back(owner_ctx, engine, sandbox,
                                                               ghn_id, fast_factory):  # fmt: skip
    order_id, code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    order_svc.change_status(owner_ctx, order_id, OrderStatus.SHIPPING)
    sandbox.set_status(code, "picking")  # behind the order: no move back
    assert svc.poll_shipments(owner_ctx, factory=fast_factory).changed == 1  # shipment only
    assert order_row(engine, order_id).status == OrderStatus.SHIPPING
    sandbox.set_status(code, "lost")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    order = order_row(engine, order_id)
    assert order.flagged and order.status == OrderStatus.SHIPPING
    assert history(engine, order_id)[-1] == ("shipping", "shipping", "carrier")


@pytest.mark.parametrize(
    ("status", "expected"),
    [("ready_to_pick", "confirmed"), ("money_collect_delivering", "shipping"),
     ("delivery_fail", "shipping"), ("delivered", "completed"),
     ("return_transporting", "return_refund"), ("returned", "returned"), ("cancel", None),
     ("damage", None)],
)  # fmt: skip
def test_status_mapping(status, expected):
    assert svc.ORDER_STATUS_FOR[status] == expected


def test_poll_survives_a_broken_answer_and_an_outage(owner_ctx, engine, sandbox, ghn_id,
                                                    fast_factory):  # fmt: skip
    order_id, code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    sandbox.set_status(code, "delivering")
    sandbox.inject(CarrierFault.HTTP_500, count=4)
    report = svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert report.checked == 0 and "HTTP 500" in report.errors[0]
    sandbox.clear_faults()
    sandbox.inject(CarrierFault.CORRUPT)
    assert svc.poll_shipments(owner_ctx, factory=fast_factory).changed == 0
    assert svc.poll_shipments(owner_ctx, factory=fast_factory).changed == 1
    assert order_row(engine, order_id).status == OrderStatus.SHIPPING


def test_label_fetched_once_and_kept(owner_ctx, engine, sandbox, ghn_id, fast_factory):
    order_id, _code = shipped(owner_ctx, engine, sandbox, ghn_id, fast_factory)
    ship = svc.order_shipments(owner_ctx, order_id)[0]
    path = svc.label_file(owner_ctx, ship.id, factory=fast_factory)
    assert path.read_bytes().startswith(b"%PDF") and path.suffix == ".pdf"
    assert svc.label_file(owner_ctx, ship.id, factory=fast_factory) == path
    assert sandbox.request_count("a5/gen-token") == 1


def test_jnt_shipment_created_once_and_tracked(owner_ctx, engine, sandbox, fast_factory):
    view = svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY,
                               DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip
    jnt_id = view.id
    order_id = phone_order(owner_ctx, engine)
    d = replace(draft(owner_ctx, order_id, jnt_id), service_id=None,
                to=Address("Lan", "0901234567", "12 Lê Lợi", "20101", 1442, "Phường Bến Nghé",
                           "Quận 1", "Hồ Chí Minh"))  # fmt: skip
    svc.request_shipment(owner_ctx, order_id, d)
    sandbox.inject(CarrierFault.TIMEOUT, path="addOrder")
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    owner_ctx.clock.advance(timedelta(hours=3))
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).confirmed_remotely == 1
    assert len(sandbox.calls("addOrder")) == 1
    code = svc.order_shipments(owner_ctx, order_id)[0].carrier_order_code
    sandbox.set_status(code, "delivered")
    svc.poll_shipments(owner_ctx, factory=fast_factory)
    assert order_row(engine, order_id).status == OrderStatus.COMPLETED


def test_jnt_create_answered_without_its_bill_code_is_looked_up(owner_ctx, engine, sandbox,
                                                                 fast_factory):  # fmt: skip
    view = svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY,
                               DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip
    order_id = phone_order(owner_ctx, engine)
    d = replace(draft(owner_ctx, order_id, view.id), service_id=None)
    svc.request_shipment(owner_ctx, order_id, d)
    sandbox.inject(CarrierFault.CORRUPT, path="addOrder")
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert (report.delivered, report.confirmed_remotely, report.failed) == (1, 1, 0)
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.carrier_order_code == "800000000001" and ship.status == "ready_to_pick"
    assert len(sandbox.calls("addOrder")) == 1


def test_payload_survives_json(owner_ctx, engine, ghn_id):
    order_id = phone_order(owner_ctx, engine)
    svc.request_shipment(owner_ctx, order_id, draft(owner_ctx, order_id, ghn_id))
    with engine.connect() as conn:
        payload = json.loads(conn.execute(sa.text("SELECT payload_json FROM outbox_messages"))
                             .scalar_one())  # fmt: skip
    request = svc._request_from_payload(payload)
    assert request.client_order_code == f"PD{order_id}"
    assert request.items[0]["quantity"] == 2
