"""Purchase orders (*đặt hàng nhập*): ordering from a supplier before the goods come.

`create_order` records what was asked for (no stock moves: the goods are not here).
A goods receipt made against an order (`ReceiptDraft.purchase_order_id`) counts its units
towards the order's lines (`count_receipt`, in the receipt's transaction; cancelling the
receipt takes them off again, `uncount_receipt`), so the order shows what is still to come.
An order is cancelled before anything came, or closed by hand when the rest will not come
(reopened when a receipt against it is cancelled: its units are awaited again). Any
receipt against it counts as something that came, even when it brought none of the SKUs
ordered: such an order is closed, not cancelled.

`suggested_lines` proposes what to order from a supplier: the SKUs it delivered before that
are low on stock now (available at or below their low-stock level), each brought up to
twice its level (at least one above it), less what open orders already bring, at the last
unit cost it charged.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import shop_tz, to_local
from primedist.core.messages import msg
from primedist.core.search_keys import search_text
from primedist.core.text import clean_line, fold
from primedist.db.product_summary import shop_default_level
from primedist.domain.base import table_of
from primedist.domain.enums import Module, ProductStatus
from primedist.domain.goods_receipt import (
    MAX_RECEIPT_QUANTITY,
    GoodsReceipt,
    GoodsReceiptLine,
)
from primedist.domain.product import Product, SkuGroup, Variant
from primedist.domain.purchase_order import (
    MAX_ORDER_LINES,
    OPEN_STATES,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderState,
    can_cancel_order,
    can_close_order,
    order_state,
)
from primedist.domain.supplier import Supplier, SupplierReturn, SupplierReturnLine
from primedist.domain.user import User
from primedist.errors import NotFound, ValidationError
from primedist.io.xlsx_writer import XlsxColumn
from primedist.jobs.progress import NullProgress, Progress
from primedist.queries.stock import awaited_units, open_purchase_order
from primedist.services import suppliers
from primedist.services.context import ServiceContext
from primedist.services.export_support import (
    ExportReport,
    audit_export,
    check_target,
    lang_index,
    replaced_when_done,
    stream_rows,
)
from primedist.services.goods_lines import check_lines
from primedist.services.sale_lookup import VariantHit, variant_hits_in

MAX_NOTE = 255
#: Orders one list shows (the newest that match).
LIST_LIMIT = 500
#: How far ahead the expected day may be (a typo guard).
MAX_DAYS_AHEAD = 366

orders_t = table_of(PurchaseOrder)
lines_t = table_of(PurchaseOrderLine)
users_t = table_of(User)
variants_t = table_of(Variant)
groups_t = table_of(SkuGroup)
receipts_t = table_of(GoodsReceipt)
receipt_lines_t = table_of(GoodsReceiptLine)
suppliers_t = table_of(Supplier)
returns_t = table_of(SupplierReturn)
return_lines_t = table_of(SupplierReturnLine)


@dataclass(frozen=True)
class OrderLine:
    """One SKU to order: how many, and the unit cost agreed (None = not given)."""

    variant_id: int
    quantity: int
    unit_cost: int | None = None


@dataclass(frozen=True)
class OrderDraft:
    #: The supplier's name or code: an existing supplier or a new one (as on a receipt).
    supplier: str
    lines: Sequence[OrderLine]
    expected_on: date | None = None
    note: str = ""


@dataclass(frozen=True)
class OrderRow:
    """An order as the list shows it."""

    id: int
    code: str
    created_at: datetime
    supplier_id: int
    supplier: str
    expected_on: date | None
    note: str
    lines: int
    units: int
    received_units: int
    total_cost: int
    ordered_by: str
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    closed_at: datetime | None = None
    close_reason: str = ""
    #: The standing goods receipts made against it (of SKUs it ordered or not).
    receipts: int = 0

    @property
    def state(self) -> PurchaseOrderState:
        return order_state(self.cancelled_at, self.closed_at, self.units, self.received_units)

    @property
    def awaited_units(self) -> int:
        """Units still to come (none once cancelled or closed)."""
        return self.units - self.received_units if self.state in OPEN_STATES else 0

    def can_cancel(self) -> bool:
        return can_cancel_order(self.state, self.receipts)

    def can_close(self) -> bool:
        return can_close_order(self.state, self.receipts)


@dataclass(frozen=True)
class OrderLineRow:
    id: int
    variant_id: int | None
    sku: str
    product_name: str
    variant_name: str
    quantity: int
    unit_cost: int | None
    #: Units of it that came, up to what it ordered: what counts towards the order's
    #: received units (so the lines add up to the order's totals).
    received: int
    #: Whether its order still awaits goods (not cancelled, closed or come in full).
    awaited: bool = True
    #: Units of it that came beyond what it ordered (in stock, counting for nothing).
    over: int = 0
    #: Units of it sent back to the supplier since (standing returns of the order's
    #: standing receipts): they came, so `received` still counts them.
    returned: int = 0

    @property
    def remaining(self) -> int:
        """Units of it still to come: none once its order is cancelled or closed."""
        return max(self.quantity - self.received, 0) if self.awaited else 0

    @property
    def amount(self) -> int | None:
        return None if self.unit_cost is None else self.quantity * self.unit_cost


@dataclass(frozen=True)
class Suggestion:
    """A line to order: the variant, how many, at what unit cost; and why (its available
    stock, its low-stock level, what open orders bring already)."""

    hit: VariantHit
    quantity: int
    unit_cost: int | None
    level: int
    on_order: int


@dataclass(frozen=True)
class ToReceive:
    """What is still to come of an order's line, for a goods receipt against it."""

    hit: VariantHit
    quantity: int
    unit_cost: int | None


# --------------------------------------------------------------------------- creating


