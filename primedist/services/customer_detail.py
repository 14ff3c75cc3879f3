"""One customer in full, for the customer detail: profile, statistics for a date range
(computed in SQL), order history, points ledger, referred customers; and the changes made
from the detail (addresses, tags, staff note, assigned staff member), each with an audit row.

Statistics use the definitions of `services.customer_stats`: successful = completed;
total expenses = sum of (total − refunded) over successful orders; success rate =
successful ÷ all orders; average order value = total expenses ÷ successful orders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import local_day_bounds_utc, shop_tz
from primedist.core.messages import msg
from primedist.core.phone import normalize_phone
from primedist.core.text import clean_line, clean_text, fold
from primedist.domain.base import table_of
from primedist.domain.customer import (
    MAX_ADDRESSES,
    Address,
    Customer,
    CustomerPhone,
    CustomerTag,
    Tag,
    success_rate,
)
from primedist.domain.enums import Gender, Module, OrderStatus, PointsKind, Rank
from primedist.domain.loyalty import CustomerLevel, PointsEntry
from primedist.domain.order import Order
from primedist.domain.shop import Shop
from primedist.domain.user import User
from primedist.errors import NotFound, ValidationError
from primedist.services.context import ServiceContext
from primedist.services.customer_avatar import avatar_file
from primedist.services.sale_lookup import CustomerHit, customers_matching

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
addresses_t = table_of(Address)
tags_t = table_of(Tag)
customer_tags_t = table_of(CustomerTag)
orders_t = table_of(Order)
shops_t = table_of(Shop)
users_t = table_of(User)
levels_t = table_of(CustomerLevel)
points_t = table_of(PointsEntry)

MAX_NOTE = 4_000
#: Field lengths of `Address` (checked before the database sees them).
ADDRESS_LIMITS = {"recipient": 120, "phone": 32, "street": 255, "ward": 120, "district": 120,
                  "province": 120, "province_code": 8}  # fmt: skip
#: The address fields by name, in the messages about them.
ADDRESS_FIELDS = {"recipient": msg("recipient"), "phone": msg("phone"), "street": msg("street"),
                  "ward": msg("ward"), "district": msg("district"), "province": msg("province"),
                  "province_code": msg("province code")}  # fmt: skip


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class AddressRow:
    id: int
    recipient: str | None
    phone: str | None
    street: str | None
    ward: str | None
    district: str | None
    province: str | None
    is_default: bool
    created_at: datetime

    def one_line(self) -> str:
        """Street, ward, (district), province on one line."""
        parts = (self.street, self.ward, self.district, self.province)
        return ", ".join(p.strip() for p in parts if p and p.strip())


@dataclass(frozen=True)
class TagChoice:
    id: int
    name: str
    ticked: bool


@dataclass(frozen=True)
class StaffChoice:
    id: int
    name: str
    #: False for a disabled account still assigned to the customer: shown so the
    #: assignment is kept, never offered for a new one.
    active: bool = True


@dataclass(frozen=True)
class CustomerRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CustomerProfile:
    """Everything the detail's header and contact cards show."""

    id: int
    code: str
    name: str
    rank: Rank
    level: str | None
    gender: Gender
    birthday: date | None
    email: str | None
    zalo_id: str | None
    facebook_id: str | None
    phones: tuple[str, ...]
    addresses: tuple[AddressRow, ...]
    tags: tuple[TagChoice, ...]
    note: str
    assigned_user_id: int | None
    staff: tuple[StaffChoice, ...]
    source: str | None
    referrer: CustomerRef | None
    avatar_path: str | None
    points_balance: int
    points_earned: int
    created_at: datetime

    @property
    def initials(self) -> str:
        """Up to two letters for the avatar: first and last word (Nguyễn Thị Lan → NL)."""
        return initials(self.name)


@dataclass(frozen=True)
class PeriodStats:
    """A customer's orders placed in [start, end] (local days, both included)."""

    start: date
    end: date
    by_status: dict[OrderStatus, int]
    total_orders: int
    successful_orders: int
    total_expenses: int

    @property
    def average_order_value(self) -> int | None:
        """Total expenses ÷ successful orders (whole đồng), None with none successful."""
        if not self.successful_orders:
            return None
        return round(self.total_expenses / self.successful_orders)

    @property
    def success_rate(self) -> float | None:
        """Successful ÷ finished orders (0–1), None before one has finished."""
        returned = self.by_status[OrderStatus.RETURNED] + self.by_status[OrderStatus.RETURN_REFUND]
        cancelled = self.by_status[OrderStatus.CANCELLED]
        return success_rate(self.successful_orders, cancelled, returned)


