"""Foundation benchmarks on a 1,000,000-order demo shop. Prints medians.

    .venv/bin/python benchmarks/bench_foundation.py [--orders 1000000] [--customers 100000]
        [--gen-runs 3] [--runs 5] [--data-dir bench-data/1m] [--reuse]

Measures, on the real product code:
  1. demo generation time (`primedist demo`, fresh data dir per run, whole process);
  2. cold start to the first shown main window (`primedist --demo`, whole process, spawn to
     shown; the OS file cache is dropped first when the machine allows it);
  3. the orders list through SqlTableModel: first page, all keys loaded (in timer ticks:
     the longest tick is the worst stall), the page at row 500,000, scroll to the end;
  4. customer search 'nguyen thi hoa' and 'dang van dat';
  5. RSS of the idle main window with that database open (Home tab, and Orders tab).
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the in-process Qt part too
ENV = {**os.environ}
ENV.pop("PRIMEDIST_DATA_DIR", None)
ENV.pop("PRIMEDIST_DATABASE_URL", None)

results: list[tuple[str, float, str, str]] = []


def record(name: str, values: list[float], unit: str, target: str = "") -> float:
    med = statistics.median(values)
    spread = f"min {min(values):.3g} max {max(values):.3g} n={len(values)}"
    results.append((name, med, unit, f"{target}  ({spread})"))
    print(f"  {name}: {med:.4g} {unit}  {spread}", flush=True)
    return med


def primedist(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "primedist", *args],
        env=env or ENV,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )


def generate(data_dir: Path, orders: int, customers: int) -> float:
    shutil.rmtree(data_dir, ignore_errors=True)
    t0 = time.perf_counter()
    out = primedist(
        "--data-dir",
        str(data_dir),
        "demo",
        "--orders",
        str(orders),
        "--customers",
        str(customers),
        "--json",
    )
    elapsed = time.perf_counter() - t0
    summary = json.loads(out.stdout)
    assert summary["orders"] == orders, summary
    return elapsed


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def spawn_until(data_dir: Path, probe: str, marker: str) -> tuple[float, str]:
    env = {**ENV, "PRIMEDIST_STARTUP_PROBE": probe}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "primedist", "--data-dir", str(data_dir), "--demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    found = ""
    for line in proc.stdout:
        if line.startswith(marker):
            found = line
            break
    elapsed = time.perf_counter() - t0
    proc.wait(timeout=60)
    if not found:
        raise RuntimeError(f"no {marker!r} line: {proc.stderr.read() if proc.stderr else ''}")
    return elapsed, found


def set_tab(data_dir: Path, tab: str) -> None:
    ini = data_dir / "ui.ini"
    lines = [
        ln
        for ln in (ini.read_text().splitlines() if ini.exists() else [])
        if not ln.startswith("tab=")
    ]
    if "[main]" not in lines:
        lines.append("[main]")
    lines.insert(lines.index("[main]") + 1, f"tab={tab}")
    ini.write_text("\n".join(lines) + "\n")


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def bench_model_and_search(data_dir: Path, runs: int) -> None:
    from PySide6.QtWidgets import QApplication, QTableView

    from primedist.config import resolve_settings
    from primedist.db.store import open_store
    from primedist.queries.customers import search_customers
    from primedist.queries.orders import ORDERS_SPEC
    from primedist.queries.spec import QueryState
    from primedist.ui.formatting import CellFormatter
    from primedist.ui.table_model import SqlTableModel

    app = QApplication.instance() or QApplication([])
    engine = open_store(resolve_settings(data_dir))
    firsts, deep, full_load, worst_tick, bottoms = [], [], [], [], []
    for run in range(runs):
        model = SqlTableModel(engine, ORDERS_SPEC, formatter=CellFormatter())
        model._timer.stop()  # drive the key loading by hand to time each tick
        first = model.index(0, 0)

        def first_page(m: SqlTableModel = model) -> None:
            m.set_state(QueryState())
            m._timer.stop()
            for c in range(m.columnCount()):
                m.data(m.index(0, c))

        firsts.append(timed(first_page) * 1000)
        assert first.isValid() or model.rowCount() > 0
        ticks = []
        t0 = time.perf_counter()
        while not model.complete:
            ticks.append(timed(model._load_next_chunk) * 1000)
        full_load.append(time.perf_counter() - t0)
        worst_tick.append(max(ticks))
        row = 500_000 + run * 1_000
        deep.append(timed(lambda r=row, m=model: m.data(m.index(r, 0))) * 1000)
        view = QTableView()
        view.setModel(model)
        view.resize(1200, 800)
        view.show()
        app.processEvents()
        bottoms.append(timed(lambda v=view: (v.scrollToBottom(), app.processEvents())) * 1000)
        view.close()
        model.stop()
    print(f"orders list: {model.rowCount():,} rows")
    record("orders list: first page (count + first keys + first row)", firsts, "ms", "<= 20 ms")
    record("orders list: page at row 500,000 (after keys loaded)", deep, "ms", "<= 20 ms")
    record("orders list: all 1M keys loaded in the background", full_load, "s")
    record("orders list: longest key-loading tick (worst stall)", worst_tick, "ms", "<= 50 ms")
    record("orders list: scroll to the end (QTableView)", bottoms, "ms", "<= 100 ms")

    with engine.connect() as conn:
        for query, expected in (
            ("nguyen thi hoa", "Nguyễn Thị Hoa"),
            ("dang van dat", "Đặng Văn Đạt"),
        ):
            rows = search_customers(conn, query)
            names = {r[1] for r in rows}
            assert expected in names, f"{query!r} did not find {expected!r}: {sorted(names)[:5]}"
            times = [
                timed(lambda q=query: search_customers(conn, q)) * 1000 for _ in range(max(5, runs))
            ]
            record(f"customer search {query!r} ({len(rows)} shown)", times, "ms", "<= 10 ms")
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--gen-runs", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench-data" / "1m")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing data dir (skips the generation timing)",
    )
    args = parser.parse_args()
    data_dir: Path = args.data_dir.resolve()

    print(f"== demo generation: {args.orders:,} orders, {args.customers:,} customers")
    if not (args.reuse and (data_dir / "primedist.db").exists()):
        record(
            "demo generation (whole process)",
            [generate(data_dir, args.orders, args.customers) for _ in range(args.gen_runs)],
            "s",
            "<= 60 s",
        )
    size = (data_dir / "primedist.db").stat().st_size / 1e6
    print(f"  database: {size:,.0f} MB")

    print("== start-up (spawn to main window shown, whole process)")
    spawn_until(data_dir, "shown", "primedist-shown")  # first run also writes ui.ini
    set_tab(data_dir, "home")
    cold = drop_caches()
    times = []
    for _ in range(args.runs):
        if cold:
            drop_caches()
        times.append(spawn_until(data_dir, "shown", "primedist-shown")[0])
    record(
        f"start to shown main window ({'cold' if cold else 'warm'} file cache)",
        times,
        "s",
        "<= 1.5 s",
    )

    print("== orders list and customer search")
    bench_model_and_search(data_dir, args.runs)

    print("== idle memory")
    for tab in ("home", "orders"):
        set_tab(data_dir, tab)
        rss = [
            float(spawn_until(data_dir, "idle=3", "primedist-idle-rss")[1].split()[1])
            for _ in range(3)
        ]
        record(f"idle RSS, main window on the {tab} tab", rss, "MB", "<= 300 MB")
    set_tab(data_dir, "home")

    print("\nSummary (medians)")
    for name, med, unit, note in results:
        print(f"  {name:<62} {med:>10.4g} {unit:<3} {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
