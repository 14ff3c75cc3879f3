"""Orders-tab benchmarks on the 1,000,000-order demo shop. Prints medians.

    .venv/bin/python benchmarks/bench_orders.py [--data-dir bench-data/1m] [--runs 7]
        [--only-drill-down]

Uses the data dir of bench_foundation.py (built there, or here when missing: `primedist
demo --orders 1000000 --customers 100000`), migrated to the current schema. Measures:
  1. a list page (100 keys by keyset + their rows) for every status tab and chip filter,
     with the list's sorts, and deep in the list (keyset after row 500,000);  target ≤ 20 ms
  2. status-tab counts for a filter (daily summary, or one GROUP BY);         target ≤ 100 ms
  3. search-as-you-type: each keystroke's first page through SqlTableModel;     no freeze
     (performance-limits.md T7: <= 50 ms per keystroke)
  5. Analytics' drill-down chips (province, carrier, product; each alone, province +
     carrier, and with the "counted in revenue" chip the drill-down adds) with the date
     chip removed: the status-tab counts and the first page (100 rows) by the default
     sort (newest first);                      target as 1. and 2.: page ≤ 20 ms, counts ≤ 100 ms
  4. saving a 3-line counter sale for a customer with orders (create_order);    target ≤ 100 ms
     and an exchange of one item of such a sale for another (exchange_order: the return
     and the new sale in one transaction);                                      target ≤ 100 ms
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa  # noqa: E402

from primedist.config import resolve_settings  # noqa: E402
from primedist.core.clock import shop_tz  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.domain.enums import OrderSource, PaymentMethod  # noqa: E402
from primedist.queries.orders import (  # noqa: E402
    ORDERS_SPEC,
    OrderFilter,
    list_state,
    status_counts,
)
from primedist.queries.reports import rebuild_summaries, refresh_summaries  # noqa: E402
from primedist.queries.spec import QueryState, fetch_keys, fetch_rows  # noqa: E402
from primedist.services import auth  # noqa: E402
from primedist.services import orders as svc  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.services.customer_stats import refresh_customer_stats  # noqa: E402
from primedist.services.exchange import ExchangeDraft, exchange_order  # noqa: E402

TZ = shop_tz()


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def ensure_data(data_dir: Path) -> None:
    if not (data_dir / "primedist.db").exists():
        print(f"building the 1M demo shop in {data_dir} (a few minutes)…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "primedist", "--data-dir", str(data_dir), "demo",
             "--orders", "1000000", "--customers", "100000"],
            check=True, cwd=ROOT,
        )  # fmt: skip


def flag_some(engine: sa.Engine) -> int:
    """Flag 0.3 % of the orders (the demo flags none) so the flagged filter has rows."""
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orders SET flagged = (id % 331 = 0)"))
        return int(conn.execute(sa.text("SELECT count(*) FROM orders WHERE flagged")).scalar_one())


def summarised(engine: sa.Engine, n: int) -> None:
    """Rebuild the daily summaries when they do not count every order (a store whose
    benchmark sales were deleted before this script refreshed them afterwards)."""
    with engine.begin() as conn:
        counted = conn.execute(sa.text("SELECT sum(orders) FROM report_daily")).scalar_one()
        if counted != n:
            print(f"the daily summaries count {counted:,} orders: rebuilt", flush=True)
            rebuild_summaries(conn)


def page(conn: sa.Connection, state: QueryState, after: object = None) -> int:
    keys = fetch_keys(conn, ORDERS_SPEC, state, after=after, limit=100)  # type: ignore[arg-type]
    rows = fetch_rows(conn, ORDERS_SPEC, keys.keys)
    return len(rows)


def filters(shops: list[int]) -> dict[str, OrderFilter]:
    return {
        "no filter": OrderFilter(),
        "2 shops": OrderFilter(shop_ids=tuple(shops[:2])),
        "value 100k-300k": OrderFilter(min_total=100_000, max_total=300_000),
        "payment bank transfer": OrderFilter(payment_methods=(PaymentMethod.BANK_TRANSFER,)),
        "last 30 days": OrderFilter(date_from=date(2026, 10, 26), date_to=date(2026, 11, 25)),
        "flagged": OrderFilter(flagged_only=True),
        "return under way": OrderFilter(returns_under_way=True),  # Home's Return/Refund card
        "3 shops + value + 2025": OrderFilter(
            shop_ids=tuple(shops[:3]),
            min_total=100_000,
            date_from=date(2025, 1, 1),
            date_to=date(2025, 12, 31),
        ),  # fmt: skip
    }


def bench_pages(engine: sa.Engine, shops: list[int], runs: int) -> None:
    print("\n1. list page (100 rows), DB time — target ≤ 20 ms")
    worst = 0.0
    with engine.connect() as conn:
        for fname, flt in filters(shops).items():
            for tab in ("all", "pending", "completed", "return_refund"):
                for sort, desc in (("created_at", True), ("total", True)):
                    state = list_state(flt, tab, TZ, sort_key=sort, descending=desc)
                    med, mx = median_ms(lambda s=state: page(conn, s), runs)  # type: ignore[misc]
                    worst = max(worst, med)
                    print(f"  {fname:24} {tab:14} by {sort:10}: {med:7.2f} ms (max {mx:.2f})")
        state = list_state(OrderFilter(), "all", TZ)
        after = fetch_keys(conn, ORDERS_SPEC, state, after=None, limit=500_000).after
        med, mx = median_ms(lambda: page(conn, state, after), runs)
        worst = max(worst, med)
        print(f"  page after row 500,000 (all, by date): {med:.2f} ms (max {mx:.2f})")
        print(f"  => worst median page: {worst:.2f} ms")
        # A search's first page: full-text matches sorted (the search box's target is per
        # keystroke, section 3: T7 of performance-limits.md, <= 50 ms).
        slowest = 0.0
        for text in ("nguyen thi hoa", "0912", "dang van"):
            state = list_state(OrderFilter(), "all", TZ, search=text)
            med, mx = median_ms(lambda s=state: page(conn, s), runs)  # type: ignore[misc]
            slowest = max(slowest, med)
            print(f"  search {text!r:20}: {med:.2f} ms (max {mx:.2f})")
    print(f"  => slowest median search page: {slowest:.2f} ms")


def bench_counts(engine: sa.Engine, shops: list[int], runs: int) -> None:
    print("\n2. status-tab counts for a filter — target ≤ 100 ms")
    worst = 0.0
    with engine.connect() as conn:
        cases = list(filters(shops).items())
        for fname, flt in cases:
            med, mx = median_ms(lambda f=flt: status_counts(conn, f, TZ), runs)  # type: ignore[misc]
            worst = max(worst, med)
            print(f"  {fname:24}: {med:7.2f} ms (max {mx:.2f})")
        for text in ("nguyen thi hoa", "0912"):
            med, mx = median_ms(lambda t=text: status_counts(conn, OrderFilter(), TZ, t), runs)  # type: ignore[misc]
            worst = max(worst, med)
            print(f"  search {text!r:17}: {med:7.2f} ms (max {mx:.2f})")
    print(f"  => worst median count: {worst:.2f} ms")


def drill_filters(conn: sa.Connection) -> dict[str, OrderFilter]:
    """The drill-down chips with the data's own values: the busiest and the rarest
    province, the busiest carrier, the product in most orders and a typical one."""

    def first(sql: str) -> str:
        return str(conn.execute(sa.text(sql)).scalars().first())

    by = "FROM report_order_days WHERE {0} <> '' GROUP BY {0} ORDER BY count(*)"
    province = first(f"SELECT province {by.format('province')} DESC")
    rare = first(f"SELECT province {by.format('province')}")
    carrier = first(f"SELECT carrier {by.format('carrier')} DESC")
    per_product = (
        "SELECT v.product_id FROM order_lines l JOIN variants v ON v.id = l.variant_id "
        "GROUP BY v.product_id ORDER BY count(*) DESC"
    )
    products = [int(p) for p in conn.execute(sa.text(per_product)).scalars()]
    big, typical = products[0], products[len(products) // 2]
    return {
        f"province {province}": OrderFilter(province=province),
        f"province {rare} (rarest)": OrderFilter(province=rare),
        f"carrier {carrier}": OrderFilter(carriers=(carrier,)),
        f"product #{big} (most orders)": OrderFilter(product_id=big),
        f"product #{typical} (median)": OrderFilter(product_id=typical),
        f"province {province} + {carrier}": OrderFilter(province=province, carriers=(carrier,)),
        f"counted + province {province}": OrderFilter(counted_only=True, province=province),
        f"counted + product #{typical}": OrderFilter(counted_only=True, product_id=typical),
    }  # fmt: skip


def bench_drill_down(engine: sa.Engine, runs: int) -> None:
    print("\n5. Analytics' drill-down chips, no date — page ≤ 20 ms, counts ≤ 100 ms")
    worst_page = worst_count = 0.0
    with engine.connect() as conn:
        for fname, flt in drill_filters(conn).items():
            state = list_state(flt, "all", TZ)
            page_ms, page_max = median_ms(lambda s=state: page(conn, s), runs)  # type: ignore[misc]
            count_ms, count_max = median_ms(lambda f=flt: status_counts(conn, f, TZ), runs)  # type: ignore[misc]
            orders = status_counts(conn, flt, TZ)["all"]
            worst_page, worst_count = max(worst_page, page_ms), max(worst_count, count_ms)
            print(f"  {fname:32} {orders:>9,} orders: page {page_ms:7.2f} ms (max "
                  f"{page_max:.2f}), counts {count_ms:7.2f} ms (max {count_max:.2f})")  # fmt: skip
    print(f"  => worst median page: {worst_page:.2f} ms, count: {worst_count:.2f} ms")


def bench_typing(engine: sa.Engine) -> None:
    from PySide6.QtWidgets import QApplication

    from primedist.ui.formatting import CellFormatter
    from primedist.ui.table_model import SqlTableModel

    print("\n3. search-as-you-type through SqlTableModel (set_state + first 30 rows painted)")
    app = QApplication.instance() or QApplication([])
    model = SqlTableModel(engine, ORDERS_SPEC, formatter=CellFormatter())
    model.set_state(list_state(OrderFilter(), "all", TZ))
    app.processEvents()
    times = []
    text = ""
    for ch in "nguyen van an":
        text += ch
        t0 = time.perf_counter()
        model.set_state(list_state(OrderFilter(), "all", TZ, search=text))
        for r in range(min(30, model.rowCount())):
            for c in range(model.columnCount()):
                model.data(model.index(r, c))
        times.append((time.perf_counter() - t0) * 1000)
        app.processEvents()
    model.stop()
    print(f"  per keystroke: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
          f"({len(times)} keystrokes)")  # fmt: skip


def bench_sale(engine: sa.Engine, runs: int) -> None:
    print("\n4. saving a 3-line counter sale (create_order) — target ≤ 100 ms")
    ctx = ServiceContext(engine)
    ctx = ctx.with_actor(auth.owner_actor(ctx))
    with engine.connect() as conn:
        variants = [int(v) for v in conn.execute(sa.text(
            "SELECT id FROM variants WHERE is_active ORDER BY id LIMIT 3")).scalars()]  # fmt: skip
        best = "SELECT id FROM customers ORDER BY total_orders DESC LIMIT 1"
        customer = int(conn.execute(sa.text(best)).scalar_one())
    draft = svc.OrderDraft(
        lines=tuple(svc.DraftLine(v, 1) for v in variants), customer_id=customer,
        source=OrderSource.COUNTER, payment_method=PaymentMethod.CASH,
    )  # fmt: skip
    made: list[int] = []
    med, mx = median_ms(
        lambda: made.append(svc.create_order(ctx, draft, allow_negative_stock=True).id), runs
    )
    print(f"  create_order: {med:.1f} ms (max {mx:.1f}); quote_order: "
          f"{median_ms(lambda: svc.quote_order(ctx, draft), runs)[0]:.1f} ms")  # fmt: skip
    sales = iter([(sale, svc.order_detail(ctx, sale).lines[0].id or 0) for sale in made])

    def exchange() -> None:
        sale, line = next(sales)
        swap = svc.OrderDraft(lines=(svc.DraftLine(variants[-1], 1),),
                              payment_method=PaymentMethod.CASH)  # fmt: skip
        done = exchange_order(ctx, ExchangeDraft(sale, {line: 1}, "bench", swap),
                              allow_negative_stock=True)  # fmt: skip
        made.append(done.created.id)

    med, mx = median_ms(exchange, runs)
    print(f"  exchange_order: {med:.1f} ms (max {mx:.1f})")
    # Take the benchmark's sales back out so reruns start from the same data.
    with engine.begin() as conn:
        ids = ",".join(map(str, made))
        conn.execute(sa.text(f"DELETE FROM stock_movements WHERE order_id IN ({ids})"))
        conn.execute(sa.text(f"DELETE FROM orders WHERE id IN ({ids})"))
        refresh_summaries(conn, made)  # the status counts are read from the summaries
        refresh_customer_stats(conn, [customer], now=ctx.clock.now())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT / "bench-data" / "1m"))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--only-drill-down", action="store_true",
                    help="only section 5 (Analytics' drill-down chips)")  # fmt: skip
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    ensure_data(data_dir)
    settings = resolve_settings(data_dir)
    engine = open_store(settings)  # migrates (after a backup) when the schema is older
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
        busiest = "SELECT shop_id FROM orders GROUP BY shop_id ORDER BY count(*) DESC"
        shops = [int(s) for s in conn.execute(sa.text(busiest)).scalars()]
    print(f"{n:,} orders; flagged for the bench: {flag_some(engine):,}")
    summarised(engine, n)
    if args.only_drill_down:
        bench_drill_down(engine, args.runs)
        engine.dispose()
        return 0
    bench_pages(engine, shops, args.runs)
    bench_counts(engine, shops, args.runs)
    bench_drill_down(engine, args.runs)
    bench_typing(engine)
    bench_sale(engine, max(args.runs, 20))
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
