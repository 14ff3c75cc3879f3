# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""A shop with a J&T Express account and no GHN one, against the carrier sandbox on
127.0.0.1: J&T takes the address as names, so a shipment (one, or many at once) needs
none of GHN's lists; what the recipient may do before paying reaches J&T's courier in
the remark. GHN still needs its district id and ward code."""

from __future__ import annotations

from dataclasses import replace

import pytest

from primedist.carriers.base import Address, Parcel, RequiredNote, ShipmentRequest
from primedist.carriers.jnt import ADD_ORDER_PATH, REMARK_MAX, remark
from primedist.domain.enums import CarrierCode
from primedist.errors import ValidationError
from primedist.sandbox.carriers import (
    DEMO_JNT_ACCOUNT,
    DEMO_JNT_CUSTOMER,
    DEMO_JNT_KEY,
    DEMO_JNT_PASSWORD,
)
from primedist.services import bulk_shipping as bulk
from primedist.services import shipping as svc
from tests.services.test_bulk_shipping import order_to
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    fast_factory,
    ghn_id,
    outbox_rows,
    phone_order,
    sandbox,
)


@pytest.fixture
def jnt_only(owner_ctx, sandbox) -> int:
    """The shop's only carrier account: J&T Express."""
    view = svc.add_jnt_account(owner_ctx, "J&T", DEMO_JNT_ACCOUNT, DEMO_JNT_KEY,
                               DEMO_JNT_CUSTOMER, DEMO_JNT_PASSWORD, sandbox.jnt_url)  # fmt: skip
    return view.id


def named(ctx, order_id: int, account_id: int, **names: str) -> svc.ShipmentDraft:
    """The order's draft with the place names typed (no GHN id, as the J&T form sends)."""
    d = svc.draft_for_order(ctx, order_id, account_id)
    return replace(d, to=replace(d.to, **names))


def ghn_master_data_calls(sandbox) -> int:
    return sum(sandbox.request_count(f"master-data/{level}")
               for level in ("province", "district", "ward"))  # fmt: skip


@pytest.mark.parametrize(("note", "words"), [
    (RequiredNote.VIEW, "Cho xem hàng, không cho thử"),
    (RequiredNote.TRY, "Cho thử hàng"),
    (RequiredNote.NO_VIEW, "Không cho xem hàng"),
])  # fmt: skip
def test_a_jnt_only_shop_ships_by_names_and_the_viewing_rule_reaches_jnt(
    owner_ctx, engine, sandbox, jnt_only, fast_factory, note, words
):
    order_id = phone_order(owner_ctx, engine)
    d = named(owner_ctx, order_id, jnt_only, district_name="Quận 1",
              ward_name="Phường Bến Nghé")  # fmt: skip
    d = replace(d, required_note=note, note="Gọi trước khi giao")
    svc.request_shipment(owner_ctx, order_id, d)
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).delivered == 1
    [sent] = sandbox.calls(ADD_ORDER_PATH)
    receiver = sent.body["receiver"]
    assert (receiver["prov"], receiver["city"], receiver["area"]) == (
        "Hồ Chí Minh", "Quận 1", "Phường Bến Nghé")  # fmt: skip
    assert sent.body["remark"] == f"{words}. Gọi trước khi giao"
    [ship] = svc.order_shipments(owner_ctx, order_id)
    assert ship.carrier_order_code == "800000000001" and ship.status == "ready_to_pick"
    assert ghn_master_data_calls(sandbox) == 0  # no GHN list was needed


def test_a_2025_address_without_a_district_ships_with_jnt(
    owner_ctx, engine, sandbox, jnt_only, fast_factory
):
    order_id = phone_order(owner_ctx, engine)
    d = named(owner_ctx, order_id, jnt_only, ward_name="Phường Sài Gòn")
    svc.request_shipment(owner_ctx, order_id, d)
    svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    [sent] = sandbox.calls(ADD_ORDER_PATH)
    assert (sent.body["receiver"]["city"], sent.body["receiver"]["area"]) == ("", "Phường Sài Gòn")
    assert sent.body["remark"] == "Cho xem hàng, không cho thử"  # the default, no note


