"""Home's to-do cards of work waiting count the shop as it stands, whatever the range; a
range ending today is compared with the previous period up to the same time of day
(tests/services/report_data.py's shop; the clock is 10:00 on 2026-11-20, Vietnam time)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.db.engine import is_sqlite
from primedist.domain.enums import OrderStatus
from primedist.queries import reports as q
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from tests.conftest import FIXED_NOW
from tests.services.report_data import NOW, Shop2, add_order, build

TODAY = date(2026, 11, 20)  # FIXED_NOW is 10:00 there
YESTERDAY = TODAY - timedelta(days=1)


@pytest.fixture
def shop(engine: Engine) -> Shop2:
    return build(engine)


def test_waiting_cards_count_every_date_and_cancelled_follows_the_range(
    ctx: ServiceContext, engine: Engine, shop: Shop2
) -> None:
    with engine.begin() as conn:  # confirmed long ago, still not handed to the carrier
        old = add_order(conn, shop.a, "O11", datetime(2026, 10, 1, 9), OrderStatus.CONFIRMED,
                        total=10_000)  # fmt: skip
        orders_changed(conn, [old], now=NOW)
    # Today: none of the shop's orders was placed today, the work waiting is still there.
    d = reports.dashboard(ctx, TODAY, TODAY)
    assert d.todo == {"pending": 1, "to_pack": 1, "shipping": 1, "return_refund": 1,
                      "cancelled": 0, "low_stock": 0, "no_revenue": 3}  # fmt: skip
    assert reports.dashboard(ctx, date(2026, 11, 10), date(2026, 11, 16)).todo["cancelled"] == 1
    # The shops still narrow them: b has o7 pending, nothing confirmed.
    b = reports.dashboard(ctx, TODAY, TODAY, [shop.b])
    assert (b.todo["pending"], b.todo["to_pack"]) == (1, 0)


def test_waiting_counts_walk_the_status_index_not_the_orders(engine: Engine) -> None:
    seen: list[tuple[str, Any]] = []

    def keep(_c: Any, _cur: Any, statement: str, params: Any, *_a: Any) -> None:
        seen.append((statement, params))

    sa.event.listen(engine, "before_cursor_execute", keep)
    with engine.connect() as conn:
        q.orders_now(conn, list(reports.TODO_STATUSES["pending"]) + ["confirmed"], [1, 2])
        sa.event.remove(engine, "before_cursor_execute", keep)
        if not is_sqlite(conn):
            return
        statement, params = seen[-1]
        plan = " ".join(r[-1] for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, params))  # fmt: skip
    assert "COVERING INDEX" in plan and "(status=?" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # the statuses come in order: no sort


def _sale(conn: sa.Connection, shop: Shop2, number: str, at: datetime, customer: int) -> int:
    return add_order(conn, shop.a, number, at, OrderStatus.COMPLETED, customer_id=customer,
                     province="01", lines=[(shop.p1, 1, 100_000, 0)])  # fmt: skip


def test_today_is_compared_with_yesterday_until_the_same_time(
    ctx: ServiceContext, engine: Engine, shop: Shop2
) -> None:
    c = shop.customers[0]
    with engine.begin() as conn:
        ids = [
            _sale(conn, shop, "Y1", datetime(2026, 11, 19, 8), c),  # yesterday before 10:00
            _sale(conn, shop, "Y2", datetime(2026, 11, 19, 15), c),  # yesterday after 10:00
            _sale(conn, shop, "T1", datetime(2026, 11, 20, 9), c),  # today so far
        ]
        orders_changed(conn, ids, now=NOW)
    d = reports.dashboard(ctx, TODAY, TODAY)
    assert d.period.prev_until == FIXED_NOW - timedelta(days=1)
    assert d.new_orders == reports.Change(1, 1)  # not against Y1 + Y2: all of yesterday
    assert d.revenue == reports.Change(100_000, 100_000)
    assert d.profit == reports.Change(100_000, 100_000)
    a = reports.analytics(ctx, TODAY, TODAY)
    assert (a.revenue, a.orders, a.units) == (
        reports.Change(100_000, 100_000),
        reports.Change(1, 1),
        reports.Change(1, 1),
    )
    # Yesterday until 10:00 the customer had bought once: no repeat buyer yet.
    r = a.repeat_rate
    assert (r.previous_buyers, r.previous_repeat) == (1, 0)
    assert [(p.units.current, p.units.previous) for p in a.products if p.units] == [(1, 1)]
    province = reports.ranking(ctx, "province", TODAY, TODAY)
    assert [(p.key, p.orders.current, p.orders.previous) for p in province] == [("01", 1, 1)]
    # The 14th … today against the 7th … the 13th until 10:00: o10 (11:00 on the 13th)
    # is left out of o1, o2, o5, o6, o7.
    week = reports.dashboard(ctx, TODAY - timedelta(days=6), TODAY)
    assert week.new_orders == reports.Change(6, 5)
    # A range ending before today is compared with whole days.
    past = reports.dashboard(ctx, YESTERDAY, YESTERDAY)
    assert past.period.prev_until is None
    assert past.new_orders == reports.Change(2, 0)
    assert reports.analytics(ctx, YESTERDAY, YESTERDAY).repeat_rate.repeat == 1
