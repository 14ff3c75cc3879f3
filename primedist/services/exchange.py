"""Exchanges (*đổi hàng*): items of one of the shop's own completed sales come back and
others are sold instead, in one step and ONE transaction: the return (restocked, its
refund recorded on the old order) and the new sale (stock, points, statistics) stand or
fall together. The returned items' value (the refund) pays for the new sale:

* **to pay** = the new sale's total − the credit; below zero the shop gives the
  difference back. The refund is recorded as going back by the new sale's payment method
  (`order_refunds.method`), so End of day and the till count only the difference that
  changed hands: a cash exchange of 259,000 for 299,000 puts 40,000 in the drawer.
* An old sale **on account**: its refund comes off what the customer still owes for it
  (as any return of it); what was paid with it (`customer_account.paid_with_sale`) pays
  for the new sale instead of going back, as a paid sale's credit does (a refund row
  going back by the new sale's method): a 259,000 sale on account with 100,000 paid at
  once, exchanged for 299,000, takes 159,000 off what is owed and 199,000 at the till.
  A new sale on account keeps it all on the account (the new sale is owed in full).
* A new sale on account is refused for an old sale that was paid: the account would
  owe the whole new sale (only sales on account are on it).

Marketplace orders are exchanged through their marketplace, not here. Exchanging needs
the right "Refunds and returns" (`ServiceContext.require_refunds`), as a return does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlmodel import Session, select

from primedist.core.messages import msg
from primedist.domain.enums import OrderSource, PaymentMethod
from primedist.domain.order import Order, OrderLine, OrderRefund
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.services import orders as order_svc
from primedist.services.context import ServiceContext
from primedist.services.orders import CreatedOrder, OrderDraft, Quote


@dataclass(frozen=True)
class ExchangeDraft:
    """An exchange before it is saved."""

    #: The sale the items come back from.
    order_id: int
    #: {order line id: quantity coming back}.
    returned: Mapping[int, int]
    reason: str
    #: The new sale (its customer is the old sale's, whatever this says).
    sale: OrderDraft
    #: What the returned items are worth to the customer; None = `suggested_refund`.
    credit: int | None = None
    #: Order line ids whose returned units stay off the shelf (defective).
    not_restocked: Collection[int] = ()
    #: {order line id: how many of its returned units go back on sale}; the rest are
    #: written off (a line left out: all back, unless in `not_restocked`).
    back_to_stock: Mapping[int, int] | None = None


@dataclass(frozen=True)
class ExchangeQuote:
    """Every number of an exchange, as the sale screen shows it."""

    #: The new sale priced (its `change_due` is left out: see `change_due` here).
    quote: Quote
    credit: int
    #: What the customer pays now (below zero: what the shop gives back).
    to_pay: int
    #: Cash handed over − `to_pay` (None when not cash or nothing is paid).
    change_due: int | None
    #: The old sale was on account: the credit comes off what the customer owes (all of
    #: it, or `owed_off`, the rest paying for the new sale).
    off_account: bool
    problems: tuple[str, ...] = field(default=())
    #: Of the credit, what comes off what the customer owes (the rest pays for the new sale).
    owed_off: int = 0
    #: The customer's points as the return leaves them, what the new sale may redeem
    #: (None: a walk-in sale, or the return cannot be made as it stands).
    points_balance: int | None = None


@dataclass(frozen=True)
class ExchangeResult:
    created: CreatedOrder
    credit: int
    to_pay: int
    change_due: int | None
    off_account: bool


def quote_exchange(ctx: ServiceContext, draft: ExchangeDraft) -> ExchangeQuote:
    """Price an exchange without saving anything; `problems` says what stops it. The new
    sale is priced after the return, as the save does (`_sale_priced`): the return is
    made here and rolled back with the rest (as `order_edit.quote_edit`)."""
    ctx.require_refunds()
    # The return is made (then rolled back): under the writer lock, as any write (a
    # sync committing meanwhile would make SQLite refuse the first write at once).
    with ctx.uow(write=True) as session:
        order, lines = _returnable(session, draft.order_id)
        back = _coming_back(session, draft, order, lines, strict=False)
        if not back.problems:
            _return(session, ctx, draft, back, ctx.clock.now())
        priced = _sale_priced(session, ctx, draft, order, back, strict=False)
        session.rollback()  # a quote writes nothing (as `quote_order`)
    return replace(priced, quote=order_svc.with_costs_for(ctx, priced.quote))


def exchange_order(
    ctx: ServiceContext, draft: ExchangeDraft, *, allow_negative_stock: bool = False
) -> ExchangeResult:
    """Return the items and sell the new ones in one transaction (see the module text).

    Raises StockShortage (nothing written) when the new items are not in stock and
    `allow_negative_stock` is False; ValidationError names the first problem.
    """
    ctx.require_refunds()
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        # Locked before it is checked: another PC's return of it waits for this one.
        order, lines = _returnable(session, draft.order_id, lock=True)
        back = _coming_back(session, draft, order, lines, strict=True)
        refunds = _return(session, ctx, draft, back, now)
        priced = _sale_priced(session, ctx, draft, order, back, strict=True)
        sale = replace(draft.sale, customer_id=order.customer_id, cash_received=None)
        created = order_svc.create_in(session, ctx, sale, allow_negative_stock, now)
        _keep_cash(session, created.id, draft.sale.cash_received, priced)
        for refund in refunds:
            refund.exchange_order_id = created.id
            session.add(refund)
        if priced.to_pay >= 0:
            summary = msg("{new} for items of {old}: credit {credit}, paid {to_pay}",
                          new=created.external_id, old=order.external_id,
                          credit=priced.credit, to_pay=priced.to_pay)  # fmt: skip
        else:
            summary = msg("{new} for items of {old}: credit {credit}, given back {back}",
                          new=created.external_id, old=order.external_id,
                          credit=priced.credit, back=-priced.to_pay)  # fmt: skip
        ctx.audit(session, "order.exchange", entity_type="order", entity_id=created.id,
                  summary=summary, after={"returned": dict(draft.returned),
                                          "from_order": draft.order_id})  # fmt: skip
    created = replace(created, change_due=priced.change_due)
    return ExchangeResult(created, priced.credit, priced.to_pay, priced.change_due,
                          priced.off_account)  # fmt: skip


def _keep_cash(session: Session, order_id: int, cash: int | None, priced: ExchangeQuote) -> None:
    """The new sale keeps the cash handed over for what was to pay (its change worked out
    on that, not on the total: the sale itself was created without it), for its reprints."""
    if priced.change_due is None:
        return
    order = session.get(Order, order_id)
    assert order is not None, "created in this transaction"
    order.cash_received = cash
    session.add(order)


def exchangeable_order(ctx: ServiceContext, number: str) -> int:
    """The id of the order numbered `number` (typed, or scanned from its receipt's code)
    when it can be exchanged; NotFound / Conflict say why not."""
    ctx.require_refunds()
    text = number.strip()
    if not text:
        raise ValidationError(msg("Type or scan the order number."), field="number")
    with ctx.uow() as session:
        # As typed, else in capitals (our numbers are; a receipt read out is often typed
        # in lower case): each by the index, no scan of every order.
        spellings = list(dict.fromkeys([text, text.upper()]))
        found = session.exec(select(Order).where(Order.external_id.in_(spellings))).all()  # type: ignore[attr-defined]
        found = [o for o in found if o.external_id == text] or found
        if not found:
            raise NotFound(msg("There is no order {number}.", number=text))
        own = [o for o in found if o.source != OrderSource.MARKETPLACE] or list(found)
        order, _lines = _returnable(session, own[0].id or 0)
        return order.id or 0


def _returnable(
    session: Session, order_id: int, *, lock: bool = False
) -> tuple[Order, list[OrderLine]]:
    order = session.get(Order, order_id, with_for_update=lock)
    if order is None:
        raise NotFound(msg("Order {order} no longer exists.", order=str(order_id)))
    if order.source == OrderSource.MARKETPLACE:
        raise Conflict(msg("Order {order} came from a marketplace: exchange it there.",
                           order=order.external_id))  # fmt: skip
    if order.status not in order_svc.RETURNABLE:
        raise Conflict(
            msg("Order {order} is {status}: only completed orders can be exchanged.",
                order=order.external_id, status=order.status)
        )  # fmt: skip
    lines = order_svc.lines_of(session, order_id)
    return order, lines


@dataclass(frozen=True)
class _ComingBack:
    """The return part of an exchange, worked out before the return is made."""

    credit: int
    #: Of the credit, what comes off what the customer owes (the old sale on account).
    owed_off: int
    problems: tuple[str, ...]


def _coming_back(
    session: Session, draft: ExchangeDraft, order: Order, lines: list[OrderLine], *,
    strict: bool,
) -> _ComingBack:  # fmt: skip
    """What comes back and what it is worth (the order as before the return)."""
    problems: list[str] = []

    def problem(message: str, fld: str) -> None:
        if strict:
            raise ValidationError(message, field=fld)
        problems.append(message)

    wanted = {k: v for k, v in draft.returned.items() if v}
    by_id = {line.id: line for line in lines}
    if not wanted:
        problem(msg("Choose at least one item to return."), "quantity")
    for line_id, qty in wanted.items():
        line = by_id.get(line_id)
        left = line.quantity - line.returned_quantity if line else 0
        if line is None or not 0 < qty <= left:
            problem(msg("{item}: between 0 and {left} can be returned.",
                        item=(line.sku or line.product_name) if line else str(line_id),
                        left=left), "quantity")  # fmt: skip
    restock = order_svc.back_to_stock_problem(by_id, wanted, draft.back_to_stock or {})
    if restock is not None:  # else the quote's trial return would raise it
        problem(restock, "back_to_stock")
    refundable = order.total - order.refunded_amount
    paid = order_svc.paid_towards_in(session, order)
    suggested = order_svc.suggested_refund(order, lines, wanted, paid=paid)
    credit = suggested if draft.credit is None else draft.credit
    if not 0 <= credit <= refundable:
        problem(msg("The refund must be between 0 and {refundable}.", refundable=refundable),
                "refund_amount")  # fmt: skip
    if not draft.reason.strip():
        problem(msg("Say why the items come back."), "reason")
    owed_off = 0
    if order.payment_method == PaymentMethod.ON_ACCOUNT:
        # Of a sale on account's credit, what comes off what is owed, as the return splits it.
        parts = order_svc.refund_parts(session, order, credit, draft.sale.payment_method)
        owed_off = sum(amount for amount, way in parts if way is None)
    return _ComingBack(credit, owed_off, tuple(problems))


def _return(
    session: Session, ctx: ServiceContext, draft: ExchangeDraft, back: _ComingBack,
    now: datetime,
) -> list[OrderRefund]:  # fmt: skip
    """The return of the exchange (`orders.return_in`): its refund rows. The new sale is
    priced after it, with the customer's points as it leaves them (the returned items'
    earned points taken back, their share of the points redeemed given back)."""
    # A sale on account's refund is split by `return_in` as `_coming_back` says.
    _result, refunds = order_svc.return_in(
        session, ctx, draft.order_id, draft.returned, reason=draft.reason,
        refund_amount=back.credit, now=now, method=draft.sale.payment_method, exchange=True,
        not_restocked=draft.not_restocked, back_to_stock=draft.back_to_stock,
    )  # fmt: skip
    return refunds


def _sale_priced(
    session: Session, ctx: ServiceContext, draft: ExchangeDraft, order: Order,
    back: _ComingBack, *, strict: bool,
) -> ExchangeQuote:  # fmt: skip
    """The new sale quoted for the old sale's customer, the credit and what is paid."""
    problems: list[str] = list(back.problems)

    def problem(message: str, fld: str) -> None:
        if strict:
            raise ValidationError(message, field=fld)
        problems.append(message)

    off_account = order.payment_method == PaymentMethod.ON_ACCOUNT
    sale = replace(draft.sale, customer_id=order.customer_id, cash_received=None)
    if sale.payment_method == PaymentMethod.ON_ACCOUNT and not off_account:
        problem(msg("Order {order} was paid: settle the difference now, not on account.",
                    order=order.external_id), "payment_method")  # fmt: skip
    quote, customer = order_svc.quote_in(session, sale, ctx.clock.now(), strict=strict)
    problems += quote.problems
    balance = customer.points_balance if customer is not None and not back.problems else None
    credit = back.credit
    to_pay = quote.total - (credit - back.owed_off)
    change = None
    cash = draft.sale.cash_received
    if sale.payment_method == PaymentMethod.CASH and cash is not None and to_pay >= 0:
        change = cash - to_pay
        if change < 0:
            problem(msg("The cash received is {short} short of the total.", short=-change),
                    "cash_received")  # fmt: skip
    return ExchangeQuote(quote, credit, to_pay, change, off_account, tuple(problems),
                         back.owed_off, balance)  # fmt: skip
