"""Suppliers (*nhà cung cấp*): who goods come from, and what the shop owes them.

A supplier's debt is the cost of its standing goods receipts less the goods sent back to
it (standing returns), less its standing payments plus the money it gave back for them
(`figures`): paid
with a receipt (`receive_goods` records it) or later here (`pay_supplier`); goods go back
with `supplier_returns`. Nothing stores a balance, so a cancelled receipt or payment
simply stops counting. Products access is what the Products tab's *Suppliers* page needs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.emails import is_email
from primedist.core.messages import msg
from primedist.core.phone import normalize_phone
from primedist.core.search_keys import search_text
from primedist.core.tax_codes import tax_code_problem
from primedist.core.text import clean_line, fold, like_escape
from primedist.db.engine import take_writer_lock
from primedist.domain.base import table_of
from primedist.domain.enums import Module, PaymentMethod
from primedist.domain.goods_receipt import GoodsReceipt
from primedist.domain.supplier import (
    MAX_PAYMENT,
    SUPPLIER_PAYMENT_METHODS,
    Supplier,
    SupplierAdjustment,
    SupplierPayment,
    SupplierReturn,
)
from primedist.domain.user import User
from primedist.errors import NotFound, ValidationError
from primedist.io.xlsx_writer import XlsxColumn
from primedist.jobs.progress import NullProgress, Progress
from primedist.services.context import ServiceContext
from primedist.services.export_support import (
    ExportReport,
    audit_export,
    check_target,
    lang_index,
    replaced_when_done,
    stream_rows,
)

#: Suppliers one list shows (those that match the search, by name).
LIST_LIMIT = 500
MAX_NAME = 120
MAX_NOTE = 255
_LIMITS = {"email": 120, "address": 255, "tax_code": 20, "note": MAX_NOTE}
#: A supplier's code as typed (NCC000012, any case): never taken as a new supplier's name.
_CODE_RE = re.compile(r"NCC\d+", re.IGNORECASE)

suppliers_t = table_of(Supplier)
payments_t = table_of(SupplierPayment)
returns_t = table_of(SupplierReturn)
adjustments_t = table_of(SupplierAdjustment)
receipts_t = table_of(GoodsReceipt)
users_t = table_of(User)


@dataclass(frozen=True)
class SupplierDraft:
    name: str
    phone: str = ""
    email: str = ""
    address: str = ""
    tax_code: str = ""
    note: str = ""


@dataclass(frozen=True)
class SupplierRow:
    """A supplier as the list shows it, with what it delivered and was paid."""

    id: int
    code: str
    name: str
    phone: str
    email: str
    address: str
    tax_code: str
    note: str
    is_active: bool
    receipts: int
    #: Σ cost of its standing receipts, less the goods sent back.
    bought: int
    #: Σ its standing payments, less the money it gave back for returns.
    paid: int
    last_delivery: datetime | None
    created_at: datetime
    #: Σ its balance adjustments (an opening debt, corrections): + owes more.
    adjusted: int = 0

    @property
    def debt(self) -> int:
        """What the shop owes it (negative: paid in advance)."""
        return self.bought - self.paid + self.adjusted


@dataclass(frozen=True)
class LedgerEntry:
    """One line of a supplier's account: a receipt (what the shop came to owe) or a
    payment, and the balance after it. A cancelled one changes nothing."""

    at: datetime
    kind: str  # "receipt" | "payment" | "return" | "refund" | "adjustment"
    #: PN000123 for a receipt, PC000045 for a payment, TH000012 for a return (and its
    #: refund).
    code: str
    record_id: int
    #: The receipt's cost (receipt) or the amount paid (payment).
    amount: int
    balance: int
    method: PaymentMethod | None
    note: str
    by: str
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    #: For a payment made with a receipt, or a return: that receipt's code.
    receipt_code: str = ""
    #: An adjustment that lowered what is owed (its `amount` is always positive).
    lowers: bool = False

    @property
    def counts(self) -> bool:
        return self.cancelled_at is None

    @property
    def change(self) -> int:
        """How it moved what is owed: + a receipt, a refund or an adjustment up; − a payment,
        a return or an adjustment down."""
        if self.kind == "adjustment":
            return -self.amount if self.lowers else self.amount
        return self.amount if self.kind in ("receipt", "refund") else -self.amount


#: The digits of a document code an id can have (a 64-bit integer has 19).
_MAX_ID_DIGITS = 18


def payment_code(payment_id: int) -> str:
    """A payment's document code (*phiếu chi*)."""
    return f"PC{payment_id:06d}"


def adjustment_code(adjustment_id: int) -> str:
    """A balance adjustment's code (*điều chỉnh công nợ*)."""
    return f"DC{adjustment_id:06d}"


# --------------------------------------------------------------------------- checking


