"""Goods receipts (*phiếu nhập hàng*): a delivery from a supplier, many SKUs at once.

`receive_goods` saves the receipt and a stock in of every line in one transaction: each
line's stock movement (reason "Goods receipt PN000123"), the cost averaged as a single
stock in averages it (`stock.receive`), the new stock queued for the marketplaces, one
audit row. The Products tab's *Goods receipts* page lists them and opens their lines;
finding the variants to receive (a scanned code, a search) is here too, so the page needs
Products access only.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from primedist.core.messages import msg
from primedist.core.money import money_number_format
from primedist.core.search_keys import search_text
from primedist.core.text import clean_code, clean_line, fold
from primedist.db.product_summary import refresh_for_stock
from primedist.domain.base import table_of
from primedist.domain.enums import (
    ActivityKind,
    Module,
    PaymentMethod,
    ProductStatus,
    StockMoveKind,
)
from primedist.domain.goods_receipt import (
    MAX_RECEIPT_LINES,
    MAX_RECEIPT_QUANTITY,
    MAX_UNIT_COST,
    GoodsReceipt,
    GoodsReceiptLine,
)
from primedist.domain.product import Product, Variant
from primedist.domain.purchase_order import PurchaseOrder, PurchaseOrderLine
from primedist.domain.supplier import (
    MAX_PAYMENT,
    Supplier,
    SupplierPayment,
    SupplierReturn,
    SupplierReturnLine,
)
from primedist.domain.user import User
from primedist.errors import NotFound, ValidationError
from primedist.io.tabular import cell_text, open_table, parse_whole_number
from primedist.io.xlsx_writer import XlsxColumn
from primedist.jobs.progress import NullProgress, Progress
from primedist.services import activity, purchase_orders, suppliers
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
from primedist.services.product_import import header_key
from primedist.services.sale_lookup import VariantHit, lookup_code, lookup_text, receivable
from primedist.services.stock import move_stock, receive, stock_level, take_cost_out

MAX_SUPPLIER = 120
MAX_NOTE = 255
#: Receipts one list shows (the newest that match the search).
LIST_LIMIT = 500

receipts_t = table_of(GoodsReceipt)
lines_t = table_of(GoodsReceiptLine)
users_t = table_of(User)


@dataclass(frozen=True)
class ReceiptLine:
    """One SKU received: how many, and at what unit cost (None = not given)."""

    variant_id: int
    quantity: int
    unit_cost: int | None = None


@dataclass(frozen=True)
class ReceiptDraft:
    lines: Sequence[ReceiptLine]
    #: The supplier's name or code: an existing supplier (accents and case ignored) or a
    #: new one. With a purchase order: the order's supplier (its code or name now), or "".
    supplier: str = ""
    note: str = ""
    #: Paid to the supplier with the delivery: None = the whole cost; less leaves the rest
    #: owed (Products → Suppliers). Without a supplier nothing is paid (None = 0).
    paid: int | None = None
    method: PaymentMethod = PaymentMethod.CASH
    #: The purchase order the goods were ordered with (its lines count them).
    purchase_order_id: int | None = None

    @property
    def total_cost(self) -> int:
        return sum(line.quantity * (line.unit_cost or 0) for line in self.lines)

    @property
    def paid_amount(self) -> int:
        """What is paid with the receipt when it has a supplier: `paid`, else the whole
        cost (without a supplier nothing is: see `receive_goods`)."""
        return self.total_cost if self.paid is None else self.paid


@dataclass(frozen=True)
class ReceiptRow:
    """A receipt as the list shows it."""

    id: int
    code: str
    created_at: datetime
    supplier: str
    note: str
    lines: int
    units: int
    total_cost: int
    received_by: str
    #: When it was cancelled (None = it stands) and why.
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    supplier_id: int | None = None
    #: Paid to the supplier with the delivery (its payment; 0 once cancelled).
    paid: int = 0
    #: The cost of its goods sent back to the supplier, and the money it gave back.
    returned: int = 0
    refunded: int = 0
    #: The purchase order it received goods of ("" for a delivery without one), and its id.
    order_code: str = ""
    order_id: int | None = None
    #: What the shop owes its supplier now, every document counted (− paid in advance):
    #: read for one receipt (`get_receipt`), None in lists and without a supplier.
    supplier_debt: int | None = None

    @property
    def owed(self) -> int:
        """What the delivery left unpaid when it came, less the goods sent back (none
        without a supplier). Payments made since are on the supplier's account, not on
        the receipt: what is owed now is `supplier_debt`."""
        if self.cancelled_at is not None or self.supplier_id is None:
            return 0
        return max(self.total_cost - self.returned - self.paid + self.refunded, 0)


@dataclass(frozen=True)
class ReceiptLineRow:
    variant_id: int | None
    sku: str
    product_name: str
    variant_name: str
    quantity: int
    unit_cost: int | None
    id: int = 0
    #: Units of it sent back to the supplier since.
    returned: int = 0

    @property
    def amount(self) -> int | None:
        return None if self.unit_cost is None else self.quantity * self.unit_cost


# --------------------------------------------------------------------------- finding


def find_variant(ctx: ServiceContext, code: str) -> VariantHit | None:
    """The variant with this exact barcode, else SKU (a scan), among those goods can come
    in for (active variants of products not archived)."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        return lookup_code(conn, code, receivable())


