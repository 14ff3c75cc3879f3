"""Marketplace sync benchmark: 100,000 orders from the Shopee sandbox. Prints medians.

    .venv/bin/python benchmarks/bench_sync.py [--orders 100000] [--days 60] [--runs 3]
        [--work-dir bench-data/sync] [--write-only] [--profile FILE]

The sandbox runs in its own process (`python -m primedist.sandbox`) on 127.0.0.1, so it
does not share this process's GIL. Each run, in fresh copies of a migrated, set-up store:

1. **end to end**: a first sync of the shop (`sync_shop` from `--days` ago): listing,
   detail calls of 50 over HTTP, JSON, mapping, writing, committing. The time inside the
   write transactions (`sync._commit_batch`: write_batch + checkpoint + commit) is summed;
   "waiting for the marketplace" = end to end − that (listing and the detail calls not
   already overlapped with writing by the fetch threads).
2. **write side, first sync**: the same orders, already fetched and mapped (cached in the
   work dir after the first fetch), written into another fresh store in batches of
   `sync.BATCH_ORDERS`, one transaction each.
3. **write side, re-sync**: every one of those orders changed (an hour later, a status
   further along; a cancelled one with a new cancel reason) and written again into that
   store: only the changed columns are updated, lines stay (unchanged), status history,
   and every order goes through the orders_changed hooks (existing customers' statistics,
   points reversed on returns, summaries).

**Write side** = the wall time of the write transactions: ALL the database work of the
batches — mapping RemoteOrders to rows, SKU and customer resolution, orders + lines +
status history, customers, stock, every `orders_changed` hook (customer statistics,
loyalty points, voucher uses, daily summaries) — the commits and the WAL checkpoint after
the last batch (sync_shop runs it). Only the HTTP calls and the connector's JSON →
RemoteOrder mapping are outside it. The split per component is
printed (seconds per 100k orders, medians).

4. with `--floor`: **the schema's floor**. The orders and lines the first pass wrote are
   copied into fresh stores by plain SQL (`INSERT INTO orders SELECT … FROM` the written
   store, in transactions of `sync.BATCH_ORDERS` orders, commits included), with no
   Python per row at all: what SQLite alone needs to put these rows into this schema —
   (a) as it is (the orders' list indexes and the FTS5 search index kept by triggers),
   (b) without the search index, (c) with neither (only the keys: the spec's anchor's
   condition). No writer of these tables can be faster than (a).

Targets (issue 7): end to end <= 60 s; DB write side >= 20,000 orders/s.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import json
import os
import pickle
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
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
from primedist.db.bulk import checkpoint_wal  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.domain.enums import OrderStatus  # noqa: E402
from primedist.services import order_effects, sync  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.services.loyalty import effects as loyalty_effects  # noqa: E402
from primedist.services.sync_writer import ShopRef, write_batch  # noqa: E402

SHOP = ("Prime Official - Shopee", "shopee")
#: The orders_changed hooks timed one by one: (module, function name, label).
HOOKS = (
    (order_effects, "refresh_customer_stats", "hook: customer stats"),
    (loyalty_effects, "reconcile_order_points", "hook: loyalty points"),
    (loyalty_effects, "reconcile_voucher_uses", "hook: voucher uses"),
    (order_effects, "refresh_summaries", "hook: daily summaries"),
)
#: How a re-synced order moves on: every order changes (a cancelled one its reason), so
#: every one is written and goes through every orders_changed hook.
NEXT_STATUS = {
    OrderStatus.PENDING: OrderStatus.CONFIRMED,
    OrderStatus.CONFIRMED: OrderStatus.SHIPPING,
    OrderStatus.SHIPPING: OrderStatus.COMPLETED,
    OrderStatus.COMPLETED: OrderStatus.RETURN_REFUND,
    OrderStatus.RETURN_REFUND: OrderStatus.RETURNED,
}


class Split:
    """Seconds per component of the write side, summed over the batches of one pass."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] += seconds


SPLIT = Split()


@contextmanager
def hooks_timed() -> Iterator[None]:
    """Time each orders_changed hook into SPLIT (by wrapping the module-level names)."""
    saved = []
    for module, name, label in HOOKS:
        inner = getattr(module, name)
        saved.append((module, name, inner))

        def timed(*a: Any, _inner: Callable[..., Any] = inner, _label: str = label,
                  **kw: Any) -> Any:  # fmt: skip
            t0 = time.perf_counter()
            try:
                return _inner(*a, **kw)
            finally:
                SPLIT.add(_label, time.perf_counter() - t0)

        setattr(module, name, timed)
    try:
        yield
    finally:
        for module, name, inner in saved:
            setattr(module, name, inner)


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