@dataclass(frozen=True)
class OrderRow:
    id: int
    external_id: str
    created_at: datetime
    status: OrderStatus
    total: int
    shop: str


@dataclass(frozen=True)
class PointsRow:
    id: int
    created_at: datetime
    kind: PointsKind
    delta: int
    balance_after: int
    order_id: int | None
    reason: str | None
    #: The number of the order the entry came from (None: by hand, or the order is gone).
    order_number: str | None = None


@dataclass(frozen=True)
class ReferredRow:
    id: int
    code: str
    name: str
    total_orders: int
    total_expenses: int
    created_at: datetime


@dataclass
class AddressDraft:
    recipient: str | None = None
    phone: str | None = None
    street: str | None = None
    ward: str | None = None
    district: str | None = None
    province: str | None = None
    province_code: str | None = None
    is_default: bool = False


@dataclass(frozen=True)
class AddressResult:
    address_id: int
    #: True when the customer had MAX_ADDRESSES and the oldest one was removed.
    replaced_oldest: bool
    replaced: AddressRow | None = None


def initials(name: str) -> str:
    words = [w for w in name.split() if w[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


# --------------------------------------------------------------------------- reading


def _customer_row(conn: sa.Connection, customer_id: int) -> sa.Row[Any]:
    c = customers_t.c
    row = conn.execute(
        sa.select(customers_t).where(c.id == customer_id, c.deleted_at.is_(None))
    ).first()
    if row is None:
        raise NotFound(
            msg(
                "Customer {customer_id} does not exist (or was deleted or merged).",
                customer_id=str(customer_id),
            )
        )
    return row


def _address_rows(conn: sa.Connection, customer_id: int) -> list[AddressRow]:
    a = addresses_t.c
    stmt = (
        sa.select(a.id, a.recipient, a.phone, a.street, a.ward, a.district, a.province,
                  a.is_default, a.created_at)
        .where(a.customer_id == customer_id)
        .order_by(a.created_at, a.id)
    )  # fmt: skip
    return [
        AddressRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]), r[8])
        for r in conn.execute(stmt)
    ]


def _staff(conn: sa.Connection, assigned: int | None = None) -> tuple[StaffChoice, ...]:
    """The active users, and the `assigned` one even when disabled (a form listing only
    the active ones would show "Nobody" and save that)."""
    u = users_t.c
    shown: sa.ColumnElement[bool] = u.is_active.is_(True)
    if assigned is not None:
        shown = sa.or_(shown, u.id == assigned)
    stmt = sa.select(u.id, u.name, u.is_active).where(shown).order_by(u.name, u.id)
    return tuple(StaffChoice(int(i), str(n), bool(a)) for i, n, a in conn.execute(stmt))


