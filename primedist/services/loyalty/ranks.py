"""Customer ranks: the set-based recompute (with level auto-upgrade), its dry run, pinning
and the rank history.

The value a rank is measured on uses the customer statistics' definitions
(services/customer_stats.py): total expenses = Σ (total − refunded) of completed orders,
successful orders = completed orders. For all time the statistics columns on the
customer row are read; for the last 12 months the completed orders created in the window
are added up per customer.

A recompute is a few statements whatever the number of customers: one pass writes the
customers that move (rank or level) to a temporary table (the 12-month window is read once);
the report comes from that table and one grouped count of the customers by rank (from the
narrow `ix_customers_rank_live`); the history rows, the rank and the level updates are then
each one statement over it (customers visited in id order). On SQLite that transaction's
commit only appends to the WAL; the copy into the database file runs after, on a thread of
its own (db/bulk.checkpoint_in_background). `rank` is in that one small
index of `customers` alone (the list's wide sort indexes leave it out), so moving 36,000
customers rewrites one small index entry each, not seven wide ones.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from primedist.core.messages import msg
from primedist.db.bulk import checkpoint_in_background, space_checkpoints
from primedist.domain.base import table_of
from primedist.domain.customer import Customer
from primedist.domain.enums import ActivityKind, Module, OrderStatus, Rank, RankBasis, RankReason
from primedist.domain.loyalty import CustomerLevel, RankHistory
from primedist.domain.order import Order
from primedist.domain.settings import AppSetting
from primedist.domain.user import User
from primedist.errors import NotFound
from primedist.jobs.progress import NullProgress, Progress
from primedist.services import activity
from primedist.services.context import ServiceContext
from primedist.services.loyalty.settings import (
    RANK_LEVEL,
    RANKS_DOWN,
    RankSettings,
    RankWindow,
    check_thresholds,
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
#: From this many customers moved, the recompute's commit leaves the copy of the changed
#: pages into the database file to a background checkpoint.
MANY_MOVES = 2_000


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
        counts = {"up": self.up, "down": self.down, "pinned": self.pinned}
        if self.dry_run and self.level_upgrades:
            return msg(
                "Ranks: {up} would move up, {down} would move down; {levels} would move up "
                "a level ({pinned} pinned left alone).",
                levels=self.level_upgrades, **counts,
            )  # fmt: skip
        if self.dry_run:
            return msg(
                "Ranks: {up} would move up, {down} would move down ({pinned} pinned left "
                "alone).",
                **counts,
            )  # fmt: skip
        if self.level_upgrades:
            return msg(
                "Ranks: {up} moved up, {down} moved down; {levels} moved up a level "
                "({pinned} pinned left alone).",
                levels=self.level_upgrades, **counts,
            )  # fmt: skip
        return msg("Ranks: {up} moved up, {down} moved down ({pinned} pinned left alone).",
                   **counts)  # fmt: skip


# --------------------------------------------------------------------------- expressions


def _live() -> sa.ColumnElement[bool]:
    c = customers.c
    return sa.and_(c.deleted_at.is_(None), c.merged_into_id.is_(None))


#: The columns the 12-month aggregate reads: an index leading with customer_id that holds
#: them all (migration 0005's `ix_orders_customer_stats`) answers it index-only.
_WINDOW_COLUMNS = frozenset({"customer_id", "status", "created_at", "total", "refunded_amount"})


def _covering_index() -> bool:
    return any(
        ix.columns.keys()[:1] == ["customer_id"] and _WINDOW_COLUMNS <= set(ix.columns.keys())
        for ix in orders.indexes
    )


def _filter_column(column: sa.Column[Any], dialect: str) -> sa.ColumnElement[Any]:
    """On SQLite with the covering index, `+column`: the planner then walks that index in
    customer order (index-only, no sort) instead of the narrower status/date index with a
    table read per order (3-4 times slower over 1M orders)."""
    if dialect != "sqlite" or not _covering_index():
        return column
    return sa.type_coerce(sa.literal_column(f"+{orders.name}.{column.name}"), column.type)


def _window_orders(cutoff: datetime, dialect: str) -> sa.Subquery:
    """Completed orders created since `cutoff`, per customer: expenses and count (the
    customer statistics' definitions)."""
    o = orders.c
    return (
        sa.select(
            o.customer_id.label("cid"),
            sa.func.sum(o.total - o.refunded_amount).label("spent"),
            sa.func.count().label("n"),
        )
        .where(
            _filter_column(o.status, dialect) == OrderStatus.COMPLETED.value,
            _filter_column(o.created_at, dialect) >= cutoff,
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


def _source(settings: RankSettings, now: datetime, dialect: str) -> _Source:
    c = customers.c
    if settings.window == RankWindow.ALL_TIME:
        column = c.total_expenses if settings.basis == RankBasis.EXPENSES else c.successful_orders
        return _Source(customers, column, c.total_expenses)
    agg = _window_orders(now - timedelta(days=WINDOW_DAYS), dialect)
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


@dataclass(frozen=True)
class _Plan:
    """Per live customer: the rank and level the recompute gives, and whether they move."""

    from_: sa.FromClause
    value: sa.ColumnElement[Any]
    new_rank: sa.ColumnElement[Any]
    new_level: sa.ColumnElement[Any]
    #: The level the customer moves up to, NULL when the level stays.
    moved_level: sa.ColumnElement[Any]
    changes: sa.ColumnElement[bool]


def _plan(settings: RankSettings, lv: _Levels, now: datetime, dialect: str) -> _Plan:
    c = customers.c
    src = _source(settings, now, dialect)
    computed = _rank_of(settings, src.value)
    new_rank = sa.case((c.rank_pinned, c.rank), else_=computed)
    rank_moves = sa.and_(sa.not_(c.rank_pinned), c.rank != computed)
    if not lv.rows:
        return _Plan(src.from_, src.value, new_rank, c.level_id, sa.null(), rank_moves)
    target = lv.target_threshold(src.spent)
    upgrade = sa.and_(sa.not_(c.level_pinned), target.is_not(None), target > lv.current_threshold())
    moved_level = sa.case((upgrade, lv.target(src.spent)), else_=sa.null())
    new_level = sa.func.coalesce(moved_level, c.level_id)
    return _Plan(src.from_, src.value, new_rank, new_level, moved_level,
                 sa.or_(rank_moves, upgrade))  # fmt: skip


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


def recompute_ranks(
    ctx: ServiceContext, *, dry_run: bool = False, progress: Progress | None = None,
    conditions: RankSettings | None = None,
) -> RecomputeReport:  # fmt: skip
    """Recompute every unpinned customer's rank (up and down) and move customers up to the
    level their purchases reach; a dry run reports the moves and changes nothing.

    A dry run may try `conditions` not saved yet (Settings → Customer ranking previews the
    form as shown; checked as a save would); a real run always uses the saved ones.

    One pass writes the movers to a temporary table; the report is read from it and from
    the current counts per rank, and a real run applies the moves from it. All in one
    transaction: a cancel (`progress`, between the steps) raises Cancelled and leaves
    every rank and level as it was."""
    ctx.require(Module.CUSTOMERS)
    if conditions is not None and not dry_run:
        raise ValueError("unsaved rank conditions are for a dry run only")
    if conditions is not None:
        check_thresholds(conditions.basis, conditions.thresholds[conditions.basis])
    progress = progress or NullProgress()
    started = time.perf_counter()
    now = ctx.clock.now()
    with ctx.uow() as session:
        settings = conditions or rank_settings(session)
        conn = session.connection()
        plan = _plan(settings, _auto_levels(conn), now, conn.dialect.name)
        tmp = _moves_table()
        tmp.drop(conn, checkfirst=True)
        tmp.create(conn)
        applying = many = False
        try:
            progress.update(0.05)
            _fill_moves(conn, tmp, plan)  # the long read: about half the time
            progress.check()
            progress.update(0.5)
            report = _report(conn, tmp, settings, now, dry_run)
            progress.check()
            progress.update(0.6)
            applying = not dry_run and bool(report.moves or report.level_moves)
            many = applying and report.up + report.down + report.level_upgrades >= MANY_MOVES
            if many:
                space_checkpoints(conn)  # the commit appends to the WAL, no copy back
            if applying:
                _apply(conn, tmp, settings, ctx, now, progress)
        finally:
            tmp.drop(conn)
        progress.check()  # the last chance: after it, the moves are committed
        if dry_run:
            session.rollback()
        else:
            ctx.audit(session, "ranks.recompute", entity_type="customer",
                      summary=report.summary())  # fmt: skip
            if report.moves or report.level_moves:
                activity.post(session, ActivityKind.RANKS_UPDATED, now, up=report.up,
                              down=report.down, levels=report.level_upgrades)  # fmt: skip
            _store_last_run(conn, now, ctx.actor.id)
    if many:
        # Moving many customers rewrites most pages of `customers`: copying them into the
        # database file (~0.3 s at 36,000 moves) need not hold up the report.
        checkpoint_in_background(ctx.engine)
    return replace(report, seconds=time.perf_counter() - started)


def _fill_moves(conn: sa.Connection, tmp: sa.Table, plan: _Plan) -> None:
    """The live customers whose rank or level changes, with their old and new values (the
    one read of the rank's source)."""
    c = customers.c
    conn.execute(tmp.insert().from_select(
        ["cid", "old_rank", "new_rank", "value", "old_level", "new_level"],
        sa.select(c.id, c.rank, plan.new_rank, plan.value, c.level_id, plan.new_level)
        .select_from(plan.from_)
        .where(_live(), plan.changes),
    ))  # fmt: skip


def _report(
    conn: sa.Connection, tmp: sa.Table, settings: RankSettings, now: datetime, dry_run: bool
) -> RecomputeReport:
    """The moves grouped from the movers' table; the counts after = the counts now, moved."""
    t = tmp.c
    level_to = sa.case((t.new_level.is_distinct_from(t.old_level), t.new_level),
                       else_=sa.null()).label("level_to")  # fmt: skip
    movers = conn.execute(
        sa.select(t.old_rank, t.new_rank, level_to, sa.func.count())
        .group_by(t.old_rank, t.new_rank, level_to)
    ).all()  # fmt: skip
    counts, pinned = _counts_and_pinned(conn)
    for old, new, _level, n in movers:
        counts[Rank(old)] -= int(n)
        counts[Rank(new)] += int(n)
    level_moves = _level_moves(conn, [(lv, int(n)) for _o, _n, lv, n in movers])
    return RecomputeReport(
        dry_run, settings.basis, settings.window,
        _group_moves([(old, new, n) for old, new, _lv, n in movers]), counts,
        sum(level_moves.values()), pinned, 0.0, now, level_moves,
    )  # fmt: skip


def _level_names(conn: sa.Connection) -> dict[int, str]:
    return {int(i): str(n) for i, n in conn.execute(sa.select(levels.c.id, levels.c.name))}


def _group_moves(rows: Sequence[Sequence[Any]]) -> tuple[RankMove, ...]:
    merged: dict[tuple[Rank, Rank], int] = {}
    for old, new, n in rows:
        if old != new:
            key = (Rank(old), Rank(new))
            merged[key] = merged.get(key, 0) + int(n)
    moves = [RankMove(old, new, n) for (old, new), n in merged.items()]
    return tuple(sorted(moves, key=lambda m: (-RANK_LEVEL[m.to_rank], RANK_LEVEL[m.from_rank])))


def _level_moves(conn: sa.Connection, rows: Sequence[tuple[Any, int]]) -> dict[str, int]:
    names = _level_names(conn)
    out: dict[str, int] = {}
    for level_id, n in rows:
        if level_id is not None:
            name = names.get(int(level_id), str(level_id))
            out[name] = out.get(name, 0) + int(n)
    return out


def _apply(
    conn: sa.Connection, tmp: sa.Table, settings: RankSettings, ctx: ServiceContext,
    now: datetime, progress: Progress,
) -> None:  # fmt: skip
    """The history rows, then the rank and level updates, each one statement over the
    movers' table (keyed by customer id: the customers are visited in id order). A cancel
    is seen between them (the caller's transaction then undoes them all)."""
    c, t = customers.c, tmp.c
    rank_moved = t.old_rank != t.new_rank
    conn.execute(
        history.insert().from_select(
            ["customer_id", "from_rank", "to_rank", "basis", "value", "threshold",
             "user_id", "changed_at"],
            sa.select(t.cid, t.old_rank, t.new_rank, sa.literal(settings.basis.value),
                      t.value, _threshold_of(settings, t.new_rank),
                      sa.literal(ctx.actor.id, sa.Integer),
                      sa.literal(now, c.rank_since.type))
            .where(rank_moved),
        )
    )  # fmt: skip
    progress.check()
    progress.update(0.7)
    # `id IN (movers)`: the customers are sought by id from the movers' table (an UPDATE …
    # FROM lets SQLite scan all customers and look each up there). Rank and level apart:
    # assigning a column rewrites its index entries even when the value stays.
    mine = sa.select(t.new_rank).where(t.cid == c.id).scalar_subquery()
    conn.execute(
        customers.update()
        .where(c.id.in_(sa.select(t.cid).where(rank_moved)))
        .values(rank=mine, rank_since=now)
    )
    progress.check()
    progress.update(0.85)
    level_moved = t.new_level.is_distinct_from(t.old_level)
    new_level = sa.select(t.new_level).where(t.cid == c.id).scalar_subquery()
    conn.execute(
        customers.update()
        .where(c.id.in_(sa.select(t.cid).where(level_moved)))
        .values(level_id=new_level)
    )


def _counts_and_pinned(conn: sa.Connection) -> tuple[dict[Rank, int], int]:
    """Live customers per rank, and how many of them are pinned."""
    c = customers.c
    pinned = sa.func.sum(sa.case((c.rank_pinned, 1), else_=0))
    rows = conn.execute(
        sa.select(c.rank, sa.func.count(), pinned).where(_live()).group_by(c.rank)
    ).all()
    counts = dict.fromkeys(RANKS_DOWN, 0)
    for rank, n, _p in rows:
        counts[Rank(rank)] = int(n)
    return counts, sum(int(p or 0) for _r, _n, p in rows)


def _counts(conn: sa.Connection) -> dict[Rank, int]:
    return _counts_and_pinned(conn)[0]


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
    #: What the rank was reached on; None: given by hand (`set_rank`).
    basis: RankBasis | None
    value: int
    threshold: int
    changed_at: datetime
    by: str | None

    @property
    def by_hand(self) -> bool:
        """Given by hand: so recorded, or (a row of before `RankReason.MANUAL`) a rank
        above what the customer had reached."""
        return self.basis is None or self.value < self.threshold


def _basis(stored: str) -> RankBasis | None:
    return None if stored == RankReason.MANUAL else RankBasis(stored)


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
    return [RankHistoryRow(None if r[0] is None else Rank(r[0]), Rank(r[1]), _basis(r[2]),
                           int(r[3]), int(r[4]), r[5], r[6]) for r in rows]  # fmt: skip


def rank_counts(ctx: ServiceContext) -> dict[Rank, int]:
    """Customers per rank (deleted and merged customers left out)."""
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        return _counts(session.connection())


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None:
        raise NotFound(
            msg("Customer {customer_id} no longer exists.", customer_id=str(customer_id))
        )
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
                  summary=msg("{customer}: automatic rank/level update skipped",
                              customer=customer.code) if pinned
                  else msg("{customer}: automatic rank/level update resumed",
                           customer=customer.code))  # fmt: skip


def set_rank(ctx: ServiceContext, customer_id: int, rank: Rank) -> None:
    """Give a customer a rank by hand; the customer is pinned so the recompute keeps it.
    The history records it as given by hand (`RankReason.MANUAL`, by whom and when), not
    with a value and threshold as if the recompute had reached it."""
    ctx.require(Module.CUSTOMERS)
    now = ctx.clock.now()
    with ctx.uow() as session:
        customer = _customer(session, customer_id)
        if customer.rank != rank:
            session.add(RankHistory(
                customer_id=customer_id, from_rank=customer.rank, to_rank=rank,
                basis=RankReason.MANUAL, value=0, threshold=0, user_id=ctx.actor.id,
                changed_at=now,
            ))  # fmt: skip
            customer.rank, customer.rank_since = rank, now
        customer.rank_pinned = True
        session.add(customer)
        summary = msg("{customer}: rank set to {rank} by hand (pinned)", customer=customer.code,
                      rank=rank)  # fmt: skip
        ctx.audit(session, "customer.rank", entity_type="customer", entity_id=customer_id,
                  summary=summary)  # fmt: skip


@dataclass(frozen=True)
class RankStatus:
    """A customer's rank, whether it is pinned, and its history (newest first)."""

    rank: Rank
    #: The rank or the level is pinned (given by hand, or "skip automatic update").
    pinned: bool
    since: datetime | None
    history: list[RankHistoryRow]
    #: The customer's level (group), None for none.
    level_id: int | None = None


def rank_status(ctx: ServiceContext, customer_id: int) -> RankStatus:
    ctx.require(Module.CUSTOMERS)
    with ctx.uow() as session:
        customer = _customer(session, customer_id)
        rank, since, level_id = customer.rank, customer.rank_since, customer.level_id
        pinned = bool(customer.rank_pinned or customer.level_pinned)
    return RankStatus(Rank(rank), pinned, since, rank_history(ctx, customer_id), level_id)
