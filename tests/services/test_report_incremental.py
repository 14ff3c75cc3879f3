"""The order hooks under the marketplace sync's bulk writer: after random batches (new
orders, status changes, cancels, returns, re-syncs that move an order to another day,
another buyer or other lines), what the hooks kept incrementally — the daily summaries
and their ledgers, the customers' statistics, the points — is exactly what a full
rebuild from the orders gives."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from primedist.core.clock import FixedClock
from primedist.domain.enums import Channel, OrderStatus
from primedist.queries import reports as report_queries
from primedist.services import reports
from primedist.services.context import ServiceContext
from primedist.services.customer_stats import rebuild_all_stats
from primedist.services.loyalty.settings import (
    EARN_CHANNELS,
    PointsSettings,
    earn_per_from,
    save_points_settings,
)
from primedist.services.sync_writer import ShopRef, write_batch
from tests.factories import make_shop
from tests.services.test_report_consistency import _fresh_shop, _snapshot
from tests.services.test_sync_writer import remote

STATUSES = [OrderStatus.PENDING, OrderStatus.CONFIRMED, OrderStatus.SHIPPING,
            OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.RETURN_REFUND,
            OrderStatus.RETURNED]  # fmt: skip
SKUS = ["SKU0", "SKU1", "SKU2", "NEW-SKU"]

order_strategy = st.tuples(
    st.integers(0, 7),  # order number: later batches update earlier orders
    st.sampled_from(STATUSES),
    st.integers(0, 3),  # buyer
    st.integers(0, 4),  # days ago (a re-sync may move it)
    st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 3)), min_size=1, max_size=3,
             unique_by=lambda line: line[0]),
)  # fmt: skip
batches_strategy = st.lists(st.lists(order_strategy, min_size=1, max_size=6), min_size=1,
                            max_size=5)  # fmt: skip


def _batch(ctx: ServiceContext, clock: FixedClock, shop: ShopRef, orders: list[tuple[Any, ...]],
           step: int) -> None:  # fmt: skip
    seen: set[int] = set()
    batch = []
    for number, status, buyer, days, lines in orders:
        if number in seen:  # one copy of an order per batch, as the platform sends
            continue
        seen.add(number)
        batch.append(remote(
            f"S{number}", status, clock, minutes=step, buyer=f"b{buyer}",
            phone=f"09123456{buyer:02d}", name=f"Người mua {buyer}",
            created_minutes_ago=60 + days * 24 * 60,
            lines=tuple((sku, qty, 50_000 + 1_000 * qty) for sku, qty in lines),
        ))  # fmt: skip
    with ctx.uow() as session:
        write_batch(ctx, session.connection(), shop, batch,
                    stock_since=clock.now() - timedelta(days=30))  # fmt: skip


def _points(ctx: ServiceContext) -> list[tuple[Any, ...]]:
    """Per customer: balance, earned, and the ledger's sum and last balance."""
    sql = (
        "SELECT c.id, c.points_balance, c.points_earned, coalesce(sum(e.delta), 0),"
        " (SELECT e2.balance_after FROM points_entries e2 WHERE e2.customer_id = c.id"
        "  ORDER BY e2.id DESC LIMIT 1)"
        " FROM customers c LEFT JOIN points_entries e ON e.customer_id = c.id"
        " GROUP BY c.id, c.points_balance, c.points_earned ORDER BY c.id"
    )
    with ctx.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(batches=batches_strategy)
def test_sync_batches_keep_what_a_rebuild_gives(
    template_db: Path, tmp_path: Path, batches: list[list[tuple[Any, ...]]]
) -> None:
    ctx, clock, _world = _fresh_shop(template_db, tmp_path / uuid.uuid4().hex)
    try:
        # The synced orders earn points (marketplace orders earn only when chosen).
        save_points_settings(ctx, PointsSettings(channels=frozenset(EARN_CHANNELS)))
        shop = ShopRef(make_shop(ctx.engine, "Shopee A", Channel.SHOPEE), "Shopee A",
                       Channel.SHOPEE)  # fmt: skip
        for step, orders in enumerate(batches, start=1):
            _batch(ctx, clock, shop, orders, step)
            clock.advance(timedelta(hours=7))
        kept = _snapshot(ctx.engine)
        assert kept["report_order_days"], "the batches wrote orders"
        reports.rebuild(ctx)
        assert _snapshot(ctx.engine) == kept
        assert rebuild_all_stats(ctx).changed == 0  # the statistics were already right
        for _cid, balance, earned, ledger_sum, last in _points(ctx):
            assert balance == ledger_sum == (last or 0)
            assert earned >= 0
        with ctx.engine.connect() as conn:
            rate = earn_per_from(conn)
            rows = conn.execute(
                sa.text("SELECT status, total - refunded_amount, points_earned FROM orders")
            ).all()
        for status, net, earned in rows:  # what each order holds is what it should earn
            assert earned == (max(net, 0) // rate if status == "completed" else 0)
    finally:
        ctx.engine.dispose()


def test_a_batch_of_most_orders_rebuilds_the_summaries_with_the_same_result(
    template_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt: list[int] = []
    real = report_queries.rebuild_summaries

    def counting(conn: sa.Connection) -> None:
        rebuilt.append(1)
        real(conn)

    monkeypatch.setattr(report_queries, "REBUILD_MIN_ORDERS", 2)  # the rule at test size
    monkeypatch.setattr(report_queries, "rebuild_summaries", counting)
    ctx, clock, _world = _fresh_shop(template_db, tmp_path / "shop")
    try:
        shop = ShopRef(make_shop(ctx.engine, "Shopee A", Channel.SHOPEE), "Shopee A",
                       Channel.SHOPEE)  # fmt: skip
        new = [(n, OrderStatus.PENDING, n % 3, n % 4, [("SKU0", 1), ("SKU1", 2)])
               for n in range(4)]  # fmt: skip
        _batch(ctx, clock, shop, new, 1)  # 4 of 4 orders: rebuilt
        assert len(rebuilt) == 1
        clock.advance(timedelta(hours=7))
        _batch(ctx, clock, shop, [(4, OrderStatus.COMPLETED, 1, 0, [("SKU2", 1)])], 2)
        assert len(rebuilt) == 1  # 1 order: below the rule's minimum, refreshed
        clock.advance(timedelta(hours=7))
        moved = [(0, OrderStatus.COMPLETED, 2, 1, [("SKU0", 3)]),
                 (1, OrderStatus.CANCELLED, 1, 2, [("SKU1", 1)]),
                 (2, OrderStatus.SHIPPING, 0, 0, [("NEW-SKU", 1)])]  # fmt: skip
        _batch(ctx, clock, shop, moved, 3)  # 3 of 5 orders: rebuilt
        assert len(rebuilt) == 2
        kept = _snapshot(ctx.engine)
        reports.rebuild(ctx)
        assert _snapshot(ctx.engine) == kept
    finally:
        ctx.engine.dispose()
