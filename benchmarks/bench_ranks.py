"""Customer rank recompute on the 1,000,000-order demo shop. Prints medians.

    .venv/bin/python benchmarks/bench_ranks.py [--data-dir bench-data/1m] [--runs 5]

Works on a COPY of the demo store (`benchmarks/bench_foundation.py` builds bench-data/1m),
migrated to the current schema. For each window (all time: the customer statistics
columns; last 12 months: completed orders of the window added up per customer) it times
`services.loyalty.ranks.recompute_ranks`:
  1. a dry run (reports the moves, changes nothing);            target <= 1 s
  2. a real recompute with nothing to move (the usual night);   target <= 1 s
  3. a real recompute after the thresholds changed, so ~36,000 customers move (history
     rows and rank updates written; the thresholds alternate between two sets per run);
     target <= 1 s. Since migration 0011 `rank` is in one small index of `customers`
     (ix_customers_rank_live), not in the Customers list's six wide sort indexes: each
     customer moved rewrites that entry and its row. The commit only appends to the WAL;
     the copy into the database file runs after it on a background thread (its time is
     printed apart: the next run waits for it untimed).
Each figure has its CPU seconds beside it: on a busy machine compare those.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_support import print_summary, record  # noqa: E402  (benchmarks/ is on sys.path)

from primedist.config import resolve_settings  # noqa: E402
from primedist.db.bulk import wait_for_background_checkpoints  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.domain.enums import RankBasis  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.services.loyalty.ranks import recompute_ranks  # noqa: E402
from primedist.services.loyalty.settings import RankWindow, save_rank_settings  # noqa: E402

LOW = (8_000_000, 3_000_000, 600_000, 0)
HIGH = (12_000_000, 6_000_000, 1_500_000, 0)


def _time(fn: object, cpu: list[float]) -> tuple[float, object]:
    """Wall seconds (and the process's CPU seconds appended to `cpu`: on a shared, busy
    machine the wall time counts other processes' turns too)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()  # type: ignore[operator]
    cpu.append(time.process_time() - c0)
    return time.perf_counter() - t0, out


def bench_window(ctx: ServiceContext, window: RankWindow, runs: int) -> None:
    label = "all time" if window == RankWindow.ALL_TIME else "12 months"
    defaults = {RankBasis.EXPENSES: (10_000_000, 5_000_000, 1_000_000, 0)}
    save_rank_settings(ctx, basis=RankBasis.EXPENSES, window=window, thresholds=defaults)
    first = recompute_ranks(ctx)  # settles the ranks for this window
    print(f"[{label}] settling run moved {first.up:,} up / {first.down:,} down")
    dry, still, moving, copied = [], [], [], []
    cpu: dict[str, list[float]] = {"dry": [], "still": [], "moving": []}
    moved = 0
    for _ in range(runs):
        seconds, report = _time(lambda: recompute_ranks(ctx, dry_run=True), cpu["dry"])
        dry.append(seconds)
        seconds, report = _time(lambda: recompute_ranks(ctx), cpu["still"])
        still.append(seconds)
        assert report.up == report.down == 0, report  # type: ignore[attr-defined]
    for i in range(runs):
        changed = {RankBasis.EXPENSES: LOW if i % 2 == 0 else HIGH}
        save_rank_settings(ctx, basis=RankBasis.EXPENSES, window=window, thresholds=changed)
        seconds, report = _time(lambda: recompute_ranks(ctx), cpu["moving"])
        moving.append(seconds)
        t0 = time.perf_counter()
        wait_for_background_checkpoints()  # before the next run, not timed with this one
        copied.append(time.perf_counter() - t0)
        moved = report.up + report.down  # type: ignore[attr-defined]
    record(f"dry run, {label}", dry, "s", "target <= 1 s")
    record(f"  (CPU) dry run, {label}", cpu["dry"], "s")
    record(f"recompute, nothing moves, {label}", still, "s", "target <= 1 s")
    record(f"  (CPU) recompute, nothing moves, {label}", cpu["still"], "s")
    record(f"recompute, ~{moved:,} move, {label}", moving, "s", "target <= 1 s")
    record(f"  (CPU) recompute, ~{moved:,} move, {label}", cpu["moving"], "s")
    record(f"  then waiting for its background WAL checkpoint, {label}", copied, "s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench-data" / "1m")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    source = args.data_dir / "primedist.db"
    if not source.exists():
        sys.exit(f"{source} is missing: build it with benchmarks/bench_foundation.py")
    with tempfile.TemporaryDirectory(prefix="bench-ranks-") as tmp:
        work = Path(tmp)
        shutil.copyfile(source, work / "primedist.db")
        t0 = time.perf_counter()
        engine = open_store(resolve_settings(work))  # migrates the copy
        print(f"copy migrated in {time.perf_counter() - t0:.1f} s")
        with engine.connect() as conn:
            orders = conn.exec_driver_sql("SELECT count(*) FROM orders").scalar_one()
            people = conn.exec_driver_sql("SELECT count(*) FROM customers").scalar_one()
            indexes = [r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='orders'"
                " AND name LIKE '%customer%'")]  # fmt: skip
        print(f"{people:,} customers, {orders:,} orders; customer indexes on orders: {indexes}")
        print(f"load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        ctx = ServiceContext(engine)
        for window in (RankWindow.ALL_TIME, RankWindow.LAST_12_MONTHS):
            bench_window(ctx, window, args.runs)
        engine.dispose()
    print_summary(44)


if __name__ == "__main__":
    main()
