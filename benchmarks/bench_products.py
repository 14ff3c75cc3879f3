"""Products-list benchmarks on a 50,000-product / 200,000-variant catalogue. Prints medians.

    .venv/bin/python benchmarks/bench_products.py [--reuse] [--runs 7] [--data-dir DIR]

Builds the catalogue in `bench-data/products/` with Core executemany (`--reuse` keeps one
built before): 5 shops (two with a low-stock default), 4 variants a product, each product
listed on 1-5 shops, a 1.3 KB description on half and images on 60 % of the products,
2,000 SKU groups of 2-3 variants, about 5 % hidden and 1 % archived products, summaries
by `refresh_product_summaries`, the FTS index rebuilt once. Measures (DB time through the
QuerySpec helpers, as the list model runs them):
  1. a first page (count + the first 100 keys + their rows) for every sort × filter;
  2. a page deep in the list (keyset after row 40,000);
  3. searches (name, SKU, barcode, a broad prefix): count + all keys + the first rows;
  4. the list model: first page shown, all keys loaded, peak extra RSS.   target ≤ 20 ms
  5. Change prices on 2,500 products (10,000 variants, listed on 1-5 shops): the dialog's
     preview, then the change itself (variants, price ranges, outbox pushes, audit row,
     commit), +1 % rounded to 100 each run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa  # noqa: E402
from bench_support import PeakRss  # noqa: E402  (benchmarks/ is on sys.path)

from primedist.config import resolve_settings  # noqa: E402
from primedist.core.search_keys import search_text  # noqa: E402
from primedist.db.product_summary import LOW_STOCK_KEY, refresh_product_summaries  # noqa: E402
from primedist.db.search import triggers_suspended  # noqa: E402
from primedist.db.store import open_store  # noqa: E402
from primedist.domain.base import table_of  # noqa: E402
from primedist.domain.enums import Channel  # noqa: E402
from primedist.domain.product import (  # noqa: E402
    Product,
    ProductImage,
    ProductListing,
    SkuGroup,
    Variant,
)
from primedist.domain.settings import ShopParameter  # noqa: E402
from primedist.domain.shop import Shop  # noqa: E402
from primedist.queries.products import PRODUCTS_SPEC, ProductFilter, list_state  # noqa: E402
from primedist.queries.spec import (  # noqa: E402
    QueryState,
    count_rows,
    fetch_keys,
    fetch_rows,
    keys_stmt,
)

N_PRODUCTS = 50_000
PER_PRODUCT = 4
N_GROUPS = 2_000
SEED = 11
KINDS = ("Áo thun", "Áo sơ mi", "Quần jean", "Quần short", "Đầm", "Váy", "Giày thể thao",
         "Dép", "Túi xách", "Mũ", "Khăn", "Tất", "Balo", "Ví da", "Đồng hồ")  # fmt: skip
QUALITIES = ("nam", "nữ", "trẻ em", "cao cấp", "basic", "oversize", "công sở", "đi biển",
             "thể thao", "dạ hội")  # fmt: skip
DESCRIPTION = (
    "Chất liệu cotton 100% thoáng mát, thấm hút mồ hôi tốt, không xù lông sau nhiều lần giặt. "
    "Đường may tỉ mỉ, form chuẩn, phù hợp đi làm, đi chơi và du lịch. Hướng dẫn bảo quản: giặt "
    "tay hoặc giặt máy ở chế độ nhẹ, không dùng chất tẩy mạnh, phơi nơi thoáng mát. "
) * 4
COLOURS = ("trắng", "đen", "đỏ", "xanh", "vàng", "hồng", "xám", "nâu")
SIZES = ("S", "M", "L", "XL")


def build(engine: sa.Engine) -> None:
    rng = random.Random(SEED)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    t = {m: table_of(m) for m in (Shop, Product, Variant, ProductListing, ProductImage,
                                  SkuGroup, ShopParameter)}  # fmt: skip
    with engine.begin() as conn, triggers_suspended(conn, ["products"]):
        shop_ids = [r[0] for r in conn.execute(
            sa.insert(t[Shop]).returning(t[Shop].c.id, sort_by_parameter_order=True),
            [{"name": f"Prime {c.value.title()}", "channel": c, "created_at": now}
             for c in (Channel.SHOPEE, Channel.LAZADA, Channel.TIKI, Channel.TIKTOK,
                       Channel.OFFLINE)],
        )]  # fmt: skip
        conn.execute(
            sa.insert(t[ShopParameter]),
            [{"shop_id": s, "key": LOW_STOCK_KEY, "value_json": "5", "updated_at": now}
             for s in shop_ids[:2]],
        )  # fmt: skip
        products, variants = [], []
        for i in range(N_PRODUCTS):
            name = f"{rng.choice(KINDS)} {rng.choice(QUALITIES)} {rng.choice(COLOURS)} {i}"
            colour = rng.choice(COLOURS)
            base = rng.randrange(20, 2_000) * 1_000
            skus = [f"SP{i:05d}-{s}" for s in SIZES]
            codes = [f"893{i:06d}{j:04d}" for j in range(PER_PRODUCT)]
            roll = rng.random()
            status = "archived" if roll < 0.01 else "hidden" if roll < 0.06 else "active"
            created = now - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
            products.append({
                "name": name, "category": name.split(" ")[0], "status": status,
                # Half the catalogue has a ~1.3 KB description (overflow pages, as in life).
                "description": DESCRIPTION if i % 2 else None,
                "search_text": search_text(name, *skus, *codes), "created_at": created,
                "updated_at": created,
            })  # fmt: skip
            for j, size in enumerate(SIZES):
                price = base + j * 10_000
                stock = 0 if rng.random() < 0.08 else rng.randrange(0, 200)
                variants.append({
                    "product_index": i, "sku": skus[j], "barcode": codes[j],
                    "option1_name": "Màu", "option1": colour, "option2_name": "Size",
                    "option2": size, "cost": price * 6 // 10, "price": price,
                    "discount_price": price * 9 // 10 if rng.random() < 0.3 else None,
                    "stock": stock, "reserved": min(stock, rng.choice((0, 0, 0, 1, 2))),
                    "low_stock_level": rng.choice((None, None, None, 3, 10)),
                    # One product in 20 has a size not weighed yet (no random draw: the
                    # rest of the data stays as it was).
                    "weight_g": None if i % 20 == 0 and j == 0 else 200 + 20 * j,
                    "created_at": created, "updated_at": created,
                })  # fmt: skip
        insert = sa.insert(t[Product]).returning(t[Product].c.id, sort_by_parameter_order=True)
        product_ids = [r[0] for r in conn.execute(insert, products)]
        for row in variants:
            row["product_id"] = product_ids[row.pop("product_index")]
        insert = sa.insert(t[Variant]).returning(t[Variant].c.id, sort_by_parameter_order=True)
        variant_ids = [r[0] for r in conn.execute(insert, variants)]
        listings, images = [], []
        for pid in product_ids:
            for s in rng.sample(shop_ids, rng.randint(1, 5)):
                # One product in 50 is not linked to its marketplace items yet (no random
                # draw: the rest of the data stays as it was).
                item = None if pid % 50 == 0 else f"{pid}{s:02d}"
                listings.append({"product_id": pid, "shop_id": s, "is_active": True,
                                 "external_id": item})  # fmt: skip
            if rng.random() < 0.6:
                for k in range(rng.randint(1, 3)):
                    path = f"images/products/{pid}/{k:02d}"
                    images.append({"product_id": pid, "path": f"{path}.jpg",
                                   "thumb_path": f"{path}.thumb.jpg", "position": k})  # fmt: skip
        conn.execute(sa.insert(t[ProductListing]), listings)
        conn.execute(sa.insert(t[ProductImage]), images)
        insert = sa.insert(t[SkuGroup]).returning(t[SkuGroup].c.id, sort_by_parameter_order=True)
        group_ids = [r[0] for r in conn.execute(insert, [
            {"code": f"PRIME-{g:04d}", "name": f"Prime {g}", "stock": rng.randrange(0, 300),
             "reserved": 0, "created_at": now} for g in range(N_GROUPS)])]  # fmt: skip
        members = rng.sample(variant_ids, N_GROUPS * 3)
        conn.execute(
            sa.update(t[Variant]).where(t[Variant].c.id == sa.bindparam("b_id"))
            .values(sku_group_id=sa.bindparam("b_group")),
            [{"b_id": v, "b_group": group_ids[k // 3]} for k, v in enumerate(members)
             if k % 3 < 2 or k % 6 == 2],
        )  # fmt: skip
        refresh_product_summaries(conn)
    # No ANALYZE: the plans must come from the indexes alone, as on a fresh install.


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


def first_page(conn: sa.Connection, state: QueryState, after: Any = None) -> int:
    """What the list does for a new query: the count, 100 keys and their rows."""
    n = count_rows(conn, PRODUCTS_SPEC, state)
    keys = fetch_keys(conn, PRODUCTS_SPEC, state, after=after, limit=100).keys
    fetch_rows(conn, PRODUCTS_SPEC, keys)
    return n


def keys_page(conn: sa.Connection, state: QueryState, after: Any) -> int:
    keys = fetch_keys(conn, PRODUCTS_SPEC, state, after=after, limit=100).keys
    return len(fetch_rows(conn, PRODUCTS_SPEC, keys))


def search_page(conn: sa.Connection, state: QueryState) -> int:
    """A search as the list model runs it: every matching key at once, then a page."""
    stmt = keys_stmt(PRODUCTS_SPEC, state, conn.dialect.name, after=None, limit=None)
    keys = list(conn.execute(stmt).scalars())
    fetch_rows(conn, PRODUCTS_SPEC, keys[:100])
    return len(keys)


def filters(shops: list[int]) -> dict[str, ProductFilter]:
    return {
        "no filter": ProductFilter(),
        "1 shop": ProductFilter(shop_ids=(shops[2],)),
        "price 100k-300k": ProductFilter(price_min=100_000, price_max=300_000),
        "discount ≤ 200k": ProductFilter(discount_max=200_000),
        "stock 0-10": ProductFilter(stock_min=0, stock_max=10),
        "status low stock": ProductFilter(statuses=("low_stock",)),
        "status hidden": ProductFilter(statuses=("hidden",)),
        "status out of stock": ProductFilter(statuses=("out_of_stock",)),
        "status no weight": ProductFilter(statuses=("no_weight",)),
        "status not linked": ProductFilter(statuses=("not_linked",)),
        "shop+price+active": ProductFilter(
            shop_ids=(shops[0], shops[1]), price_min=500_000, statuses=("active",)
        ),  # fmt: skip
        "3 shops+discount": ProductFilter(shop_ids=tuple(shops[2:5]), discount_min=1),
        "shop+out of stock": ProductFilter(shop_ids=(shops[4],), statuses=("out_of_stock",)),
        "category+stock 0-10": ProductFilter(category="Áo", stock_max=10),
    }


SORTS = (("created", True), ("name", False), ("price", False), ("stock", False))


def bench_pages(engine: sa.Engine, shops: list[int], runs: int) -> float:
    print("\n1. first page (count + 100 keys + rows), DB time — target ≤ 20 ms")
    worst = 0.0
    with engine.connect() as conn:
        for fname, flt in filters(shops).items():
            cells = []
            for sort, desc in SORTS:
                state = list_state(flt, sort_key=sort, descending=desc)
                med, _mx = median_ms(lambda s=state: first_page(conn, s), runs)  # type: ignore[misc]
                worst = max(worst, med)
                cells.append(f"{sort} {med:6.2f}")
            n = count_rows(conn, PRODUCTS_SPEC, list_state(flt))
            print(f"  {fname:20} ({n:6,} rows): " + " | ".join(cells) + " ms")
        print("\n2. a page deep in the list (keyset after row 40,000; 100 keys + rows)")
        for sort, desc in SORTS:
            state = list_state(ProductFilter(), sort_key=sort, descending=desc)
            after = fetch_keys(conn, PRODUCTS_SPEC, state, after=None, limit=40_000).after
            med, mx = median_ms(lambda s=state, a=after: keys_page(conn, s, a), runs)  # type: ignore[misc]
            worst = max(worst, med)
            print(f"  by {sort:8}: {med:6.2f} ms (max {mx:.2f})")
        print("\n3. search (all matching keys + the first 100 rows)")
        for text in ("ao thun trang", "SP01234-M", "8930123450002", "dam", "a"):
            state = list_state(ProductFilter(), search=text)
            med, mx = median_ms(lambda s=state: search_page(conn, s), runs)  # type: ignore[misc]
            n = search_page(conn, state)
            print(f"  {text!r:18} ({n:6,} found): {med:6.2f} ms (max {mx:.2f})")
    print(f"  => worst median page (1-2): {worst:.2f} ms")
    return worst


def bench_model(engine: sa.Engine, runs: int) -> None:
    from PySide6.QtWidgets import QApplication

    from primedist.ui.products.list_page import ProductsTableModel

    print("\n4. the list model (ProductsTableModel): new query + first 30 rows drawn")
    app = QApplication.instance() or QApplication([])
    model = ProductsTableModel(engine)
    roles = (0, 1, 3, 9)  # display, decoration, tooltip, foreground

    def show(state: QueryState) -> None:
        model.set_state(state)
        for r in range(min(30, model.rowCount())):
            for c in range(model.columnCount()):
                for role in roles:
                    model.data(model.index(r, c), role)

    for sort, desc in SORTS:
        state = list_state(ProductFilter(), sort_key=sort, descending=desc)
        med, mx = median_ms(lambda s=state: show(s), runs)  # type: ignore[misc]
        print(f"  by {sort:8}: {med:6.2f} ms (max {mx:.2f})")
    # Home's "Low on stock" link: the Stock cells name the low variants (one query over
    # each page's low products), against the same view showing totals only.
    low = list_state(ProductFilter(statuses=("low_stock",)))
    for named in (False, True):
        model.name_short = named
        med, mx = median_ms(lambda: show(low), runs)
        label = "low view, variants named" if named else "low view, totals only"
        print(f"  {label:26}: {med:6.2f} ms (max {mx:.2f})")
    model.name_short = False
    with PeakRss() as rss:
        t0 = time.perf_counter()
        model.set_state(list_state(ProductFilter()))
        model.load_all_keys()
        took = (time.perf_counter() - t0) * 1000
    print(f"  all {model.rowCount():,} keys loaded in {took:.0f} ms, "
          f"peak RSS +{rss.extra_mb:.1f} MB")  # fmt: skip
    model.stop()
    app.processEvents()


def bench_prices(engine: sa.Engine, runs: int) -> None:
    from primedist.domain.enums import Role
    from primedist.services import price_change as pc
    from primedist.services.context import Actor, ServiceContext

    print("\n5. Change prices: 2,500 products (every 20th), +1 % rounded to 100")
    ctx = ServiceContext(engine).with_actor(Actor(None, "Bench", "bench@x.vn", Role.OWNER))
    standing = "SELECT id FROM products WHERE status != 'archived' ORDER BY id"
    with engine.connect() as conn:
        ids = [int(i) for i in conn.execute(sa.text(standing)).scalars()][::20]
    rule = pc.PriceRule(pc.PriceField.PRICE, pc.PriceMode.PERCENT, Decimal(1), 100)
    rows = pc.preview_prices(ctx, ids, rule)
    med, mx = median_ms(lambda: pc.preview_prices(ctx, ids, rule), runs)
    print(f"  preview of {len(rows):,} variants: {med:7.1f} ms (max {mx:.1f})")
    reports: list[Any] = []
    med, mx = median_ms(lambda: reports.append(pc.change_prices(ctx, ids, rule)), runs)
    last = reports[-1]
    print(f"  change ({last.changed:,} variants, {last.products:,} products, {last.pushes:,} "
          f"listing pushes): {med:7.1f} ms (max {mx:.1f})")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT / "bench-data" / "products"))
    ap.add_argument("--reuse", action="store_true", help="keep a catalogue built before")
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    data_dir = Path(args.data_dir)
    if not (args.reuse and (data_dir / "primedist.db").exists()):
        shutil.rmtree(data_dir, ignore_errors=True)
        data_dir.mkdir(parents=True)
        engine = open_store(resolve_settings(data_dir))
        t0 = time.perf_counter()
        build(engine)
        print(f"built the catalogue in {time.perf_counter() - t0:.1f} s")
        engine.dispose()
    engine = open_store(resolve_settings(data_dir))
    with engine.connect() as conn:
        n_p = conn.execute(sa.text("SELECT count(*) FROM products")).scalar_one()
        n_v = conn.execute(sa.text("SELECT count(*) FROM variants")).scalar_one()
        shops = [
            int(s) for s in conn.execute(sa.text("SELECT id FROM shops ORDER BY id")).scalars()
        ]
    print(f"{n_p:,} products, {n_v:,} variants, {len(shops)} shops")
    bench_pages(engine, shops, args.runs)
    bench_model(engine, args.runs)
    bench_prices(engine, args.runs)
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
