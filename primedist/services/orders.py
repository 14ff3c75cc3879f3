"""Orders: the lifecycle (confirm, ship, complete, cancel), counter/phone/chat sales, returns.

Every function here is one unit of work: permission check, the change, its stock
movements, the outbox message for a marketplace, customer statistics and the audit row
all commit together or not at all.

Stock (see `primedist.services.stock`): an open order (pending/confirmed) *reserves* its
quantities; shipping or completing *consumes* them (on-hand goes down, the reservation
with it); a counter sale consumes at once; cancelling releases the reservation, or puts
shipped goods back; a return puts the returned quantities back. `Order.stock_state`
remembers which of these happened, so a status change knows what to undo. Orders with
state `none` (imported history, demo data) never move stock.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from primedist.connectors import not_confirmable
from primedist.core.clock import as_utc, shop_tz, to_local
from primedist.core.messages import Message, msg
from primedist.core.phone import normalize_phone
from primedist.core.search_keys import search_text
from primedist.core.text import clean_line, clean_text
from primedist.db.engine import is_sqlite
from primedist.db.product_summary import give_new_shop_low_stock_level
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.customer import Customer, CustomerPhone
from primedist.domain.enums import (
    Channel,
    Module,
    OrderSource,
    OrderStatus,
    OutboxStatus,
    PaymentMethod,
    PointsKind,
    StockMoveKind,
    StockState,
)
from primedist.domain.geo import province_code
from primedist.domain.goods_receipt import MAX_RECEIPT_QUANTITY
from primedist.domain.loyalty import PointsEntry, Voucher
from primedist.domain.order import (
    Order,
    OrderLine,
    OrderRefund,
    OrderStatusChange,
    compute_total,
)
from primedist.domain.product import Product, Variant
from primedist.domain.shop import Shop
from primedist.domain.sync import OutboxMessage
from primedist.domain.user import User
from primedist.errors import Conflict, NotFound, PermissionDenied, ValidationError
from primedist.queries.reports import NOT_COUNTED
from primedist.services import customer_account as account
from primedist.services import pricing
from primedist.services.context import Actor, ServiceContext
from primedist.services.loyalty.points import OrderPoints, order_points, redeemed_due, taken_back
from primedist.services.order_effects import orders_changed
from primedist.services.order_import import MAX_AMOUNT as IMPORT_MAX_AMOUNT
from primedist.services.outbox import KIND_ACTIONS, channel_can, outbox_t
from primedist.services.stock import lock_stock, move_stock, stock_level

OPEN_STATUSES = (OrderStatus.PENDING, OrderStatus.CONFIRMED)
#: Statuses where the goods have left the shelf.
GONE_STATUSES = (OrderStatus.SHIPPING, OrderStatus.COMPLETED)
#: Marketplace actions that go through the outbox.
OUTBOX_ACTIONS = {OrderStatus.CONFIRMED: "confirm", OrderStatus.CANCELLED: "cancel"}
#: Channels whose confirmation arranges the shipment, after which the seller can no longer
#: cancel (Shopee's cancel_order wants UNPAID/READY_TO_SHIP; ship_order makes it
#: PROCESSED). Lazada, TikTok and Tiki take neither a confirm nor a cancel from the app.
CONFIRM_ENDS_SELLER_CANCEL = frozenset({Channel.SHOPEE})
MAX_NOTE = 1000
#: One line's quantity at most, and an order's items all told: the stock moves' cap (a line
#: is one stock move). Far above a shop's stock, it keeps a typo's extra zeros out, and
#: every count inside the INTEGER columns (32-bit on PostgreSQL). The sale screen's box
#: stops there too.
MAX_QUANTITY = MAX_RECEIPT_QUANTITY
#: One unit price, shipping fee, and an order's goods all told, at most (đồng): the order
#: import's cap on the same columns. Far above any shop's sale, it keeps every amount of
#: the order (a discount is at most what it comes off), and the points it earns, far
#: inside their columns (BIGINT; INTEGER points).
MAX_AMOUNT = IMPORT_MAX_AMOUNT


class StockShortage(Conflict):
    """A sale would take stock below zero; the UI asks before selling anyway."""

    def __init__(self, shortages: Sequence[Shortage]) -> None:
        self.shortages = tuple(shortages)
        items = [
            msg("{sku} ({left} left, {wanted} wanted)", sku=s.sku, left=s.available,
                wanted=s.wanted)
            for s in shortages
        ]  # fmt: skip
        super().__init__(msg("Not enough stock: {items}.", items=items))


@dataclass(frozen=True)
class Shortage:
    sku: str
    available: int
    wanted: int


# --------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class DraftLine:
    """A line of a sale being made; `unit_price` None = the customer's price."""

    variant_id: int
    quantity: int
    unit_price: int | None = None
    discount: int = 0


@dataclass(frozen=True)
class OrderDraft:
    """A counter, phone or chat sale before it is saved."""

    lines: tuple[DraftLine, ...]
    #: None = walk-in customer.
    customer_id: int | None = None
    source: OrderSource = OrderSource.COUNTER
    #: None = the shop's own counter outlet.
    shop_id: int | None = None
    #: Order-level discount by the seller, in đồng.
    order_discount: int = 0
    voucher_code: str | None = None
    points: int = 0
    shipping_fee: int = 0
    payment_method: PaymentMethod = PaymentMethod.CASH
    #: Cash handed over (for the change due); None = exact or not cash.
    cash_received: int | None = None
    #: A sale on account: the part the customer pays at once, in cash (the rest is owed).
    paid_now: int = 0
    note: str | None = None
    ship_name: str | None = None
    ship_phone: str | None = None
    ship_address: str | None = None
    #: The ward or commune (the 2025 map: ward + province, no district).
    ship_ward: str | None = None
    ship_province: str | None = None
    #: None = completed for a counter sale, confirmed for a phone/chat order.
    status: OrderStatus | None = None

    @property
    def final_status(self) -> OrderStatus:
        if self.status is not None:
            return self.status
        return (
            OrderStatus.COMPLETED if self.source == OrderSource.COUNTER else OrderStatus.CONFIRMED
        )


@dataclass(frozen=True)
class QuoteLine:
    variant_id: int
    sku: str
    product_name: str
    variant_name: str | None
    quantity: int
    unit_price: int
    discount: int
    subtotal: int
    available: int
    #: The customer level whose price applies (None: the list price or a typed price).
    price_level: str | None = None
    #: Sold below the variant's (average) cost: the line's subtotal is less than quantity ×
    #: cost. Said to everyone who sells; the cost itself only to Analytics users.
    below_cost: bool = False
    #: The variant's unit cost (None when unknown, 0, or hidden: `with_costs_for`).
    unit_cost: int | None = None


@dataclass(frozen=True)
class Quote:
    """Every number of a sale, as the screen shows it and `create_order` saves it."""

    lines: tuple[QuoteLine, ...]
    subtotal: int
    order_discount: int
    voucher_discount: int
    voucher_id: int | None
    points: int
    points_discount: int
    shipping_fee: int
    total: int
    #: Cash received − total (None when no cash amount was given).
    change_due: int | None
    shortages: tuple[Shortage, ...] = ()
    #: What stops the sale from being saved, in words (empty = it can be saved).
    problems: tuple[str, ...] = ()
    #: A sale on account: what the customer will owe for it (total − paid now).
    owed: int = 0
    #: What one point is worth, in đồng (0: no customer to redeem points).
    point_value: int = 0
    #: The most points the customer may redeem on this sale (`pricing.most_points`).
    points_most: int = 0


@dataclass(frozen=True)
class CreatedOrder:
    id: int
    external_id: str
    total: int
    change_due: int | None


def _variant_name(v: Variant) -> str | None:
    parts = [p for p in (v.option1, v.option2) if p]
    return " / ".join(parts) or None


