"""Dashboards benchmark: Home and Analytics over 1,000,000 orders, and what keeping the
daily summaries costs the order writers. Prints medians.

    .venv/bin/python benchmarks/bench_dashboards.py [--source bench-data/1m]
        [--work bench-data/dash] [--runs 9] [--reuse] [--import-runs 3]

1. Copies the 1M-order store (`--source`, made by bench_foundation.py) to `--work` (not
   with --reuse), migrates it (the 0008 migration fills the summaries) and times
   `report rebuild` (services.reports.rebuild) once.
2. Home (`dashboard`) and Analytics (`analytics`) for 7 days and for 365 days, over all
   shops and over one shop, `--runs` times each after one warm-up run.
   Targets (issue 9): 365 days <= 300 ms, 7 days <= 50 ms.
3. A single status change (confirm a pending order) on that store: the whole
   `change_status`, and `refresh_summaries` alone (its share), each rolled back.
4. The order import benchmark's file (bench-data/import/orders.csv, 100,000 lines; made by
   bench_order_import.py) into a fresh store, `--import-runs` times: the whole import and
   the time spent in `refresh_summaries` inside it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench_support import print_summary, record, template_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key in [k for k in os.environ if k.startswith("PRIMEDIST_")]:
    del os.environ[key]

import sqlalchemy as sa  # noqa: E402

from primedist.config import resolve_settings  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.services import order_effects, reports  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402


def timed(fn: Any, runs: int) -> list[float]:
    fn()  # warm-up (file cache, statement cache)
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def prepare(source: Path, work: Path, reuse: bool) -> ServiceContext:
    if not reuse or not (work / "primedist.db").exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        print(f"copying {source} to {work} …", flush=True)
        shutil.copyfile(source / "primedist.db", work / "primedist.db")
        t = time.perf_counter()
        engine = open_store(resolve_settings(work))
        print(f"  migrated (0004…0008, 0008 fills the summaries) in "
              f"{time.perf_counter() - t:.1f} s", flush=True)  # fmt: skip
    else:
        engine = open_store(resolve_settings(work))
    ctx = ServiceContext(engine)
    from primedist.services import auth

    ctx = ctx.with_actor(auth.owner_actor(ctx))
    report = reports.rebuild(ctx)
    record("report rebuild (1M orders)", [report.seconds], "s")
    return ctx


def bench_queries(ctx: ServiceContext, runs: int) -> None:
    with ctx.engine.connect() as conn:
        last = conn.execute(sa.text("SELECT max(day) FROM report_daily")).scalar()
        one_shop = conn.execute(
            sa.text("SELECT min(id) FROM shops WHERE channel = 'shopee'")
        ).scalar()
    end = last if not isinstance(last, str) else __import__("datetime").date.fromisoformat(last)
    for days, target in ((7, "<= 50 ms"), (365, "<= 300 ms")):
        start = end - timedelta(days=days - 1)
        for label, shops in (("all shops", ()), ("one shop", (one_shop,))):
            home = timed(lambda s=start, sh=shops: reports.dashboard(ctx, s, end, sh), runs)
            record(f"Home {days} d, {label}", home, "ms", target)
            ana = timed(lambda s=start, sh=shops: reports.analytics(ctx, s, end, sh), runs)
            record(f"Analytics {days} d, {label}", ana, "ms", target)
    start = end - timedelta(days=364)
    ser = timed(lambda: reports.series(ctx, "revenue", start, end, grain="day"), runs)
    record("detail series: revenue by day, 365 d", ser, "ms")
    ser = timed(lambda: reports.series(ctx, "repeat_rate", start, end, grain="month"), runs)
    record("detail series: repeat rate by month, 365 d", ser, "ms")


def bench_status_change(ctx: ServiceContext, runs: int) -> None:
    from primedist.domain.enums import OrderStatus
    from primedist.queries.reports import refresh_summaries
    from primedist.services import orders as order_service

    with ctx.engine.connect() as conn:
        ids = list(conn.execute(sa.text(
            "SELECT id FROM orders WHERE status = 'pending' ORDER BY id DESC LIMIT :n"),
            {"n": runs + 1}).scalars())  # fmt: skip
    whole, alone = [], []

    class Rollback(Exception):
        pass

    real = ctx.uow

    for oid in ids:
        # The whole change, rolled back so every run confirms a pending order.
        from contextlib import contextmanager

        @contextmanager
        def uow_rolled_back(*, write: bool = False) -> Any:
            with real(write=write) as session:
                yield session
                session.flush()
                raise Rollback

        object.__setattr__(ctx, "uow", uow_rolled_back)
        t = time.perf_counter()
        try:
            order_service.change_status(ctx, oid, OrderStatus.CONFIRMED)
        except Rollback:
            pass
        whole.append((time.perf_counter() - t) * 1000)
        object.__setattr__(ctx, "uow", real)
        with ctx.engine.connect() as conn:
            t = time.perf_counter()
            refresh_summaries(conn, [oid])
            alone.append((time.perf_counter() - t) * 1000)
            conn.rollback()
    record("status change (confirm), whole", whole[1:], "ms")
    record("  of which refresh_summaries", alone[1:], "ms")


def bench_import(work: Path, runs: int) -> None:
    file = ROOT / "bench-data" / "import" / "orders.csv"
    if not file.exists():
        print(f"  (skipped: {file} is missing; run bench_order_import.py once)")
        return
    from bench_order_import import SHOPS  # noqa: E402

    from primedist.services.order_import import import_orders

    template = template_store(work / "import-template", SHOPS)
    spent: list[float] = []
    real = order_effects.refresh_summaries

    def timed_refresh(conn: Any, ids: Any) -> int:
        t = time.perf_counter()
        try:
            return real(conn, ids)
        finally:
            spent.append(time.perf_counter() - t)

    order_effects.refresh_summaries = timed_refresh  # type: ignore[assignment]
    whole, share = [], []
    for i in range(runs):
        run_dir = work / f"import-run-{i}"
        shutil.rmtree(run_dir, ignore_errors=True)
        run_dir.mkdir()
        shutil.copyfile(template, run_dir / "primedist.db")
        engine = open_store(resolve_settings(run_dir))
        ctx = ServiceContext(engine)
        from primedist.services import auth

        ctx = ctx.with_actor(auth.owner_actor(ctx))
        spent.clear()
        t = time.perf_counter()
        report = import_orders(ctx, file)
        whole.append(time.perf_counter() - t)
        share.append(sum(spent))
        print(f"  import run {i + 1}: {whole[-1]:.2f} s, refresh_summaries {share[-1]:.3f} s "
              f"({report.orders_inserted:,} orders)", flush=True)  # fmt: skip
        engine.dispose()
        shutil.rmtree(run_dir, ignore_errors=True)
    order_effects.refresh_summaries = real
    record("import 100,000 lines (csv), whole", whole, "s")
    record("  of which refresh_summaries", share, "s")
    print(f"  share: {statistics.median(share) / statistics.median(whole) * 100:.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", type=Path, default=ROOT / "bench-data" / "1m")
    ap.add_argument("--work", type=Path, default=ROOT / "bench-data" / "dash")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--import-runs", type=int, default=3)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--skip-import", action="store_true")
    args = ap.parse_args()
    ctx = prepare(args.source, args.work, args.reuse)
    bench_queries(ctx, args.runs)
    bench_status_change(ctx, args.runs)
    ctx.engine.dispose()
    if not args.skip_import:
        bench_import(args.work, args.import_runs)
    print_summary()


if __name__ == "__main__":
    main()
