"""Stock-take benchmark: a 5,000-line count applied to a 5,000-variant store. Prints the median.

    .venv/bin/python benchmarks/bench_stocktake.py [--variants 5000] [--runs 5]

Builds a fresh store in a temporary dir (Core executemany inserts): products of 5 variants,
every tenth product's variants each holding its stock in a SKU group, a fifth of
the products listed on a Shopee shop, then applies `--runs` stock-takes counting every
variant anew (most counts differ, so each run writes ~5,000 movements, stock updates and
the marketplace pushes).                                                   target ≤ 2 s

Also measured: loading the count sheet of every variant (`queries.stocktake.count_sheet`,
what the stock-take page's "Load count sheet" runs), and applying a shop's default
low-stock level (`services.low_stock.set_shop_level`, which refreshes the summary of every
product listed on the shop).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa  # noqa: E402

from primedist.config import resolve_settings  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.domain.base import table_of  # noqa: E402
from primedist.domain.enums import Channel  # noqa: E402
from primedist.domain.product import (  # noqa: E402
    Product,
    ProductListing,
    SkuGroup,
    Variant,
    VariantListing,
)
from primedist.domain.shop import Shop  # noqa: E402
from primedist.queries.stocktake import count_sheet  # noqa: E402
from primedist.services import auth  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402
from primedist.services.low_stock import reset_shop_level, set_shop_level  # noqa: E402
from primedist.services.stock import apply_stocktake  # noqa: E402

PER_PRODUCT = 5


def build(engine: sa.Engine, n_variants: int) -> list[int]:
    """Insert the catalogue; returns the variant ids to count (one per SKU group)."""
    now = datetime.now(UTC)
    n_products = n_variants // PER_PRODUCT
    with engine.begin() as conn:
        shop_id = conn.execute(
            sa.insert(table_of(Shop)).returning(table_of(Shop).c.id),
            {"name": "Shopee bench", "channel": Channel.SHOPEE, "created_at": now},
        ).scalar_one()
        product_ids = [r[0] for r in conn.execute(
            sa.insert(table_of(Product)).returning(table_of(Product).c.id,
                                                   sort_by_parameter_order=True),
            [{"name": f"Sản phẩm {i}", "search_text": f"san pham {i}", "created_at": now,
              "updated_at": now} for i in range(n_products)],
        )]  # fmt: skip
        grouped = product_ids[::10]
        group_ids = [r[0] for r in conn.execute(
            sa.insert(table_of(SkuGroup)).returning(table_of(SkuGroup).c.id,
                                                    sort_by_parameter_order=True),
            [{"code": f"PRIME-{i}", "name": f"Prime {i}", "stock": 50, "reserved": 0,
              "created_at": now} for i in range(len(grouped) * PER_PRODUCT)],
        )]  # fmt: skip
        group_of = {}
        for k, pid in enumerate(grouped):
            for j in range(PER_PRODUCT):
                group_of[(pid, j)] = group_ids[k * PER_PRODUCT + j]
        rows = [
            {"product_id": pid, "sku": f"SKU-{pid}-{j}", "cost": 10_000 + j, "price": 20_000,
             "stock": 50, "reserved": 0, "sku_group_id": group_of.get((pid, j)),
             "created_at": now, "updated_at": now}
            for pid in product_ids for j in range(PER_PRODUCT)
        ]  # fmt: skip
        insert_variants = sa.insert(table_of(Variant)).returning(
            table_of(Variant).c.id, sort_by_parameter_order=True
        )
        variant_ids = [r[0] for r in conn.execute(insert_variants, rows)]
        listed = product_ids[::5]
        listing_ids = [r[0] for r in conn.execute(
            sa.insert(table_of(ProductListing)).returning(table_of(ProductListing).c.id,
                                                          sort_by_parameter_order=True),
            [{"product_id": pid, "shop_id": shop_id, "external_id": f"I{pid}"} for pid in listed],
        )]  # fmt: skip
        first = {pid: variant_ids[i * PER_PRODUCT] for i, pid in enumerate(product_ids)}
        conn.execute(
            sa.insert(table_of(VariantListing)),
            [{"listing_id": lid, "variant_id": first[pid] + j, "external_id": f"M{pid}-{j}"}
             for lid, pid in zip(listing_ids, listed, strict=True) for j in range(PER_PRODUCT)],
        )  # fmt: skip
    return variant_ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--variants", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = resolve_settings(Path(tmp))
        engine = open_store(settings)
        ctx = ServiceContext(engine, settings=settings)
        owner = auth.setup_shop(
            ctx,
            shop_name="Bench",
            owner_name="Chủ",
            owner_email="owner@example.vn",
            owner_password="s3cret-pass",
        )
        ctx = ctx.with_actor(owner)
        t0 = time.perf_counter()
        variant_ids = build(engine, args.variants)
        print(f"built {len(variant_ids):,} variants in {time.perf_counter() - t0:.1f} s")
        rng = random.Random(7)
        times = []
        for run in range(args.runs):
            counts = {v: rng.randrange(0, 100) for v in variant_ids}
            t = time.perf_counter()
            result = apply_stocktake(ctx, counts, reason=f"Kiểm kê {run + 1}")
            times.append(time.perf_counter() - t)
            print(f"run {run + 1}: {times[-1]:.3f} s  ({result.lines:,} lines, "
                  f"{result.changed:,} changed, {result.difference_value:+,} đ)")  # fmt: skip
        median = statistics.median(times)
        print(f"stock-take of {len(variant_ids):,} lines: median {median:.3f} s "
              f"(target ≤ 2 s) {'OK' if median <= 2 else 'SLOW'}")  # fmt: skip
        sheet_times = []
        for _run in range(args.runs):
            t = time.perf_counter()
            with engine.connect() as conn:
                sheet = count_sheet(conn)
            sheet_times.append(time.perf_counter() - t)
        print(f"count sheet of {len(sheet):,} lines: median "
              f"{statistics.median(sheet_times) * 1000:.1f} ms")  # fmt: skip
        shops = table_of(Shop)
        with engine.connect() as conn:
            shop_id = conn.execute(
                sa.select(shops.c.id).where(shops.c.name == "Shopee bench")
            ).scalar_one()
        level_times = []
        for run in range(args.runs):
            t = time.perf_counter()
            refreshed = set_shop_level(ctx, [shop_id], 5 + run)
            level_times.append(time.perf_counter() - t)
        reset_shop_level(ctx, [shop_id])
        print(f"shop default low-stock level ({refreshed:,} listed products refreshed): median "
              f"{statistics.median(level_times) * 1000:.1f} ms")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