def _check(draft: OrderDraft) -> tuple[str, str | None]:
    lines = list(draft.lines)
    supplier = clean_line(draft.supplier)
    if not supplier:
        raise ValidationError(msg("Name the supplier the goods are ordered from."),
                              field="supplier")  # fmt: skip
    check_lines(
        lines, msg("Add at least one product to the order."),
        msg("An order takes at most {max} lines ({n} given): split it.", max=MAX_ORDER_LINES,
            n=len(lines)),
        lambda n: msg("Line {line}: the product is on the order already.", line=str(n)),
    )  # fmt: skip
    note = clean_line(draft.note)
    if len(note) > MAX_NOTE:
        raise ValidationError(msg("The note has {length} characters: {limit} at most.",
                                  length=len(note), limit=MAX_NOTE), field="note")  # fmt: skip
    return supplier, note or None


def _check_expected_day(ctx: ServiceContext, day: date | None, kept: date | None = None) -> None:
    """The day the goods are expected: today or later (in the shop's time), within a year.
    An order being changed may keep the day it has, past by now."""
    if day is None or day == kept:
        return
    today = to_local(ctx.clock.now(), shop_tz()).date()
    if day < today:
        raise ValidationError(msg("The expected day {day} has already passed: choose today or "
                                  "a later day.", day=day),
                              field="expected_on")  # fmt: skip
    if (day - today).days > MAX_DAYS_AHEAD:
        raise ValidationError(msg("The expected day {day} is more than a year away.", day=day),
                              field="expected_on")  # fmt: skip


def create_order(ctx: ServiceContext, draft: OrderDraft) -> OrderRow:
    """Save the order and its lines in one transaction (the supplier added when new; a line
    whose variant is gone or no longer active names its line and nothing is saved)."""
    ctx.require(Module.PRODUCTS)
    supplier_text, note = _check(draft)
    _check_expected_day(ctx, draft.expected_on)
    with ctx.uow() as session:
        supplier = _supplier(ctx, session, supplier_text)
        assert supplier.id is not None
        # A unique stand-in code until the id (which names it) is known.
        order = PurchaseOrder(code=f"~{uuid.uuid4().hex[:19]}", supplier_id=supplier.id,
                              supplier=supplier.name, user_id=ctx.actor.id,
                              created_at=ctx.clock.now())  # fmt: skip
        session.add(order)
        session.flush()
        assert order.id is not None
        order.code = f"DHN{order.id:06d}"
        written = _write(session, order, supplier, draft, note)
        ctx.audit(
            session, "purchase_order.create", entity_type="purchase_order", entity_id=order.id,
            summary=msg("{code} to {supplier}: {lines} lines, {units} units", code=order.code,
                        supplier=supplier.name, lines=order.lines, units=order.units),
            after=_audited(order, draft, written),
        )  # fmt: skip
        row = _row(order, ctx.actor.name)
    return row


def update_order(ctx: ServiceContext, order_id: int, draft: OrderDraft) -> OrderRow:
    """Change an order nothing came of yet (supplier, lines, expected day, note): its lines
    replaced in one transaction, the audit row holding before and after."""
    ctx.require(Module.PRODUCTS)
    supplier_text, note = _check(draft)
    with ctx.uow() as session:
        order = _locked(session, order_id)
        if not order.can_cancel(_standing_receipts(session, order_id)):
            came = msg(
                "Goods of {code} came already: it can no longer be changed.", code=order.code
            )
            raise ValidationError(_cannot(order, came))
        _check_expected_day(ctx, draft.expected_on, kept=order.expected_on)
        before = {"supplier": order.supplier, "note": order.note, "total_cost": order.total_cost,
                  "expected_on": order.expected_on.isoformat() if order.expected_on else None,
                  "lines": _audited_lines(order_lines(ctx, order_id))}  # fmt: skip
        supplier = _supplier(ctx, session, supplier_text)
        session.connection().execute(sa.delete(lines_t).where(lines_t.c.order_id == order_id))
        written = _write(session, order, supplier, draft, note)
        ctx.audit(session, "purchase_order.update", entity_type="purchase_order",
                  entity_id=order_id, summary=msg("{code} changed: {lines} lines, {units} units",
                                                  code=order.code, lines=order.lines,
                                                  units=order.units),
                  before=before, after=_audited(order, draft, written))  # fmt: skip
        who = session.get(User, order.user_id) if order.user_id else None
        return _row(order, who.name if who is not None else "")


def _write(session: Session, order: PurchaseOrder, supplier: Supplier, draft: OrderDraft,
           note: str | None) -> list[PurchaseOrderLine]:  # fmt: skip
    """The order's supplier, day, note, lines and totals, as the draft says; returns the
    lines written."""
    assert order.id is not None and supplier.id is not None
    lines = [_order_line(session, order.id, n, line) for n, line in enumerate(draft.lines, 1)]
    session.add_all(lines)
    order.supplier_id, order.supplier = supplier.id, supplier.name
    order.expected_on, order.note = draft.expected_on, note
    order.lines = len(draft.lines)
    order.units = sum(line.quantity for line in draft.lines)
    order.total_cost = sum(ln.quantity * (ln.unit_cost or 0) for ln in draft.lines)
    order.search_text = search_text(order.code, supplier.name, supplier.code, note)[:400]
    session.add(order)
    return lines


def _audited(order: PurchaseOrder, draft: OrderDraft,
             lines: list[PurchaseOrderLine]) -> dict[str, Any]:  # fmt: skip
    return {
        "supplier": order.supplier,
        "note": order.note,
        "total_cost": order.total_cost,
        "expected_on": draft.expected_on.isoformat() if draft.expected_on else None,
        "lines": _audited_lines(lines),
    }


def _audited_lines(lines: Iterable[PurchaseOrderLine | OrderLineRow]) -> list[dict[str, Any]]:
    """The lines as the audit row keeps them: by SKU (a variant's id says nothing to the
    reader)."""
    return [{"sku": ln.sku, "quantity": ln.quantity, "unit_cost": ln.unit_cost} for ln in lines]


