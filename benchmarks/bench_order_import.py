"""Order import benchmark: a 100,000-line file in the generic order template. Prints medians.

    .venv/bin/python benchmarks/bench_order_import.py [--lines 100000] [--runs 3]
        [--work-dir bench-data/import] [--keep]

Generates one believable file (about 52,000 orders of 1-5 lines over 5 shops, 12,000
buyers with phones, marketplace buyer ids, 2,000 SKUs; Vietnamese names and provinces;
some masked phones) as .csv and as .xlsx (xlsxwriter constant_memory; generation is not
timed). Then, for each format, `--runs` times, each run in its own process: a fresh
migrated store (a copy of one migrated, set-up template), `import_orders` as the owner
timed end to end (read, check, plan, write, commit), then a second import of the same
file into that store (every order unchanged; nothing written). Also printed: the CPU
time of the import (on a shared machine the wall time includes waiting for a CPU; the
load average is shown per run) and the peak RSS over the RSS before the import (sampled
every 5 ms), and where the first import's time went: reading the file, and each step of
`orders_changed` (customer statistics, loyalty, daily summaries: whatever the hook calls).
Targets (performance-limits.md T10): csv <= 5 s, xlsx <= 8 s.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_support import (  # noqa: E402  (benchmarks/ is on sys.path)
    import_twice,
    print_summary,
    record,
    record_import_runs,
    run_child,
    template_store,
    write_csv,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key in [k for k in os.environ if k.startswith("PRIMEDIST_")]:
    del os.environ[key]

from primedist.domain.geo import PROVINCES_2025  # noqa: E402
from primedist.services.order_import import COLUMNS  # noqa: E402

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Bùi", "Đỗ", "Ngô", "Đặng")
MIDDLE = ("Thị", "Văn", "Minh", "Ngọc", "Thanh", "Hữu", "Gia", "Quốc", "Đức", "Thu")
GIVEN = ("Anh", "Bình", "Châu", "Dung", "Giang", "Hải", "Hương", "Khoa", "Lan", "Phúc", "Đạt")
SHOPS = (
    ("Prime Official - Shopee", "shopee"),
    ("Prime Store - Lazada", "lazada"),
    ("Prime Store - TikTok Shop", "tiktok"),
    ("Prime Official - Tiki", "tiki"),
    ("Prime Cửa hàng", "offline"),
)
STATUSES = (("completed", 0.78), ("cancelled", 0.12), ("returned", 0.04), ("shipping", 0.03),
            ("confirmed", 0.02), ("pending", 0.01))  # fmt: skip
PAYMENTS = ("cod", "e_wallet", "bank_transfer", "card", "cash")
CARRIERS = ("SPX Express", "GHN", "J&T Express", "Ninja Van", "Viettel Post", "")
PRODUCTS = (
    "Áo thun cotton", "Quần jean nam", "Váy hoa", "Giày thể thao", "Túi xách da",
    "Mũ lưỡi trai", "Khăn lụa", "Áo khoác gió", "Dép quai ngang", "Balo laptop",
)  # fmt: skip


def make_rows(lines: int, seed: int = 7) -> list[list[object]]:
    """`lines` template rows (order-level columns repeated on each line of an order)."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    buyers = []
    for i in range(12_000):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        phone = f"0{rng.choice('3579')}{rng.randrange(10**8):08d}"
        buyers.append((name, phone, f"u{i:07d}", rng.choice(PROVINCES_2025).name))
    skus = [(f"SKU-{i:05d}", f"{rng.choice(PRODUCTS)} size {rng.choice('SMLX')}",
             rng.randrange(20, 900) * 1_000) for i in range(2_000)]  # fmt: skip
    status_names = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    rows: list[list[object]] = []
    n = 0
    while len(rows) < lines:
        n += 1
        shop, channel = SHOPS[min(int(rng.expovariate(0.8)), len(SHOPS) - 1)]
        when = now - timedelta(seconds=rng.randrange(730 * 86_400))
        name, phone, buyer_id, province = rng.choice(buyers)
        market = channel != "offline"
        if market and rng.random() < 0.3:
            phone = f"84*****{phone[-2:]}"
        status = rng.choices(status_names, weights)[0]
        head = [
            f"{channel[:2].upper()}{when:%y%m%d}{n:07d}",
            when.strftime("%Y-%m-%d %H:%M:%S"),
            shop,
            channel,
            status,
            rng.choice(PAYMENTS),
            name,
            phone,
            buyer_id if market else "",
            province,
            rng.choice(CARRIERS),
            rng.choice((0, 15_000, 22_000, 30_000)),
        ]
        picked = [rng.choice(skus) for _ in range(min(1 + int(rng.expovariate(0.7)), 5))]
        subtotal = sum(price for _, _, price in picked)
        discount = rng.choice((0, 0, 0, 5_000, 10_000))
        for sku, product, price in picked:
            qty = 1 if rng.random() < 0.8 else rng.randrange(2, 4)
            rows.append([*head, min(discount, subtotal), sku, product, qty, price])
    return rows[:lines]


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """Order dates as real Excel datetimes, amounts as numbers (as a seller's export is)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Orders")
    when_fmt = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
    sheet.write_row(0, 0, COLUMNS)
    date_col = COLUMNS.index("order_date")
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if c == date_col:
                sheet.write_datetime(r, c, datetime.fromisoformat(str(value)), when_fmt)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, str(value))
    book.close()


def run_import(template: Path, work: Path, file: Path, run: int) -> dict[str, float]:
    """One run in its own process (clean memory and caches); returns its figures."""
    return run_child(__file__, ROOT, str(template), str(work), str(file), str(run))


def timed_stages() -> dict[str, float]:
    """Seconds spent (summed over calls) in the import's read phase, in `orders_changed`
    and in each function that hook calls, from now on (their module globals are wrapped)."""
    from primedist.services import order_effects, order_import

    spent: dict[str, float] = {}

    def wrap(module: object, name: str, label: str) -> None:
        inner: Callable[..., object] = getattr(module, name)
        spent.setdefault(label, 0.0)  # printed in this order

        def timed(*args: object, **kwargs: object) -> object:
            t0 = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.perf_counter() - t0

        setattr(module, name, timed)

    wrap(order_import, "_read", "read the file")
    wrap(order_import, "orders_changed", "orders_changed")
    for name, fn in list(vars(order_effects).items()):
        if inspect.isfunction(fn) and fn.__module__ != order_effects.__name__:
            wrap(order_effects, name, f"orders_changed > {name}")
    return spent


def one_run(template: Path, work: Path, file: Path, run: int) -> int:
    """The `--one` mode: a fresh copy of the template, import, re-import; prints JSON."""
    from primedist.services.order_import import import_orders

    spent = timed_stages()
    stages: dict[str, float] = {}

    def import_once(*args: object) -> object:
        report = import_orders(*args)
        if not stages:  # the first import's figures (not the re-import's)
            stages.update((k, v) for k, v in spent.items() if v >= 0.005)
        return report

    first, again, figures = import_twice(template, work, file, run, import_once)
    first_s, first_cpu, again_s = figures["first"], figures["cpu"], figures["again"]
    assert again.orders_unchanged == first.orders_inserted and not again.changed, again
    print(
        f"    run {run + 1}: {first.rows_read:,} rows, {first.orders_inserted:,} orders, "
        f"{first.lines:,} lines, {first.customers_created:,} customers, "
        f"{first.products_created:,} products: {first_s:.2f} s (CPU {first_cpu:.2f} s); "
        f"re-import {again_s:.2f} s; load average {os.getloadavg()[0]:.1f}"
    )
    print("      of which " + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()))
    print(json.dumps({**figures, "stages": stages}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench-data" / "import")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--one", nargs=4, metavar=("TEMPLATE", "WORK", "FILE", "RUN"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.one:
        template, work_dir, file, run = args.one
        return one_run(Path(template), Path(work_dir), Path(file), int(run))
    work: Path = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)

    print(f"== generating a {args.lines:,}-line order file (not timed)", flush=True)
    rows = make_rows(args.lines)
    files = {"csv": work / "orders.csv", "xlsx": work / "orders.xlsx"}
    write_csv(files["csv"], COLUMNS, rows)
    write_xlsx(files["xlsx"], rows)
    del rows
    for kind, path in files.items():
        print(f"  {kind}: {path.stat().st_size / 1e6:.1f} MB")
    template = template_store(work, (("Prime Cửa hàng", "offline"),))

    targets = {"csv": "<= 5 s", "xlsx": "<= 8 s"}
    for kind, path in files.items():
        print(f"== import {kind} ({args.runs} runs, fresh store each)", flush=True)
        runs = [run_import(template, work, path, run) for run in range(args.runs)]

        record_import_runs(runs, kind, f"{args.lines:,} lines", targets[kind])
        for stage in runs[0]["stages"]:
            times = [r["stages"].get(stage, 0.0) for r in runs]
            record(f"  of which {stage} ({kind})", times, "s")

    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print_summary()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