def _clean(draft: SupplierDraft) -> dict[str, str | None]:
    """Every text on one line without control or invisible characters (`clean_line`)."""
    name = clean_line(draft.name)
    if not name:
        raise ValidationError(msg("Give the supplier's name."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(msg("The supplier's name has {length} characters: {limit} at "
                                  "most.", length=len(name), limit=MAX_NAME),
                              field="name")  # fmt: skip
    values: dict[str, str | None] = {"name": name}
    for field in ("email", "address", "tax_code", "note"):
        text = clean_line(getattr(draft, field))
        if len(text) > _LIMITS[field]:
            raise ValidationError(_too_long(field, len(text)), field=field)
        values[field] = text or None
    values["phone"] = _phone(draft.phone)
    if values["email"] and not is_email(values["email"] or ""):
        raise ValidationError(msg("{email} is not an email address.", email=values["email"]),
                              field="email")  # fmt: skip
    if problem := tax_code_problem(values["tax_code"] or ""):
        raise ValidationError(problem, field="tax_code")
    return values


def _too_long(field: str, length: int) -> str:
    limit = _LIMITS[field]
    if field == "email":
        return msg("The email has {length} characters: {limit} at most.", length=length,
                   limit=limit)  # fmt: skip
    if field == "address":
        return msg("The address has {length} characters: {limit} at most.", length=length,
                   limit=limit)  # fmt: skip
    if field == "tax_code":
        return msg("The tax code has {length} characters: {limit} at most.", length=length,
                   limit=limit)  # fmt: skip
    return msg("The note has {length} characters: {limit} at most.", length=length, limit=limit)


def _phone(raw: str) -> str | None:
    text = raw.strip()
    if not text:
        return None
    phone = normalize_phone(text)
    if phone is None:
        raise ValidationError(msg("{phone} is not a phone number.", phone=text), field="phone")
    return phone


def _refuse_same_name(session: Session, key: str, supplier_id: int | None) -> None:
    s = suppliers_t.c
    same = session.connection().execute(
        sa.select(s.id, s.code, s.name).where(s.name_key == key)
    ).first()  # fmt: skip
    if same is not None and same.id != supplier_id:
        raise ValidationError(msg("There is a supplier named {name} already ({code}).",
                                  name=same.name, code=same.code), field="name")  # fmt: skip


def _apply(supplier: Supplier, values: dict[str, str | None]) -> None:
    for field, value in values.items():
        setattr(supplier, field, value)
    supplier.name_key = fold(supplier.name)[:MAX_NAME]
    supplier.search_text = search_text(supplier.code, supplier.name, supplier.tax_code,
                                       supplier.email, phones=[supplier.phone])[:600]  # fmt: skip


# --------------------------------------------------------------------------- records


def create_supplier(ctx: ServiceContext, draft: SupplierDraft) -> SupplierRow:
    """A new supplier (only the name is required; a name already used is refused)."""
    ctx.require(Module.PRODUCTS)
    values = _clean(draft)
    with ctx.uow() as session:
        supplier = add_supplier(ctx, session, values)
        ctx.audit(session, "supplier.create", entity_type="supplier", entity_id=supplier.id,
                  summary=msg("{code}: {name}", code=supplier.code, name=supplier.name),
                  after=_audited(supplier))  # fmt: skip
        supplier_id = supplier.id
    assert supplier_id is not None
    return get_supplier(ctx, supplier_id)


def add_supplier(ctx: ServiceContext, session: Session, values: dict[str, str | None]) -> Supplier:
    """Insert a supplier (its code from its id) in the caller's unit of work."""
    now = ctx.clock.now()
    key = fold(values["name"] or "")[:MAX_NAME]
    # PostgreSQL: another PC adding the same new name (a receipt, an order) waits, then
    # finds it here, instead of both inserting it (one failing on the unique name).
    take_writer_lock(session.connection())
    _refuse_same_name(session, key, None)
    supplier = Supplier(code=f"~{key[:18]}", name=values["name"] or "", name_key=key,
                        created_at=now, updated_at=now)  # fmt: skip
    session.add(supplier)
    session.flush()
    assert supplier.id is not None
    supplier.code = f"NCC{supplier.id:06d}"
    _apply(supplier, values)
    session.add(supplier)
    session.flush()
    return supplier


def update_supplier(ctx: ServiceContext, supplier_id: int, draft: SupplierDraft) -> SupplierRow:
    """Change a supplier's name and contact details (its receipts keep the name they were
    received under)."""
    ctx.require(Module.PRODUCTS)
    values = _clean(draft)
    with ctx.uow() as session:
        supplier = _locked(session, supplier_id)
        before = _audited(supplier)
        _refuse_same_name(session, fold(values["name"] or "")[:MAX_NAME], supplier_id)
        _apply(supplier, values)
        supplier.updated_at = ctx.clock.now()
        session.add(supplier)
        ctx.audit(session, "supplier.update", entity_type="supplier", entity_id=supplier_id,
                  summary=msg("{code}: {name}", code=supplier.code, name=supplier.name),
                  before=before, after=_audited(supplier))  # fmt: skip
    return get_supplier(ctx, supplier_id)


def set_supplier_active(ctx: ServiceContext, supplier_id: int, active: bool) -> SupplierRow:
    """Archive a supplier (goods no longer come from it: the receipt screen stops offering
    it; its documents stay) or restore it."""
    ctx.require(Module.PRODUCTS)
    with ctx.uow() as session:
        supplier = _locked(session, supplier_id)
        if supplier.is_active != active:
            supplier.is_active = active
            supplier.updated_at = ctx.clock.now()
            session.add(supplier)
            ctx.audit(session, "supplier.restore" if active else "supplier.archive",
                      entity_type="supplier", entity_id=supplier_id,
                      summary=msg("{code}: {name}", code=supplier.code,
                                  name=supplier.name))  # fmt: skip
    return get_supplier(ctx, supplier_id)


def _locked(session: Session, supplier_id: int) -> Supplier:
    supplier = session.get(Supplier, supplier_id, with_for_update=True)
    if supplier is None:
        raise NotFound(msg("Supplier {id} no longer exists.", id=str(supplier_id)))
    return supplier


def _audited(s: Supplier) -> dict[str, Any]:
    return {"name": s.name, "phone": s.phone, "email": s.email, "address": s.address,
            "tax_code": s.tax_code, "note": s.note}  # fmt: skip


def looks_like_code(text: str) -> bool:
    """Whether `text` is written as a supplier's code (NCC and digits, any case)."""
    return _CODE_RE.fullmatch(text.strip()) is not None


def names_supplier(supplier: Supplier, text: str) -> bool:
    """Whether `text` names this supplier: its code (any case) or its name now (accents,
    case and spaces aside)."""
    return text.strip().upper() == supplier.code or (
        fold(" ".join(text.split()))[:MAX_NAME] == supplier.name_key
    )


def _find(conn: sa.Connection, text: str) -> int | None:
    """The id of the supplier whose code, else whose folded name, is `text`."""
    s = suppliers_t.c
    by_code = conn.execute(sa.select(s.id).where(s.code == text.strip().upper())).scalar()
    if by_code is not None:
        return int(by_code)
    key = fold(" ".join(text.split()))[:MAX_NAME]
    by_name = conn.execute(sa.select(s.id).where(s.name_key == key)).scalar()
    return None if by_name is None else int(by_name)


def supplier_for_receipt(ctx: ServiceContext, session: Session, name: str) -> Supplier | None:
    """The supplier a receipt or an order names — by its code (NCC000012) or its name
    (folded) —, created when the name is new; None for no name. A code no supplier has is
    refused (a typo would otherwise add a supplier named after it), and so is an archived
    supplier: goods no longer come from it until it is restored."""
    text = clean_line(name)
    if not text:
        return None
    found = _find(session.connection(), text)
    if found is None:  # PostgreSQL: another PC may be adding it: wait for it, look again
        take_writer_lock(session.connection())
        found = _find(session.connection(), text)
    if found is not None:
        return receiving_from(session, found)
    if looks_like_code(text):
        raise ValidationError(msg("There is no supplier {name}.", name=text), field="supplier")
    supplier = add_supplier(ctx, session, _clean(SupplierDraft(text)))
    ctx.audit(session, "supplier.create", entity_type="supplier", entity_id=supplier.id,
              summary=msg("{code}: {name}", code=supplier.code, name=supplier.name),
              after=_audited(supplier))  # fmt: skip
    return supplier


def receiving_from(session: Session, supplier_id: int) -> Supplier:
    """The supplier goods come from, locked for the caller's unit of work: refused when
    archived (restore it first)."""
    supplier = _locked(session, supplier_id)
    if not supplier.is_active:
        raise ValidationError(msg("Supplier {name} ({code}) is archived: restore it on the "
                                  "Suppliers page first.", name=supplier.name,
                                  code=supplier.code), field="supplier")  # fmt: skip
    return supplier


# --------------------------------------------------------------------------- payments


def checked_reason(reason: str, when_empty: str) -> str:
    """A reason typed (trimmed): refused, with `when_empty`, when there is none, and when
    longer than a note may be."""
    text = clean_line(reason)
    if not text:
        raise ValidationError(when_empty, field="reason")
    if len(text) > MAX_NOTE:
        raise ValidationError(msg("The reason has {length} characters: {limit} at most.",
                                  length=len(text), limit=MAX_NOTE), field="reason")  # fmt: skip
    return text


class _Cancellable(Protocol):
    cancelled_at: datetime | None


_C = TypeVar("_C", bound=_Cancellable)


def locked_standing(session: Session, model: type[_C], entity_id: int, *, missing: str,
                    code: Callable[[_C], str]) -> _C:  # fmt: skip
    """The entry to cancel, locked for the change: refused with `missing` when it no longer
    exists, and when it was cancelled already (named by `code`)."""
    row = session.get(model, entity_id, with_for_update=True)
    if row is None:
        raise NotFound(missing)
    if row.cancelled_at is not None:
        raise ValidationError(msg("{code} was cancelled already.", code=code(row)))
    return row


def check_payment(amount: int, method: PaymentMethod, note: str) -> str | None:
    """The payment's note (None when empty); refuses a bad amount, method or note."""
    if not 0 < amount <= MAX_PAYMENT:
        raise ValidationError(msg("The amount paid must be 1 to {max}.", max=MAX_PAYMENT),
                              field="amount")  # fmt: skip
    if method not in SUPPLIER_PAYMENT_METHODS:
        raise ValidationError(msg("A supplier is paid in cash, by bank transfer or otherwise, "
                                  "not by {method}.", method=method), field="method")  # fmt: skip
    text = clean_line(note)
    if len(text) > MAX_NOTE:
        raise ValidationError(msg("The note has {length} characters: {limit} at most.",
                                  length=len(text), limit=MAX_NOTE), field="note")  # fmt: skip
    return text or None


def pay_supplier(
    ctx: ServiceContext, supplier_id: int, amount: int,
    method: PaymentMethod = PaymentMethod.CASH, note: str = "",
) -> LedgerEntry:  # fmt: skip
    """Record money paid to a supplier against its balance (more than it is owed is a
    payment in advance: the balance goes below zero)."""
    ctx.require(Module.PRODUCTS)
    text = check_payment(amount, method, note)
    with ctx.uow() as session:
        supplier = _locked(session, supplier_id)
        payment = SupplierPayment(supplier_id=supplier_id, amount=amount, method=method,
                                  note=text, paid_at=ctx.clock.now(),
                                  user_id=ctx.actor.id)  # fmt: skip
        session.add(payment)
        session.flush()
        assert payment.id is not None
        ctx.audit(session, "supplier.pay", entity_type="supplier", entity_id=supplier_id,
                  summary=msg("{code}: {amount} paid to {name}", code=payment_code(payment.id),
                              amount=amount, name=supplier.name),
                  after={"payment": payment.id, "amount": amount, "method": str(method),
                         "note": text})  # fmt: skip
        entry = LedgerEntry(payment.paid_at, "payment", payment_code(payment.id), payment.id,
                            amount, 0, method, text or "", ctx.actor.name)  # fmt: skip
    # Its balance: what is owed once it counts (no later entry exists yet).
    return replace(entry, balance=get_supplier(ctx, supplier_id).debt)


#: One adjustment at most, either way (đồng).
MAX_ADJUSTMENT = MAX_PAYMENT


def adjust_balance(ctx: ServiceContext, supplier_id: int, amount: int, reason: str) -> LedgerEntry:
    """Change what the shop owes a supplier by hand: + owes more (a debt from before the
    app, a charge agreed), − owes less (a discount granted, a correction). The reason is
    required; an adjustment is never cancelled (another one undoes it). Writing a debt up or
    off is the owner's or a manager's call, as for a customer's account."""
    ctx.require(Module.PRODUCTS)
    ctx.require_manager()
    text = checked_reason(reason, msg("Say why the balance changes."))
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise ValidationError(msg("An adjustment is 1 to {max}, up or down.", max=MAX_ADJUSTMENT),
                              field="amount")  # fmt: skip
    with ctx.uow() as session:
        supplier = _locked(session, supplier_id)
        row = SupplierAdjustment(supplier_id=supplier_id, amount=amount, reason=text,
                                 user_id=ctx.actor.id, created_at=ctx.clock.now())  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        ctx.audit(session, "supplier.adjust", entity_type="supplier", entity_id=supplier_id,
                  summary=msg("{code}: {name}'s balance {amount} ({reason})",
                              code=adjustment_code(row.id), name=supplier.name, amount=amount,
                              reason=text),
                  after={"adjustment": row.id, "amount": amount, "reason": text})  # fmt: skip
        entry = LedgerEntry(row.created_at, "adjustment", adjustment_code(row.id), row.id,
                            abs(amount), 0, None, text, ctx.actor.name,
                            lowers=amount < 0)  # fmt: skip
    return replace(entry, balance=get_supplier(ctx, supplier_id).debt)


def cancel_payment(ctx: ServiceContext, payment_id: int, reason: str) -> None:
    """Cancel a payment entered by mistake (it stays on the account, struck out, with when,
    by whom and why). A payment made with a receipt goes with that receipt: cancel the
    receipt instead. The owner or a manager only: it puts the debt back up, as
    `adjust_balance` does. A cash payment cancelled on a later day stays paid out on its
    own day: End of day counts its cash back in the drawer on the day of the cancel."""
    ctx.require(Module.PRODUCTS)
    ctx.require_manager()
    text = checked_reason(reason, msg("Say why the payment is cancelled."))
    with ctx.uow() as session:
        payment = locked_standing(
            session, SupplierPayment, payment_id, code=lambda _p: payment_code(payment_id),
            missing=msg("Payment {id} no longer exists.", id=str(payment_id)))  # fmt: skip
        if payment.receipt_id is not None:
            receipt = session.get(GoodsReceipt, payment.receipt_id)
            raise ValidationError(msg("{code} was paid with goods receipt {receipt}: cancel "
                                      "the receipt instead.", code=payment_code(payment_id),
                                      receipt=receipt.code if receipt else "?"))  # fmt: skip
        payment.cancelled_at, payment.cancelled_by_id = ctx.clock.now(), ctx.actor.id
        payment.cancel_reason = text
        session.add(payment)
        ctx.audit(session, "supplier.payment_cancel", entity_type="supplier",
                  entity_id=payment.supplier_id,
                  summary=msg("{code} cancelled ({reason})", code=payment_code(payment_id),
                              reason=text),
                  after={"payment": payment_id, "amount": payment.amount,
                         "reason": text})  # fmt: skip


@dataclass(frozen=True)
class SupplierPaymentRow:
    """One supplier payment as its printed voucher (*phiếu chi*) shows it."""

    id: int
    code: str
    supplier_id: int
    supplier_name: str
    supplier_code: str
    amount: int
    method: PaymentMethod
    note: str
    paid_at: datetime
    by: str
    #: The goods receipt it was paid with (its code), if any.
    receipt_code: str | None
    cancelled_at: datetime | None
    cancel_reason: str


def get_payment(ctx: ServiceContext, payment_id: int) -> SupplierPaymentRow:
    """A payment with its supplier, who made it and the goods receipt it came with."""
    ctx.require(Module.PRODUCTS)
    p, s, u, r = payments_t.c, suppliers_t.c, users_t.c, receipts_t.c
    stmt = (
        sa.select(p.id, p.supplier_id, s.name, s.code, p.amount, p.method, p.note, p.paid_at,
                  u.name.label("by"), r.code.label("receipt_code"), p.cancelled_at,
                  p.cancel_reason)
        .select_from(payments_t.join(suppliers_t, s.id == p.supplier_id)
                     .outerjoin(users_t, u.id == p.user_id)
                     .outerjoin(receipts_t, r.id == p.receipt_id))
        .where(p.id == payment_id)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        x = conn.execute(stmt).first()
    if x is None:
        raise NotFound(msg("Payment {id} no longer exists.", id=str(payment_id)))
    return SupplierPaymentRow(
        int(x.id), payment_code(int(x.id)), int(x.supplier_id), x.name, x.code, int(x.amount),
        PaymentMethod(x.method), x.note or "", x.paid_at, x.by or "", x.receipt_code,
        x.cancelled_at, x.cancel_reason or "",
    )  # fmt: skip


def payment_id_by_code(ctx: ServiceContext, code: str) -> int:
    """The id of the supplier payment PC000012 (any case); a ValidationError names a bad
    code, a NotFound a code no payment has."""
    ctx.require(Module.PRODUCTS)
    text = code.strip().upper()
    digits = text[2:]
    if not (text.startswith("PC") and digits.isascii() and digits.isdigit()):
        raise ValidationError(msg("{code} is not a supplier payment code (PC000012).",
                                  code=code.strip()), field="code")  # fmt: skip
    found = None
    if len(digits) <= _MAX_ID_DIGITS:  # longer: no id is that large (nor fits the column)
        with ctx.engine.connect() as conn:
            found = conn.execute(
                sa.select(payments_t.c.id).where(payments_t.c.id == int(digits))
            ).scalar()  # fmt: skip
    if found is None:
        raise NotFound(msg("There is no payment {code}.", code=text))
    return int(found)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Figures:
    """Per-supplier figures joined onto `suppliers`: `join` is the FROM clause, the
    others are column expressions."""

    join: sa.FromClause
    receipts: sa.ColumnElement[Any]
    #: Σ cost of its standing receipts less the goods sent back.
    bought: sa.ColumnElement[Any]
    #: Σ its standing payments less the money it gave back for returns.
    paid: sa.ColumnElement[Any]
    last_delivery: sa.ColumnElement[Any]
    #: Σ its balance adjustments.
    adjusted: sa.ColumnElement[Any]

    @property
    def debt(self) -> sa.ColumnElement[Any]:
        return self.bought - self.paid + self.adjusted


def figures(scope: sa.Select[Any] | None = None) -> Figures:
    """Each supplier's figures from its standing receipts, its returns and its standing
    payments; only for the supplier ids `scope` selects, when given (the planner does not
    push an outer filter into a grouped subquery)."""
    r, p, b, a = receipts_t.c, payments_t.c, returns_t.c, adjustments_t.c
    bought = (
        sa.select(r.supplier_id, sa.func.count().label("receipts"),
                  sa.func.sum(r.total_cost).label("cost"),
                  sa.func.max(r.created_at).label("last_delivery"))
        .where(r.supplier_id.is_not(None), r.cancelled_at.is_(None))
    )  # fmt: skip
    paid = sa.select(p.supplier_id, sa.func.sum(p.amount).label("amount")).where(
        p.cancelled_at.is_(None))  # fmt: skip
    back = sa.select(
        b.supplier_id, sa.func.sum(b.total).label("total"), sa.func.sum(b.refund).label("refund")
    ).where(b.supplier_id.is_not(None), b.cancelled_at.is_(None))
    adjusted = sa.select(a.supplier_id, sa.func.sum(a.amount).label("amount"))
    if scope is not None:
        bought = bought.where(r.supplier_id.in_(scope))
        paid = paid.where(p.supplier_id.in_(scope))
        back = back.where(b.supplier_id.in_(scope))
        adjusted = adjusted.where(a.supplier_id.in_(scope))
    g = bought.group_by(r.supplier_id).subquery("bought")
    q = paid.group_by(p.supplier_id).subquery("paid")
    t = back.group_by(b.supplier_id).subquery("back")
    j = adjusted.group_by(a.supplier_id).subquery("adjusted")
    s = suppliers_t.c
    zero = sa.func.coalesce
    return Figures(
        join=suppliers_t.outerjoin(g, g.c.supplier_id == s.id)
        .outerjoin(q, q.c.supplier_id == s.id).outerjoin(t, t.c.supplier_id == s.id)
        .outerjoin(j, j.c.supplier_id == s.id),
        receipts=zero(g.c.receipts, 0),
        bought=zero(g.c.cost, 0) - zero(t.c.total, 0),
        paid=zero(q.c.amount, 0) - zero(t.c.refund, 0),
        last_delivery=g.c.last_delivery,
        adjusted=zero(j.c.amount, 0),
    )  # fmt: skip


def _rows_stmt(
    scope: sa.Select[Any] | None = None,
) -> tuple[sa.Select[Any], sa.ColumnElement[Any]]:
    s = suppliers_t.c
    f = figures(scope)
    stmt = sa.select(
        s.id, s.code, s.name, s.phone, s.email, s.address, s.tax_code, s.note, s.is_active,
        f.receipts.label("receipts"), f.bought.label("bought"), f.paid.label("paid"),
        f.last_delivery.label("last_delivery"), s.created_at, f.adjusted.label("adjusted"),
    ).select_from(f.join)  # fmt: skip
    return stmt, f.debt


def list_suppliers(
    ctx: ServiceContext, search: str = "", *, archived: bool = False, owing: bool = False,
    limit: int = LIST_LIMIT,
) -> list[SupplierRow]:  # fmt: skip
    """Suppliers by name (at most `limit`): the active ones (`archived`: the archived ones),
    those with every word of `search` in their code, name, phone, email or tax code
    (accents and case ignored), only those owed money when `owing`."""
    ctx.require(Module.PRODUCTS)
    s = suppliers_t.c
    wanted = [s.is_active.is_(not archived)]
    wanted += [s.search_text.like(f"%{like_escape(word)}%", escape="\\")
               for word in fold(search).split()]  # fmt: skip
    stmt, debt = _rows_stmt(sa.select(s.id).where(*wanted) if len(wanted) > 1 else None)
    stmt = stmt.where(*wanted)
    if owing:
        stmt = stmt.where(debt > 0)
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(s.name_key, s.id).limit(limit)).all()
    return [_row(x) for x in rows]


def get_supplier(ctx: ServiceContext, supplier_id: int) -> SupplierRow:
    ctx.require(Module.PRODUCTS)
    stmt, _debt = _rows_stmt(sa.select(sa.literal(supplier_id)))
    with ctx.engine.connect() as conn:
        x = conn.execute(stmt.where(suppliers_t.c.id == supplier_id)).first()
    if x is None:
        raise NotFound(msg("Supplier {id} no longer exists.", id=str(supplier_id)))
    return _row(x)


def _row(x: Any) -> SupplierRow:
    return SupplierRow(
        int(x.id), x.code, x.name, x.phone or "", x.email or "", x.address or "",
        x.tax_code or "", x.note or "", bool(x.is_active), int(x.receipts), int(x.bought),
        int(x.paid), x.last_delivery, x.created_at, int(x.adjusted),
    )  # fmt: skip


def supplier_id_by_name(ctx: ServiceContext, text: str) -> int:
    """The supplier whose code (NCC000012) or name (accents and case ignored) is `text`."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        found = _find(conn, text)
    if found is None:
        raise NotFound(msg("There is no supplier {name}.", name=text.strip()))
    return int(found)


def total_owed(ctx: ServiceContext) -> int:
    """What the shop owes its suppliers in all (those paid in advance not netted off)."""
    ctx.require(Module.PRODUCTS)
    f = figures()
    per = sa.select(f.debt.label("debt")).select_from(f.join).subquery()
    stmt = sa.select(sa.func.coalesce(sa.func.sum(per.c.debt), 0)).where(per.c.debt > 0)
    with ctx.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def supplier_names(ctx: ServiceContext, limit: int = 500) -> list[str]:
    """The active suppliers' names, the latest delivery first (the receipt screen offers
    them as the name is typed)."""
    ctx.require(Module.PRODUCTS)
    s, r = suppliers_t.c, receipts_t.c
    latest = sa.select(sa.func.max(r.created_at)).where(r.supplier_id == s.id).scalar_subquery()
    stmt = (
        sa.select(s.name).where(s.is_active.is_(True))
        .order_by(sa.func.coalesce(latest, s.created_at).desc(), s.name_key).limit(limit)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        return [str(name) for name in conn.execute(stmt).scalars()]


#: Entries an account shows (the newest; the balances stay exact: they are worked back
#: from what is owed now).
LEDGER_LIMIT = 500


def supplier_ledger(
    ctx: ServiceContext,
    supplier_id: int,
    limit: int | None = LEDGER_LIMIT,
    *,
    since: datetime | None = None,
) -> list[LedgerEntry]:
    """The supplier's account, newest first (at most `limit` entries; None: all of them,
    or all from `since` on): each receipt (what the shop came to owe), payment, return
    (goods sent back: owed less) and refund (money it gave back for them: owed more
    again) with the balance after it; cancelled receipts, payments and returns are listed
    and change nothing."""
    ctx.require(Module.PRODUCTS)
    r, p = receipts_t.c, payments_t.c
    receipt_by = users_t.alias("receipt_by")
    payment_by = users_t.alias("payment_by")
    return_by = users_t.alias("return_by")
    adjust_by = users_t.alias("adjust_by")
    paid_with = receipts_t.alias("paid_with")
    receipts = (
        sa.select(r.id, r.code, r.created_at, r.total_cost, r.note, receipt_by.c.name,
                  r.cancelled_at, r.cancel_reason)
        .select_from(receipts_t.outerjoin(receipt_by, receipt_by.c.id == r.user_id))
        .where(r.supplier_id == supplier_id, *on_or_after(since, r.created_at))
        .order_by(r.created_at.desc(), r.id.desc()).limit(limit)
    )  # fmt: skip
    payments = (
        sa.select(p.id, p.paid_at, p.amount, p.method, p.note, payment_by.c.name,
                  p.cancelled_at, p.cancel_reason, paid_with.c.code)
        .select_from(payments_t.outerjoin(payment_by, payment_by.c.id == p.user_id)
                     .outerjoin(paid_with, paid_with.c.id == p.receipt_id))
        .where(p.supplier_id == supplier_id, *on_or_after(since, p.paid_at))
        .order_by(p.paid_at.desc(), p.id.desc()).limit(limit)
    )  # fmt: skip
    b, returned_from = returns_t.c, receipts_t.alias("returned_from")
    returns = (
        sa.select(b.id, b.code, b.created_at, b.total, b.refund, b.method, b.reason,
                  return_by.c.name, returned_from.c.code.label("receipt_code"),
                  b.cancelled_at, b.cancel_reason)
        .select_from(returns_t.outerjoin(return_by, return_by.c.id == b.user_id)
                     .join(returned_from, returned_from.c.id == b.receipt_id))
        .where(b.supplier_id == supplier_id, *on_or_after(since, b.created_at))
        .order_by(b.created_at.desc(), b.id.desc()).limit(limit)
    )  # fmt: skip
    j = adjustments_t.c
    adjustments = (
        sa.select(j.id, j.created_at, j.amount, j.reason, adjust_by.c.name)
        .select_from(adjustments_t.outerjoin(adjust_by, adjust_by.c.id == j.user_id))
        .where(j.supplier_id == supplier_id, *on_or_after(since, j.created_at))
        .order_by(j.created_at.desc(), j.id.desc()).limit(limit)
    )  # fmt: skip
    debt = get_supplier(ctx, supplier_id).debt  # NotFound when there is none
    with ctx.engine.connect() as conn:
        events: list[tuple[Any, int, int, str, Any]] = [
            (x.created_at, 0, x.id, "receipt", x) for x in conn.execute(receipts)
        ]
        events += [(x.paid_at, 1, x.id, "payment", x) for x in conn.execute(payments)]
        for x in conn.execute(returns):
            events.append((x.created_at, 2, x.id, "return", x))
            if x.refund:
                events.append((x.created_at, 3, x.id, "refund", x))
        events += [(x.created_at, 4, x.id, "adjustment", x) for x in conn.execute(adjustments)]
    # Newest first (at the same time: a receipt, its payment; a return, its refund).
    events.sort(key=lambda e: e[:3], reverse=True)
    entries = [
        _entry(at, kind, record_id, x, 0) for at, _order, record_id, kind, x in events[:limit]
    ]
    after = balances_after(debt, [e.change if e.counts else 0 for e in entries])
    return [replace(e, balance=balance) for e, balance in zip(entries, after, strict=True)]


def balances_after(owed_now: int, changes: Sequence[int]) -> list[int]:
    """The balance right after each entry of an account listed newest first, worked back
    from what is owed now; `changes` = what each entry did to it (0: a cancelled one).
    A customer's account (`customer_account`) is worked back the same way."""
    balances, balance = [], owed_now
    for change in changes:
        balances.append(balance)
        balance -= change
    return balances


