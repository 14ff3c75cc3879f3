"""Where the order import's database time goes: every SQL statement of one import, timed.

    .venv/bin/python benchmarks/bench_order_import_sql.py [--lines 100000] [--format csv|xlsx]
        [--work-dir bench-data/import-sql] [--top 25]

Generates the 100,000-line file of bench_order_import.py (not timed), imports it once into
a fresh set-up store and prints the wall time, the time inside SQL statements (driver
execute/executemany, from SQLAlchemy's cursor events) and the statements that took
longest, grouped by their text. Wall − SQL is reading the file, the Python side
(checking, planning, building rows) and the commit. It tells how far the import's figure
can go: the SQL alone plus reading the file is a floor no Python change moves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key in [k for k in os.environ if k.startswith("PRIMEDIST_")]:
    del os.environ[key]

import sqlalchemy as sa  # noqa: E402
from bench_order_import import make_rows, write_xlsx  # noqa: E402
from bench_support import template_store, write_csv  # noqa: E402

from primedist.config import resolve_settings  # noqa: E402
from primedist.core.clock import SystemClock  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.services import auth  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.services.order_import import COLUMNS, import_orders  # noqa: E402


def main() -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench-data" / "import-sql")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    work = args.work_dir.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rows = make_rows(args.lines)
    file = work / f"orders.{args.format}"
    if args.format == "csv":
        write_csv(file, COLUMNS, rows)
    else:
        write_xlsx(file, rows)
    template = template_store(work, (("Prime Cửa hàng", "offline"),))
    settings = resolve_settings(work / "run")
    settings.ensure_dirs()
    assert settings.db_path is not None
    shutil.copyfile(template, settings.db_path)
    engine = open_store(settings)
    base = ServiceContext(engine, clock=SystemClock(), settings=settings)
    ctx = base.with_actor(auth.owner_actor(base))

    spent: dict[tuple[str, bool], list[float]] = defaultdict(lambda: [0, 0.0])

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cur: Any, _stmt: str, _p: Any, _c: Any, _many: bool) -> None:
        conn.info["t0"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, _cur: Any, stmt: str, _p: Any, _c: Any, many: bool) -> None:
        entry = spent[(" ".join(stmt.split())[:110], many)]
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info["t0"]

    t0, c0 = time.perf_counter(), time.process_time()
    report = import_orders(ctx, file)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    sql = sum(t for _n, t in spent.values())
    print(f"{report.rows_read:,} rows, {report.orders_inserted:,} orders ({args.format}): "
          f"wall {wall:.2f} s, CPU {cpu:.2f} s; in SQL statements {sql:.2f} s over "
          f"{sum(int(n) for n, _t in spent.values()):,} executions; outside them "
          f"{wall - sql:.2f} s (reading the file, Python, the commit)")  # fmt: skip
    print(f"\nThe {args.top} statements that took longest (s, executions, M = executemany):")
    ranked = sorted(spent.items(), key=lambda kv: -kv[1][1])[: args.top]
    for (text, many), (n, t) in ranked:
        print(f"  {t:7.3f} {int(n):5d} {'M' if many else ' '} {text}")
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
