"""The Orders tab's status counts: read from the daily summary when the filter is shops and
days only, from the orders otherwise, and the same figures either way, on a real migrated
database (SQLite, or PostgreSQL when PRIMEDIST_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.core.clock import shop_tz
from primedist.domain.enums import OrderStatus, PaymentMethod
from primedist.queries.orders import (
    ORDERS_SPEC,
    STATUS_TABS,
    OrderFilter,
    list_state,
    orders,
    shops,
    status_counts,
)
from primedist.queries.spec import fetch_keys
from primedist.services import orders as svc
from primedist.services.context import ServiceContext
from tests.factories import make_orders, make_shop

TZ = shop_tz()
START = datetime(2026, 5, 1, 16, 30, tzinfo=UTC)  # 23:30 in Hồ Chí Minh City, 01:30 in Tokyo


@pytest.fixture
def shop_ids(owner_ctx: ServiceContext) -> tuple[int, int, int]:
    """Two shops on the shop's clock and one in Tokyo, 200 orders each every 2h 10m (some
    placed near midnight, where the two clocks disagree on the day), then some confirmed
    and cancelled through the services."""
    engine = owner_ctx.engine
    ids = (make_shop(engine, "Shopee"), make_shop(engine, "Lazada"), make_shop(engine, "Tokyo"))
    with engine.begin() as conn:
        conn.execute(shops.update().where(shops.c.id == ids[2]).values(timezone="Asia/Tokyo"))
    for seed, shop in enumerate(ids):
        make_orders(engine, shop, 200, start=START, step=timedelta(minutes=130), seed=seed)
    with engine.connect() as conn:
        pending = list(conn.execute(sa.select(orders.c.id).where(
            orders.c.status == OrderStatus.PENDING).order_by(orders.c.id)).scalars())  # fmt: skip
    assert len(pending) > 20
    assert svc.cancel_orders(owner_ctx, pending[:10], "hết hàng").done
    assert svc.confirm_orders(owner_ctx, pending[10:20]).done
    return ids


def raw_counts(engine: Engine, flt: OrderFilter) -> dict[str, int]:
    """The counts straight from the orders, for every tab."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(orders.c.status, sa.func.count())
            .where(*flt.clauses(TZ))
            .group_by(orders.c.status)
        )
        by_status = {str(s): int(n) for s, n in rows}
    counts = {tab: sum(by_status.get(s.value, 0) for s in sts) for tab, sts in STATUS_TABS.items()}
    counts["all"] = sum(by_status.values())
    return counts


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def capture(conn: Any, cursor: Any, sql: str, *rest: Any) -> None:
        seen.append(sql)

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)


def counted(engine: Engine, flt: OrderFilter, search: str = "") -> tuple[dict[str, int], str]:
    """The counts, and the table they were read from."""
    with statements(engine) as seen, engine.connect() as conn:
        counts = status_counts(conn, flt, TZ, search)
    source = [sql for sql in seen if "count(" in sql or "sum(" in sql]
    assert len(source) == 1, seen
    return counts, "report_daily" if "FROM report_daily" in source[0] else "orders"


def test_shops_and_days_are_counted_from_the_daily_summary(
    owner_ctx: ServiceContext, shop_ids: tuple[int, int, int]
) -> None:
    engine = owner_ctx.engine
    ours = shop_ids[:2]
    may = (date(2026, 5, 3), date(2026, 5, 9))
    for flt in (
        OrderFilter(),
        OrderFilter(shop_ids=ours),
        OrderFilter(shop_ids=(shop_ids[2],)),
        OrderFilter(shop_ids=ours, date_from=may[0], date_to=may[1]),
        OrderFilter(shop_ids=ours, date_from=may[0]),
        OrderFilter(shop_ids=(shop_ids[0],), date_to=may[1]),
    ):
        counts, source = counted(engine, flt)
        assert source == "report_daily", flt
        assert counts == raw_counts(engine, flt), flt
    assert counted(engine, OrderFilter())[0]["all"] == 600
    assert counted(engine, OrderFilter())[0]["cancelled"] >= 10