def search_variants(ctx: ServiceContext, text: str, limit: int = 20) -> list[VariantHit]:
    """Variants goods can come in for whose SKU starts with `text`, then whose product's
    folded name, SKUs or barcodes match every word of it."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        return lookup_text(conn, text, limit, receivable())


# --------------------------------------------------------------------------- saving


def _check(draft: ReceiptDraft) -> tuple[str | None, str | None]:
    lines = list(draft.lines)
    check_lines(
        lines, msg("Add at least one product to the receipt."),
        msg("A receipt takes at most {max} lines ({n} given): split the delivery.",
            max=MAX_RECEIPT_LINES, n=len(lines)),
        lambda n: msg("Line {line}: the product is on the receipt already.", line=str(n)),
    )  # fmt: skip
    supplier, note = clean_line(draft.supplier), clean_line(draft.note)
    if len(supplier) > MAX_SUPPLIER:
        raise ValidationError(msg("The supplier's name has {length} characters: {limit} at "
                                  "most.", length=len(supplier), limit=MAX_SUPPLIER),
                              field="supplier")  # fmt: skip
    if len(note) > MAX_NOTE:
        raise ValidationError(msg("The note has {length} characters: {limit} at most.",
                                  length=len(note), limit=MAX_NOTE), field="note")  # fmt: skip
    # Against a purchase order (its supplier's), what is paid is checked once the order's
    # costs are on the lines (`receive_goods`).
    if draft.purchase_order_id is None:
        _check_paid(draft, bool(supplier))
    return supplier or None, note or None


def _check_paid(draft: ReceiptDraft, has_supplier: bool) -> None:
    total, paid = draft.total_cost, draft.paid_amount
    # Whatever a receipt costs may be paid with it, in one payment: so no more than one.
    if total > MAX_PAYMENT:
        raise ValidationError(msg("A receipt costs at most {max} ({total} given): split the "
                                  "delivery.", max=MAX_PAYMENT, total=total),
                              field="lines")  # fmt: skip
    # Money paid goes on a supplier's account (and out of the drawer at End of day):
    # without one it would be recorded nowhere, so none is taken. Said before the amount's
    # range: the missing supplier is the mistake, whatever the amount (a list without
    # costs makes any amount more than the cost).
    if not has_supplier and (draft.paid or 0) > 0:
        raise ValidationError(msg("Name the supplier the {paid} was paid to: a receipt "
                                  "without one records nothing paid.", paid=draft.paid),
                              field="supplier")  # fmt: skip
    if not 0 <= paid <= total:
        raise ValidationError(msg("The amount paid must be 0 to the receipt's cost ({total}).",
                                  total=total), field="paid")  # fmt: skip
    if has_supplier and paid:
        suppliers.check_payment(paid, draft.method, "")


def receive_goods(ctx: ServiceContext, draft: ReceiptDraft) -> ReceiptRow:
    """Save the receipt and stock in every line, in one transaction (nothing is received
    when a line is refused: a variant gone or no longer active names its line). Against a
    purchase order, a line with no unit cost given costs what the order expected."""
    ctx.require(Module.PRODUCTS)
    typed, note = _check(draft)
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        order, record = _order_and_supplier(ctx, session, draft.purchase_order_id, typed)
        if order is not None and order.id is not None:
            draft = _at_order_costs(session, draft, order.id)
            _check_paid(draft, has_supplier=True)
        supplier = _received_under(typed, record)
        # A unique stand-in code until the id (which names it) is known.
        receipt = GoodsReceipt(code=f"~{uuid.uuid4().hex[:19]}", supplier=supplier, note=note,
                               supplier_id=record.id if record else None,
                               purchase_order_id=draft.purchase_order_id,
                               user_id=ctx.actor.id, created_at=now)  # fmt: skip
        session.add(receipt)
        session.flush()
        assert receipt.id is not None
        receipt.code = f"PN{receipt.id:06d}"
        reason = f"Goods receipt {receipt.code}" + (f" · {supplier}" if supplier else "")
        received = [_receive_line(ctx, session, receipt.id, n, line, reason[:255])
                    for n, line in enumerate(draft.lines, 1)]  # fmt: skip
        session.add_all(received)
        session.flush()
        # The products' list figures, once for every line (not once a line).
        refresh_for_stock(session.connection(), [line.variant_id for line in draft.lines])
        receipt.lines = len(draft.lines)
        receipt.units = sum(line.quantity for line in draft.lines)
        receipt.total_cost = sum(line.quantity * (line.unit_cost or 0) for line in draft.lines)
        receipt.search_text = search_text(receipt.code, supplier, note,
                                          order.code if order else None)[:400]  # fmt: skip
        session.add(receipt)
        if order is not None and order.id is not None:
            purchase_orders.count_receipt(session, order.id, _units(draft.lines, 1))
        paid = draft.paid_amount if record is not None else 0
        if paid and record is not None and record.id is not None:
            session.add(SupplierPayment(supplier_id=record.id, receipt_id=receipt.id,
                                        amount=paid, method=draft.method, paid_at=now,
                                        user_id=ctx.actor.id))  # fmt: skip
        ctx.audit(
            session, "goods_receipt.create", entity_type="goods_receipt",
            entity_id=receipt.id,
            summary=msg("{code}: {lines} lines, {units} units", code=receipt.code,
                        lines=receipt.lines, units=receipt.units),
            after={"supplier": supplier, "note": note, "total_cost": receipt.total_cost,
                   "paid": paid, "purchase_order": order.code if order else None,
                   "lines": [{"sku": ln.sku, "quantity": ln.quantity, "unit_cost": ln.unit_cost}
                             for ln in received]},
        )  # fmt: skip
        activity.post(session, ActivityKind.INFO, now, event="goods_received",
                      code=receipt.code, supplier=supplier or "", lines=receipt.lines,
                      units=receipt.units)  # fmt: skip
        row = _row(receipt, ctx.actor.name, paid)
    return row


def _order_and_supplier(
    ctx: ServiceContext, session: Session, order_id: int | None, typed: str | None
) -> tuple[PurchaseOrder | None, Supplier | None]:
    """The purchase order the receipt delivers (None: none) and its supplier: the order's
    own (by id, whatever it is called now: `typed` may only name it), else the one typed
    (found by code or name, added when new; None when none is typed)."""
    if order_id is None:
        return None, suppliers.supplier_for_receipt(ctx, session, typed or "")
    return purchase_orders.order_for_receipt(session, order_id, typed or "")


def expected_costs(ctx: ServiceContext, order_id: int) -> dict[int, int]:
    """{variant id: unit cost} the purchase order expected, for the SKUs it gave one for:
    what a line of a receipt against it costs when none is given (`receive_goods`), for
    the receipt dialog to show before saving."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        return _expected_costs(conn, order_id)


