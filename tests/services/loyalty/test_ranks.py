"""Ranks: thresholds at their boundaries, a recompute moving customers up and down (with
history), dry runs, pinned customers, the 12-month window, level auto-upgrade, settings."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from primedist.config import Settings
from primedist.core.clock import FixedClock
from primedist.db.bulk import checkpoint_wal, wait_for_background_checkpoints
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, Module, Rank, RankBasis, RankReason, Role
from primedist.domain.loyalty import RankHistory
from primedist.errors import PermissionDenied, ValidationError
from primedist.services.context import Actor, ServiceContext
from primedist.services.customer_stats import refresh_customer_stats
from primedist.services.loyalty import levels, ranks
from primedist.services.loyalty.settings import (
    RankWindow,
    read_rank_settings,
    save_rank_settings,
)
from tests.factories import make_shop
from tests.services.loyalty.conftest import completed_orders, customer, customers_with

history_t = table_of(RankHistory)

EXPENSE_BOUNDARIES = [
    (0, Rank.COPPER), (999_999, Rank.COPPER), (1_000_000, Rank.SILVER),
    (4_999_999, Rank.SILVER), (5_000_000, Rank.GOLD), (9_999_999, Rank.GOLD),
    (10_000_000, Rank.DIAMOND), (10**11, Rank.DIAMOND),
]  # fmt: skip
ORDER_BOUNDARIES = [
    (0, Rank.COPPER), (9, Rank.COPPER), (10, Rank.SILVER), (24, Rank.SILVER),
    (25, Rank.GOLD), (49, Rank.GOLD), (50, Rank.DIAMOND),
]  # fmt: skip


def _history(engine: Engine, cid: int) -> list[tuple[object, ...]]:
    h = history_t.c
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            sa.select(h.from_rank, h.to_rank, h.basis, h.value, h.threshold)
            .where(h.customer_id == cid).order_by(h.id))]  # fmt: skip


def test_every_expenses_threshold_at_its_boundary(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    ids = customers_with(engine, [{"total_expenses": v} for v, _r in EXPENSE_BOUNDARIES])
    report = ranks.recompute_ranks(owner_ctx)
    got = [customer(engine, cid).rank for cid in ids]
    assert got == [r for _v, r in EXPENSE_BOUNDARIES]
    assert report.counts == {Rank.DIAMOND: 2, Rank.GOLD: 2, Rank.SILVER: 2, Rank.COPPER: 2}
    # The reason kept: value and the threshold of the new rank.
    assert _history(engine, ids[4]) == [(Rank.COPPER, Rank.GOLD, RankBasis.EXPENSES,
                                         5_000_000, 5_000_000)]  # fmt: skip
    assert _history(engine, ids[0]) == []  # Copper already


def test_every_orders_threshold_at_its_boundary(engine: Engine, owner_ctx: ServiceContext) -> None:
    settings = read_rank_settings(owner_ctx)
    save_rank_settings(owner_ctx, basis=RankBasis.ORDERS, window=settings.window, thresholds={})
    ids = customers_with(engine, [{"successful_orders": v, "total_expenses": 10**11}
                                  for v, _r in ORDER_BOUNDARIES])  # fmt: skip
    ranks.recompute_ranks(owner_ctx)
    assert [customer(engine, cid).rank for cid in ids] == [r for _v, r in ORDER_BOUNDARIES]
    assert _history(engine, ids[2])[-1][2:] == (RankBasis.ORDERS, 10, 10)


def test_ranks_go_up_and_down_and_a_dry_run_changes_nothing(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    up, down, same = customers_with(engine, [
        {"rank": Rank.COPPER, "total_expenses": 6_200_000},
        {"rank": Rank.DIAMOND, "total_expenses": 1_500_000},
        {"rank": Rank.SILVER, "total_expenses": 1_000_000},
    ])  # fmt: skip
    dry = ranks.recompute_ranks(owner_ctx, dry_run=True)
    assert dry.dry_run and (dry.up, dry.down) == (1, 1)
    assert [(m.from_rank, m.to_rank, m.customers) for m in dry.moves] == [
        (Rank.COPPER, Rank.GOLD, 1), (Rank.DIAMOND, Rank.SILVER, 1)]  # fmt: skip
    assert dry.by_rank()[Rank.GOLD] == (1, 0) and dry.by_rank()[Rank.SILVER] == (0, 1)
    assert dry.counts[Rank.GOLD] == 1 and dry.counts[Rank.DIAMOND] == 0
    assert customer(engine, up).rank == Rank.COPPER and _history(engine, up) == []
    assert ranks.last_run(owner_ctx) is None  # a dry run is not a run

    clock.advance(timedelta(hours=1))
    real = ranks.recompute_ranks(owner_ctx)
    assert (real.up, real.down, real.dry_run) == (1, 1, False)
    assert real.counts == dry.counts
    assert (customer(engine, up).rank, customer(engine, up).rank_since) == (Rank.GOLD, clock.now())
    assert customer(engine, down).rank == Rank.SILVER
    assert customer(engine, same).rank_since is None  # untouched
    assert _history(engine, down) == [(Rank.DIAMOND, Rank.SILVER, RankBasis.EXPENSES,
                                       1_500_000, 1_000_000)]  # fmt: skip
    assert ranks.last_run(owner_ctx) == clock.now()
    # Nothing left to move: a second run writes nothing.
    again = ranks.recompute_ranks(owner_ctx)
    assert (again.up, again.down) == (0, 0) and len(_history(engine, up)) == 1
    shown = ranks.rank_history(owner_ctx, up)
    assert [(r.to_rank, r.value, r.threshold) for r in shown] == [(Rank.GOLD, 6_200_000,
                                                                   5_000_000)]  # fmt: skip


def test_pinned_customers_keep_rank_and_level(engine: Engine, owner_ctx: ServiceContext) -> None:
    vip = levels.save_level(owner_ctx, name="VIP", code="vip", upgrade_threshold=2_000_000)
    pinned, free = customers_with(engine, [
        {"rank": Rank.DIAMOND, "total_expenses": 3_000_000},
        {"rank": Rank.DIAMOND, "total_expenses": 3_000_000},
    ])  # fmt: skip
    ranks.set_pinned(owner_ctx, pinned, True)
    report = ranks.recompute_ranks(owner_ctx)
    assert report.pinned == 1 and report.down == 1
    kept = customer(engine, pinned)
    assert (kept.rank, kept.level_id, kept.rank_pinned, kept.level_pinned) == (
        Rank.DIAMOND, None, True, True)  # fmt: skip
    assert (customer(engine, free).rank, customer(engine, free).level_id) == (Rank.SILVER, vip)
    ranks.set_pinned(owner_ctx, pinned, False)
    ranks.recompute_ranks(owner_ctx)
    assert customer(engine, pinned).rank == Rank.SILVER


def test_a_rank_given_by_hand_pins_the_customer(engine: Engine, owner_ctx: ServiceContext) -> None:
    (cid,) = customers_with(engine, [{"total_expenses": 0}])
    ranks.set_rank(owner_ctx, cid, Rank.GOLD)
    ranks.recompute_ranks(owner_ctx)
    row = customer(engine, cid)
    assert (row.rank, row.rank_pinned) == (Rank.GOLD, True)
    assert ranks.rank_history(owner_ctx, cid)[0].by == "Chủ Thử"


def test_a_rank_given_by_hand_is_recorded_as_given_by_hand(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    """Lowered by hand from Diamond to Gold, the customer's 17,528,000 đ was stored against
    Gold's threshold, as if the recompute had reached it: the history says by hand now."""
    (cid,) = customers_with(engine, [{"total_expenses": 17_528_000}])
    ranks.recompute_ranks(owner_ctx)
    ranks.set_rank(owner_ctx, cid, Rank.GOLD)
    assert _history(engine, cid) == [
        (Rank.COPPER, Rank.DIAMOND, RankReason.EXPENSES, 17_528_000, 10_000_000),
        (Rank.DIAMOND, Rank.GOLD, RankReason.MANUAL, 0, 0),
    ]
    by_hand, reached = ranks.rank_history(owner_ctx, cid)
    assert (by_hand.to_rank, by_hand.basis, by_hand.by_hand, by_hand.by) == (
        Rank.GOLD, None, True, "Chủ Thử")  # fmt: skip
    assert (reached.basis, reached.by_hand) == (RankBasis.EXPENSES, False)
    ranks.set_rank(owner_ctx, cid, Rank.GOLD)  # no change: no row
    assert len(_history(engine, cid)) == 2


