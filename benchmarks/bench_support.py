"""Helpers shared by the benchmark scripts (run as `python benchmarks/X.py`)."""

from __future__ import annotations

import csv
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil


class PeakRss:
    """The peak RSS of this process while in the block, over the RSS at its start
    (`extra_mb`). Read from the kernel's high-water mark (VmHWM, reset on entry through
    /proc/self/clear_refs): no sampling thread, whose wake-ups every few ms would take the
    GIL from the work being timed (that cost an import 4 % of its time). Where the mark
    cannot be reset or read (not Linux), a thread samples the RSS every 5 ms instead."""

    def __init__(self, interval: float = 0.005) -> None:
        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.baseline = self.peak = self._proc.memory_info().rss
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(self._interval)

    def __enter__(self) -> PeakRss:
        if not _reset_high_water_mark():
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        self.baseline = self.peak = self._proc.memory_info().rss
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        else:
            self.peak = max(self.peak, _high_water_mark())
        self.peak = max(self.peak, self._proc.memory_info().rss)

    @property
    def extra_mb(self) -> float:
        return (self.peak - self.baseline) / 1e6


def _reset_high_water_mark() -> bool:
    """Reset this process's peak RSS (Linux: "5" to clear_refs); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _high_water_mark() > 0
    except OSError:
        return False


def _high_water_mark() -> int:
    """This process's peak RSS in bytes since the last reset (VmHWM), 0 when unknown."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


# --------------------------------------------------------------------------- figures

#: (name, median, unit, note) of every figure recorded, for the summary.
results: list[tuple[str, float, str, str]] = []


def record(name: str, values: list[float], unit: str, target: str = "") -> float:
    """Print a figure's median and spread now and keep it for the summary."""
    med = statistics.median(values)
    spread = f"min {min(values):.3g} max {max(values):.3g} n={len(values)}"
    results.append((name, med, unit, f"{target}  ({spread})"))
    print(f"  {name}: {med:.4g} {unit}  {spread}", flush=True)
    return med


def timed_ms(runs: int, fn: Callable[[], object]) -> list[float]:
    """`fn()` run `runs` times; each run's wall time in milliseconds."""
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def print_summary(width: int = 52) -> None:
    """The medians of every recorded figure, one a line."""
    print("\nSummary (medians)")
    for name, med, unit, note in results:
        print(f"  {name:<{width}} {med:>10.4g} {unit:<3} {note}")


# --------------------------------------------------------------------------- file imports
# The import benchmarks (bench_order_import.py, bench_product_import.py): a generated
# file, imported in a fresh copy of a set-up store, each run in its own process.


def write_csv(path: Path, columns: Sequence[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows(rows)


def template_store(work: Path, shops: Sequence[tuple[str, str]]) -> Path:
    """One migrated store with the owner and `shops` ((name, channel), the last one the
    shop set up with the owner); each run copies it."""
    from primedist.config import resolve_settings
    from primedist.db.store import open_store
    from primedist.services import auth
    from primedist.services.context import ServiceContext

    folder = work / "template"
    shutil.rmtree(folder, ignore_errors=True)
    settings = resolve_settings(folder)
    engine = open_store(settings)
    auth.setup_shop(
        ServiceContext(engine, settings=settings),
        shop_name=shops[-1][0],
        owner_name="Chủ",
        owner_email="owner@bench.vn",
        owner_password="bench-pass-1",
    )
    with engine.begin() as conn:
        for name, channel in shops[:-1]:
            conn.exec_driver_sql(
                "INSERT INTO shops (name, channel, region, status, timezone, is_active, "
                "created_at) VALUES (?, ?, 'VN', 'active', 'Asia/Ho_Chi_Minh', 1, "
                "'2026-01-01 00:00:00.000000')",
                (name, channel),
            )
    engine.dispose()
    assert settings.db_path is not None
    return settings.db_path


def set_up_shop(folder: Path) -> Any:
    """A fresh migrated store in `folder`, set up, with its owner acting (a ServiceContext)."""
    from primedist.config import resolve_settings
    from primedist.db.store import open_store
    from primedist.services import auth
    from primedist.services.context import ServiceContext

    settings = resolve_settings(folder)
    ctx = ServiceContext(open_store(settings), settings=settings)
    return ctx.with_actor(auth.setup_shop(
        ctx, shop_name="Nến Thơm Sài Gòn", owner_name="Chủ", owner_email="owner@bench.vn",
        owner_password="bench-pass-1",
    ))  # fmt: skip


def run_child(script: str, root: Path, *args: str) -> dict[str, float]:
    """Run `script --one ARGS` in its own process (clean memory and caches); echo its
    output and return the figures it printed last (JSON)."""
    out = subprocess.run(
        [sys.executable, script, "--one", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
    )
    *lines, last = out.stdout.splitlines()
    print(*lines, sep="\n", flush=True)
    figures: dict[str, float] = json.loads(last)
    return figures


def import_twice(
    template: Path, work: Path, file: Path, run: int, import_file: Callable[..., Any]
) -> tuple[Any, Any, dict[str, float]]:
    """In a fresh copy of the template: `import_file(ctx, file)` as the owner, timed (wall,
    CPU, peak extra RSS), waits for the background WAL checkpoint a big import leaves
    (timed apart), then imports again (timed); returns both reports and the figures."""
    from primedist.config import resolve_settings
    from primedist.core.clock import SystemClock
    from primedist.db.bulk import wait_for_background_checkpoints
    from primedist.db.store import open_store
    from primedist.services import auth
    from primedist.services.context import ServiceContext

    folder = work / f"run-{file.suffix[1:]}-{run}"
    shutil.rmtree(folder, ignore_errors=True)
    settings = resolve_settings(folder)
    settings.ensure_dirs()
    assert settings.db_path is not None
    shutil.copyfile(template, settings.db_path)
    engine = open_store(settings)
    base = ServiceContext(engine, clock=SystemClock(), settings=settings)
    ctx = base.with_actor(auth.owner_actor(base))
    with PeakRss() as rss:
        t0, c0 = time.perf_counter(), time.process_time()
        first = import_file(ctx, file)
        first_s, first_cpu = time.perf_counter() - t0, time.process_time() - c0
    assert not first.rejected, first.rejected[:3]
    t0 = time.perf_counter()
    wait_for_background_checkpoints()  # a big import copies its WAL after it returns
    checkpoint_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = import_file(ctx, file)
    again_s = time.perf_counter() - t0
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    figures = {"first": first_s, "cpu": first_cpu, "again": again_s, "extra_mb": rss.extra_mb,
               "checkpoint": checkpoint_s}  # fmt: skip
    return first, again, figures


def record_import_runs(
    runs: list[dict[str, float]], kind: str, what: str, target: str = ""
) -> None:
    """The figures of the runs of one file kind (csv, xlsx); `what` names the file."""

    def values(key: str) -> list[float]:
        return [r[key] for r in runs]

    record(f"import {what} ({kind}), end to end", values("first"), "s", target)
    record(f"  CPU time of that import ({kind})", values("cpu"), "s")
    record(f"  then waiting for its background WAL checkpoint ({kind})", values("checkpoint"), "s")
    record(f"re-import the same {kind} (all unchanged)", values("again"), "s")
    record(f"peak extra RSS during the {kind} import", values("extra_mb"), "MB")