def quote_in(
    session: Session, draft: OrderDraft, now: datetime, *, strict: bool,
    held: pricing.Held | None = None,
) -> tuple[Quote, Customer | None]:  # fmt: skip
    """Price a draft. strict: raise ValidationError on the first problem; else collect.
    `held`: what the order being edited took at its sale (`pricing.Held`): its voucher and
    redeemed points stay allowed under the rules they were taken by."""
    problems: list[str] = []

    def problem(message: str, fld: str) -> None:
        if strict:
            raise ValidationError(message, field=fld)
        problems.append(message)

    customer = None
    if draft.customer_id is not None:
        customer = session.get(Customer, draft.customer_id)
        # An edited order keeps its own buyer, deleted since or not (its name and phone
        # stay on the order); a deleted one cannot be chosen anew.
        own_buyer = held is not None and held.customer_id == draft.customer_id
        if customer is None or (customer.deleted_at is not None and not own_buyer):
            raise NotFound(msg("The customer of this sale no longer exists."))
    if not draft.lines:
        problem(msg("Add at least one product."), "lines")
    # Problems from here to the voucher leave the total no figure to go by (a discount over
    # its goods, an amount past its cap…).
    found_before_figures = len(problems)
    lines: list[QuoteLine] = []
    # A line's quantity or price past its cap (the order's sums then say nothing more).
    too_big = False
    # A line refused (its quantity, price or discount): the subtotal bounds nothing then.
    bad_line = False
    wanted: dict[tuple[str, int], int] = {}
    first_of: dict[tuple[str, int], tuple[str, int]] = {}
    for i, dl in enumerate(draft.lines, start=1):
        variant = session.get(Variant, dl.variant_id)
        if variant is None:
            raise NotFound(msg("Line {line}: the product no longer exists.", line=str(i)))
        product = session.get(Product, variant.product_id)
        assert product is not None
        if dl.quantity <= 0:
            bad_line = True
            problem(msg("Line {line} ({sku}): the quantity must be at least 1.", line=str(i),
                        sku=variant.sku), "quantity")  # fmt: skip
        elif dl.quantity > MAX_QUANTITY:
            too_big = True
            problem(msg("Line {line} ({sku}): the quantity cannot be more than {max}.",
                        line=str(i), sku=variant.sku, max=MAX_QUANTITY), "quantity")  # fmt: skip
        price, price_level = (
            pricing.price_and_level(session, variant, customer)
            if dl.unit_price is None
            else (dl.unit_price, None)
        )
        if price < 0:
            bad_line = True
            problem(msg("Line {line} ({sku}): the price cannot be negative.", line=str(i),
                        sku=variant.sku), "unit_price")  # fmt: skip
        elif price > MAX_AMOUNT:
            too_big = True
            problem(msg("Line {line} ({sku}): the price cannot be more than {max}.",
                        line=str(i), sku=variant.sku, max=MAX_AMOUNT), "unit_price")  # fmt: skip
        gross = max(dl.quantity, 0) * price
        # Below a negative price no discount is right: the price is the line's problem.
        if price >= 0 and (dl.discount < 0 or dl.discount > gross):
            bad_line = True
            problem(
                msg(
                    "Line {line} ({sku}): the discount must be between 0 and {most}.",
                    line=str(i),
                    sku=variant.sku,
                    most=gross,
                ),
                "discount",
            )
        level = stock_level(session, dl.variant_id)
        holder = (
            ("group", variant.sku_group_id) if variant.sku_group_id else ("variant", dl.variant_id)
        )
        wanted[holder] = wanted.get(holder, 0) + max(dl.quantity, 0)
        first_of.setdefault(holder, (variant.sku, level.available))
        cost = int(variant.cost or 0)
        below = cost > 0 and dl.quantity > 0 and gross - dl.discount < dl.quantity * cost
        lines.append(
            QuoteLine(dl.variant_id, variant.sku, product.name, _variant_name(variant),
                      dl.quantity, price, dl.discount, gross - dl.discount, level.available,
                      price_level, below, cost or None)
        )  # fmt: skip
    shortages = tuple(
        Shortage(first_of[h][0], first_of[h][1], n) for h, n in wanted.items() if n > first_of[h][1]
    )
    items = sum(max(dl.quantity, 0) for dl in draft.lines)
    subtotal = sum(line.subtotal for line in lines)
    if items > MAX_QUANTITY and not too_big:
        problem(msg("An order takes at most {max} items ({n} given): split it.",
                    max=MAX_QUANTITY, n=items), "quantity")  # fmt: skip
    if subtotal > MAX_AMOUNT and not too_big:
        problem(msg("An order's goods come to at most {max} ({total} given): split it.",
                    max=MAX_AMOUNT, total=subtotal), "lines")  # fmt: skip
    discount_refused = (draft.order_discount < 0 or draft.order_discount > subtotal) and not (
        bad_line or too_big
    )
    if discount_refused:
        problem(msg("The order discount must be between 0 and {most}.", most=subtotal),
                "order_discount")  # fmt: skip
    if draft.shipping_fee < 0:
        problem(msg("The shipping fee cannot be negative."), "shipping_fee")
    elif draft.shipping_fee > MAX_AMOUNT:
        problem(msg("The shipping fee cannot be more than {max}.", max=MAX_AMOUNT),
                "shipping_fee")  # fmt: skip
    merchandise = subtotal - draft.order_discount
    total_refused = len(problems) > found_before_figures
    voucher = None
    # A refused order discount leaves no goods figure to weigh the voucher and points by:
    # they are checked once it is fixed, so its one problem is the only one said.
    if draft.voucher_code and draft.voucher_code.strip() and not discount_refused:
        try:
            voucher = pricing.voucher_discount(
                session, draft.voucher_code, customer=customer, merchandise=merchandise,
                shipping_fee=max(draft.shipping_fee, 0), now=now, held=held,
            )  # fmt: skip
        except ValidationError as exc:
            problem(exc.user_message, "voucher_code")
    voucher_amount = voucher.amount if voucher else 0
    points_amount = 0
    due = merchandise + max(draft.shipping_fee, 0) - voucher_amount
    kept = held.points_for(customer) if held is not None else 0
    point_value = points_most = 0
    if customer is not None and not discount_refused:
        point_value, points_most = pricing.most_points(session, customer, due, kept=kept)
    if draft.points and not discount_refused:
        try:
            points_amount = pricing.points_discount(session, customer, draft.points, due,
                                                    kept=kept)  # fmt: skip
        except ValidationError as exc:
            problem(exc.user_message, "points")
    before_points = merchandise + max(draft.shipping_fee, 0) - voucher_amount
    if points_amount and points_amount > before_points:  # not for a too-big order discount
        problem(msg("More points than the order needs."), "points")
        points_amount = max(before_points, 0)
        total_refused = True
    # Only a draft with problems comes to less than nothing (a discount over its line or
    # its order): it cannot be saved, and the screen shows 0, not a total below zero.
    total = max(0, compute_total(
        subtotal=subtotal,
        shipping_fee=max(draft.shipping_fee, 0),
        seller_discount=max(draft.order_discount, 0),
        voucher_discount=voucher_amount,
        points_discount=points_amount,
    ))  # fmt: skip
    if draft.source == OrderSource.COUNTER and draft.payment_method == PaymentMethod.COD:
        # Nobody delivers a counter sale: it would be saved completed, unpaid and not owed.
        problem(msg("A counter sale is not paid on delivery (COD): choose how the customer "
                    "pays now."), "payment_method")  # fmt: skip
    change = None
    if draft.cash_received is not None and draft.payment_method == PaymentMethod.CASH:
        change = draft.cash_received - total
        most = max(MAX_AMOUNT, total)
        if draft.cash_received > most:  # a barcode scanned into the cash, or extra zeros
            problem(msg("The cash received cannot be more than {max}.", max=most),
                    "cash_received")  # fmt: skip
            change = None
        elif change < 0:
            problem(msg("The cash received is {short} short of the total.", short=-change),
                        "cash_received")  # fmt: skip
    owed = 0
    # A total already refused says nothing of what is owed: its problem is the one to fix,
    # not "paid now must be less than the total 0" nor a debt below zero.
    if draft.payment_method == PaymentMethod.ON_ACCOUNT:
        owed = 0 if total_refused else total - draft.paid_now
        for message, fld in _on_account_problems(draft, customer, None if total_refused else total):
            problem(message, fld)
        if customer is not None and customer.deleted_at is not None:
            # A deleted customer left with their account settled: nobody would see the debt.
            problem(msg("{customer} was deleted: a sale to them cannot go on account.",
                        customer=customer.name), "payment_method")  # fmt: skip
    quote = Quote(
        tuple(lines), subtotal, draft.order_discount, voucher_amount,
        voucher.voucher_id if voucher else None, draft.points, points_amount,
        draft.shipping_fee, total, change, shortages, tuple(problems), owed, point_value,
        points_most,
    )  # fmt: skip
    return quote, customer


def _on_account_problems(
    draft: OrderDraft, customer: Customer | None, total: int | None
) -> list[tuple[str, str]]:
    """Why a sale on account cannot be saved: nobody to owe it, or paid in full (not said
    against a refused total, None)."""
    found: list[tuple[str, str]] = []
    if customer is None:
        found.append((msg("A sale on account needs a customer: choose who owes it."),
                      "customer"))  # fmt: skip
    if total is None:
        return found
    if draft.paid_now < 0 or (draft.paid_now and draft.paid_now >= total):
        found.append((msg("Paid now must be less than the total {total} (all of it: choose "
                          "cash).", total=total), "paid_now"))  # fmt: skip
    return found


def paid_at_sale(method: PaymentMethod, total: int, paid_now: int) -> int:
    """What an own sale's `paid_amount` records: all of it in cash or by card, the part paid
    at once on account, nothing yet otherwise (a transfer or COD is paid later)."""
    if method in (PaymentMethod.CASH, PaymentMethod.CARD):
        return total
    return paid_now if method == PaymentMethod.ON_ACCOUNT else 0


def cash_kept(draft: OrderDraft, quote: Quote) -> int | None:
    """The cash handed over that the order keeps for its reprinted receipts: the amount
    given for a sale paid in cash (the quote worked out its change), else None."""
    return draft.cash_received if quote.change_due is not None else None


def with_costs_for(ctx: ServiceContext, quote: Quote) -> Quote:
    """The quote as this user may see it: unit costs are the shop's (Analytics users only);
    whether a line is below cost is said to everyone."""
    if ctx.can(Module.ANALYTICS):
        return quote
    lines = tuple(replace(line, unit_cost=None) for line in quote.lines)
    return replace(quote, lines=lines)


def quote_order(ctx: ServiceContext, draft: OrderDraft) -> Quote:
    """Live totals for the sale screen (problems listed, never raised)."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        quote, _customer = quote_in(session, draft, ctx.clock.now(), strict=False)
        session.rollback()
    return with_costs_for(ctx, quote)


def counter_shop(session: Session, now: datetime) -> Shop:
    """The shop's own counter outlet (the first offline shop), created if missing."""
    shop = session.exec(
        select(Shop).where(Shop.channel == Channel.OFFLINE).order_by(col(Shop.id))
    ).first()
    if shop is None:
        shop = Shop(name="Cửa hàng", channel=Channel.OFFLINE, created_at=now)
        session.add(shop)
        session.flush()
        give_new_shop_low_stock_level(session.connection(), int(shop.id or 0), now)
    return shop


