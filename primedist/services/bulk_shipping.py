"""Ship many orders at once: the Orders tab's *Ship with carrier…* on a selection and
`primedist ship`.

`plan_shipments` looks at every selected order first and writes nothing: can the shop's
carrier take it (its own sale, pending or confirmed, no live shipment), are the name,
phone and street there, and where is it on GHN's map — the order's province, district and
ward words are matched with GHN's lists (cached; a 2025 address, province + ward, is found
by looking for the ward in every district of the province) — and is its parcel, with the
goods' full weight and all the cash left to collect, within the carrier's limits
(`shipping.check_draft`). Each order comes back ready, with its draft, or with the reason
it cannot go this way (the owner opens that order and ships it by hand). J&T Express takes
the address as the order's names (province and ward at least): no GHN list is asked.

`ship_planned` then queues a shipment for each ready order, each in its own transaction
(a refusal of one does not undo the others), through the carrier outbox: it works offline,
and the delivery job (or `deliver_carrier_outbox`) sends them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from sqlmodel import col, select

from primedist.carriers.base import MAX_WEIGHT_G, Address, Place, RequiredNote
from primedist.carriers.places import place_for_name
from primedist.core.messages import Message, msg
from primedist.domain.carrier import Shipment
from primedist.domain.enums import Module
from primedist.domain.order import Order
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.jobs.progress import NullProgress, Progress
from primedist.services import shipping as svc
from primedist.services.context import ServiceContext

#: GHN's service types: light goods (its e-commerce standard), heavy goods from 20 kg.
LIGHT_SERVICE, HEAVY_SERVICE = 2, 5
HEAVY_FROM_G = 20_000
#: More orders than this in one go is a mistake (a whole list selected).
MAX_ORDERS = 500

Places = Callable[[str, str], list[Place]]


@dataclass(frozen=True)
class PlannedShipment:
    """One selected order as `plan_shipments` found it."""

    order_id: int
    external_id: str
    #: The recipient and where to: "Nguyễn Lan · 0901234567", "Phường Bến Nghé, Quận 1, …".
    recipient: str
    place: str
    draft: svc.ShipmentDraft | None = None
    #: Why it cannot ship this way (None when `draft` is set).
    problem: str | None = None

    @property
    def ready(self) -> bool:
        return self.draft is not None


@dataclass
class BulkShipReport:
    created: list[svc.ShipmentView] = field(default_factory=list)
    #: (order id, order number, why) for the ready orders that were refused at the end.
    refused: list[tuple[int, str, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- addresses


def resolve_address(places: Places, to: Address) -> Address | Message:
    """`to` with GHN's district id and ward code (and GHN's names), or why it cannot be
    placed. `places(level, parent)` gives GHN's provinces, districts, wards."""
    if not to.province_name.strip():
        return msg("The address has no province.")
    province = place_for_name(places("province", ""), to.province_name)
    if province is None:
        return msg("Province {province} is not in GHN's list.", province=to.province_name)
    if not to.ward_name.strip():
        return msg("The address has no ward.")
    if to.district_name.strip():
        district = place_for_name(places("district", province.code), to.district_name)
        if district is None:
            return msg("District {district} is not in GHN's list for {province}.",
                       district=to.district_name, province=province.name)  # fmt: skip
        found = _ward_in(places, district, to.ward_name)
        candidates = [found] if found else []
    else:  # a 2025 address: province and ward
        districts = places("district", province.code)
        candidates = [hit for d in districts if (hit := _ward_in(places, d, to.ward_name))]
    if not candidates:
        return msg("Ward {ward} is not in GHN's list for {province}.", ward=to.ward_name,
                   province=province.name)  # fmt: skip
    if len(candidates) > 1:
        return msg("Ward {ward} is in more than one district of {province}: pick it on the "
                   "order.", ward=to.ward_name, province=province.name)  # fmt: skip
    district, ward = candidates[0]
    return replace(to, district_id=int(district.code), ward_code=ward.code, ward_name=ward.name,
                   district_name=district.name, province_name=province.name)  # fmt: skip


