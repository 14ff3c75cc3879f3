"""Sales on account (*bán ghi nợ*): what a customer owes the shop, and their payments.

An order paid `on_account` is owed by its customer until they pay. What a customer owes
= their **standing** sales on account (orders paid on account that are not cancelled:
total less what returns took off it) + their adjustments by hand (`CustomerAdjustment`:
a debt from before the app, an amount written off) − their **standing** payments
(`CustomerPayment`, not cancelled). Nothing stores the balance, so a cancelled order or
payment, a return, an edited total simply count differently; below zero the shop owes
the customer (paid in advance). A payment is taken at the sale (the part paid at once:
`orders.create_order` records it with the order) or later here (`receive_payment`,
*phiếu thu*); cash ones go into the drawer (End of day, the till count). A return of a
sale on account comes off what the sale still owes first; the rest gives back what was
paid with it (`paid_with_sale`), the way it was paid: a refund row with that method,
out of the drawer and not off the account. Cancelling a payment on a later day than it
was paid gives its money back that day (End of day counts it then, as a refund; the day
it was paid stays as it was). Customers access reads and receives; cancelling a payment
and adjusting a balance take the owner or a manager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.domain.base import table_of
from primedist.domain.customer import (
    Customer,
    CustomerAdjustment,
    CustomerPayment,
    CustomerPhone,
)
from primedist.domain.enums import Module, OrderStatus, PaymentMethod
from primedist.domain.order import Order, OrderRefund
from primedist.domain.supplier import MAX_PAYMENT
from primedist.domain.user import User
from primedist.errors import NotFound, ValidationError
from primedist.queries.customers import (
    ADJUSTED,
    ON_ACCOUNT,
    PAID_ON_ACCOUNT,
    SALES_ON_ACCOUNT,
    SOLD_ON_ACCOUNT,
    owed_by_debtor,
)
from primedist.services.context import ServiceContext
from primedist.services.suppliers import (
    balances_after,
    checked_reason,
    locked_standing,
    on_or_after,
)

orders_t = table_of(Order)
payments_t = table_of(CustomerPayment)
adjustments_t = table_of(CustomerAdjustment)
refunds_t = table_of(OrderRefund)
customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
users_t = table_of(User)

#: How a customer pays what they owe.
PAYMENT_METHODS = (
    PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER, PaymentMethod.CARD,
    PaymentMethod.E_WALLET, PaymentMethod.OTHER,
)  # fmt: skip
MAX_NOTE = 255
#: Entries one account view shows (newest first).
ENTRY_LIMIT = 500
#: Customers one list of debtors shows (who owes most first).
DEBTOR_LIMIT = 500


def payment_code(payment_id: int) -> str:
    """A customer payment's document code (*phiếu thu*)."""
    return f"PT{payment_id:06d}"


def adjustment_code(adjustment_id: int) -> str:
    """A customer adjustment's code (*điều chỉnh công nợ khách*)."""
    return f"DCK{adjustment_id:06d}"


@dataclass(frozen=True)
class Balance:
    """One customer's account (đồng)."""

    customer_id: int
    #: Standing sales on account, net of refunds.
    sold: int
    #: Standing payments.
    paid: int
    #: Standing sales on account (their number).
    orders: int
    #: Adjustments by hand (+ owes more, − less).
    adjusted: int = 0

    @property
    def owed(self) -> int:
        """What the customer owes (below zero: paid in advance)."""
        return self.sold + self.adjusted - self.paid


@dataclass(frozen=True)
class AccountEntry:
    """A line of a customer's account: a sale on account (+), a refund of one (−), a
    payment (−). `amount` is what it does to the balance."""

    when: datetime
    kind: str  # "sale" | "refund" | "payment" | "adjustment"
    #: The order number or the payment's code.
    reference: str
    #: The order's or the payment's id.
    entity_id: int
    amount: int
    method: PaymentMethod | None
    note: str
    by: str
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None

    @property
    def standing(self) -> bool:
        return self.cancelled_at is None


@dataclass(frozen=True)
class PaymentRow:
    """One customer payment as its printed receipt (*phiếu thu*) shows it."""

    id: int
    code: str
    customer_id: int
    customer_name: str
    customer_code: str
    amount: int
    method: PaymentMethod
    note: str
    paid_at: datetime
    by: str
    #: The sale it was taken with (its order number), if any.
    order_number: str | None
    cancelled_at: datetime | None
    cancel_reason: str


