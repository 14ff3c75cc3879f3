"""Editing an own order before it leaves: its items, prices, discounts, voucher, points,
shipping fee, payment, note, customer and delivery — the customer called back to add a
product or take one off.

Only the shop's own sales (a marketplace order belongs to the marketplace), only while
pending or confirmed, only while no live shipment was made for the order as it is, and
not the new sale of an exchange (its credit was fixed when the items came back:
`orders.exchange_refusal`).
The edit is one transaction that first frees what the order holds — its stock
reservation, its voucher use, the points it redeemed — then prices the new draft exactly
as a new sale is priced (`orders.quote_in`: level prices, voucher limits, the points
balance), writes the new lines, reserves their stock and redeems again; customer
statistics, summaries and the voucher counts follow through `orders_changed`. The live
quote of the edit form does the same freeing and rolls it back, so the stock and limits
it shows count the order's own holds as free. What the order took stays allowed under
the rules it was taken by (`pricing.Held`): its voucher, expired or switched off since
(on the goods it was sold with, the discount it gave, its rule changed since or not), and
its points, the cap lowered since; a newly typed code meets today's rules.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import shop_tz, to_local
from primedist.core.messages import Message, msg
from primedist.core.phone import normalize_phone
from primedist.core.search_keys import search_text
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerPayment
from primedist.domain.enums import (
    Module,
    OrderSource,
    PaymentMethod,
    PointsKind,
    StockState,
)
from primedist.domain.geo import province_code
from primedist.domain.loyalty import PointsEntry, Voucher, VoucherUse
from primedist.domain.order import Order, OrderLine
from primedist.domain.user import User
from primedist.errors import Conflict, NotFound
from primedist.services import customer_account as account
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.loyalty.vouchers import recount_uses
from primedist.services.order_effects import orders_changed
from primedist.services.orders import (
    CreatedOrder,
    DraftLine,
    OrderDraft,
    Quote,
    StockShortage,
)
from primedist.services.pricing import Held, repriced_note
from primedist.services.shipping import OWN_SOURCES, OwnOrder, own_order
from primedist.services.stock import lock_stock
from primedist.services.sync_writer import aware

uses_t = table_of(VoucherUse)

#: Why the payments taken with a sale were cancelled by its edit: stored in plain English
#: (`cancel_reason`), read back in the reader's language by the customer's account panel
#: and the printed receipt (`printing.customer_payment` keeps the same English).
EDITED_REASON = msg("Order edited")


def edit_refusal(state: OwnOrder) -> Message | None:
    """Why the order cannot be edited now (None: it can)."""
    order = state.order
    if not state.own:
        return msg("Order {external_id} is a marketplace order: change it in the marketplace.",
                   external_id=order.external_id)  # fmt: skip
    if not state.open:
        return msg("Order {external_id} is {status}: only a pending or confirmed order can be "
                   "edited.", external_id=order.external_id, status=order.status)  # fmt: skip
    if state.live_shipment:
        return msg("Shipment {shipment} was made for the order as it is: cancel it first.",
                   shipment=state.live_shipment)  # fmt: skip
    return None


def edit_lock(ctx: ServiceContext, order_id: int) -> Message | None:
    """`edit_refusal` for a stored order (what the order detail shows)."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        return _refusal(session, _order(session, order_id))


def order_draft(ctx: ServiceContext, order_id: int) -> OrderDraft:
    """The stored order as the edit form starts from it (its prices kept as they were)."""
    return edit_start(ctx, order_id)[0]