def _next_order_number(session: Session, shop_id: int, now: datetime) -> str:
    """`DH` + local date + a daily sequence: DH261125-0007."""
    prefix = f"DH{to_local(now, shop_tz()):%y%m%d}-"
    table = Order.__table__  # type: ignore[attr-defined]
    # The shop row's lock queues two PCs' sales up for the next number (PostgreSQL).
    shops = Shop.__table__  # type: ignore[attr-defined]
    session.connection().execute(
        sa.select(shops.c.id).where(shops.c.id == shop_id).with_for_update()
    )
    numbered = table.c.external_id.startswith(prefix)
    if is_sqlite(session.connection()):
        # A LIKE with a bound prefix cannot use the (shop, number) index: the range can (the
        # shop's day is found at once, not among its 100,000s of orders). Byte order: SQLite
        # compares text with BINARY; PostgreSQL's collation may not, so it keeps the LIKE.
        after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        numbered = sa.and_(table.c.external_id >= prefix, table.c.external_id < after, numbered)
    last = (
        session.connection()
        .execute(
            sa.select(sa.func.max(table.c.external_id)).where(table.c.shop_id == shop_id, numbered)
        )
        .scalar()
    )
    seq = int(str(last).rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _id(row: Order | Customer) -> int:
    assert row.id is not None, "flushed rows have ids"
    return row.id


def create_order(
    ctx: ServiceContext, draft: OrderDraft, *, allow_negative_stock: bool = False
) -> CreatedOrder:
    """Save a counter/phone/chat sale: order, lines, stock, points, voucher use, customer
    statistics and the audit row, in one transaction.

    Raises StockShortage when stock would go below zero and `allow_negative_stock` is
    False (the screen asks the user, then calls again with True).
    """
    ctx.require(Module.ORDERS)
    with ctx.uow(write=True) as session:
        return create_in(session, ctx, draft, allow_negative_stock, ctx.clock.now())


def create_in(
    session: Session, ctx: ServiceContext, draft: OrderDraft, allow_negative_stock: bool,
    now: datetime,
) -> CreatedOrder:  # fmt: skip
    """`create_order` inside the caller's transaction (an exchange sells in the same one)."""
    # Before the stock check: another PC's sale of the same stock waits for ours.
    lock_stock(session, (line.variant_id for line in draft.lines))
    quote, customer = quote_in(session, draft, now, strict=True)
    if quote.shortages and not allow_negative_stock:
        raise StockShortage(quote.shortages)
    shop = session.get(Shop, draft.shop_id) if draft.shop_id else counter_shop(session, now)
    if shop is None:
        raise NotFound(msg("The shop of this sale no longer exists."))
    assert shop.id is not None
    status = draft.final_status
    if status not in (*OPEN_STATUSES, *GONE_STATUSES):
        raise ValidationError(
            msg("A new order cannot start as {status}.", status=OrderStatus(status)),
            field="status",
        )
    order = _new_order(session, draft, quote, customer, shop.id, status, ctx, now)
    _write_lines(session, order, quote)
    _add_history(session, ctx, order, None, status, now, note=_source_note(draft.source))
    verb = "reserve" if status in OPEN_STATUSES else "sell"
    _apply_stock(ctx, session, order, verb)
    _use_voucher_and_points(session, ctx, order, quote, customer, now)
    if order.payment_method == PaymentMethod.ON_ACCOUNT and draft.paid_now and customer:
        account.record_payment(
            session,
            ctx,
            _id(customer),
            draft.paid_now,
            PaymentMethod.CASH,
            order.external_id,
            order_id=_id(order),
        )
    session.flush()
    assert order.id is not None
    orders_changed(session.connection(), [order.id], now=now)
    ctx.audit(
        session, "order.create", entity_type="order", entity_id=order.id,
        summary=msg("{order}: {total} đ ({source})", order=order.external_id,
                    total=order.total, source=draft.source),
    )  # fmt: skip
    assert order.id is not None
    return CreatedOrder(order.id, order.external_id, order.total, quote.change_due)


def _source_note(source: OrderSource) -> str:
    return {OrderSource.COUNTER: "Counter sale", OrderSource.PHONE: "Phone order",
            OrderSource.CHAT: "Chat order"}.get(source, "New order")  # fmt: skip


def _new_order(
    session: Session, draft: OrderDraft, quote: Quote, customer: Customer | None, shop_id: int,
    status: OrderStatus, ctx: ServiceContext, now: datetime,
) -> Order:  # fmt: skip
    phone = _customer_phone(session, customer) if customer else None
    ship_phone = normalize_phone(draft.ship_phone) if draft.ship_phone else None
    paid = paid_at_sale(draft.payment_method, quote.total, draft.paid_now)
    order = Order(
        shop_id=shop_id,
        external_id=_next_order_number(session, shop_id, now),
        source=draft.source,
        status=status,
        payment_method=draft.payment_method,
        customer_id=customer.id if customer else None,
        buyer_name=customer.name if customer else None,
        buyer_phone=phone,
        ship_name=_clean(draft.ship_name, 120),
        ship_phone=ship_phone or _clean(draft.ship_phone, 32),
        ship_address=_clean(draft.ship_address, 255),
        ship_ward=_clean(draft.ship_ward, 120),
        ship_province=_clean(draft.ship_province, 120),
        province_code=province_code(draft.ship_province),
        item_count=sum(line.quantity for line in quote.lines),
        subtotal=quote.subtotal,
        seller_discount=quote.order_discount,
        voucher_discount=quote.voucher_discount,
        points_discount=quote.points_discount,
        shipping_fee=quote.shipping_fee,
        total=quote.total,
        paid_amount=paid,
        cash_received=cash_kept(draft, quote),
        voucher_id=quote.voucher_id,
        points_used=quote.points,
        buyer_note=_clean(draft.note, MAX_NOTE),
        created_by_id=ctx.actor.id,
        created_at=now,
        updated_at=now,
        completed_at=now if status == OrderStatus.COMPLETED else None,
    )
    order.search_text = search_text(order.external_id, order.buyer_name, phones=[phone])
    session.add(order)
    session.flush()
    return order


def _clean(text: str | None, limit: int, *, lines: bool = False) -> str | None:
    """One line without control or invisible characters (`clean_line`; `lines`: its line
    breaks kept, `clean_text`), None when empty; too long is refused."""
    text = clean_text(text) if lines else clean_line(text)
    if len(text) > limit:
        raise ValidationError(
            msg(
                "Text too long ({length} characters, at most {limit}).",
                length=str(len(text)),
                limit=str(limit),
            )
        )
    return text or None


def _customer_phone(session: Session, customer: Customer) -> str | None:
    return session.exec(
        select(CustomerPhone.phone)
        .where(CustomerPhone.customer_id == customer.id)
        .order_by(col(CustomerPhone.is_primary).desc(), col(CustomerPhone.id))
    ).first()


def _write_lines(session: Session, order: Order, quote: Quote) -> None:
    for line in quote.lines:
        session.add(
            OrderLine(
                order_id=_id(order), variant_id=line.variant_id, sku=line.sku,
                product_name=line.product_name[:255], variant_name=line.variant_name,
                quantity=line.quantity, unit_price=line.unit_price, discount=line.discount,
                subtotal=line.subtotal,
            )
        )  # fmt: skip
    session.flush()


def _use_voucher_and_points(
    session: Session, ctx: ServiceContext, order: Order, quote: Quote,
    customer: Customer | None, now: datetime,
) -> None:  # fmt: skip
    if quote.voucher_id is not None:
        voucher = session.get(Voucher, quote.voucher_id)
        assert voucher is not None
        voucher.used_count += 1
        session.add(voucher)
    if quote.points and customer is not None:
        customer.points_balance -= quote.points
        session.add(customer)
        session.add(
            PointsEntry(
                customer_id=_id(customer), kind=PointsKind.REDEEM, delta=-quote.points,
                balance_after=customer.points_balance, order_id=order.id,
                reason=f"Redeemed on {order.external_id}", user_id=ctx.actor.id, created_at=now,
            )
        )  # fmt: skip


# --------------------------------------------------------------------------- stock effects


def line_weights(session: Session, order_id: int) -> list[tuple[int, int | None]]:
    """(quantity, one item's weight in grams or None) of each line of the order: None
    when its variant has no weight or its product row is gone."""
    rows = session.exec(
        select(OrderLine.quantity, Variant.weight_g)
        .select_from(OrderLine)
        .outerjoin(Variant, col(Variant.id) == col(OrderLine.variant_id))
        .where(OrderLine.order_id == order_id)
    ).all()
    return [(int(qty), grams) for qty, grams in rows]


def goods_weight(session: Session, order_id: int) -> int | None:
    """The goods' weight in grams when every line's product has a weight, else None."""
    weights = line_weights(session, order_id)
    if not weights or any(grams is None for _q, grams in weights):
        return None
    return sum(qty * (grams or 0) for qty, grams in weights)


def lines_of(session: Session, order_id: int | None) -> list[OrderLine]:
    return list(
        session.exec(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(col(OrderLine.id))
        )
    )


def _apply_stock(ctx: ServiceContext, session: Session, order: Order, verb: str) -> None:
    """reserve | sell (counter: straight off the shelf) | consume | release | restock."""
    for line in lines_of(session, order.id):
        qty = line.quantity - line.returned_quantity
        if line.variant_id is None or qty <= 0:
            continue
        kind, on_hand, reserved = {
            "reserve": (StockMoveKind.RESERVE, 0, qty),
            "sell": (StockMoveKind.SALE, -qty, 0),
            "consume": (StockMoveKind.SALE, -qty, -qty),
            "release": (StockMoveKind.RELEASE, 0, -qty),
            "restock": (StockMoveKind.CANCEL_RESTOCK, qty, 0),
        }[verb]
        move_stock(ctx, session, line.variant_id, kind, quantity=on_hand, reserved=reserved,
                   order_id=order.id, reason=order.external_id)  # fmt: skip
    order.stock_state = {
        "reserve": StockState.RESERVED, "sell": StockState.CONSUMED,
        "consume": StockState.CONSUMED, "release": StockState.RELEASED,
        "restock": StockState.RELEASED,
    }[verb]  # fmt: skip


def _stock_verb(state: StockState, to: OrderStatus) -> str | None:
    """What a status change does to stock, given what the order did so far."""
    if state == StockState.RESERVED and to in GONE_STATUSES:
        return "consume"
    if state == StockState.RESERVED and to == OrderStatus.CANCELLED:
        return "release"
    if state == StockState.CONSUMED and to == OrderStatus.CANCELLED:
        return "restock"
    return None


# --------------------------------------------------------------------------- lifecycle


@dataclass
class BulkResult:
    """What a bulk action did: done ids, and (id, order number, reason) of the skipped."""

    done: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)


