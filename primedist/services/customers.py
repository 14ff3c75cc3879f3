"""Customer identity: who an order belongs to, customers added by hand, duplicates, merge.

Identity rules (README § Customers; every path that makes or links customers follows them:
`resolve_customer` here, the bulk order import, the counter's quick create):

1. **(channel, buyer id)**: a marketplace buyer id already linked to a live customer picks
   that customer (a merged customer's identities point at the survivor).
2. **Phone**: else the normalised phone of a live customer picks that customer (the lowest
   id when several have it); the buyer id, when given, is linked to it.
3. Else a **new customer**: the name (or the phone, or the buyer id, when there is no name),
   the phone when real, the buyer id; code `customer_code(id)`; search text from
   `core.search_keys`.

Marketplaces mask buyer data (`84*****89`, `H**uj`). A masked phone never matches and is
never stored on a customer; a masked name never replaces a customer's real name. When an
order finds its customer, it only *fills*: a real name replaces a masked one, and a real
phone is added to a customer who has no phone yet (and only when no other live customer
has it). Nothing else of an existing customer changes.

By hand (`add_customer`), only the name is required. When a phone is already used, the
`DuplicatePolicy` decides: skip, update the existing customer (values given replace, empty
ones never blank anything out, new phones are added; the stored name stays unless the user
asks for it to be replaced: the one typed may be a nickname or unaccented), or create
anyway. `DuplicatePhone.changes` lists what the update would change, for the question.

Merging (`merge_customers`) moves orders (with their voucher uses), payments and balance
adjustments, points ledger rows (the survivor's ledger then restated: one running balance),
tags, segments, identities, phones, addresses (the newest `MAX_ADDRESSES` kept; the dropped
ones are kept in the audit row) and referred customers to the survivor; the others are
marked `merged_into_id` + `deleted_at` (hidden from lists, their rows kept, their rank
history too: it tells how *their* rank went, not the survivor's). Customers said not to be
one person (`mark_not_duplicates`: pairs in `customer_not_duplicates`) are no longer offered
together by `find_duplicates`, whatever they come to share.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from itertools import combinations
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.clock import Clock, SystemClock, shop_tz, to_local
from primedist.core.emails import is_email
from primedist.core.messages import Message, msg
from primedist.core.phone import is_masked_phone, normalize_phone
from primedist.core.search_keys import search_text
from primedist.core.text import clean_line, clean_text, fold
from primedist.domain.base import table_of
from primedist.domain.customer import (
    MAX_ADDRESSES,
    Address,
    Customer,
    CustomerAdjustment,
    CustomerIdentity,
    CustomerPayment,
    CustomerPhone,
    CustomerTag,
    NotDuplicatePair,
    SegmentMember,
    customer_code,
)
from primedist.domain.enums import Channel, Gender, Module, Rank
from primedist.domain.loyalty import PointsEntry, VoucherUse
from primedist.domain.order import Order
from primedist.domain.user import User
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.queries.customers import OWED
from primedist.queries.reports import refresh_summaries
from primedist.services.context import ServiceContext
from primedist.services.customer_stats import refresh_customer_stats

customers_t = table_of(Customer)
phones_t = table_of(CustomerPhone)
identities_t = table_of(CustomerIdentity)
addresses_t = table_of(Address)
customer_tags_t = table_of(CustomerTag)
members_t = table_of(SegmentMember)
orders_t = table_of(Order)
points_t = table_of(PointsEntry)
voucher_uses_t = table_of(VoucherUse)
users_t = table_of(User)
not_duplicates_t = table_of(NotDuplicatePair)

MAX_NAME = 120
MAX_EMAIL = 254
MAX_SOCIAL = 64
MAX_SOURCE = 40
#: Marketplace masking characters in names ("H**uj", "N•••n").
MASK_CHARS = ("*", "•", "●")
_CHUNK = 500
#: Customers per read + UPDATE of `reindex_customers`.
_REINDEX_CHUNK = 2_000

Outcome = Literal["created", "updated", "skipped"]


class DuplicatePolicy(StrEnum):
    """What adding a customer does when one of its phones is already used."""

    SKIP = "skip"
    UPDATE = "update"
    CREATE = "create"


@dataclass
class CustomerDraft:
    """A customer as typed by hand or read from a file; only the name is required."""

    name: str
    phones: list[str] = field(default_factory=list)
    email: str | None = None
    zalo_id: str | None = None
    facebook_id: str | None = None
    gender: Gender = Gender.UNKNOWN
    birthday: date | None = None
    source: str | None = None
    referrer_id: int | None = None
    assigned_user_id: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class CustomerRef:
    """A customer named in a message: id, code, name (and the phone that matched)."""

    id: int
    code: str
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class AddResult:
    customer_id: int
    outcome: Outcome


@dataclass(frozen=True)
class FieldChange:
    """A field "update the existing customer" would change: `field` a `CustomerDraft`
    field (or "phones": the phones after, the new ones added). `old` / `new` are the
    stored and the typed values (None: empty); a referrer is its customer code, an assigned
    staff member their name."""

    field: str
    old: Any
    new: Any


class DuplicatePhone(Conflict):
    """A phone of the new customer already belongs to `existing`; `changes`: what updating
    that customer with the draft would change (`add_customer` only)."""

    def __init__(
        self, existing: CustomerRef, message: str | None = None,
        changes: tuple[FieldChange, ...] = (),
    ) -> None:  # fmt: skip
        super().__init__(
            message
            or msg("{phone} already belongs to {name} ({code}): skip, update that customer, "
                   "or create a new one anyway.", phone=existing.phone or "",
                   name=existing.name, code=existing.code)
        )  # fmt: skip
        self.existing = existing
        self.changes = changes


@dataclass(frozen=True)
class DuplicateMember:
    id: int
    code: str
    name: str
    phones: tuple[str, ...]
    province: str | None
    total_orders: int
    total_expenses: int
    created_at: datetime
    last_order_at: datetime | None
    #: What they owe for sales on account (the Customers list's Owes; < 0: the shop owes).
    owed: int
    #: Street and ward (or district) of the default, else newest, address: "12 Lê Lợi, Bến
    #: Thành" (the province is `province`); "" when none. Tells two namesakes apart.
    address: str = ""


@dataclass(frozen=True)
class DuplicateGroup:
    """Customers that are likely one person: `reason` "phone" (key = the phone) or
    "name_province" (key = "name key · folded province", `_name_key`)."""

    reason: Literal["phone", "name_province"]
    key: str
    members: tuple[DuplicateMember, ...]

    @property
    def ids(self) -> list[int]:
        return [m.id for m in self.members]


# --------------------------------------------------------------------------- rules


def is_masked_name(name: str | None) -> bool:
    """Whether a marketplace masked or abbreviated the name (`H**uj`)."""
    # Each mask character looked for in the name (C speed), not each character of the name
    # among the masks: an import asks it of every order's buyer.
    return bool(name) and any(mask in (name or "") for mask in MASK_CHARS)


def real_phone(raw: str | None) -> str | None:
    """The normalised phone customers are matched by; None for empty, masked or invalid."""
    if not raw or is_masked_phone(raw):
        return None
    return normalize_phone(raw)


def customer_search_text(
    name: str, code: str, email: str | None, phones: Iterable[str | None]
) -> str:
    """The folded search text of a customer: name, code, email and every phone form."""
    return search_text(name, code, email, phones=phones)


def order_fills(
    current_name: str, has_phone: bool, name: str | None, phone: str | None
) -> tuple[str | None, str | None]:
    """What an order's buyer data changes on the customer it resolved to:
    (new name or None, phone to add or None). A real name replaces only a masked one;
    a real phone is added only when the customer has none (the caller checks that no
    other live customer has it). Shared by `resolve_customer` and the order import."""
    new_name = None
    clean = clean_line(name)[:MAX_NAME]
    if clean and not is_masked_name(clean) and is_masked_name(current_name):
        new_name = clean
    add_phone = real_phone(phone) if not has_phone else None
    return new_name, add_phone


def clean_name(name: str | None) -> str:
    """The name on one line, without control or invisible characters (`clean_line`)."""
    name = clean_line(name)
    if not name:
        raise ValidationError(msg("Enter the customer's name."), field="name")
    if len(name) > MAX_NAME:
        raise ValidationError(
            msg("The name is longer than {limit} characters.", limit=MAX_NAME), field="name"
        )
    return name


def clean_phones(phones: Sequence[str | None]) -> list[str]:
    """Normalised, without repeats, in the order given; a bad or masked one is refused."""
    out: list[str] = []
    for raw in phones:
        if raw is None or not raw.strip():
            continue
        if is_masked_phone(raw):
            raise ValidationError(
                msg("{phone} is masked: enter the full phone number.", phone=raw.strip()),
                field="phones",
            )
        norm = normalize_phone(raw)
        if norm is None:
            raise ValidationError(
                msg("{phone} is not a valid phone number.", phone=raw.strip()), field="phones"
            )
        if norm not in out:
            out.append(norm)
    return out


def _optional(text: str | None, limit: int, what: str, fld: str) -> str | None:
    text = clean_line(text)
    if len(text) > limit:
        raise ValidationError(
            msg("The {what} is longer than {limit} characters.", what=str(what), limit=str(limit)),
            field=fld,
        )
    return text or None


def _shop_today(clock: Clock) -> date:
    """Today in the shop's time zone."""
    return to_local(clock.now(), shop_tz()).date()