def _expected_costs(conn: sa.Connection, order_id: int) -> dict[int, int]:
    c = table_of(PurchaseOrderLine).c
    rows = conn.execute(
        sa.select(c.variant_id, c.unit_cost)
        .where(c.order_id == order_id, c.variant_id.is_not(None), c.unit_cost.is_not(None))
    ).all()  # fmt: skip
    return {int(x.variant_id): int(x.unit_cost) for x in rows}


def _at_order_costs(session: Session, draft: ReceiptDraft, order_id: int) -> ReceiptDraft:
    """The draft with the order's expected unit cost on every line given none, as when
    the order's lines are received without a delivery list (`purchase_orders.to_receive`):
    a delivery list without costs must not bring the goods in free. A SKU the order did
    not ask for, or asked for without a cost, keeps none."""
    expected = _expected_costs(session.connection(), order_id)
    lines = [line if line.unit_cost is not None or line.variant_id not in expected
             else replace(line, unit_cost=expected[line.variant_id])
             for line in draft.lines]  # fmt: skip
    return replace(draft, lines=lines)


def _received_under(typed: str | None, record: Supplier | None) -> str | None:
    """The supplier's name the receipt keeps: as typed when it is the name (in any
    spelling), else — a code typed, or an order's supplier — the supplier's name now."""
    if record is None:
        return None
    if typed and fold(" ".join(typed.split()))[: suppliers.MAX_NAME] == record.name_key:
        return typed
    return record.name