def _add_history(
    session: Session, ctx: ServiceContext, order: Order, before: OrderStatus | None,
    after: OrderStatus, now: datetime, *, note: str | None = None, source: str = "user",
) -> None:  # fmt: skip
    session.add(
        OrderStatusChange(order_id=_id(order), from_status=before, to_status=after,
                          user_id=ctx.actor.id, source=source,
                          note=(note or None) and note[:255], changed_at=now)
    )  # fmt: skip


def _intent_key(action: str, order: Order) -> str:
    """The outbox intent key of the order's marketplace `action` (one message per intent)."""
    return f"{action}:order:{_id(order)}"


def _enqueue(session: Session, order: Order, shop: Shop, action: str, now: datetime,
             payload: dict[str, object]) -> None:  # fmt: skip
    """Queue the marketplace call; the sync issue's worker delivers it. A channel that
    cannot carry it out gets nothing: the order moves here alone (`OrderDetail.by_hand`)."""
    if not channel_can(shop.channel, KIND_ACTIONS[f"order.{action}"]):
        return
    key = _intent_key(action, order)
    exists = session.exec(select(OutboxMessage.id).where(OutboxMessage.intent_key == key)).first()
    if exists is None:
        session.add(
            OutboxMessage(intent_key=key, kind=f"order.{action}", shop_id=shop.id,
                          order_id=order.id, payload_json=json.dumps(payload, ensure_ascii=False),
                          created_at=now, updated_at=now, next_attempt_at=now)
        )  # fmt: skip
        order.outbox_pending = True


def _transition(
    ctx: ServiceContext, session: Session, order: Order, to: OrderStatus, *, actor: Actor,
    reason: str | None = None, now: datetime,
) -> None:  # fmt: skip
    """Move one order to `to` with every side effect (history, stock, outbox, audit);
    `actor`: as their account stands now (a paid order's cancel needs the refund right)."""
    refusal = _refusal(session, order, to)
    if refusal is not None:
        raise Conflict(refusal)
    if to == OrderStatus.CANCELLED and (denied := refund_right_refusal(session, actor, order)):
        raise PermissionDenied(denied)
    _move(ctx, session, order, to, reason=reason, now=now)


def _move(
    ctx: ServiceContext, session: Session, order: Order, to: OrderStatus, *,
    reason: str | None, now: datetime,
) -> None:  # fmt: skip
    """`_transition` once `_refusal` has said yes."""
    before = order.status
    reason = clean_line(reason) or None
    if to == OrderStatus.CANCELLED and not reason:
        raise ValidationError(msg("Say why the order is cancelled."), field="reason")
    verb = _stock_verb(order.stock_state, to)
    if verb is not None:
        _apply_stock(ctx, session, order, verb)
    order.status = to
    order.updated_at = now
    if to == OrderStatus.CANCELLED:
        order.cancel_reason = reason[:255] if reason else None
        if order.payment_method == PaymentMethod.ON_ACCOUNT:
            assert order.id is not None
            account.cancel_order_payments(session, ctx, order.id, reason or "", now)
    if to == OrderStatus.COMPLETED and order.completed_at is None:
        order.completed_at = now
    shop = session.get(Shop, order.shop_id)
    assert shop is not None
    # A cancelled own order gives back what was paid for it, on the day of the cancel: a
    # refund row (End of day keeps the sale on its day and counts the refund on this one).
    # A sale on account's part paid goes back with its payments (above); a marketplace
    # refunds its buyers itself.
    paid_back = 0
    if (to == OrderStatus.CANCELLED and order.payment_method != PaymentMethod.ON_ACCOUNT
            and not Channel(shop.channel).is_marketplace):  # fmt: skip
        paid_back = max(0, order.paid_amount - order.refunded_amount)
    if paid_back:
        order.refunded_amount += paid_back
        session.add(OrderRefund(order_id=_id(order), amount=paid_back, items=0,
                                reason=(reason or "")[:255] or None, user_id=ctx.actor.id,
                                created_at=now))  # fmt: skip
    if to == OrderStatus.CANCELLED:
        _supersede_confirm(session, order, now)
    action = OUTBOX_ACTIONS.get(to)
    if action is not None and Channel(shop.channel).is_marketplace:
        _enqueue(session, order, shop, action, now,
                 {"external_id": order.external_id, "reason": reason})  # fmt: skip
    _add_history(session, ctx, order, before, to, now, note=reason)
    session.add(order)
    ctx.audit(session, f"order.{to.value}", entity_type="order", entity_id=order.id,
              summary=msg("{order}: {status} → {to} ({reason})", order=order.external_id,
                          status=before, to=to, reason=reason) if reason
              else msg("{order}: {status} → {to}", order=order.external_id, status=before,
                       to=to),
              after={"refund": paid_back} if paid_back else None)  # fmt: skip


def _refusal(session: Session, order: Order, to: OrderStatus) -> Message | None:
    """Why `order` cannot move to `to` now (None: it can)."""
    if to == OrderStatus.CANCELLED:
        return cancel_refusal(session, order)
    if not order.can_change_to(to):
        return _status_refusal(order, to)
    if to == OrderStatus.CONFIRMED and (channel := not_ready_there(session, order)):
        return msg("{order} is not paid yet on {channel}: confirm it once {channel} shows it "
                   "ready to ship.", order=order.external_id, channel=channel)  # fmt: skip
    return None


def not_ready_there(session: Session, order: Order) -> Channel | None:
    """The order's marketplace when it does not let the seller confirm the order yet (its
    last synced status is Shopee's UNPAID: its shipment cannot be arranged), else None.
    Refused here, nothing is queued: sent, it would only end failed in the Sync panel with
    the order shown confirmed meanwhile. An order whose platform status is not known (kept
    before the app stored it) is not held back."""
    if not order.external_status or order.source != OrderSource.MARKETPLACE:
        return None
    shop = session.get(Shop, order.shop_id)
    if shop is None:
        return None
    channel = Channel(shop.channel)
    if not channel_can(channel, KIND_ACTIONS["order.confirm"]):
        return None  # confirmed in its Seller Center: nothing is sent from here
    return channel if order.external_status.upper() in not_confirmable(channel) else None


def _status_refusal(order: Order, to: OrderStatus) -> Message:
    return msg("Order {order} is {status}: it cannot become {to}.", order=order.external_id,
               status=order.status, to=to)  # fmt: skip


def cancel_refusal(session: Session, order: Order) -> Message | None:
    """Why the order cannot be cancelled now (None: it can): its status
    (`Order.can_cancel`); a confirmation its marketplace has, or may have, carried out
    (`_confirm_refusal`); a live shipment with the shop's carrier, which would still
    deliver it and collect its COD while its goods are counted back on the shelf; or an
    exchange's credit (`exchange_refusal`)."""
    if not order.can_cancel():
        return _status_refusal(order, OrderStatus.CANCELLED)
    confirmed = _confirm_refusal(session, order)
    if confirmed is not None:
        return confirmed
    live = _live_shipment(session, _id(order))
    if live:
        return msg("Shipment {shipment} is still live: cancel the shipment first (the carrier "
                   "would still deliver the order).", shipment=live)  # fmt: skip
    return exchange_refusal(session, order)


def cancel_gives_back(session: Session, order: Order) -> bool:
    """Whether cancelling the order gives money back to its customer (`_move`): an own
    order with some of it paid and not refunded yet, or a sale on account with payments
    taken with it (they are cancelled). A marketplace refunds its buyers itself."""
    shop = session.get(Shop, order.shop_id)
    if shop is None or Channel(shop.channel).is_marketplace:
        return False
    if order.payment_method == PaymentMethod.ON_ACCOUNT:
        return account.paid_with_sale(session.connection(), _id(order)).amount > 0
    return order.paid_amount > order.refunded_amount


def refund_right_refusal(session: Session, actor: Actor, order: Order) -> Message | None:
    """Why `actor` may not cancel `order` (None: they may): a paid order's cancel gives its
    money back, which needs the right "Refunds and returns" (`Actor.may_refund`), as a
    return does. An unpaid one any Orders user may cancel."""
    if actor.may_refund or not cancel_gives_back(session, order):
        return None
    return msg("Only the owner, a manager or staff with the right “Refunds and returns” may "
               "cancel a paid order (its money goes back to the customer): ask the shop "
               "owner.")  # fmt: skip


def _confirm_channel(session: Session, order: Order) -> Channel | None:
    """The order's channel when a confirmation there ends the seller's cancel, else None."""
    shop = session.get(Shop, order.shop_id)
    if shop is None or Channel(shop.channel) not in CONFIRM_ENDS_SELLER_CANCEL:
        return None
    return Channel(shop.channel)


def _confirm_message(session: Session, order: Order) -> tuple[OutboxStatus, int] | None:
    """(status, attempts) of the order's "order.confirm" message; None when there is none."""
    row = session.exec(
        select(OutboxMessage.status, OutboxMessage.attempts)
        .where(OutboxMessage.intent_key == _intent_key("confirm", order))
    ).first()  # fmt: skip
    return None if row is None else (OutboxStatus(row[0]), row[1] or 0)


def _confirm_refusal(session: Session, order: Order) -> Message | None:
    """Why a marketplace order cannot be cancelled after its confirmation (None: it can):
    delivered, the marketplace refuses the seller's cancel (and the next sync would bring
    the order back); being sent, or tried and waiting for a retry, it may be there already.
    A confirmed order with no confirmation of ours came confirmed from the marketplace (a
    sync, a Seller Center file): the same refusal as a delivered one. One never tried is
    superseded by the cancel (`_supersede_confirm`); one that failed for good, or was
    discarded, never reached the marketplace."""
    channel = _confirm_channel(session, order)
    if channel is None:
        return None
    confirm = _confirm_message(session, order)
    if confirm is None:
        if order.status in (OrderStatus.CONFIRMED, OrderStatus.SHIPPING):
            return _confirmed_there(order, channel)
        return None
    status, attempts = confirm
    if status == OutboxStatus.DONE:
        return _confirmed_there(order, channel)
    if status == OutboxStatus.IN_PROGRESS or (status == OutboxStatus.PENDING and attempts):
        return msg("The confirmation of {order} is being sent to {channel}: once it arrives, "
                   "{channel} no longer lets the seller cancel it. Wait for the result (Sync "
                   "panel) before cancelling.", order=order.external_id,
                   channel=channel)  # fmt: skip
    return None