def clean_draft(draft: CustomerDraft, today: date | None = None) -> CustomerDraft:
    """The draft with its text trimmed and phones normalised; ValidationError naming the
    field when a value cannot be saved. A birthday after `today` (the shop's, by the wall
    clock when not given) is refused, as the customer import does: an export read back
    must not lose it."""
    email = _optional(draft.email, MAX_EMAIL, "email", "email")
    if email is not None and not is_email(email):
        raise ValidationError(msg("{email} is not an email address.", email=email), field="email")
    if draft.birthday is not None and draft.birthday.year < 1900:
        raise ValidationError(msg("The birthday is before 1900."), field="birthday")
    today = today or _shop_today(SystemClock())
    if draft.birthday is not None and draft.birthday > today:
        raise ValidationError(msg("The birthday {day} is after today.", day=draft.birthday),
                              field="birthday")  # fmt: skip
    return replace(
        draft,
        name=clean_name(draft.name),
        phones=clean_phones(draft.phones),
        email=email,
        zalo_id=_optional(draft.zalo_id, MAX_SOCIAL, "Zalo id", "zalo_id"),
        facebook_id=_optional(draft.facebook_id, MAX_SOCIAL, "Facebook id", "facebook_id"),
        gender=Gender(draft.gender),
        source=_optional(draft.source, MAX_SOURCE, "source", "source"),
        note=clean_text(draft.note) or None,
    )


# --------------------------------------------------------------------------- look-ups


def _live() -> sa.ColumnElement[bool]:
    return customers_t.c.deleted_at.is_(None)


def phone_owners(conn: sa.Connection, phones: Iterable[str]) -> dict[str, CustomerRef]:
    """Normalised phone -> the live customer (lowest id) who has it."""
    wanted = sorted(set(phones))
    out: dict[str, CustomerRef] = {}
    c, p = customers_t.c, phones_t.c
    for start in range(0, len(wanted), _CHUNK):
        stmt = (
            sa.select(p.phone, c.id, c.code, c.name)
            .join(customers_t, c.id == p.customer_id)
            .where(p.phone.in_(wanted[start : start + _CHUNK]), _live())
            .order_by(p.phone, c.id)
        )
        for phone, cid, code, name in conn.execute(stmt):
            out.setdefault(phone, CustomerRef(cid, code, name, phone))
    return out


def find_phone_owner(ctx: ServiceContext, phone: str) -> CustomerRef | None:
    """The live customer who has this phone (any format), or None (also for a masked or
    invalid number)."""
    ctx.require(Module.CUSTOMERS)
    norm = real_phone(phone)
    if norm is None:
        return None
    with ctx.engine.connect() as conn:
        return phone_owners(conn, [norm]).get(norm)