def _units(lines: Sequence[ReceiptLine], sign: int) -> dict[int, int]:
    return {line.variant_id: sign * line.quantity for line in lines}


def _receive_line(ctx: ServiceContext, session: Session, receipt_id: int, n: int,
                  line: ReceiptLine, reason: str) -> GoodsReceiptLine:  # fmt: skip
    variant = session.get(Variant, line.variant_id)
    if variant is None:
        raise NotFound(msg("Line {line}: the product variant no longer exists.", line=str(n)))
    product = session.get(Product, variant.product_id)
    if not variant.is_active or product is None or product.status == ProductStatus.ARCHIVED:
        raise ValidationError(msg("Line {line}: SKU {sku} was removed from its product.",
                                  line=str(n), sku=variant.sku), field="lines")  # fmt: skip
    receive(ctx, session, line.variant_id, line.quantity, line.unit_cost, reason, refresh=False)
    options = " / ".join(o for o in (variant.option1, variant.option2) if o) or None
    return GoodsReceiptLine(
        receipt_id=receipt_id, variant_id=variant.id, sku=variant.sku,
        product_name=product.name,
        variant_name=options, quantity=line.quantity, unit_cost=line.unit_cost,
    )  # fmt: skip


def _row(receipt: GoodsReceipt, received_by: str, paid: int) -> ReceiptRow:
    assert receipt.id is not None
    return ReceiptRow(receipt.id, receipt.code, receipt.created_at, receipt.supplier or "",
                      receipt.note or "", receipt.lines, receipt.units, receipt.total_cost,
                      received_by, receipt.cancelled_at, receipt.cancel_reason or "",
                      receipt.supplier_id, paid)  # fmt: skip


# --------------------------------------------------------------------------- cancelling


def cancel_receipt(ctx: ServiceContext, receipt_id: int, reason: str) -> ReceiptRow:
    """Cancel a receipt entered by mistake: every line's goods taken back out of stock
    (a stock out naming the receipt) and the payment made with it cancelled (the supplier
    no longer counts it either way), in one transaction. Refused when a variant no
    longer has them on hand (sold since) or available (held for orders): the line and SKU
    are named, nothing changes.
    Each line's unit cost comes back out of its variant's average cost (`stock.take_cost_out`);
    a line whose variant was deleted since has nothing to take back."""
    ctx.require(Module.PRODUCTS)
    if _paid_with(ctx, receipt_id):
        # Its payment is cancelled with it: the debt goes back up, as when a payment is
        # cancelled on its own (`suppliers.cancel_payment`).
        ctx.require_manager()
    text = suppliers.checked_reason(reason, msg("Say why the receipt is cancelled."))
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        receipt = suppliers.locked_standing(
            session, GoodsReceipt, receipt_id, code=lambda r: r.code,
            missing=msg("Goods receipt {id} no longer exists.", id=str(receipt_id)))  # fmt: skip
        _refuse_when_returned(session, receipt)
        lines = session.exec(
            select(GoodsReceiptLine).where(GoodsReceiptLine.receipt_id == receipt_id)
            .order_by(GoodsReceiptLine.id)  # type: ignore[arg-type]
        ).all()  # fmt: skip
        why = f"Goods receipt {receipt.code} cancelled: {text}"[:255]
        # The last line first: the averages come undone in the reverse of how they were
        # made (two members of one SKU group share theirs).
        taken = [line.variant_id for n, line in reversed(list(enumerate(lines, 1)))
                 if _take_back(ctx, session, n, line, why)]  # fmt: skip
        session.flush()
        refresh_for_stock(session.connection(), [v for v in taken if v is not None])
        receipt.cancelled_at, receipt.cancelled_by_id, receipt.cancel_reason = (
            now,
            ctx.actor.id,
            text,
        )
        session.add(receipt)
        _cancel_payments(session, receipt_id, now, ctx.actor.id, text)
        if receipt.purchase_order_id is not None:
            purchase_orders.uncount_receipt(
                ctx,
                session,
                receipt.purchase_order_id,
                {ln.variant_id: ln.quantity for ln in lines if ln.variant_id is not None},
                receipt.code,
            )
        ctx.audit(session, "goods_receipt.cancel", entity_type="goods_receipt",
                  entity_id=receipt_id, summary=msg("{code} cancelled ({reason})",
                                                    code=receipt.code, reason=text),
                  after={"reason": text, "lines": len(lines)})  # fmt: skip
        who = session.get(User, receipt.user_id) if receipt.user_id else None
        row = _row(receipt, who.name if who is not None else "", 0)
    return row


