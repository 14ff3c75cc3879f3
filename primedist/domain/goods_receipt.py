"""Goods receipts (*phiếu nhập hàng*): one delivery from a supplier, many SKUs at once.

Saving a receipt is a stock in of every line (the stock movements are the ledger; the
receipt is the document the owner looks back at: who delivered what, when, at what cost).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from primedist.domain.base import fk, money_field, utcnow

#: Lines one receipt takes (a big delivery; beyond it, a file import is the tool).
MAX_RECEIPT_LINES = 500
#: One line's quantity at most.
MAX_RECEIPT_QUANTITY = 1_000_000
#: One unit cost at most (đồng): far above any shop's goods, short of a typo's zeros.
MAX_UNIT_COST = 10_000_000_000


class GoodsReceipt(SQLModel, table=True):
    """A delivery received: its code (PN000123), supplier, note and totals."""

    __tablename__ = "goods_receipts"
    __table_args__ = (
        sa.Index(None, "created_at", "id"),
        # A supplier's receipts, newest first (its account).
        sa.Index(None, "supplier_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    #: The supplier's name as it was at the delivery (the record may be renamed since).
    supplier: str | None = Field(default=None, max_length=120)
    supplier_id: int | None = fk("suppliers.id")
    #: The purchase order it delivers (its lines count towards the order's).
    purchase_order_id: int | None = fk("purchase_orders.id", index=True)
    note: str | None = Field(default=None, max_length=255)
    #: Folded code, supplier and note (lower-case, no diacritics, đ→d) for search.
    search_text: str = Field(default="", max_length=400)
    lines: int = 0
    units: int = 0
    #: Σ quantity × unit cost of the lines with a cost.
    total_cost: int = money_field()
    #: Who received the goods.
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    #: Set when the receipt was cancelled (its goods taken back out of stock): when, by
    #: whom and why.
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = fk("users.id", ondelete="SET NULL")
    cancel_reason: str | None = Field(default=None, max_length=255)


class GoodsReceiptLine(SQLModel, table=True):
    """One SKU of a receipt: how many came in and at what unit cost (None = not given).
    The SKU and names are kept as they were, so a later rename or deletion leaves the
    receipt readable."""

    __tablename__ = "goods_receipt_lines"
    __table_args__ = (
        sa.CheckConstraint(
            "quantity > 0 AND (unit_cost IS NULL OR unit_cost >= 0)", name="line_positive"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    receipt_id: int = fk("goods_receipts.id", ondelete="CASCADE", index=True)
    variant_id: int | None = fk("variants.id", ondelete="SET NULL", index=True)
    sku: str = Field(max_length=64)
    product_name: str = Field(max_length=120)
    variant_name: str | None = Field(default=None, max_length=125)
    quantity: int
    unit_cost: int | None = Field(default=None, sa_type=sa.BigInteger)