def on_or_after(
    since: datetime | None, at: sa.ColumnElement[Any]
) -> tuple[sa.ColumnElement[bool], ...]:
    """The WHERE term keeping the entries from `since` on (none without it)."""
    return () if since is None else (at >= since,)


def balance_after_payment(ctx: ServiceContext, payment: SupplierPaymentRow) -> int:
    """What the shop owed the supplier right after this payment, as its line of the account
    shows it: its voucher printed again later says that, not what is owed today."""
    entries = supplier_ledger(ctx, payment.supplier_id, None, since=payment.paid_at)
    return next(e.balance for e in entries if e.kind == "payment" and e.record_id == payment.id)


def _entry(at: datetime, kind: str, record_id: int, x: Any, balance: int) -> LedgerEntry:
    if kind == "adjustment":
        return LedgerEntry(at, kind, adjustment_code(record_id), record_id, abs(int(x.amount)),
                           balance, None, x.reason, x.name or "",
                           lowers=int(x.amount) < 0)  # fmt: skip
    if kind in ("return", "refund"):
        amount = int(x.total if kind == "return" else x.refund)
        method = PaymentMethod(x.method) if kind == "refund" else None
        return LedgerEntry(at, kind, x.code, record_id, amount, balance, method, x.reason,
                           x.name or "", x.cancelled_at, x.cancel_reason or "",
                           receipt_code=x.receipt_code)  # fmt: skip
    if kind == "receipt":
        return LedgerEntry(at, kind, x.code, record_id, int(x.total_cost), balance, None,
                           x.note or "", x.name or "", x.cancelled_at,
                           x.cancel_reason or "")  # fmt: skip
    return LedgerEntry(at, kind, payment_code(record_id), record_id, int(x.amount), balance,
                       PaymentMethod(x.method), x.note or "", x.name or "", x.cancelled_at,
                       x.cancel_reason or "", x.code or "")  # fmt: skip