def _paid_with(ctx: ServiceContext, receipt_id: int) -> int:
    """What the receipt's standing payment paid the supplier (0: none). A receipt's payment
    is made with it, never later, so this holds until the receipt is cancelled."""
    p = table_of(SupplierPayment).c
    with ctx.engine.connect() as conn:
        paid = conn.execute(
            sa.select(sa.func.coalesce(sa.func.sum(p.amount), 0))
            .where(p.receipt_id == receipt_id, p.cancelled_at.is_(None))
        ).scalar()  # fmt: skip
    return int(paid or 0)


def _cancel_payments(session: Session, receipt_id: int, now: datetime, user_id: int | None,
                     reason: str) -> None:  # fmt: skip
    p = table_of(SupplierPayment).c
    session.connection().execute(
        sa.update(table_of(SupplierPayment))
        .where(p.receipt_id == receipt_id, p.cancelled_at.is_(None))
        .values(cancelled_at=now, cancelled_by_id=user_id, cancel_reason=reason[:255])
    )  # fmt: skip


def _refuse_when_returned(session: Session, receipt: GoodsReceipt) -> None:
    b = table_of(SupplierReturn).c
    first = session.connection().execute(
        sa.select(b.code).where(b.receipt_id == receipt.id, b.cancelled_at.is_(None))
        .order_by(b.id).limit(1)
    ).scalar()  # fmt: skip
    if first is not None:
        raise ValidationError(msg("Goods of {code} went back to the supplier ({first}): it can "
                                  "no longer be cancelled.", code=receipt.code,
                                  first=first))  # fmt: skip


def _take_back(ctx: ServiceContext, session: Session, n: int, line: GoodsReceiptLine,
               reason: str) -> bool:  # fmt: skip
    """Take one line's goods back out of stock, at its unit cost; False when its variant
    is gone."""
    if line.variant_id is None or session.get(Variant, line.variant_id) is None:
        return False
    level = stock_level(session, line.variant_id, lock=True)  # another PC may sell them
    if level.on_hand < line.quantity:
        raise ValidationError(
            msg("Line {line}: SKU {sku} has {on_hand} on hand, fewer than the {quantity} that "
                "came in (sold since): adjust its stock instead.", line=str(n), sku=line.sku,
                on_hand=level.on_hand, quantity=line.quantity), field="lines")  # fmt: skip
    # Units held for open orders are promised to customers: taking them out would leave
    # the orders short (available below 0), as a return to the supplier would.
    if level.available < line.quantity:
        raise ValidationError(
            msg("Line {line}: SKU {sku} has {available} available (on hand less those held "
                "for orders): the {quantity} that came in cannot be taken back.", line=str(n),
                sku=line.sku, available=level.available, quantity=line.quantity),
            field="lines")  # fmt: skip
    take_cost_out(session, line.variant_id, line.quantity, line.unit_cost)
    move_stock(ctx, session, line.variant_id, StockMoveKind.STOCK_OUT, quantity=-line.quantity,
               reason=reason, refresh=False)  # fmt: skip
    return True


# --------------------------------------------------------------------------- reading