@dataclass(frozen=True)
class Debtor:
    customer_id: int
    name: str
    code: str | None
    phone: str | None
    owed: int
    orders: int
    last_sale_at: datetime | None


# --------------------------------------------------------------------------- SQL


def balances(conn: sa.Connection, customer_ids: Sequence[int]) -> dict[int, Balance]:
    """The accounts of these customers (every one of them, zero when they never bought on
    account), with the Customers list's own figures (`queries.customers`)."""
    ids = sorted(set(customer_ids))
    if not ids:
        return {}
    k = customers_t.c
    rows = conn.execute(
        sa.select(k.id, SOLD_ON_ACCOUNT, PAID_ON_ACCOUNT, SALES_ON_ACCOUNT, ADJUSTED)
        .where(k.id.in_(ids))
    ).all()  # fmt: skip
    found = {int(r[0]): Balance(int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]))
             for r in rows}  # fmt: skip
    return {i: found.get(i, Balance(i, 0, 0, 0)) for i in ids}


def owed_by(conn: sa.Connection, customer_id: int) -> int:
    """What one customer owes (the receipt's "owes in all")."""
    return balances(conn, [customer_id])[customer_id].owed


@dataclass(frozen=True)
class PaidWithSale:
    """What was paid with one sale on account and has not gone back yet."""

    amount: int
    #: The way it was paid (its latest payment's), the way it goes back.
    method: PaymentMethod


def paid_with_sale(conn: sa.Connection, order_id: int) -> PaidWithSale:
    """The standing payments taken with the sale less the money its returns and exchanges
    gave back (its refund rows with a method; the others came off what is owed)."""
    p, r = payments_t.c, refunds_t.c
    paid = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(p.amount), 0))
        .where(p.order_id == order_id, p.cancelled_at.is_(None))
    ).scalar_one()  # fmt: skip
    back = conn.execute(
        sa.select(sa.func.coalesce(sa.func.sum(r.amount), 0))
        .where(r.order_id == order_id, r.method.is_not(None))
    ).scalar_one()  # fmt: skip
    method = conn.execute(
        sa.select(p.method).where(p.order_id == order_id, p.cancelled_at.is_(None))
        .order_by(p.paid_at.desc(), p.id.desc()).limit(1)
    ).scalar()  # fmt: skip
    return PaidWithSale(max(0, int(paid) - int(back)), PaymentMethod(method or PaymentMethod.CASH))


# --------------------------------------------------------------------------- reading


def get_balance(ctx: ServiceContext, customer_id: int) -> Balance:
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        _live_customer(conn, customer_id)
        return balances(conn, [customer_id])[customer_id]