# --------------------------------------------------------------------------- export

#: The export's columns: (Vietnamese, English) header, cell kind, width.
EXPORT_COLUMNS = (
    (("Mã NCC", "Code"), "text", 11), (("Nhà cung cấp", "Supplier"), "text", 30),
    (("Điện thoại", "Phone"), "text", 13), (("Email", "Email"), "text", 24),
    (("Địa chỉ", "Address"), "text", 30), (("Mã số thuế", "Tax code"), "text", 15),
    (("Số phiếu nhập", "Receipts"), "int", 10), (("Tổng nhập", "Bought"), "money", 15),
    (("Đã trả", "Paid"), "money", 15), (("Điều chỉnh", "Adjusted"), "money", 14),
    (("Còn nợ", "Owed"), "money", 15),
    (("Nhập gần nhất", "Last delivery"), "datetime", 17), (("Ghi chú", "Note"), "text", 24),
)  # fmt: skip


def export_suppliers(
    ctx: ServiceContext, path: Path, *, search: str = "", archived: bool = False,
    owing: bool = False, lang: str = "vi", progress: Progress | None = None,
) -> ExportReport:  # fmt: skip
    """The suppliers `list_suppliers` shows for these filters (all of them, not only the
    first `LIST_LIMIT`), one row each, to .xlsx: money as numbers, codes and phones as text."""
    ctx.require_export(Module.PRODUCTS)
    prog: Progress = progress if progress is not None else NullProgress()
    target = check_target(path)
    at = lang_index(lang)
    started = time.perf_counter()
    rows = list_suppliers(ctx, search, archived=archived, owing=owing, limit=1_000_000)
    cells = [(x.code, x.name, x.phone, x.email, x.address, x.tax_code, x.receipts, x.bought,
              x.paid, x.adjusted, x.debt, x.last_delivery, x.note) for x in rows]  # fmt: skip
    columns = [XlsxColumn(h[at], kind, width) for h, kind, width in EXPORT_COLUMNS]
    with replaced_when_done(target) as tmp:
        written = stream_rows(tmp, columns, iter(cells), len(cells), prog,
                              sheet=("Nhà cung cấp", "Suppliers")[at])  # fmt: skip
    return audit_export(
        ctx, "suppliers.export", target, msg("Exported {rows} suppliers", rows=written),
        {"rows": written, "search": search}, started,
    )  # fmt: skip