def list_receipts(
    ctx: ServiceContext, search: str = "", limit: int = LIST_LIMIT
) -> list[ReceiptRow]:
    """The newest receipts first (at most `limit`), those whose code, supplier or note has
    every word of `search` (accents and case ignored)."""
    ctx.require(Module.PRODUCTS)
    r = receipts_t.c
    stmt = _matching(
        sa.select(*_listed_columns())
        .select_from(receipts_t.outerjoin(users_t, users_t.c.id == r.user_id))
        .order_by(r.created_at.desc(), r.id.desc()).limit(limit), search,
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [_listed(x) for x in rows]


def _matching(stmt: sa.Select[Any], search: str) -> sa.Select[Any]:
    """`stmt` narrowed to the receipts where every word of `search` (folded) is in the
    code, supplier or note, or is the SKU of one of its lines or its supplier's code
    (NCC000003, as the Suppliers page shows it; any case)."""
    ln, sp = lines_t.c, table_of(Supplier).c
    for word in fold(search).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        has_sku = sa.exists().where(ln.receipt_id == receipts_t.c.id,
                                    sa.func.lower(ln.sku) == word)  # fmt: skip
        # Codes are kept upper case: the code's unique index finds it.
        by_code = sa.exists().where(sp.id == receipts_t.c.supplier_id, sp.code == word.upper())
        stmt = stmt.where(sa.or_(receipts_t.c.search_text.like(f"%{escaped}%", escape="\\"),
                                 has_sku, by_code))  # fmt: skip
    return stmt


def known_suppliers(ctx: ServiceContext, limit: int = 500) -> list[str]:
    """The active suppliers, the latest delivery first (the supplier field offers them as
    you type)."""
    ctx.require(Module.PRODUCTS)
    return suppliers.supplier_names(ctx, limit)


def get_receipt(ctx: ServiceContext, receipt_id: int) -> ReceiptRow:
    """One receipt as the list shows it (NotFound when there is none)."""
    ctx.require(Module.PRODUCTS)
    r = receipts_t.c
    stmt = (
        sa.select(*_listed_columns())
        .select_from(receipts_t.outerjoin(users_t, users_t.c.id == r.user_id))
        .where(r.id == receipt_id)
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        x = conn.execute(stmt).first()
    if x is None:
        raise NotFound(msg("Goods receipt {id} no longer exists.", id=str(receipt_id)))
    return replace(_listed(x), supplier_debt=_debt_now(ctx, x.supplier_id))


def _debt_now(ctx: ServiceContext, supplier_id: int | None) -> int | None:
    """What the shop owes the supplier now (None: no supplier, or it is gone)."""
    if supplier_id is None:
        return None
    try:
        return suppliers.get_supplier(ctx, int(supplier_id)).debt
    except NotFound:
        return None


def _listed_columns() -> list[sa.ColumnElement[Any]]:
    r, p, b = receipts_t.c, table_of(SupplierPayment).c, table_of(SupplierReturn).c
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(p.amount), 0))
        .where(p.receipt_id == r.id, p.cancelled_at.is_(None)).scalar_subquery()
    )  # fmt: skip
    of_receipt = (b.receipt_id == r.id, b.cancelled_at.is_(None))  # standing returns
    back = sa.select(sa.func.coalesce(sa.func.sum(b.total), 0)).where(*of_receipt)
    refunded = sa.select(sa.func.coalesce(sa.func.sum(b.refund), 0)).where(*of_receipt)
    o = table_of(PurchaseOrder).c
    order = sa.select(o.code).where(o.id == r.purchase_order_id)
    return [r.id, r.code, r.created_at, r.supplier, r.note, r.lines, r.units, r.total_cost,
            users_t.c.name, r.cancelled_at, r.cancel_reason, r.supplier_id,
            paid.label("paid"), back.scalar_subquery().label("returned"),
            refunded.scalar_subquery().label("refunded"),
            order.scalar_subquery().label("order_code"), r.purchase_order_id]  # fmt: skip


def _listed(x: Any) -> ReceiptRow:
    return ReceiptRow(int(x.id), x.code, x.created_at, x.supplier or "", x.note or "",
                      int(x.lines), int(x.units), int(x.total_cost), x.name or "",
                      x.cancelled_at, x.cancel_reason or "", x.supplier_id,
                      int(x.paid), int(x.returned), int(x.refunded),
                      x.order_code or "", x.purchase_order_id)  # fmt: skip


def receipt_id_by_code(ctx: ServiceContext, code: str) -> int:
    """The id of the receipt `PN000123` (any case; NotFound naming it otherwise)."""
    ctx.require(Module.PRODUCTS)
    with ctx.engine.connect() as conn:
        found = conn.execute(
            sa.select(receipts_t.c.id).where(receipts_t.c.code == code.strip().upper())
        ).scalar()  # fmt: skip
    if found is None:
        raise NotFound(msg("There is no goods receipt {code}.", code=code.strip()))
    return int(found)


def receipt_lines(ctx: ServiceContext, receipt_id: int) -> list[ReceiptLineRow]:
    ctx.require(Module.PRODUCTS)
    c, back, b = lines_t.c, table_of(SupplierReturnLine).c, table_of(SupplierReturn).c
    returned = (  # by standing returns
        sa.select(sa.func.coalesce(sa.func.sum(back.quantity), 0))
        .join_from(table_of(SupplierReturnLine), table_of(SupplierReturn), b.id == back.return_id)
        .where(back.receipt_line_id == c.id, b.cancelled_at.is_(None)).scalar_subquery()
    )  # fmt: skip
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            sa.select(c.variant_id, c.sku, c.product_name, c.variant_name, c.quantity,
                      c.unit_cost, c.id, returned.label("returned"))
            .where(c.receipt_id == receipt_id).order_by(c.id)
        ).all()  # fmt: skip
    return [ReceiptLineRow(r.variant_id, r.sku, r.product_name, r.variant_name or "",
                           int(r.quantity), None if r.unit_cost is None else int(r.unit_cost),
                           int(r.id), int(r.returned)) for r in rows]  # fmt: skip