def customer_profile(ctx: ServiceContext, customer_id: int) -> CustomerProfile:
    """The customer's profile, contact details, addresses (oldest first), tags (every tag,
    ticked when the customer has it), staff note and the users to assign: the active ones
    and the one assigned now, even if disabled since (`StaffChoice.active`)."""
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        r = _customer_row(conn, customer_id)
        phones = tuple(
            str(p)
            for (p,) in conn.execute(
                sa.select(phones_t.c.phone)
                .where(phones_t.c.customer_id == customer_id)
                .order_by(phones_t.c.is_primary.desc(), phones_t.c.id)
            )
        )
        mine = sa.exists().where(
            customer_tags_t.c.customer_id == customer_id, customer_tags_t.c.tag_id == tags_t.c.id
        )
        tags = tuple(
            TagChoice(int(i), str(n), bool(t))
            for i, n, t in conn.execute(
                sa.select(tags_t.c.id, tags_t.c.name, mine).order_by(tags_t.c.name, tags_t.c.id)
            )
        )
        level = None
        if r.level_id is not None:
            level = conn.execute(
                sa.select(levels_t.c.name).where(levels_t.c.id == r.level_id)
            ).scalar()
        referrer = None
        if r.referrer_id is not None:
            ref = conn.execute(
                sa.select(customers_t.c.id, customers_t.c.code, customers_t.c.name).where(
                    customers_t.c.id == r.referrer_id
                )
            ).first()
            if ref is not None:
                referrer = CustomerRef(int(ref[0]), str(ref[1]), str(ref[2]))
        data_dir = ctx.settings.data_dir if ctx.settings is not None else None
        return CustomerProfile(
            id=int(r.id), code=str(r.code), name=str(r.name), rank=Rank(r.rank),
            level=None if level is None else str(level), gender=Gender(r.gender),
            birthday=r.birthday, email=r.email, zalo_id=r.zalo_id, facebook_id=r.facebook_id,
            phones=phones, addresses=tuple(_address_rows(conn, customer_id)), tags=tags,
            note=r.note or "", assigned_user_id=r.assigned_user_id,
            staff=_staff(conn, r.assigned_user_id),
            source=r.source, referrer=referrer, avatar_path=avatar_file(data_dir, r.avatar_path),
            points_balance=int(r.points_balance), points_earned=int(r.points_earned),
            created_at=r.created_at,
        )  # fmt: skip


def customer_period_stats(
    ctx: ServiceContext, customer_id: int, start: date, end: date
) -> PeriodStats:
    """Orders of the customer placed from `start` to `end` (shop-local days, both
    included): counts by status, successful orders and total expenses, in one SQL query
    (the (customer_id, created_at) index)."""
    ctx.require(Module.CUSTOMERS)
    if end < start:
        raise ValidationError(msg("The end date is before the start date."), field="end")
    tz = shop_tz()
    lo = local_day_bounds_utc(start, tz)[0]
    hi = local_day_bounds_utc(end, tz)[1]
    o = orders_t.c
    spent = sa.func.sum(o.total - o.refunded_amount)
    stmt = (
        sa.select(o.status, sa.func.count(), spent)
        .where(o.customer_id == customer_id, o.created_at >= lo, o.created_at < hi)
        .group_by(o.status)
    )
    by_status = dict.fromkeys(OrderStatus, 0)
    expenses = 0
    with ctx.engine.connect() as conn:
        _customer_row(conn, customer_id)
        for status, n, amount in conn.execute(stmt):
            st = OrderStatus(status)
            by_status[st] = int(n)
            if st == OrderStatus.COMPLETED:
                expenses = int(amount or 0)
    return PeriodStats(
        start=start,
        end=end,
        by_status=by_status,
        total_orders=sum(by_status.values()),
        successful_orders=by_status[OrderStatus.COMPLETED],
        total_expenses=expenses,
    )


def customer_orders(
    ctx: ServiceContext, customer_id: int, limit: int = 200, after: OrderRow | None = None
) -> list[OrderRow]:
    """The customer's newest `limit` orders, newest first; with `after`, the next `limit`
    older than that row (keyset on the list's order: a page never skips nor repeats one)."""
    ctx.require(Module.CUSTOMERS)
    o = orders_t.c
    stmt = (
        sa.select(o.id, o.external_id, o.created_at, o.status, o.total, shops_t.c.name)
        .join(shops_t, shops_t.c.id == o.shop_id)
        .where(o.customer_id == customer_id)
        .order_by(o.created_at.desc(), o.id.desc())
        .limit(max(0, limit))
    )
    if after is not None:
        stmt = stmt.where(_older(o.created_at, o.id, after.created_at, after.id))
    with ctx.engine.connect() as conn:
        return [
            OrderRow(int(i), str(x), when, OrderStatus(s), int(t), str(shop))
            for i, x, when, s, t, shop in conn.execute(stmt)
        ]


