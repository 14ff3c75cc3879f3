"""Customer statistics rebuild on the 1,000,000-order demo shop. Prints medians.

    .venv/bin/python benchmarks/bench_customer_stats.py [--data-dir bench-data/1m] [--runs 5]

Works on a COPY of the demo store (`benchmarks/bench_foundation.py` builds bench-data/1m;
this script never rebuilds nor changes it), migrated to the current schema; the upgrade
to migration 0005 (building the covering index `ix_orders_customer_stats` over the 1M
orders) is timed on its own. Measures `services.customer_stats.rebuild_all_stats` over
every customer:
  1. when the statistics are already right (the usual case: they are kept incrementally;
     nothing is rewritten);                                          target <= 3 s
  2. when every customer's statistics are wrong (zeroed first, outside the timing), so
     every customer with orders is rewritten (each statistics column is in several list
     indexes, which is what this case costs).
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
from primedist.db.engine import make_engine  # noqa: E402
from primedist.db.store import current_revision, open_store, upgrade  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.services.customer_stats import rebuild_all_stats  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=ROOT / "bench-data" / "1m")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    source = args.data_dir / "primedist.db"
    if not source.exists():
        sys.exit(f"{source} is missing: build it with benchmarks/bench_foundation.py")
    with tempfile.TemporaryDirectory(prefix="bench-cstats-") as tmp:
        work = Path(tmp)
        shutil.copyfile(source, work / "primedist.db")
        engine = make_engine(f"sqlite:///{work / 'primedist.db'}")
        if (current_revision(engine) or "") < "0005_order_indexes":
            upgrade(engine, "0004_customers")
            t0 = time.perf_counter()
            upgrade(engine, "0005_order_indexes")
            print(f"migration 0005 (covering customer index): {time.perf_counter() - t0:.1f} s")
        engine.dispose()
        engine = open_store(resolve_settings(work))  # migrates the copy the rest of the way
        ctx = ServiceContext(engine)
        first = rebuild_all_stats(ctx)  # warm-up; also makes the copy right
        print(f"{first.customers:,} customers; warm-up corrected {first.changed:,}")
        with engine.connect() as conn:
            orders = conn.exec_driver_sql("SELECT count(*) FROM orders").scalar_one()
        print(f"{orders:,} orders; load {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        right, wrong = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            report = rebuild_all_stats(ctx)
            right.append(time.perf_counter() - t0)
            assert report.changed == 0, report
        record("rebuild, statistics already right", right, "s", "target <= 3 s")
        for _ in range(max(1, args.runs // 2)):
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    "UPDATE customers SET total_orders = 0, successful_orders = 0, "
                    "total_expenses = 0, last_order_at = NULL, first_order_at = NULL"
                )
            t0 = time.perf_counter()
            report = rebuild_all_stats(ctx)
            wrong.append(time.perf_counter() - t0)
        print(f"  ({report.changed:,} customers rewritten per run)")
        record("rebuild, every customer wrong", wrong, "s")
        engine.dispose()
    print_summary(40)


if __name__ == "__main__":
    main()