# --------------------------------------------------------------------------- from a file

#: The columns of a receipt file (a supplier's delivery list): `sku` and `quantity`
#: required, `unit_cost` optional.
FILE_COLUMNS = ("sku", "quantity", "unit_cost")
#: Their headers besides the key, as the product import takes them: {key: (Vietnamese…,
#: English)}; accents and case optional.
FILE_HEADERS: dict[str, tuple[str, ...]] = {
    "sku": ("Mã SKU", "SKU"),
    "quantity": ("Số lượng", "Quantity"),
    "unit_cost": ("Giá nhập", "Giá vốn", "Unit cost"),
}
#: Every accepted header spelling (folded) → column key.
FILE_ALIASES = {
    header_key(name): key for key, names in FILE_HEADERS.items() for name in (key, *names)
}


def _file_column(name: str) -> str:
    """A (normalised) header cell as the column it names: `Số lượng` is `quantity`."""
    return FILE_ALIASES.get(header_key(name), name)


@dataclass(frozen=True)
class FileLine:
    """A line read from a receipt file: the variant found and what came in."""

    hit: VariantHit
    quantity: int
    unit_cost: int | None
    #: The file's row it came from (the first, when a SKU is on several rows).
    row: int


def read_receipt_file(ctx: ServiceContext, path: Path) -> list[FileLine]:
    """The lines of a .xlsx/.csv delivery list (`sku` — or barcode —, `quantity`,
    optional `unit_cost`), each SKU found among the variants goods can come in for. A SKU
    on several rows adds up (their costs must agree: the same on every row, or blank on
    every row). Any bad row is an error naming its row and column; nothing is read half."""
    ctx.require(Module.PRODUCTS)
    lines: dict[int, FileLine] = {}
    with open_table(path, required=FILE_COLUMNS[:2], max_rows=MAX_RECEIPT_LINES * 4,
                    rename=_file_column) as table, ctx.engine.connect() as conn:  # fmt: skip
        col = table.columns
        # Errors name a column as the file does (Giá nhập), not by its key.
        heads = {key: table.raw_header[i] or key for key, i in col.items()}
        for number, cells in table.rows():
            line = _file_line(conn, number, cells, col, heads)
            same = lines.get(line.hit.variant_id)
            if same is not None:
                line = _merged(same, line, heads)
            lines[line.hit.variant_id] = line
            if len(lines) > MAX_RECEIPT_LINES:
                raise ValidationError(msg("A receipt takes at most {max} lines: split the "
                                          "file.", max=MAX_RECEIPT_LINES), row=number)  # fmt: skip
    return list(lines.values())


def _file_line(
    conn: sa.Connection, row: int, cells: Sequence[Any], col: dict[str, int],
    heads: dict[str, str],
) -> FileLine:  # fmt: skip
    # Invisible characters pasted along (a zero-width space) would make a look-alike code.
    code = clean_code(cell_text(cells[col["sku"]]))
    if not code:
        raise ValidationError(msg("The SKU is empty."), row=row, column=heads["sku"])
    hit = lookup_code(conn, code, receivable())
    if hit is None:
        raise ValidationError(msg("No product has the SKU or barcode {codes}.", codes=[code]),
                              row=row, column=heads["sku"])  # fmt: skip
    quantity = _whole(cells[col["quantity"]], row, heads["quantity"], 1, MAX_RECEIPT_QUANTITY)
    cost = None
    if "unit_cost" in col and cell_text(cells[col["unit_cost"]]):
        cost = _whole(cells[col["unit_cost"]], row, heads["unit_cost"], 0, MAX_UNIT_COST)
    return FileLine(hit, quantity, cost, row)


def _whole(cell: Any, row: int, column: str, low: int, high: int) -> int:
    try:
        value = parse_whole_number(cell)
    except ValueError as exc:
        # args[0] is the reason's Message: str() would keep its English words only.
        raise ValidationError(exc.args[0], row=row, column=column) from None
    if not low <= value <= high:
        raise ValidationError(msg("must be {low} to {high} (got {value}).", low=low, high=high,
                                  value=value), row=row, column=column)  # fmt: skip
    return value