def test_a_filter_the_summary_cannot_answer_counts_the_orders(
    owner_ctx: ServiceContext, shop_ids: tuple[int, int, int]
) -> None:
    """Days of a shop on another clock (the summary keeps its days, not the list's), a
    payment method, a value range, the flag, a search: counted on the orders."""
    engine = owner_ctx.engine
    may = (date(2026, 5, 3), date(2026, 5, 9))
    every_shop = OrderFilter(date_from=may[0], date_to=may[1])
    # The first order, 23:30 on 1 May here, is 01:30 on 2 May in Tokyo.
    tokyo = OrderFilter(shop_ids=(shop_ids[2],), date_from=date(2026, 5, 2))
    for flt in (
        every_shop,
        tokyo,
        OrderFilter(payment_methods=(PaymentMethod.COD,)),
        OrderFilter(shop_ids=shop_ids[:2], min_total=100_000),
        OrderFilter(max_total=200_000),
        OrderFilter(flagged_only=True),
    ):
        counts, source = counted(engine, flt)
        assert source == "orders", flt
        assert counts == raw_counts(engine, flt), flt
    # The summary would have counted Tokyo's days on Tokyo's clock: not the same orders.
    with engine.connect() as conn:
        d = sa.table("report_daily", sa.column("shop_id"), sa.column("day"), sa.column("orders"))
        on_tokyo_days = conn.execute(
            sa.select(sa.func.sum(d.c.orders)).where(
                d.c.shop_id == shop_ids[2], d.c.day >= date(2026, 5, 2)
            )
        ).scalar_one()
    assert on_tokyo_days == raw_counts(engine, tokyo)["all"] + 1
    # A search always reads the orders (and their full-text index).
    with engine.connect() as conn:
        name = conn.execute(sa.select(orders.c.buyer_name).limit(1)).scalar_one()
    counts, source = counted(engine, OrderFilter(), name)
    assert source == "orders" and counts["all"] >= 1


def test_the_counts_follow_a_sale_and_its_return(
    owner_ctx: ServiceContext, shop_ids: tuple[int, int, int]
) -> None:
    """The summary moves in the transaction of each change: the counts never lag."""
    from tests.factories import mug_and_plate_sale

    engine = owner_ctx.engine
    before = counted(engine, OrderFilter())[0]
    draft, _mug, _plate = mug_and_plate_sale(engine)
    sale = svc.create_order(owner_ctx, draft)
    after_sale = counted(engine, OrderFilter())[0]
    assert after_sale["all"] == before["all"] + 1
    assert after_sale["completed"] == before["completed"] + 1
    lines = svc.order_detail(owner_ctx, sale.id).lines
    svc.return_order(owner_ctx, sale.id, {ln.id or 0: ln.quantity for ln in lines}, reason="đổi ý")
    after_return = counted(engine, OrderFilter())[0]
    assert after_return["completed"] == before["completed"]
    assert after_return["return_refund"] == before["return_refund"] + 1
    assert after_return == raw_counts(engine, OrderFilter())


@pytest.mark.parametrize("text", ["0939 921", "+84 939 921", "(+84) 939-921", "0939921"])
def test_an_order_is_found_by_the_start_of_its_phone_however_it_is_typed(
    owner_ctx: ServiceContext, text: str
) -> None:
    engine = owner_ctx.engine
    shop = make_shop(engine, "Shopee")
    ids = make_orders(engine, shop, 4, start=START, step=timedelta(hours=1),
                      buyer_phones=["0939921717", "0912345678"])  # fmt: skip
    with engine.connect() as conn:
        state = list_state(OrderFilter(), "all", TZ, search=text)
        page = fetch_keys(conn, ORDERS_SPEC, state, after=None, limit=50)
        assert set(page.keys) == {ids[0], ids[2]}
        assert status_counts(conn, OrderFilter(), TZ, text)["all"] == 2
