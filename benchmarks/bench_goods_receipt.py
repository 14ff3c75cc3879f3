"""Goods receipt benchmark: receive a delivery of many SKUs. Prints medians.

    .venv/bin/python benchmarks/bench_goods_receipt.py [--runs 5] [--variants 5000]

A fresh store with `--variants` variants (1,000 of them listed on a marketplace shop, so a
stock in queues their stock pushes). Measured, each `--runs` times on
variants not received before:

* reading a 500-line delivery list (.xlsx) — `read_receipt_file`;
* saving a 50-line and a 500-line receipt (stock, costs, movements, pushes, the receipt,
  one transaction) — `receive_goods`;
* the receipts list (500 newest) and a search in it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa  # noqa: E402
from bench_support import print_summary, record, set_up_shop, timed_ms  # noqa: E402

from primedist.services import goods_receipts as gr  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402


def make_store(folder: Path, variants: int) -> tuple[ServiceContext, list[tuple[int, str]]]:
    from tests.factories import make_product, make_shop

    ctx = set_up_shop(folder)
    engine = ctx.engine
    shop = make_shop(engine, "Shopee Bench", "shopee")
    ids: list[tuple[int, str]] = []
    for p in range(variants // 5):
        skus = [(f"SP{p:05d}-{v}", 99_000, 10) for v in range(5)]
        ids += zip(make_product(engine, f"Sản phẩm {p}", skus), [s for s, _p, _q in skus],
                   strict=True)  # fmt: skip
    with engine.begin() as conn:
        listed = [vid for vid, _sku in ids[:1000]]
        conn.execute(sa.text(
            "INSERT INTO product_listings (product_id, shop_id, external_id, is_active) "
            "SELECT DISTINCT product_id, :shop, 'L' || product_id, 1 FROM variants "
            "WHERE id <= :last"), {"shop": shop, "last": max(listed)})  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO variant_listings (listing_id, variant_id, external_id) "
            "SELECT l.id, v.id, 'M' || v.id FROM variants v JOIN product_listings l "
            "ON l.product_id = v.product_id WHERE v.id <= :last"),
            {"last": max(listed)})  # fmt: skip
    return ctx, ids


def write_list(path: Path, skus: list[str]) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["sku", "quantity", "unit_cost"])
    for i, sku in enumerate(skus):
        sheet.append([sku, 1 + i % 20, 45_000 + 1_000 * (i % 7)])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--variants", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ctx, ids = make_store(folder / "shop", args.variants)
        fresh = iter(range(0, len(ids), 1))
        file = folder / "list.xlsx"
        write_list(file, [sku for _vid, sku in ids[:500]])
        record("read a 500-line delivery list (.xlsx)",
               timed_ms(args.runs, lambda: gr.read_receipt_file(ctx, file)), "ms")  # fmt: skip

        def receive(n: int) -> None:
            start = next(fresh)
            for _ in range(n - 1):
                next(fresh)
            lines = [gr.ReceiptLine(vid, 5, 40_000) for vid, _sku in ids[start : start + n]]
            gr.receive_goods(ctx, gr.ReceiptDraft(lines, supplier="Công ty Đức Minh"))

        for n in (50, 500):
            record(f"save a {n}-line goods receipt",
                   timed_ms(args.runs, lambda n=n: receive(n)), "ms")  # fmt: skip
        record("the receipts list (newest 500)",
               timed_ms(args.runs, lambda: gr.list_receipts(ctx)), "ms")  # fmt: skip
        record("search the receipts ('duc minh')",
               timed_ms(args.runs, lambda: gr.list_receipts(ctx, "duc minh")), "ms")  # fmt: skip
    print_summary()


if __name__ == "__main__":
    main()