def _merged(first: FileLine, again: FileLine, heads: dict[str, str]) -> FileLine:
    sku, rows = first.hit.sku, (str(first.row), str(again.row))
    if (first.unit_cost is None) != (again.unit_cost is None):
        # A blank cost is not "the same cost": the rows' units would all be charged at the
        # one given, which the supplier may not have priced.
        raise ValidationError(
            msg("SKU {sku} is on rows {first} and {second} with a unit cost on one only: give "
                "it on both or on neither.", sku=sku, first=rows[0], second=rows[1]),
            row=again.row, column=heads["unit_cost"],
        )  # fmt: skip
    if first.unit_cost != again.unit_cost:
        raise ValidationError(
            msg("SKU {sku} is on rows {first} and {second} with different unit costs: give "
                "one.", sku=sku, first=rows[0], second=rows[1]),
            row=again.row, column=heads["unit_cost"],
        )  # fmt: skip
    quantity = first.quantity + again.quantity
    if quantity > MAX_RECEIPT_QUANTITY:
        raise ValidationError(msg("SKU {sku}: {quantity} in all is more than {max}.",
                                  sku=first.hit.sku, quantity=quantity, max=MAX_RECEIPT_QUANTITY),
                              row=again.row, column=heads["quantity"])  # fmt: skip
    return replace(first, quantity=quantity)


# --------------------------------------------------------------------------- export

#: The export's columns: (Vietnamese, English) header, cell kind, width.
EXPORT_COLUMNS = (
    (("Mã phiếu", "Receipt"), "text", 11), (("Ngày nhập", "Received"), "datetime", 17),
    (("Nhà cung cấp", "Supplier"), "text", 26), (("Ghi chú", "Note"), "text", 22),
    (("Người nhập", "Received by"), "text", 18), (("SKU", "SKU"), "text", 18),
    (("Sản phẩm", "Product"), "text", 34), (("Phân loại", "Variant"), "text", 14),
    (("Số lượng", "Quantity"), "int", 10), (("Giá vốn", "Unit cost"), "money", 12),
    (("Thành tiền", "Amount"), "money", 14), (("Đã hủy", "Cancelled"), "datetime", 17),
)  # fmt: skip


def export_receipts(
    ctx: ServiceContext, path: Path, *, search: str = "", lang: str = "vi",
    progress: Progress | None = None,
) -> ExportReport:  # fmt: skip
    """Every line of the receipts matching `search` (all of them by default), newest receipt
    first, one row a line, to an .xlsx file: quantities and money as numbers, the time as
    a date-time, codes as text (formula-like text neutralised)."""
    ctx.require_export(Module.PRODUCTS)
    prog: Progress = progress if progress is not None else NullProgress()
    target = check_target(path)
    at = lang_index(lang)
    started = time.perf_counter()
    r, ln = receipts_t.c, lines_t.c
    ids = _matching(sa.select(r.id), search).scalar_subquery()
    amount = ln.quantity * ln.unit_cost
    stmt = (
        sa.select(r.code, r.created_at, r.supplier, r.note, users_t.c.name, ln.sku,
                  ln.product_name, ln.variant_name, ln.quantity, ln.unit_cost, amount,
                  r.cancelled_at)
        .select_from(lines_t.join(receipts_t, r.id == ln.receipt_id)
                     .outerjoin(users_t, users_t.c.id == r.user_id))
        .where(r.id.in_(ids)).order_by(r.created_at.desc(), r.id.desc(), ln.id)
    )  # fmt: skip
    # Money as numbers shown as the screen shows it ("45.000 ₫"), not bare "45,000".
    money = money_number_format(lang)
    columns = [XlsxColumn(h[at], kind, width, money if kind == "money" else "")
               for h, kind, width in EXPORT_COLUMNS]  # fmt: skip
    with ctx.engine.connect() as conn:
        count = sa.select(sa.func.count()).select_from(lines_t).where(ln.receipt_id.in_(ids))
        total = int(conn.execute(count).scalar_one())
        rows = conn.execution_options(yield_per=2_000).execute(stmt)
        with replaced_when_done(target) as tmp:
            written = stream_rows(tmp, columns, rows, total, prog,
                                  sheet=("Nhập hàng", "Goods receipts")[at])  # fmt: skip
    return audit_export(
        ctx, "goods_receipts.export", target,
        msg("Exported {rows} lines of goods receipts", rows=written),
        {"rows": written, "search": search}, started,
    )  # fmt: skip
