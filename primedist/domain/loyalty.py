"""Loyalty: rank history, customer levels and level prices, points ledger, vouchers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from primedist.domain.base import Field, SQLModel, enum_field, fk, money_field, utcnow
from primedist.domain.enums import DiscountKind, PointsKind, Rank, RankReason


class RankHistory(SQLModel, table=True):
    """Each rank change with its reason: value vs threshold on the chosen basis, or
    `RankReason.MANUAL` (value and threshold 0) for a rank given by hand."""

    __tablename__ = "rank_history"
    __table_args__ = (sa.Index(None, "customer_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customers.id", ondelete="CASCADE")
    from_rank: Rank | None = enum_field(Rank, default=None, nullable=True)
    to_rank: Rank = enum_field(Rank)
    basis: RankReason = enum_field(RankReason)
    value: int = Field(default=0, sa_type=sa.BigInteger)
    threshold: int = Field(default=0, sa_type=sa.BigInteger)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    changed_at: datetime = Field(default_factory=utcnow)


class CustomerLevel(SQLModel, table=True):
    """A customer group such as VIP or Wholesale, with optional auto-upgrade threshold."""

    __tablename__ = "customer_levels"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    code: str = Field(max_length=20, unique=True)
    upgrade_threshold: int | None = Field(default=None, sa_type=sa.BigInteger)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)


class LevelPrice(SQLModel, table=True):
    """The price of one SKU for one customer level."""

    __tablename__ = "level_prices"
    __table_args__ = (sa.CheckConstraint("price >= 0", name="price_not_negative"),)

    level_id: int = fk("customer_levels.id", ondelete="CASCADE", primary_key=True)
    variant_id: int = fk("variants.id", ondelete="CASCADE", primary_key=True, index=True)
    price: int = money_field()


class PointsEntry(SQLModel, table=True):
    """The points ledger: every earn, redeem and manual adjustment (with its reason)."""

    __tablename__ = "points_entries"
    # (order_id, kind): the reconcile finds an order's refund of redeemed points here.
    __table_args__ = (
        sa.Index(None, "customer_id", "created_at"),
        sa.Index(None, "order_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customers.id", ondelete="CASCADE")
    kind: PointsKind = enum_field(PointsKind)
    delta: int
    balance_after: int
    order_id: int | None = fk("orders.id", ondelete="SET NULL")
    reason: str | None = Field(default=None, max_length=255)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class Voucher(SQLModel, table=True):
    """A discount code: amount or percent, minimum order, validity, eligibility."""

    __tablename__ = "vouchers"
    __table_args__ = (
        sa.CheckConstraint(
            "discount_value >= 0 AND (discount_kind != 'percent' OR discount_value <= 100)",
            name="discount_in_range",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    discount_kind: DiscountKind = enum_field(DiscountKind, default=DiscountKind.AMOUNT)
    #: VND for an amount, whole percent for a percentage.
    discount_value: int = money_field()
    max_discount: int | None = Field(default=None, sa_type=sa.BigInteger)
    min_order_value: int = money_field()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    is_active: bool = Field(default=True)
    free_shipping: bool = Field(default=False)
    usage_limit: int | None = None
    #: Uses allowed per customer (None = no limit).
    per_customer_limit: int | None = None
    #: Uses on orders that are not cancelled (kept by the loyalty reconcile).
    used_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)


class VoucherTag(SQLModel, table=True):
    """Limits a voucher to customers with one of these tags."""

    __tablename__ = "voucher_tags"

    voucher_id: int = fk("vouchers.id", ondelete="CASCADE", primary_key=True)
    tag_id: int = fk("tags.id", ondelete="CASCADE", primary_key=True)


class VoucherLevel(SQLModel, table=True):
    """Limits a voucher to customers of one of these levels."""

    __tablename__ = "voucher_levels"

    voucher_id: int = fk("vouchers.id", ondelete="CASCADE", primary_key=True)
    level_id: int = fk("customer_levels.id", ondelete="CASCADE", primary_key=True)


class VoucherUse(SQLModel, table=True):
    """One use of a voucher: the order, its customer and the discount it gave.

    A use of a cancelled order no longer counts against the limits."""

    __tablename__ = "voucher_uses"
    __table_args__ = (sa.Index(None, "voucher_id", "customer_id"),)

    order_id: int = fk("orders.id", ondelete="CASCADE", primary_key=True)
    voucher_id: int = fk("vouchers.id", ondelete="CASCADE")
    customer_id: int | None = fk("customers.id", ondelete="SET NULL")
    discount: int = money_field()
    used_at: datetime = Field(default_factory=utcnow)
