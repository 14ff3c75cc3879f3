"""Orders export benchmark: every order of a 100,000-order demo shop to .xlsx. Prints medians.

    .venv/bin/python benchmarks/bench_order_export.py [--orders 100000] [--customers 10000]
        [--runs 3] [--data-dir bench-data/export-100k] [--reuse]

Builds a fresh demo store (`primedist demo`, i.e. `generate_demo` as the demo owner; skipped
with --reuse when the data dir has one), then runs `services.order_export.export_orders`
on all orders `--runs` times in this process and reports the median time, the peak RSS
over the RSS just before each export (sampled every 5 ms; median and worst run), the
CPU time (the export is single-threaded: on a busy machine CPU time is the steadier
figure) and the file size.
Target (performance-limits.md T9): 100k orders <= 15 s, <= 50 MB extra memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_support import (  # noqa: E402  (benchmarks/ is on sys.path)
    PeakRss,
    print_summary,
    record,
    results,
)

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if not k.startswith("PRIMEDIST_")}


def generate(data_dir: Path, orders: int, customers: int) -> float:
    """A fresh demo store in `data_dir` (the `primedist demo` command, its own process)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "primedist", "--data-dir", str(data_dir), "demo"]
        + ["--orders", str(orders), "--customers", str(customers), "--json"],
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - t0
    summary = json.loads(out.stdout)
    assert summary["orders"] == orders, summary
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-data" / "export-100k")
    parser.add_argument(
        "--reuse", action="store_true", help="keep an existing data dir (skips generation)"
    )
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()

    if not (args.reuse and (data_dir / "primedist.db").exists()):
        print(f"== demo store: {args.orders:,} orders, {args.customers:,} customers")
        print(f"  generated in {generate(data_dir, args.orders, args.customers):.1f} s")

    from primedist.config import resolve_settings
    from primedist.db.store import open_store
    from primedist.services import auth
    from primedist.services.context import ServiceContext
    from primedist.services.order_export import export_orders

    settings = resolve_settings(data_dir)
    engine = open_store(settings)
    ctx = ServiceContext(engine, settings=settings)
    ctx = ctx.with_actor(auth.owner_actor(ctx))
    out_dir = data_dir / "exports"
    out_dir.mkdir(exist_ok=True)

    print(f"== export every order to .xlsx ({args.runs} runs)")
    times, cpu, extra, sizes, rows = [], [], [], [], 0
    for run in range(args.runs):
        target = out_dir / f"orders-{run}.xlsx"
        cpu0 = time.process_time()
        with PeakRss() as rss:
            report = export_orders(ctx, target)
        cpu.append(time.process_time() - cpu0)
        rows = report.rows
        times.append(report.seconds)
        extra.append(rss.extra_mb)
        sizes.append(target.stat().st_size / 1e6)
        print(
            f"  run {run + 1}: {report.rows:,} rows in {report.seconds:.2f} s "
            f"(CPU {cpu[-1]:.2f} s), "
            f"peak RSS +{rss.extra_mb:.1f} MB over {rss.baseline / 1e6:.0f} MB, "
            f"{sizes[-1]:.1f} MB file",
            flush=True,
        )
        target.unlink()
    record(f"export {rows:,} orders to .xlsx", times, "s", "<= 15 s (T9)")
    record("  CPU time of the export", cpu, "s", "(wall time on an idle machine)")
    record("peak extra RSS during the export", extra, "MB", "<= 50 MB (T9)")
    # The first run also fills SQLite's page cache and Python's allocator: report the worst.
    results.append(("peak extra RSS, worst run", max(extra), "MB", "<= 50 MB (T9)"))
    record("file size", sizes, "MB")
    print(f"  throughput: {rows / statistics.median(times):,.0f} rows/s")
    engine.dispose()

    print_summary(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
