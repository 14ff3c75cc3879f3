"""Scheduled price changes (*chương trình giá theo lịch*): a bulk price change
(`services.price_change`: its rule, its products) that the scheduler applies at a set time
and, when an end is set, takes back at another — "20 % off the summer collection from
Friday 00:00 to Sunday 23:59", prepared days before.

* **At the start** (`run_due`): the rule applied to the products' active variants as a
  change made now — all or nothing, in one transaction: the prices, the products' price
  ranges, the marketplace price pushes, an audit row, each variant's price before and
  after (`price_schedule_items`). A variant that cannot take its new price then (below 0,
  a discount price above the selling price) fails the whole change, named, and nothing
  changes (state *failed*, the reason kept, a Home news item).
* **At the end**: each variant that still has the price the change set gets its price from
  before back; one whose price was changed by hand meanwhile keeps it (counted as kept),
  and so does one whose old price no longer fits (a discount price above a selling price
  lowered since). The same pushes, audit row and news item.
* A change waiting to start can be **cancelled**; a running one **ended now** (its end
  happens at once). Two changes may not run on the same products at the same time: the
  second is refused when it is scheduled.

The scheduler runs `run_due` every minute and at the app's start (a PC that was off at
the start or the end catches up then). Needs Products access.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from primedist.core.clock import as_utc
from primedist.core.messages import Message, msg, reread
from primedist.core.text import clean_line
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.enums import ActivityKind, Module
from primedist.domain.price_schedule import (
    PENDING_STATES,
    PriceSchedule,
    PriceScheduleItem,
    ScheduleState,
)
from primedist.domain.product import Variant
from primedist.errors import Conflict, NotFound, ValidationError
from primedist.services import activity
from primedist.services import price_change as pc
from primedist.services.context import ServiceContext

items_t = table_of(PriceScheduleItem)
variants_t = table_of(Variant)

NAME_MAX = 120
#: How far back a start may be typed (a start "now" reaches the scheduler a little later).
PAST_GRACE = timedelta(minutes=5)
#: How far ahead a change may be scheduled.
MAX_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class ScheduleRow:
    """A scheduled change as the list and the command line show it."""

    id: int
    name: str
    rule: pc.PriceRule
    products: int
    starts_at: datetime
    ends_at: datetime | None
    state: ScheduleState
    message: str
    changed: int
    restored: int
    kept: int
    created_at: datetime
    #: When its end came (an "End now" or `stop`: earlier than `ends_at`).
    ended_at: datetime | None = None
    #: The products chosen (an edit keeps them).
    product_ids: tuple[int, ...] = ()

    @property
    def description(self) -> str:
        return str(describe(self))

    @property
    def end(self) -> datetime | None:
        """When the prices go back or, once done, went back: a change ended early shows
        when it was ended, not its planned end (one with no end has none)."""
        if self.state == ScheduleState.DONE and self.ends_at is not None:
            return self.ended_at or self.ends_at
        return self.ends_at

    @property
    def ended_early(self) -> bool:
        return self.end is not None and self.ends_at is not None and self.end < self.ends_at


def describe(row: ScheduleRow) -> Message:
    """The change in a few plain words (the UI words it in its language)."""
    return pc.describe_rule(row.rule)


@dataclass(frozen=True)
class RunReport:
    """What one run of the scheduler did: the changes started, ended and failed (names)."""

    started: tuple[str, ...] = ()
    ended: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


def _rule(row: PriceSchedule) -> pc.PriceRule:
    return pc.PriceRule(pc.PriceField(row.field), pc.PriceMode(row.mode), Decimal(row.value),
                        row.round_to)  # fmt: skip


def _product_ids(row: PriceSchedule) -> list[int]:
    return [int(i) for i in json.loads(row.product_ids)]


def _row(row: PriceSchedule) -> ScheduleRow:
    assert row.id is not None
    return ScheduleRow(row.id, row.name, _rule(row), len(_product_ids(row)),
                       as_utc(row.starts_at), as_utc(row.ends_at) if row.ends_at else None,
                       ScheduleState(row.state), stored_message(row.message or ""),
                       row.changed, row.restored, row.kept, as_utc(row.created_at),
                       as_utc(row.ended_at) if row.ended_at else None,
                       tuple(_product_ids(row)))  # fmt: skip


# --------------------------------------------------------------------------- messages

#: The messages a change keeps (`price_schedules.message`), stored in English (the column
#: holds 255 characters: no room for the values beside them) and read back by
#: `stored_message` so the UI shows them in the user's language. Keep them in step with
#: the texts written: `_end`, and the ValidationError of `price_change.planned`.
STORED_MESSAGES = (
    msg("{kept} variants kept the price they were given by hand since."),
    msg("{count} variants are chosen: change the prices of at most {most} at a time."),
)
#: Why a variant cannot take its new price (`price_change._problem`: keep in step).
PROBLEMS = (
    msg("below 0"),
    msg("above {most}"),
    msg("the new price {price} is below its discount price {discount}: change or remove the "
        "discount price first"),
    msg("the discount price {discount} would be above its price {price}"),
)  # fmt: skip


def _cannot(sku: str, problem: str) -> Message:
    """A variant that cannot take its new price, as a failed change keeps it."""
    return msg("{sku}: {problem}", sku=sku, problem=problem)


def stored_message(text: str) -> str:
    """A change's stored English message read back as the Message it was written from
    (numbers as numbers again), so the UI words it in the user's language; any other text
    (older rows, a message cut at 255 characters) stays as it is."""
    for known in STORED_MESSAGES:
        if (found := reread(text, known.template)) is not None:
            return found
    sku, colon, rest = text.partition(": ")
    if colon:
        for known in PROBLEMS:
            if (problem := reread(rest, known.template)) is not None:
                return _cannot(sku, problem)
    return text


# --------------------------------------------------------------------------- scheduling


def schedule_prices(
    ctx: ServiceContext, name: str, product_ids: Sequence[int], rule: pc.PriceRule,
    starts_at: datetime, ends_at: datetime | None = None,
) -> ScheduleRow:  # fmt: skip
    """Schedule `rule` on these products from `starts_at` (to `ends_at`, if given).
    Refused, naming the field, when the name, the times or the rule make no sense, when a
    variant could not take its new price today, or when another change waiting or running
    covers one of the products at overlapping times."""
    ctx.require(Module.PRODUCTS)
    now = ctx.clock.now()
    name, products, starts_at, ends_at = _checked(name, product_ids, starts_at, ends_at, now)
    with ctx.uow() as session:
        _check_prices(session, products, rule)
        _refuse_overlap(session, products, starts_at, ends_at)
        row = PriceSchedule(
            name=name, field=str(rule.field), mode=str(rule.mode), value=str(rule.value),
            round_to=rule.round_to, product_ids=json.dumps(products), starts_at=starts_at,
            ends_at=ends_at, user_id=ctx.actor.id, created_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        ctx.audit(session, "price_schedule.create", entity_type="price_schedule",
                  entity_id=row.id,
                  summary=msg("{name}: {rule} on {count} products", name=name,
                              rule=pc.describe_rule(rule), count=len(products)),
                  after={"starts_at": starts_at.isoformat(),
                         "ends_at": ends_at.isoformat() if ends_at else None})  # fmt: skip
        return _row(row)


def update_schedule(
    ctx: ServiceContext, schedule_id: int, name: str, rule: pc.PriceRule,
    starts_at: datetime, ends_at: datetime | None = None,
) -> ScheduleRow:  # fmt: skip
    """Change a change that has not started yet: its name, rule and times (its products
    stay). Checked as `schedule_prices` checks a new one; refused once it has started (its
    prices are written: end it, and schedule a new one)."""
    ctx.require(Module.PRODUCTS)
    now = ctx.clock.now()
    with ctx.uow() as session:
        row = session.get(PriceSchedule, schedule_id, with_for_update=True)
        if row is None:
            raise NotFound(msg("There is no scheduled price change {id}.", id=str(schedule_id)))
        if row.state != ScheduleState.SCHEDULED.value:
            raise Conflict(msg("“{name}” has started already: only a change still waiting "
                               "can be edited.", name=row.name))  # fmt: skip
        products = _product_ids(row)
        name, products, starts_at, ends_at = _checked(name, products, starts_at, ends_at, now)
        _check_prices(session, products, rule)
        _refuse_overlap(session, products, starts_at, ends_at, but=schedule_id)
        before = _audited(row)
        row.name, row.field, row.mode = name, str(rule.field), str(rule.mode)
        row.value, row.round_to = str(rule.value), rule.round_to
        row.starts_at, row.ends_at = starts_at, ends_at
        session.add(row)
        session.flush()
        ctx.audit(session, "price_schedule.update", entity_type="price_schedule",
                  entity_id=schedule_id,
                  summary=msg("{name}: {rule} on {count} products", name=name,
                              rule=pc.describe_rule(rule), count=len(products)),
                  before=before, after=_audited(row))  # fmt: skip
        return _row(row)


def _audited(row: PriceSchedule) -> dict[str, Any]:
    return {"name": row.name, "field": row.field, "mode": row.mode, "value": row.value,
            "round_to": row.round_to, "starts_at": as_utc(row.starts_at).isoformat(),
            "ends_at": as_utc(row.ends_at).isoformat() if row.ends_at else None}  # fmt: skip


def _checked(
    name: str, product_ids: Sequence[int], starts_at: datetime, ends_at: datetime | None,
    now: datetime,
) -> tuple[str, list[int], datetime, datetime | None]:  # fmt: skip
    """The name, products and times of a change, cleaned; ValidationError naming the field."""
    name = clean_line(name)
    if not name or len(name) > NAME_MAX:
        raise ValidationError(msg("Give the change a name of 1 to {most} characters.",
                                  most=NAME_MAX), field="name")  # fmt: skip
    products = sorted(set(product_ids))
    if not products:
        raise ValidationError(msg("Choose the products whose prices change."), field="products")
    starts_at, ends_at = as_utc(starts_at), as_utc(ends_at) if ends_at else None
    if starts_at < now - PAST_GRACE or starts_at > now + MAX_AHEAD:
        raise ValidationError(msg("The start must be from now to a year ahead."),
                              field="starts_at")  # fmt: skip
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError(msg("The end must come after the start."), field="ends_at")
    return name, products, starts_at, ends_at


def _check_prices(session: Session, products: Sequence[int], rule: pc.PriceRule) -> None:
    """Every variant could take its new price today (the rule checked too)."""
    rows = pc.planned(session.connection(), products, rule)
    bad = next((r for r in rows if r.problem), None)
    if bad is not None:
        raise ValidationError(msg("{sku}: {problem}. Nothing was scheduled.", sku=bad.sku,
                                  problem=bad.problem), field="value")  # fmt: skip


def _apart(
    a_start: datetime, a_end: datetime | None, b_start: datetime, b_end: datetime | None
) -> bool:
    """Whether two changes never act on the same products at once. A change with no end
    happens once, at its start (an instant, not "forever"): it clashes only with a change
    running then, its first or last moment included (its prices would be taken back, or
    its start would undo the other's)."""
    if a_end is not None and b_end is not None:
        return a_end <= b_start or b_end <= a_start
    return (a_end or a_start) < b_start or (b_end or b_start) < a_start


def _refuse_overlap(
    session: Session, products: Sequence[int], starts_at: datetime, ends_at: datetime | None,
    *, but: int | None = None,
) -> None:  # fmt: skip
    """Two changes on one product at once would take each other's prices back wrongly
    (`but`: the change being edited, not compared with itself)."""
    wanted = set(products)
    for other in session.exec(
        select(PriceSchedule).where(col(PriceSchedule.state).in_([s.value for s in PENDING_STATES]))
    ):  # fmt: skip
        if other.id == but:
            continue
        other_end = as_utc(other.ends_at) if other.ends_at else None
        apart = _apart(starts_at, ends_at, as_utc(other.starts_at), other_end)
        if not apart and wanted & set(_product_ids(other)):
            raise Conflict(msg("“{name}” changes some of these products' prices at the "
                               "same time: choose other times or products.",
                               name=other.name))  # fmt: skip


def list_schedules(ctx: ServiceContext, *, finished: bool = False) -> list[ScheduleRow]:
    """The changes waiting or running (with `finished`: every one), by start."""
    ctx.require(Module.PRODUCTS)
    with ctx.uow() as session:
        stmt = select(PriceSchedule).order_by(col(PriceSchedule.starts_at), col(PriceSchedule.id))
        if not finished:
            stmt = stmt.where(col(PriceSchedule.state).in_([s.value for s in PENDING_STATES]))
        return [_row(r) for r in session.exec(stmt)]


@dataclass(frozen=True)
class ScheduleItem:
    """One variant of a change as its detail shows it: its price before the start, the
    one the change gives it (None: no discount price), and whether the end gives the one
    from before back."""

    sku: str
    name: str
    before: int | None
    after: int | None
    #: The price now (differs from `after` on a running change changed by hand since).
    now: int | None
    goes_back: bool
    #: Why it could not take its new price today ("" when it can).
    problem: str = ""


def schedule_items(ctx: ServiceContext, schedule_id: int) -> list[ScheduleItem]:
    """Each variant a change changes: for one waiting (or cancelled, failed) its price now
    and what the rule makes it today; once started, the prices it wrote (its active
    variants then), with their price now."""
    ctx.require(Module.PRODUCTS)
    with ctx.uow() as session:
        row = session.get(PriceSchedule, schedule_id)
        if row is None:
            raise NotFound(msg("There is no scheduled price change {id}.", id=str(schedule_id)))
        conn = session.connection()
        field = pc.PriceField(row.field)
        back = row.ends_at is not None
        if row.applied_at is None or row.state == ScheduleState.FAILED.value:
            return [ScheduleItem(r.sku, r.name, r.old, r.new, r.old, back and r.changed,
                                 r.problem)
                    for r in pc.planned(conn, _product_ids(row), _rule(row)) if r.changed
                    or r.problem]  # fmt: skip
        names = {r.variant_id: r.name for r in pc.planned(conn, _product_ids(row), _rule(row))}
        return [ScheduleItem(cur.sku, names.get(item.variant_id, cur.sku), item.old, item.new,
                             cur.value, back)
                for item, cur in _items_with_prices(conn, schedule_id, field)]  # fmt: skip


@dataclass(frozen=True)
class Coming:
    """A product's next scheduled price change: when, by which change, and whether it is
    the change's start (else its end, the prices going back)."""

    at: datetime
    name: str
    starts: bool


def coming_changes(conn: sa.Connection, product_ids: Sequence[int]) -> dict[int, Coming]:
    """The next scheduled price change of each of these products (a waiting change's
    start, a running one's end), for the Products list: one query, whatever the page."""
    wanted = set(product_ids)
    s = table_of(PriceSchedule).c
    found: dict[int, Coming] = {}
    rows = conn.execute(sa.select(s.state, s.name, s.starts_at, s.ends_at, s.product_ids).where(
        s.state.in_([st.value for st in PENDING_STATES])))  # fmt: skip
    for state, name, starts_at, ends_at, ids in rows:
        starts = state == ScheduleState.SCHEDULED.value
        when = starts_at if starts else ends_at
        if when is None:
            continue
        coming = Coming(as_utc(when), str(name), starts)
        for pid in wanted.intersection(int(i) for i in json.loads(ids)):
            if pid not in found or coming.at < found[pid].at:
                found[pid] = coming
    return found


def stop_schedule(ctx: ServiceContext, schedule_id: int) -> ScheduleRow:
    """Cancel a change that has not started, or end a running one now (its prices back)."""
    ctx.require(Module.PRODUCTS)
    now = ctx.clock.now()
    with ctx.uow() as session:
        row = session.get(PriceSchedule, schedule_id, with_for_update=True)
        if row is None:
            raise NotFound(msg("There is no scheduled price change {id}.", id=str(schedule_id)))
        state = ScheduleState(row.state)
        if state == ScheduleState.SCHEDULED:
            row.state = ScheduleState.CANCELLED.value
            row.cancelled_at, row.cancelled_by_id = now, ctx.actor.id
            session.add(row)
            ctx.audit(session, "price_schedule.cancel", entity_type="price_schedule",
                      entity_id=schedule_id,
                      summary=msg("{name} cancelled", name=row.name))  # fmt: skip
        elif state == ScheduleState.RUNNING:
            _end(session, ctx, row, now)
        else:
            raise Conflict(msg("“{name}” is over already.", name=row.name))
        session.flush()
        return _row(row)


# --------------------------------------------------------------------------- running


def run_due(ctx: ServiceContext) -> RunReport:
    """Start the changes whose start has come and end those whose end has come, each in its
    own transaction (one failing does not hold the others back)."""
    now = ctx.clock.now()
    started: list[str] = []
    ended: list[str] = []
    failed: list[str] = []
    for schedule_id in _due(ctx, now):
        # The writer lock before the prices are read (as `change_prices`): another PC's
        # price change lands wholly before or after, never written over from old prices.
        with ctx.uow(write=True) as session:
            row = session.get(PriceSchedule, schedule_id, with_for_update=True)
            if row is None:
                continue
            if row.state == ScheduleState.SCHEDULED and as_utc(row.starts_at) <= now:
                (started if _start(session, ctx, row, now) else failed).append(row.name)
            if row.state == ScheduleState.RUNNING and row.ends_at and as_utc(row.ends_at) <= now:
                _end(session, ctx, row, now)
                ended.append(row.name)
    return RunReport(tuple(started), tuple(ended), tuple(failed))


def _due(ctx: ServiceContext, now: datetime) -> list[int]:
    s = table_of(PriceSchedule).c
    with ctx.engine.connect() as conn:
        return list(conn.execute(
            sa.select(s.id).where(sa.or_(
                sa.and_(s.state == ScheduleState.SCHEDULED.value, s.starts_at <= now),
                sa.and_(s.state == ScheduleState.RUNNING.value, s.ends_at <= now)))
            .order_by(s.starts_at, s.id)
        ).scalars())  # fmt: skip


def _start(session: Session, ctx: ServiceContext, row: PriceSchedule, now: datetime) -> bool:
    """Apply the change (see the module's text); False when it failed (nothing changed)."""
    conn = session.connection()
    rule = _rule(row)
    try:
        rows = pc.planned(conn, _product_ids(row), rule)
    except ValidationError as exc:  # too many variants now
        return _failed(session, ctx, row, exc.user_message, now)
    bad = next((r for r in rows if r.problem), None)
    if bad is not None:
        return _failed(session, ctx, row, _cannot(bad.sku, bad.problem), now)
    changed = [r for r in rows if r.changed]
    _, pushes = pc.write_prices(conn, rule.field, changed, now)
    for chunk in chunks(changed):
        conn.execute(sa.insert(items_t), [{"schedule_id": row.id, "variant_id": r.variant_id,
                                           "old": r.old, "new": r.new} for r in chunk])  # fmt: skip
    ends = ScheduleState.RUNNING if row.ends_at else ScheduleState.DONE
    row.state, row.applied_at, row.changed = ends.value, now, len(changed)
    if ends == ScheduleState.DONE:
        row.ended_at = now
    session.add(row)
    summary = msg(
        "{name} started: {rule}, {changed} variants",
        name=row.name,
        rule=pc.describe_rule(rule),
        changed=len(changed),
    )
    ctx.audit(session, "price_schedule.start", entity_type="price_schedule", entity_id=row.id,
              summary=summary,
              after={"changed": len(changed), "listing_pushes": pushes})  # fmt: skip
    activity.post(session, ActivityKind.INFO, now, event="price_schedule", stage="started",
                  name=row.name, count=len(changed))  # fmt: skip
    return True


def _failed(
    session: Session, ctx: ServiceContext, row: PriceSchedule, why: str, now: datetime
) -> bool:
    """Kept and posted in English (`why`, a Message: the audit row keeps its values);
    `stored_message` reads it back for the list and Home."""
    row.state, row.message, row.applied_at = ScheduleState.FAILED.value, str(why)[:255], now
    session.add(row)
    summary = msg("{name} could not start: {why}. No price changed.", name=row.name, why=why)
    ctx.audit(session, "price_schedule.fail", entity_type="price_schedule", entity_id=row.id,
              summary=summary)  # fmt: skip
    activity.post(session, ActivityKind.INFO, now, event="price_schedule", stage="failed",
                  name=row.name, why=why)  # fmt: skip
    return False


def _end(session: Session, ctx: ServiceContext, row: PriceSchedule, now: datetime) -> None:
    """Give each variant its price from before, where it still has the change's price and
    the old one still fits; the rest keep theirs."""
    conn = session.connection()
    field = pc.PriceField(row.field)
    back: list[pc.PriceChangeRow] = []
    kept = 0
    for item, current in _items_with_prices(conn, row.id or 0, field):
        if current.value != item.new or _old_does_not_fit(field, item.old, current):
            kept += 1
            continue
        back.append(pc.PriceChangeRow(item.variant_id, current.product_id, current.sku, "",
                                      item.new, item.old))  # fmt: skip
    _, pushes = pc.write_prices(conn, field, back, now)
    row.state, row.ended_at = ScheduleState.DONE.value, now
    row.restored, row.kept = len(back), kept
    if kept:
        row.message = str(msg("{kept} variants kept the price they were given by hand since.",
                              kept=kept))[:255]  # fmt: skip
    session.add(row)
    summary = msg("{name} ended: {restored} variants have their price back, {kept} kept theirs",
                  name=row.name, restored=len(back), kept=kept)  # fmt: skip
    ctx.audit(session, "price_schedule.end", entity_type="price_schedule", entity_id=row.id,
              summary=summary, after={"restored": len(back), "kept": kept,
                                      "listing_pushes": pushes})  # fmt: skip
    activity.post(session, ActivityKind.INFO, now, event="price_schedule", stage="ended",
                  name=row.name, count=len(back), kept=kept)  # fmt: skip


@dataclass(frozen=True)
class _Current:
    product_id: int
    sku: str
    value: int | None
    price: int
    discount: int | None


def _items_with_prices(
    conn: sa.Connection, schedule_id: int, field: pc.PriceField
) -> list[tuple[Any, _Current]]:
    i, v = items_t.c, variants_t.c
    rows = conn.execute(
        sa.select(i.variant_id, i.old, i.new, v.product_id, v.sku, v.price, v.discount_price,
                  v.cost)
        .join(variants_t, v.id == i.variant_id)
        .where(i.schedule_id == schedule_id)
        .order_by(i.variant_id)
    ).all()  # fmt: skip
    value = {pc.PriceField.PRICE: "price", pc.PriceField.DISCOUNT: "discount_price",
             pc.PriceField.COST: "cost"}[field]  # fmt: skip
    return [(r, _Current(int(r.product_id), r.sku, getattr(r, value), int(r.price),
                         r.discount_price)) for r in rows]  # fmt: skip


def _old_does_not_fit(field: pc.PriceField, old: int | None, now: _Current) -> bool:
    """The price from before would break a rule today: a discount price above the selling
    price (one of the two changed by hand since)."""
    if field == pc.PriceField.DISCOUNT:
        return old is not None and old > now.price
    if field == pc.PriceField.PRICE:
        return old is not None and now.discount is not None and now.discount > old
    return False