# --------------------------------------------------------------------------- import

#: The columns of a suppliers file: `name` required, the others optional. `opening_debt`
#: (đồng; + the shop owes it, - it owes the shop) is what a new supplier is owed from
#: before the app: an adjustment "Opening balance".
IMPORT_COLUMNS = ("name", "phone", "email", "address", "tax_code", "note", "opening_debt")
#: The export's headers, by English header: (Vietnamese, English).
_EXPORTED = {en: (vi, en) for (vi, en), _kind, _width in EXPORT_COLUMNS}
#: Each column's headers besides its key (accents and case optional): the export's own, in
#: either language, so that an exported file imports back, and the usual other names.
IMPORT_HEADERS: dict[str, tuple[str, ...]] = {
    "name": (*_EXPORTED["Supplier"], "Tên nhà cung cấp"),
    "phone": (*_EXPORTED["Phone"], "Số điện thoại"),
    "email": _EXPORTED["Email"],
    "address": _EXPORTED["Address"],
    "tax_code": (*_EXPORTED["Tax code"], "MST"),
    "note": _EXPORTED["Note"],
    "opening_debt": ("Nợ đầu kỳ", "Công nợ đầu kỳ", "Opening debt"),
}
#: Rows one file takes.
MAX_IMPORT_ROWS = 5_000
OPENING_REASON = "Opening balance (imported)"


