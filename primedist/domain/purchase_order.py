"""Purchase orders (*đặt hàng nhập*): what the shop asked a supplier for, before it comes.

An order names its supplier and its lines (SKU, quantity, expected unit cost). Goods
receipts made against it count towards each line (`received`, capped per line in the
order's `received_units`), so the order shows what is still to come; the stock moves with
the receipts only. Its state follows from the figures:

* cancelled — cancelled before anything came (a reason kept): a receipt against it, even
  of SKUs it did not list, means it is closed instead;
* received — every unit ordered has come;
* closed — ended by hand with units still missing (the rest will not come; a reason kept);
  cancelling a receipt against it reopens it (its units are awaited again);
* partly received — some came, the rest is awaited;
* ordered — nothing came yet.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from primedist.domain.base import fk, money_field, utcnow
from primedist.domain.goods_receipt import MAX_RECEIPT_LINES

#: Lines one order takes (as a receipt).
MAX_ORDER_LINES = MAX_RECEIPT_LINES


class PurchaseOrderState(StrEnum):
    ORDERED = "ordered"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    CLOSED = "closed"
    CANCELLED = "cancelled"


#: The states in which goods are still awaited (a receipt can be made against the order).
OPEN_STATES = (PurchaseOrderState.ORDERED, PurchaseOrderState.PARTLY_RECEIVED)


class PurchaseOrder(SQLModel, table=True):
    """An order to a supplier: its code (DHN000123), supplier, expected day, note, totals
    and what came of it so far."""

    __tablename__ = "purchase_orders"
    __table_args__ = (
        sa.Index(None, "created_at", "id"),
        sa.Index(None, "supplier_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    supplier_id: int = fk("suppliers.id")
    #: The supplier's name when ordered (the record may be renamed since).
    supplier: str = Field(max_length=120)
    #: The day the goods are expected (shop's calendar), if agreed.
    expected_on: date | None = None
    note: str | None = Field(default=None, max_length=255)
    #: Folded code, supplier and note for search.
    search_text: str = Field(default="", max_length=400)
    lines: int = 0
    units: int = 0
    #: Units received against it, each line counted up to what it ordered.
    received_units: int = 0
    #: Σ quantity × expected unit cost of the lines with a cost.
    total_cost: int = money_field()
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = fk("users.id", ondelete="SET NULL")
    cancel_reason: str | None = Field(default=None, max_length=255)
    closed_at: datetime | None = None
    closed_by_id: int | None = fk("users.id", ondelete="SET NULL")
    close_reason: str | None = Field(default=None, max_length=255)

    @property
    def state(self) -> PurchaseOrderState:
        return order_state(self.cancelled_at, self.closed_at, self.units, self.received_units)

    def can_receive(self) -> bool:
        return self.state in OPEN_STATES

    def can_cancel(self, receipts: int) -> bool:
        """`receipts`: the standing goods receipts made against it (see `can_cancel_order`)."""
        return can_cancel_order(self.state, receipts)

    def can_close(self, receipts: int) -> bool:
        return can_close_order(self.state, receipts)


def can_cancel_order(state: PurchaseOrderState, receipts: int) -> bool:
    """Only before anything came against it (after, it is closed): `receipts`, the standing
    goods receipts made against it, count even when none of their SKUs was ordered."""
    return state == PurchaseOrderState.ORDERED and receipts == 0


def can_close_order(state: PurchaseOrderState, receipts: int) -> bool:
    """Once something came against it (see `can_cancel_order`) and the rest is awaited."""
    return state == PurchaseOrderState.PARTLY_RECEIVED or (
        state == PurchaseOrderState.ORDERED and receipts > 0
    )


def order_state(
    cancelled_at: datetime | None, closed_at: datetime | None, units: int, received: int
) -> PurchaseOrderState:
    """The state an order's figures say (see the module's docstring)."""
    if cancelled_at is not None:
        return PurchaseOrderState.CANCELLED
    if received >= units:
        return PurchaseOrderState.RECEIVED
    if closed_at is not None:
        return PurchaseOrderState.CLOSED
    if received > 0:
        return PurchaseOrderState.PARTLY_RECEIVED
    return PurchaseOrderState.ORDERED


class PurchaseOrderLine(SQLModel, table=True):
    """One SKU ordered: how many, at what expected unit cost, and how many came so far
    (receipts against the order; a cancelled receipt stops counting). SKU and names kept as
    they were."""

    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        sa.CheckConstraint(
            "quantity > 0 AND received >= 0 AND (unit_cost IS NULL OR unit_cost >= 0)",
            name="line_positive",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = fk("purchase_orders.id", ondelete="CASCADE", index=True)
    variant_id: int | None = fk("variants.id", ondelete="SET NULL", index=True)
    sku: str = Field(max_length=64)
    product_name: str = Field(max_length=120)
    variant_name: str | None = Field(default=None, max_length=125)
    quantity: int
    unit_cost: int | None = Field(default=None, sa_type=sa.BigInteger)
    received: int = 0