def _phones_of(conn: sa.Connection, customer_id: int) -> list[str]:
    p = phones_t.c
    stmt = (
        sa.select(p.phone).where(p.customer_id == customer_id).order_by(p.is_primary.desc(), p.id)
    )
    return [str(x) for x in conn.scalars(stmt)]


def _reindex(conn: sa.Connection, customer_id: int, now: datetime) -> None:
    """Recompute the customer's search text from its row and phones."""
    c = customers_t.c
    row = conn.execute(sa.select(c.name, c.code, c.email).where(c.id == customer_id)).one()
    text = customer_search_text(row.name, row.code, row.email, _phones_of(conn, customer_id))
    conn.execute(
        customers_t.update().where(c.id == customer_id).values(search_text=text, updated_at=now)
    )


def reindex_customers(conn: sa.Connection, customer_ids: Iterable[int], now: datetime) -> None:
    """Recompute the search text of these customers (after a bulk change of names/phones).

    Set-based: per chunk of ids one read of the rows, one of their phones and one
    executemany UPDATE (an order import or sync fills hundreds of customers at once)."""
    ids = sorted(set(customer_ids))
    c, p = customers_t.c, phones_t.c
    update = (
        customers_t.update()
        .where(c.id == sa.bindparam("b_id"))
        .values(search_text=sa.bindparam("b_text"), updated_at=now)
    )
    for start in range(0, len(ids), _REINDEX_CHUNK):
        chunk = ids[start : start + _REINDEX_CHUNK]
        phones: dict[int, list[str]] = defaultdict(list)
        for cid, phone in conn.execute(
            sa.select(p.customer_id, p.phone)
            .where(p.customer_id.in_(chunk))
            .order_by(p.customer_id, p.is_primary.desc(), p.id)
        ):
            phones[cid].append(str(phone))
        rows = [
            {"b_id": cid, "b_text": customer_search_text(name, code, email, phones.get(cid, ()))}
            for cid, name, code, email in conn.execute(
                sa.select(c.id, c.name, c.code, c.email).where(c.id.in_(chunk))
            )
        ]
        if rows:
            conn.execute(update, rows)


def _add_phones(
    conn: sa.Connection, customer_id: int, phones: Sequence[str], now: datetime
) -> list[str]:
    """Add the phones the customer lacks (the first becomes primary when it has none)."""
    have = _phones_of(conn, customer_id)
    new = [p for p in phones if p not in have]
    if new:
        conn.execute(
            phones_t.insert(),
            [
                {"customer_id": customer_id, "phone": p, "is_primary": not have and i == 0,
                 "created_at": now}
                for i, p in enumerate(new)
            ],
        )  # fmt: skip
    return new


def _insert_customer(conn: sa.Connection, values: dict[str, Any], now: datetime) -> int:
    """Insert a customer row (code from its id) and return the id."""
    temp = f"~{now.timestamp():.6f}"  # fits code's 20 characters (PostgreSQL checks)
    row = {
        "code": temp, "gender": Gender.UNKNOWN, "level_pinned": False, "rank": Rank.COPPER,
        "rank_pinned": False, "points_balance": 0, "points_earned": 0, "total_orders": 0,
        "successful_orders": 0, "cancelled_orders": 0, "returned_orders": 0,
        "total_expenses": 0, "channels": "", "search_text": "", "created_at": now,
        "updated_at": now, **values,
    }  # fmt: skip
    key = conn.execute(customers_t.insert().values(**row)).inserted_primary_key
    assert key is not None
    cid = int(key[0])
    conn.execute(
        customers_t.update().where(customers_t.c.id == cid).values(code=customer_code(cid))
    )
    return cid


# --------------------------------------------------------------------------- orders


def _live_customer(conn: sa.Connection, cid: int) -> int | None:
    """Follow merged_into_id to the live customer; None when it ends on a deleted one."""
    c = customers_t.c
    for _ in range(20):
        row = conn.execute(sa.select(c.merged_into_id, c.deleted_at).where(c.id == cid)).first()
        if row is None:
            return None
        if row.deleted_at is None:
            return cid
        if row.merged_into_id is None:
            return None
        cid = int(row.merged_into_id)
    return None


def resolve_customer(
    conn: sa.Connection,
    *,
    channel: Channel,
    buyer_id: str | None,
    phone: str | None,
    name: str | None,
    now: datetime,
    actor_id: int | None = None,
    shop_id: int | None = None,
) -> int | None:
    """The customer of an order by the identity rules (module docstring): (channel, buyer
    id), then real normalised phone, else a new customer. Fills a masked name / a missing
    phone of the customer found. Returns None only when the order has no buyer data at all
    (no name, no real phone, no buyer id). `actor_id` is accepted for the callers' audit
    rows; this function writes none (it runs inside their unit of work)."""
    del actor_id
    channel = Channel(channel)
    buyer_id = (buyer_id or "").strip() or None
    norm = real_phone(phone)
    ic = identities_t.c
    cid: int | None = None
    identity_taken = False
    if buyer_id:
        row = conn.execute(
            sa.select(ic.customer_id).where(ic.channel == channel, ic.buyer_id == buyer_id)
        ).first()
        if row is not None:
            identity_taken = True
            cid = _live_customer(conn, int(row[0]))
    if cid is None and norm:
        owner = phone_owners(conn, [norm]).get(norm)
        cid = owner.id if owner else None
    clean = clean_line(name)[:MAX_NAME]
    if cid is None:
        label = clean or norm or buyer_id
        if not label:
            return None
        cid = _insert_customer(conn, {"name": label, "source": channel.value}, now)
        if norm:
            _add_phones(conn, cid, [norm], now)
        _reindex(conn, cid, now)
    else:
        c = customers_t.c
        current = conn.execute(sa.select(c.name).where(c.id == cid)).scalar_one()
        new_name, add_phone = order_fills(current, bool(_phones_of(conn, cid)), clean, norm)
        changed = False
        if new_name:
            conn.execute(customers_t.update().where(c.id == cid).values(name=new_name))
            changed = True
        if add_phone and add_phone not in phone_owners(conn, [add_phone]):
            _add_phones(conn, cid, [add_phone], now)
            changed = True
        if changed:
            _reindex(conn, cid, now)
    if buyer_id and not identity_taken:
        conn.execute(
            identities_t.insert().values(
                customer_id=cid, channel=channel, shop_id=shop_id, buyer_id=buyer_id
            )
        )
    return cid


