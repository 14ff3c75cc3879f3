"""Calendar ranges (This week, This month, Last month, This year) are compared with the
same days of the week, month or year before, not with the days just before them; the
days between the two periods count in neither (README § Metric definitions)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.engine import Engine

from primedist.domain.enums import Channel, OrderStatus
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from tests.factories import make_customers, make_product, make_shop
from tests.services.report_data import NOW, add_order


@pytest.mark.parametrize(
    ("compare", "first", "last", "expected"),
    [
        # This week on a Friday: Monday–Friday against Monday–Friday the week before.
        ("week", date(2026, 11, 16), date(2026, 11, 20), (date(2026, 11, 9), date(2026, 11, 13))),
        # This month, 1–7 December: 1–7 November (not 24–30 November).
        ("month", date(2026, 12, 1), date(2026, 12, 7), (date(2026, 11, 1), date(2026, 11, 7))),
        # 31 March: the whole of February, 28 days, or 29 in a leap year.
        ("month", date(2026, 3, 1), date(2026, 3, 31), (date(2026, 2, 1), date(2026, 2, 28))),
        ("month", date(2028, 3, 1), date(2028, 3, 31), (date(2028, 2, 1), date(2028, 2, 29))),
        # 30 March: February has no 30th, its last day.
        ("month", date(2026, 3, 1), date(2026, 3, 30), (date(2026, 2, 1), date(2026, 2, 28))),
        # Last month: a whole month against the whole month before, whatever their lengths.
        ("month", date(2028, 2, 1), date(2028, 2, 29), (date(2028, 1, 1), date(2028, 1, 31))),
        ("month", date(2026, 4, 1), date(2026, 4, 30), (date(2026, 3, 1), date(2026, 3, 31))),
        ("month", date(2026, 1, 1), date(2026, 1, 31), (date(2025, 12, 1), date(2025, 12, 31))),
        # This year: the same dates a year before; 29 February against 28 February.
        ("year", date(2028, 1, 1), date(2028, 2, 29), (date(2027, 1, 1), date(2027, 2, 28))),
        ("year", date(2029, 1, 1), date(2029, 2, 28), (date(2028, 1, 1), date(2028, 2, 28))),
        ("year", date(2026, 1, 1), date(2026, 11, 20), (date(2025, 1, 1), date(2025, 11, 20))),
        # Rolling ranges: the same number of days just before.
        ("span", date(2026, 11, 14), date(2026, 11, 20), (date(2026, 11, 7), date(2026, 11, 13))),
        ("span", date(2026, 11, 19), date(2026, 11, 19), (date(2026, 11, 18), date(2026, 11, 18))),
    ],
)
def test_previous_days(compare: str, first: date, last: date, expected: tuple[date, date]) -> None:
    assert reports.previous_days(first, last, compare) == expected


def test_a_range_ending_today_stops_at_the_same_time_of_day() -> None:
    now = datetime(2026, 3, 31, 13, 59, tzinfo=UTC)  # 20:59 in Vietnam
    w = reports.window(date(2026, 3, 1), date(2026, 3, 31), now=now, compare="month")
    assert (w.prev_from, w.prev_to) == (date(2026, 2, 1), date(2026, 2, 28))
    assert w.prev_until == datetime(2026, 2, 28, 13, 59, tzinfo=UTC)
    # Last month ended before today: whole days.
    assert reports.window(date(2026, 2, 1), date(2026, 2, 28), now=now,
                          compare="month").prev_until is None  # fmt: skip
    with pytest.raises(ValueError):
        reports.window(date(2026, 3, 1), date(2026, 3, 31), compare="quarter")


def test_this_month_counts_the_same_days_of_last_month_only(
    owner_ctx: ServiceContext, engine: Engine
) -> None:
    """The clock is 10:00 on Friday 20 November 2026 (Vietnam): This month, 1–20 November,
    against 1–20 October until 10:00; 21–31 October lie between and count in neither."""
    shop = make_shop(engine, "Shop A", Channel.SHOPEE)
    make_shop(engine, "Shop B", Channel.LAZADA)  # so that Shop A alone is not every shop
    p1 = make_product(engine, "Áo thun", [("P1", 50_000, 10)])[0]
    c1, c2 = make_customers(engine, 2)

    def sale(conn: object, number: str, at: datetime, customer: int, qty: int) -> int:
        return add_order(conn, shop, number, at, OrderStatus.COMPLETED,  # type: ignore[arg-type]
                         customer_id=customer, province="01", carrier="GHN",
                         lines=[(p1, qty, 10_000, 0)])  # fmt: skip

    with engine.begin() as conn:
        ids = [
            sale(conn, "N1", datetime(2026, 11, 3, 9), c1, 1),  # this month
            sale(conn, "N2", datetime(2026, 11, 20, 8), c1, 2),  # today, before 10:00
            sale(conn, "O1", datetime(2026, 10, 2, 9), c2, 4),  # same days of October
            sale(conn, "O2", datetime(2026, 10, 20, 9, 30), c2, 8),  # the 20th before 10:00
            sale(conn, "O3", datetime(2026, 10, 20, 15), c2, 16),  # the 20th after 10:00
            sale(conn, "G1", datetime(2026, 10, 25, 9), c2, 32),  # between: neither period
            sale(conn, "Y1", datetime(2025, 6, 1, 9), c1, 1),  # This year's: last year's
            sale(conn, "Y2", datetime(2025, 12, 10, 9), c1, 1),  # after 20 November 2025
        ]
        orders_changed(conn, ids, now=NOW)
    first, last = date(2026, 11, 1), date(2026, 11, 20)
    a = reports.analytics(owner_ctx, first, last, compare="month")
    assert (a.period.prev_from, a.period.prev_to) == (date(2026, 10, 1), date(2026, 10, 20))
    assert a.revenue == reports.Change(30_000, 120_000)  # O1 + O2
    assert a.orders == reports.Change(2, 2)
    assert a.units == reports.Change(3, 12)
    r = a.repeat_rate
    assert (r.buyers, r.repeat, r.previous_buyers, r.previous_repeat) == (1, 1, 1, 1)
    assert [(p.units.current, p.units.previous) for p in a.products if p.units] == [(3, 12)]
    # The shops picked (not all of them) read the repeat rate by customer: the same.
    one = reports.analytics(owner_ctx, first, last, [shop], compare="month").repeat_rate
    assert (one.previous_buyers, one.previous_repeat) == (1, 1)
    province = reports.ranking(owner_ctx, "province", first, last, compare="month")
    assert [(p.orders.current, p.orders.previous) for p in province] == [(2, 2)]
    rank = reports.product_rank(owner_ctx, first, last, compare="month")
    assert [(p.revenue.current, p.revenue.previous) for p in rank] == [(30_000, 120_000)]
    d = reports.dashboard(owner_ctx, first, last, compare="month")
    assert d.new_orders == reports.Change(2, 2) and d.revenue == a.revenue
    # This year on some shops (a long range, read by customer): 1 January – 20 November 2025.
    year = reports.analytics(owner_ctx, date(2026, 1, 1), last, [shop], compare="year")
    assert year.revenue == reports.Change(30_000 + 120_000 + 160_000 + 320_000, 10_000)
    y = year.repeat_rate
    assert (y.previous_buyers, y.previous_repeat) == (1, 0)  # Y2 is not in the period
    # Compared with the 20 days just before (12–31 October), G1 and O3 would count.
    span = reports.analytics(owner_ctx, first, last)
    assert span.revenue == reports.Change(30_000, 560_000)  # O2 + O3 + G1
