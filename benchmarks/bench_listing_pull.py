"""Fetch listings benchmark: a Shopee shop of 2,000 items from the sandbox. Prints medians.

    .venv/bin/python benchmarks/bench_listing_pull.py [--items 2000] [--runs 3]
        [--work-dir bench-data/listings]

The Shopee sandbox serves a catalogue of `--items` items (a quarter without variations, the
rest with 2 colours × 3 sizes) on 127.0.0.1. Each run, in a fresh copy of a migrated, set-up
store with the shop linked to the sandbox (tokens stored as for a real shop):

1. **create**: `pull_listings(create_missing=True)` end to end — reading every item over
   HTTP (`get_item_list` 100 a page, `get_item_base_info` 50 at a time, `get_model_list`
   per item with variations) and, in one transaction, creating a product per item (its
   variants, options, price, the platform's stock as opening stock) and linking it;
2. **again**: the same pull on that store: everything linked already, nothing written;
3. **link**: into another fresh store whose products carry the SKUs already (made by the
   first run's product import), `pull_listings()` linking every listing by SKU.

Also printed: how much of each run was the reading from the sandbox (the connector's
`listed_items`, timed on its own in every run).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key in [k for k in os.environ if k.startswith("PRIMEDIST_")]:
    del os.environ[key]

from bench_support import print_summary, record  # noqa: E402

from primedist.core.clock import SystemClock  # noqa: E402
from primedist.sandbox.generator import CatalogueModel  # noqa: E402
from primedist.sandbox.shopee import (  # noqa: E402
    DEMO_PARTNER_ID,
    DEMO_PARTNER_KEY,
    DEMO_SHOP_ID,
    SandboxConfig,
    ShopeeSandbox,
)

COLOURS = (("Đỏ", "DO"), ("Xanh", "XANH"))
SIZES = ("S", "M", "L")
WORDS = ("Áo thun", "Quần jean", "Váy hoa", "Giày thể thao", "Túi xách", "Nến thơm", "Ly sứ")


def catalogue(items: int) -> tuple[CatalogueModel, ...]:
    """`items` items: every fourth without variations, the others 2 colours × 3 sizes."""
    models: list[CatalogueModel] = []
    for k in range(items):
        item_id, sku = 5_000_000 + k, f"BX{k:05d}"
        name = f"{WORDS[k % len(WORDS)]} mẫu {k:05d}"
        price = 50_000 + (k % 40) * 5_000
        if k % 4 == 0:
            models.append(CatalogueModel(item_id, 0, name, sku, "", sku, price))
            continue
        for j, ((colour, code), size) in enumerate((c, s) for c in COLOURS for s in SIZES):
            model_sku, options = f"{sku}-{code}-{size}", f"{colour},{size}"
            model_id = item_id * 10 + j + 1
            models.append(CatalogueModel(item_id, model_id, name, sku, options, model_sku, price))
    return tuple(models)


def fresh_store(work: Path, name: str, sandbox: ShopeeSandbox) -> tuple[Any, int]:
    """A migrated, set-up store in `work/name` with a Shopee shop linked to `sandbox`."""
    from primedist.config import resolve_settings
    from primedist.db.store import open_store
    from primedist.services import auth, channels
    from primedist.services.context import ServiceContext

    folder = work / name
    shutil.rmtree(folder, ignore_errors=True)
    settings = resolve_settings(folder)
    base = ServiceContext(open_store(settings), clock=SystemClock(), settings=settings)
    ctx = base.with_actor(auth.setup_shop(base, shop_name="Bench", owner_name="Chủ",
                                          owner_email="o@bench.vn",
                                          owner_password="bench-pass-1"))  # fmt: skip
    shop_id = channels.add_shopee_shop(
        ctx,
        name="Shopee Bench",
        partner_id=DEMO_PARTNER_ID,
        partner_key=DEMO_PARTNER_KEY,
        api_host=sandbox.url,
    )
    channels.authorize_shop(ctx, shop_id, sandbox.authorize(), DEMO_SHOP_ID)
    return ctx, shop_id


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def main() -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--items", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench-data" / "listings")
    args = parser.parse_args()
    work: Path = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    models = catalogue(args.items)
    figures: dict[str, list[float]] = {"read": [], "create": [], "again": [], "link": []}
    config = SandboxConfig(orders=10, history_days=1, catalogue=models)
    with ShopeeSandbox(config) as sandbox:
        print(f"== {args.items:,} items, {len(models):,} models; {args.runs} runs", flush=True)
        for run in range(args.runs):
            times = one_run(work, sandbox, models, args.items)
            print(f"  run {run + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()),
                  flush=True)  # fmt: skip
            for key, value in times.items():
                figures[key].append(value)
    n = f"{args.items:,} items"
    record(f"read the listings of {n} over HTTP", figures["read"], "s")
    record(f"fetch + create a product for each of {n}", figures["create"], "s")
    record(f"fetch again, all linked ({n})", figures["again"], "s")
    record(f"fetch + link {n} to existing products by SKU", figures["link"], "s")
    per_item = statistics.median(figures["create"]) / args.items * 1e3
    print(f"\nmedian create per item: {per_item:.2f} ms")
    print_summary()
    return 0


def one_run(
    work: Path, sandbox: ShopeeSandbox, models: tuple[CatalogueModel, ...], items: int
) -> dict[str, float]:
    """The four timings of one run (module docstring)."""
    from primedist.services.channels import shop_connector
    from primedist.services.listing_pull import pull_listings

    ctx, shop_id = fresh_store(work, "create", sandbox)
    connector = shop_connector(ctx, shop_id)
    read_s, read = timed(lambda: list(connector.listed_items()))
    connector.close()
    assert len(read) == items
    create_s, created = timed(lambda: pull_listings(ctx, shop_id, create_missing=True))
    assert created.products_created == items and not created.unlinked
    again_s, again = timed(lambda: pull_listings(ctx, shop_id))
    assert again.already_linked == items
    link_s = link_run(work, sandbox, models, items)
    return {"read": read_s, "create": create_s, "again": again_s, "link": link_s}


def link_run(work: Path, sandbox: ShopeeSandbox, models: tuple[CatalogueModel, ...],
             items: int) -> float:  # fmt: skip
    """A store whose products already have the catalogue's SKUs: time the linking pull."""
    from primedist.services.listing_pull import pull_listings
    from primedist.services.product_import import COLUMNS, import_products

    ctx, shop_id = fresh_store(work, "link", sandbox)
    rows = []
    for m in models:
        options = m.model_name.split(",") if m.model_name else ["", ""]
        values = {"product_name": f"{m.item_name} (app)", "sku": m.model_sku,
                  "option1_name": "Màu" if m.model_name else "", "option1": options[0],
                  "option2_name": "Size" if m.model_name else "", "option2": options[1],
                  "price": str(m.price), "stock": "10"}  # fmt: skip
        rows.append([values.get(c, "") for c in COLUMNS])
    path = work / "products.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(COLUMNS) + "\n")
        out.writelines(",".join(f'"{v}"' for v in row) + "\n" for row in rows)
    report = import_products(ctx, path)
    assert report.products_created == items, report.rejected[:3]
    seconds, linked = timed(lambda: pull_listings(ctx, shop_id))
    assert linked.listings_linked == items and not linked.unlinked
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
