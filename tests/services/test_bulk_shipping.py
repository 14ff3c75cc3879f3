# ruff: noqa: F811  (pytest fixtures imported from the shipping tests)
"""Shipping a selection of orders at once, against the carrier sandbox on 127.0.0.1:
every order checked and placed on GHN's map before anything is written, the ready ones
queued (each on its own), the rest named with the reason; offline with cached lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from primedist.carriers.base import Address, ConnectorError, Place, RequiredNote
from primedist.carriers.places import bare_name, place_for_name
from primedist.domain.enums import Module, OrderSource, PaymentMethod, Role
from primedist.errors import Cancelled, PermissionDenied, ValidationError
from primedist.jobs.progress import JobProgress
from primedist.services import bulk_shipping as bulk
from primedist.services import orders as order_svc
from primedist.services import shipping as svc
from primedist.services.context import Actor, ServiceContext
from tests.factories import make_orders, make_product, make_shop
from tests.services.test_shipping import (  # noqa: F401  (fixtures)
    fast_factory,
    ghn_id,
    outbox_rows,
    sandbox,
)


def order_to(ctx: ServiceContext, engine: sa.Engine, *, province: str, ward: str | None,
             district: str | None = None, sku: str = "AT-1", qty: int = 1) -> int:  # fmt: skip
    """A confirmed phone order (COD) to that address."""
    with engine.connect() as conn:
        variant = conn.execute(
            sa.text("SELECT id FROM variants WHERE sku = :s"), {"s": sku}
        ).scalar()
    if variant is None:
        variant = make_product(engine, f"Áo {sku}", [(sku, 150_000, 50)])[0]
    draft = order_svc.OrderDraft(
        lines=(order_svc.DraftLine(variant, qty),), source=OrderSource.PHONE,
        payment_method=PaymentMethod.COD, ship_name="Nguyễn Lan", ship_phone="0901234567",
        ship_address="12 Lê Lợi", ship_ward=ward, ship_province=province,
    )  # fmt: skip
    order_id = order_svc.create_order(ctx, draft).id
    if district is not None:  # an address on the old three-level map (a marketplace's)
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE orders SET ship_district = :d WHERE id = :i"),
                         {"d": district, "i": order_id})  # fmt: skip
    return order_id


def shipments(engine: sa.Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.text("SELECT order_id, status FROM shipments ORDER BY id"))]  # fmt: skip


# --------------------------------------------------------------------------- placing


def test_place_names_ignore_kind_words_and_diacritics():
    places = [Place("201", "Hà Nội"), Place("202", "Hồ Chí Minh", aliases=("TP HCM",))]
    assert bare_name("TP. Hồ Chí Minh") == "ho chi minh"
    assert bare_name("Quận 1") == "1" and bare_name("Phường Bến Nghé") == "ben nghe"
    assert place_for_name(places, "Thành phố Hồ Chí Minh").code == "202"
    assert place_for_name(places, "tp hcm").code == "202"
    assert place_for_name(places, "Đà Nẵng") is None
    wards = [Place("1", "Phường An Bình"), Place("2", "Xã An Bình")]
    assert place_for_name(wards, "Xã An Bình").code == "2"
    assert place_for_name(wards, "phuong an binh").code == "1"
    assert place_for_name(wards, "An Bình") is None


MAP = {
    ("province", ""): [Place("202", "Hồ Chí Minh")],
    ("district", "202"): [Place("1442", "Quận 1"), Place("1443", "Quận 3")],
    ("ward", "1442"): [Place("20101", "Phường Bến Nghé"), Place("20199", "Phường 1")],
    ("ward", "1443"): [Place("20301", "Phường Võ Thị Sáu"), Place("20399", "Phường 1")],
}


def places(level: str, parent: str) -> list[Place]:
    return MAP.get((level, parent), [])


def to(province: str = "TP. Hồ Chí Minh", ward: str = "", district: str = "") -> Address:
    return Address("Lan", "0901234567", "12 Lê Lợi", "", 0, ward, district, province)


def test_a_2025_address_is_placed_by_its_ward():
    placed = bulk.resolve_address(places, to(ward="phuong vo thi sau"))
    assert isinstance(placed, Address)
    assert (placed.district_id, placed.ward_code) == (1443, "20301")
    assert (placed.ward_name, placed.district_name, placed.province_name) == (
        "Phường Võ Thị Sáu", "Quận 3", "Hồ Chí Minh")  # GHN's names  # fmt: skip


def test_an_old_map_address_uses_its_district():
    placed = bulk.resolve_address(places, to(ward="Phường 1", district="Q.3"))
    assert isinstance(placed, Address) and placed.ward_code == "20399"


@pytest.mark.parametrize(("address", "problem"), [
    (to(province=""), "The address has no province."),
    (to(province="Cần Thơ", ward="Phường Cái Khế"), "Province Cần Thơ is not in GHN's list."),
    (to(ward=""), "The address has no ward."),
    (to(ward="Phường Không Có"), "Ward Phường Không Có is not in GHN's list for Hồ Chí Minh."),
    (to(ward="Phường 1"), "Ward Phường 1 is in more than one district of Hồ Chí Minh: pick it "
                          "on the order."),
    (to(ward="Phường 1", district="Quận 9"),
     "District Quận 9 is not in GHN's list for Hồ Chí Minh."),
])  # fmt: skip
def test_an_address_that_cannot_be_placed_says_why(address, problem):
    assert bulk.resolve_address(places, address) == problem


# --------------------------------------------------------------------------- plan and ship


def test_a_selection_is_planned_then_the_ready_orders_ship(
    owner_ctx, engine, ghn_id, fast_factory, sandbox
):
    new_map = order_to(owner_ctx, engine, province="TP. Hồ Chí Minh", ward="Phường Bến Nghé")
    old_map = order_to(
        owner_ctx, engine, province="Hà Nội", district="Quận Ba Đình", ward="P. Kim Mã", qty=45
    )  # 22.5 kg: the heavy-goods service
    unknown = order_to(owner_ctx, engine, province="Đà Nẵng", ward="Phường Không Có")
    no_ward = order_to(owner_ctx, engine, province="Đà Nẵng", ward=None)
    shop = make_shop(engine, "Prime - Shopee")
    market = make_orders(engine, shop, 1, start=datetime(2026, 11, 1, tzinfo=UTC),
                         step=timedelta(hours=1))[0]  # fmt: skip
    ids = [new_map, old_map, unknown, no_ward, market, new_map]  # a repeat counts once

    plan = bulk.plan_shipments(owner_ctx, ids, ghn_id, required_note=RequiredNote.TRY,
                               factory=fast_factory)  # fmt: skip

    assert [p.order_id for p in plan] == [new_map, old_map, unknown, no_ward, market]
    ready = {p.order_id: p for p in plan if p.ready}
    assert set(ready) == {new_map, old_map}
    first = ready[new_map].draft
    assert (first.to.district_id, first.to.ward_code, first.service_type_id) == (
        1442, "20101", bulk.LIGHT_SERVICE)  # fmt: skip
    assert first.required_note == RequiredNote.TRY and first.parcel.cod_amount == 150_000
    assert ready[old_map].draft.to.ward_code == "1A0102"
    assert ready[old_map].draft.service_type_id == bulk.HEAVY_SERVICE
    assert ready[new_map].place == "Phường Bến Nghé, Quận 1, Hồ Chí Minh"
    assert ready[new_map].recipient == "Nguyễn Lan · 0901234567"
    problems = {p.order_id: p.problem for p in plan if not p.ready}
    assert problems[unknown] == "Ward Phường Không Có is not in GHN's list for Đà Nẵng."
    assert problems[no_ward] == "The address has no ward."
    assert "ships with its marketplace's logistics" in problems[market]
    assert shipments(engine) == []  # planning writes nothing

    report = bulk.ship_planned(owner_ctx, plan)

    assert sorted(v.order_id for v in report.created) == sorted([new_map, old_map])
    assert report.refused == []
    assert outbox_rows(engine) == [("shipment.create", "pending")] * 2
    delivered = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert delivered.delivered == 2
    created = {s.order_id: s for s in map(svc.order_shipments, [owner_ctx] * 2,
                                          [new_map, old_map]) for s in s}  # fmt: skip
    assert all(s.carrier_order_code and s.status == "ready_to_pick" for s in created.values())
    # Planned again: the shipped orders are refused with the reason.
    again = bulk.plan_shipments(owner_ctx, [new_map], ghn_id, factory=fast_factory)
    assert not again[0].ready and "already has shipment" in again[0].problem


def test_a_parcel_past_the_carrier_s_limits_is_named_not_cut(owner_ctx, engine, ghn_id,
                                                              fast_factory):  # fmt: skip
    """The goods' full weight and all the cash left to collect: an order past the limits
    is listed with the limit, and nothing is queued for it."""
    make_product(engine, "Gạo", [("GAO-1", 10_000, 200)])  # no weight: 500 g each
    make_product(engine, "Tủ gỗ", [("TU-1", 5_980_000, 10)])  # two: 11,960,000 đ to collect
    heavy = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Kim Mã", sku="GAO-1",
                     qty=75)  # fmt: skip
    rich = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Kim Mã", sku="TU-1",
                    qty=2)  # fmt: skip
    ok = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Kim Mã", sku="GAO-1",
                  qty=59)  # fmt: skip

    plan = bulk.plan_shipments(owner_ctx, [heavy, rich, ok], ghn_id, factory=fast_factory)

    problems = {p.order_id: p.problem for p in plan}
    assert problems[heavy] == "The weight must be 1-30,000 g (got 37,500)."
    assert problems[rich] == "The COD amount must be 0-10,000,000 đ (got 11,960,000 đ)."
    assert problems[ok] is None  # 29.5 kg
    [ready] = [p for p in plan if p.ready]
    assert ready.draft.parcel.weight_g == 29_500
    assert ready.draft.service_type_id == bulk.HEAVY_SERVICE
    report = bulk.ship_planned(owner_ctx, plan)
    assert [v.order_id for v in report.created] == [ok]
    assert shipments(engine) == [(ok, "queued")]


def test_an_order_changed_after_planning_is_refused_and_the_others_ship(
    owner_ctx, engine, ghn_id, fast_factory
):
    a = order_to(owner_ctx, engine, province="Hồ Chí Minh", ward="Phường Đa Kao")
    b = order_to(owner_ctx, engine, province="Hồ Chí Minh", ward="Phường Thảo Điền")
    plan = bulk.plan_shipments(owner_ctx, [a, b], ghn_id, factory=fast_factory)
    assert all(p.ready for p in plan)
    order_svc.cancel_orders(owner_ctx, [a], "Khách đổi ý")

    report = bulk.ship_planned(owner_ctx, plan)

    assert [v.order_id for v in report.created] == [b]
    ((order_id, external_id, why),) = report.refused
    assert order_id == a and external_id in why and "cancelled" in why
    assert shipments(engine) == [(b, "queued")]


def test_offline_the_cached_lists_still_place_and_the_shipments_wait(
    owner_ctx, engine, ghn_id, fast_factory, sandbox
):
    a = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Tràng Tiền")
    assert bulk.plan_shipments(owner_ctx, [a], ghn_id, factory=fast_factory)[0].ready
    b = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Hàng Bạc")
    sandbox.stop()

    plan = bulk.plan_shipments(owner_ctx, [a, b], ghn_id, factory=fast_factory)
    report = bulk.ship_planned(owner_ctx, plan)

    assert len(report.created) == 2 and shipments(engine) == [(a, "queued"), (b, "queued")]
    report = svc.deliver_carrier_outbox(owner_ctx, factory=fast_factory)
    assert report.delivered == 0 and report.retrying == 1  # waits for the network


def test_a_dead_network_with_nothing_cached_says_so(owner_ctx, engine, ghn_id, fast_factory,
                                                     sandbox):  # fmt: skip
    a = order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Tràng Tiền")
    sandbox.stop()
    with pytest.raises(ConnectorError, match="GHN"):
        bulk.plan_shipments(owner_ctx, [a], ghn_id, factory=fast_factory)
    assert shipments(engine) == []


def test_cancel_stops_before_the_next_order(owner_ctx, engine, ghn_id, fast_factory):
    ids = [order_to(owner_ctx, engine, province="Hà Nội", ward="Phường Kim Mã")
           for _ in range(3)]  # fmt: skip
    plan = bulk.plan_shipments(owner_ctx, ids, ghn_id, factory=fast_factory)
    progress = JobProgress()
    seen: list[float] = []

    def stop_after_first(fraction: float, _message: str) -> None:
        seen.append(fraction)
        if len(seen) == 2:  # about to queue the second
            progress.cancel()

    progress._on_update = stop_after_first
    with pytest.raises(Cancelled):
        bulk.ship_planned(owner_ctx, plan, progress=progress)
    assert shipments(engine) == [(ids[0], "queued")]  # the one queued stays queued


def test_limits_permissions_and_an_order_gone(owner_ctx, ghn_id, fast_factory):
    with pytest.raises(ValidationError, match="at most 500"):
        bulk.plan_shipments(owner_ctx, range(1, 502), ghn_id, factory=fast_factory)
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF,
                                       frozenset({Module.PRODUCTS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        bulk.plan_shipments(staff, [1], ghn_id, factory=fast_factory)
    with pytest.raises(PermissionDenied):
        bulk.ship_planned(staff, [])
    (gone,) = bulk.plan_shipments(owner_ctx, [987_654], ghn_id, factory=fast_factory)
    assert not gone.ready and gone.problem == "Order 987654 no longer exists."


def test_a_typed_weight_reweighs_the_parcel_and_picks_the_service_again():
    from primedist.carriers.base import Parcel

    draft = svc.ShipmentDraft(1, to(ward="Phường Bến Nghé"), Parcel(weight_g=500),
                              service_type_id=bulk.LIGHT_SERVICE, unweighed_items=1)  # fmt: skip
    ready = bulk.PlannedShipment(1, "PD1", "Lan", "Hồ Chí Minh", draft=draft)
    heavy = bulk.with_weight(ready, 20_000)
    assert (heavy.draft.parcel.weight_g, heavy.draft.service_type_id) == (
        20_000, bulk.HEAVY_SERVICE)  # fmt: skip
    assert heavy.draft.unweighed_items == 0  # weighed: no longer an estimate
    light = bulk.with_weight(heavy, 1_200)
    assert (light.draft.parcel.weight_g, light.draft.service_type_id) == (
        1_200, bulk.LIGHT_SERVICE)  # fmt: skip
    for bad in (0, 30_001):
        with pytest.raises(ValidationError, match="1 to 30,000 g"):
            bulk.with_weight(ready, bad)
    with pytest.raises(ValidationError, match="not ready"):
        bulk.with_weight(bulk.PlannedShipment(2, "PD2", "", "", problem="no ward"), 500)
