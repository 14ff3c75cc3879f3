"""Vouchers: the owner's discount codes, their uses and what they gave.

A sale checks a code with `services.pricing.voucher_discount`. Uses are recorded by
`reconcile_voucher_uses` (from the order effects) for every order that carries a voucher,
whoever wrote it; a use whose order is cancelled no longer counts against the limits, and
`vouchers.used_count` is kept as the number of uses that count.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from primedist.core.clock import as_utc, shop_tz, to_local
from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.customer import Tag
from primedist.domain.enums import DiscountKind, Module, OrderStatus
from primedist.domain.loyalty import CustomerLevel, Voucher, VoucherLevel, VoucherTag, VoucherUse
from primedist.domain.order import Order
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.services.context import ServiceContext

orders = table_of(Order)
vouchers = table_of(Voucher)
uses = table_of(VoucherUse)

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")
MAX_MONEY = 10**12


@dataclass(frozen=True)
class VoucherDraft:
    code: str
    name: str = ""
    kind: DiscountKind = DiscountKind.AMOUNT
    #: Đồng for an amount, whole percent for a percentage.
    value: int = 0
    #: The most a percentage gives, in đồng (None = no cap).
    max_discount: int | None = None
    min_order_value: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = None
    per_customer_limit: int | None = None
    is_active: bool = True
    free_shipping: bool = False
    tag_ids: tuple[int, ...] = ()
    level_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class VoucherRow:
    id: int
    draft: VoucherDraft
    uses: int
    discount_given: int
    tags: tuple[str, ...] = field(default_factory=tuple)
    levels: tuple[str, ...] = field(default_factory=tuple)
    #: Orders that name it, cancelled ones too: with any, its code cannot change.
    orders: int = 0


def last_day(ends_at: datetime) -> date:
    """The last day a voucher is valid, in the shop's days: its end is stored as the
    midnight after that day (the editor's "Valid to (inclusive)")."""
    return to_local(as_utc(ends_at), shop_tz()).date() - timedelta(days=1)


def _counted_uses() -> sa.ColumnElement[bool]:
    """Uses whose order is not cancelled (joined on orders)."""
    return orders.c.status != OrderStatus.CANCELLED.value


def count_uses(session: Session, voucher_id: int, customer_id: int | None = None) -> int:
    """Uses that count against the limits, in total or of one customer."""
    u = uses.c
    stmt = (
        sa.select(sa.func.count())
        .select_from(uses.join(orders, orders.c.id == u.order_id))
        .where(u.voucher_id == voucher_id, _counted_uses())
    )
    if customer_id is not None:
        stmt = stmt.where(u.customer_id == customer_id)
    return int(session.connection().execute(stmt).scalar_one())


# --------------------------------------------------------------------------- reconcile


def reconcile_voucher_uses(conn: sa.Connection, order_ids: Collection[int]) -> None:
    """Record the use of every order here that carries a voucher, and recount the uses of
    those vouchers (a cancelled order's use stops counting)."""
    o, u = orders.c, uses.c
    touched: set[int] = set()
    if not order_ids or not _any_voucher(conn):
        return  # no order can carry one (orders.voucher_id references vouchers)
    for chunk in chunks(sorted(set(order_ids))):
        rows = conn.execute(
            sa.select(o.id, o.voucher_id, o.customer_id, o.voucher_discount, o.created_at)
            .where(o.id.in_(chunk), o.voucher_id.is_not(None))
        ).all()  # fmt: skip
        if not rows:
            continue
        known = set(conn.execute(sa.select(u.order_id).where(u.order_id.in_([r[0] for r in rows])))
                    .scalars())  # fmt: skip
        fresh = [{"order_id": r[0], "voucher_id": r[1], "customer_id": r[2], "discount": r[3],
                  "used_at": r[4]} for r in rows if r[0] not in known]  # fmt: skip
        if fresh:
            conn.execute(uses.insert(), fresh)
        touched.update(int(r[1]) for r in rows)
    recount_uses(conn, touched)


def recount_uses(conn: sa.Connection, voucher_ids: Collection[int]) -> None:
    """`used_count` of these vouchers = their uses that count (after a use was removed)."""
    if not voucher_ids:
        return
    u = uses.c
    live = (
        sa.select(sa.func.count())
        .select_from(uses.join(orders, orders.c.id == u.order_id))
        .where(u.voucher_id == vouchers.c.id, _counted_uses())
        .scalar_subquery()
    )
    conn.execute(
        vouchers.update().where(vouchers.c.id.in_(sorted(voucher_ids))).values(used_count=live)
    )


def _any_voucher(conn: sa.Connection) -> bool:
    """Whether the shop has any voucher at all (most batches then need no look-up)."""
    return conn.execute(sa.select(sa.exists().where(vouchers.c.id.is_not(None)))).scalar_one()


# --------------------------------------------------------------------------- CRUD


def _require_settings(ctx: ServiceContext) -> None:
    """Vouchers are made on Settings → Vouchers, by the owner or a manager (as the points
    and rank rules): sales staff with the Customers page do not write discount codes."""
    ctx.require(Module.SETTINGS)
    ctx.require_manager()


def _clean(session: Session, draft: VoucherDraft, voucher_id: int | None) -> VoucherDraft:
    code = draft.code.strip().upper()
    if not CODE_RE.match(code):
        raise ValidationError(
            msg("The code needs 3 to 40 letters, digits, '-' or '_' (no spaces or accents)."),
            field="code",
        )
    taken = session.exec(
        select(Voucher.id).where(sa.func.upper(Voucher.code) == code, Voucher.id != voucher_id)
    ).first()
    if taken is not None:
        raise Conflict(msg("Another voucher already has the code {code}.", code=code))
    if voucher_id is not None:
        _keep_used_code(session, voucher_id, code)
    name = clean_line(draft.name) or code
    if len(name) > 120:
        raise ValidationError(msg("The name is too long (at most 120 characters)."), field="name")
    if draft.kind == DiscountKind.PERCENT and not 1 <= draft.value <= 100:
        raise ValidationError(msg("A percentage must be between 1 and 100."), field="value")
    if draft.kind == DiscountKind.AMOUNT and not 0 <= draft.value <= MAX_MONEY:
        raise ValidationError(
            msg("The amount must be between 0 and {limit} đ.", limit=MAX_MONEY), field="value"
        )
    if draft.kind == DiscountKind.AMOUNT and draft.value == 0 and not draft.free_shipping:
        raise ValidationError(msg("Give a discount, free shipping, or both."), field="value")
    for fld, money in (("max_discount", draft.max_discount), ("min_order_value",
                                                              draft.min_order_value)):  # fmt: skip
        if money is not None and not 0 <= money <= MAX_MONEY:
            raise ValidationError(
                msg("Amounts must be between 0 and {limit} đ.", limit=MAX_MONEY), field=fld
            )
    for fld, limit in (("usage_limit", draft.usage_limit),
                       ("per_customer_limit", draft.per_customer_limit)):  # fmt: skip
        if limit is not None and not 1 <= limit <= 10_000_000:
            raise ValidationError(
                msg("A usage limit must be at least 1 (empty = no limit)."), field=fld
            )
    if draft.starts_at and draft.ends_at and draft.ends_at <= draft.starts_at:
        raise ValidationError(msg("The voucher must end after it starts."), field="ends_at")
    for model, ids, what in (
        (Tag, draft.tag_ids, msg("tag")),
        (CustomerLevel, draft.level_ids, msg("customer group")),
    ):
        for i in ids:
            if session.get(model, i) is None:
                raise NotFound(msg("The {what} {id} no longer exists.", what=what, id=str(i)))
    return replace(draft, code=code, name=name, tag_ids=tuple(sorted(set(draft.tag_ids))),
                   level_ids=tuple(sorted(set(draft.level_ids))))  # fmt: skip


def _keep_used_code(session: Session, voucher_id: int, code: str) -> None:
    """A Conflict when a used voucher would take another code: its orders, receipts and
    exports name it by its code, which would change on all of them."""
    row = session.get(Voucher, voucher_id)
    if row is None or row.code.upper() == code:
        return
    used = _orders_naming(session.connection(), voucher_id)
    if used:
        raise Conflict(msg("Voucher {code} was used on {used} orders, which show its code: "
                           "the code cannot change. End it and make a new voucher with the "
                           "code {new}.", code=row.code, used=used, new=code))  # fmt: skip


def _orders_naming(conn: sa.Connection, voucher_id: int) -> int:
    """The orders this voucher was used on, cancelled ones too."""
    return int(conn.execute(sa.select(sa.func.count()).where(uses.c.voucher_id == voucher_id))
               .scalar_one())  # fmt: skip


def _write(session: Session, row: Voucher, draft: VoucherDraft) -> int:
    for key in ("code", "name", "max_discount", "min_order_value", "starts_at", "ends_at",
                "usage_limit", "per_customer_limit", "is_active", "free_shipping"):  # fmt: skip
        setattr(row, key, getattr(draft, key))
    row.discount_kind, row.discount_value = draft.kind, draft.value
    session.add(row)
    session.flush()
    assert row.id is not None
    vid = row.id
    for model in (VoucherTag, VoucherLevel):
        session.connection().execute(sa.delete(model).where(model.voucher_id == vid))  # type: ignore[arg-type]
    session.add_all([VoucherTag(voucher_id=vid, tag_id=t) for t in draft.tag_ids])
    session.add_all([VoucherLevel(voucher_id=vid, level_id=lv) for lv in draft.level_ids])
    return vid


def _audited(session: Session, d: VoucherDraft) -> dict[str, Any]:
    """What the audit row keeps of a voucher: its terms, and the tags and customer groups
    it is for by name (their ids say nothing to the reader)."""
    return {
        "code": d.code, "name": d.name, "discount_kind": str(d.kind), "value": d.value,
        "max_discount": d.max_discount, "min_order_value": d.min_order_value,
        "starts_at": _moment(d.starts_at), "ends_at": _moment(d.ends_at),
        "usage_limit": d.usage_limit, "per_customer_limit": d.per_customer_limit,
        "is_active": d.is_active, "free_shipping": d.free_shipping,
        "tags": _names_of(session, Tag, d.tag_ids),
        "levels": _names_of(session, CustomerLevel, d.level_ids),
    }  # fmt: skip


def _moment(value: datetime | None) -> str | None:
    # UTC either way: a stored time comes back without its zone, a typed one with it.
    return None if value is None else as_utc(value).isoformat()


def _names_of(session: Session, model: Any, ids: Sequence[int]) -> list[str]:
    if not ids:
        return []
    return sorted(session.exec(select(model.name).where(model.id.in_(ids))).all())


def _stored(session: Session, row: Voucher) -> VoucherDraft:
    """The voucher as saved, with the tags and customer groups it is for."""
    tags = session.exec(select(VoucherTag.tag_id).where(VoucherTag.voucher_id == row.id)).all()
    lvls = session.exec(select(VoucherLevel.level_id)
                        .where(VoucherLevel.voucher_id == row.id)).all()  # fmt: skip
    return _draft(row, [(t, "") for t in tags], [(lv, "") for lv in lvls])


def _changed(these: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The fields of `these` that differ in `other` (an edit's row names only those)."""
    return {k: v for k, v in these.items() if other.get(k) != v}


def save_voucher(ctx: ServiceContext, draft: VoucherDraft, voucher_id: int | None = None) -> int:
    """Create (no id) or change a voucher; returns its id."""
    _require_settings(ctx)
    with ctx.uow() as session:
        row = Voucher(code="", name="") if voucher_id is None else session.get(Voucher, voucher_id)
        if row is None:
            raise NotFound(msg("This voucher no longer exists."))
        if voucher_id is None:
            row.created_at = ctx.clock.now()
        old = None if voucher_id is None else _audited(session, _stored(session, row))
        clean = _clean(session, draft, voucher_id)
        vid = _write(session, row, clean)
        new = _audited(session, clean)
        ctx.audit(session, "voucher.create" if voucher_id is None else "voucher.update",
                  entity_type="voucher", entity_id=vid, summary=clean.code,
                  before=None if old is None else _changed(old, new),
                  after=new if old is None else _changed(new, old))  # fmt: skip
        return vid


def set_voucher_active(ctx: ServiceContext, voucher_id: int, active: bool) -> None:
    """Switch a voucher on or off. One that has ended stays off until its dates are changed
    in the editor: switched on it would give nothing, and one whose only customer group or
    tag was deleted was ended then (`pricing.switch_off_vouchers_only_for`), as without its
    limit it would be for everyone."""
    _require_settings(ctx)
    with ctx.uow() as session:
        row = session.get(Voucher, voucher_id)
        if row is None:
            raise NotFound(msg("This voucher no longer exists."))
        if active and row.ends_at is not None and as_utc(row.ends_at) <= ctx.clock.now():
            raise Conflict(
                msg("Voucher {code} was valid to {last} and has ended: change its end date in "
                    "the editor to switch it on again.", code=row.code,
                    last=last_day(row.ends_at))
            )  # fmt: skip
        was_active = row.is_active
        row.is_active = active
        session.add(row)
        ctx.audit(session, "voucher.activate" if active else "voucher.deactivate",
                  entity_type="voucher", entity_id=voucher_id, summary=row.code,
                  before={"is_active": was_active}, after={"is_active": active})  # fmt: skip


def delete_voucher(ctx: ServiceContext, voucher_id: int) -> None:
    """Delete a voucher never used; a used one can only be switched off (orders name it)."""
    _require_settings(ctx)
    with ctx.uow() as session:
        row = session.get(Voucher, voucher_id)
        if row is None:
            raise NotFound(msg("This voucher no longer exists."))
        used = (
            session.connection()
            .execute(sa.select(sa.func.count()).where(uses.c.voucher_id == voucher_id))
            .scalar_one()
        )
        if used:
            raise Conflict(
                msg(
                    "Voucher {code} was used on {used} orders: switch it off instead.",
                    code=row.code,
                    used=used,
                )
            )
        before = _audited(session, _stored(session, row))
        session.delete(row)
        ctx.audit(session, "voucher.delete", entity_type="voucher", entity_id=voucher_id,
                  summary=row.code, before=before)  # fmt: skip


def list_vouchers(ctx: ServiceContext) -> list[VoucherRow]:
    """Every voucher, newest first, with its counted uses and the discount they gave."""
    ctx.require(Module.CUSTOMERS)
    u = uses.c
    with ctx.uow() as session:
        conn = session.connection()
        given = dict(
            conn.execute(
                sa.select(u.voucher_id, sa.func.coalesce(sa.func.sum(u.discount), 0))
                .select_from(uses.join(orders, orders.c.id == u.order_id))
                .where(_counted_uses())
                .group_by(u.voucher_id)
            ).all()
        )  # fmt: skip
        naming = {int(key): int(n) for key, n in conn.execute(
            sa.select(u.voucher_id, sa.func.count()).group_by(u.voucher_id))}  # fmt: skip
        tags = _names(conn, VoucherTag, Tag, "tag_id")
        lvls = _names(conn, VoucherLevel, CustomerLevel, "level_id")
        rows = session.exec(select(Voucher).order_by(sa.desc(vouchers.c.id))).all()
        out = []
        for v in rows:
            assert v.id is not None
            out.append(VoucherRow(
                v.id, _draft(v, tags.get(v.id, []), lvls.get(v.id, [])), v.used_count,
                int(given.get(v.id, 0)), tuple(n for _i, n in tags.get(v.id, [])),
                tuple(n for _i, n in lvls.get(v.id, [])), naming.get(v.id, 0),
            ))  # fmt: skip
        return out


def _names(
    conn: sa.Connection, link: Any, target: Any, key: str
) -> dict[int, list[tuple[int, str]]]:
    lt, tt = table_of(link), table_of(target)
    out: dict[int, list[tuple[int, str]]] = {}
    for vid, tid, name in conn.execute(
        sa.select(lt.c.voucher_id, tt.c.id, tt.c.name)
        .join(tt, tt.c.id == lt.c[key])
        .order_by(tt.c.name)
    ):
        out.setdefault(int(vid), []).append((int(tid), str(name)))
    return out


def _draft(
    v: Voucher, tags: Sequence[tuple[int, str]], lvls: Sequence[tuple[int, str]]
) -> VoucherDraft:
    return VoucherDraft(
        v.code, v.name, DiscountKind(v.discount_kind), v.discount_value, v.max_discount,
        v.min_order_value, v.starts_at, v.ends_at, v.usage_limit, v.per_customer_limit,
        v.is_active, v.free_shipping, tuple(i for i, _n in tags), tuple(i for i, _n in lvls),
    )  # fmt: skip