def _confirmed_there(order: Order, channel: Channel) -> Message:
    return msg("{order} is confirmed on {channel} (its shipment is arranged): {channel} no "
               "longer lets the seller cancel it. The buyer can ask {channel} to cancel, "
               "or refuse the parcel.", order=order.external_id, channel=channel)  # fmt: skip


def _supersede_confirm(session: Session, order: Order, now: datetime) -> None:
    """Mark the order's confirmation that was never tried as not to be sent, so the
    marketplace gets the cancel alone. Conditional: a delivery that took it meanwhile
    wins, and the cancel is refused as `_confirm_refusal` says."""
    if _confirm_channel(session, order) is None or _confirm_message(session, order) is None:
        return
    res = session.connection().execute(
        sa.update(outbox_t)
        .where(outbox_t.c.intent_key == _intent_key("confirm", order),
               outbox_t.c.status == OutboxStatus.PENDING, outbox_t.c.attempts == 0)
        .values(status=OutboxStatus.CANCELLED, updated_at=now)
    )  # fmt: skip
    if res.rowcount == 0:
        refusal = _confirm_refusal(session, order)
        if refusal is not None:
            raise Conflict(refusal)


def cancel_lock(ctx: ServiceContext, order_id: int) -> Message | None:
    """`cancel_refusal` for a stored order, then whether the signed-in user may cancel it
    (`refund_right_refusal`): what the order detail shows."""
    actor = ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        order = _load(session, order_id)
        return cancel_refusal(session, order) or refund_right_refusal(session, actor, order)


def live_shipment(ctx: ServiceContext, order_id: int) -> str | None:
    """The code of the order's live shipment with the shop's carrier (waiting to be picked
    up…), if any: it ships the order already, so the order detail's own Ship waits."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        return _live_shipment(session, order_id)


def _live_shipment(session: Session, order_id: int) -> str | None:
    """The order's live shipment, by the rule Edit and the address change use
    (`shipping.OwnOrder.live_shipment`): one rule for all three."""
    from primedist.services.shipping import own_order  # shipping builds on this module

    return own_order(session, order_id).live_shipment


def exchange_refusal(session: Session, order: Order) -> Message | None:
    """Why an order that an exchange's returned items paid for cannot be edited or
    cancelled (None: no exchange paid for it): the credit was fixed when the items came
    back, so a smaller order would "give back" money nobody gave, and a cancelled one would
    keep the refund paid into it. Its items come back by a return instead."""
    paid_by = [x.number for x in _credits(session, _id(order))]
    if not paid_by:
        return None
    return msg("Order {external_id} was paid with items returned from {returned_from} (an "
               "exchange): it cannot be edited or cancelled; return its items instead.",
               external_id=order.external_id, returned_from=paid_by)  # fmt: skip


def _load(session: Session, order_id: int, *, lock: bool = False) -> Order:
    """The order; `lock`: FOR UPDATE, so another PC's change of it waits for ours."""
    order = session.get(Order, order_id, with_for_update=lock)
    if order is None:
        raise NotFound(msg("Order {order} no longer exists.", order=str(order_id)))
    return order


def change_status(
    ctx: ServiceContext, order_id: int, to: OrderStatus, *, reason: str | None = None
) -> Order:
    """Move one order to a new status (the rules of `Order.can_change_to`). Returned (every
    item back, refunded) and the cancel of a paid order need the right "Refunds and
    returns" (`ServiceContext.require_refunds`)."""
    actor = ctx.require(Module.ORDERS)
    if to == OrderStatus.RETURNED:
        ctx.require_refunds()
        return _return_everything(ctx, order_id, reason)
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        order = _load(session, order_id)
        _transition(ctx, session, order, to, actor=actor, reason=reason, now=now)
        session.flush()
        orders_changed(session.connection(), [order_id], now=now)
    return order


def _bulk(
    ctx: ServiceContext, order_ids: Iterable[int], to: OrderStatus, reason: str | None
) -> BulkResult:
    actor = ctx.require(Module.ORDERS)
    if to == OrderStatus.CANCELLED and not (reason or "").strip():
        raise ValidationError(msg("Say why the orders are cancelled."), field="reason")
    now = ctx.clock.now()
    result = BulkResult()
    with ctx.uow(write=True) as session:
        touched: set[int] = set()
        for order_id in dict.fromkeys(order_ids):
            order = session.get(Order, order_id)
            if order is None:
                result.skipped.append((order_id, "?", "no longer exists"))
                continue
            if not order.can_change_to(to):
                result.skipped.append((order_id, order.external_id, order.status.value))
                continue
            refusal = _refusal(session, order, to)  # a live shipment, an exchange's credit
            if refusal is None and to == OrderStatus.CANCELLED:
                refusal = refund_right_refusal(session, actor, order)  # paid: skipped
            if refusal is not None:
                result.skipped.append((order_id, order.external_id, refusal))
                continue
            _move(ctx, session, order, to, reason=reason, now=now)
            result.done.append(order_id)
            if order.customer_id is not None:
                touched.add(order.customer_id)
        session.flush()
        orders_changed(session.connection(), result.done, now=now, customer_ids=touched)
    return result


def confirm_orders(ctx: ServiceContext, order_ids: Iterable[int]) -> BulkResult:
    """Confirm every pending order of `order_ids`; the others are skipped with why."""
    return _bulk(ctx, order_ids, OrderStatus.CONFIRMED, None)


def cancel_orders(ctx: ServiceContext, order_ids: Iterable[int], reason: str) -> BulkResult:
    """Cancel every cancellable order of `order_ids` with `reason`."""
    return _bulk(ctx, order_ids, OrderStatus.CANCELLED, reason)


#: Orders a flag's audit summary names (its After keeps up to 100).
FLAG_NAMED = 20


def set_flag(ctx: ServiceContext, order_ids: Iterable[int], flagged: bool) -> int:
    """Flag or unflag orders; returns how many changed."""
    ctx.require(Module.ORDERS)
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        return 0
    table = Order.__table__  # type: ignore[attr-defined]
    with ctx.uow() as session:
        changed = 0
        codes: list[str] = []  # the orders' numbers: the log names them, not their ids
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            to_change = sa.and_(table.c.id.in_(chunk), table.c.flagged != flagged)
            codes += session.connection().execute(
                sa.select(table.c.external_id).where(to_change).order_by(table.c.id)
            ).scalars().all()  # fmt: skip
            res = session.connection().execute(
                sa.update(table).where(to_change).values(flagged=flagged)
            )
            changed += res.rowcount or 0
        named = ", ".join(codes[:FLAG_NAMED]) + (f" (+{len(codes) - FLAG_NAMED})"
                                                 if len(codes) > FLAG_NAMED else "")  # fmt: skip
        ctx.audit(session, "order.flag" if flagged else "order.unflag", entity_type="order",
                  entity_id=ids[0] if len(ids) == 1 else None,
                  summary=msg("{count} orders: {orders}", count=changed, orders=named)
                  if codes else msg("{count} orders", count=changed),
                  after={"orders": codes[:100]})  # fmt: skip
    return changed


class NoteChanged(Conflict):
    """The staff note changed on another screen or PC since the editor showed it: nothing
    was saved; `current` is the note as it is now ('' for none), to merge with the text
    typed."""

    def __init__(self, message: str, current: str) -> None:
        super().__init__(message)
        self.current = current


def set_staff_note(
    ctx: ServiceContext, order_id: int, note: str, *, loaded: str | None = None
) -> None:
    """The staff note of an order (never printed). `loaded`: the note as the editor showed
    it ('' for none; None: no check). NoteChanged, nothing saved, when the stored note is
    another by now — else the later save of two screens would silently drop the other's
    text. The note itself is compared, not the order's time: a sync or a status change
    meanwhile is no clash."""
    ctx.require(Module.ORDERS)
    # Locked: a save of the same note on another PC waits, then sees this one's.
    with ctx.uow(write=True) as session:
        order = _load(session, order_id, lock=True)
        before = order.staff_note
        after = _clean(note, MAX_NOTE, lines=True)
        if loaded is not None and (before or "") not in (loaded, after or ""):
            raise NoteChanged(_note_changed_by(session, order), before or "")
        order.staff_note = after
        order.updated_at = ctx.clock.now()
        session.add(order)
        ctx.audit(session, "order.note", entity_type="order", entity_id=order_id,
                  summary=order.external_id, before=before, after=order.staff_note)  # fmt: skip


def _note_changed_by(session: Session, order: Order) -> Message:
    """Why the note cannot be saved: who stored the note there is now, and when (its
    latest audit row), when known."""
    a, u = table_of(AuditEvent).c, table_of(User).c
    last = session.connection().execute(
        sa.select(u.name, a.created_at)
        .select_from(table_of(AuditEvent).outerjoin(table_of(User)))
        .where(a.action == "order.note", a.entity_type == "order",
               a.entity_id == str(order.id))
        .order_by(a.created_at.desc(), a.id.desc()).limit(1)
    ).first()  # fmt: skip
    if last is None:
        return msg("The staff note of order {order} was changed on another screen or PC "
                   "since you opened it: nothing was saved. Your text is kept beside the "
                   "note as it is now: merge them and save again.",
                   order=order.external_id)  # fmt: skip
    if last.name is None:
        return msg("The staff note of order {order} was changed on another screen or PC "
                   "since you opened it (at {time}): nothing was saved. Your text is kept "
                   "beside the note as it is now: merge them and save again.",
                   order=order.external_id, time=as_utc(last.created_at))  # fmt: skip
    return msg("The staff note of order {order} was changed on another screen or PC since "
               "you opened it (by {user} at {time}): nothing was saved. Your text is kept "
               "beside the note as it is now: merge them and save again.",
               order=order.external_id, user=last.name, time=as_utc(last.created_at))  # fmt: skip


# --------------------------------------------------------------------------- returns