def address_problem(ctx: ServiceContext, province: str, ward: str, district: str = "", *,
                    factory: svc.CarrierFactory = svc.carrier_for) -> Message | None:  # fmt: skip
    """Why Ship… could not place this address with the shop's carrier (its first active
    account, the one Ship… offers first), checked the way Ship… checks an order; None
    when it can, or when there is nothing to check yet (no province or ward typed, no
    carrier account). A phone order says it while the customer is still on the line.
    GHN's lists come from their cache, fetched the first time (a network call: run it
    off the UI thread); a dead network raises."""
    ctx.require(Module.ORDERS)
    if not province.strip() or not ward.strip():
        return None
    carrier = next((a.carrier for a in svc.list_accounts(ctx) if a.status == "active"), None)
    if carrier is None:
        return None
    to = Address(name="", phone="", address="", ward_code="", district_id=0, ward_name=ward,
                 district_name=district, province_name=province)  # fmt: skip
    if svc.takes_place_names(carrier):
        placed = _named_address(to)
    else:
        placed = resolve_address(_ghn_places(ctx, factory), to)
    return placed if isinstance(placed, Message) else None


def _ghn_places(ctx: ServiceContext, factory: svc.CarrierFactory) -> Places:
    """GHN's lists (`shipping.address_places`: cached, else fetched), each read once here."""
    cache: dict[tuple[str, str], list[Place]] = {}

    def places(level: str, parent: str) -> list[Place]:
        key = (level, parent)
        if key not in cache:
            cache[key] = svc.address_places(ctx, level, parent, factory=factory)
        return cache[key]

    return places


def _named_address(to: Address) -> Address | Message:
    """`to` as it is for a carrier taking names (J&T), or the name it lacks (the district
    may be missing: a 2025 address has none)."""
    if not to.province_name.strip():
        return msg("The address has no province.")
    if not to.ward_name.strip():
        return msg("The address has no ward.")
    return to


def _ghn_service(weight_g: int) -> int:
    """GHN's service type for a parcel: heavy goods from 20 kg, else light goods."""
    return HEAVY_SERVICE if weight_g >= HEAVY_FROM_G else LIGHT_SERVICE


def _ward_in(places: Places, district: Place, ward_name: str) -> tuple[Place, Place] | None:
    ward = place_for_name(places("ward", district.code), ward_name)
    return (district, ward) if ward is not None else None


def _place_text(to: Address) -> str:
    return ", ".join(p for p in (to.ward_name, to.district_name, to.province_name) if p.strip())


# --------------------------------------------------------------------------- finding


def orders_by_number(ctx: ServiceContext, numbers: Sequence[str]) -> dict[str, list[int]]:
    """The order ids each order number (as the list shows it) names; [] for an unknown
    one. Two shops may use one number: both are given (the carrier refuses the
    marketplace's)."""
    ctx.require(Module.ORDERS)
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    found: dict[str, list[int]] = {n: [] for n in wanted}
    with ctx.uow() as session:
        rows = session.exec(select(Order.id, Order.external_id)
                            .where(col(Order.external_id).in_(wanted))
                            .order_by(col(Order.id))).all()  # fmt: skip
    for order_id, number in rows:
        if order_id is not None:
            found[number].append(order_id)
    return found


# --------------------------------------------------------------------------- planning


def plan_shipments(
    ctx: ServiceContext,
    order_ids: Sequence[int],
    account_id: int,
    *,
    required_note: RequiredNote = RequiredNote.VIEW,
    factory: svc.CarrierFactory = svc.carrier_for,
    progress: Progress | None = None,
) -> list[PlannedShipment]:
    """Every order checked and placed (see the module docstring); nothing written but
    GHN's address lists in their cache. A dead network when a list is not cached yet
    raises (the lists are the same for every order: nothing could be placed)."""
    ctx.require(Module.ORDERS)
    progress = progress or NullProgress()
    ids = list(dict.fromkeys(order_ids))
    if len(ids) > MAX_ORDERS:
        raise ValidationError(msg("Ship at most {limit} orders at once.", limit=MAX_ORDERS))
    carrier = svc.account_carrier(ctx, account_id)
    places = _ghn_places(ctx, factory)
    planned = []
    for n, order_id in enumerate(ids):
        progress.check()
        progress.update(n / max(len(ids), 1))
        planned.append(_plan_one(ctx, order_id, account_id, required_note, places, carrier))
    progress.update(1.0)
    return planned