def count_customer_orders(ctx: ServiceContext, customer_id: int) -> int:
    """How many orders the customer has (the history says "the newest 200 of 214")."""
    ctx.require(Module.CUSTOMERS)
    stmt = sa.select(sa.func.count()).where(orders_t.c.customer_id == customer_id)
    with ctx.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def points_ledger(
    ctx: ServiceContext, customer_id: int, limit: int = 500, after: PointsRow | None = None
) -> list[PointsRow]:
    """The customer's newest `limit` points entries, newest first; with `after`, the next
    `limit` older than that entry."""
    ctx.require(Module.CUSTOMERS)
    p = points_t.c
    stmt = (
        sa.select(
            p.id,
            p.created_at,
            p.kind,
            p.delta,
            p.balance_after,
            p.order_id,
            p.reason,
            orders_t.c.external_id,
        )
        .select_from(points_t.outerjoin(orders_t, orders_t.c.id == p.order_id))
        .where(p.customer_id == customer_id)
        .order_by(p.created_at.desc(), p.id.desc())
        .limit(max(0, limit))
    )
    if after is not None:
        stmt = stmt.where(_older(p.created_at, p.id, after.created_at, after.id))
    with ctx.engine.connect() as conn:
        return [
            PointsRow(int(i), when, PointsKind(k), int(d), int(b), oid, reason, number)
            for i, when, k, d, b, oid, reason, number in conn.execute(stmt)
        ]


def count_points_entries(ctx: ServiceContext, customer_id: int) -> int:
    """How many points entries the customer has."""
    ctx.require(Module.CUSTOMERS)
    stmt = sa.select(sa.func.count()).where(points_t.c.customer_id == customer_id)
    with ctx.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def _older(when: sa.ColumnElement[Any], key: sa.ColumnElement[Any], bound: datetime,
           bound_key: int) -> sa.ColumnElement[bool]:  # fmt: skip
    """Rows after (`bound`, `bound_key`) in newest-first order (ties on the time by id)."""
    return sa.or_(when < bound, sa.and_(when == bound, key < bound_key))


def referred_customers(ctx: ServiceContext, customer_id: int) -> list[ReferredRow]:
    """Customers (not deleted) whose referrer is this customer, newest first."""
    ctx.require(Module.CUSTOMERS)
    c = customers_t.c
    stmt = (
        sa.select(c.id, c.code, c.name, c.total_orders, c.total_expenses, c.created_at)
        .where(c.referrer_id == customer_id, c.deleted_at.is_(None))
        .order_by(c.created_at.desc(), c.id.desc())
    )
    with ctx.engine.connect() as conn:
        return [
            ReferredRow(int(i), str(code), str(n), int(t), int(e), when)
            for i, code, n, t, e, when in conn.execute(stmt)
        ]


def find_customer_by_code(ctx: ServiceContext, code: str) -> CustomerRef | None:
    """The live customer with this code (any case), or None."""
    ctx.require(Module.CUSTOMERS)
    c = customers_t.c
    stmt = sa.select(c.id, c.code, c.name).where(
        c.code == code.strip().upper(), c.deleted_at.is_(None)
    )
    with ctx.engine.connect() as conn:
        row = conn.execute(stmt).first()
    return None if row is None else CustomerRef(int(row[0]), str(row[1]), str(row[2]))


#: Referrers offered under the field at most (`search_referrers`).
REFERRER_OFFERS = 8


def search_referrers(
    ctx: ServiceContext, text: str, *, exclude: int | None = None, limit: int = REFERRER_OFFERS
) -> list[CustomerHit]:
    """The customers `text` names — every word in their name, code or a phone, accents and
    case aside —, newest first, to pick a referrer from; `exclude`: the customer edited
    (no one refers themselves)."""
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        return customers_matching(conn, text, limit, exclude=exclude)


def list_staff(ctx: ServiceContext) -> list[StaffChoice]:
    """Active users a customer can be assigned to."""
    ctx.require(Module.CUSTOMERS)
    with ctx.engine.connect() as conn:
        return list(_staff(conn))


# --------------------------------------------------------------------------- changes


def _lock_customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFound(
            msg(
                "Customer {customer_id} does not exist (or was deleted or merged).",
                customer_id=str(customer_id),
            )
        )
    return customer


def _clean_address(draft: AddressDraft) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, limit in ADDRESS_LIMITS.items():
        raw = getattr(draft, key)
        text = clean_line(raw) if isinstance(raw, str) else None
        if text and len(text) > limit:
            raise ValidationError(
                msg(
                    "The address {field} is longer than {limit} characters.",
                    field=ADDRESS_FIELDS[key],
                    limit=str(limit),
                ),
                field=key,
            )
        values[key] = text or None
    if not any(values[k] for k in ("street", "ward", "district", "province")):
        raise ValidationError(
            msg("Enter the street, ward or province of the address."), field="street"
        )
    values["is_default"] = bool(draft.is_default)
    return values