@dataclass(frozen=True)
class SupplierImport:
    """What an import did (or, refused, did not: nothing is written then)."""

    rows: int
    created: int
    updated: int
    unchanged: int
    #: Opening debts written (for suppliers this import created) and their sum.
    opening_debts: int
    opening_total: int
    #: Opening debts not applied: their supplier was there already (an import run twice
    #: changes nothing).
    opening_skipped: int


def import_suppliers(ctx: ServiceContext, path: Path) -> SupplierImport:
    """Add the suppliers of a .xlsx/.csv file, or update the contact details of those there
    already (matched by name, accents and case ignored, its spelling kept; an empty cell
    keeps what is there), in one transaction. A bad row is an error naming its row and
    column; nothing is written then. A name on several rows is refused."""
    ctx.require(Module.PRODUCTS)
    from primedist.io.tabular import open_table

    with open_table(path, required=("name",), max_rows=MAX_IMPORT_ROWS,
                    rename=_import_column) as table:  # fmt: skip
        # Errors name a column as the file does (MST, Nợ đầu kỳ), not by its key.
        heads = {key: table.raw_header[i] or key for key, i in table.columns.items()}
        rows = [(number, _import_row(number, cells, table.columns, heads))
                for number, cells in table.rows()]  # fmt: skip
    seen: dict[str, int] = {}
    for number, (values, _debt) in rows:
        key = fold(values["name"] or "")[:MAX_NAME]
        if key in seen:
            raise ValidationError(msg("{name} is on rows {first} and {second}: keep one.",
                                      name=values["name"], first=str(seen[key]),
                                      second=str(number)), row=number,
                                  column=heads["name"])  # fmt: skip
        seen[key] = number
    counts = {"created": 0, "updated": 0, "unchanged": 0, "debts": 0, "total": 0, "skipped": 0}
    with ctx.uow() as session:
        for _number, (values, debt) in rows:
            _import_one(ctx, session, values, debt, counts)
        ctx.audit(session, "suppliers.import", entity_type="file", entity_id=Path(path).name,
                  summary=msg("Imported {rows} suppliers: {created} new, {updated} updated",
                              rows=len(rows), created=counts["created"],
                              updated=counts["updated"]),
                  after={"rows": len(rows), **counts})  # fmt: skip
    return SupplierImport(len(rows), counts["created"], counts["updated"], counts["unchanged"],
                          counts["debts"], counts["total"], counts["skipped"])  # fmt: skip


