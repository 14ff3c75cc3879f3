"""Scheduled price changes on a real migrated database, the clock moved by hand: a change
starts at its time and ends at its own, gives back only the prices it set, fails whole,
can be cancelled or ended early, never overlaps another; pushes, audit rows, Home news;
the scheduler's job."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from primedist.core.clock import FixedClock
from primedist.domain.audit import ActivityEvent, AuditEvent
from primedist.domain.base import table_of
from primedist.domain.enums import OutboxStatus, Role
from primedist.domain.price_schedule import ScheduleState
from primedist.domain.product import Variant
from primedist.errors import Conflict, NotFound, PermissionDenied, ValidationError
from primedist.jobs import prices as jobs
from primedist.jobs import scheduler as app_scheduler
from primedist.services import catalogue
from primedist.services import price_change as pc
from primedist.services import price_schedule as ps
from primedist.services.context import Actor, ServiceContext
from tests.conftest import FIXED_NOW
from tests.services.test_catalogue import grid_draft, link_listings, outbox, shops, variants_of

__all__ = ["shops"]  # the fixture, used by name

TWENTY_OFF = pc.PriceRule(pc.PriceField.DISCOUNT, pc.PriceMode.PERCENT_OFF, Decimal(20), 1000)
HOUR = timedelta(hours=1)


def discounts(engine: Engine, pid: int) -> dict[str, int | None]:
    return {sku: v.discount_price for sku, v in variants_of(engine, pid).items()}


def prices(engine: Engine, pid: int) -> dict[str, int]:
    return {sku: v.price for sku, v in variants_of(engine, pid).items()}


def actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(table_of(AuditEvent).c.action)
                                 .order_by(table_of(AuditEvent).c.id)).scalars())  # fmt: skip


def news(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(table_of(ActivityEvent).c.message)
                                 .order_by(table_of(ActivityEvent).c.id)).scalars())  # fmt: skip


@pytest.fixture
def product(owner_ctx: ServiceContext, engine: Engine, shops) -> int:
    """Six variants (99,000 / 109,000 / 119,000 đ) on a Shopee listing linked to its item
    (a listing not linked yet is sent no price push); nothing queued."""
    pid = catalogue.create_product(owner_ctx, grid_draft([shops["shopee"], shops["counter"]]))
    link_listings(engine, pid)
    assert outbox(engine) == []
    return pid


def test_a_weekend_sale_starts_and_ends_on_time(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, product: int
) -> None:
    before = discounts(engine, product)
    assert before["AO-DO-S"] == 89_000 and before["AO-DO-M"] is None
    row = ps.schedule_prices(owner_ctx, "  Cuối tuần   vàng ", [product], TWENTY_OFF,
                             FIXED_NOW + 2 * HOUR, FIXED_NOW + 50 * HOUR)  # fmt: skip
    assert (row.name, row.state, row.products) == ("Cuối tuần vàng", ScheduleState.SCHEDULED, 1)
    assert row.description == "discount price 20% off the selling price, rounded to 1,000"
    assert ps.run_due(owner_ctx) == ps.RunReport()  # not yet
    assert discounts(engine, product) == before

    clock.advance(2 * HOUR)
    assert ps.run_due(owner_ctx) == ps.RunReport(started=("Cuối tuần vàng",))
    on_sale = discounts(engine, product)
    price_now = prices(engine, product)
    assert on_sale == {sku: round(p * 0.8 / 1000) * 1000 for sku, p in price_now.items()}
    [running] = ps.list_schedules(owner_ctx)
    assert (running.state, running.changed) == (ScheduleState.RUNNING, 6)
    assert [m.status for m in outbox(engine)] == [OutboxStatus.PENDING]  # the listing's push
    assert ps.run_due(owner_ctx) == ps.RunReport()  # started once

    clock.advance(48 * HOUR)
    assert ps.run_due(owner_ctx) == ps.RunReport(ended=("Cuối tuần vàng",))
    assert discounts(engine, product) == before
    assert ps.list_schedules(owner_ctx) == []
    [done] = ps.list_schedules(owner_ctx, finished=True)
    assert (done.state, done.changed, done.restored, done.kept) == (ScheduleState.DONE, 6, 6, 0)
    assert actions(engine)[-3:] == ["price_schedule.create", "price_schedule.start",
                                    "price_schedule.end"]  # fmt: skip
    assert news(engine)[-2:] == [
        "Price change “Cuối tuần vàng” started: 6 variant(s) changed",
        "Price change “Cuối tuần vàng” ended: 6 variant(s) have their price back",
    ]


def test_the_end_gives_back_only_the_prices_it_set(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, product: int
) -> None:
    ps.schedule_prices(owner_ctx, "Giảm 10%", [product],
                       pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(-10), 1000),
                       FIXED_NOW, FIXED_NOW + HOUR)  # fmt: skip
    ps.run_due(owner_ctx)
    during = prices(engine, product)
    # By hand meanwhile: one variant's price set again (it keeps it at the end).
    variant = variants_of(engine, product)["AO-DO-S"]
    v = table_of(Variant)
    with engine.begin() as conn:
        conn.execute(sa.update(v).where(v.c.id == variant.id).values(price=95_000))
    clock.advance(HOUR)
    ps.run_due(owner_ctx)
    after = prices(engine, product)
    assert after["AO-DO-S"] == 95_000
    assert {sku: p for sku, p in after.items() if sku != "AO-DO-S"} == {
        "AO-DO-M": 109_000, "AO-DO-L": 119_000, "AO-XANH-S": 99_000, "AO-XANH-M": 109_000,
        "AO-XANH-L": 119_000}  # fmt: skip
    assert during["AO-DO-M"] == 98_000
    [done] = ps.list_schedules(owner_ctx, finished=True)
    assert (done.restored, done.kept) == (5, 1)
    assert done.message == "1 variants kept the price they were given by hand since."
    assert news(engine)[-1].endswith("5 variant(s) have their price back, 1 kept a price set "
                                     "by hand")  # fmt: skip


def test_a_change_that_cannot_apply_at_its_start_fails_whole(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, product: int
) -> None:
    lower = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.SET, Decimal(95_000))
    ps.schedule_prices(owner_ctx, "Đồng giá 95k", [product], lower, FIXED_NOW + HOUR)
    # Meanwhile a discount price of 98,000 was set: 95,000 would be below it.
    by_hand = pc.PriceRule(pc.PriceField.DISCOUNT, pc.PriceMode.SET, Decimal(98_000))
    pc.change_prices(owner_ctx, [product], by_hand)
    before = prices(engine, product)
    clock.advance(HOUR)
    assert ps.run_due(owner_ctx) == ps.RunReport(failed=("Đồng giá 95k",))
    assert prices(engine, product) == before
    [failed] = ps.list_schedules(owner_ctx, finished=True)
    assert failed.state == ScheduleState.FAILED
    assert failed.message.startswith("AO-DO-S: the new price 95,000 is below its discount price")
    assert news(engine)[-1].startswith("Price change “Đồng giá 95k” could not start: AO-DO-S")
    assert ps.run_due(owner_ctx) == ps.RunReport()  # tried once


def test_no_end_means_the_new_prices_stay(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, product: int
) -> None:
    up = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.AMOUNT, Decimal(10_000))
    ps.schedule_prices(owner_ctx, "Tăng giá 1/1", [product], up, FIXED_NOW + HOUR)
    clock.advance(10 * HOUR)  # the PC was off at the start: caught up
    jobs.catch_up(owner_ctx)
    assert set(prices(engine, product).values()) == {109_000, 119_000, 129_000}
    [done] = ps.list_schedules(owner_ctx, finished=True)
    assert (done.state, done.ends_at) == (ScheduleState.DONE, None)


def test_cancel_before_the_start_and_end_early(
    owner_ctx: ServiceContext, engine: Engine, clock: FixedClock, product: int
) -> None:
    waiting = ps.schedule_prices(owner_ctx, "Sale 12.12", [product], TWENTY_OFF,
                                 FIXED_NOW + HOUR, FIXED_NOW + 2 * HOUR)  # fmt: skip
    assert ps.stop_schedule(owner_ctx, waiting.id).state == ScheduleState.CANCELLED
    before = discounts(engine, product)
    clock.advance(HOUR)
    assert ps.run_due(owner_ctx) == ps.RunReport()
    assert discounts(engine, product) == before
    with pytest.raises(Conflict, match="over already"):
        ps.stop_schedule(owner_ctx, waiting.id)
    running = ps.schedule_prices(owner_ctx, "Sale 12.12 (lại)", [product], TWENTY_OFF,
                                 FIXED_NOW + HOUR, FIXED_NOW + 5 * HOUR)  # fmt: skip
    ps.run_due(owner_ctx)
    assert None not in discounts(engine, product).values()
    ended = ps.stop_schedule(owner_ctx, running.id)  # ended now, not at its end
    assert (ended.state, ended.restored) == (ScheduleState.DONE, 6)
    assert discounts(engine, product) == before
    with pytest.raises(NotFound):
        ps.stop_schedule(owner_ctx, 999)


@pytest.mark.parametrize(
    ("name", "start", "end", "field"),
    [
        ("", HOUR, None, "name"),
        ("x" * 121, HOUR, None, "name"),
        ("Cũ", -HOUR, None, "starts_at"),
        ("Xa", timedelta(days=400), None, "starts_at"),
        ("Ngược", 2 * HOUR, HOUR, "ends_at"),
    ],
)
def test_a_schedule_that_makes_no_sense_is_refused_naming_the_field(
    owner_ctx: ServiceContext, engine: Engine, product: int, name: str, start: timedelta,
    end: timedelta | None, field: str,
) -> None:  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        ps.schedule_prices(owner_ctx, name, [product], TWENTY_OFF, FIXED_NOW + start,
                           None if end is None else FIXED_NOW + end)  # fmt: skip
    assert caught.value.field == field
    with pytest.raises(ValidationError) as caught:
        ps.schedule_prices(owner_ctx, "Trống", [], TWENTY_OFF, FIXED_NOW + HOUR)
    assert caught.value.field == "products"
    with pytest.raises(ValidationError, match="percentage off"):
        wrong = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT_OFF, Decimal(20))
        ps.schedule_prices(owner_ctx, "Sai", [product], wrong, FIXED_NOW + HOUR)
    assert ps.list_schedules(owner_ctx, finished=True) == []


def test_two_changes_on_one_product_may_not_overlap(
    owner_ctx: ServiceContext, engine: Engine, product: int
) -> None:
    ps.schedule_prices(owner_ctx, "Tuần 1", [product], TWENTY_OFF, FIXED_NOW + HOUR,
                       FIXED_NOW + 24 * HOUR)  # fmt: skip
    with pytest.raises(Conflict, match="“Tuần 1” changes some of these products"):
        ps.schedule_prices(owner_ctx, "Chồng", [product], TWENTY_OFF, FIXED_NOW + 2 * HOUR)
    # Right after it: fine.
    ps.schedule_prices(owner_ctx, "Tuần 2", [product], TWENTY_OFF, FIXED_NOW + 24 * HOUR,
                       FIXED_NOW + 48 * HOUR)  # fmt: skip
    assert [r.name for r in ps.list_schedules(owner_ctx)] == ["Tuần 1", "Tuần 2"]


def test_a_change_with_no_end_clashes_only_at_its_start(
    owner_ctx: ServiceContext, engine: Engine, product: int
) -> None:
    """A new price list from the 22nd (no end) happens once: a sale on the 28th–29th is
    free to follow it, a sale running on the 22nd is not."""
    up = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(5))
    ps.schedule_prices(owner_ctx, "Bảng giá mới", [product], up, FIXED_NOW + 24 * HOUR)
    ps.schedule_prices(owner_ctx, "Sale cuối năm", [product], TWENTY_OFF,
                       FIXED_NOW + 6 * 24 * HOUR, FIXED_NOW + 7 * 24 * HOUR)  # fmt: skip
    ps.schedule_prices(owner_ctx, "Sale trước", [product], TWENTY_OFF,
                       FIXED_NOW + 2 * HOUR, FIXED_NOW + 24 * HOUR - HOUR)  # fmt: skip
    for start, end in ((FIXED_NOW + 23 * HOUR, FIXED_NOW + 30 * HOUR),  # runs across it
                       (FIXED_NOW + 24 * HOUR, FIXED_NOW + 30 * HOUR),  # starts with it
                       (FIXED_NOW + 23 * HOUR, FIXED_NOW + 24 * HOUR),  # ends as it starts
                       (FIXED_NOW + 24 * HOUR, None)):  # fmt: skip
        with pytest.raises(Conflict, match="“Bảng giá mới” changes some"):
            ps.schedule_prices(owner_ctx, "Chồng", [product], TWENTY_OFF, start, end)
    assert sorted(r.name for r in ps.list_schedules(owner_ctx)) == [
        "Bảng giá mới", "Sale cuối năm", "Sale trước"]  # fmt: skip


def test_staff_without_products_cannot_schedule(owner_ctx: ServiceContext, product: int) -> None:
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF, frozenset()))
    with pytest.raises(PermissionDenied):
        ps.schedule_prices(staff, "Lén", [product], TWENTY_OFF, FIXED_NOW + HOUR)
    with pytest.raises(PermissionDenied):
        ps.list_schedules(staff)


def test_the_scheduler_runs_it_every_minute(ctx: ServiceContext) -> None:
    assert "prices" in app_scheduler.JOB_MODULES
    scheduler = BackgroundScheduler()
    jobs.add_jobs(scheduler, ctx)
    [job] = scheduler.get_jobs()
    assert (job.id, job.trigger.interval) == ("prices.schedules", timedelta(minutes=1))


def test_the_schedule_row_keeps_the_rule_and_products(
    owner_ctx: ServiceContext, engine: Engine, product: int
) -> None:
    ps.schedule_prices(owner_ctx, "Giữ", [product, product], TWENTY_OFF, FIXED_NOW + HOUR)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT field, mode, value, round_to, product_ids "
                                   "FROM price_schedules")).one()  # fmt: skip
    assert tuple(row[:4]) == ("discount_price", "percent_off", "20", 1000)
    assert json.loads(row[4]) == [product]