def collect(result: Any) -> None:
    """The writer's own step timings (when it reports them) into SPLIT."""
    for step, seconds in getattr(result, "timings", {}).items():
        SPLIT.add(step, seconds)


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

    from primedist.jobs.progress import NullProgress

    now = datetime.now(UTC)
    out: list[RemoteOrder] = []
    with ShopeeConnector(cfg, store) as conn:
        for w_from, w_to in sync._windows(now - timedelta(days=days + 1), now, conn.max_window):
            ids = sync._changed_ids(conn, w_from, w_to, NullProgress())
            for i in range(0, len(ids), conn.detail_batch_size):
                out += conn.order_details(ids[i : i + conn.detail_batch_size])
    return out


def cached_orders(work: Path, args: argparse.Namespace,
                  fetch: Callable[[], list[RemoteOrder]]) -> list[RemoteOrder]:  # fmt: skip
    """The sandbox's orders, fetched once and kept in the work dir (same seed and size
    give the same orders; only their times move with the day they were fetched)."""
    path = work / f"orders-{args.orders}-{args.days:g}d.pickle"
    if path.exists():
        with path.open("rb") as f:
            cached: list[RemoteOrder] = pickle.load(f)
        return cached
    orders = fetch()
    with path.open("wb") as f:
        pickle.dump(orders, f, protocol=pickle.HIGHEST_PROTOCOL)
    return orders


def changed(orders: list[RemoteOrder]) -> list[RemoteOrder]:
    """Every order an hour later and a status further (a cancelled one with a new reason)."""
    out = []
    for o in orders:
        later = o.updated_at + timedelta(hours=1)
        if o.status in NEXT_STATUS:
            new = dataclasses.replace(o, updated_at=later, status=NEXT_STATUS[o.status])
        else:
            new = dataclasses.replace(o, updated_at=later, cancel_reason="Buyer changed mind")
        out.append(new)
    return out


def write_side(ctx: ServiceContext, shop_id: int, orders: list[RemoteOrder]) -> float:
    """Seconds to write `orders` in batches of BATCH_ORDERS, one transaction each (the
    time split into SPLIT: the writer's steps, each hook, the commit)."""
    shop = ShopRef(shop_id, SHOP[0], sync.Channel(SHOP[1]))
    size = sync.BATCH_ORDERS
    t0 = time.perf_counter()
    for i in range(0, len(orders), size):
        session_cm = ctx.uow()
        session = session_cm.__enter__()
        try:
            result = write_batch(ctx, session.connection(), shop, orders[i : i + size],
                                 stock_since=ctx.clock.now())  # fmt: skip
        except BaseException:
            session_cm.__exit__(*sys.exc_info())
            raise
        c0 = time.perf_counter()
        session_cm.__exit__(None, None, None)
        SPLIT.add("commit", time.perf_counter() - c0)
        collect(result)
    c0 = time.perf_counter()
    checkpoint_wal(ctx.engine)  # as sync_shop does after its batches
    SPLIT.add("checkpoint at the end", time.perf_counter() - c0)
    return time.perf_counter() - t0


def print_split(title: str, splits: list[dict[str, float]], total: list[float], n: int) -> None:
    """Median seconds per component (scaled to 100k orders) and its share."""
    scale = 100_000 / n
    print(f"  {title}: split of the write side (median s per 100k orders, share)")
    names = sorted({k for s in splits for k in s}, key=lambda k: -splits[0].get(k, 0.0))
    hooks = [label for _m, _n, label in HOOKS]
    whole = statistics.median(total) * scale
    for name in names:
        med = statistics.median(s.get(name, 0.0) for s in splits) * scale
        inner = "    " if name in hooks else "  "
        print(f"  {inner}{name:<28} {med:7.2f} s  {100 * med / whole:5.1f} %")
    print(f"    {'(all of the write side)':<28} {whole:7.2f} s")


#: The floor's three schemas: (label, drop the FTS triggers, drop the secondary indexes).
FLOOR_SCHEMAS = (
    ("floor: orders + lines, the schema as it is (orders/s)", False, False),
    ("floor: … without the search index (orders/s)", True, False),
    ("floor: … without search index and list indexes (orders/s)", True, True),
)