# --------------------------------------------------------------------------- by hand


def insert_customer(conn: sa.Connection, draft: CustomerDraft, now: datetime) -> int:
    """Write a new customer from a cleaned draft (`clean_draft`): the row, its code, its
    phones (the first primary) and its search text. No checks, no audit row: the callers'
    unit of work does those (`add_customer`, the counter's quick create)."""
    cid = _insert_customer(conn, _draft_values(draft), now)
    _add_phones(conn, cid, draft.phones, now)
    _reindex(conn, cid, now)
    return cid


def _check_refs(conn: sa.Connection, draft: CustomerDraft, customer_id: int | None) -> None:
    c = customers_t.c
    if draft.referrer_id is not None:
        if draft.referrer_id == customer_id:
            raise ValidationError(msg("A customer cannot refer themselves."), field="referrer_id")
        found = conn.execute(sa.select(c.id).where(c.id == draft.referrer_id, _live())).first()
        if found is None:
            raise NotFound(msg("The referrer no longer exists."))
    if draft.assigned_user_id is not None:
        found = conn.execute(
            sa.select(users_t.c.id).where(users_t.c.id == draft.assigned_user_id)
        ).first()
        if found is None:
            raise NotFound(msg("The assigned staff member no longer exists."))


def _draft_values(draft: CustomerDraft) -> dict[str, Any]:
    return {
        "name": draft.name, "email": draft.email, "zalo_id": draft.zalo_id,
        "facebook_id": draft.facebook_id, "gender": draft.gender, "birthday": draft.birthday,
        "source": draft.source, "referrer_id": draft.referrer_id,
        "assigned_user_id": draft.assigned_user_id, "note": draft.note,
    }  # fmt: skip


def _filled(draft: CustomerDraft) -> dict[str, Any]:
    """The values of the draft that say something (the update policy never blanks out)."""
    values = {k: v for k, v in _draft_values(draft).items() if v is not None}
    if values.get("gender") == Gender.UNKNOWN:
        del values["gender"]
    return values


def _ref(conn: sa.Connection, cid: int) -> CustomerRef:
    c = customers_t.c
    row = conn.execute(sa.select(c.code, c.name).where(c.id == cid)).one()
    phones = _phones_of(conn, cid)
    return CustomerRef(cid, row.code, row.name, phones[0] if phones else None)


def add_customer(
    ctx: ServiceContext, draft: CustomerDraft, *, on_duplicate: DuplicatePolicy | None = None,
    replace_name: bool = False,
) -> AddResult:  # fmt: skip
    """Add a customer by hand. When one of its phones already belongs to a live customer:
    `on_duplicate` None raises DuplicatePhone (naming that customer and what an update
    would change); SKIP changes nothing; UPDATE updates that customer (given values
    replace, empty ones keep, new phones are added; phones of yet other customers are left
    to them; the stored name stays unless `replace_name`, or it is a masked one); CREATE
    creates anyway."""
    ctx.require(Module.CUSTOMERS)
    draft = clean_draft(draft, _shop_today(ctx.clock))
    now = ctx.clock.now()
    # The writer lock before the phones are looked up: two PCs adding the same new phone
    # at once would both find it free.
    with ctx.uow(write=True) as session:
        conn = session.connection()
        _check_refs(conn, draft, None)
        owners = phone_owners(conn, draft.phones)
        owner = next((owners[p] for p in draft.phones if p in owners), None)
        if owner is not None and on_duplicate != DuplicatePolicy.CREATE:
            if on_duplicate is None:
                changes = _update_changes(conn, owner.id, draft, owners)
                raise DuplicatePhone(owner, changes=changes)
            if on_duplicate == DuplicatePolicy.SKIP:
                return AddResult(owner.id, "skipped")
            # The draft now stands for the phone's owner: it may not name them as referrer.
            _check_refs(conn, draft, owner.id)
            _update_existing(ctx, session, owner.id, draft, owners, now,
                             replace_name=replace_name)  # fmt: skip
            return AddResult(owner.id, "updated")
        cid = insert_customer(conn, draft, now)
        code = customer_code(cid)
        ctx.audit(session, "customer.create", entity_type="customer", entity_id=cid,
                  summary=f"{code}: {draft.name}",
                  after={**_draft_values(draft), "phones": draft.phones,
                         "duplicate_of": owner.id if owner else None})  # fmt: skip
        return AddResult(cid, "created")


def _snapshot(conn: sa.Connection, cid: int) -> dict[str, Any]:
    c = customers_t.c
    cols = [c[k] for k in _draft_values(CustomerDraft(name=""))]
    row = conn.execute(sa.select(*cols).where(c.id == cid)).one()
    return {**row._asdict(), "phones": _phones_of(conn, cid)}


def _update_values(draft: CustomerDraft, stored_name: str, *, replace_name: bool) -> dict[str, Any]:
    """The columns "update the existing customer" writes: the draft's filled values; the
    name only when asked (`replace_name`) or the stored one is masked, and never a masked
    one over a real one."""
    values = _filled(draft)
    keep = not (replace_name or is_masked_name(stored_name))
    if keep or (is_masked_name(draft.name) and not is_masked_name(stored_name)):
        values.pop("name", None)
    return values


def _update_changes(
    conn: sa.Connection, cid: int, draft: CustomerDraft, owners: dict[str, CustomerRef]
) -> tuple[FieldChange, ...]:
    """What updating customer `cid` with `draft` would change, the name (kept unless the
    user asks) first; the phones as they would be after."""
    before = _snapshot(conn, cid)
    values = _update_values(draft, before["name"], replace_name=True)

    def shown(key: str, value: Any) -> Any:  # a referrer by code, a staff member by name
        if value is None or key not in ("referrer_id", "assigned_user_id"):
            return value
        column, key_column = ((customers_t.c.code, customers_t.c.id) if key == "referrer_id"
                              else (users_t.c.name, users_t.c.id))  # fmt: skip
        return conn.execute(sa.select(column).where(key_column == value)).scalar_one_or_none()

    changes = [FieldChange(k, shown(k, before[k]), shown(k, v))
               for k, v in values.items() if v != before[k]]  # fmt: skip
    added = [p for p in _mine(draft.phones, owners, cid) if p not in before["phones"]]
    if added:
        changes.append(FieldChange("phones", before["phones"], [*before["phones"], *added]))
    return tuple(changes)


