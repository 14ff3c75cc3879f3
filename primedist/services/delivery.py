"""Where an own order goes: its recipient and address, corrected before a carrier has them.

A customer who ordered by phone or chat calls back with the right ward, a new recipient
or another phone; the owner changes it on the order's detail. Only the shop's own orders
(a marketplace order's address is the marketplace's: the next sync would bring it back),
only while pending or confirmed, and only while no live shipment holds the old address
(cancel that shipment first: the carrier would still deliver to the old one).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlmodel import Session

from primedist.core.messages import Message, msg
from primedist.core.phone import normalize_phone
from primedist.core.text import clean_line
from primedist.domain.enums import Module
from primedist.domain.geo import province_code
from primedist.domain.order import Order
from primedist.errors import Conflict, ValidationError
from primedist.services.context import ServiceContext
from primedist.services.customer_detail import AddressDraft, AddressResult, keep_default_address
from primedist.services.order_effects import orders_changed
from primedist.services.shipping import OwnOrder, own_order


@dataclass(frozen=True)
class DeliveryAddress:
    """Who receives an order and where (empty text = not given)."""

    name: str = ""
    phone: str = ""
    #: The street (house number, street, hamlet).
    address: str = ""
    ward: str = ""
    #: Only on addresses of the old three-level map (before the 2025 merges).
    district: str = ""
    province: str = ""

    @classmethod
    def of(cls, order: Order) -> DeliveryAddress:
        return cls(order.ship_name or "", order.ship_phone or "", order.ship_address or "",
                   order.ship_ward or "", order.ship_district or "",
                   order.ship_province or "")  # fmt: skip


#: The order's column behind each field, and its length limit.
COLUMNS = {"name": ("ship_name", 120), "phone": ("ship_phone", 32),
           "address": ("ship_address", 255), "ward": ("ship_ward", 120),
           "district": ("ship_district", 120), "province": ("ship_province", 120)}  # fmt: skip


def address_refusal(state: OwnOrder) -> Message | None:
    """Why the order's delivery address cannot be changed now (None: it can)."""
    order = state.order
    if not state.own:
        return msg("Order {external_id} is a marketplace order: its address comes from the "
                   "marketplace.", external_id=order.external_id)  # fmt: skip
    if not state.open:
        return msg("Order {external_id} is {status}: only a pending or confirmed order's "
                   "address can be changed.", external_id=order.external_id,
                   status=order.status)  # fmt: skip
    if state.live_shipment:
        return msg("Shipment {shipment} was made with this address: cancel it first.",
                   shipment=state.live_shipment)  # fmt: skip
    return None


def address_lock(ctx: ServiceContext, order_id: int) -> Message | None:
    """`address_refusal` for a stored order (what the order detail shows)."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        return address_refusal(own_order(session, order_id))


@dataclass(frozen=True)
class DeliveryChange:
    #: False when the order already had this recipient and address.
    changed: bool
    #: The customer's address it was kept as (when asked to).
    customer_address: AddressResult | None = None


def change_delivery_address(ctx: ServiceContext, order_id: int, new: DeliveryAddress, *,
                            for_customer: bool = False) -> DeliveryChange:  # fmt: skip
    """Store the order's new recipient and address; with `for_customer`, in the same
    transaction, make it its customer's default address too (the next order starts from
    it)."""
    ctx.require(Module.ORDERS)
    values = clean_address(new)
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        state = own_order(session, order_id)
        refusal = address_refusal(state)
        order = state.order
        if refusal is not None:
            raise Conflict(refusal)
        before = {column: getattr(order, column) for column in values}
        changed = before != values
        if changed:
            for column, value in values.items():
                setattr(order, column, value)
            order.province_code = province_code(order.ship_province)
            order.updated_at = now
            session.add(order)
            session.flush()
            # The dashboards count orders per province.
            orders_changed(session.connection(), [order_id], now=now)
            ctx.audit(session, "order.address", entity_type="order", entity_id=order_id,
                      summary=msg("Order {external_id}: delivery address changed",
                                  external_id=order.external_id),
                      before=before, after=values)  # fmt: skip
        kept = _keep_for_customer(ctx, session, order) if for_customer else None
    return DeliveryChange(changed, kept)


def _keep_for_customer(ctx: ServiceContext, session: Session, order: Order) -> AddressResult:
    if order.customer_id is None:
        raise Conflict(msg("Order {external_id} has no customer to keep the address for.",
                           external_id=order.external_id))  # fmt: skip
    draft = AddressDraft(recipient=order.ship_name, phone=order.ship_phone,
                         street=order.ship_address, ward=order.ship_ward,
                         district=order.ship_district, province=order.ship_province,
                         province_code=order.province_code, is_default=True)  # fmt: skip
    return keep_default_address(ctx, session, order.customer_id, draft)


def clean_address(new: DeliveryAddress) -> dict[str, str | None]:
    """The order's columns for `new`, trimmed and checked (ValidationError names the
    field); the phone normalised."""
    values: dict[str, str | None] = {}
    for f in fields(new):
        column, limit = COLUMNS[f.name]
        text = clean_line(str(getattr(new, f.name)))
        if len(text) > limit:
            raise ValidationError(
                msg("Text too long ({length} characters, at most {limit}).",
                    length=str(len(text)), limit=str(limit)),
                field=f.name,
            )  # fmt: skip
        values[column] = text or None
    phone = values["ship_phone"]
    if phone is not None:
        normal = normalize_phone(phone)
        if normal is None:
            raise ValidationError(msg("{phone} is not a phone number", phone=phone), field="phone")
        values["ship_phone"] = normal
    return values