def write_floor(template: Path, work: Path, source: Path, drop_fts: bool,
                drop_indexes: bool) -> float:  # fmt: skip
    """Orders/s of copying `source`'s orders and lines into a fresh store by plain SQL."""
    ctx, _ = fresh_store(template, work, "floor")
    assert ctx.settings is not None and ctx.settings.db_path is not None
    target = ctx.settings.db_path
    ctx.engine.dispose()
    con = sqlite3.connect(target)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "temp_store=MEMORY",
                   "cache_size=-65536", "foreign_keys=ON"):  # fmt: skip
        con.execute(f"PRAGMA {pragma}")
    drops = []
    if drop_fts:
        drops += [r[0] for r in con.execute(
            "SELECT 'DROP TRIGGER ' || name FROM sqlite_master WHERE type = 'trigger' "
            "AND name LIKE 'orders_fts_%'")]  # fmt: skip
    if drop_indexes:
        drops += [r[0] for r in con.execute(
            "SELECT 'DROP INDEX ' || name FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name IN ('orders', 'order_lines') AND sql IS NOT NULL")]  # fmt: skip
    for statement in drops:
        con.execute(statement)
    con.execute("ATTACH DATABASE ? AS src", (str(source),))
    # The customers and products the orders point to, not timed.
    for table in ("customers", "products", "variants"):
        con.execute(f"INSERT OR IGNORE INTO main.{table} SELECT * FROM src.{table}")
    con.commit()
    ids = [r[0] for r in con.execute("SELECT id FROM src.orders ORDER BY id")]
    t0 = time.perf_counter()
    for start in range(0, len(ids), sync.BATCH_ORDERS):
        low, high = ids[start], ids[min(start + sync.BATCH_ORDERS, len(ids)) - 1]
        con.execute("INSERT INTO main.orders SELECT * FROM src.orders "
                    "WHERE id BETWEEN ? AND ?", (low, high))  # fmt: skip
        con.execute("INSERT INTO main.order_lines SELECT * FROM src.order_lines "
                    "WHERE order_id BETWEEN ? AND ?", (low, high))  # fmt: skip
        con.commit()
    seconds = time.perf_counter() - t0
    con.close()
    shutil.rmtree(work / "floor", ignore_errors=True)
    return len(ids) / seconds


def write_pass(label: str, ctx: ServiceContext, shop_id: int, orders: list[RemoteOrder],
               prof: cProfile.Profile | None) -> tuple[float, float, dict[str, float]]:  # fmt: skip
    """(wall seconds, CPU seconds of this process, split) of one pass."""
    SPLIT.seconds.clear()
    cpu = time.process_time()
    with hooks_timed():
        if prof is not None:
            prof.enable()
        seconds = write_side(ctx, shop_id, orders)
        if prof is not None:
            prof.disable()
    cpu = time.process_time() - cpu
    print(f"        {label}: {len(orders):,} orders in {seconds:.2f} s "
          f"({len(orders) / seconds:,.0f}/s; CPU {cpu:.2f} s); load {os.getloadavg()[0]:.1f}",
          flush=True)  # fmt: skip
    return seconds, cpu, dict(SPLIT.seconds)