def _mine(phones: Sequence[str], owners: dict[str, CustomerRef], cid: int) -> list[str]:
    """The phones that go to customer `cid`: not those of yet other customers."""
    return [p for p in phones if p not in owners or owners[p].id == cid]


def _update_existing(
    ctx: ServiceContext,
    session: Session,
    cid: int,
    draft: CustomerDraft,
    owners: dict[str, CustomerRef],
    now: datetime,
    *,
    replace_name: bool = False,
) -> None:
    conn = session.connection()
    before = _snapshot(conn, cid)
    values = _update_values(draft, before["name"], replace_name=replace_name)
    if values:
        conn.execute(customers_t.update().where(customers_t.c.id == cid).values(**values))
    _add_phones(conn, cid, _mine(draft.phones, owners, cid), now)
    _reindex(conn, cid, now)
    after = _snapshot(conn, cid)
    ctx.audit(session, "customer.update", entity_type="customer", entity_id=cid,
              summary=msg("{customer}: {name} (added again: updated)", customer=customer_code(cid),
                          name=after["name"]),
              before=before, after=after)  # fmt: skip


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """A customer's `_snapshot` as a form shows it (no text and an empty one alike)."""
    return {k: (v or None) if isinstance(v, str) else v for k, v in values.items()}


def update_customer(
    ctx: ServiceContext,
    customer_id: int,
    draft: CustomerDraft,
    *,
    allow_shared_phones: bool = False,
    seen: CustomerDraft | None = None,
) -> None:
    """Save the edited customer: every field as in the draft (an empty one clears it) and
    exactly the draft's phones (the first is primary). A phone added here that another live
    customer has raises DuplicatePhone unless `allow_shared_phones` (one it already had
    stays, shared or not). `seen`: the customer as the form
    showed it when opened (stored values, not cleaned); a customer stored otherwise now
    (changed on another PC or in another window) is refused with a Conflict, since saving
    the whole form would undo that change."""
    ctx.require(Module.CUSTOMERS)
    draft = clean_draft(draft, _shop_today(ctx.clock))
    now = ctx.clock.now()
    # The writer lock before reading: the phone check and `seen` see what another PC saved.
    with ctx.uow(write=True) as session:
        conn = session.connection()
        c = customers_t.c
        found = conn.execute(sa.select(c.id).where(c.id == customer_id, _live())).first()
        if found is None:
            raise NotFound(msg("This customer no longer exists."))
        before = _snapshot(conn, customer_id)
        if seen is not None and _shown(before) != _shown(
            {**_draft_values(seen), "phones": list(seen.phones)}
        ):
            raise Conflict(
                msg(
                    "This customer was changed on another computer (or window) "
                    "since you opened it: close and open it again."
                )
            )
        _check_refs(conn, draft, customer_id)
        if not allow_shared_phones:
            # Only a phone this edit adds is checked: one the customer already shares
            # (added with "Create anyway", or imported so) must not block every later edit.
            added = [ph for ph in draft.phones if ph not in before["phones"]]
            for phone, ref in phone_owners(conn, added).items():
                if ref.id != customer_id:
                    raise DuplicatePhone(replace(ref, phone=phone))
        conn.execute(customers_t.update().where(c.id == customer_id).values(**_draft_values(draft)))
        p = phones_t.c
        conn.execute(
            phones_t.delete().where(p.customer_id == customer_id, p.phone.not_in(draft.phones))
        )
        conn.execute(phones_t.update().where(p.customer_id == customer_id).values(is_primary=False))
        _add_phones(conn, customer_id, draft.phones, now)
        if draft.phones:
            conn.execute(
                phones_t.update()
                .where(p.customer_id == customer_id, p.phone == draft.phones[0])
                .values(is_primary=True)
            )
        _reindex(conn, customer_id, now)
        after = _snapshot(conn, customer_id)
        ctx.audit(session, "customer.update", entity_type="customer", entity_id=customer_id,
                  summary=f"{customer_code(customer_id)}: {draft.name}",
                  before=before, after=after)  # fmt: skip


# --------------------------------------------------------------------------- duplicates