def add_address(ctx: ServiceContext, customer_id: int, draft: AddressDraft) -> AddressResult:
    """Add a delivery address. A customer keeps at most MAX_ADDRESSES: with that many
    already, the oldest is removed in the same transaction (the result says so)."""
    ctx.require(Module.CUSTOMERS)
    values = _clean_address(draft)
    with ctx.uow() as session:
        return _insert_address(ctx, session, customer_id, values)


def keep_default_address(ctx: ServiceContext, session: Session, customer_id: int,
                         draft: AddressDraft) -> AddressResult:  # fmt: skip
    """In the caller's transaction: `draft` becomes the customer's default address — the
    same address already kept (compared without case, accents or spacing) is made the
    default, else it is added (the oldest going at MAX_ADDRESSES)."""
    ctx.require(Module.CUSTOMERS)
    values = _clean_address(replace(draft, is_default=True))
    customer = _lock_customer(session, customer_id)
    conn = session.connection()
    wanted = _address_key(values)
    same = next((row for row in _address_rows(conn, customer_id)
                 if _address_key(asdict(row)) == wanted), None)  # fmt: skip
    if same is None:
        return _insert_address(ctx, session, customer_id, values)
    if not same.is_default:
        conn.execute(addresses_t.update().where(addresses_t.c.customer_id == customer_id)
                     .values(is_default=addresses_t.c.id == same.id))  # fmt: skip
        customer.updated_at = ctx.clock.now()
        session.add(customer)
        ctx.audit(session, "customer.address.default", entity_type="customer",
                  entity_id=customer_id, summary=f"{customer.code}: {same.one_line()}",
                  after={"address": same.one_line()})  # fmt: skip
    return AddressResult(same.id, False)


def _address_key(values: Mapping[str, Any]) -> tuple[str, ...]:
    phone = str(values.get("phone") or "")
    return (normalize_phone(phone) or fold(phone), *(fold(str(values.get(k) or "")) for k in
            ("recipient", "street", "ward", "district", "province")))  # fmt: skip


def _insert_address(ctx: ServiceContext, session: Session, customer_id: int,
                    values: dict[str, Any]) -> AddressResult:  # fmt: skip
    now = ctx.clock.now()
    customer = _lock_customer(session, customer_id)
    conn = session.connection()
    existing = _address_rows(conn, customer_id)
    replaced: AddressRow | None = None
    if len(existing) >= MAX_ADDRESSES:
        replaced = existing[0]
        for old in existing[: len(existing) - MAX_ADDRESSES + 1]:
            conn.execute(addresses_t.delete().where(addresses_t.c.id == old.id))
    if values["is_default"] or not existing or (replaced and replaced.is_default):
        values["is_default"] = True
        conn.execute(
            addresses_t.update()
            .where(addresses_t.c.customer_id == customer_id)
            .values(is_default=False)
        )
    new_id = conn.execute(
        addresses_t.insert()
        .values(customer_id=customer_id, created_at=now, **values)
        .returning(addresses_t.c.id)
    ).scalar_one()
    customer.updated_at = now
    session.add(customer)
    line = AddressRow(int(new_id), values["recipient"], values["phone"], values["street"],
                      values["ward"], values["district"], values["province"],
                      values["is_default"], now).one_line()  # fmt: skip
    summary = f"{customer.code}: {line}"
    if replaced is not None:
        summary = msg("{customer}: {address} (replaced the oldest: {replaced})",
                      customer=customer.code, address=line,
                      replaced=replaced.one_line())  # fmt: skip
    ctx.audit(
        session, "customer.address.add", entity_type="customer", entity_id=customer_id,
        summary=summary,
        before=None if replaced is None else {"removed_address": replaced.one_line()},
        after={"address": line},
    )  # fmt: skip
    return AddressResult(int(new_id), replaced is not None, replaced)