def every_channel_earns(template: Path) -> None:
    """Store "every channel earns points" in the template (the sync then writes points for
    the marketplace orders, as before migration 0039 and in shops that had orders then)."""
    from primedist.services.loyalty.settings import EARN_CHANNELS, EARN_CHANNELS_SETTING

    value = json.dumps({c.value: True for c in EARN_CHANNELS})
    with closing(sqlite3.connect(template)) as db, db:
        db.execute("INSERT OR REPLACE INTO app_settings (key, value_json, updated_at) "
                   "VALUES (?, ?, '2026-01-01 00:00:00.000000')",
                   (EARN_CHANNELS_SETTING, value))  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--orders", type=int, default=100_000)
    p.add_argument("--days", type=float, default=60.0)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--work-dir", default="bench-data/sync")
    p.add_argument("--write-only", action="store_true", help="skip the end-to-end sync")
    p.add_argument("--profile", help="cProfile the first write-side pass into this file")
    p.add_argument(
        "--floor",
        action="store_true",
        help="also measure the schema's floor (plain SQL copies of the rows)",
    )
    p.add_argument(
        "--all-channels-earn",
        action="store_true",
        help="marketplace orders earn loyalty points too (a new shop's default: only its own "
        "sales earn; every shop with orders before migration 0039 keeps all channels)",
    )
    args = p.parse_args()
    work = (ROOT / args.work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    template = template_store(work, [SHOP, ("Prime Cửa hàng", "offline")])
    if args.all_channels_earn:
        every_channel_earns(template)
    cache = work / f"orders-{args.orders}-{args.days:g}d.pickle"
    proc, info = (None, {}) if args.write_only and cache.exists() else start_sandbox(
        args.orders, args.days)  # fmt: skip
    try:
        cfg, store = link(info) if proc else (None, None)
        if proc:
            print(f"sandbox {info['url']}: {args.orders:,} orders over {args.days:g} days",
                  flush=True)  # fmt: skip
        e2e, inner, synced = [], [], []
        first_s, first_split, again_s, again_split = [], [], [], []
        first_cpu, again_cpu = [], []
        floors: list[list[float]] = [[] for _ in FLOOR_SCHEMAS]
        orders: list[RemoteOrder] = []
        prof = cProfile.Profile() if args.profile else None
        for run in range(args.runs):
            if not args.write_only:
                assert cfg is not None and store is not None
                ctx, shop_id = fresh_store(template, work, f"run{run}")
                seconds, writing, n = end_to_end(ctx, shop_id, cfg, store, args.days)
                ctx.engine.dispose()
                print(f"run {run + 1}: {n:,} orders end to end in {seconds:.1f} s "
                      f"({n / seconds:,.0f}/s; {writing:.1f} s in write transactions, "
                      f"{n / writing:,.0f}/s; {seconds - writing:.1f} s waiting for the "
                      f"marketplace); load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
                e2e.append(seconds)
                inner.append(writing)
                synced.append(n)
            if not orders:
                orders = cached_orders(work, args, lambda: fetch_all(cfg, store, args.days))  # type: ignore[arg-type]
            ctx2, shop2 = fresh_store(template, work, f"write{run}")
            w, cpu, split = write_pass("write side, first sync", ctx2, shop2, orders,
                                       prof if run == 0 else None)  # fmt: skip
            first_s.append(w)
            first_cpu.append(cpu)
            first_split.append(split)
            if args.floor:
                assert ctx2.settings is not None and ctx2.settings.db_path is not None
                for (label, no_fts, no_indexes), rates in zip(FLOOR_SCHEMAS, floors,
                                                              strict=True):  # fmt: skip
                    rates.append(write_floor(template, work, ctx2.settings.db_path, no_fts,
                                             no_indexes))  # fmt: skip
                    print(f"        {label}: {rates[-1]:,.0f}", flush=True)
            w, cpu, split = write_pass("write side, re-sync of changed orders", ctx2, shop2,
                                       changed(orders), None)  # fmt: skip
            again_s.append(w)
            again_cpu.append(cpu)
            again_split.append(split)
            ctx2.engine.dispose()
            shutil.rmtree(work / f"write{run}", ignore_errors=True)
        if prof is not None:
            prof.dump_stats(args.profile)
        n = len(orders)
        print()
        print_split("first sync", first_split, first_s, n)
        print_split("re-sync of changed orders", again_split, again_s, n)
        print()
        if e2e:
            record("sync end to end (s)", e2e, "s", "target <= 60 s")
            record("  of which inside write transactions (s)", inner, "s")
            record("  of which waiting for the marketplace (s)",
                   [a - b for a, b in zip(e2e, inner, strict=True)], "s")  # fmt: skip
            record("  write transactions during the sync (orders/s)",
                   [k / s for k, s in zip(synced, inner, strict=True)], "/s")  # fmt: skip
        record("write side, first sync (orders/s)", [n / s for s in first_s], "/s",
               "target >= 20,000/s")  # fmt: skip
        record("  CPU time of the first sync's write side (s)", first_cpu, "s")
        record("write side, re-sync of changed orders (orders/s)", [n / s for s in again_s],
               "/s", "target >= 20,000/s")  # fmt: skip
        record("  CPU time of the re-sync's write side (s)", again_cpu, "s")
        for (label, _, _), rates in zip(FLOOR_SCHEMAS, floors, strict=True):
            if rates:
                record(label, rates, "/s")
        print_summary()
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