def _supplier(ctx: ServiceContext, session: Session, text: str) -> Supplier:
    """The supplier named by its code (NCC000012) or name, added when the name is new (a
    code no supplier has is refused)."""
    supplier = suppliers.supplier_for_receipt(ctx, session, text)
    assert supplier is not None
    return supplier


def _order_line(session: Session, order_id: int, n: int, line: OrderLine) -> PurchaseOrderLine:
    variant = session.get(Variant, line.variant_id)
    if variant is None:
        raise NotFound(msg("Line {line}: the product variant no longer exists.", line=str(n)))
    product = session.get(Product, variant.product_id)
    if not variant.is_active or product is None or product.status == ProductStatus.ARCHIVED:
        raise ValidationError(msg("Line {line}: SKU {sku} was removed from its product.",
                                  line=str(n), sku=variant.sku), field="lines")  # fmt: skip
    options = " / ".join(o for o in (variant.option1, variant.option2) if o) or None
    return PurchaseOrderLine(order_id=order_id, variant_id=variant.id, sku=variant.sku,
                             product_name=product.name, variant_name=options,
                             quantity=line.quantity, unit_cost=line.unit_cost)  # fmt: skip


def _row(order: PurchaseOrder, ordered_by: str, supplier: str | None = None,
         receipts: int = 0) -> OrderRow:  # fmt: skip
    """The order as listed (`supplier`: its supplier's name now, when not the order's;
    `receipts`: the standing receipts against it)."""
    assert order.id is not None
    return OrderRow(order.id, order.code, order.created_at, order.supplier_id,
                    supplier or order.supplier,
                    order.expected_on, order.note or "", order.lines, order.units,
                    order.received_units, order.total_cost, ordered_by, order.cancelled_at,
                    order.cancel_reason or "", order.closed_at,
                    order.close_reason or "", receipts)  # fmt: skip


def _standing_receipts(session: Session, order_id: int) -> int:
    """The goods receipts made against the order and not cancelled (flushed first: a
    receipt being cancelled no longer counts)."""
    session.flush()
    r = receipts_t.c
    counted = sa.select(sa.func.count()).where(r.purchase_order_id == order_id,
                                               r.cancelled_at.is_(None))  # fmt: skip
    return int(session.connection().execute(counted).scalar_one())


# --------------------------------------------------------------------------- receipts