@dataclass(frozen=True)
class ReturnResult:
    refund_amount: int
    status: OrderStatus
    items_returned: int
    #: Of a sale on account's refund, the money given back (the rest came off what the
    #: customer owes), and how.
    given_back: int = 0
    given_back_method: PaymentMethod | None = None
    #: Of `items_returned`, the units kept off the shelf (defective: written off).
    not_restocked: int = 0


#: Ends the reason of the stock-out that writes off returned units kept off the shelf
#: (stored in English; the stock history shows it in the reader's language).
NOT_RESTOCKED = " — not restocked"

RETURNABLE = (OrderStatus.COMPLETED, OrderStatus.RETURN_REFUND)


def suggested_refund(
    order: Order, lines: Sequence[OrderLine], quantities: Mapping[int, int], *, paid: int
) -> int:
    """The refund for returning these quantities: their share of the lines, less the order
    discounts pro rata, to the nearest 1,000 ₫ (`cash_round`: 96,934 ₫ cannot be paid in
    cash); never more than what is left to refund. When they are the last
    items of the order, what is left to refund (shipping included): every way of
    returning everything (item by item, all at once, status → Returned) refunds the
    total, whatever the rounding of the shares before. A COD parcel back undelivered
    gives back only what was `paid` towards it (`paid_towards`; `_owed_back`)."""
    left = _owed_back(order, paid)
    wanted = {line.id: quantities.get(line.id or 0, 0) for line in lines}
    if any(wanted.values()) and all(
        line.returned_quantity + wanted[line.id] >= line.quantity for line in lines
    ):
        return max(0, left)
    goods = sum(line.subtotal * wanted[line.id] // line.quantity for line in lines)
    if order.subtotal > 0:
        goods = goods * (order.total - order.shipping_fee) // order.subtotal
    return max(0, min(cash_round(goods), left))


#: A partial refund's suggestion is a sum the till can pay out in notes.
REFUND_STEP = 1_000


def cash_round(amount: int) -> int:
    """`amount` to the nearest 1,000 ₫ (half up: neither side loses more than 500 ₫ on a
    partial return, and the last return evens it out); under 1,000 ₫ it stays as it is
    (rounding would give nothing back)."""
    if amount < REFUND_STEP:
        return amount
    return (amount + REFUND_STEP // 2) // REFUND_STEP * REFUND_STEP


def points_back(order: Order, lines: Sequence[OrderLine], quantities: Mapping[int, int]) -> int:
    """The redeemed points that returning these quantities gives back to the customer:
    their share of the points the order was paid with, the rest of them with its last
    items (`points.redeemed_due`, which the ledger writes as the return is saved)."""
    if not order.points_used or order.customer_id is None:
        return 0
    goods = sum(line.subtotal for line in lines)

    def due(wanted: Mapping[int, int]) -> int:
        back = {line.id: line.returned_quantity + wanted.get(line.id or 0, 0) for line in lines}
        came_back = sum(line.subtotal * back[line.id] // line.quantity
                        for line in lines if line.quantity > 0)  # fmt: skip
        ended = all(back[line.id] >= line.quantity for line in lines)
        return redeemed_due(order.points_used, goods, came_back, ended=ended)

    return max(0, due(quantities) - due({}))


def points_taken_back(
    order: Order, lines: Sequence[OrderLine], quantities: Mapping[int, int], refund: int
) -> int:
    """The earned points that returning these quantities with this refund takes back from
    the customer, as the ledger then reverses them (`points.reconcile_order_points`: a
    completed order earns (total − refunded) ÷ its own rate, a returned one nothing) and
    the receipt prints them (`points.taken_back` over the earn rows)."""
    if not order.points_earned or order.customer_id is None:
        return 0
    everything_back = all(
        line.returned_quantity + quantities.get(line.id or 0, 0) >= line.quantity for line in lines
    )
    if everything_back:  # returned: it earns nothing; else completed again (`return_in`)
        earned = 0
    elif order.points_rate:
        earned = max(order.total - order.refunded_amount - refund, 0) // order.points_rate
    else:  # earned before orders kept their rate: what it earned stays
        earned = order.points_earned
    return taken_back([order.points_earned, earned - order.points_earned])


def return_order(
    ctx: ServiceContext,
    order_id: int,
    quantities: Mapping[int, int],
    *,
    reason: str,
    refund_amount: int | None = None,
    source: str = "user",
    method: PaymentMethod | None = None,
    not_restocked: Collection[int] = (),
    back_to_stock: Mapping[int, int] | None = None,
) -> ReturnResult:
    """Return some or all items of a completed order: refund recorded, items restocked,
    history and customer statistics updated. `quantities` = {order line id: qty};
    `source`: who the history rows say did it (`carrier`: the parcel came back); `method`:
    how the money goes back when not the way it was paid (cash at the counter for a
    transfer sale: End of day takes it out of the drawer); `back_to_stock`: {order line
    id: how many of its returned units go back on sale}, the rest written off (a line left
    out: all of them); `not_restocked`: line ids none of whose units go back (as 0 there).
    Needs the right "Refunds and returns" (`ServiceContext.require_refunds`)."""
    ctx.require_refunds()
    return _return_order(ctx, order_id, quantities, reason=reason,
                         refund_amount=refund_amount, source=source, method=method,
                         not_restocked=not_restocked, back_to_stock=back_to_stock)  # fmt: skip


def _return_order(
    ctx: ServiceContext,
    order_id: int,
    quantities: Mapping[int, int],
    *,
    reason: str,
    refund_amount: int | None = None,
    source: str = "user",
    method: PaymentMethod | None = None,
    not_restocked: Collection[int] = (),
    back_to_stock: Mapping[int, int] | None = None,
) -> ReturnResult:
    """`return_order` without the user's refund right, for a return nobody chose at the
    till: a parcel the carrier brought back (`shipping._finish_return`, run by any Orders
    user's tracking). Its callers check Orders."""
    with ctx.uow(write=True) as session:
        result, _refunds = return_in(session, ctx, order_id, quantities, reason=reason,
                                     refund_amount=refund_amount, now=ctx.clock.now(),
                                     method=method, source=source,
                                     not_restocked=not_restocked,
                                     back_to_stock=back_to_stock)  # fmt: skip
    return result


def return_in(
    session: Session, ctx: ServiceContext, order_id: int, quantities: Mapping[int, int], *,
    reason: str, refund_amount: int | None, now: datetime, method: PaymentMethod | None = None,
    source: str = "user", exchange: bool = False, not_restocked: Collection[int] = (),
    back_to_stock: Mapping[int, int] | None = None,
) -> tuple[ReturnResult, list[OrderRefund]]:  # fmt: skip
    """`return_order` inside the caller's transaction; `method`: how the money goes back
    when not the order's own way (an exchange; `refund_parts` for a sale on account);
    `exchange`: the items come back in an exchange (the history says a credit, not a refund);
    `back_to_stock` / `not_restocked`: how many of a line's units go back on sale, the
    others coming back but written off (on hand as before for them).
    Returns the result and the refund rows."""
    # A service's own reason (a Message) stays one: the audit log words it for the reader.
    reason = reason if isinstance(reason, Message) else clean_line(reason)
    if not reason:
        raise ValidationError(msg("Say why the items come back."), field="reason")
    order = _load(session, order_id, lock=True)  # two PCs never return the same item twice
    if order.status not in RETURNABLE:
        raise Conflict(
            msg("Order {order} is {status}: only completed orders can be returned.",
                order=order.external_id, status=order.status)
        )  # fmt: skip
    lines = lines_of(session, order.id)
    by_id = {line.id: line for line in lines}
    wanted = {k: v for k, v in quantities.items() if v}
    if not wanted:
        raise ValidationError(msg("Choose at least one item to return."), field="quantity")
    for line_id, qty in wanted.items():
        line = by_id.get(line_id)
        if line is None:
            raise ValidationError(msg("Line {line} is not part of {order}.", line=str(line_id),
                                      order=order.external_id))  # fmt: skip
        left = line.quantity - line.returned_quantity
        if qty < 0 or qty > left:
            raise ValidationError(
                msg(
                    "{item}: between 0 and {left} can be returned.",
                    item=line.sku or line.product_name,
                    left=left,
                ),
                field="quantity",
            )
    if refund_amount is None:
        refund = suggested_refund(order, lines, wanted, paid=paid_towards_in(session, order))
    else:
        refund = refund_amount
    if refund < 0 or refund > order.total - order.refunded_amount:
        raise ValidationError(
            msg(
                "The refund must be between 0 and {refundable}.",
                refundable=order.total - order.refunded_amount,
            ),
            field="refund_amount",
        )
    problem = back_to_stock_problem(by_id, wanted, back_to_stock or {})
    if problem is not None:
        raise ValidationError(problem, field="back_to_stock")
    kept = written_off(by_id, wanted, back_to_stock or {}, not_restocked)
    for line_id, qty in wanted.items():
        line = by_id[line_id]
        line.returned_quantity += qty
        session.add(line)
        if line.variant_id is not None:
            note = f"{order.external_id}: {reason}"[:255]
            move_stock(ctx, session, line.variant_id, StockMoveKind.RETURN, quantity=qty,
                       order_id=order.id, reason=note)  # fmt: skip
            if kept.get(line_id):
                # Back from the customer, then written off: the history shows both, and
                # the marketplace push (coalesced) carries only the restocked units.
                off = note[: 255 - len(NOT_RESTOCKED)] + NOT_RESTOCKED
                move_stock(ctx, session, line.variant_id, StockMoveKind.STOCK_OUT,
                           quantity=-kept[line_id], order_id=order.id, reason=off)  # fmt: skip
    parts = refund_parts(session, order, refund, method)
    order.refunded_amount += refund
    rows = [
        OrderRefund(order_id=order_id, amount=amount, items=sum(wanted.values()) if i == 0 else 0,
                    reason=reason[:255], user_id=ctx.actor.id, created_at=now, method=way)
        for i, (amount, way) in enumerate(parts)
    ]  # fmt: skip
    session.add_all(rows)
    given_back, given_back_method = _given_back(order, parts)
    everything_back = all(line.returned_quantity == line.quantity for line in lines)
    before = order.status
    to = OrderStatus.RETURNED if everything_back else OrderStatus.COMPLETED
    if before == OrderStatus.COMPLETED and to == OrderStatus.RETURNED:
        order.status = OrderStatus.RETURN_REFUND  # completed → return/refund → returned
        _add_history(session, ctx, order, before, OrderStatus.RETURN_REFUND, now, note=reason,
                     source=source)  # fmt: skip
        before = OrderStatus.RETURN_REFUND
    items, kept_out = sum(wanted.values()), sum(kept.values())
    note = _return_note(items, refund, reason, exchange=exchange, kept=kept_out)
    _add_history(session, ctx, order, before, to, now, note=note, source=source)
    order.status = to
    order.updated_at = now
    session.add(order)
    session.flush()
    orders_changed(session.connection(), [order_id], now=now)
    after = {"lines": _by_sku(by_id, wanted), "refund": refund}
    if given_back:
        after |= {"given_back": given_back, "method": str(given_back_method)}
    if kept:
        after |= {"not_restocked": _by_sku(by_id, kept)}
    ctx.audit(session, "order.return", entity_type="order", entity_id=order.id,
              summary=msg("{order}: {note}", order=order.external_id, note=note),
              after=after)  # fmt: skip
    return ReturnResult(refund, to, items, given_back, given_back_method, kept_out), rows


def back_to_stock_problem(
    lines: Mapping[int | None, OrderLine], wanted: Mapping[int, int],
    back_to_stock: Mapping[int, int],
) -> Message | None:  # fmt: skip
    """Why `back_to_stock` ({order line id: units back on sale}) does not fit the quantities
    returned (`wanted`), naming the line; None when it does."""
    for line_id, back in back_to_stock.items():
        line = lines.get(line_id)
        returned = wanted.get(line_id, 0)
        if line is not None and 0 <= back <= returned:
            continue
        return msg("{item}: between 0 and {returned} can go back to stock (the quantity "
                   "returned).", item=(line.sku or line.product_name) if line else str(line_id),
                   returned=returned)  # fmt: skip
    return None


def written_off(
    lines: Mapping[int | None, OrderLine], wanted: Mapping[int, int],
    back_to_stock: Mapping[int, int], not_restocked: Collection[int] = (),
) -> dict[int, int]:  # fmt: skip
    """{order line id: returned units written off} for the lines with some: what is not in
    `back_to_stock` (a line left out: none, or all of it when in `not_restocked`). Only
    stock-tracked lines: a line without a product of its own has no stock to keep."""
    kept: dict[int, int] = {}
    for line_id, qty in wanted.items():
        if lines[line_id].variant_id is None:
            continue
        back = back_to_stock.get(line_id, 0 if line_id in not_restocked else qty)
        if qty - back > 0:
            kept[line_id] = qty - back
    return kept


def _return_note(
    items: int, refund: int, reason: str | Message, *, exchange: bool, kept: int = 0
) -> Message:
    """The history's words for a return. An exchange's money is no refund: it pays for the
    new sale (or comes off what is owed), and "refund" read as cash handed back. `kept`:
    units written off instead of restocked (the order detail says how many)."""
    if exchange and kept:
        return msg("Returned {items} item(s) for an exchange, credit {credit}, {kept} not "
                   "restocked: {reason}", items=items, credit=refund, kept=kept,
                   reason=reason)  # fmt: skip
    if kept:
        return msg("Returned {items} item(s), refund {refund}, {kept} not restocked: {reason}",
                   items=items, refund=refund, kept=kept, reason=reason)  # fmt: skip
    if exchange:
        return msg("Returned {items} item(s) for an exchange, credit {credit}: {reason}",
                   items=items, credit=refund, reason=reason)  # fmt: skip
    return msg("Returned {items} item(s), refund {refund}: {reason}", items=items,
               refund=refund, reason=reason)  # fmt: skip


def _by_sku(lines: Mapping[int | None, OrderLine], quantities: Mapping[int, int]) -> dict[str, int]:
    """Quantities by line id as the audit row names them: by SKU (the product's name for
    a line without one), a SKU on two lines once."""
    named: dict[str, int] = {}
    for line_id, qty in quantities.items():
        line = lines[line_id]
        key = line.sku or line.product_name
        named[key] = named.get(key, 0) + qty
    return named


def refund_parts(
    session: Session, order: Order, refund: int, method: PaymentMethod | None
) -> list[tuple[int, PaymentMethod | None]]:
    """(amount, method) of a refund's rows: one, by `method` (None = the order's own way).
    A sale on account's refund comes off what it still owes first (method None); the rest
    gives back what was paid with it (`account.paid_with_sale`), by `method` (an exchange:
    it pays for the new sale) or else the way it was paid. `method` on account (an
    exchange for a new sale on account) keeps it all on the account."""
    if order.payment_method != PaymentMethod.ON_ACCOUNT:
        return [(refund, method)]
    if method == PaymentMethod.ON_ACCOUNT:
        return [(refund, None)]
    paid = account.paid_with_sale(session.connection(), _id(order))
    owed = max(0, order.total - order.refunded_amount - paid.amount)
    back = min(paid.amount, max(0, refund - owed))
    parts = [(refund - back, None), (back, method or paid.method)]
    return [part for part in parts if part[0]] or [(refund, None)]


def _given_back(
    order: Order, parts: list[tuple[int, PaymentMethod | None]]
) -> tuple[int, PaymentMethod | None]:
    """What of a sale on account's refund was given back as money, and how."""
    if order.payment_method != PaymentMethod.ON_ACCOUNT:
        return 0, None
    back = [(amount, way) for amount, way in parts if way is not None]
    return (back[0][0], back[0][1]) if back else (0, None)


def _return_everything(ctx: ServiceContext, order_id: int, reason: str | None) -> Order:
    """Returned as a status change = every item left comes back, the rest is refunded."""
    with ctx.uow() as session:
        order = _load(session, order_id)
        if order.status != OrderStatus.RETURN_REFUND:
            raise Conflict(
                msg(
                    "Order {external_id} is {status}: it cannot become returned.",
                    external_id=order.external_id,
                    status=order.status,
                )
            )
        left = {
            line.id or 0: line.quantity - line.returned_quantity
            for line in lines_of(session, order.id)
        }
        owed = _owed_back(order, paid_towards_in(session, order))
    return_order(ctx, order_id, left, reason=reason or "Returned", refund_amount=owed)
    with ctx.uow() as session:
        return _load(session, order_id)


def _owed_back(order: Order, paid: int) -> int:
    """What returning everything gives back: the rest of the total, except for a COD parcel
    that came back undelivered — its money never came in, so only what was `paid`
    towards it (`paid_towards`: an exchange's credit too), as the carrier's return
    refunds (`shipping._finish_return`)."""
    if order.payment_method == PaymentMethod.COD and order.completed_at is None:
        return max(0, paid - order.refunded_amount)
    return order.total - order.refunded_amount


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class HistoryEntry:
    from_status: OrderStatus | None
    to_status: OrderStatus
    user_name: str | None
    source: str
    note: str | None
    changed_at: datetime


#: Audit actions that change an order without changing its status (its detail lists them
#: with the status history).
EVENT_ACTIONS = ("order.edit", "order.address")


@dataclass(frozen=True)
class OrderEvent:
    """An edit of the order, or a new delivery address: who, when, and what it became."""

    action: str
    user_name: str | None
    changed_at: datetime
    #: The order's values before and after (`order_edit._snapshot`, the address columns).
    before: Mapping[str, object]
    after: Mapping[str, object]


@dataclass(frozen=True)
class ExchangeLink:
    """One exchange seen from an order: `paid_this` = items of `number` came back and
    their `amount` (the credit) paid for this order; else items of this order came back
    and paid `amount` towards `number`."""

    order_id: int
    number: str
    amount: int
    paid_this: bool
    #: False when the returned items' value came off what the customer owes instead (the
    #: old sale was on account) and paid nothing at the till.
    settled: bool = True
    #: The part of a credit over this order's total: the shop gave it back when the
    #: items came back (`credit_used`).
    given_back: int = 0

    @property
    def credits(self) -> bool:
        """The returned items' value paid for this order (an exchange credit)."""
        return self.paid_this and self.settled

    @property
    def used(self) -> int:
        """What the credit paid of this order: `amount` less what was given back."""
        return self.amount - self.given_back


@dataclass(frozen=True)
class FailedAction:
    """An action of the order the platform did not take (the Sync panel's failed row)."""

    id: int
    kind: str
    #: Why, as the outbox keeps it (English; the UI words it in the reader's language).
    last_error: str | None


@dataclass(frozen=True)
class OrderDetail:
    """Everything the order detail shows (detached rows: read-only)."""

    order: Order
    shop: Shop
    lines: tuple[OrderLine, ...]
    history: tuple[HistoryEntry, ...]
    customer: Customer | None
    events: tuple[OrderEvent, ...] = ()
    #: The goods in grams when every product of the order has a weight (`goods_weight`).
    goods_weight_g: int | None = None
    #: Exchanges (*đổi hàng*) this order took part in.
    exchanges: tuple[ExchangeLink, ...] = ()
    #: The code of the shop's voucher the order used (None: none, or a channel's own).
    voucher_code: str | None = None
    #: The points given back and taken back since the sale (returns, a cancel), from the
    #: ledger: the receipt reprinted after a return says them.
    points: OrderPoints = OrderPoints()
    #: Whether the lines carry their unit costs: the shop's costs are for Analytics users
    #: only (`order_detail` leaves them out for the others).
    with_costs: bool = True
    #: Its marketplace (or carrier) actions that failed for good, oldest first: the order
    #: shows here as it was made (confirmed, cancelled), not as the platform has it.
    failed_actions: tuple[FailedAction, ...] = ()
    #: Why its oldest action still waiting was not sent yet (a failed try, its shop not
    #: linked…), as the outbox keeps it (English); None when it was not tried yet.
    waiting_note: str | None = None
    #: The name of the user who made the sale (the receipt's cashier; None for an order
    #: from a marketplace or the system, or a user deleted since).
    created_by: str | None = None
    #: Whether the reader may take returns, exchange and give refunds (`Actor.may_refund`,
    #: their account as it stands now): the detail offers Return… and Exchange… by it.
    may_refund: bool = True

    @property
    def gross_profit(self) -> int | None:
        """What the units kept earn over their cost (as Analytics' Gross profit: each
        line's subtotal share of its units not returned − those units × its unit cost);
        None for an order Analytics does not count (cancelled, in return or returned) and
        for a user who may not see costs."""
        if not self.with_costs or self.order.status in NOT_COUNTED:
            return None
        return sum(line_profit(ln) for ln in self.lines)

    @property
    def exchange_credit(self) -> int:
        """What items returned from other orders were worth towards this one (their
        credit, whole: above the total the shop gave the rest back, as the receipt
        says; `credit_used`)."""
        return sum(x.amount for x in self.exchanges if x.credits)

    @property
    def cod_due(self) -> int:
        """What the carrier collects on delivery (`cod_due`)."""
        return cod_due(self.order, self.exchange_credit)

    @property
    def paid_towards(self) -> int:
        """What the customer has paid towards the order so far (`paid_towards`)."""
        return paid_towards(self.order, self.exchange_credit)

    @property
    def channel(self) -> Channel:
        return Channel(self.shop.channel)

    @property
    def by_hand(self) -> str | None:
        """The step ("confirm"/"cancel") the seller must repeat in the channel's seller
        center: a user last moved this marketplace order here to a status the channel
        cannot be told about from the app. None otherwise."""
        action = OUTBOX_ACTIONS.get(self.order.status)
        if action is None or not self.channel.is_marketplace or not self.history:
            return None
        last = self.history[-1]
        if last.to_status != self.order.status or last.source != "user":
            return None
        return None if channel_can(self.channel, KIND_ACTIONS[f"order.{action}"]) else action


def cod_due(order: Order, exchange_credit: int) -> int:
    """What the carrier collects on delivery of a COD order: its total less what was paid
    and what an exchange's returned items paid towards it (the sale's own `paid_amount`
    is 0: the credit is the old order's refund). 0 for any other payment. The shipment's
    COD and the printed documents both say this amount."""
    if order.payment_method != PaymentMethod.COD:
        return 0
    return max(0, order.total - order.paid_amount - exchange_credit)


def cod_due_in(session: Session, order: Order) -> int:
    """`cod_due` of a stored order, its exchange credit read."""
    return cod_due(order, _credit_in(session, order))


def paid_towards(order: Order, exchange_credit: int) -> int:
    """What the customer has paid towards an order so far: its `paid_amount`, plus what an
    exchange's returned items paid for it when that is not in it (a COD, transfer or
    e-wallet sale records nothing at the sale; cash and card record the whole total,
    the credit included). What a cancel or an undelivered parcel gives back."""
    if order.payment_method in (PaymentMethod.CASH, PaymentMethod.CARD):
        return order.paid_amount
    return order.paid_amount + credit_used(order, exchange_credit)


def credit_used(order: Order, exchange_credit: int) -> int:
    """What an exchange's credit paid of the order: at most its total (items worth more
    than the new sale: the shop gave the rest back when they came back)."""
    return min(exchange_credit, order.total)


def paid_towards_in(session: Session, order: Order) -> int:
    """`paid_towards` of a stored order, its exchange credit read (only when it counts)."""
    if order.payment_method in (PaymentMethod.CASH, PaymentMethod.CARD):
        return order.paid_amount
    return paid_towards(order, _credit_in(session, order))


def _credit_in(session: Session, order: Order) -> int:
    """What exchanges' credits paid of a stored order (`credit_used`)."""
    return credit_used(order, sum(x.amount for x in _credits(session, _id(order))))


def line_profit(line: OrderLine) -> int:
    """A line's gross profit on its units kept (queries/reports.kept_profit, in Python)."""
    kept = line.quantity - line.returned_quantity
    return line.subtotal * kept // line.quantity - kept * (line.unit_cost or 0)


def order_detail(ctx: ServiceContext, order_id: int) -> OrderDetail:
    """An order with its shop, lines, status history (who, when) and customer; the lines'
    unit costs (and so the gross profit) only for a user who sees Analytics, as the sale
    screen's quote (`with_costs_for`)."""
    actor = ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        order = _load(session, order_id)
        shop = session.get(Shop, order.shop_id)
        assert shop is not None
        rows = session.exec(
            select(OrderStatusChange, User.name)
            .join(User, col(User.id) == OrderStatusChange.user_id, isouter=True)
            .where(OrderStatusChange.order_id == order_id)
            .order_by(col(OrderStatusChange.changed_at), col(OrderStatusChange.id))
        ).all()
        history = tuple(
            HistoryEntry(c.from_status, c.to_status, name, c.source, c.note, c.changed_at)
            for c, name in rows
        )
        customer = session.get(Customer, order.customer_id) if order.customer_id else None
        voucher = session.get(Voucher, order.voucher_id) if order.voucher_id else None
        detail = OrderDetail(order, shop, tuple(lines_of(session, order.id)), history,
                             customer, _events(session, order_id),
                             goods_weight(session, order_id), _exchanges(session, order_id),
                             voucher.code if voucher else None,
                             points=order_points(session.connection(), order_id),
                             failed_actions=_failed_actions(session, order_id),
                             waiting_note=_waiting_note(session, order_id),
                             created_by=_user_name(session, order.created_by_id),
                             may_refund=actor.may_refund)  # fmt: skip
    if actor.can(Module.ANALYTICS):
        return detail
    lines = tuple(_without_cost(line) for line in detail.lines)
    return replace(detail, lines=lines, with_costs=False)


def _user_name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.name if user is not None else None


def _failed_actions(session: Session, order_id: int) -> tuple[FailedAction, ...]:
    c = outbox_t.c
    rows = session.connection().execute(
        sa.select(c.id, c.kind, c.last_error)
        .where(c.order_id == order_id, c.status == OutboxStatus.FAILED).order_by(c.id)
    )  # fmt: skip
    return tuple(FailedAction(int(i), str(kind), error) for i, kind, error in rows)


def _waiting_note(session: Session, order_id: int) -> str | None:
    c = outbox_t.c
    waiting = (OutboxStatus.PENDING, OutboxStatus.IN_PROGRESS)
    return session.connection().execute(
        sa.select(c.last_error)
        .where(c.order_id == order_id, c.status.in_(waiting)).order_by(c.id).limit(1)
    ).scalar()  # fmt: skip


def _without_cost(line: OrderLine) -> OrderLine:
    """A copy of an order line read without its unit cost: the row read keeps its own, so
    nothing can write the missing cost back."""
    return OrderLine.model_validate({**line.model_dump(), "unit_cost": None})


def _exchanges(session: Session, order_id: int) -> tuple[ExchangeLink, ...]:
    """The exchanges an order took part in, oldest first, either way."""
    refunds, orders = table_of(OrderRefund), table_of(Order)
    r, o = refunds.c, orders.c
    other = sa.case((r.order_id == order_id, r.exchange_order_id), else_=r.order_id)
    rows = session.connection().execute(
        sa.select(o.id, o.external_id, r.amount, r.exchange_order_id == order_id,
                  r.method.is_not(None))
        .select_from(refunds.join(orders, o.id == other))
        .where(sa.or_(r.exchange_order_id == order_id,
                      sa.and_(r.order_id == order_id, r.exchange_order_id.is_not(None))))
        .order_by(r.id)
    )  # fmt: skip
    links = [ExchangeLink(int(i), number, int(amount), bool(paid), bool(settled))
             for i, number, amount, paid, settled in rows]  # fmt: skip
    return _with_given_back(links, _load(session, order_id).total)


def _with_given_back(links: list[ExchangeLink], total: int) -> tuple[ExchangeLink, ...]:
    """`links` with the part of their credits over the order's `total` given back (the
    oldest credit pays first)."""
    left = total
    out = []
    for link in links:
        if link.credits:
            used = min(link.amount, left)
            left -= used
            link = replace(link, given_back=link.amount - used)
        out.append(link)
    return tuple(out)


def _credits(session: Session, order_id: int) -> list[ExchangeLink]:
    """The exchanges whose returned items paid towards the order (`ExchangeLink.credits`)."""
    return [x for x in _exchanges(session, order_id) if x.credits]


def _events(session: Session, order_id: int) -> tuple[OrderEvent, ...]:
    # Few rows carry these actions: their (action, created_at) index finds them.
    rows = session.exec(
        select(AuditEvent, User.name)
        .join(User, col(User.id) == AuditEvent.user_id, isouter=True)
        .where(col(AuditEvent.action).in_(EVENT_ACTIONS), AuditEvent.entity_type == "order",
               AuditEvent.entity_id == str(order_id))
        .order_by(col(AuditEvent.created_at), col(AuditEvent.id))
    ).all()  # fmt: skip
    return tuple(OrderEvent(e.action, name, e.created_at, _json(e.before_json),
                            _json(e.after_json)) for e, name in rows)  # fmt: skip


def _json(text: str | None) -> Mapping[str, object]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def order_ids_by_number(ctx: ServiceContext, external_id: str) -> list[int]:
    """Orders with this order number (one per shop at most)."""
    ctx.require(Module.ORDERS)
    with ctx.uow() as session:
        return [
            int(i)
            for i in session.exec(
                select(Order.id).where(Order.external_id == external_id.strip())
            ).all()
            if i is not None
        ]


def order_numbers(ctx: ServiceContext, order_ids: Iterable[int]) -> dict[int, str]:
    """Order id → its order number (what a saved PDF's file name says)."""
    ctx.require(Module.ORDERS)
    ids = sorted(set(order_ids))
    with ctx.uow() as session:
        return {
            int(i): str(n)
            for i, n in session.exec(
                select(Order.id, Order.external_id).where(col(Order.id).in_(ids))
            ).all()
            if i is not None
        }