def edit_start(ctx: ServiceContext, order_id: int) -> tuple[OrderDraft, datetime]:
    """`order_draft` and the order's `updated_at` as read with it: the form hands the time
    back to `update_order`, which saves nothing when the order changed since (another
    screen or PC). The time is read first: a change between the two reads refuses the save
    rather than losing it."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        order = _order(session, order_id)
        return _draft_of(session, order), order.updated_at


def _draft_of(session: Session, order: Order) -> OrderDraft:
    order_id = _id(order)
    lines = order_svc.lines_of(session, order_id)
    voucher = session.get(Voucher, order.voucher_id) if order.voucher_id else None
    return OrderDraft(
        lines=tuple(DraftLine(ln.variant_id, ln.quantity, ln.unit_price, ln.discount)
                    for ln in lines if ln.variant_id is not None),
        customer_id=order.customer_id, source=OrderSource(order.source),
        shop_id=order.shop_id, order_discount=order.seller_discount,
        voucher_code=voucher.code if voucher else None, points=order.points_used,
        shipping_fee=order.shipping_fee, payment_method=PaymentMethod(order.payment_method),
        paid_now=_paid_with(session, order_id), note=order.buyer_note,
        ship_name=order.ship_name, ship_phone=order.ship_phone,
        ship_address=order.ship_address, ship_ward=order.ship_ward,
        ship_province=order.ship_province, status=order.status,
    )  # fmt: skip


def repeat_draft(ctx: ServiceContext, order_id: int) -> OrderDraft:
    """A new sale like this order (a customer who orders the same again): its customer,
    items at today's prices, shipping fee, payment and — for the shop's own sale — its type
    and delivery; no discount, voucher or points. A marketplace order becomes a phone order
    whose delivery comes from the customer (the marketplace's buyer data may be masked)."""
    ctx.require(Module.ORDERS)
    stored = order_draft(ctx, order_id)
    lines = tuple(DraftLine(ln.variant_id, ln.quantity) for ln in stored.lines)
    again = OrderDraft(lines=lines, customer_id=stored.customer_id, source=stored.source,
                       shipping_fee=stored.shipping_fee, payment_method=stored.payment_method,
                       ship_name=stored.ship_name, ship_phone=stored.ship_phone,
                       ship_address=stored.ship_address, ship_ward=stored.ship_ward,
                       ship_province=stored.ship_province)  # fmt: skip
    if stored.source in OWN_SOURCES:
        return again
    return replace(again, source=OrderSource.PHONE, ship_name=None, ship_phone=None,
                   ship_address=None, ship_ward=None, ship_province=None,
                   payment_method=PaymentMethod.COD)  # fmt: skip


@dataclass(frozen=True)
class EditQuote(Quote):
    """The edit form's quote: a sale's, and what it says under the totals without
    stopping Save."""

    #: The order's voucher priced by a rule changed since its sale (`pricing.repriced_note`).
    voucher_note: str | None = None


def quote_edit(ctx: ServiceContext, order_id: int, draft: OrderDraft) -> EditQuote:
    """Live totals of the edit form: the order's own stock, voucher use and points count
    as free (nothing is written)."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        order = _order(session, order_id)
        old_lines = order_svc.lines_of(session, order_id)
        held = _free_holds(ctx, session, order)
        now = ctx.clock.now()
        quote, _customer = order_svc.quote_in(session, draft, now, strict=False, held=held)
        closed = _closed_day_refusal(order, old_lines, quote, draft.payment_method, now)
        note = repriced_note(session, held, draft.voucher_code,
                             merchandise=quote.subtotal - quote.order_discount,
                             shipping_fee=max(quote.shipping_fee, 0))  # fmt: skip
        session.rollback()
    if closed is not None:  # said while the form is open, not only on Save
        quote = replace(quote, problems=(*quote.problems, closed))
    quote = order_svc.with_costs_for(ctx, quote)
    return EditQuote(**{f.name: getattr(quote, f.name) for f in fields(quote)},
                     voucher_note=note)  # fmt: skip


def update_order(
    ctx: ServiceContext, order_id: int, draft: OrderDraft, *, allow_negative_stock: bool = False,
    loaded_at: datetime | None = None,
) -> CreatedOrder:  # fmt: skip
    """Save the edited order in one transaction (see the module docstring). Raises
    StockShortage as `create_order` does; the status, shop and source stay. `loaded_at`:
    the order's `updated_at` when the form opened it (`edit_start`); a Conflict, nothing
    saved, when the order changed since — else the later save of two screens or PCs
    editing it would silently undo the earlier one."""
    ctx.require(Module.ORDERS)
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        # Locked (PostgreSQL): a save of the same order on another PC waits, then sees ours.
        order = _order(session, order_id, for_update=True)
        if loaded_at is not None and aware(order.updated_at) != aware(loaded_at):
            raise Conflict(_changed_since(session, order, loaded_at))
        refusal = _refusal(session, order)
        if refusal is not None:
            raise Conflict(refusal)
        before = _snapshot(session, order)
        old_lines = order_svc.lines_of(session, order_id)
        lock_stock(session, [*(ln.variant_id for ln in old_lines if ln.variant_id is not None),
                             *(ln.variant_id for ln in draft.lines)])  # fmt: skip
        held = _free_holds(ctx, session, order)
        quote, customer = order_svc.quote_in(session, draft, now, strict=True, held=held)
        closed = _closed_day_refusal(order, old_lines, quote, draft.payment_method, now)
        if closed is not None:
            raise Conflict(closed)
        if quote.shortages and not allow_negative_stock:
            raise StockShortage(quote.shortages)
        for line in old_lines:  # through the session: it holds them (identity map)
            session.delete(line)
        session.flush()
        _apply_draft(session, order, draft, quote, customer, now)
        order_svc._write_lines(session, order, quote)
        order_svc._apply_stock(ctx, session, order, "reserve")
        _redeem_again(ctx, session, order, held, customer, quote.points, now)
        _settle_payments(ctx, session, order, draft.paid_now, now)
        session.add(order)
        session.flush()
        conn = session.connection()
        touched = {c for c in (held.customer_id, order.customer_id) if c is not None}
        orders_changed(conn, [order_id], now=now, customer_ids=touched)
        if held.voucher_id is not None and held.voucher_id != order.voucher_id:
            recount_uses(conn, [held.voucher_id])
        ctx.audit(session, "order.edit", entity_type="order", entity_id=order_id,
                  summary=msg("{order}: {before} đ → {after} đ", order=order.external_id,
                              before=before["total"], after=order.total),
                  before=before, after=_snapshot(session, order))  # fmt: skip
        return CreatedOrder(order_id, order.external_id, order.total, quote.change_due)


# --------------------------------------------------------------------------- steps


def _paid_with(session: Session, order_id: int) -> int:
    """What the standing payments taken with this sale on account add up to."""
    p = table_of(CustomerPayment).c
    return int(session.connection().execute(
        sa.select(sa.func.coalesce(sa.func.sum(p.amount), 0))
        .where(p.order_id == order_id, p.cancelled_at.is_(None))
    ).scalar_one())  # fmt: skip


def _settle_payments(
    ctx: ServiceContext, session: Session, order: Order, paid_now: int, now: datetime
) -> None:
    """The payments taken with the sale follow the edit: the same customer owes and paid
    it, and what was paid at once is what the form says (else they are cancelled and the
    new amount taken); a sale no longer on account gives them back."""
    assert order.id is not None
    on_account = order.payment_method == PaymentMethod.ON_ACCOUNT
    if on_account and _paid_with(session, order.id) == paid_now:
        p = table_of(CustomerPayment).c
        session.connection().execute(
            table_of(CustomerPayment).update()
            .where(p.order_id == order.id, p.cancelled_at.is_(None))
            .values(customer_id=order.customer_id)
        )  # fmt: skip
        return
    account.cancel_order_payments(session, ctx, order.id, EDITED_REASON, now)
    if on_account and paid_now and order.customer_id is not None:
        account.record_payment(session, ctx, order.customer_id, paid_now, PaymentMethod.CASH,
                               order.external_id, order_id=order.id)  # fmt: skip


def _closed_day_refusal(order: Order, old_lines: list[OrderLine], quote: Quote,
                        method: PaymentMethod, now: datetime) -> Message | None:  # fmt: skip
    """Why an edit made on a later day than the sale cannot change what it sold or how
    (None: it may). End of day counts an order as a sale of the day it was placed — its
    products, discounts, shipping, total, payment and gross profit as they are — and a
    day once over stays as it was: no row could carry the difference to the edit day, so
    the sale day's figures would change (even at the same total: a line swapped, a fee
    traded for a discount). Cancelling it (its refund falls on today) and making a new
    order today keeps both days true. Delivery details, notes and the customer can still
    change."""
    if not sold_before_today(order, now):
        return None
    if _as_sold(order, old_lines) == _as_quoted(quote, method):
        return None
    return msg("Order {order} was sold on {day}, a day already over: its items, prices, "
               "discounts, voucher, points, shipping fee and payment can no longer change "
               "(that day's End of day would change). Cancel it and make a new order today "
               "instead; its delivery details, note and customer can still be edited.",
               order=order.external_id, day=_sold_on(order).strftime("%d/%m/%Y"))  # fmt: skip


def sold_before_today(order: Order, now: datetime) -> bool:
    """Whether the order was placed on a day already over (the shop's days): an edit can
    then change only its delivery, note and customer (`_closed_day_refusal`)."""
    return _sold_on(order) < to_local(now, shop_tz()).date()


def _sold_on(order: Order) -> date:
    return to_local(aware(order.created_at), shop_tz()).date()


def _as_sold(order: Order, lines: list[OrderLine]) -> tuple[object, ...]:
    """What End of day counts of the stored order (lines in any order)."""
    sold = sorted((ln.variant_id or 0, ln.quantity, ln.unit_price, ln.discount) for ln in lines)
    return (tuple(sold), order.subtotal, order.seller_discount, order.voucher_id,
            order.voucher_discount, order.points_used, order.points_discount,
            order.shipping_fee, order.total, PaymentMethod(order.payment_method))  # fmt: skip


def _as_quoted(quote: Quote, method: PaymentMethod) -> tuple[object, ...]:
    """The same of the edited draft as priced."""
    sold = sorted((ln.variant_id, ln.quantity, ln.unit_price, ln.discount) for ln in quote.lines)
    return (tuple(sold), quote.subtotal, quote.order_discount, quote.voucher_id,
            quote.voucher_discount, quote.points, quote.points_discount, quote.shipping_fee,
            quote.total, method)  # fmt: skip


def _order(session: Session, order_id: int, *, for_update: bool = False) -> Order:
    order = session.get(Order, order_id, with_for_update=for_update)
    if order is None:
        raise NotFound(msg("Order {order} no longer exists.", order=str(order_id)))
    return order


def _changed_since(session: Session, order: Order, loaded_at: datetime) -> Message:
    """Why the edit cannot be saved: the order changed after the form loaded it (who
    changed it, when its audit row says so)."""
    a, u = table_of(AuditEvent).c, table_of(User).c
    who = session.connection().execute(
        sa.select(u.name).select_from(table_of(AuditEvent).join(table_of(User)))
        .where(a.created_at > loaded_at, a.entity_type == "order",
               a.entity_id == str(_id(order)))
        .order_by(a.created_at.desc(), a.id.desc()).limit(1)
    ).scalar()  # fmt: skip
    changed_at = aware(order.updated_at)
    if who is None:
        return msg("Order {order} was changed on another screen or PC since you opened it "
                   "(at {time}): nothing was saved. Close it and open it again to see the "
                   "changes.", order=order.external_id, time=changed_at)  # fmt: skip
    return msg("Order {order} was changed on another screen or PC since you opened it (by "
               "{user} at {time}): nothing was saved. Close it and open it again to see the "
               "changes.", order=order.external_id, user=who, time=changed_at)  # fmt: skip


def _refusal(session: Session, order: Order) -> Message | None:
    refusal = edit_refusal(own_order(session, _id(order)))
    if refusal is None:  # an exchange's credit cannot follow the edit
        refusal = order_svc.exchange_refusal(session, order)
    lines = order_svc.lines_of(session, order.id)
    if refusal is None and any(ln.variant_id is None for ln in lines):
        # Its line would be lost: the form can only hold lines of existing products.
        return msg("A product of order {external_id} was deleted since: the order cannot be "
                   "edited.", external_id=order.external_id)  # fmt: skip
    return refusal


def _id(order: Order) -> int:
    assert order.id is not None
    return order.id


def _free_holds(ctx: ServiceContext, session: Session, order: Order) -> Held:
    """Release the order's reservation, drop its voucher use, put the points it redeemed
    back on the balance (the ledger rows are written by `_redeem_again`). Returns what it
    held: the new quote keeps its voucher and points under the rules they were taken by."""
    held = Held(order.customer_id, order.voucher_id, order.points_used,
                voucher_discount=order.voucher_discount,
                merchandise=order.subtotal - order.seller_discount,
                shipping_fee=order.shipping_fee)  # fmt: skip
    if order.stock_state == StockState.RESERVED:
        order_svc._apply_stock(ctx, session, order, "release")
    session.execute(sa.delete(uses_t).where(uses_t.c.order_id == order.id))
    if held.points and held.customer_id is not None:
        customer = session.get(Customer, held.customer_id)
        if customer is not None:
            customer.points_balance += held.points
            session.add(customer)
    session.flush()
    return held


def _apply_draft(session: Session, order: Order, draft: OrderDraft, quote: Quote,
                 customer: Customer | None, now: datetime) -> None:  # fmt: skip
    clean = order_svc._clean
    ship_phone = normalize_phone(draft.ship_phone) if draft.ship_phone else None
    paid = order_svc.paid_at_sale(draft.payment_method, quote.total, draft.paid_now)
    if customer is None or customer.deleted_at is None:
        order.buyer_name = customer.name if customer else None
        order.buyer_phone = order_svc._customer_phone(session, customer) if customer else None
    # else the order's own buyer, deleted since: the order keeps the name and phone it has
    phone = order.buyer_phone
    order.customer_id = customer.id if customer else None
    order.cash_received = _cash_after_edit(order, draft, quote)  # before the total changes
    order.payment_method = draft.payment_method
    order.ship_name = clean(draft.ship_name, 120)
    order.ship_phone = ship_phone or clean(draft.ship_phone, 32)
    order.ship_address = clean(draft.ship_address, 255)
    order.ship_ward = clean(draft.ship_ward, 120)
    order.ship_province = clean(draft.ship_province, 120)
    order.province_code = province_code(draft.ship_province)
    order.item_count = sum(line.quantity for line in quote.lines)
    order.subtotal = quote.subtotal
    order.seller_discount = quote.order_discount
    order.voucher_discount = quote.voucher_discount
    order.points_discount = quote.points_discount
    order.shipping_fee = quote.shipping_fee
    order.total = quote.total
    order.paid_amount = paid
    order.voucher_id = quote.voucher_id
    order.points_used = quote.points
    order.buyer_note = clean(draft.note, order_svc.MAX_NOTE)
    # Never the time it had (a clock that stood still): the next save must see the change.
    order.updated_at = now if now != aware(order.updated_at) else now + timedelta(microseconds=1)
    order.search_text = search_text(order.external_id, order.buyer_name, phones=[phone])


def _cash_after_edit(order: Order, draft: OrderDraft, quote: Quote) -> int | None:
    """The cash handed over the edited order keeps for its receipt: an amount typed in the
    edit (its change worked out on the new total); else the amount kept while the order is
    still paid in cash at the same total (a new total or another way to pay would print
    change nobody gave)."""
    typed = order_svc.cash_kept(draft, quote)
    if typed is not None:
        return typed
    unchanged = draft.payment_method == PaymentMethod.CASH and quote.total == order.total
    return order.cash_received if unchanged else None


def _redeem_again(ctx: ServiceContext, session: Session, order: Order, held: Held,
                  customer: Customer | None, points: int, now: datetime) -> None:  # fmt: skip
    """The points ledger: nothing when the same customer redeems the same points; else
    the old redemption given back and the new one taken, each a row of its own."""
    old = session.get(Customer, held.customer_id) if held.customer_id is not None else None
    if old is not None and customer is not None and old.id == customer.id \
            and held.points == points:  # fmt: skip
        old.points_balance -= points  # as it was: `_free_holds` only lent it
        session.add(old)
        return
    if old is not None and held.points:
        session.add(_entry(ctx, old, held.points, f"Given back: {order.external_id} edited",
                           order, now))  # fmt: skip
    if customer is not None and points:
        customer.points_balance -= points
        session.add(customer)
        session.add(_entry(ctx, customer, -points, f"Redeemed on {order.external_id}", order,
                           now))  # fmt: skip


def _entry(ctx: ServiceContext, customer: Customer, delta: int, reason: str, order: Order,
           now: datetime) -> PointsEntry:  # fmt: skip
    assert customer.id is not None
    return PointsEntry(customer_id=customer.id, kind=PointsKind.REDEEM, delta=delta,
                       balance_after=customer.points_balance, order_id=order.id,
                       reason=reason[:255], user_id=ctx.actor.id, created_at=now)  # fmt: skip


def _snapshot(session: Session, order: Order) -> dict[str, object]:
    """The order as its audit row keeps it: the customer and voucher by their codes (their
    ids say nothing to the reader)."""
    customer = session.get(Customer, order.customer_id) if order.customer_id else None
    voucher = session.get(Voucher, order.voucher_id) if order.voucher_id else None
    return {"customer": customer.code if customer else None, "items": order.item_count,
            "subtotal": order.subtotal, "total": order.total,
            "payment_method": str(order.payment_method),
            "voucher": voucher.code if voucher else None,
            "points_used": order.points_used}  # fmt: skip