def remove_address(ctx: ServiceContext, customer_id: int, address_id: int) -> None:
    """Remove one of the customer's addresses (the newest left becomes the default when the
    default one goes)."""
    ctx.require(Module.CUSTOMERS)
    now = ctx.clock.now()
    with ctx.uow() as session:
        customer = _lock_customer(session, customer_id)
        conn = session.connection()
        rows = {a.id: a for a in _address_rows(conn, customer_id)}
        gone = rows.get(address_id)
        if gone is None:
            raise NotFound(
                msg(
                    "Address {address_id} is not one of {code}'s addresses.",
                    address_id=str(address_id),
                    code=customer.code,
                )
            )
        conn.execute(addresses_t.delete().where(addresses_t.c.id == address_id))
        left = [a for a in rows.values() if a.id != address_id]
        if gone.is_default and left:
            conn.execute(
                addresses_t.update().where(addresses_t.c.id == left[-1].id).values(is_default=True)
            )
        customer.updated_at = now
        session.add(customer)
        ctx.audit(session, "customer.address.remove", entity_type="customer",
                  entity_id=customer_id, summary=f"{customer.code}: {gone.one_line()}",
                  before={"address": gone.one_line()})  # fmt: skip


def set_tags(ctx: ServiceContext, customer_id: int, tag_ids: list[int]) -> None:
    """The customer's tags become exactly `tag_ids`."""
    ctx.require(Module.CUSTOMERS)
    wanted = set(tag_ids)
    with ctx.uow() as session:
        customer = _lock_customer(session, customer_id)
        conn = session.connection()
        found = {
            int(i)
            for i in conn.execute(sa.select(tags_t.c.id).where(tags_t.c.id.in_(wanted))).scalars()
        }
        missing = wanted - found
        if missing:
            raise NotFound(
                msg("Tag {tag} does not exist (deleted meanwhile?).", tag=str(min(missing)))
            )
        ct = customer_tags_t.c
        have = set(
            conn.execute(sa.select(ct.tag_id).where(ct.customer_id == customer_id)).scalars()
        )
        added, removed = wanted - have, have - wanted
        if not added and not removed:
            return
        if removed:
            conn.execute(
                customer_tags_t.delete().where(
                    ct.customer_id == customer_id, ct.tag_id.in_(removed)
                )
            )
        if added:
            conn.execute(
                customer_tags_t.insert(),
                [{"customer_id": customer_id, "tag_id": t} for t in sorted(added)],
            )
        customer.updated_at = ctx.clock.now()
        session.add(customer)
        ctx.audit(session, "customer.tags", entity_type="customer", entity_id=customer_id,
                  summary=msg("{customer}: tags changed", customer=customer.code),
                  before=sorted(have), after=sorted(wanted))  # fmt: skip


def set_note(ctx: ServiceContext, customer_id: int, note: str) -> None:
    """The staff note (never printed); blank clears it."""
    ctx.require(Module.CUSTOMERS)
    text = clean_text(note)
    if len(text) > MAX_NOTE:
        raise ValidationError(
            msg("The note is longer than {limit} characters.", limit=str(MAX_NOTE)), field="note"
        )
    with ctx.uow() as session:
        customer = _lock_customer(session, customer_id)
        before = customer.note
        if (before or "") == text:
            return
        customer.note = text or None
        customer.updated_at = ctx.clock.now()
        session.add(customer)
        ctx.audit(session, "customer.note", entity_type="customer", entity_id=customer_id,
                  summary=msg("{customer}: staff note changed", customer=customer.code),
                  before=before, after=customer.note)  # fmt: skip


def assign_staff(ctx: ServiceContext, customer_id: int, user_id: int | None) -> None:
    """Assign the customer to an active user (None: nobody). The user assigned already is
    no change, even when their account was disabled since."""
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        customer = _lock_customer(session, customer_id)
        if customer.assigned_user_id == user_id:
            return
        name = None
        if user_id is not None:
            user = session.get(User, user_id)
            if user is None or not user.is_active:
                raise NotFound(
                    msg("User {user_id} does not exist or is deactivated.", user_id=str(user_id))
                )
            name = user.name
        before = customer.assigned_user_id
        customer.assigned_user_id = user_id
        customer.updated_at = ctx.clock.now()
        session.add(customer)
        ctx.audit(session, "customer.assign", entity_type="customer", entity_id=customer_id,
                  summary=msg("{customer}: assigned to {user}", customer=customer.code, user=name)
                  if name else msg("{customer}: assigned to nobody", customer=customer.code),
                  before=before, after=user_id)  # fmt: skip
