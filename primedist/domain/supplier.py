"""Suppliers (*nhà cung cấp*) and what the shop owes them.

A supplier delivers goods (goods receipts name it) and is paid, at the delivery or later.
What the shop owes a supplier is the cost of its standing receipts less its standing
payments; nothing stores the balance, so it can never drift from the documents.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from primedist.domain.base import enum_field, fk, money_field, utcnow
from primedist.domain.enums import PaymentMethod

#: One payment at most (đồng): far above any delivery, short of a typo's zeros.
MAX_PAYMENT = 100_000_000_000
#: How a supplier is paid.
SUPPLIER_PAYMENT_METHODS = (PaymentMethod.CASH, PaymentMethod.BANK_TRANSFER, PaymentMethod.OTHER)


class Supplier(SQLModel, table=True):
    """Who goods come from: code (NCC000012), name, contact details. Archived, never
    deleted (its receipts and payments name it)."""

    __tablename__ = "suppliers"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=120)
    #: The folded name, unique: "Công ty Đức Minh" and "cong ty duc minh" are one supplier.
    name_key: str = Field(max_length=120, unique=True)
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=120)
    address: str | None = Field(default=None, max_length=255)
    tax_code: str | None = Field(default=None, max_length=20)
    note: str | None = Field(default=None, max_length=255)
    #: Folded code, name, tax code and email plus every form of the phone, for search.
    search_text: str = Field(default="", max_length=600)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SupplierPayment(SQLModel, table=True):
    """Money paid to a supplier: with a goods receipt (`receipt_id`) or later against the
    balance. Cancelled, never deleted (when, by whom and why)."""

    __tablename__ = "supplier_payments"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index(None, "supplier_id", "paid_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = fk("suppliers.id")
    #: The receipt it was paid with (cancelling that receipt cancels this payment too).
    receipt_id: int | None = fk("goods_receipts.id", ondelete="SET NULL", index=True)
    amount: int = money_field()
    method: PaymentMethod = enum_field(PaymentMethod, default=PaymentMethod.CASH)
    note: str | None = Field(default=None, max_length=255)
    paid_at: datetime = Field(default_factory=utcnow)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = fk("users.id", ondelete="SET NULL")
    cancel_reason: str | None = Field(default=None, max_length=255)


class SupplierReturn(SQLModel, table=True):
    """Goods of a receipt sent back to its supplier (*phiếu trả hàng nhập*, TH000012): the
    shop owes their cost less; money the supplier gave back for them is `refund`. Only a
    standing (not cancelled) return counts."""

    __tablename__ = "supplier_returns"
    __table_args__ = (
        sa.CheckConstraint("total >= 0 AND refund >= 0 AND refund <= total",
                           name="refund_within_total"),  # fmt: skip
        sa.Index(None, "supplier_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    receipt_id: int = fk("goods_receipts.id", index=True)
    supplier_id: int | None = fk("suppliers.id")
    reason: str = Field(max_length=255)
    units: int = 0
    #: Σ quantity × the receipt line's unit cost.
    total: int = money_field()
    #: Money the supplier gave back (the rest comes off what the shop owes it).
    refund: int = money_field()
    method: PaymentMethod = enum_field(PaymentMethod, default=PaymentMethod.CASH)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    #: Cancelled (entered by mistake): the goods came back into stock and it stops
    #: counting in what is owed, its refund too.
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = fk("users.id", ondelete="SET NULL")
    cancel_reason: str | None = Field(default=None, max_length=255)


class SupplierReturnLine(SQLModel, table=True):
    """One line of a receipt sent back: how many, at the receipt line's unit cost."""

    __tablename__ = "supplier_return_lines"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    return_id: int = fk("supplier_returns.id", ondelete="CASCADE", index=True)
    receipt_line_id: int = fk("goods_receipt_lines.id", index=True)
    variant_id: int | None = fk("variants.id", ondelete="SET NULL")
    quantity: int
    unit_cost: int | None = Field(default=None, sa_type=sa.BigInteger)


class SupplierAdjustment(SQLModel, table=True):
    """What the shop owes a supplier changed by hand (DC000012): a debt from before the app
    (an opening balance) or a correction agreed with the supplier; + owes more, − less."""

    __tablename__ = "supplier_adjustments"
    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.Index(None, "supplier_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: int = fk("suppliers.id")
    amount: int = money_field()
    reason: str = Field(max_length=255)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