def _plan_one(ctx: ServiceContext, order_id: int, account_id: int, note: RequiredNote,
              places: Places, carrier: str) -> PlannedShipment:  # fmt: skip
    try:
        draft = svc.draft_for_order(ctx, order_id, account_id)
    except NotFound as gone:
        return PlannedShipment(order_id, str(order_id), "", "", problem=gone.user_message)
    external_id, refusal = _refusal(ctx, order_id)
    to = draft.to
    shown = PlannedShipment(order_id, external_id, " · ".join(p for p in (to.name, to.phone) if p),
                            _place_text(to))  # fmt: skip
    if refusal is not None:
        return replace(shown, problem=refusal)
    by_names = svc.takes_place_names(carrier)
    placed = _named_address(to) if by_names else resolve_address(places, to)
    if isinstance(placed, Message):
        return replace(shown, problem=placed)
    draft = replace(draft, to=placed, service_type_id=None if by_names else
                    _ghn_service(draft.parcel.weight_g), required_note=note)  # fmt: skip
    try:
        svc.check_draft(draft, carrier)
    except ValidationError as bad:
        return replace(shown, place=_place_text(placed), problem=bad.user_message)
    return replace(shown, place=_place_text(placed), draft=draft)


def _refusal(ctx: ServiceContext, order_id: int) -> tuple[str, Message | None]:
    with ctx.uow() as session:
        order = session.get(Order, order_id)
        if order is None:
            return str(order_id), msg("Order {order_id} no longer exists.",
                                      order_id=str(order_id))  # fmt: skip
        shipments = session.exec(select(Shipment).where(Shipment.order_id == order_id)).all()
        return order.external_id, svc.shipping_refusal(order, shipments)


def with_weight(plan: PlannedShipment, weight_g: int) -> PlannedShipment:
    """The ready `plan` with its parcel weighing `weight_g` (the owner weighed it), GHN's
    service chosen again for it (heavy goods from 20 kg). ValidationError when the
    carrier would not take that weight."""
    if plan.draft is None:
        raise ValidationError(msg("Order {order} is not ready to ship.", order=plan.external_id),
                              field="weight_g")  # fmt: skip
    parcel = replace(plan.draft.parcel, weight_g=weight_g)
    if "weight_g" in parcel.problems():
        raise ValidationError(msg("The weight must be 1 to {most} g.", most=MAX_WEIGHT_G),
                              field="weight_g")  # fmt: skip
    # (No service type: a carrier taking names, which has one service.)
    service = _ghn_service(weight_g) if plan.draft.service_type_id is not None else None
    return replace(plan, draft=replace(plan.draft, parcel=parcel, service_type_id=service,
                                       unweighed_items=0))  # fmt: skip


# --------------------------------------------------------------------------- shipping


def ship_planned(ctx: ServiceContext, planned: Sequence[PlannedShipment], *,
                 progress: Progress | None = None) -> BulkShipReport:  # fmt: skip
    """Queue a shipment for each ready order (each its own transaction). An order that
    changed since it was planned (shipped meanwhile, cancelled, edited, paid: the draft
    keeps the order's last change, COD due and goods' weight, and `request_shipment`
    compares them) is refused with the reason; a cancel stops before the next order
    (those queued stay queued)."""
    ctx.require(Module.ORDERS)
    progress = progress or NullProgress()
    ready = [p for p in planned if p.draft is not None]
    report = BulkShipReport()
    for n, plan in enumerate(ready):
        progress.update(n / max(len(ready), 1))
        progress.check()
        assert plan.draft is not None
        try:
            report.created.append(svc.request_shipment(ctx, plan.order_id, plan.draft))
        except (Conflict, NotFound, ValidationError) as exc:
            report.refused.append((plan.order_id, plan.external_id, exc.user_message))
    progress.update(1.0)
    return report
