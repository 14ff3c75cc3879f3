"""Returning goods to the supplier (*trả hàng nhập*): some of a goods receipt's lines sent
back (faulty, wrong, too many).

`return_to_supplier` takes the quantities back out of stock (a stock out naming the return
and the receipt; their receipt unit cost comes back out of the variant's average cost, as
it went in) and records the return (TH000012) and its lines at the receipt's unit costs,
in one transaction. The shop then owes the supplier their cost less; money the
supplier gives back for them (`refund`) is recorded with the return (cash refunds come
into the drawer: End of day counts them). A line can go back at most as many as came in
less those returned already, and only what is available (on hand − reserved for orders).

`cancel_return` undoes a return entered by mistake: its goods come back into stock (a
stock in naming it, averaged in again at their unit cost) and it stops counting — in
what is owed, in the money given back, in what can still go back of the receipt — in one
transaction. Its cash refund leaves End of day only when cancelled the same day: on a
later day it stays in the drawer of its own day and goes out again on the day of the
cancel (`queries.end_of_day.supplier_cash`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.messages import msg
from primedist.db.product_summary import refresh_for_stock
from primedist.domain.base import table_of
from primedist.domain.enums import Module, PaymentMethod, StockMoveKind
from primedist.domain.goods_receipt import GoodsReceipt, GoodsReceiptLine
from primedist.domain.product import Variant
from primedist.domain.supplier import SupplierReturn, SupplierReturnLine
from primedist.domain.user import User
from primedist.errors import NotFound, ValidationError
from primedist.services.context import ServiceContext
from primedist.services.stock import move_stock, receive, stock_level, take_cost_out
from primedist.services.suppliers import check_payment, checked_reason, locked_standing

MAX_REASON = 255

returns_t = table_of(SupplierReturn)
return_lines_t = table_of(SupplierReturnLine)
receipt_lines_t = table_of(GoodsReceiptLine)
receipts_t = table_of(GoodsReceipt)
users_t = table_of(User)


@dataclass(frozen=True)
class ReturnDraft:
    receipt_id: int
    #: Receipt line id → how many go back (lines not named stay).
    quantities: Mapping[int, int]
    reason: str
    #: Money the supplier gave back for them (0: it comes off what the shop owes).
    refund: int = 0
    method: PaymentMethod = PaymentMethod.CASH


@dataclass(frozen=True)
class ReturnRow:
    id: int
    code: str
    receipt_id: int
    receipt_code: str
    supplier_id: int | None
    created_at: datetime
    reason: str
    units: int
    total: int
    refund: int
    method: PaymentMethod
    by: str
    #: The supplier's name as on the receipt.
    supplier: str = ""
    cancelled_at: datetime | None = None
    cancel_reason: str = ""


def return_code(return_id: int) -> str:
    return f"TH{return_id:06d}"


def standing() -> sa.ColumnElement[bool]:
    """The returns that count (not cancelled)."""
    return returns_t.c.cancelled_at.is_(None)


def returned_by_line(conn: sa.Connection, receipt_id: int) -> dict[int, int]:
    """Receipt line id → units of it returned so far (by standing returns)."""
    r, ln = returns_t.c, return_lines_t.c
    rows = conn.execute(
        sa.select(ln.receipt_line_id, sa.func.sum(ln.quantity))
        .join_from(return_lines_t, returns_t, r.id == ln.return_id)
        .where(r.receipt_id == receipt_id, standing()).group_by(ln.receipt_line_id)
    ).all()  # fmt: skip
    return {int(line): int(n) for line, n in rows}


def _check(draft: ReturnDraft) -> tuple[str, dict[int, int]]:
    reason = checked_reason(draft.reason, msg("Say why the goods go back to the supplier."))
    if any(q < 0 for q in draft.quantities.values()):
        raise ValidationError(msg("A quantity to return cannot be negative."), field="quantity")
    wanted = {line: q for line, q in draft.quantities.items() if q > 0}
    if not wanted:
        raise ValidationError(msg("Choose how many of which lines go back."), field="quantity")
    return reason, wanted


def return_to_supplier(ctx: ServiceContext, draft: ReturnDraft) -> ReturnRow:
    """Send goods of a receipt back to its supplier, in one transaction (nothing goes back
    when a line is refused: it is named)."""
    ctx.require(Module.PRODUCTS)
    reason, wanted = _check(draft)
    # A writer: its stock check must see another PC's sale of the same goods, not race it.
    with ctx.uow(write=True) as session:
        receipt = session.get(GoodsReceipt, draft.receipt_id, with_for_update=True)
        if receipt is None:
            raise NotFound(msg("Goods receipt {id} no longer exists.", id=str(draft.receipt_id)))
        if receipt.cancelled_at is not None:
            raise ValidationError(msg("{code} was cancelled: nothing of it can go back.",
                                      code=receipt.code))  # fmt: skip
        of_receipt = sa.select(receipt_lines_t).where(receipt_lines_t.c.receipt_id == receipt.id)
        lines = {ln.id: ln for ln in session.connection().execute(of_receipt)}
        returned = returned_by_line(session.connection(), receipt.id or 0)
        # A unique stand-in code until the id (which names it) is known.
        back = SupplierReturn(code=f"~{uuid.uuid4().hex[:19]}",
                              receipt_id=draft.receipt_id, supplier_id=receipt.supplier_id,
                              reason=reason, method=draft.method, user_id=ctx.actor.id,
                              created_at=ctx.clock.now())  # fmt: skip
        session.add(back)
        session.flush()
        assert back.id is not None
        back.code = return_code(back.id)
        why = f"Return to supplier {back.code} · {receipt.code}"
        for line_id, quantity in wanted.items():
            line = _returnable(session, receipt.code, lines.get(line_id), line_id, quantity,
                               returned.get(line_id, 0))  # fmt: skip
            take_cost_out(session, line.variant_id, quantity, line.unit_cost)
            move_stock(ctx, session, line.variant_id, StockMoveKind.STOCK_OUT,
                       quantity=-quantity, reason=why, refresh=False)  # fmt: skip
            session.add(SupplierReturnLine(return_id=back.id, receipt_line_id=line_id,
                                           variant_id=line.variant_id, quantity=quantity,
                                           unit_cost=line.unit_cost))  # fmt: skip
            back.units += quantity
            back.total += quantity * (line.unit_cost or 0)
        _check_refund(draft, back.total, receipt)
        back.refund = draft.refund
        session.add(back)
        session.flush()
        refresh_for_stock(session.connection(), [lines[i].variant_id for i in wanted])
        ctx.audit(session, "goods_receipt.return", entity_type="goods_receipt",
                  entity_id=receipt.id,
                  summary=msg("{code}: {units} units of {receipt} back to the supplier",
                              code=back.code, units=back.units, receipt=receipt.code),
                  after={"return": back.code, "reason": reason, "total": back.total,
                         "refund": back.refund, "method": str(draft.method),
                         "lines": {lines[k].sku: v for k, v in wanted.items()}})  # fmt: skip
        row = ReturnRow(back.id, back.code, receipt.id or 0, receipt.code, receipt.supplier_id,
                        back.created_at, reason, back.units, back.total, back.refund,
                        draft.method, ctx.actor.name, receipt.supplier or "")  # fmt: skip
    return row


def _returnable(session: Session, receipt: str, line: Any, line_id: int, quantity: int,
                returned: int) -> Any:  # fmt: skip
    """The receipt line, once `quantity` of it may go back (refused naming its SKU)."""
    if line is None:
        raise ValidationError(msg("Line {line} is not on {receipt}.", line=str(line_id),
                                  receipt=receipt), field="quantity")  # fmt: skip
    left = line.quantity - returned
    if quantity > left:
        raise ValidationError(
            msg("SKU {sku}: {received} came in and {returned} went back already: at most "
                "{left} can go back.", sku=line.sku, received=line.quantity, returned=returned,
                left=left), field="quantity")  # fmt: skip
    if line.variant_id is None or session.get(Variant, line.variant_id) is None:
        raise ValidationError(msg("SKU {sku} was deleted since: its stock is gone.",
                                  sku=line.sku), field="quantity")  # fmt: skip
    level = stock_level(session, line.variant_id, lock=True)
    available = level.on_hand - level.reserved
    if available < quantity:
        raise ValidationError(
            msg("SKU {sku} has {available} available (on hand less those held for orders): "
                "{quantity} cannot go back.", sku=line.sku, available=available,
                quantity=quantity), field="quantity")  # fmt: skip
    return line


def cancel_return(ctx: ServiceContext, return_id: int, reason: str) -> ReturnRow:
    """Cancel a return entered by mistake: each line's goods come back into stock (a stock
    in naming the return; a variant deleted since has nothing to take them) and the return
    stops counting — in what is owed to the supplier, its refund too — in one
    transaction."""
    ctx.require(Module.PRODUCTS)
    if _refunded(ctx, return_id):
        # The money given back stops counting: the debt goes back up, as when a payment is
        # cancelled (`suppliers.cancel_payment`).
        ctx.require_manager()
    text = checked_reason(reason, msg("Say why the return is cancelled."))
    with ctx.uow() as session:
        back = locked_standing(
            session, SupplierReturn, return_id, code=lambda r: r.code,
            missing=msg("Return {id} no longer exists.", id=str(return_id)))  # fmt: skip
        of_return = sa.select(return_lines_t).where(return_lines_t.c.return_id == return_id)
        lines = list(session.connection().execute(of_return.order_by(return_lines_t.c.id)))
        why = f"Return to supplier {back.code} cancelled: {text}"[:255]
        back_in: list[int] = []
        for line in lines:
            if line.variant_id is None or session.get(Variant, line.variant_id) is None:
                continue  # deleted since: nothing to take the goods back
            # Back in at the cost they went out at: the return's effect on the average
            # comes undone too.
            receive(ctx, session, line.variant_id, line.quantity, line.unit_cost, why,
                    refresh=False)  # fmt: skip
            back_in.append(line.variant_id)
        back.cancelled_at, back.cancelled_by_id, back.cancel_reason = (
            ctx.clock.now(), ctx.actor.id, text)  # fmt: skip
        session.add(back)
        session.flush()
        refresh_for_stock(session.connection(), back_in)
        ctx.audit(session, "goods_receipt.return_cancel", entity_type="goods_receipt",
                  entity_id=back.receipt_id,
                  summary=msg("{code} cancelled ({reason})", code=back.code, reason=text),
                  after={"return": back.code, "reason": text, "units": back.units})  # fmt: skip
    return get_return(ctx, return_id)


def _refunded(ctx: ServiceContext, return_id: int) -> int:
    """The money the supplier gave back with the return (0: none, or no such return)."""
    with ctx.engine.connect() as conn:
        refund = conn.execute(
            sa.select(returns_t.c.refund).where(returns_t.c.id == return_id)
        ).scalar()  # fmt: skip
    return int(refund or 0)


def _check_refund(draft: ReturnDraft, total: int, receipt: GoodsReceipt) -> None:
    if not 0 <= draft.refund <= total:
        raise ValidationError(msg("The money given back must be 0 to the goods' cost ({total}).",
                                  total=total), field="refund")  # fmt: skip
    if draft.refund and receipt.supplier_id is None:
        # As for a payment (`goods_receipts._check_paid`): a receipt without a supplier
        # recorded nothing paid, so nothing can come back, nor be on anyone's account.
        raise ValidationError(msg("{code} names no supplier: nothing was paid for it, so no "
                                  "money can come back for its goods.", code=receipt.code),
                              field="refund")  # fmt: skip
    if draft.refund:
        check_payment(draft.refund, draft.method, "")


def receipt_returns(ctx: ServiceContext, receipt_id: int) -> list[ReturnRow]:
    """A receipt's returns, oldest first (cancelled ones too, with when and why)."""
    ctx.require(Module.PRODUCTS)
    r, g = returns_t.c, receipts_t.c
    stmt = (
        sa.select(r.id, r.code, r.receipt_id, g.code.label("receipt_code"), r.supplier_id,
                  r.created_at, r.reason, r.units, r.total, r.refund, r.method,
                  users_t.c.name, g.supplier, r.cancelled_at, r.cancel_reason)
        .select_from(returns_t.join(receipts_t, g.id == r.receipt_id)
                     .outerjoin(users_t, users_t.c.id == r.user_id))
        .where(r.receipt_id == receipt_id).order_by(r.created_at, r.id)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [ReturnRow(int(x.id), x.code, int(x.receipt_id), x.receipt_code, x.supplier_id,
                      x.created_at, x.reason, int(x.units), int(x.total), int(x.refund),
                      PaymentMethod(x.method), x.name or "", x.supplier or "",
                      x.cancelled_at, x.cancel_reason or "")
            for x in rows]  # fmt: skip


@dataclass(frozen=True)
class ReturnLineRow:
    """A line of a return as the printout shows it (the receipt line's SKU and names)."""

    sku: str
    product_name: str
    variant_name: str
    quantity: int
    unit_cost: int | None

    @property
    def amount(self) -> int | None:
        return None if self.unit_cost is None else self.quantity * self.unit_cost


def get_return(ctx: ServiceContext, return_id: int) -> ReturnRow:
    """One return (NotFound naming it when there is none)."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        receipt_id = conn.execute(
            sa.select(returns_t.c.receipt_id).where(returns_t.c.id == return_id)
        ).scalar()  # fmt: skip
    if receipt_id is None:
        raise NotFound(msg("Return {id} no longer exists.", id=str(return_id)))
    return next(r for r in receipt_returns(ctx, int(receipt_id)) if r.id == return_id)


def return_id_by_code(ctx: ServiceContext, code: str) -> int:
    """The id of the return `TH000012` (any case; NotFound naming it otherwise)."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        found = conn.execute(
            sa.select(returns_t.c.id).where(returns_t.c.code == code.strip().upper())
        ).scalar()  # fmt: skip
    if found is None:
        raise NotFound(msg("There is no return to a supplier {code}.", code=code.strip()))
    return int(found)


def return_lines(ctx: ServiceContext, return_id: int) -> list[ReturnLineRow]:
    ctx.require(Module.PRODUCTS)
    ln, rl = return_lines_t.c, receipt_lines_t.c
    stmt = (
        sa.select(rl.sku, rl.product_name, rl.variant_name, ln.quantity, ln.unit_cost)
        .join_from(return_lines_t, receipt_lines_t, rl.id == ln.receipt_line_id)
        .where(ln.return_id == return_id).order_by(ln.id)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [ReturnLineRow(x.sku, x.product_name, x.variant_name or "", int(x.quantity),
                          None if x.unit_cost is None else int(x.unit_cost))
            for x in rows]  # fmt: skip