def test_the_12_month_window_counts_recent_completed_orders_only(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    shop = make_shop(engine, "Shopee", Channel.SHOPEE)
    (cid,) = customers_with(engine, [{}])
    now = clock.now()
    completed_orders(engine, shop, cid, [4_000_000], now - timedelta(days=400))  # too old
    completed_orders(engine, shop, cid, [600_000, 500_000], now - timedelta(days=30))
    with engine.begin() as conn:
        refresh_customer_stats(conn, [cid])
    assert customer(engine, cid).total_expenses == 5_100_000
    ranks.recompute_ranks(owner_ctx)
    assert customer(engine, cid).rank == Rank.GOLD  # all time: 5.1M
    settings = read_rank_settings(owner_ctx)
    save_rank_settings(owner_ctx, basis=settings.basis, window=RankWindow.LAST_12_MONTHS,
                       thresholds={})  # fmt: skip
    dry = ranks.recompute_ranks(owner_ctx, dry_run=True)
    assert [(m.from_rank, m.to_rank) for m in dry.moves] == [(Rank.GOLD, Rank.SILVER)]
    ranks.recompute_ranks(owner_ctx)
    assert customer(engine, cid).rank == Rank.SILVER  # last 12 months: 1.1M
    assert _history(engine, cid)[-1][3:] == (1_100_000, 1_000_000)
    save_rank_settings(owner_ctx, basis=RankBasis.ORDERS, window=RankWindow.LAST_12_MONTHS,
                       thresholds={RankBasis.ORDERS: (4, 3, 2, 0)})  # fmt: skip
    ranks.recompute_ranks(owner_ctx)
    assert customer(engine, cid).rank == Rank.SILVER  # 2 orders in the window


def test_levels_move_up_by_purchases_never_down_and_manual_levels_stay(
    engine: Engine, owner_ctx: ServiceContext
) -> None:
    regular = levels.save_level(owner_ctx, name="Regular", code="REG", upgrade_threshold=1_000_000)
    vip = levels.save_level(owner_ctx, name="VIP", code="VIP", upgrade_threshold=5_000_000)
    wholesale = levels.save_level(owner_ctx, name="Wholesale", code="SI")
    below, at_regular, at_vip, was_vip, manual = customers_with(engine, [
        {"total_expenses": 999_999},
        {"total_expenses": 1_000_000},
        {"total_expenses": 5_000_000},
        {"total_expenses": 0, "level_id": None},
        {"total_expenses": 9_000_000},
    ])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE customers SET level_id = :v WHERE id = :c"),
                     [{"v": vip, "c": was_vip}, {"v": wholesale, "c": manual}])  # fmt: skip
    dry = ranks.recompute_ranks(owner_ctx, dry_run=True)
    assert dry.level_moves == {"Regular": 1, "VIP": 1} and dry.level_upgrades == 2
    assert customer(engine, at_vip).level_id is None
    ranks.recompute_ranks(owner_ctx)
    got = [customer(engine, c).level_id for c in (below, at_regular, at_vip, was_vip, manual)]
    assert got == [None, regular, vip, vip, wholesale]