def order_for_receipt(session: Session, order_id: int,
                      supplier: str) -> tuple[PurchaseOrder, Supplier]:  # fmt: skip
    """The order a goods receipt delivers and the supplier it was ordered from (by its id:
    whatever its name is now), both locked: refused when the order no longer awaits goods,
    when the receipt names another supplier (`supplier` as typed: that supplier's code or
    its name now; '' = none) and when that supplier is archived."""
    order = session.get(PurchaseOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFound(msg("Purchase order {id} no longer exists.", id=str(order_id)))
    if not order.can_receive():
        raise ValidationError(_ended_text(order), field="purchase_order")
    ordered_from = session.get(Supplier, order.supplier_id)
    if ordered_from is None:
        raise NotFound(msg("Supplier {id} no longer exists.", id=str(order.supplier_id)))
    if supplier.strip() and not suppliers.names_supplier(ordered_from, supplier):
        raise ValidationError(msg("{code} was ordered from {supplier}: the receipt names "
                                  "another supplier.", code=order.code,
                                  supplier=ordered_from.name), field="supplier")  # fmt: skip
    return order, suppliers.receiving_from(session, order.supplier_id)


def count_receipt(session: Session, order_id: int, quantities: Mapping[int, int]) -> None:
    """Count a receipt's units ({variant id: quantity}; negative when it is cancelled)
    towards the order's lines of those variants, and the order's received units (each line
    up to what it ordered). Variants the order did not ask for count for nothing."""
    c = lines_t.c
    conn = session.connection()
    for variant_id, quantity in quantities.items():
        conn.execute(
            sa.update(lines_t)
            .where(c.order_id == order_id, c.variant_id == variant_id)
            .values(received=sa.func.max(c.received + quantity, 0)
                    if conn.dialect.name == "sqlite"
                    else sa.func.greatest(c.received + quantity, 0))
        )  # fmt: skip
    capped = sa.case((c.received < c.quantity, c.received), else_=c.quantity)
    received = sa.select(sa.func.coalesce(sa.func.sum(capped), 0)).where(c.order_id == order_id)
    conn.execute(sa.update(orders_t).where(orders_t.c.id == order_id)
                 .values(received_units=received.scalar_subquery()))  # fmt: skip


def uncount_receipt(ctx: ServiceContext, session: Session, order_id: int,
                    quantities: Mapping[int, int], receipt: str) -> None:  # fmt: skip
    """Take a cancelled receipt's units ({variant id: quantity}) off the order's lines. A
    closed order reopens when that leaves units to come again: closing said the rest would
    not come, not that the goods of a receipt entered by mistake had come (closed, the
    order could neither receive them nor be cancelled). The reopening is audited."""
    ctx.require(Module.PRODUCTS)
    order = _locked(session, order_id)
    before = order.received_units
    count_receipt(session, order_id, {v: -q for v, q in quantities.items()})
    session.refresh(order)
    # Closed although none of its SKUs came (a receipt of others only): with that receipt
    # gone, nothing came of it, and it can be cancelled again.
    emptied = _standing_receipts(session, order_id) == 0
    if order.closed_at is None or (order.received_units >= before and not emptied):
        return
    close_reason = order.close_reason
    order.closed_at, order.closed_by_id, order.close_reason = None, None, None
    session.add(order)
    ctx.audit(session, "purchase_order.reopen", entity_type="purchase_order",
              entity_id=order.id,
              summary=msg("{code} reopened: {receipt} was cancelled", code=order.code,
                          receipt=receipt),
              before={"close_reason": close_reason, "received_units": before},
              after={"receipt": receipt, "received_units": order.received_units,
                     "state": str(order.state)})  # fmt: skip


def order_text(ctx: ServiceContext, order_id: int, *, lang: str = "vi") -> str:
    """The order as plain text to paste into the chat with its supplier (Zalo,
    Messenger…; see `printing.purchase_order.purchase_order_text`)."""
    from primedist.printing.purchase_order import purchase_order_text
    from primedist.printing.store import load_shop_details

    order = get_order(ctx, order_id)
    return purchase_order_text(order, order_lines(ctx, order_id), load_shop_details(ctx),
                               lang=lang)  # fmt: skip


def to_receive(ctx: ServiceContext, order_id: int) -> tuple[OrderRow, list[ToReceive]]:
    """The order and what is still to come of it, line by line (lines whose SKU was
    removed since are left out), for a goods receipt against it. Refused, naming those
    SKUs, when they are all it still awaits: no receipt can bring them any more."""
    ctx.require(Module.PRODUCTS)
    order = get_order(ctx, order_id)
    if order.state not in OPEN_STATES:
        raise ValidationError(msg("{code} awaits no more goods.", code=order.code),
                              field="purchase_order")  # fmt: skip
    lines = [ln for ln in order_lines(ctx, order_id) if ln.remaining]
    found = _still_sold(ctx, lines, lambda ln: ln.remaining)
    if lines and not found:
        raise ValidationError(msg("{code} awaits only goods deleted or archived since it was "
                                  "ordered ({skus}): they can no longer be received. Close "
                                  "the order.", code=order.code,
                                  skus=[ln.sku for ln in lines]),
                              field="purchase_order")  # fmt: skip
    return order, found


def order_again(ctx: ServiceContext, order_id: int) -> tuple[OrderRow, list[ToReceive]]:
    """An order (whatever its state) and its lines as they were ordered — quantity and
    expected unit cost — to start a new order of the same goods (lines whose SKU was
    removed since are left out)."""
    ctx.require(Module.PRODUCTS)
    order = get_order(ctx, order_id)
    return order, _still_sold(ctx, order_lines(ctx, order_id), lambda ln: ln.quantity)


def _still_sold(ctx: ServiceContext, lines: Sequence[OrderLineRow],
                quantity: Callable[[OrderLineRow], int]) -> list[ToReceive]:  # fmt: skip
    """The lines whose variant still exists, with `quantity` of each, in order."""
    with ctx.engine.connect() as conn:
        found = variant_hits_in(conn, [ln.variant_id for ln in lines if ln.variant_id])
    hits = {h.variant_id: h for h in found}
    return [ToReceive(hits[ln.variant_id], quantity(ln), ln.unit_cost)
            for ln in lines if ln.variant_id in hits]  # fmt: skip


# --------------------------------------------------------------------------- ending


def cancel_order(ctx: ServiceContext, order_id: int, reason: str) -> OrderRow:
    """Cancel an order nothing came of yet (a reason required)."""
    ctx.require(Module.PRODUCTS)
    text = suppliers.checked_reason(reason, msg("Say why the order is cancelled."))
    with ctx.uow() as session:
        order = _locked(session, order_id)
        if not order.can_cancel(_standing_receipts(session, order_id)):
            raise ValidationError(_cannot(order, msg("Goods of {code} came already: close it "
                                                     "instead.", code=order.code)))  # fmt: skip
        order.cancelled_at, order.cancelled_by_id, order.cancel_reason = (
            ctx.clock.now(),
            ctx.actor.id,
            text,
        )
        return _ended(
            ctx,
            session,
            order,
            action="purchase_order.cancel",
            summary=msg("{code} cancelled ({reason})", code=order.code, reason=text),
        )


def close_order(ctx: ServiceContext, order_id: int, reason: str) -> OrderRow:
    """End an order partly received: the rest will not come (a reason required)."""
    ctx.require(Module.PRODUCTS)
    text = suppliers.checked_reason(reason, msg("Say why the rest will not come."))
    with ctx.uow() as session:
        order = _locked(session, order_id)
        if not order.can_close(_standing_receipts(session, order_id)):
            raise ValidationError(_cannot(order, msg("Nothing of {code} came yet: cancel it "
                                                     "instead.", code=order.code)))  # fmt: skip
        order.closed_at, order.closed_by_id, order.close_reason = (
            ctx.clock.now(),
            ctx.actor.id,
            text,
        )
        return _ended(
            ctx,
            session,
            order,
            action="purchase_order.close",
            summary=msg("{code} closed ({reason})", code=order.code, reason=text),
        )


def _locked(session: Session, order_id: int) -> PurchaseOrder:
    order = session.get(PurchaseOrder, order_id, with_for_update=True)
    if order is None:
        raise NotFound(msg("Purchase order {id} no longer exists.", id=str(order_id)))
    return order


def _cannot(order: PurchaseOrder, otherwise: str) -> str:
    """Why an order cannot be cancelled or closed: ended already, else `otherwise`."""
    return otherwise if order.state in OPEN_STATES else _ended_text(order)


def _ended_text(order: PurchaseOrder) -> str:
    """That the order awaits no more goods, and why."""
    if order.state == PurchaseOrderState.CANCELLED:
        return msg("{code} was cancelled: it awaits no more goods.", code=order.code)
    if order.state == PurchaseOrderState.CLOSED:
        return msg("{code} was closed: it awaits no more goods.", code=order.code)
    return msg("{code} came in full: it awaits no more goods.", code=order.code)


def _ended(ctx: ServiceContext, session: Session, order: PurchaseOrder, action: str,
           summary: str) -> OrderRow:  # fmt: skip
    session.add(order)
    ctx.audit(session, action, entity_type="purchase_order", entity_id=order.id, summary=summary,
              after={"reason": order.cancel_reason or order.close_reason,
                     "received_units": order.received_units})  # fmt: skip
    who = session.get(User, order.user_id) if order.user_id else None
    ordered_from = session.get(Supplier, order.supplier_id)
    assert order.id is not None
    return _row(order, who.name if who is not None else "",
                ordered_from.name if ordered_from is not None else None,
                _standing_receipts(session, order.id))  # fmt: skip


# --------------------------------------------------------------------------- reading


def _state_filter(state: PurchaseOrderState | str | None) -> sa.ColumnElement[bool]:
    o = orders_t.c
    if state is None or state == "":
        return sa.true()
    awaiting = open_purchase_order()
    if state == "open":
        return awaiting
    by_state = {
        PurchaseOrderState.CANCELLED: o.cancelled_at.is_not(None),
        PurchaseOrderState.RECEIVED: sa.and_(o.cancelled_at.is_(None),
                                             o.received_units >= o.units),
        PurchaseOrderState.CLOSED: sa.and_(o.closed_at.is_not(None), o.cancelled_at.is_(None),
                                           o.received_units < o.units),
        PurchaseOrderState.PARTLY_RECEIVED: sa.and_(awaiting, o.received_units > 0),
        PurchaseOrderState.ORDERED: sa.and_(awaiting, o.received_units == 0),
    }  # fmt: skip
    return by_state[PurchaseOrderState(state)]


def list_orders(
    ctx: ServiceContext, search: str = "", state: PurchaseOrderState | str | None = None,
    supplier_id: int | None = None, limit: int = LIST_LIMIT,
) -> list[OrderRow]:  # fmt: skip
    """The newest orders first (at most `limit`): those in `state` ("open": still awaiting
    goods), of the supplier, whose code, supplier or note has every word of `search` or
    with a line of that SKU."""
    ctx.require(Module.PRODUCTS)
    o = orders_t.c
    stmt = _matching(_listed(), search, state, supplier_id)
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(o.created_at.desc(), o.id.desc()).limit(limit))
        return [_listed_row(x) for x in rows]


