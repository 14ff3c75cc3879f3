"""What a scheduled price change keeps and shows once it ran: its note (why it failed, the
prices kept by hand) read back as the message it was written from, so the UI can word it
in the user's language (an older plain note stays as it is); and its end, once done, when
it really ended (earlier than planned after End now / `price-schedule stop`)."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.core.messages import Message, msg
from primedist.domain.base import table_of
from primedist.domain.price_schedule import PriceSchedule, ScheduleState
from primedist.domain.product import Variant
from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services.context import ServiceContext
from tests.conftest import FIXED_NOW
from tests.services.test_catalogue import variants_of
from tests.services.test_price_schedule import HOUR, TWENTY_OFF, product, shops

__all__ = ["product", "shops"]  # the fixtures, used by name


def test_a_failure_is_kept_as_its_message(
    owner_ctx: ServiceContext, clock: FixedClock, product: int
) -> None:
    lower = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.SET, Decimal(95_000))
    ps.schedule_prices(owner_ctx, "Đồng giá 95k", [product], lower, FIXED_NOW + HOUR)
    by_hand = pc.PriceRule(pc.PriceField.DISCOUNT, pc.PriceMode.SET, Decimal(98_000))
    pc.change_prices(owner_ctx, [product], by_hand)
    clock.advance(HOUR)
    ps.run_due(owner_ctx)
    [failed] = ps.list_schedules(owner_ctx, finished=True)
    note = failed.message
    assert isinstance(note, Message) and note.template == "{sku}: {problem}"
    assert note.values["sku"] == "AO-DO-S"
    problem = note.values["problem"]
    assert isinstance(problem, Message)
    assert problem.template.startswith("the new price {price} is below its discount price")
    assert problem.values == {"price": 95_000, "discount": 98_000}  # numbers, not "95,000"
    # The English as before (the command line prints it).
    assert str(note) == ("AO-DO-S: the new price 95,000 is below its discount price 98,000: "
                         "change or remove the discount price first")  # fmt: skip


def test_prices_kept_by_hand_are_kept_as_their_message(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, product: int
) -> None:
    down = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(-10), 1000)
    ps.schedule_prices(owner_ctx, "Giảm 10%", [product], down, FIXED_NOW, FIXED_NOW + HOUR)
    ps.run_due(owner_ctx)
    v = table_of(Variant)
    with engine.begin() as conn:
        conn.execute(sa.update(v).where(v.c.id == variants_of(engine, product)["AO-DO-S"].id)
                     .values(price=95_000))  # fmt: skip
    clock.advance(HOUR)
    ps.run_due(owner_ctx)
    [done] = ps.list_schedules(owner_ctx, finished=True)
    assert isinstance(done.message, Message)
    assert done.message.template == ps.STORED_MESSAGES[0].template
    assert done.message.values == {"kept": 1}


def test_every_reason_a_variant_can_give_is_read_back() -> None:
    """`stored_message` follows `price_change`: each of its reasons (and its refusal of
    too many variants) comes back as its message."""
    problems = [
        pc._problem(pc.PriceField.PRICE, -1, None, 0),
        pc._problem(pc.PriceField.PRICE, pc.MAX_PRICE + 1, None, 0),
        pc._problem(pc.PriceField.PRICE, 250_000, 280_000, 0),
        pc._problem(pc.PriceField.DISCOUNT, 250_000, 280_000, 0),
    ]
    assert {p.template for p in problems if p} == {p.template for p in ps.PROBLEMS}
    for problem in problems:
        assert isinstance(problem, Message)
        back = ps.stored_message(str(ps._cannot("ÁO-1", problem)))
        assert isinstance(back, Message) and back.values["sku"] == "ÁO-1"
        assert back.values["problem"].template == problem.template
        assert back.values["problem"].values == problem.values
    too_many = msg("{count} variants are chosen: change the prices of at most {most} at a "
                   "time.", count=pc.MAX_VARIANTS + 1, most=pc.MAX_VARIANTS)  # fmt: skip
    back = ps.stored_message(str(too_many))
    assert isinstance(back, Message) and back.template == too_many.template
    assert back.values == too_many.values


def test_an_older_plain_note_stays_as_it_is(
    owner_ctx: ServiceContext, engine: Engine, product: int
) -> None:
    row = ps.schedule_prices(owner_ctx, "Cũ", [product], TWENTY_OFF, FIXED_NOW + HOUR)
    s = table_of(PriceSchedule)
    for text in ("ghi chú cũ: gõ tay", "AO-DO-S: the new price 95,000 is below its disc"):
        with engine.begin() as conn:
            conn.execute(sa.update(s).where(s.c.id == row.id)
                         .values(state=ScheduleState.FAILED.value, message=text))  # fmt: skip
        [shown] = ps.list_schedules(owner_ctx, finished=True)
        assert shown.message == text and not isinstance(shown.message, Message)


def test_a_change_ended_early_shows_when_it_ended(
    owner_ctx: ServiceContext, clock: FixedClock, product: int
) -> None:
    row = ps.schedule_prices(owner_ctx, "Sale 12.12", [product], TWENTY_OFF,
                             FIXED_NOW, FIXED_NOW + 48 * HOUR)  # fmt: skip
    assert (row.end, row.ended_early) == (FIXED_NOW + 48 * HOUR, False)  # planned
    ps.run_due(owner_ctx)
    clock.advance(3 * HOUR)
    stopped = ps.stop_schedule(owner_ctx, row.id)
    assert stopped.ended_at == FIXED_NOW + 3 * HOUR
    assert (stopped.end, stopped.ended_early) == (FIXED_NOW + 3 * HOUR, True)
    [listed] = ps.list_schedules(owner_ctx, finished=True)
    assert (listed.end, listed.ends_at, listed.ended_early) == (
        FIXED_NOW + 3 * HOUR, FIXED_NOW + 48 * HOUR, True)  # fmt: skip


def test_a_change_with_no_end_or_cancelled_shows_no_actual_end(
    owner_ctx: ServiceContext, clock: FixedClock, product: int
) -> None:
    up = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.AMOUNT, Decimal(10_000))
    once = ps.schedule_prices(owner_ctx, "Tăng giá", [product], up, FIXED_NOW)
    ps.run_due(owner_ctx)
    waiting = ps.schedule_prices(owner_ctx, "Sale", [product], TWENTY_OFF,
                                 FIXED_NOW + HOUR, FIXED_NOW + 2 * HOUR)  # fmt: skip
    ps.stop_schedule(owner_ctx, waiting.id)
    rows = {r.id: r for r in ps.list_schedules(owner_ctx, finished=True)}
    assert (rows[once.id].state, rows[once.id].end) == (ScheduleState.DONE, None)
    cancelled = rows[waiting.id]
    assert (cancelled.end, cancelled.ended_early) == (FIXED_NOW + 2 * HOUR, False)
