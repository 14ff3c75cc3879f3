"""Product import benchmark: a 50,000-row file in the product template. Prints medians.

    .venv/bin/python benchmarks/bench_product_import.py [--products 12500] [--runs 3]
        [--work-dir bench-data/product-import] [--keep]

Generates one believable catalogue (12,500 products × 4 variants = colour × size: 50,000
rows; Vietnamese names, categories and descriptions, barcodes on half the variants,
discount prices on a third, opening stock, each product listed on 1-3 of 3 shops) as .csv
and as .xlsx (xlsxwriter constant_memory, prices and stock as numbers; generation is not
timed). Then, for each format, `--runs` times, each run in its own process: a fresh
migrated store (a copy of one set-up template with the shops), `import_products` as the
owner timed end to end (read, check, plan, write products, variants, listings, stock
movements, search index and summaries, commit), then a second import of the same file
into that store (every product unchanged; nothing written). Also printed: the CPU time
of the import and the peak RSS over the RSS before it (sampled every 5 ms).
No target is given by the issue; aim: xlsx first import <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
from pathlib import Path

from bench_support import (  # noqa: E402  (benchmarks/ is on sys.path)
    import_twice,
    print_summary,
    record_import_runs,
    run_child,
    template_store,
    write_csv,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key in [k for k in os.environ if k.startswith("PRIMEDIST_")]:
    del os.environ[key]

from primedist.services.catalogue import check_digit  # noqa: E402
from primedist.services.product_import import COLUMNS  # noqa: E402

SHOPS = (("Prime Official - Shopee", "shopee"), ("Prime Store - Lazada", "lazada"),
         ("Prime Cửa hàng", "offline"))  # fmt: skip
KINDS = (
    ("Áo thun", "Thời trang nam"), ("Váy hoa", "Thời trang nữ"), ("Quần jean", "Thời trang nam"),
    ("Giày thể thao", "Giày dép"), ("Dép quai ngang", "Giày dép"), ("Túi xách da", "Túi ví"),
    ("Balo laptop", "Túi ví"), ("Mũ lưỡi trai", "Phụ kiện"), ("Khăn lụa", "Phụ kiện"),
    ("Cốc sứ Bát Tràng", "Nhà cửa"),
)  # fmt: skip
STYLES = ("cổ tròn", "cổ tim", "basic", "cao cấp", "Hàn Quốc", "đường phố", "công sở", "mùa hè",
          "thể thao", "vintage", "đặc biệt", "giới hạn")  # fmt: skip
COLOURS = ("Đỏ", "Đen", "Trắng", "Xanh", "Vàng", "Hồng", "Nâu", "Xám")
SIZES = ("S", "M", "L", "XL")


def make_rows(products: int, seed: int = 11) -> list[list[object]]:
    """4 rows (2 colours × 2 sizes) per product, in the template's column order."""
    rng = random.Random(seed)
    rows: list[list[object]] = []
    for n in range(products):
        kind, category = rng.choice(KINDS)
        name = f"{kind} {rng.choice(STYLES)} {n:05d}"
        description = f"{kind} {rng.choice(STYLES)}, chất liệu tốt, giao hàng toàn quốc."
        shops = "; ".join(sorted(s for s, _ in rng.sample(SHOPS, rng.randint(1, 3))))
        status = "hidden" if rng.random() < 0.05 else "active"
        price = rng.randrange(29, 900) * 1_000
        cost = price * rng.randrange(40, 70) // 100
        colours = rng.sample(COLOURS, 2)
        sizes = rng.sample(SIZES, 2)
        for colour in colours:
            for size in sizes:
                sku = f"P{n:05d}-{COLOURS.index(colour)}{size}"
                body = f"893{rng.randrange(10**8):08d}{len(rows) % 10}"  # + a valid check digit
                barcode = body + str(check_digit(body)) if rng.random() < 0.5 else ""
                discount = price - rng.randrange(1, 10) * 1_000 if rng.random() < 0.33 else ""
                row = {
                    "product_name": name, "category": category, "description": description,
                    "sku": sku, "barcode": barcode, "option1_name": "Màu", "option1": colour,
                    "option2_name": "Size", "option2": size, "cost": cost,
                    "price": price + (5_000 if size in ("L", "XL") else 0),
                    "discount_price": discount, "stock": rng.randrange(0, 200),
                    "low_stock_level": rng.choice(("", "", 5, 10)),
                    "weight_g": rng.choice(("", 250, 400)), "shops": shops, "status": status,
                }  # fmt: skip
                rows.append([row[c] for c in COLUMNS])  # by name: new columns cannot shift it
    return rows


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    """Money and stock as numbers, SKUs and barcodes as text (as an owner's sheet has them)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Sản phẩm")
    sheet.write_row(0, 0, COLUMNS)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, str(value))
    book.close()


def run_import(template: Path, work: Path, file: Path, run: int) -> dict[str, float]:
    """One run in its own process (clean memory and caches); returns its figures."""
    return run_child(__file__, ROOT, str(template), str(work), str(file), str(run))


def one_run(template: Path, work: Path, file: Path, run: int) -> int:
    """The `--one` mode: a fresh copy of the template, import, re-import; prints JSON."""
    from primedist.services.product_import import import_products

    first, again, figures = import_twice(template, work, file, run, import_products)
    first_s, first_cpu, again_s = figures["first"], figures["cpu"], figures["again"]
    assert again.products_unchanged == first.products_created and not again.changed, again
    print(
        f"    run {run + 1}: {first.rows_read:,} rows, {first.products_created:,} products, "
        f"{first.variants_created:,} variants, {first.listings_added:,} listings, "
        f"{first.stock_moves:,} stock movements: {first_s:.2f} s (CPU {first_cpu:.2f} s); "
        f"re-import {again_s:.2f} s; load average {os.getloadavg()[0]:.1f}"
    )
    print(json.dumps(figures))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=12_500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, default=ROOT / "bench-data" / "product-import")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--one", nargs=4, metavar=("TEMPLATE", "WORK", "FILE", "RUN"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args()
    if args.one:
        template, work_dir, file, run = args.one
        return one_run(Path(template), Path(work_dir), Path(file), int(run))
    work: Path = args.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)

    print(f"== generating {args.products:,} products × 4 variants (not timed)", flush=True)
    rows = make_rows(args.products)
    files = {"csv": work / "products.csv", "xlsx": work / "products.xlsx"}
    write_csv(files["csv"], COLUMNS, rows)
    write_xlsx(files["xlsx"], rows)
    n = len(rows)
    del rows
    for kind, path in files.items():
        print(f"  {kind}: {path.stat().st_size / 1e6:.1f} MB")
    template = template_store(work, SHOPS)

    targets = {"csv": "", "xlsx": "aim <= 10 s"}
    for kind, path in files.items():
        print(f"== import {kind} ({args.runs} runs, fresh store each)", flush=True)
        runs = [run_import(template, work, path, run) for run in range(args.runs)]

        record_import_runs(runs, kind, f"{n:,} rows", targets[kind])

    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print_summary()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