def _matching(stmt: sa.Select[Any], search: str, state: PurchaseOrderState | str | None,
              supplier_id: int | None) -> sa.Select[Any]:  # fmt: skip
    """`stmt` narrowed to the orders in `state`, of the supplier, where every word of
    `search` (folded) is in the code, supplier or note, or is the SKU of one of its lines."""
    o = orders_t.c
    stmt = stmt.where(_state_filter(state))
    if supplier_id is not None:
        stmt = stmt.where(o.supplier_id == supplier_id)
    for word in fold(search).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        has_sku = sa.exists().where(lines_t.c.order_id == o.id,
                                    sa.func.lower(lines_t.c.sku) == word)  # fmt: skip
        # The supplier's name now too (the search text holds the name it was ordered
        # under); an alias, so that the list's own join to suppliers is not correlated.
        named = suppliers_t.alias("named")
        renamed = sa.exists().where(
            named.c.id == o.supplier_id, named.c.name_key.like(f"%{escaped}%", escape="\\")
        )
        stmt = stmt.where(sa.or_(o.search_text.like(f"%{escaped}%", escape="\\"), has_sku,
                                 renamed))  # fmt: skip
    return stmt


def _supplier_now() -> sa.ColumnElement[str]:
    """An order's supplier as it is named now (over orders outer-joined to suppliers)."""
    return sa.func.coalesce(suppliers_t.c.name, orders_t.c.supplier)


def _listed() -> sa.Select[Any]:
    o, r = orders_t.c, receipts_t.c
    receipts = (sa.select(sa.func.count()).where(r.purchase_order_id == o.id,
                                                 r.cancelled_at.is_(None))
                .scalar_subquery().label("receipts"))  # fmt: skip
    return (
        sa.select(o.id, o.code, o.created_at, o.supplier_id, _supplier_now().label("supplier"),
                  o.expected_on, o.note, o.lines, o.units, o.received_units, o.total_cost,
                  users_t.c.name, o.cancelled_at, o.cancel_reason, o.closed_at, o.close_reason,
                  receipts)
        .select_from(orders_t.outerjoin(users_t, users_t.c.id == o.user_id)
                     .outerjoin(suppliers_t, suppliers_t.c.id == o.supplier_id))
    )  # fmt: skip


def _listed_row(x: Any) -> OrderRow:
    return OrderRow(int(x.id), x.code, x.created_at, int(x.supplier_id), x.supplier,
                    x.expected_on, x.note or "", int(x.lines), int(x.units),
                    int(x.received_units), int(x.total_cost), x.name or "", x.cancelled_at,
                    x.cancel_reason or "", x.closed_at, x.close_reason or "",
                    int(x.receipts))  # fmt: skip


def open_orders(ctx: ServiceContext, supplier: str) -> list[OrderRow]:
    """The orders still awaiting goods from the supplier named (name or code; none for a
    name no supplier has), the newest first: what a delivery from it may be against."""
    ctx.require(Module.PRODUCTS)
    try:
        supplier_id = suppliers.supplier_id_by_name(ctx, supplier)
    except NotFound:
        return []
    return list_orders(ctx, state="open", supplier_id=supplier_id)


def get_order(ctx: ServiceContext, order_id: int) -> OrderRow:
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        x = conn.execute(_listed().where(orders_t.c.id == order_id)).first()
    if x is None:
        raise NotFound(msg("Purchase order {id} no longer exists.", id=str(order_id)))
    return _listed_row(x)