def account_entries(
    ctx: ServiceContext,
    customer_id: int,
    limit: int | None = ENTRY_LIMIT,
    *,
    since: datetime | None = None,
) -> list[AccountEntry]:
    """A customer's sales on account, the refunds that came off them (not the money a
    return gave back: it left the balance as it was) and the payments (cancelled ones too,
    marked), newest first (at the same time: a sale before the payment taken with it); at
    most `limit` (None: all of them, or all from `since` on)."""
    ctx.require(Module.CUSTOMERS)
    c, p, r, u = orders_t.c, payments_t.c, refunds_t.c, users_t.c
    on_account = ON_ACCOUNT
    sales = (
        sa.select(c.created_at, c.external_id, c.id, c.total, c.status, c.cancel_reason,
                  c.updated_at, u.name)
        .select_from(orders_t.outerjoin(users_t, u.id == c.created_by_id))
        .where(c.customer_id == customer_id, on_account, *on_or_after(since, c.created_at))
        .order_by(c.created_at.desc(), c.id.desc()).limit(limit)
    )  # fmt: skip
    refunds = (
        sa.select(r.created_at, c.external_id, c.id, r.amount, r.reason, u.name)
        .select_from(refunds_t.join(orders_t, c.id == r.order_id)
                     .outerjoin(users_t, u.id == r.user_id))
        .where(c.customer_id == customer_id, on_account, r.amount > 0, r.method.is_(None),
               *on_or_after(since, r.created_at))
        .order_by(r.created_at.desc()).limit(limit)
    )  # fmt: skip
    payments = (
        sa.select(p.paid_at, p.id, p.amount, p.method, p.note, p.cancelled_at,
                  p.cancel_reason, u.name)
        .select_from(payments_t.outerjoin(users_t, u.id == p.user_id))
        .where(p.customer_id == customer_id, *on_or_after(since, p.paid_at))
        .order_by(p.paid_at.desc(), p.id.desc()).limit(limit)
    )  # fmt: skip
    a = adjustments_t.c
    adjustments = (
        sa.select(a.created_at, a.id, a.amount, a.reason, u.name)
        .select_from(adjustments_t.outerjoin(users_t, u.id == a.user_id))
        .where(a.customer_id == customer_id, *on_or_after(since, a.created_at))
        .order_by(a.created_at.desc(), a.id.desc()).limit(limit)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        _live_customer(conn, customer_id)
        entries = [_sale_entry(x) for x in conn.execute(sales)]
        entries += [
            AccountEntry(x.created_at, "adjustment", adjustment_code(x.id), x.id, int(x.amount),
                         None, x.reason, x.name or "")
            for x in conn.execute(adjustments)
        ]  # fmt: skip
        entries += [
            AccountEntry(x.created_at, "refund", x.external_id, x.id, -int(x.amount), None,
                         x.reason or "", x.name or "")
            for x in conn.execute(refunds)
        ]  # fmt: skip
        entries += [
            AccountEntry(x.paid_at, "payment", payment_code(x.id), x.id, -int(x.amount),
                         PaymentMethod(x.method), x.note or "", x.name or "", x.cancelled_at,
                         x.cancel_reason)
            for x in conn.execute(payments)
        ]  # fmt: skip
    entries.sort(key=lambda e: (e.when, _KIND_ORDER[e.kind], e.entity_id), reverse=True)
    return entries[:limit]


#: Of entries at the same time, the older first: a sale, then the payment taken with it.
_KIND_ORDER = {"sale": 0, "refund": 1, "adjustment": 2, "payment": 3}


def balance_after_payment(ctx: ServiceContext, payment: PaymentRow) -> int:
    """What the customer owed right after this payment, worked back from what they owe now
    over the account's later entries as a supplier's account is: its receipt printed again
    later says that, not what is owed today."""
    owed = get_balance(ctx, payment.customer_id).owed
    entries = account_entries(ctx, payment.customer_id, None, since=payment.paid_at)
    after = balances_after(owed, [e.amount if e.standing else 0 for e in entries])
    return next(balance for e, balance in zip(entries, after, strict=True)
                if e.kind == "payment" and e.entity_id == payment.id)  # fmt: skip


def _sale_entry(x: Any) -> AccountEntry:
    cancelled = x.status == OrderStatus.CANCELLED.value
    return AccountEntry(x.created_at, "sale", x.external_id, x.id, int(x.total), None, "",
                        x.name or "", x.updated_at if cancelled else None,
                        x.cancel_reason if cancelled else None)  # fmt: skip


def get_payment(ctx: ServiceContext, payment_id: int) -> PaymentRow:
    """A payment with its customer, who took it and the sale it came with."""
    ctx.require(Module.CUSTOMERS)
    p, k, u, o = payments_t.c, customers_t.c, users_t.c, orders_t.c
    stmt = (
        sa.select(p.id, p.customer_id, k.name, k.code, p.amount, p.method, p.note, p.paid_at,
                  u.name.label("by"), o.external_id, p.cancelled_at, p.cancel_reason)
        .select_from(payments_t.join(customers_t, k.id == p.customer_id)
                     .outerjoin(users_t, u.id == p.user_id)
                     .outerjoin(orders_t, o.id == p.order_id))
        .where(p.id == payment_id)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        x = conn.execute(stmt).first()
    if x is None:
        raise NotFound(msg("Payment {id} no longer exists.", id=str(payment_id)))
    return PaymentRow(int(x.id), payment_code(int(x.id)), int(x.customer_id), x.name, x.code,
                      int(x.amount), PaymentMethod(x.method), x.note or "", x.paid_at,
                      x.by or "", x.external_id, x.cancelled_at, x.cancel_reason or "")  # fmt: skip


def payment_id_by_code(ctx: ServiceContext, code: str) -> int:
    """The id of the payment PT000012 (any case); a ValidationError names a bad code, a
    NotFound a code no payment has."""
    ctx.require(Module.CUSTOMERS)
    text = code.strip().upper()
    if not (text.startswith("PT") and text[2:].isdigit()):
        raise ValidationError(msg("{code} is not a payment code (PT000012).", code=code.strip()),
                              field="code")  # fmt: skip
    with ctx.engine.connect() as conn:
        found = conn.execute(
            sa.select(payments_t.c.id).where(payments_t.c.id == int(text[2:]))
        ).scalar()  # fmt: skip
    if found is None:
        raise NotFound(msg("There is no payment {code}.", code=text))
    return int(found)


def debtors(ctx: ServiceContext, limit: int = DEBTOR_LIMIT) -> list[Debtor]:
    """The customers who owe something, who owes most first."""
    ctx.require(Module.CUSTOMERS)
    o, k, ph = orders_t.c, customers_t.c, phones_t.c
    owed = owed_by_debtor().subquery()
    mine = sa.and_(o.customer_id == k.id, ON_ACCOUNT, o.status != OrderStatus.CANCELLED.value)
    sales = sa.select(sa.func.count()).where(mine).scalar_subquery()
    last = sa.select(sa.func.max(o.created_at)).where(mine).scalar_subquery()
    phone = (
        sa.select(ph.phone).where(ph.customer_id == k.id)
        .order_by(ph.is_primary.desc(), ph.id).limit(1).scalar_subquery()
    )  # fmt: skip
    stmt = (
        sa.select(k.id, k.name, k.code, phone.label("phone"), owed.c.owed,
                  sales.label("orders"), last.label("last"))
        .select_from(owed.join(customers_t, k.id == owed.c.customer_id))
        .order_by(owed.c.owed.desc(), k.id)
        .limit(limit)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        return [Debtor(int(x.id), x.name, x.code, x.phone, int(x.owed), int(x.orders), x.last)
                for x in conn.execute(stmt)]  # fmt: skip


def _live_customer(conn: sa.Connection, customer_id: int) -> Any:
    k = customers_t.c
    row = conn.execute(sa.select(k.id, k.name, k.deleted_at).where(k.id == customer_id)).first()
    if row is None or row.deleted_at is not None:
        raise NotFound(msg("Customer {id} no longer exists.", id=str(customer_id)))
    return row


# --------------------------------------------------------------------------- writing


def check_payment(amount: int, method: PaymentMethod, note: str | None) -> str | None:
    """The payment's note (None when empty); refuses a bad amount, method or note."""
    if not 0 < amount <= MAX_PAYMENT:
        raise ValidationError(msg("The amount paid must be 1 to {max}.", max=MAX_PAYMENT),
                              field="amount")  # fmt: skip
    if method not in PAYMENT_METHODS:
        raise ValidationError(msg("A customer pays in cash, by bank transfer, card, e-wallet "
                                  "or otherwise, not {method}.", method=method),
                              field="method")  # fmt: skip
    text = clean_line(note)
    if len(text) > MAX_NOTE:
        raise ValidationError(msg("The note has {length} characters: {limit} at most.",
                                  length=len(text), limit=MAX_NOTE), field="note")  # fmt: skip
    return text or None


def record_payment(
    session: Session, ctx: ServiceContext, customer_id: int, amount: int,
    method: PaymentMethod, note: str | None, *, order_id: int | None = None,
) -> CustomerPayment:  # fmt: skip
    """Add a payment row in the caller's transaction (checked by `check_payment`)."""
    payment = CustomerPayment(customer_id=customer_id, order_id=order_id, amount=amount,
                              method=method, note=note, paid_at=ctx.clock.now(),
                              user_id=ctx.actor.id)  # fmt: skip
    session.add(payment)
    session.flush()
    return payment


def receive_payment(
    ctx: ServiceContext, customer_id: int, amount: int,
    method: PaymentMethod = PaymentMethod.CASH, note: str = "",
) -> AccountEntry:  # fmt: skip
    """Record money a customer paid towards what they owe (never more than that: a typo
    of one zero too many is refused, naming what is owed)."""
    ctx.require(Module.CUSTOMERS)
    text = check_payment(amount, method, note)
    with ctx.uow(write=True) as session:
        customer = session.get(Customer, customer_id, with_for_update=True)
        if customer is None or customer.deleted_at is not None:
            raise NotFound(msg("Customer {id} no longer exists.", id=str(customer_id)))
        owed = owed_by(session.connection(), customer_id)
        if owed <= 0:
            raise ValidationError(msg("{name} owes nothing.", name=customer.name),
                                  field="amount")  # fmt: skip
        if amount > owed:
            raise ValidationError(msg("{name} owes {owed} đ: the payment cannot be more.",
                                      name=customer.name, owed=owed), field="amount")  # fmt: skip
        payment = record_payment(session, ctx, customer_id, amount, method, text)
        assert payment.id is not None
        code = payment_code(payment.id)
        ctx.audit(session, "customer.payment", entity_type="customer", entity_id=customer_id,
                  summary=msg("{code}: {name} paid {amount} đ of {owed} đ", code=code,
                              name=customer.name, amount=amount, owed=owed),
                  after={"payment": code, "amount": amount, "method": str(method),
                         "note": text})  # fmt: skip
        return AccountEntry(payment.paid_at, "payment", code, payment.id, -amount, method,
                            text or "", ctx.actor.name)  # fmt: skip


def cancel_payment(ctx: ServiceContext, payment_id: int, reason: str) -> None:
    """Cancel a payment entered by mistake (it stays on the account, struck out, with when,
    by whom and why): what the customer owes goes back up. Cancelled the day it was paid,
    it simply never counted; on a later day, End of day keeps it collected on its own day
    and counts the money given back on this one (`queries.end_of_day.refunds`)."""
    ctx.require(Module.CUSTOMERS)
    ctx.require_manager()
    text = checked_reason(reason, msg("Say why the payment is cancelled."))
    with ctx.uow(write=True) as session:
        payment = locked_standing(
            session, CustomerPayment, payment_id, code=lambda _p: payment_code(payment_id),
            missing=msg("Payment {id} no longer exists.", id=str(payment_id)))  # fmt: skip
        # A deleted customer's debt could be neither seen nor collected any more.
        customer = session.get(Customer, payment.customer_id)
        if customer is None or customer.deleted_at is not None:
            raise NotFound(msg("Customer {id} no longer exists.", id=str(payment.customer_id)))
        payment.cancelled_at, payment.cancelled_by_id = ctx.clock.now(), ctx.actor.id
        payment.cancel_reason = text
        session.add(payment)
        ctx.audit(session, "customer.payment_cancel", entity_type="customer",
                  entity_id=payment.customer_id,
                  summary=msg("{code} cancelled ({reason})", code=payment_code(payment_id),
                              reason=text),
                  after={"payment": payment_code(payment_id), "amount": payment.amount,
                         "reason": text})  # fmt: skip


#: One adjustment at most, either way (đồng).
MAX_ADJUSTMENT = MAX_PAYMENT


def adjust_balance(ctx: ServiceContext, customer_id: int, amount: int, reason: str) -> AccountEntry:
    """Change what a customer owes by hand: + owes more (a debt from before the app), −
    owes less (an amount written off, a correction). The reason is required; an adjustment
    is never cancelled (another one undoes it). The owner or a manager only."""
    ctx.require(Module.CUSTOMERS)
    ctx.require_manager()
    text = checked_reason(reason, msg("Say why the balance changes."))
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise ValidationError(msg("An adjustment is 1 to {max}, up or down.", max=MAX_ADJUSTMENT),
                              field="amount")  # fmt: skip
    with ctx.uow(write=True) as session:
        customer = session.get(Customer, customer_id, with_for_update=True)
        if customer is None or customer.deleted_at is not None:
            raise NotFound(msg("Customer {id} no longer exists.", id=str(customer_id)))
        row = CustomerAdjustment(customer_id=customer_id, amount=amount, reason=text,
                                 user_id=ctx.actor.id, created_at=ctx.clock.now())  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        code = adjustment_code(row.id)
        ctx.audit(session, "customer.adjust", entity_type="customer", entity_id=customer_id,
                  summary=msg("{code}: what {name} owes changed by {amount} đ ({reason})",
                              code=code, name=customer.name, amount=amount, reason=text),
                  after={"adjustment": code, "amount": amount, "reason": text})  # fmt: skip
        return AccountEntry(row.created_at, "adjustment", code, row.id, amount, None, text,
                            ctx.actor.name)  # fmt: skip


def cancel_order_payments(
    session: Session, ctx: ServiceContext, order_id: int, reason: str, now: datetime
) -> int:
    """A cancelled sale on account gives back what was paid with it: its payments stop
    counting (in the caller's transaction). Returns how many."""
    p = payments_t.c
    done = session.connection().execute(
        payments_t.update()
        .where(p.order_id == order_id, p.cancelled_at.is_(None))
        .values(cancelled_at=now, cancelled_by_id=ctx.actor.id, cancel_reason=reason[:255])
    )
    return int(done.rowcount or 0)