def _import_column(name: str) -> str:
    """A (normalised) header cell as the column it names: `Nhà cung cấp` is `name`."""
    from primedist.services.product_import import header_key

    return _import_aliases().get(header_key(name), name)


@cache
def _import_aliases() -> dict[str, str]:
    """Every accepted header spelling (folded) → column key."""
    from primedist.services.product_import import header_key

    return {header_key(spelling): key for key, spellings in IMPORT_HEADERS.items()
            for spelling in (key, *spellings)}  # fmt: skip


def _import_row(
    number: int, cells: Any, columns: dict[str, int], heads: dict[str, str]
) -> tuple[dict[str, str | None], int]:
    """A row's cleaned values (None: the cell was empty) and its opening debt (0: none);
    `heads` names each column as the file does, for the errors."""
    from primedist.io.tabular import cell_text, parse_whole_number

    def cell(key: str) -> Any:
        return cells[columns[key]] if key in columns and columns[key] < len(cells) else None

    texts = {key: cell_text(cell(key)) for key in IMPORT_COLUMNS[:-1]}
    texts["tax_code"] = _tax_code_text(cell("tax_code"))
    try:
        values = _clean(SupplierDraft(**texts))
    except ValidationError as exc:
        column = exc.field or "name"
        raise ValidationError(exc.reason, row=number, column=heads.get(column, column)) from None
    debt = 0
    if cell_text(cell("opening_debt")):
        try:
            debt = parse_whole_number(cell("opening_debt"))
        except ValueError as exc:
            raise ValidationError(exc.args[0], row=number,
                                  column=heads["opening_debt"]) from None  # fmt: skip
        if abs(debt) > MAX_ADJUSTMENT:
            raise ValidationError(msg("must be -{max} to {max}.", max=MAX_ADJUSTMENT),
                                  row=number, column=heads["opening_debt"])  # fmt: skip
    return values, debt


