"""Customer ranks: the set-based recompute (with level auto-upgrade), its dry run, pinning
and the rank history.

The value a rank is measured on uses the customer statistics' definitions
(services/customer_stats.py): total expenses = Σ (total − refunded) of completed orders,
successful orders = completed orders. For all time the statistics columns on the
customer row are read; for the last 12 months the completed orders created in the window
are added up per customer.

A recompute is a few statements whatever the number of customers: the customers that
move (rank or level) are written to a temporary table by one INSERT … SELECT, then the
history rows, the rank and level updates are each one statement over it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.domain.audit import ActivityEvent
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import ActivityKind, Module, OrderStatus, Rank, RankBasis
from primedist.domain.loyalty import CustomerLevel, RankHistory
from primedist.domain.order import Order
from primedist.domain.settings import AppSetting
from primedist.domain.user import User
from primedist.errors import NotFound
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    RANK_LEVEL,
    RANKS_DOWN,
    RankSettings,
    RankWindow,
    rank_settings,
)

customers = table_of(Customer)
orders = table_of(Order)
history = table_of(RankHistory)
levels = table_of(CustomerLevel)
users = table_of(User)
app_settings = table_of(AppSetting)

#: When ranks were last recomputed for real (ISO UTC); the scheduler's catch-up reads it.
LAST_RUN_SETTING = "loyalty.ranks_last_run"
#: A manual level (no threshold) is never replaced by an automatic one.
_MANUAL_LEVEL = 2**62
WINDOW_DAYS = 365


@dataclass(frozen=True)
class RankMove:
    from_rank: Rank
    to_rank: Rank
    customers: int

    @property
    def is_up(self) -> bool:
        return RANK_LEVEL[self.to_rank] > RANK_LEVEL[self.from_rank]


@dataclass(frozen=True)
class RecomputeReport:
    """What a recompute did (or, for a dry run, would do)."""

    dry_run: bool
    basis: RankBasis
    window: RankWindow
    moves: tuple[RankMove, ...]
    #: Customers per rank after the recompute (for a dry run: as they would be).
    counts: dict[Rank, int]
    level_upgrades: int
    pinned: int
    seconds: float
    ran_at: datetime
    level_moves: dict[str, int] = field(default_factory=dict)

    @property
    def up(self) -> int:
        return sum(m.customers for m in self.moves if m.is_up)

    @property
    def down(self) -> int:
        return sum(m.customers for m in self.moves if not m.is_up)

    def by_rank(self) -> dict[Rank, tuple[int, int]]:
        """Per rank: (customers moving up into it, customers moving down into it)."""
        out = dict.fromkeys(RANKS_DOWN, (0, 0))
        for m in self.moves:
            up, down = out[m.to_rank]
            out[m.to_rank] = (up + m.customers, down) if m.is_up else (up, down + m.customers)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "basis": self.basis.value,
            "window": self.window.value,
            "up": self.up,
            "down": self.down,
            "moves": [{"from": m.from_rank.value, "to": m.to_rank.value,
                       "customers": m.customers} for m in self.moves],
            "by_rank": {r.value: {"up": u, "down": d} for r, (u, d) in self.by_rank().items()},
            "counts": {r.value: n for r, n in self.counts.items()},
            "level_upgrades": self.level_upgrades,
            "level_moves": self.level_moves,
            "pinned": self.pinned,
            "seconds": round(self.seconds, 3),
            "ran_at": self.ran_at.isoformat(),
        }  # fmt: skip

    def summary(self) -> str:
        verb = "would move" if self.dry_run else "moved"
        text = f"Ranks: {self.up:,} {verb} up, {self.down:,} {verb} down"
        if self.level_upgrades:
            text += f"; {self.level_upgrades:,} {verb} up a level"
        return text + f" ({self.pinned:,} pinned left alone)."


# --------------------------------------------------------------------------- expressions


def _live() -> sa.ColumnElement[bool]:
    c = customers.c
    return sa.and_(c.deleted_at.is_(None), c.merged_into_id.is_(None))


def _window_orders(cutoff: datetime) -> sa.Subquery:
    """Completed orders created since `cutoff`, per customer: expenses and count."""
    o = orders.c
    return (
        sa.select(
            o.customer_id.label("cid"),
            sa.func.sum(o.total - o.refunded_amount).label("spent"),
            sa.func.count().label("n"),
        )
        .where(
            o.status == OrderStatus.COMPLETED.value,
            o.created_at >= cutoff,
            o.customer_id.is_not(None),
        )
        .group_by(o.customer_id)
        .subquery("window_orders")
    )


@dataclass(frozen=True)
class _Source:
    from_: sa.FromClause
    value: sa.ColumnElement[Any]
    spent: sa.ColumnElement[Any]


def _source(settings: RankSettings, now: datetime) -> _Source:
    c = customers.c
    if settings.window == RankWindow.ALL_TIME:
        column = c.total_expenses if settings.basis == RankBasis.EXPENSES else c.successful_orders
        return _Source(customers, column, c.total_expenses)
    agg = _window_orders(now - timedelta(days=WINDOW_DAYS))
    joined = customers.outerjoin(agg, agg.c.cid == c.id)
    spent = sa.func.coalesce(agg.c.spent, 0)
    value = spent if settings.basis == RankBasis.EXPENSES else sa.func.coalesce(agg.c.n, 0)
    return _Source(joined, value, spent)


def _rank_of(settings: RankSettings, value: sa.ColumnElement[Any]) -> sa.ColumnElement[str]:
    whens = [(value >= settings.threshold(r), sa.literal(r.value)) for r in RANKS_DOWN[:-1]]
    return sa.case(*whens, else_=sa.literal(Rank.COPPER.value))


def _threshold_of(settings: RankSettings, rank: sa.ColumnElement[Any]) -> sa.ColumnElement[int]:
    return sa.case({r.value: settings.threshold(r) for r in RANKS_DOWN}, value=rank, else_=0)


@dataclass(frozen=True)
class _Levels:
    """Auto-upgrade levels (those with a purchase threshold), highest threshold first."""

    rows: tuple[tuple[int, int], ...]

    def target(self, spent: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return sa.case(*[(spent >= t, lid) for lid, t in self.rows], else_=sa.null())

    def target_threshold(self, spent: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
        return sa.case(*[(spent >= t, t) for _lid, t in self.rows], else_=sa.null())

    def current_threshold(self) -> sa.ColumnElement[Any]:
        level = customers.c.level_id
        return sa.case((level.is_(None), -1), *[(level == lid, t) for lid, t in self.rows],
                       else_=_MANUAL_LEVEL)  # fmt: skip


def _auto_levels(conn: sa.Connection) -> _Levels:
    rows = conn.execute(
        sa.select(levels.c.id, levels.c.upgrade_threshold)
        .where(levels.c.upgrade_threshold.is_not(None))
        .order_by(levels.c.upgrade_threshold.desc(), levels.c.id)
    ).all()
    return _Levels(tuple((int(i), int(t)) for i, t in rows))


def _moves_select(
    settings: RankSettings, lv: _Levels, now: datetime
) -> tuple[sa.Select[Any], list[str]]:
    """One row per customer whose rank or level changes: (cid, old rank, new rank, value,
    old level, new level)."""
    c = customers.c
    src = _source(settings, now)
    computed = _rank_of(settings, src.value)
    new_rank = sa.case((c.rank_pinned, c.rank), else_=computed)
    rank_moves = sa.and_(sa.not_(c.rank_pinned), c.rank != computed)
    if lv.rows:
        upgrade = sa.and_(
            sa.not_(c.level_pinned),
            lv.target_threshold(src.spent).is_not(None),
            lv.target_threshold(src.spent) > lv.current_threshold(),
        )
        new_level: sa.ColumnElement[Any] = sa.case((upgrade, lv.target(src.spent)),
                                                   else_=c.level_id)  # fmt: skip
        changes = sa.or_(rank_moves, upgrade)
    else:
        new_level, changes = c.level_id, rank_moves
    cols = ["cid", "old_rank", "new_rank", "value", "old_level", "new_level"]
    stmt = (
        sa.select(c.id, c.rank, new_rank, src.value, c.level_id, new_level)
        .select_from(src.from_)
        .where(_live(), changes)
    )
    return stmt, cols


def _moves_table() -> sa.Table:
    return sa.Table(
        "rank_moves",
        sa.MetaData(),
        sa.Column("cid", sa.Integer, primary_key=True),
        sa.Column("old_rank", sa.String(20)),
        sa.Column("new_rank", sa.String(20)),
        sa.Column("value", sa.BigInteger),
        sa.Column("old_level", sa.Integer),
        sa.Column("new_level", sa.Integer),
        prefixes=["TEMPORARY"],
    )


# --------------------------------------------------------------------------- recompute


def recompute_ranks(ctx: ServiceContext, *, dry_run: bool = False) -> RecomputeReport:
    """Recompute every unpinned customer's rank (up and down) and move customers up to the
    level their purchases reach; a dry run reports the moves and changes nothing."""
    ctx.require(Module.CUSTOMERS)
    started = time.perf_counter()
    now = ctx.clock.now()
    with ctx.uow() as session:
        settings = rank_settings(session)
        conn = session.connection()
        lv = _auto_levels(conn)
        select, cols = _moves_select(settings, lv, now)
        if dry_run:
            moves, level_moves = _dry_moves(conn, select)
        else:
            moves, level_moves = _apply(conn, select, cols, settings, ctx, now)
        counts = _counts(conn)
        if dry_run:
            counts = _after(counts, moves)
        pinned_q = sa.select(sa.func.count()).where(_live(), customers.c.rank_pinned)
        pinned = int(conn.execute(pinned_q).scalar_one())
        report = RecomputeReport(
            dry_run, settings.basis, settings.window, moves, counts,
            sum(level_moves.values()), pinned, time.perf_counter() - started, now,
            level_moves,
        )  # fmt: skip
        if dry_run:
            session.rollback()
        else:
            ctx.audit(session, "ranks.recompute", entity_type="customer",
                      summary=report.summary())  # fmt: skip
            if report.up or report.down or report.level_upgrades:
                event = ActivityEvent(
                    kind=ActivityKind.RANKS_UPDATED, message=report.summary()[:255], created_at=now
                )
                session.add(event)
            _store_last_run(conn, now, ctx.actor.id)
    return report


def _level_names(conn: sa.Connection) -> dict[int, str]:
    return {int(i): str(n) for i, n in conn.execute(sa.select(levels.c.id, levels.c.name))}


def _group_moves(rows: Sequence[Sequence[Any]]) -> tuple[RankMove, ...]:
    moves = [RankMove(Rank(old), Rank(new), int(n)) for old, new, n in rows if old != new]
    return tuple(sorted(moves, key=lambda m: (-RANK_LEVEL[m.to_rank], RANK_LEVEL[m.from_rank])))


def _dry_moves(
    conn: sa.Connection, select: sa.Select[Any]
) -> tuple[tuple[RankMove, ...], dict[str, int]]:
    sub = select.subquery()
    old, new, old_level, new_level = (sub.c[i] for i in (1, 2, 4, 5))
    rows = conn.execute(sa.select(old, new, sa.func.count()).group_by(old, new)).all()
    lv_rows = conn.execute(
        sa.select(new_level, sa.func.count())
        .where(new_level.is_not(None), new_level.is_distinct_from(old_level))
        .group_by(new_level)
    ).all()
    names = _level_names(conn)
    return _group_moves(rows), {names.get(int(lid), str(lid)): int(n) for lid, n in lv_rows}


def _apply(
    conn: sa.Connection, select: sa.Select[Any], cols: list[str], settings: RankSettings,
    ctx: ServiceContext, now: datetime,
) -> tuple[tuple[RankMove, ...], dict[str, int]]:  # fmt: skip
    tmp = _moves_table()
    tmp.drop(conn, checkfirst=True)
    tmp.create(conn)
    try:
        conn.execute(tmp.insert().from_select(cols, select))
        t, c = tmp.c, customers.c
        rank_moved = t.old_rank != t.new_rank
        conn.execute(
            history.insert().from_select(
                ["customer_id", "from_rank", "to_rank", "basis", "value", "threshold",
                 "user_id", "changed_at"],
                sa.select(t.cid, t.old_rank, t.new_rank, sa.literal(settings.basis.value),
                          t.value, _threshold_of(settings, t.new_rank),
                          sa.literal(ctx.actor.id, sa.Integer), sa.literal(now, c.rank_since.type))
                .where(rank_moved),
            )
        )  # fmt: skip
        mine = sa.select(t.new_rank).where(t.cid == c.id).scalar_subquery()
        conn.execute(
            customers.update()
            .where(c.id.in_(sa.select(t.cid).where(rank_moved)))
            .values(rank=mine, rank_since=now)
        )
        level_moved = t.new_level.is_distinct_from(t.old_level)
        new_level = sa.select(t.new_level).where(t.cid == c.id).scalar_subquery()
        conn.execute(
            customers.update()
            .where(c.id.in_(sa.select(t.cid).where(level_moved)))
            .values(level_id=new_level)
        )
        rows = conn.execute(
            sa.select(t.old_rank, t.new_rank, sa.func.count()).group_by(t.old_rank, t.new_rank)
        ).all()
        lv_rows = conn.execute(
            sa.select(t.new_level, sa.func.count()).where(level_moved).group_by(t.new_level)
        ).all()
    finally:
        tmp.drop(conn)
    names = _level_names(conn)
    return _group_moves(rows), {names.get(int(lid), str(lid)): int(n) for lid, n in lv_rows}


def _counts(conn: sa.Connection) -> dict[Rank, int]:
    c = customers.c
    found: dict[Any, int] = dict(
        conn.execute(sa.select(c.rank, sa.func.count()).where(_live()).group_by(c.rank)).all()
    )
    return {rank: int(found.get(rank, 0)) for rank in RANKS_DOWN}


def _after(counts: dict[Rank, int], moves: Sequence[RankMove]) -> dict[Rank, int]:
    out = dict(counts)
    for m in moves:
        out[m.from_rank] -= m.customers
        out[m.to_rank] += m.customers
    return out


# --------------------------------------------------------------------------- last run


def _store_last_run(conn: sa.Connection, now: datetime, user_id: int | None) -> None:
    """Remember the run (not audited: the recompute's own audit row says it)."""
    value = json.dumps(now.isoformat())
    s = app_settings.c
    updated = conn.execute(
        app_settings.update().where(s.key == LAST_RUN_SETTING)
        .values(value_json=value, updated_at=now, updated_by_id=user_id)
    ).rowcount  # fmt: skip
    if not updated:
        row = {"key": LAST_RUN_SETTING, "value_json": value, "updated_at": now}
        conn.execute(app_settings.insert().values(**row, updated_by_id=user_id))


def last_run(ctx: ServiceContext) -> datetime | None:
    """When ranks were last recomputed for real (None: never)."""
    with ctx.uow() as session:
        row = session.get(AppSetting, LAST_RUN_SETTING)
    return None if row is None else datetime.fromisoformat(json.loads(row.value_json))


# --------------------------------------------------------------------------- per customer


@dataclass(frozen=True)
class RankHistoryRow:
    from_rank: Rank | None
    to_rank: Rank
    basis: RankBasis
    value: int
    threshold: int
    changed_at: datetime
    by: str | None


def rank_history(ctx: ServiceContext, customer_id: int, limit: int = 200) -> list[RankHistoryRow]:
    """The customer's rank changes, newest first."""
    ctx.require(Module.CUSTOMERS)
    h, u = history.c, users.c
    with ctx.uow() as session:
        rows = (
            session.connection()
            .execute(
                sa.select(
                    h.from_rank, h.to_rank, h.basis, h.value, h.threshold, h.changed_at, u.name
                )
                .select_from(history.outerjoin(users, users.c.id == h.user_id))
                .where(h.customer_id == customer_id)
                .order_by(h.changed_at.desc(), h.id.desc())
                .limit(limit)
            )
            .all()
        )
    return [RankHistoryRow(None if r[0] is None else Rank(r[0]), Rank(r[1]), RankBasis(r[2]),
                           int(r[3]), int(r[4]), r[5], r[6]) for r in rows]  # fmt: skip


def rank_counts(ctx: ServiceContext) -> dict[Rank, int]:
    """Customers per rank (deleted and merged customers left out)."""
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        return _counts(session.connection())


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFound(f"Customer {customer_id} no longer exists.")
    return customer


def set_pinned(ctx: ServiceContext, customer_id: int, pinned: bool) -> None:
    """Pin ("skip automatic update") or unpin a customer: the recompute leaves a pinned
    customer's rank and level alone."""
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        customer = _customer(session, customer_id)
        customer.rank_pinned = customer.level_pinned = pinned
        session.add(customer)
        ctx.audit(session, "customer.pin" if pinned else "customer.unpin",
                  entity_type="customer", entity_id=customer_id,
                  summary=f"{customer.code}: automatic rank/level update "
                          f"{'skipped' if pinned else 'resumed'}")  # fmt: skip


def set_rank(ctx: ServiceContext, customer_id: int, rank: Rank) -> None:
    """Give a customer a rank by hand; the customer is pinned so the recompute keeps it."""
    ctx.require(Module.CUSTOMERS)
    now = ctx.clock.now()
    with ctx.uow() as session:
        customer = _customer(session, customer_id)
        settings = rank_settings(session)
        if customer.rank != rank:
            value = (customer.total_expenses if settings.basis == RankBasis.EXPENSES
                     else customer.successful_orders)  # fmt: skip
            session.add(RankHistory(
                customer_id=customer_id, from_rank=customer.rank, to_rank=rank,
                basis=settings.basis, value=value, threshold=settings.threshold(rank),
                user_id=ctx.actor.id, changed_at=now,
            ))  # fmt: skip
            customer.rank, customer.rank_since = rank, now
        customer.rank_pinned = True
        session.add(customer)
        summary = f"{customer.code}: rank set to {rank.value} by hand (pinned)"
        ctx.audit(session, "customer.rank", entity_type="customer", entity_id=customer_id,
                  summary=summary)  # fmt: skip
