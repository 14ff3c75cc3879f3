"""Marketplace sync benchmark: 100,000 orders from the Shopee sandbox. Prints medians.

    .venv/bin/python benchmarks/bench_sync.py [--orders 100000] [--days 60] [--runs 1]
        [--work-dir bench-data/sync]

The sandbox runs in its own process (`python -m primedist.sandbox`) on 127.0.0.1, so it
does not share this process's CPU time slices. Each run, in a fresh copy of a migrated,
set-up store:

1. **end to end**: a first sync of the shop (`sync_shop` from `--days` ago): listing,
   detail batches of 50 over HTTP, JSON, mapping, writing, committing. The time spent
   inside the write transactions is summed as well (write_batch + commit).
2. **DB write side alone**: the same orders, already fetched and mapped (in memory),
   written again into another fresh store with `write_batch` in batches of 2,000, one
   transaction each: orders/s.

Targets (issue 7): end to end <= 60 s; DB write side >= 20,000 orders/s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
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

import httpx  # noqa: E402

from primedist.config import resolve_settings  # noqa: E402
from primedist.connectors.base import ConnectorConfig, MemoryTokenStore, RemoteOrder  # noqa: E402
from primedist.connectors.shopee import ShopeeConnector  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.services import sync  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.services.sync_writer import ShopRef, write_batch  # noqa: E402

SHOP = ("Prime Official - Shopee", "shopee")


def start_sandbox(orders: int, days: float) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "primedist.sandbox", "--orders", str(orders),
         "--history-days", str(days), "--seed", "42"],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert proc.stdout is not None
    info: dict[str, Any] = json.loads(proc.stdout.readline())
    return proc, info


def link(info: dict[str, Any]) -> tuple[ConnectorConfig, MemoryTokenStore]:
    """The seller's consent and code → tokens, over HTTP like the real flow."""
    code = httpx.post(f"{info['url']}/_sandbox/authorize").json()
    cfg = ConnectorConfig(partner_id=str(info["partner_id"]), partner_key=info["partner_key"],
                          api_host=info["url"], shop_external_id=str(code["shop_id"]))  # fmt: skip
    with ShopeeConnector(cfg) as conn:
        tokens = conn.exchange_code(code["code"], str(code["shop_id"]))
    return cfg, MemoryTokenStore(tokens)


def fresh_store(template: Path, work: Path, name: str) -> tuple[ServiceContext, int]:
    folder = work / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(template, folder / template.name)
    settings = resolve_settings(folder)
    ctx = ServiceContext(open_store(settings), settings=settings)
    with ctx.engine.begin() as conn:
        shop_id = conn.exec_driver_sql(
            "SELECT id FROM shops WHERE name = ?", (SHOP[0],)
        ).scalar_one()
    return ctx, int(shop_id)


def end_to_end(ctx: ServiceContext, shop_id: int, cfg: ConnectorConfig,
               store: MemoryTokenStore, days: float) -> tuple[float, float, int]:  # fmt: skip
    """(seconds, seconds inside write transactions, orders)."""
    inner = sync._commit_batch
    spent = [0.0]

    def timed(*args: Any, **kw: Any) -> None:
        t0 = time.perf_counter()
        inner(*args, **kw)
        spent[0] += time.perf_counter() - t0

    sync._commit_batch = timed  # type: ignore[assignment]
    try:
        since = ctx.clock.now() - timedelta(days=days + 1)
        t0 = time.perf_counter()
        report = sync.sync_shop(ctx, shop_id, factory=lambda _c, _s: ShopeeConnector(cfg, store),
                                since=since)  # fmt: skip
        seconds = time.perf_counter() - t0
    finally:
        sync._commit_batch = inner  # type: ignore[assignment]
    assert report.outcome == "ok", report.message
    return seconds, spent[0], report.inserted


def fetch_all(cfg: ConnectorConfig, store: MemoryTokenStore, days: float) -> list[RemoteOrder]:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    out: list[RemoteOrder] = []
    with ShopeeConnector(cfg, store) as conn:
        for w_from, w_to in sync._windows(now - timedelta(days=days + 1), now, conn.max_window):
            ids = sync._changed_ids(conn, w_from, w_to)
            for i in range(0, len(ids), conn.detail_batch_size):
                out += conn.order_details(ids[i : i + conn.detail_batch_size])
    return out


def write_side(ctx: ServiceContext, shop_id: int, orders: list[RemoteOrder]) -> float:
    """Seconds to write `orders` in batches of BATCH_ORDERS, a transaction each."""
    shop = ShopRef(shop_id, SHOP[0], sync.Channel(SHOP[1]))
    size = sync.BATCH_ORDERS
    t0 = time.perf_counter()
    for i in range(0, len(orders), size):
        with ctx.uow() as session:
            write_batch(ctx, session.connection(), shop, orders[i : i + size],
                        stock_since=ctx.clock.now())  # fmt: skip
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--days", type=float, default=60.0)
    p.add_argument("--runs", type=int, default=1)
    p.add_argument("--work-dir", default="bench-data/sync")
    args = p.parse_args()
    work = (ROOT / args.work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    template = template_store(work, [SHOP, ("Prime Cửa hàng", "offline")])
    proc, info = start_sandbox(args.orders, args.days)
    try:
        cfg, store = link(info)
        print(f"sandbox {info['url']}: {args.orders:,} orders over {args.days:g} days",
              flush=True)  # fmt: skip
        e2e, inner, rates, write_rates = [], [], [], []
        orders: list[RemoteOrder] = []
        for run in range(args.runs):
            ctx, shop_id = fresh_store(template, work, f"run{run}")
            seconds, writing, n = end_to_end(ctx, shop_id, cfg, store, args.days)
            ctx.engine.dispose()
            print(f"run {run + 1}: {n:,} orders end to end in {seconds:.1f} s "
                  f"({n / seconds:,.0f}/s; {writing:.1f} s writing, {n / writing:,.0f}/s); "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
            e2e.append(seconds)
            inner.append(writing)
            rates.append(n / writing)
            if not orders:
                orders = fetch_all(cfg, store, args.days)
            ctx2, shop2 = fresh_store(template, work, f"write{run}")
            w = write_side(ctx2, shop2, orders)
            ctx2.engine.dispose()
            write_rates.append(len(orders) / w)
            print(f"        write side alone: {len(orders):,} orders in {w:.2f} s "
                  f"({len(orders) / w:,.0f}/s)", flush=True)  # fmt: skip
        record("sync end to end (s)", e2e, "s", "target <= 60 s")
        record("  of which inside write transactions (s)", inner, "s")
        record("  write transactions during the sync (orders/s)", rates, "/s")
        record("DB write side alone (orders/s)", write_rates, "/s", "target >= 20,000/s")
        print_summary()
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