def test_rank_settings_are_checked_and_remember_who_changed_them(
    owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    fresh = read_rank_settings(owner_ctx)
    assert (fresh.basis, fresh.window, fresh.changed_at) == (RankBasis.EXPENSES,
                                                            RankWindow.ALL_TIME, None)  # fmt: skip
    assert [fresh.threshold(r) for r in (Rank.DIAMOND, Rank.GOLD, Rank.SILVER, Rank.COPPER)] == [
        10_000_000, 5_000_000, 1_000_000, 0]  # fmt: skip
    bad = {
        (5, 5, 1, 0): "Diamond threshold (5 orders) must be above the Gold",
        (9, 5, 6, 0): "Gold threshold (5 orders) must be above the Silver",
        (9, 5, 1, 1): "its threshold is 0",
        (9, 5, -1, 0): "Silver threshold must be between 0",
    }
    for values, message in bad.items():
        with pytest.raises(ValidationError, match=re.escape(message)):
            save_rank_settings(owner_ctx, basis=RankBasis.ORDERS, window=RankWindow.ALL_TIME,
                               thresholds={RankBasis.ORDERS: values})  # fmt: skip
    saved = save_rank_settings(owner_ctx, basis=RankBasis.ORDERS,
                               window=RankWindow.LAST_12_MONTHS,
                               thresholds={RankBasis.ORDERS: (9, 5, 1, 0)})  # fmt: skip
    assert (saved.changed_at, saved.changed_by) == (clock.now(), "Chủ Thử")
    assert saved.threshold(Rank.GOLD) == 5
    assert saved.threshold(Rank.GOLD, RankBasis.EXPENSES) == 5_000_000  # the other basis kept
    staff = owner_ctx.with_actor(Actor(None, "Lan", "lan@x.vn", Role.STAFF,
                                       frozenset({Module.SETTINGS})))  # fmt: skip
    with pytest.raises(PermissionDenied):
        save_rank_settings(staff, basis=RankBasis.ORDERS, window=RankWindow.ALL_TIME,
                           thresholds={})  # fmt: skip


def test_deleted_and_merged_customers_are_left_out(
    engine: Engine, owner_ctx: ServiceContext, clock: FixedClock
) -> None:
    gone, alive = customers_with(engine, [
        {"total_expenses": 20_000_000, "deleted_at": clock.now()},
        {"total_expenses": 20_000_000},
    ])  # fmt: skip
    report = ranks.recompute_ranks(owner_ctx)
    assert report.up == 1 and customer(engine, gone).rank == Rank.COPPER
    assert ranks.rank_counts(owner_ctx)[Rank.DIAMOND] == 1 and alive


def test_a_big_move_commits_first_and_the_file_catches_up_in_the_background(
    engine: Engine, owner_ctx: ServiceContext, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only: the WAL checkpoint")
    ids = customers_with(engine, [{"total_expenses": 6_000_000}] * 30)
    checkpoint_wal(engine)  # the file holds them as Copper
    monkeypatch.setattr(ranks, "MANY_MOVES", 30)  # a "big" move at test size
    report = ranks.recompute_ranks(owner_ctx)
    assert report.up == 30
    wait_for_background_checkpoints(timeout=30)
    # The database file alone (`immutable`: no WAL read) holds the new ranks.
    assert settings.db_path is not None
    uri = f"file:{settings.db_path}?immutable=1"
    with closing(sqlite3.connect(uri, uri=True)) as raw:
        marks = ",".join("?" * len(ids))
        got = raw.execute(f"SELECT DISTINCT rank FROM customers WHERE id IN ({marks})", ids)
        assert got.fetchall() == [(Rank.GOLD.value,)]


def test_a_small_move_checkpoints_as_usual(
    engine: Engine, owner_ctx: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(ranks, "checkpoint_in_background", started.append)
    customers_with(engine, [{"total_expenses": 6_000_000}] * 3)
    assert ranks.recompute_ranks(owner_ctx).up == 3
    assert started == []  # under MANY_MOVES: the commit's own checkpoint does it
    monkeypatch.setattr(ranks, "MANY_MOVES", 3)
    customers_with(engine, [{"total_expenses": 6_000_000}] * 3)
    assert ranks.recompute_ranks(owner_ctx).up == 3
    assert started == [engine]
