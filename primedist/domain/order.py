"""Orders from every channel, their lines and status history, with lifecycle rules."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from primedist.domain.base import (
    Field,
    SQLModel,
    enum_field,
    fk,
    money_field,
    text_field,
    utcnow,
)
from primedist.domain.enums import OrderSource, OrderStatus, PaymentMethod, StockState

#: What the buyer pays. Commission is the channel's fee to the seller and is not part of it.
TOTAL_FORMULA = (
    "subtotal + shipping_fee - marketplace_discount - voucher_discount"
    " - seller_discount - shop_promotion - points_discount"
)

#: Allowed status transitions (the domain rule the UI and the services both use).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPING, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPING: frozenset(
        {OrderStatus.COMPLETED, OrderStatus.RETURN_REFUND, OrderStatus.CANCELLED}
    ),
    OrderStatus.COMPLETED: frozenset({OrderStatus.RETURN_REFUND}),
    OrderStatus.RETURN_REFUND: frozenset({OrderStatus.RETURNED, OrderStatus.COMPLETED}),
    OrderStatus.RETURNED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}


def compute_total(
    *,
    subtotal: int,
    shipping_fee: int = 0,
    marketplace_discount: int = 0,
    voucher_discount: int = 0,
    seller_discount: int = 0,
    shop_promotion: int = 0,
    points_discount: int = 0,
) -> int:
    """The order total from its parts (the same formula as the table's CHECK)."""
    return (
        subtotal
        + shipping_fee
        - marketplace_discount
        - voucher_discount
        - seller_discount
        - shop_promotion
        - points_discount
    )


#: Columns of `ix_orders_total_id` (sort key, then the columns list filters read).
ORDERS_TOTAL_INDEX = ("total", "id", "status", "payment_method", "flagged", "shop_id", "created_at")
#: The rows of the partial `ix_orders_on_account`.
ON_ACCOUNT_WHERE = sa.text("payment_method = 'on_account'")
#: Columns of `ix_orders_customer_stats`: the customer, the date, then what statistics read.
ORDERS_CUSTOMER_STATS_INDEX = (
    "customer_id", "created_at", "status", "total", "refunded_amount", "shop_id",
)  # fmt: skip


class Order(SQLModel, table=True):
    """One order of any channel; money in integer VND, times in UTC."""

    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("shop_id", "external_id"),
        # List sorts and keyset paging (the key is always (sort column, id)).
        sa.Index(None, "created_at", "id"),
        sa.Index(None, "status", "created_at", "id"),
        # The value sort covers the list filters: a rare status/payment combination walks
        # this index alone instead of looking up every row it passes.
        sa.Index("ix_orders_total_id", *ORDERS_TOTAL_INDEX),
        sa.Index(None, "status", "total", "id"),
        # A customer's orders by date (history, date-range statistics), covering every
        # column of the customer statistics: the rebuild's GROUP BY customer_id walks this
        # index alone, already in group order (no table reads, no sort).
        sa.Index("ix_orders_customer_stats", *ORDERS_CUSTOMER_STATS_INDEX),
        # The Customers list's shop filter: the buyers of some shops, index-only.
        sa.Index(None, "shop_id", "customer_id"),
        # Status counts and totals of a shop + date range, index-only, status first (GROUP BY
        # streams in status order). (Every index costs each synced order a write:
        # migration 0012 dropped those no query read.)
        sa.Index(None, "status", "shop_id", "created_at", "total"),
        # Status-tab counts for any filter, index-only (with `status IN (all)`).
        # (Named: the convention's name is over PostgreSQL's 63-character limit.)
        sa.Index(
            "ix_orders_status_counts",
            "status",
            "payment_method",
            "flagged",
            "shop_id",
            "created_at",
            "total",
        ),  # fmt: skip
        sa.Index(None, "flagged", "created_at", "id"),
        # Sales on account (what customers owe), partial: other orders never write it.
        sa.Index(
            "ix_orders_on_account",
            "customer_id",
            "status",
            "total",
            "refunded_amount",
            sqlite_where=ON_ACCOUNT_WHERE,
            postgresql_where=ON_ACCOUNT_WHERE,
        ),
        sa.CheckConstraint(f"total = {TOTAL_FORMULA}", name="total_adds_up"),
        sa.CheckConstraint(
            "subtotal >= 0 AND shipping_fee >= 0 AND marketplace_discount >= 0"
            " AND voucher_discount >= 0 AND seller_discount >= 0 AND shop_promotion >= 0"
            " AND points_discount >= 0 AND commission >= 0",
            name="money_parts_not_negative",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    shop_id: int = fk("shops.id", ondelete="RESTRICT")
    #: The order number shown to people (the marketplace's order sn, or ours).
    external_id: str = Field(max_length=64)
    source: OrderSource = enum_field(OrderSource, default=OrderSource.MARKETPLACE)
    status: OrderStatus = enum_field(OrderStatus, default=OrderStatus.PENDING)
    payment_method: PaymentMethod = enum_field(PaymentMethod, default=PaymentMethod.COD)
    customer_id: int | None = fk("customers.id", ondelete="SET NULL")
    buyer_name: str | None = Field(default=None, max_length=120)
    #: Normalised phone, or the marketplace's masked value as given (`84*****89`).
    buyer_phone: str | None = Field(default=None, max_length=32)
    ship_name: str | None = Field(default=None, max_length=120)
    ship_phone: str | None = Field(default=None, max_length=32)
    ship_address: str | None = Field(default=None, max_length=255)
    ship_ward: str | None = Field(default=None, max_length=120)
    ship_district: str | None = Field(default=None, max_length=120)
    ship_province: str | None = Field(default=None, max_length=120)
    province_code: str | None = Field(default=None, max_length=8)
    carrier: str | None = Field(default=None, max_length=60)
    tracking_number: str | None = Field(default=None, max_length=64)
    item_count: int = Field(default=0)
    subtotal: int = money_field()
    marketplace_discount: int = money_field()
    voucher_discount: int = money_field()
    seller_discount: int = money_field()
    shop_promotion: int = money_field()
    points_discount: int = money_field()
    shipping_fee: int = money_field()
    commission: int = money_field()
    total: int = money_field()
    paid_amount: int = money_field()
    #: The cash the customer handed over for the shop's own sale (None: not paid in cash,
    #: no amount typed, or a marketplace order): a reprinted receipt shows it and the
    #: change as the first print did.
    cash_received: int | None = Field(default=None, sa_type=sa.BigInteger)
    #: Refunded to the buyer by returns (never more than the total).
    refunded_amount: int = money_field(sa_column_kwargs={"server_default": "0"})
    voucher_id: int | None = fk("vouchers.id", ondelete="SET NULL")
    points_used: int = Field(default=0)
    points_earned: int = Field(default=0)
    #: The earn rate (đồng per point) it earned its points at: a later change of the
    #: shop's rate leaves it (None: it has not earned yet).
    points_rate: int | None = Field(default=None)
    buyer_note: str | None = text_field()
    #: For staff only: never printed.
    staff_note: str | None = text_field()
    flagged: bool = Field(default=False)
    cancel_reason: str | None = Field(default=None, max_length=255)
    #: An action for the marketplace/carrier is queued in the outbox and not yet delivered.
    outbox_pending: bool = Field(default=False)
    stock_state: StockState = enum_field(
        StockState, default=StockState.NONE, sa_column_kwargs={"server_default": "none"}
    )
    #: Folded order number + buyer name + phone for search.
    search_text: str = Field(default="", sa_type=sa.Text)
    created_by_id: int | None = fk("users.id", ondelete="SET NULL")
    #: When the order was placed (UTC).
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    completed_at: datetime | None = None
    external_updated_at: datetime | None = None
    #: The marketplace's own status as last synced (Shopee's `UNPAID`, `READY_TO_SHIP`):
    #: several of them are one status here, and only some can be confirmed
    #: (`connectors.not_confirmable`). None: not synced since it was kept, or our own order.
    external_status: str | None = Field(default=None, max_length=40)

    # Lifecycle rules: the UI enables actions from these, services enforce them.
    def can_change_to(self, status: OrderStatus) -> bool:
        """True when `status` is a legal next status."""
        return status in TRANSITIONS[self.status]

    def can_confirm(self) -> bool:
        """A pending order can be confirmed."""
        return self.can_change_to(OrderStatus.CONFIRMED)

    def can_cancel(self) -> bool:
        """Orders not yet delivered (pending, confirmed, shipping) can be cancelled, by
        their status; the services also refuse one a live shipment or an exchange's credit
        holds (`services.orders.cancel_refusal`, shown by `cancel_lock`)."""
        return self.can_change_to(OrderStatus.CANCELLED)

    def can_return(self) -> bool:
        """Shipping or completed orders can go to return/refund."""
        return self.can_change_to(OrderStatus.RETURN_REFUND)

    def money_adds_up(self) -> bool:
        """The total equals its parts."""
        return self.total == compute_total(
            subtotal=self.subtotal,
            shipping_fee=self.shipping_fee,
            marketplace_discount=self.marketplace_discount,
            voucher_discount=self.voucher_discount,
            seller_discount=self.seller_discount,
            shop_promotion=self.shop_promotion,
            points_discount=self.points_discount,
        )


class OrderLine(SQLModel, table=True):
    """One item of an order (a snapshot of name/SKU/price at the time of sale)."""

    __tablename__ = "order_lines"
    __table_args__ = (
        sa.Index(None, "variant_id", "order_id"),
        # The lines not costed yet: a few at any time (services/order_effects costs them).
        sa.Index(
            "ix_order_lines_uncosted",
            "id",
            sqlite_where=sa.text("unit_cost IS NULL"),
            postgresql_where=sa.text("unit_cost IS NULL"),
        ),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "returned_quantity >= 0 AND returned_quantity <= quantity", name="returned_le_qty"
        ),
        sa.CheckConstraint("subtotal = quantity * unit_price - discount", name="subtotal_adds_up"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = fk("orders.id", ondelete="CASCADE", index=True)
    variant_id: int | None = fk("variants.id", ondelete="SET NULL")
    sku: str | None = Field(default=None, max_length=64)
    product_name: str = Field(max_length=255)
    variant_name: str | None = Field(default=None, max_length=120)
    quantity: int
    unit_price: int = money_field()
    discount: int = money_field()
    subtotal: int = money_field()
    returned_quantity: int = Field(default=0)
    #: What one unit cost the shop when the line was written: its variant's (average) cost
    #: then, 0 without a variant; None until `order_effects.cost_new_lines` has run.
    unit_cost: int | None = Field(default=None, sa_type=sa.BigInteger)


class OrderStatusChange(SQLModel, table=True):
    """The status history of an order: from, to, who, when."""

    __tablename__ = "order_status_changes"
    __table_args__ = (sa.Index(None, "order_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = fk("orders.id", ondelete="CASCADE")
    from_status: OrderStatus | None = enum_field(OrderStatus, default=None, nullable=True)
    to_status: OrderStatus = enum_field(OrderStatus)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    #: user, sync, carrier, import
    source: str = Field(default="user", max_length=20)
    note: str | None = Field(default=None, max_length=255)
    changed_at: datetime = Field(default_factory=utcnow)


class OrderRefund(SQLModel, table=True):
    """Money given back for items returned in this app: how much, when and by whom (the
    end-of-day report counts the refunds of its day; `orders.refunded_amount` is their sum)."""

    __tablename__ = "order_refunds"
    __table_args__ = (
        sa.Index(None, "created_at"),
        sa.CheckConstraint("amount >= 0 AND items >= 0", name="refund_not_negative"),
    )

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = fk("orders.id", ondelete="CASCADE", index=True)
    amount: int = money_field()
    #: Items that came back with this refund.
    items: int = Field(default=0)
    reason: str | None = Field(default=None, max_length=255)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    #: How the money went back when not the order's own way: an exchange settles it with
    #: the new sale's method (None = the order's payment method).
    method: PaymentMethod | None = enum_field(PaymentMethod, default=None, nullable=True)
    #: The sale the returned items were exchanged for (*đổi hàng*): the refund paid for it.
    exchange_order_id: int | None = fk("orders.id", ondelete="SET NULL", index=True)