#: The digits of a tax code (10, a branch's 13 written without its dash) Excel keeps of a
#: number cell when the code starts with 0, as many do: the 0 is dropped.
_TAX_CODE_WITHOUT_ZERO = (9, 12)


def _tax_code_text(value: Any) -> str:
    """A tax code cell as text: a number cell that lost its leading 0 (101234567 for
    0101234567) gets it back, as phones do; text is taken as typed."""
    from primedist.io.tabular import cell_text

    text = cell_text(value)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and text.isdigit() and len(text) in _TAX_CODE_WITHOUT_ZERO:
        return "0" + text
    return text


def _import_one(ctx: ServiceContext, session: Session, values: dict[str, str | None], debt: int,
                counts: dict[str, int]) -> None:  # fmt: skip
    key = fold(values["name"] or "")[:MAX_NAME]
    found = session.connection().execute(
        sa.select(suppliers_t.c.id).where(suppliers_t.c.name_key == key)
    ).scalar()  # fmt: skip
    if found is None:
        supplier = add_supplier(ctx, session, values)
        assert supplier.id is not None
        counts["created"] += 1
        if debt:
            session.add(SupplierAdjustment(supplier_id=supplier.id, amount=debt,
                                           reason=OPENING_REASON, user_id=ctx.actor.id,
                                           created_at=ctx.clock.now()))  # fmt: skip
            counts["debts"] += 1
            counts["total"] += debt
        return
    supplier = _locked(session, int(found))
    # Matched by the folded name: its spelling stays as it was (a file may drop accents).
    changes = {k: v for k, v in values.items()
               if k != "name" and v is not None and getattr(supplier, k) != v}  # fmt: skip
    if debt:
        counts["skipped"] += 1
    if not changes:
        counts["unchanged"] += 1
        return
    _apply(supplier, {**{k: getattr(supplier, k) for k in values}, **changes})
    supplier.updated_at = ctx.clock.now()
    session.add(supplier)
    counts["updated"] += 1


# --------------------------------------------------------------------------- products


@dataclass(frozen=True)
class SuppliedProduct:
    """A SKU a supplier delivered: how many in all (less those sent back), the last unit
    cost it was bought at, and when it last came."""

    variant_id: int | None
    sku: str
    product_name: str
    variant_name: str
    units: int
    last_cost: int | None
    last_received: datetime


#: SKUs one supplier's list shows (the most recently received first).
PRODUCTS_LIMIT = 500


def supplied_products(
    ctx: ServiceContext, supplier_id: int, limit: int = PRODUCTS_LIMIT
) -> list[SuppliedProduct]:
    """What the supplier delivered (its standing receipts), one row a SKU, the most
    recently received first: what to order from it again, at what price."""
    ctx.require(Module.PRODUCTS)
    from primedist.domain.goods_receipt import GoodsReceiptLine
    from primedist.domain.supplier import SupplierReturnLine

    lines_t, back_t = table_of(GoodsReceiptLine), table_of(SupplierReturnLine)
    ln, r, back, b = lines_t.c, receipts_t.c, back_t.c, returns_t.c
    standing = (r.supplier_id == supplier_id, r.cancelled_at.is_(None))
    # Receipts are never back-dated: a SKU's newest line is its highest id.
    per_sku = (
        sa.select(ln.sku, sa.func.sum(ln.quantity).label("units"),
                  sa.func.max(ln.id).label("last_id"))
        .join_from(lines_t, receipts_t, r.id == ln.receipt_id).where(*standing)
        .group_by(ln.sku).subquery("per_sku")
    )  # fmt: skip
    sent_back = (
        sa.select(ln.sku, sa.func.sum(back.quantity).label("units"))
        .join_from(back_t, returns_t, b.id == back.return_id)
        .join(lines_t, ln.id == back.receipt_line_id)
        .join(receipts_t, r.id == ln.receipt_id).where(*standing, b.cancelled_at.is_(None))
        .group_by(ln.sku).subquery("sent_back")
    )  # fmt: skip
    last, when = lines_t.alias("last"), receipts_t.alias("last_receipt")
    stmt = (
        sa.select(last.c.sku, last.c.variant_id, last.c.product_name, last.c.variant_name,
                  last.c.unit_cost, when.c.created_at,
                  (per_sku.c.units - sa.func.coalesce(sent_back.c.units, 0)).label("total"))
        .select_from(per_sku.join(last, last.c.id == per_sku.c.last_id)
                     .join(when, when.c.id == last.c.receipt_id)
                     .outerjoin(sent_back, sent_back.c.sku == per_sku.c.sku))
        .order_by(when.c.created_at.desc(), last.c.sku).limit(limit)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [SuppliedProduct(x.variant_id, x.sku, x.product_name, x.variant_name or "",
                            int(x.total), None if x.unit_cost is None else int(x.unit_cost),
                            x.created_at) for x in rows]  # fmt: skip
