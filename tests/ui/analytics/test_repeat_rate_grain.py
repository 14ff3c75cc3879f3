"""The repeat rate's detail page opens by week or by month (by day almost every day read
0 %: a day seldom holds a customer's second order); a week with no buyer reads "—" and has
no point. Figures checked against the definition counted in plain SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from pytestqt.qtbot import QtBot

from primedist.domain.enums import OrderStatus
from primedist.services.context import ServiceContext
from primedist.services.order_effects import orders_changed
from primedist.ui.analytics.detail import DetailPage, _ts
from primedist.ui.analytics.page import AnalyticsPage
from tests.factories import make_customers, make_shop
from tests.services.report_data import NOW, VN, add_order, orders_t

pytestmark = pytest.mark.usefixtures("quiet")

LAST = date(2026, 11, 16)  # a Monday
FIRST = LAST - timedelta(days=29)  # Sunday 18 Oct: 30 days
NO_BUYER_WEEK = (date(2026, 10, 26), date(2026, 11, 1))


def open_from_analytics(qtbot: QtBot, ctx: ServiceContext, first: date, metric: str,
                        last: date = LAST) -> DetailPage:  # fmt: skip
    """The Analytics tab on a custom range, then its metric's "See detail"."""
    page = AnalyticsPage(ctx)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.running == 0 and page.data is not None)
    with qtbot.waitSignal(page.refreshed, timeout=5000):
        page.bar.set_range(first, last)
    qtbot.waitUntil(lambda: page.running == 0)
    with qtbot.waitSignal(page.detail_buttons[metric].clicked):
        page.detail_buttons[metric].click()
    detail = page.detail
    assert detail is not None and page.stack.currentWidget() is detail
    qtbot.waitUntil(lambda: detail.running == 0 and detail.series is not None)
    return detail


@pytest.mark.parametrize(("days", "grain"), [(30, "week"), (90, "week"), (365, "month")])
def test_the_repeat_rate_opens_by_week_or_month(
    qtbot: QtBot, ctx: ServiceContext, days: int, grain: str
) -> None:
    detail = open_from_analytics(qtbot, ctx, LAST - timedelta(days=days - 1), "repeat_rate")
    assert detail.grain.currentData() == grain
    assert detail.series is not None and detail.series.grain == grain
    # Its weeks or months and the whole range under them.
    assert detail.table.rowCount() - 1 == len(detail.series.points) < days
    # The owner can still look day by day.
    with qtbot.waitSignal(detail.loaded, timeout=5000):
        detail.grain.setCurrentIndex(detail.grain.findData("day"))
    qtbot.waitUntil(lambda: detail.running == 0)
    assert detail.series.grain == "day" and detail.table.rowCount() - 1 == days


def test_other_metrics_still_open_by_day(qtbot: QtBot, ctx: ServiceContext) -> None:
    detail = open_from_analytics(qtbot, ctx, LAST - timedelta(days=364), "revenue")
    assert detail.grain.currentData() == "day"
    assert detail.series is not None and len(detail.series.points) == 365


def _local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants of `first`'s midnight and the midnight after `last` (shop time)."""
    start = datetime.combine(first, time(), VN).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), VN).astimezone(UTC)
    return start, end


def _rate_in_sql(ctx: ServiceContext, first: date, last: date) -> float | None:
    """The definition read off the orders: customers with ≥ 2 non-cancelled orders placed
    in the period ÷ customers with ≥ 1 (none without a buyer)."""
    start, end = _local_day_bounds(first, last)
    o = orders_t.c
    per_customer = (
        sa.select(sa.func.count().label("n"))
        .where(
            o.created_at >= start,
            o.created_at < end,
            o.customer_id.is_not(None),
            o.status != OrderStatus.CANCELLED.value,
        )  # fmt: skip
        .group_by(o.customer_id)
        .subquery()
    )
    with ctx.engine.connect() as conn:
        counts = [int(n) for n in conn.execute(sa.select(per_customer.c.n)).scalars()]
    if not counts:
        return None
    return round(sum(1 for n in counts if n >= 2) * 100 / len(counts), 2)


def test_a_week_with_no_buyer_reads_a_dash_and_has_no_point(
    qtbot: QtBot, ctx: ServiceContext
) -> None:
    shop = make_shop(ctx.engine, "Shop A")
    c1, c2, c3 = make_customers(ctx.engine, 3)
    st, d = OrderStatus, datetime
    orders = [  # (day and hour, status, customer)
        (d(2026, 10, 20, 9), st.COMPLETED, c1),  # week of 19 Oct: c1 twice, c2 once
        (d(2026, 10, 24, 23, 30), st.SHIPPING, c1),
        (d(2026, 10, 21, 8), st.COMPLETED, c2),
        # Week of 26 Oct: a walk-in sale and a cancelled order only, so no buyer.
        (d(2026, 10, 28, 10), st.COMPLETED, None),
        (d(2026, 10, 29, 10), st.CANCELLED, c3),
        (d(2026, 11, 3, 10), st.COMPLETED, c3),  # week of 2 Nov: one buyer, once
        (d(2026, 11, 10, 10), st.COMPLETED, c2),  # week of 9 Nov: c2's second is cancelled
        (d(2026, 11, 12, 10), st.CANCELLED, c2),
        (d(2026, 11, 16, 0, 30), st.PENDING, c1),  # Monday 16 Nov, the range's last day
    ]
    with ctx.engine.begin() as conn:
        ids = [add_order(conn, shop, f"R{i}", when, status, customer_id=customer, total=10_000)
               for i, (when, status, customer) in enumerate(orders)]  # fmt: skip
        orders_changed(conn, ids, now=NOW)
    detail = open_from_analytics(qtbot, ctx, FIRST, "repeat_rate")
    assert detail.grain.currentData() == "week"
    series = detail.series
    assert series is not None
    periods = [(p.start, p.end) for p in series.points]
    assert periods[0] == (FIRST, FIRST) and periods[-1] == (LAST, LAST)  # Sunday, Monday
    expected = [_rate_in_sql(ctx, a, z) for a, z in periods]
    assert expected == [None, 50.0, None, 0.0, 0.0, 0.0]
    items = [detail.table.item(r, 1) for r in range(len(periods))]  # not the whole range
    cells = [item.text() if item is not None else None for item in items]
    assert cells == ["—" if e is None else f"{e:.2f}%" for e in expected]
    assert cells[periods.index(NO_BUYER_WEEK)] == "—"  # not "0.00%"
    xs, ys = detail.curve.getData()
    drawn = dict(zip(xs, ys, strict=True))
    assert drawn == {_ts(a): e for (a, _z), e in zip(periods, expected, strict=True)
                     if e is not None}  # fmt: skip
    assert _ts(NO_BUYER_WEEK[0]) not in drawn  # no point at 0 for it
    hover = detail.show_hover(_ts(NO_BUYER_WEEK[0]))
    assert hover.split("\n")[1] == "—"  # then the previous period's