def test_jnt_needs_the_province_and_ward_named(owner_ctx, engine, sandbox, jnt_only):
    order_id = phone_order(owner_ctx, engine)  # the order names only its province
    with pytest.raises(ValidationError, match="Type the recipient's ward.") as no_ward:
        svc.request_shipment(owner_ctx, order_id, named(owner_ctx, order_id, jnt_only))
    assert no_ward.value.field == "to_ward_name"
    no_province = named(owner_ctx, order_id, jnt_only, province_name=" ", ward_name="Phường 1")
    with pytest.raises(ValidationError, match="province or city") as bad:
        svc.request_shipment(owner_ctx, order_id, no_province)
    assert bad.value.field == "to_province_name"
    assert outbox_rows(engine) == [] and svc.order_shipments(owner_ctx, order_id) == []


def test_ghn_still_needs_its_district_and_ward_codes(owner_ctx, engine, sandbox, ghn_id):
    order_id = phone_order(owner_ctx, engine)
    names_only = named(owner_ctx, order_id, ghn_id, district_name="Quận 1",
                       ward_name="Phường Bến Nghé")  # fmt: skip
    with pytest.raises(ValidationError, match="Pick the recipient's district and ward."):
        svc.request_shipment(owner_ctx, order_id, names_only)
    with pytest.raises(ValidationError, match="Pick the recipient's district and ward."):
        svc.check_draft(names_only, CarrierCode.GHN)
    svc.check_draft(names_only, CarrierCode.JNT)  # the same draft suits J&T


def test_a_long_note_is_cut_but_never_the_viewing_rule():
    request = ShipmentRequest(
        client_order_code="PD1", to=Address("Lan", "0901234567", "12 Lê Lợi", "", 0),
        parcel=Parcel(weight_g=500), service_id=None, required_note=RequiredNote.NO_VIEW,
        note="x" * 500,
    )  # fmt: skip
    text = remark(request)
    assert len(text) == REMARK_MAX and text.startswith("Không cho xem hàng. xxx")


def test_many_orders_ship_with_jnt_alone(owner_ctx, engine, sandbox, jnt_only, fast_factory):
    ready = order_to(owner_ctx, engine, province="TP. Hồ Chí Minh", ward="Phường Bến Nghé",
                     district="Quận 1")  # fmt: skip
    new_map = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Ba Đình")  # 2025
    no_ward = order_to(owner_ctx, engine, province="Đà Nẵng", ward=None)
    plans = bulk.plan_shipments(owner_ctx, [ready, new_map, no_ward], jnt_only,
                                required_note=RequiredNote.TRY, factory=fast_factory)  # fmt: skip
    by_id = {p.order_id: p for p in plans}
    assert by_id[ready].ready and by_id[new_map].ready
    assert by_id[ready].place == "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"  # as written
    assert by_id[no_ward].problem == "The address has no ward."
    assert ghn_master_data_calls(sandbox) == 0
    report = bulk.ship_planned(owner_ctx, plans)
    assert len(report.created) == 2 and report.refused == []
    assert svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory).delivered == 2
    sent = {c.body["txlogisticId"]: c.body for c in sandbox.calls(ADD_ORDER_PATH)}
    first = sent[f"PD{ready}"]
    assert (first["receiver"]["prov"], first["receiver"]["area"]) == (
        "TP. Hồ Chí Minh", "Phường Bến Nghé")  # fmt: skip
    assert {b["remark"] for b in sent.values()} == {"Cho thử hàng"}
    # A weight typed in the row keeps J&T's one service (none named).
    heavier = bulk.with_weight(by_id[ready], 21_000)
    assert heavier.draft is not None and heavier.draft.service_type_id is None