def _members(conn: sa.Connection, ids: Sequence[int]) -> dict[int, DuplicateMember]:
    c, a = customers_t.c, addresses_t.c
    province = (
        sa.select(a.province)
        .where(a.customer_id == c.id)
        .order_by(a.is_default.desc(), a.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    out: dict[int, DuplicateMember] = {}
    phones: dict[int, list[str]] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        p = phones_t.c
        stmt = (
            sa.select(p.customer_id, p.phone)
            .where(p.customer_id.in_(chunk))
            .order_by(p.is_primary.desc(), p.id)
        )
        for cid, phone in conn.execute(stmt):
            phones.setdefault(cid, []).append(phone)
        places: dict[int, str] = {}
        stmt3 = (
            sa.select(a.customer_id, a.street, a.ward, a.district)
            .where(a.customer_id.in_(chunk))
            .order_by(a.customer_id, a.is_default.desc(), a.id.desc())
        )
        for cid, street, ward, district in conn.execute(stmt3):
            places.setdefault(cid, ", ".join(x for x in (street, ward or district) if x))
        stmt2 = sa.select(
            c.id, c.code, c.name, province, c.total_orders, c.total_expenses, c.created_at,
            c.last_order_at, OWED,
        ).where(c.id.in_(chunk))  # fmt: skip
        for cid, code, name, prov, n, spent, created, last, owed in conn.execute(stmt2):
            out[cid] = DuplicateMember(cid, code, name, tuple(phones.get(cid, ())), prov,
                                       n, spent, created, last, int(owed),
                                       places.get(cid, ""))  # fmt: skip
    return out


def _same_names(folded: str, spellings: dict[str, list[int]]) -> Iterator[tuple[str, list[int]]]:
    """The groups of one folded name and province: one per accented spelling (Hưng and
    Hùng are two people), and a name typed without accents (a marketplace's "do thi ha")
    joins each of them, as it could be any."""
    province = folded.rsplit(" · ", 1)[1]
    bare = [cid for spelled, ids in spellings.items() if fold(spelled) == spelled for cid in ids]
    accented = sorted((s, ids) for s, ids in spellings.items() if fold(s) != s)
    if not accented and len(bare) > 1:
        yield folded, bare
    for spelled, ids in accented:
        if len(ids) + len(bare) > 1:
            yield f"{spelled} · {province}", sorted(ids + bare)


def _name_key(name: str) -> str:
    """A name as Find duplicates compares it: any case and spacing, the accents kept (Lê
    Anh Hưng and Lê Anh Hùng are two people; folded, both read "le anh hung"). Composed
    first: a name pasted with separate accent marks is the same name."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def find_duplicates(ctx: ServiceContext, limit: int = 200) -> list[DuplicateGroup]:
    """Groups of live customers that are likely one person: the same normalised phone,
    then the same name (`_name_key`: any case, its accents kept) and folded province (of
    the default, else newest, address). At most `limit` groups; a set of customers is
    listed once. Members oldest first. A group whose every pair was said not to be
    duplicates (`mark_not_duplicates`) is left out."""
    ctx.require(Module.CUSTOMERS)
    groups: list[tuple[Literal["phone", "name_province"], str, list[int]]] = []
    seen: set[tuple[int, ...]] = set()
    apart: set[tuple[int, int]] = set()

    def add(reason: Literal["phone", "name_province"], key: str, ids: Iterable[int]) -> None:
        members = tuple(sorted(set(ids)))
        if len(members) > 1 and members not in seen and len(groups) < limit:
            seen.add(members)
            if not apart.issuperset(combinations(members, 2)):
                groups.append((reason, key, list(members)))

    c, p, a = customers_t.c, phones_t.c, addresses_t.c
    with ctx.engine.connect() as conn:
        apart.update(_not_duplicate_pairs(conn))
        stmt = (
            sa.select(p.phone, sa.func.group_concat(sa.distinct(p.customer_id)))
            .join(customers_t, c.id == p.customer_id)
            .where(_live())
            .group_by(p.phone)
            .having(sa.func.count(sa.distinct(p.customer_id)) > 1)
            .order_by(p.phone)
            .limit(limit)
        )
        if conn.dialect.name != "sqlite":
            stmt = stmt.with_only_columns(
                p.phone, sa.func.string_agg(sa.distinct(sa.cast(p.customer_id, sa.String)), ",")
            )
        for phone, ids in conn.execute(stmt):
            add("phone", str(phone), (int(x) for x in str(ids).split(",")))
        if len(groups) < limit:
            # The province of each customer's default (else newest) address, in Python:
            # provinces fold in the app (đ→d), not in SQL. One pass over the customers
            # that have an address.
            newest = (
                sa.select(
                    a.customer_id, a.province,
                    sa.func.row_number().over(
                        partition_by=a.customer_id, order_by=(a.is_default.desc(), a.id.desc())
                    ).label("n"),
                )
                .where(a.province.is_not(None))
                .subquery()
            )  # fmt: skip
            stmt2 = (
                sa.select(c.id, c.name, newest.c.province)
                .join(newest, newest.c.customer_id == c.id)
                .where(newest.c.n == 1, _live())
            )
            # Folded name and province → each spelling of the name → its customers.
            by_fold: dict[str, dict[str, list[int]]] = {}
            for cid, name, province in conn.execute(stmt2):
                spellings = by_fold.setdefault(f"{fold(name)} · {fold(province)}", {})
                spellings.setdefault(_name_key(name), []).append(cid)
            for folded in sorted(by_fold):
                for key, ids in _same_names(folded, by_fold[folded]):
                    add("name_province", key, ids)
        all_ids = sorted({i for _, _, ids in groups for i in ids})
        members = _members(conn, all_ids)
    return [
        DuplicateGroup(reason, key, tuple(members[i] for i in ids if i in members))
        for reason, key, ids in groups
    ]


def _not_duplicate_pairs(conn: sa.Connection) -> set[tuple[int, int]]:
    """Every pair said not to be duplicates, lower id first (a shop has a handful)."""
    n = not_duplicates_t.c
    return {(int(a), int(b)) for a, b in conn.execute(sa.select(n.customer_id, n.other_id))}


def _require_live(conn: sa.Connection, ids: Sequence[int]) -> None:
    """NotFound naming every one of these customers deleted or merged already (another PC
    may have merged them since the list was shown)."""
    c = customers_t.c
    live = {int(i) for i in conn.scalars(sa.select(c.id).where(c.id.in_(ids), _live()))}
    missing = [i for i in ids if i not in live]
    if missing:
        raise NotFound(
            msg(
                "These customers no longer exist or were already merged: {customers}",
                customers=[customer_code(i) for i in missing],
            )
        )


def mark_not_duplicates(ctx: ServiceContext, customer_ids: Sequence[int]) -> int:
    """Record that these customers are different people (each pair of them: a husband and
    wife sharing a phone), so Find duplicates no longer offers them together, whatever they
    share now or later. Returns how many pairs were new. Like
    merging, only the owner or a manager decides it (it hides a group from everyone)."""
    ctx.require(Module.CUSTOMERS)
    ctx.require_manager()
    ids = sorted(set(customer_ids))
    if len(ids) < 2:
        raise ValidationError(msg("Pick at least two customers."), field="customer_ids")
    now = ctx.clock.now()
    with ctx.uow(write=True) as session:
        conn = session.connection()
        _require_live(conn, ids)
        new = sorted(set(combinations(ids, 2)) - _not_duplicate_pairs(conn))
        if new:
            conn.execute(not_duplicates_t.insert(), [
                {"customer_id": a, "other_id": b, "user_id": ctx.actor.id, "created_at": now}
                for a, b in new
            ])  # fmt: skip
        codes = [customer_code(i) for i in ids]
        ctx.audit(session, "customer.not_duplicates", entity_type="customer", entity_id=ids[0],
                  summary=msg("{customers}: not duplicates", customers=codes),
                  after={"customers": codes, "new_pairs": len(new)})  # fmt: skip
    return len(new)


# --------------------------------------------------------------------------- merge


@dataclass(frozen=True)
class MergeReport:
    survivor_id: int
    merged_ids: tuple[int, ...]
    moved: dict[str, int]


def _fill_survivor(conn: sa.Connection, survivor: int, others: Sequence[int]) -> dict[str, Any]:
    """Empty fields of the survivor take the first others' value (oldest other first);
    notes are joined; points add up. Returns the changed values."""
    c = customers_t.c
    fill = ("email", "zalo_id", "facebook_id", "birthday", "source", "referrer_id",
            "assigned_user_id", "avatar_path", "level_id")  # fmt: skip
    cols = [c.id, c.name, c.gender, c.note, c.points_balance, c.points_earned,
            *(c[k] for k in fill)]  # fmt: skip
    rows = {r.id: r._asdict() for r in conn.execute(sa.select(*cols).where(
        c.id.in_([survivor, *others])))}  # fmt: skip
    me = rows[survivor]
    values: dict[str, Any] = {}
    for oid in others:
        other = rows[oid]
        for k in fill:
            if me[k] is None and values.get(k) is None and other[k] is not None:
                if k == "referrer_id" and other[k] in (survivor, *others):
                    continue
                values[k] = other[k]
        if me["gender"] == Gender.UNKNOWN and "gender" not in values:
            if other["gender"] != Gender.UNKNOWN:
                values["gender"] = other["gender"]
        if is_masked_name(me["name"]) and "name" not in values:
            if not is_masked_name(other["name"]):
                values["name"] = other["name"]
    # Every note is kept (the survivor's first), each once: an empty note on the survivor
    # takes the others'.
    notes = list(dict.fromkeys(rows[i]["note"] for i in (survivor, *others) if rows[i]["note"]))
    if notes != ([me["note"]] if me["note"] else []):
        values["note"] = "\n\n".join(notes)
    values["points_balance"] = sum(rows[i]["points_balance"] for i in (survivor, *others))
    values["points_earned"] = sum(rows[i]["points_earned"] for i in (survivor, *others))
    if me["referrer_id"] in (survivor, *others):  # was referred by one of the merged
        values["referrer_id"] = None
    return values


#: What a merge's audit summary says moved, by `MergeReport.moved` key.
_MOVED_TEXTS: dict[str, Callable[[int], Message]] = {
    "orders": lambda n: msg("{count} orders", count=n),
    "points_entries": lambda n: msg("{count} points entries", count=n),
    "payments": lambda n: msg("{count} payments", count=n),
    "adjustments": lambda n: msg("{count} balance adjustments", count=n),
    "identities": lambda n: msg("{count} identities", count=n),
    "referred_customers": lambda n: msg("{count} referred customers", count=n),
    "tags": lambda n: msg("{count} tags", count=n),
    "segments": lambda n: msg("{count} segments", count=n),
    "phones": lambda n: msg("{count} phones", count=n),
    "addresses": lambda n: msg("{count} addresses", count=n),
    "addresses_dropped": lambda n: msg("{count} addresses dropped", count=n),
}


def _merge_summary(merged: list[str], survivor: str, moved: dict[str, int]) -> Message:
    """The merge's audit summary: who merged into whom, and what moved."""
    texts = [_MOVED_TEXTS[k](n) for k, n in moved.items() if n]
    if not texts:
        return msg("{customers} merged into {customer}", customers=merged, customer=survivor)
    return msg("{customers} merged into {customer}: {moved}", customers=merged,
               customer=survivor, moved=texts)  # fmt: skip


def _move_voucher_uses(conn: sa.Connection, others: Sequence[int], survivor_id: int) -> None:
    """The others' voucher uses go with their orders: a use names its order's customer,
    and the per-customer limit counts by it. Keyed by order alone, a moved use never
    collides with the survivor's; the audit counts them with the orders (no line of
    their own)."""
    conn.execute(
        voucher_uses_t.update().where(voucher_uses_t.c.customer_id.in_(others))
        .values(customer_id=survivor_id)
    )  # fmt: skip


def _restate_points(conn: sa.Connection, customer_id: int, balance: int) -> None:
    """The balance after each entry of a ledger the merged customers' entries joined, in
    the order the ledger shows them (time, then id), ending at the customer's `balance`:
    moved entries kept their own customer's running balance (…419, +59 → 59, −19 → 459)."""
    p = points_t.c
    rows = conn.execute(
        sa.select(p.id, p.delta, p.balance_after)
        .where(p.customer_id == customer_id)
        .order_by(p.created_at, p.id)
    ).all()
    running = balance - sum(delta for _id, delta, _after in rows)
    changed = []
    for entry_id, delta, after in rows:
        running += delta
        if running != after:
            changed.append({"b_id": entry_id, "b_after": running})
    if changed:
        conn.execute(
            points_t.update()
            .where(p.id == sa.bindparam("b_id"))
            .values(balance_after=sa.bindparam("b_after")),
            changed,
        )


def merge_customers(ctx: ServiceContext, survivor_id: int, other_ids: Sequence[int]) -> MergeReport:
    """Merge `other_ids` into `survivor_id` in one unit of work (module docstring): every
    order (with its voucher use), points ledger row (`_restate_points`), tag, segment
    membership, identity, phone, address and referred customer moves; the others are marked
    merged (`merged_into_id`, `deleted_at`); statistics and search text are recomputed; one
    audit row lists what moved and keeps the others' details and any dropped address.
    Only the owner or a manager merges: like deleting, it hides customers for good (it
    cannot be undone)."""
    ctx.require(Module.CUSTOMERS)
    ctx.require_manager()
    others = sorted(set(other_ids) - {survivor_id})
    if not others:
        raise ValidationError(msg("Pick at least one other customer to merge."), field="other_ids")
    now = ctx.clock.now()
    # The writer lock: two PCs merging the same customers (A into B, B into A) would each
    # find them all live.
    with ctx.uow(write=True) as session:
        conn = session.connection()
        c = customers_t.c
        everyone = [survivor_id, *others]
        _require_live(conn, everyone)
        before = {customer_code(i): _snapshot(conn, i) for i in others}
        moved: dict[str, int] = {}

        def move(name: str, table: sa.Table, column: str = "customer_id") -> None:
            col = table.c[column]
            result = conn.execute(
                table.update().where(col.in_(others)).values({column: survivor_id})
            )
            moved[name] = int(result.rowcount or 0)

        moved_orders = list(
            conn.scalars(sa.select(orders_t.c.id).where(orders_t.c.customer_id.in_(others)))
        )
        move("orders", orders_t)
        _move_voucher_uses(conn, others, survivor_id)
        move("points_entries", points_t)
        # Rank history stays with the others: the survivor keeps its rank, and their
        # changes (Copper → Gold while the survivor went to Silver) would contradict it.
        move("payments", table_of(CustomerPayment))
        move("adjustments", table_of(CustomerAdjustment))
        move("identities", identities_t)
        # Whom the others referred now names the survivor (the audit counts only those);
        # the survivor's own link to one of them goes: nobody refers themselves.
        referred = conn.execute(
            customers_t.update()
            .where(c.referrer_id.in_(others), c.id.not_in([survivor_id, *others]))
            .values(referrer_id=survivor_id)
        )  # fmt: skip
        moved["referred_customers"] = int(referred.rowcount or 0)
        conn.execute(
            customers_t.update().where(c.id == survivor_id, c.referrer_id.in_(others))
            .values(referrer_id=None)
        )  # fmt: skip
        # Chains: customers merged earlier into one of the others now point at the survivor.
        conn.execute(
            customers_t.update().where(c.merged_into_id.in_(others))
            .values(merged_into_id=survivor_id)
        )  # fmt: skip
        # Keyed link tables: the survivor's row stays, the others' join it when missing.
        for name, table, key in (("tags", customer_tags_t, "tag_id"),
                                 ("segments", members_t, "segment_id")):  # fmt: skip
            have = set(conn.scalars(
                sa.select(table.c[key]).where(table.c.customer_id == survivor_id)))  # fmt: skip
            theirs = list(conn.execute(sa.select(table).where(table.c.customer_id.in_(others))))
            new = {}
            for row in theirs:
                d = row._asdict()
                if d[key] not in have and d[key] not in new:
                    new[d[key]] = {**d, "customer_id": survivor_id}
            conn.execute(table.delete().where(table.c.customer_id.in_(others)))
            if new:
                conn.execute(table.insert(), list(new.values()))
            moved[name] = len(new)
        # Phones: the ones the survivor lacks move; repeats go (the number stays on it).
        p = phones_t.c
        have_phones = set(_phones_of(conn, survivor_id))
        moved_phones = 0
        for pid, phone in conn.execute(
            sa.select(p.id, p.phone).where(p.customer_id.in_(others)).order_by(p.id)
        ).all():
            if phone in have_phones:
                conn.execute(phones_t.delete().where(p.id == pid))
            else:
                have_phones.add(phone)
                moved_phones += 1
                conn.execute(
                    phones_t.update().where(p.id == pid)
                    .values(customer_id=survivor_id, is_primary=False)
                )  # fmt: skip
        moved["phones"] = moved_phones
        if not conn.execute(
            sa.select(p.id).where(p.customer_id == survivor_id, p.is_primary.is_(True))
        ).first():
            first = conn.execute(
                sa.select(p.id).where(p.customer_id == survivor_id).order_by(p.id).limit(1)
            ).scalar()
            if first is not None:
                conn.execute(phones_t.update().where(p.id == first).values(is_primary=True))
        # Addresses: all move, the newest MAX_ADDRESSES stay (the survivor's default stays
        # default; the dropped ones are kept in the audit row).
        a = addresses_t.c
        has_default = conn.execute(
            sa.select(a.id).where(a.customer_id == survivor_id, a.is_default.is_(True))
        ).first()
        if has_default is not None:  # the survivor's default address stays the default
            conn.execute(
                addresses_t.update().where(a.customer_id.in_(others)).values(is_default=False)
            )
        move("addresses", addresses_t)
        addr_rows = [r._asdict() for r in conn.execute(
            sa.select(addresses_t).where(a.customer_id == survivor_id)
            .order_by(a.created_at.desc(), a.id.desc())
        )]  # fmt: skip
        kept, dropped = addr_rows[:MAX_ADDRESSES], addr_rows[MAX_ADDRESSES:]
        if dropped:
            conn.execute(addresses_t.delete().where(a.id.in_([d["id"] for d in dropped])))
        defaults = [r["id"] for r in kept if r["is_default"]]
        if len(defaults) > 1:  # several others had one: the newest stays default
            conn.execute(
                addresses_t.update().where(a.id.in_(defaults[1:])).values(is_default=False)
            )
        elif not defaults and any(d["is_default"] for d in dropped) and kept:
            conn.execute(addresses_t.update().where(a.id == kept[0]["id"]).values(is_default=True))
        moved["addresses_dropped"] = len(dropped)
        fills = _fill_survivor(conn, survivor_id, others)
        conn.execute(customers_t.update().where(c.id == survivor_id).values(**fills))
        _restate_points(conn, survivor_id, fills["points_balance"])
        conn.execute(
            customers_t.update().where(c.id.in_(others))
            .values(merged_into_id=survivor_id, deleted_at=now, updated_at=now,
                    points_balance=0, points_earned=0)
        )  # fmt: skip
        refresh_customer_stats(conn, everyone, now=now)
        # Not orders_changed: it would also credit loyalty points to moved orders that
        # never earned any (orders from before loyalty); the dashboards' rows must follow.
        refresh_summaries(conn, moved_orders)
        _reindex(conn, survivor_id, now)
        code = customer_code(survivor_id)
        ctx.audit(
            session, "customer.merge", entity_type="customer", entity_id=survivor_id,
            summary=_merge_summary(list(before), code, moved),
            before={"merged": before, "dropped_addresses": dropped},
            after={"survivor": code, "merged_ids": others, "moved": moved},
        )  # fmt: skip
        return MergeReport(survivor_id, tuple(others), moved)