def order_id_by_code(ctx: ServiceContext, code: str) -> int:
    """The id of the order `DHN000123` (any case; NotFound naming it otherwise)."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        found = conn.execute(
            sa.select(orders_t.c.id).where(orders_t.c.code == code.strip().upper())
        ).scalar()  # fmt: skip
    if found is None:
        raise NotFound(msg("There is no purchase order {code}.", code=code.strip()))
    return int(found)


def order_lines(ctx: ServiceContext, order_id: int) -> list[OrderLineRow]:
    """The order's lines, each with what came of it (up to what it ordered, the rest as
    over) and what still comes (nothing once the order is cancelled or closed)."""
    ctx.require(Module.PRODUCTS)
    c, o = lines_t.c, orders_t.c
    with ctx.engine.connect() as conn:
        ended = conn.execute(sa.select(o.cancelled_at, o.closed_at, o.units, o.received_units)
                             .where(o.id == order_id)).first()  # fmt: skip
        rows = conn.execute(
            sa.select(c.id, c.variant_id, c.sku, c.product_name, c.variant_name, c.quantity,
                      c.unit_cost, c.received, _returned_of(order_id).label("returned"))
            .where(c.order_id == order_id).order_by(c.id)
        ).all()  # fmt: skip
    awaited = (
        ended is not None
        and order_state(
            ended.cancelled_at, ended.closed_at, int(ended.units), int(ended.received_units)
        )
        in OPEN_STATES
    )
    return [_line_row(r, awaited) for r in rows]


def _returned_of(order_id: int) -> sa.ColumnElement[int]:
    """Units of a line's variant sent back to the supplier from the order's receipts (a
    cancelled receipt or return counts nothing), for `order_lines`' select: one query."""
    c, r = lines_t.c, receipts_t.c
    rl, b, bl = receipt_lines_t.c, returns_t.c, return_lines_t.c
    return (
        sa.select(sa.func.coalesce(sa.func.sum(bl.quantity), 0))
        .select_from(return_lines_t.join(returns_t, b.id == bl.return_id)
                     .join(receipt_lines_t, rl.id == bl.receipt_line_id)
                     .join(receipts_t, r.id == rl.receipt_id))
        .where(r.purchase_order_id == order_id, r.cancelled_at.is_(None),
               b.cancelled_at.is_(None), rl.variant_id == c.variant_id)
        .scalar_subquery()
    )  # fmt: skip


def _line_row(r: Any, awaited: bool) -> OrderLineRow:
    """A line as shown: what came of it split into what counts (up to what it ordered, as
    the order's received units count it) and what came over; what went back since."""
    quantity, came = int(r.quantity), int(r.received)
    return OrderLineRow(int(r.id), r.variant_id, r.sku, r.product_name, r.variant_name or "",
                        quantity, None if r.unit_cost is None else int(r.unit_cost),
                        min(came, quantity), awaited, max(came - quantity, 0),
                        int(r.returned))  # fmt: skip


def order_receipts(ctx: ServiceContext, order_id: int) -> list[tuple[str, datetime, bool]]:
    """The receipts made against the order: (code, when, cancelled), oldest first."""
    ctx.require(Module.PRODUCTS)
    r = receipts_t.c
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.code, r.created_at, r.cancelled_at.is_not(None))
            .where(r.purchase_order_id == order_id).order_by(r.id)
        ).all()  # fmt: skip
    return [(str(code), at, bool(cancelled)) for code, at, cancelled in rows]


def _stock_holder() -> sa.ColumnElement[int]:
    """What holds a variant's stock, as one key: its SKU group (as −group id) when grouped,
    else the variant itself (its id)."""
    v = variants_t.c
    return sa.case((v.sku_group_id.is_not(None), -v.sku_group_id), else_=v.id)


def on_order(conn: sa.Connection, variant_ids: Iterable[int]) -> dict[int, int]:
    """Units that open orders still await of each variant's stock: a grouped variant's are
    its whole SKU group's (whichever member was ordered, they fill the one stock)."""
    ids = list(set(variant_ids))
    if not ids:
        return {}
    c, o, v = lines_t.c, orders_t.c, variants_t.c
    holder = _stock_holder()
    asked = {int(x): int(h) for x, h in conn.execute(sa.select(v.id, holder).where(v.id.in_(ids)))}
    stmt = (
        sa.select(holder, awaited_units())
        .select_from(lines_t.join(orders_t, o.id == c.order_id)
                     .join(variants_t, v.id == c.variant_id))
        .where(holder.in_(set(asked.values())), _state_filter("open")).group_by(holder)
    )  # fmt: skip
    awaited = {int(h): int(n) for h, n in conn.execute(stmt) if n}
    return {x: awaited[h] for x, h in asked.items() if h in awaited}


def _one_per_group(rows: Sequence[Any], rank: Callable[[Any], int]) -> list[Any]:
    """`rows` (with `id` and `sku_group_id`) in their order, but one of each SKU group:
    its members share one stock, so ordering each would order it several times over. The
    member kept is the one `rank` puts highest."""
    best: dict[int, Any] = {}
    for x in rows:
        held = best.get(x.sku_group_id) if x.sku_group_id is not None else None
        if x.sku_group_id is not None and (held is None or rank(x) > rank(held)):
            best[x.sku_group_id] = x
    return [x for x in rows if x.sku_group_id is None or best[x.sku_group_id] is x]


# --------------------------------------------------------------------------- suggesting


