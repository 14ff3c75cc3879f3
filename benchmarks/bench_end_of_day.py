"""End-of-day report benchmark on a 1,000,000-order demo shop. Prints medians.

    .venv/bin/python benchmarks/bench_end_of_day.py [--orders 1000000] [--runs 7]
        [--data-dir bench-data/end-of-day] [--reuse]

Builds the demo shop (`primedist demo --orders N`: two years of orders over 4-6 shops,
counter sales with staff, refunds made by returning a few of the busiest day's orders
through the service) unless `--reuse`, then times `services.end_of_day.end_of_day` — the
whole report: sales per payment method, per shop, refunds, products sold — for the busiest
day, for that day and one shop, for one staff member, and for an empty day. What the
dialog waits for after each change of day, shop or staff member. Target: well under the
100 ms a list's counts may take.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key in [k for k in os.environ if k.startswith("PRIMEDIST_")]:
    del os.environ[key]

import sqlalchemy as sa  # noqa: E402
from bench_support import timed_ms  # noqa: E402

from primedist.config import resolve_settings  # noqa: E402
from primedist.core.clock import FixedClock, local_day_bounds_utc, shop_tz  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.domain.enums import OrderSource, OrderStatus  # noqa: E402
from primedist.domain.order import Order  # noqa: E402
from primedist.services import demo  # noqa: E402
from primedist.services import orders as order_svc  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.services.end_of_day import end_of_day  # noqa: E402


def build(folder: Path, orders: int) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    settings = resolve_settings(folder)
    settings.ensure_dirs()
    ctx = ServiceContext(open_store(settings), settings=settings)
    owner = ctx.with_actor(demo.ensure_demo_owner(ctx))
    t0 = time.perf_counter()
    demo.generate_demo(owner, orders=orders, customers=max(3_000, orders // 10))
    print(f"  demo shop of {orders:,} orders built in {time.perf_counter() - t0:.1f} s")
    ctx.engine.dispose()


def busiest_day(conn: sa.Connection) -> date:
    row = conn.execute(sa.text(
        "SELECT date(created_at, '+7 hours') AS d, count(*) FROM orders GROUP BY d "
        "ORDER BY 2 DESC LIMIT 1"
    )).one()  # fmt: skip
    return date.fromisoformat(row[0])


def return_some(owner: ServiceContext, day: date, n: int = 20) -> int:
    """Return the first item of `n` completed own orders of `day`, at 20:00 that day (the
    refunds of that day)."""
    start, end = local_day_bounds_utc(day, shop_tz())
    owner = replace(owner, clock=FixedClock(end - timedelta(hours=4)))
    with owner.engine.connect() as conn:
        ids = list(conn.execute(
            sa.select(Order.id).where(  # type: ignore[call-overload]
                Order.created_at >= start, Order.created_at < end,
                Order.status == OrderStatus.COMPLETED, Order.source != OrderSource.MARKETPLACE,
                Order.refunded_amount == 0,
            ).limit(n)
        ).scalars())  # fmt: skip
    for order_id in ids:
        line = order_svc.order_detail(owner, order_id).lines[0]
        order_svc.return_order(owner, order_id, {line.id or 0: 1}, reason="bench")
    return len(ids)


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm the page cache
    return timed_ms(runs, fn)


def main() -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-data" / "end-of-day")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    folder = args.data_dir.resolve()
    if not args.reuse or not (folder / "primedist.db").exists():
        print(f"== building a demo shop of {args.orders:,} orders (not timed)", flush=True)
        build(folder, args.orders)
    settings = resolve_settings(folder)
    ctx = ServiceContext(open_store(settings), settings=settings)
    owner = ctx.with_actor(demo.ensure_demo_owner(ctx))
    with ctx.engine.connect() as conn:
        total = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
        day = busiest_day(conn)
        shop = conn.execute(sa.text("SELECT id FROM shops ORDER BY id LIMIT 1")).scalar_one()
        staff = conn.execute(sa.text(
            "SELECT created_by_id FROM orders WHERE created_by_id IS NOT NULL "
            "GROUP BY created_by_id ORDER BY count(*) DESC LIMIT 1")).scalar()  # fmt: skip
    refunds = end_of_day(owner, day).refunds
    if refunds == 0:
        refunds = return_some(owner, day)
    report = end_of_day(owner, day)
    print(f"== {total:,} orders; busiest day {day}: {report.orders:,} sales, "
          f"{report.cancelled_orders:,} cancelled, {report.refunds:,} refunds, "
          f"{len(report.products):,} SKUs sold", flush=True)  # fmt: skip
    cases: dict[str, Callable[[], object]] = {
        "the busiest day, every shop": lambda: end_of_day(owner, day),
        "that day, one shop": lambda: end_of_day(owner, day, shop_ids=[shop]),
        "that day, one staff member": lambda: end_of_day(owner, day, user_id=staff),
        "a day with no orders": lambda: end_of_day(owner, day + timedelta(days=3650)),
    }
    print(f"\nSummary (medians of {args.runs}, ms)")
    for name, fn in cases.items():
        values = timed(fn, args.runs)
        print(f"  {name:<32} {statistics.median(values):8.1f} ms  "
              f"(min {min(values):.1f} max {max(values):.1f})")  # fmt: skip
    ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
