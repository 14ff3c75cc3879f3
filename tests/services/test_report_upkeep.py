"""The daily summaries stay right when something other than an order writer moves an
order's figures: a customer merge, a product deletion, a shop's time zone change; and the
0008 migration fills them (its frozen SQL) exactly as `report rebuild` does."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine

from primedist.db import store
from primedist.domain.enums import Channel, OrderStatus
from primedist.queries import reports as q
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.customers import merge_customers
from primedist.services.order_effects import orders_changed
from primedist.services.product_status import delete_products
from tests.factories import make_customers, make_shop
from tests.services.report_data import FROM, NOW, TO, Shop2, add_order, build

SUMMARY_TABLES = (
    "report_daily", "report_daily_products", "report_daily_groups",
    "report_daily_customers", "report_order_days", "report_order_products",
)  # fmt: skip


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {t: sorted(tuple(r) for r in conn.execute(sa.text(f"SELECT * FROM {t}")))
                for t in SUMMARY_TABLES}  # fmt: skip


def rate(ctx: ServiceContext, *shops: int) -> tuple[int, int]:
    r = reports.analytics(ctx, FROM, TO, shops).repeat_rate
    return r.buyers, r.repeat


def test_customer_merge_moves_the_repeat_rate(owner_ctx: ServiceContext, engine: Engine) -> None:
    s = build(engine)
    c1, c2, c3 = s.customers
    # In the range: c1 (o1, o3) and c2 (o5, o10) twice, c3 (o7 in shop B) once.
    assert rate(owner_ctx) == (3, 2)
    assert rate(owner_ctx, s.b) == (2, 0)  # shop B: c2 (o5), c3 (o7)
    merge_customers(owner_ctx, c2, [c3])
    assert rate(owner_ctx) == (2, 2)
    assert rate(owner_ctx, s.b) == (1, 1)  # c2 now has o5 and o7 there
    before = snapshot(engine)
    reports.rebuild(owner_ctx)
    assert snapshot(engine) == before


def test_deleting_a_sold_product_keeps_its_rank(owner_ctx: ServiceContext, engine: Engine) -> None:
    s = build(engine)
    with engine.connect() as conn:
        p1 = conn.execute(sa.text("SELECT product_id FROM variants WHERE id = :v"),
                          {"v": s.p1}).scalar_one()  # fmt: skip
    before = reports.analytics(owner_ctx, FROM, TO).to_json()
    result = delete_products(owner_ctx, [p1])
    # Sold: archived, never erased — its order lines keep their variant and product.
    assert (result.deleted, result.archived) == (0, 1)
    assert reports.analytics(owner_ctx, FROM, TO).to_json() == before
    ranked = {r.key: r.units for r in reports.ranking(owner_ctx, "product", FROM, TO)}
    assert ranked[str(p1)] == reports.Change(3, 1)


def _set_zone(engine: Engine, shop_id: int, zone: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE shops SET timezone = :z WHERE id = :s"), {"z": zone, "s": shop_id}
        )
        q.refresh_shop(conn, shop_id)


def test_a_shop_time_zone_change_moves_its_orders_days(ctx: ServiceContext, engine: Engine) -> None:
    s = build(engine)
    a_only = reports.dashboard(ctx, FROM, TO, [s.a])
    # o4 is placed 2026-11-17 00:30 in Vietnam: after the range. In London (UTC+0 in
    # November) it is 2026-11-16 17:30: inside it, with its 999,000.
    _set_zone(engine, s.a, "Europe/London")
    moved = reports.dashboard(ctx, FROM, TO, [s.a])
    assert moved.revenue.current == a_only.revenue.current + 999_000
    assert moved.new_orders.current == a_only.new_orders.current + 1
    # Shop B keeps its Vietnam days (o6 at 2026-11-09 23:30 stays out of the range).
    assert reports.dashboard(ctx, FROM, TO, [s.b]).new_orders.current == 2
    before = snapshot(engine)
    reports.rebuild(ctx)
    assert snapshot(engine) == before
    _set_zone(engine, s.a, "Asia/Ho_Chi_Minh")
    assert reports.dashboard(ctx, FROM, TO, [s.a]) == a_only


def test_repeat_rate_of_shop_subsets_and_its_series(ctx: ServiceContext, engine: Engine) -> None:
    s = build(engine)
    c = make_shop(engine, "Shop C", Channel.TIKI)
    (c4,) = make_customers(engine, 1)
    c1 = s.customers[0]
    with engine.begin() as conn:
        ids = [
            add_order(conn, c, "C1", datetime(2026, 11, 11, 9), OrderStatus.COMPLETED,
                      customer_id=c1, total=10_000),
            add_order(conn, c, "C2", datetime(2026, 11, 12, 9), OrderStatus.COMPLETED,
                      customer_id=c4, total=10_000),
            add_order(conn, s.b, "C3", datetime(2026, 11, 15, 9), OrderStatus.CANCELLED,
                      customer_id=c4, total=10_000),
        ]  # fmt: skip
        orders_changed(conn, ids, now=NOW)
    # All shops: c1 (o1 o3 C1), c2 (o5 o10) repeat; c3 (o7), c4 (C2; C3 cancelled) once.
    assert rate(ctx) == rate(ctx, s.a, s.b, c) == (4, 2)
    # Shops A and C: c1 (o1 o3 C1) repeat; c2 (o10), c4 (C2) once.
    assert rate(ctx, s.a, c) == (3, 1)
    assert rate(ctx, s.a) == (2, 1)  # c1 (o1 o3) repeat, c2 (o10) once
    # By week (from Tuesday 10th): 10-15th c1 (o1 C1) and c2 (o5 o10) of 4 buyers
    # repeat; the 16th: c1 (o3) alone, once.
    week = reports.series(ctx, "repeat_rate", FROM, TO, grain="week")
    assert [(p.start, p.value) for p in week.points] == [
        (date(2026, 11, 10), 50.0), (date(2026, 11, 16), 0.0)]  # fmt: skip
    by_day = reports.series(ctx, "repeat_rate", FROM, TO, grain="day").points
    assert [p.value for p in by_day] == [0.0] * 7  # nobody bought twice on one day
    month = reports.series(ctx, "repeat_rate", FROM, TO, [s.a, c], grain="month")
    assert [p.value for p in month.points] == [33.33]


def test_migration_fills_the_summaries_as_rebuild_does(ctx: ServiceContext, engine: Engine) -> None:
    s: Shop2 = build(engine)
    # A shop in a zone with summer time (the SQLite day expression's CASE) and one in UTC.
    berlin = make_shop(engine, "Shop Berlin", Channel.TIKTOK)
    utc = make_shop(engine, "Shop UTC", Channel.TIKI)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE shops SET timezone = 'Europe/Berlin' WHERE id = :s"), {"s": berlin}
        )
        conn.execute(sa.text("UPDATE shops SET timezone = 'UTC' WHERE id = :s"), {"s": utc})
        ids = [
            add_order(conn, shop, f"Z{i}", when, OrderStatus.COMPLETED,
                      customer_id=s.customers[i % 3], lines=[(s.p1, 1, 10_000, 0)])
            for i, (shop, when) in enumerate([
                (berlin, datetime(2026, 3, 30, 5, 30)),  # 00:30 Berlin, first summer-time night
                (berlin, datetime(2026, 7, 1, 5, 30)),  # 00:30 Berlin summer time
                (berlin, datetime(2026, 11, 1, 5, 30)),  # 23:30 Berlin winter time
                (utc, datetime(2026, 11, 16, 6, 30)),  # 23:30 UTC
            ])
        ]  # fmt: skip
        orders_changed(conn, ids, now=NOW)
    reports.rebuild(ctx)
    rebuilt = snapshot(engine)
    with engine.begin() as conn:
        cfg = store.alembic_config(str(engine.url), conn)
        command.downgrade(cfg, "0007_loyalty")
        command.upgrade(cfg, "head")  # 0008 fills, 0009 adds the contributions
    assert snapshot(engine) == rebuilt
    with engine.connect() as conn:
        sql = ("SELECT o.external_id, d.day FROM report_order_days d"
               " JOIN orders o ON o.id = d.order_id WHERE o.external_id LIKE 'Z%'")  # fmt: skip
        days = dict(conn.execute(sa.text(sql)).all())
    assert {k: str(v) for k, v in days.items()} == {
        "Z0": "2026-03-30", "Z1": "2026-07-01", "Z2": "2026-10-31", "Z3": "2026-11-15"}  # fmt: skip