def suggested_lines(ctx: ServiceContext, supplier: str) -> list[Suggestion]:
    """What to order from the supplier (name or code): the SKUs it delivered before that
    are low on stock now, each brought up to twice its low-stock level (at least one above
    it) less what open orders bring, at the last unit cost it charged; the lowest stock
    first. A SKU group once: the member the supplier delivered last."""
    ctx.require(Module.PRODUCTS)
    supplier_id = suppliers.supplier_id_by_name(ctx, supplier)
    r, rl = receipts_t.c, receipt_lines_t.c
    last_line = (
        sa.select(rl.variant_id, sa.func.max(rl.id).label("line_id"))
        .join(receipts_t, r.id == rl.receipt_id)
        .where(r.supplier_id == supplier_id, r.cancelled_at.is_(None),
               rl.variant_id.is_not(None))
        .group_by(rl.variant_id).subquery()
    )  # fmt: skip
    v, g = variants_t.c, groups_t.c
    level, available = _level_and_available()
    stmt = (
        sa.select(v.id, v.sku_group_id, level.label("level"), available.label("available"),
                  rl.unit_cost, last_line.c.line_id)
        .select_from(last_line.join(variants_t, v.id == last_line.c.variant_id)
                     .join(receipt_lines_t, rl.id == last_line.c.line_id)
                     .outerjoin(groups_t, g.id == v.sku_group_id))
        .where(v.is_active.is_(True), level.is_not(None), available <= level)
        .order_by(available, v.id)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
        low = _one_per_group(rows, lambda x: int(x.line_id))[:MAX_ORDER_LINES]
        awaited = on_order(conn, [int(x.id) for x in low])
        hits = {h.variant_id: h for h in variant_hits_in(conn, [int(x.id) for x in low])}
    found = []
    for x in low:
        quantity = _need(x.level, int(x.available), awaited.get(int(x.id), 0))
        if quantity > 0 and int(x.id) in hits:
            cost = None if x.unit_cost is None else int(x.unit_cost)
            found.append(Suggestion(hits[int(x.id)], quantity, cost, int(x.level),
                                    awaited.get(int(x.id), 0)))  # fmt: skip
    return found


def _level_and_available() -> tuple[sa.ColumnElement[Any], sa.ColumnElement[Any]]:
    """A variant's low-stock level (its own, its SKU group's, its shop's default) and its
    available stock (its group's when grouped), over variants outer-joined to groups."""
    v, g = variants_t.c, groups_t.c
    level = sa.func.coalesce(v.low_stock_level, g.low_stock_level, shop_default_level(v.product_id))
    return level, sa.func.coalesce(g.stock - g.reserved, v.stock - v.reserved)


def _need(level: int | None, available: int, awaited: int) -> int:
    """Units to order to bring a variant up to twice its low-stock level (at least one
    above it), less what open orders bring; 0 when it needs none (or has no level)."""
    if level is None:
        return 0
    target = max(2 * int(level), int(level) + 1)
    return min(max(target - available - awaited, 0), MAX_RECEIPT_QUANTITY)


@dataclass(frozen=True)
class ProductsToOrder:
    """What to order of chosen products: the supplier that delivered them last ('' when
    none did), the lines, and whether they are what is low (False: none of them was low,
    the lines are one of each variant to change)."""

    supplier: str
    lines: list[Suggestion]
    low: bool


def products_to_order(ctx: ServiceContext, product_ids: Sequence[int]) -> ProductsToOrder:
    """An order of the products chosen (e.g. the low-stock ones of the products list):
    their active variants that need stock, each as a suggestion brings it up (less what
    open orders bring), at the last unit cost any supplier charged (else the variant's
    cost, when set); the lowest stock first. When none of them needs any, one of each
    variant. A SKU group once (the member delivered last, else the first). At most an
    order's lines (of the first that many products chosen)."""
    ctx.require(Module.PRODUCTS)
    ids = list(dict.fromkeys(product_ids))[:MAX_ORDER_LINES]
    v, g = variants_t.c, groups_t.c
    level, available = _level_and_available()
    stmt = (
        sa.select(v.id, v.sku_group_id, level.label("level"), available.label("available"),
                  v.cost)
        .select_from(variants_t.outerjoin(groups_t, g.id == v.sku_group_id))
        .where(v.product_id.in_(ids), v.is_active.is_(True))
        .order_by(available, v.id)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        every = conn.execute(stmt).all() if ids else []
        delivered = _last_delivered(conn, [int(x.id) for x in every])
        # The member delivered last, else the first (the lowest id).
        rows = _one_per_group(every, lambda x: delivered.line_ids.get(int(x.id), -int(x.id)))
        rows = rows[:MAX_ORDER_LINES]
        variant_ids = [int(x.id) for x in rows]
        awaited = on_order(conn, variant_ids)
        hits = {h.variant_id: h for h in variant_hits_in(conn, variant_ids)}
    costs = delivered.costs
    needs = {int(x.id): _need(x.level, int(x.available), awaited.get(int(x.id), 0))
             for x in rows}  # fmt: skip
    low = any(needs.values())
    lines = [Suggestion(hits[int(x.id)], needs[int(x.id)] if low else 1,
                        _starting_cost(costs.get(int(x.id)), x.cost), int(x.level or 0),
                        awaited.get(int(x.id), 0))
             for x in rows if int(x.id) in hits and (needs[int(x.id)] or not low)]  # fmt: skip
    return ProductsToOrder(delivered.supplier, lines, low)


def starting_costs(ctx: ServiceContext, variant_ids: Sequence[int]) -> dict[int, int]:
    """{variant id: unit cost} a new line of these variants starts at, on an order as on a
    goods receipt (variants with none left out): see `_starting_cost`."""
    ctx.require(Module.PRODUCTS)
    ids = list(dict.fromkeys(variant_ids))
    if not ids:
        return {}
    v = variants_t.c
    with ctx.engine.connect() as conn:
        own = conn.execute(sa.select(v.id, v.cost).where(v.id.in_(ids))).all()
        delivered = _last_delivered(conn, ids)
    costs = {int(x.id): _starting_cost(delivered.costs.get(int(x.id)), x.cost) for x in own}
    return {variant_id: cost for variant_id, cost in costs.items() if cost is not None}


def _starting_cost(last_charged: int | None, own_cost: int | None) -> int | None:
    """A new line's unit cost: the last any supplier charged, else the variant's own cost
    (None when neither is known: 0 is no cost anyone agreed)."""
    return last_charged or int(own_cost or 0) or None


@dataclass(frozen=True)
class _Delivered:
    """Of some variants: the unit cost on each one's latest standing receipt line, that
    line's id, and the supplier of the latest of those lines ('' when none came from a
    known supplier)."""

    costs: dict[int, int | None]
    line_ids: dict[int, int]
    supplier: str


def _last_delivered(conn: sa.Connection, variant_ids: Sequence[int]) -> _Delivered:
    if not variant_ids:
        return _Delivered({}, {}, "")
    r, rl, s = receipts_t.c, receipt_lines_t.c, table_of(Supplier).c
    last = (
        sa.select(sa.func.max(rl.id)).join(receipts_t, r.id == rl.receipt_id)
        .where(rl.variant_id.in_(variant_ids), r.cancelled_at.is_(None))
        .group_by(rl.variant_id)
    )  # fmt: skip
    rows = conn.execute(
        sa.select(rl.id, rl.variant_id, rl.unit_cost, s.name)
        .select_from(receipt_lines_t.join(receipts_t, r.id == rl.receipt_id)
                     .outerjoin(table_of(Supplier), s.id == r.supplier_id))
        .where(rl.id.in_(last)).order_by(rl.id.desc())
    ).all()  # fmt: skip
    costs = {int(x.variant_id): None if x.unit_cost is None else int(x.unit_cost) for x in rows}
    line_ids = {int(x.variant_id): int(x.id) for x in rows}
    return _Delivered(costs, line_ids, next((x.name for x in rows if x.name), ""))


# --------------------------------------------------------------------------- export

#: An order's state in the export's language: (Vietnamese, English).
STATE_WORDS = {
    PurchaseOrderState.ORDERED: ("Đã đặt", "Ordered"),
    PurchaseOrderState.PARTLY_RECEIVED: ("Nhận một phần", "Partly received"),
    PurchaseOrderState.RECEIVED: ("Đã nhận đủ", "Received"),
    PurchaseOrderState.CLOSED: ("Đã kết thúc", "Closed"),
    PurchaseOrderState.CANCELLED: ("Đã hủy", "Cancelled"),
}
#: The export's columns: (Vietnamese, English) header, cell kind, width.
EXPORT_COLUMNS = (
    (("Mã đơn", "Order"), "text", 12), (("Ngày đặt", "Ordered"), "datetime", 17),
    (("Nhà cung cấp", "Supplier"), "text", 26), (("Hẹn giao", "Expected"), "date", 11),
    (("Trạng thái", "State"), "text", 14), (("Ghi chú", "Note"), "text", 22),
    (("Người đặt", "Ordered by"), "text", 18), (("SKU", "SKU"), "text", 18),
    (("Sản phẩm", "Product"), "text", 34), (("Phân loại", "Variant"), "text", 14),
    (("SL đặt", "Quantity"), "int", 9), (("Đã nhận", "Received"), "int", 9),
    (("Giá vốn", "Unit cost"), "money", 12), (("Thành tiền", "Amount"), "money", 14),
)  # fmt: skip


def export_orders(
    ctx: ServiceContext, path: Path, *, search: str = "",
    state: PurchaseOrderState | str | None = None, supplier_id: int | None = None,
    lang: str = "vi", progress: Progress | None = None,
) -> ExportReport:  # fmt: skip
    """Every line of the orders the list would show for these filters (all of them by
    default), newest order first, one row a line, to an .xlsx file: quantities and money
    as numbers, times as date-times, the state in words, text neutralised."""
    ctx.require_export(Module.PRODUCTS)
    prog: Progress = progress if progress is not None else NullProgress()
    target = check_target(path)
    at = lang_index(lang)
    started = time.perf_counter()
    o, ln = orders_t.c, lines_t.c
    ids = _matching(sa.select(o.id), search, state, supplier_id).scalar_subquery()
    stmt = (
        sa.select(o.code, o.created_at, _supplier_now(), o.expected_on, o.cancelled_at,
                  o.closed_at, o.units, o.received_units, o.note, users_t.c.name, ln.sku,
                  ln.product_name, ln.variant_name, ln.quantity, ln.received, ln.unit_cost,
                  ln.quantity * ln.unit_cost)
        .select_from(lines_t.join(orders_t, o.id == ln.order_id)
                     .outerjoin(users_t, users_t.c.id == o.user_id)
                     .outerjoin(suppliers_t, suppliers_t.c.id == o.supplier_id))
        .where(o.id.in_(ids)).order_by(o.created_at.desc(), o.id.desc(), ln.id)
    )  # fmt: skip
    columns = [XlsxColumn(h[at], kind, width) for h, kind, width in EXPORT_COLUMNS]
    with ctx.engine.connect() as conn:
        count = sa.select(sa.func.count()).select_from(lines_t).where(ln.order_id.in_(ids))
        total = int(conn.execute(count).scalar_one())
        rows = conn.execution_options(yield_per=2_000).execute(stmt)
        cells = (_export_cells(x, at) for x in rows)
        with replaced_when_done(target) as tmp:
            written = stream_rows(tmp, columns, cells, total, prog,
                                  sheet=("Đặt hàng nhập", "Purchase orders")[at])  # fmt: skip
    return audit_export(
        ctx, "purchase_orders.export", target,
        msg("Exported {rows} lines of purchase orders", rows=written),
        {"rows": written, "search": search, "state": state}, started,
    )  # fmt: skip


def _export_cells(x: Any, at: int) -> tuple[Any, ...]:
    (code, created, supplier, expected, cancelled, closed, units, received_units, note, who,
     *line) = tuple(x)  # fmt: skip
    state = order_state(cancelled, closed, int(units), int(received_units))
    return (code, created, supplier, expected, STATE_WORDS[state][at], note, who, *line)
