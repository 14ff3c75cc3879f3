"""Customers and what hangs off them: phones, marketplace identities, addresses, tags,
segments. Ranks, levels, points and vouchers are in `loyalty`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel.sql.sqltypes import UTCDateTime

from primedist.domain.base import (
    Field,
    SQLModel,
    enum_field,
    fk,
    money_field,
    text_field,
    utcnow,
)
from primedist.domain.enums import Channel, Gender, PaymentMethod, Rank

MAX_ADDRESSES = 10
#: Columns the Customers list filters read (queries/customers.py), in every sort index.
#: `rank` is in the narrow `ix_customers_rank_live` alone, which the rank filter reads: a
#: rank recompute moving tens of thousands of customers rewrites one small index, not seven
#: wide ones.
LIST_FILTER_COLUMNS = (
    "deleted_at", "merged_into_id", "total_expenses", "successful_orders", "total_orders",
    "cancelled_orders", "returned_orders", "gender", "source", "referrer_id",
    "last_order_at", "created_at", "channels", "birthday",
)  # fmt: skip
#: Columns the Customers list sorts by, each with a covering index `ix_customers_<col>_id`.
LIST_SORT_COLUMNS = (
    "created_at", "name", "total_expenses", "successful_orders", "total_orders",
    "points_balance",
)  # fmt: skip


#: The Customers list's "Latest transaction" sort index (`last_order_sort`, id, filters).
LAST_ORDER_INDEX = "ix_customers_last_order_at_id"


class last_order_sort(FunctionElement[datetime]):  # noqa: N801  (reads as the SQL it is)
    """`last_order_at`, or 1970 for a customer who never bought: NOT NULL, so it can be a
    keyset sort (most recent buyers first, those who never bought last). Written the same in
    the index and the query (SQLite stores the text SQLAlchemy writes, PostgreSQL a
    timestamptz), so either database walks `LAST_ORDER_INDEX`."""

    type = UTCDateTime()
    inherit_cache = True
    name = "last_order_sort"


@compiles(last_order_sort)
def _last_order_sort_default(element: last_order_sort, compiler: SQLCompiler, **kw: Any) -> str:
    never = "'1970-01-01 00:00:00+00'::timestamptz"
    return f"coalesce({compiler.process(element.clauses, **kw)}, {never})"


@compiles(last_order_sort, "sqlite")
def _last_order_sort_sqlite(element: last_order_sort, compiler: SQLCompiler, **kw: Any) -> str:
    return f"coalesce({compiler.process(element.clauses, **kw)}, '1970-01-01 00:00:00.000000')"


class Customer(SQLModel, table=True):
    """A buyer; the order aggregates are kept on the row so lists sort and filter in SQL."""

    __tablename__ = "customers"
    __table_args__ = (
        # The rank filter's set / count, the rank recompute's counts (index-only).
        sa.Index("ix_customers_rank_live", "rank", "deleted_at", "merged_into_id", "rank_pinned"),
        # Keyset sorts of the Customers list: (sort column, id) then every column a filter
        # reads, so paging keys and counting are index-only (the wide row — notes, search
        # text — is read for the visible page alone).
        *(
            sa.Index(f"ix_customers_{sort}_id", sort, "id",
                     *(col for col in LIST_FILTER_COLUMNS if col != sort))
            for sort in LIST_SORT_COLUMNS
        ),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=120)
    gender: Gender = enum_field(Gender, default=Gender.UNKNOWN)
    birthday: date | None = None
    email: str | None = Field(default=None, max_length=254)
    zalo_id: str | None = Field(default=None, max_length=64)
    facebook_id: str | None = Field(default=None, max_length=64)
    #: Where the customer came from: a channel, "walk_in", "referral", "import", ...
    source: str | None = Field(default=None, max_length=40)
    referrer_id: int | None = fk("customers.id", ondelete="SET NULL", index=True)
    level_id: int | None = fk("customer_levels.id", ondelete="SET NULL", index=True)
    level_pinned: bool = Field(default=False)
    rank: Rank = enum_field(Rank, default=Rank.COPPER)
    #: "Skip automatic update": the nightly recompute leaves the rank alone.
    rank_pinned: bool = Field(default=False)
    rank_since: datetime | None = None
    assigned_user_id: int | None = fk("users.id", ondelete="SET NULL")
    note: str | None = text_field()
    avatar_path: str | None = Field(default=None, max_length=500)
    points_balance: int = Field(default=0)
    points_earned: int = Field(default=0)
    total_orders: int = Field(default=0)
    successful_orders: int = Field(default=0)
    cancelled_orders: int = Field(default=0)
    returned_orders: int = Field(default=0)
    total_expenses: int = money_field()
    last_order_at: datetime | None = None
    first_order_at: datetime | None = None
    #: Comma-separated channel codes the customer bought through.
    channels: str = Field(default="", max_length=80)
    #: Folded name, code, email and phones for search.
    search_text: str = Field(default="", sa_type=sa.Text)
    merged_into_id: int | None = fk("customers.id", ondelete="SET NULL")
    deleted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def success_rate(self) -> float | None:
        """Successful ÷ finished orders (see `success_rate`), None before one has finished."""
        return success_rate(self.successful_orders, self.cancelled_orders, self.returned_orders)


_customers = Customer.__table__  # type: ignore[attr-defined]
# The list's default sort (most recent buyers first): like the other sort indexes, covering
# every filter column.
sa.Index(
    LAST_ORDER_INDEX,
    last_order_sort(_customers.c.last_order_at),
    _customers.c.id,
    *(_customers.c[col] for col in LIST_FILTER_COLUMNS),
)


class CustomerPhone(SQLModel, table=True):
    """A normalised phone number of a customer (several allowed)."""

    __tablename__ = "customer_phones"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customers.id", ondelete="CASCADE", index=True)
    phone: str = Field(max_length=32, index=True)
    is_primary: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class CustomerIdentity(SQLModel, table=True):
    """A marketplace buyer id linked to a customer (how synced orders find their buyer)."""

    __tablename__ = "customer_identities"
    __table_args__ = (sa.UniqueConstraint("channel", "buyer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customers.id", ondelete="CASCADE", index=True)
    channel: Channel = enum_field(Channel)
    shop_id: int | None = fk("shops.id", ondelete="SET NULL")
    buyer_id: str = Field(max_length=64)


class Address(SQLModel, table=True):
    """A delivery address; up to MAX_ADDRESSES per customer (2025 map: ward + province)."""

    __tablename__ = "addresses"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customers.id", ondelete="CASCADE", index=True)
    recipient: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=32)
    street: str | None = Field(default=None, max_length=255)
    ward: str | None = Field(default=None, max_length=120)
    #: Only for pre-2025 three-level addresses.
    district: str | None = Field(default=None, max_length=120)
    province: str | None = Field(default=None, max_length=120)
    province_code: str | None = Field(default=None, max_length=8)
    is_default: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)


class Tag(SQLModel, table=True):
    """A label such as "Potential" or "Often returns"."""

    __tablename__ = "tags"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    color: str | None = Field(default=None, max_length=16)
    is_default: bool = Field(default=False)
    #: Which default tag this is (`services.tags.DEFAULT_TAGS`), whatever it is called:
    #: the "Often returns" quick filter finds its tag by this, not by name.
    default_key: str | None = Field(default=None, max_length=20, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class CustomerTag(SQLModel, table=True):
    __tablename__ = "customer_tags"
    # The tag filter reads a tag's customers from this index alone.
    __table_args__ = (sa.Index("ix_customer_tags_tag_id_customer_id", "tag_id", "customer_id"),)

    customer_id: int = fk("customers.id", ondelete="CASCADE", primary_key=True)
    tag_id: int = fk("tags.id", ondelete="CASCADE", primary_key=True)


class Segment(SQLModel, table=True):
    """A named list of customers the owner builds by hand."""

    __tablename__ = "segments"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    created_by_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class SegmentMember(SQLModel, table=True):
    __tablename__ = "segment_members"

    segment_id: int = fk("segments.id", ondelete="CASCADE", primary_key=True)
    customer_id: int = fk("customers.id", ondelete="CASCADE", primary_key=True, index=True)
    added_at: datetime = Field(default_factory=utcnow)


def customer_code(customer_id: int) -> str:
    """The customer code shown to people: `KH` + the id on six digits (KH000042)."""
    return f"KH{customer_id:06d}"


def success_rate(successful: int, cancelled: int, returned: int) -> float | None:
    """Successful ÷ finished orders (0–1), None before any order has finished.

    Finished = completed, cancelled or returned: an order still waiting or on its way is
    neither a success nor a failure yet, so a new customer's first order does not show 0%.
    """
    finished = successful + cancelled + returned
    return successful / finished if finished else None


class CustomerPayment(SQLModel, table=True):
    """Money a customer paid towards what they owe for sales on account (*phiếu thu nợ*):
    at the sale (`order_id`, the part paid at once) or later. Cancelled, never deleted."""

    __tablename__ = "customer_payments"
    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.Index(None, "customer_id", "paid_at"),
        sa.Index(None, "paid_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customers.id")
    #: The sale on account it was paid with (None = paid later).
    order_id: int | None = fk("orders.id", ondelete="SET NULL")
    amount: int = money_field()
    method: PaymentMethod = enum_field(PaymentMethod, default=PaymentMethod.CASH)
    note: str | None = Field(default=None, max_length=255)
    paid_at: datetime = Field(default_factory=utcnow)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    cancelled_at: datetime | None = None
    cancelled_by_id: int | None = fk("users.id", ondelete="SET NULL")
    cancel_reason: str | None = Field(default=None, max_length=255)


class CustomerAdjustment(SQLModel, table=True):
    """What a customer owes changed by hand (DCK000012): a debt from before the app (an
    opening balance, + owes more) or an amount written off (− owes less), with why. Never
    cancelled: another adjustment undoes one."""

    __tablename__ = "customer_adjustments"
    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.Index(None, "customer_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = fk("customers.id")
    amount: int = money_field()
    reason: str = Field(max_length=255)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class NotDuplicatePair(SQLModel, table=True):
    """Two customers the user said are not one person ("Not duplicates" in Find
    duplicates: a husband and wife sharing a phone): the pair is no longer offered as a
    duplicate, whatever they share. Lower id first, so a pair is stored once."""

    __tablename__ = "customer_not_duplicates"
    __table_args__ = (sa.CheckConstraint("customer_id < other_id", name="pair_ordered"),)

    customer_id: int = fk("customers.id", ondelete="CASCADE", primary_key=True)
    other_id: int = fk("customers.id", ondelete="CASCADE", primary_key=True, index=True)
    user_id: int | None = fk("users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
