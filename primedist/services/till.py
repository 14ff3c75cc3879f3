"""Closing the till (End of day → *Count the cash*): the cashier types the opening float and
the cash counted; the app records them against what should be there.

expected = opening float + the day's cash sales − its cash refunds + the cash customers
paid towards what they owe − the cash paid to suppliers, net of the cash they gave back
(the end-of-day report's *cash in drawer*, for the same shops and staff member: a payment
cancelled on a later day stays on its own day and goes back on the day of the cancel);
difference = counted − expected (negative = short, positive = over). Each count is a row
of `till_closings` and an audit row; a day may be counted several times (a count after a
late sale), newest last. A count made from the report on screen names the drawer's cash
it showed: when cash came in or went out since, the count is refused (counted against
figures the cashier never saw). Needs Orders access.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from primedist.core.clock import local_day_bounds_utc, shop_tz, to_local
from primedist.core.messages import msg
from primedist.core.text import clean_line
from primedist.domain.base import table_of
from primedist.domain.enums import Module, PaymentMethod
from primedist.domain.shop import Shop
from primedist.domain.till import MAX_TILL_AMOUNT, TillClosing
from primedist.domain.user import User
from primedist.errors import Conflict, ValidationError
from primedist.queries import end_of_day as q
from primedist.services.context import ServiceContext

closings_t = table_of(TillClosing)
users_t = table_of(User)
shops_t = table_of(Shop)

NOTE_MAX = 255


@dataclass(frozen=True)
class TillCount:
    """One count of the till, as the dialog and the printout show it."""

    id: int
    day: date
    #: Names of the shops counted; empty = every shop.
    shops: tuple[str, ...]
    #: Whose sales were counted (None = everyone's).
    staff: str | None
    opening_float: int
    cash_sales: int
    cash_refunds: int
    cash_paid_out: int
    #: Cash customers paid that day towards what they owe.
    cash_collected: int
    expected: int
    counted: int
    difference: int
    note: str | None
    counted_by: str | None
    created_at: datetime
    #: The shops counted (ids; empty = every shop) and whose sales (None = everyone's):
    #: the view the count belongs to.
    shop_ids: tuple[int, ...] = ()
    staff_id: int | None = None


def close_till(
    ctx: ServiceContext,
    day: date,
    *,
    opening_float: int,
    counted: int,
    shop_ids: Sequence[int] = (),
    staff_id: int | None = None,
    note: str | None = None,
    expected: int | None = None,
) -> TillCount:
    """Record a count of the till for `day` (today or before) and return it. `expected`:
    what the screen said the drawer should hold (float + cash in drawer); the count is
    refused when the drawer's cash has changed since (None: no check, the command line)."""
    ctx.require(Module.ORDERS)
    tz = shop_tz()
    now = ctx.clock.now()
    if day > to_local(now, tz).date():
        raise ValidationError(msg("A day that has not come yet cannot be counted."), field="day")
    _check_amount(opening_float, "opening_float")
    _check_amount(counted, "counted")
    note = clean_line(note) or None
    if note is not None and len(note) > NOTE_MAX:
        raise ValidationError(msg("The note is longer than {limit} characters.", limit=NOTE_MAX),
                              field="note")  # fmt: skip
    start, end = local_day_bounds_utc(day, tz)
    shops = tuple(sorted(set(shop_ids)))
    scope = q.DayScope(start, end, shops, staff_id)
    with ctx.uow(write=True) as session:
        conn = session.connection()
        cash = PaymentMethod.CASH.value
        sales = sum(int(r.total) for r in q.sales_by_payment(conn, scope)
                    if r.payment_method == cash and not r.cancelled)  # fmt: skip
        refunds = sum(int(r.amount) for r in q.refunds(conn, scope) if r.payment_method == cash)
        paid_out = q.supplier_cash(conn, scope)
        collected = sum(int(r.amount) for r in q.debts_collected(conn, scope)
                        if r.payment_method == cash)  # fmt: skip
        should_hold = opening_float + sales - refunds + collected - paid_out
        if expected is not None and expected != should_hold:
            raise Conflict(msg("Cash came in or went out since the report was shown: the "
                               "drawer should now hold {expected} đ. Check the count again.",
                               expected=should_hold))  # fmt: skip
        expected = should_hold
        row = TillClosing(
            day=day, shop_ids="".join(f",{i}" for i in shops) + ("," if shops else ""),
            staff_id=staff_id, opening_float=opening_float, cash_sales=sales,
            cash_refunds=refunds, cash_paid_out=paid_out, cash_collected=collected,
            expected=expected, counted=counted,
            difference=counted - expected, note=note, user_id=ctx.actor.id, created_at=now,
        )  # fmt: skip
        session.add(row)
        session.flush()
        assert row.id is not None
        ctx.audit(
            session, "till.close", entity_type="till", entity_id=day.isoformat(),
            summary=msg("Till of {day} counted: {counted} đ, difference {difference} đ",
                        day=day, counted=counted, difference=counted - expected),
            after={"opening_float": opening_float, "expected": expected, "counted": counted,
                   "difference": counted - expected, "shops": list(shops), "staff": staff_id},
        )  # fmt: skip
        closing_id = row.id
    return next(c for c in till_counts(ctx, day) if c.id == closing_id)


def till_counts(ctx: ServiceContext, day: date) -> list[TillCount]:
    """The counts of `day`, oldest first."""
    ctx.require(Module.ORDERS)
    c = closings_t.c
    staff, by = users_t.alias("staff"), users_t.alias("counted_by")
    stmt = (
        sa.select(closings_t, staff.c.name.label("staff_name"), by.c.name.label("by_name"))
        .select_from(
            closings_t.outerjoin(staff, staff.c.id == c.staff_id).outerjoin(
                by, by.c.id == c.user_id
            )
        )
        .where(c.day == day)
        .order_by(c.created_at, c.id)
    )
    with ctx.engine.connect() as conn:
        rows = list(conn.execute(stmt))
        names = dict(conn.execute(sa.select(shops_t.c.id, shops_t.c.name)).all())
    return [
        TillCount(
            id=r.id,
            day=r.day,
            staff=r.staff_name,
            counted_by=r.by_name,
            shops=tuple(sorted(str(names.get(int(i), i)) for i in r.shop_ids.split(",") if i)),
            opening_float=int(r.opening_float),
            cash_sales=int(r.cash_sales),
            cash_refunds=int(r.cash_refunds),
            cash_paid_out=int(r.cash_paid_out),
            cash_collected=int(r.cash_collected),
            expected=int(r.expected),
            counted=int(r.counted),
            difference=int(r.difference),
            note=r.note,
            created_at=r.created_at,
            shop_ids=tuple(sorted(int(i) for i in r.shop_ids.split(",") if i)),
            staff_id=r.staff_id,
        )  # fmt: skip
        for r in rows
    ]


def _check_amount(value: int, field: str) -> None:
    if not 0 <= value <= MAX_TILL_AMOUNT:
        raise ValidationError(
            msg("Type an amount from 0 to {limit} đ.", limit=MAX_TILL_AMOUNT), field=field
        )
