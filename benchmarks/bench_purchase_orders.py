"""Purchase orders benchmark: years of ordering from suppliers. Prints medians.

    .venv/bin/python benchmarks/bench_purchase_orders.py [--runs 7] [--orders 10000]
        [--receipts 20000]

A fresh store with 2,000 SKUs (200 products of 10 variants, each with a low-stock level of
20 and 0–100 on hand: about a fifth low), 100 suppliers, `--receipts` goods receipts of 5
lines (Zipf-like: the first supplier delivers the most) and `--orders` purchase orders of
5 lines, the newest 300 still open (written with plain SQL: the figures are about reading
and the services' writes). Measured, each `--runs` times:

* the Purchase orders page's list: the open ones, all of them (newest 500), a search by
  SKU;
* what the busiest supplier should be asked for (`suggested_lines`: its SKUs low on stock,
  less what is on order);
* an order of every product chosen on the Products list (`products_to_order`: the 200
  products, what of them is low, at the last cost, from their last supplier);
* a page of the Products list (100 rows) with its On order column, and cancelling a
  return to a supplier of 5 lines (the stock back, the return no longer counting);
* saving a new order of 50 lines; receiving 50 lines against an order (the receipt, its
  stock movements, the order's lines counted).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa  # noqa: E402
from bench_support import print_summary, record, set_up_shop, timed_ms  # noqa: E402

from primedist.core.text import fold  # noqa: E402
from primedist.domain.base import table_of  # noqa: E402
from primedist.domain.goods_receipt import GoodsReceipt, GoodsReceiptLine  # noqa: E402
from primedist.domain.product import Variant  # noqa: E402
from primedist.domain.purchase_order import PurchaseOrder, PurchaseOrderLine  # noqa: E402
from primedist.domain.supplier import Supplier  # noqa: E402
from primedist.queries.products import PRODUCTS_SPEC  # noqa: E402
from primedist.queries.spec import fetch_rows  # noqa: E402
from primedist.services import goods_receipts as gr  # noqa: E402
from primedist.services import purchase_orders as po  # noqa: E402
from primedist.services import supplier_returns as sr  # noqa: E402
from primedist.services.catalogue import ProductDraft, VariantDraft, create_product  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402

SUPPLIERS = 100
OPEN = 300


def products(ctx: ServiceContext) -> list[int]:
    """200 products of 10 variants through the catalogue service; the variant ids."""
    rng = random.Random(5)
    for p in range(200):
        create_product(ctx, ProductDraft(name=f"Sản phẩm {p}", option1_name="Mẫu", variants=[
            VariantDraft(sku=f"SP{p:03d}-{v}", option1=f"M{v}", price=100_000, cost=60_000,
                         stock=rng.randrange(0, 101), low_stock_level=20)
            for v in range(10)]))  # fmt: skip
    with ctx.engine.connect() as conn:
        return [int(i) for i in conn.execute(sa.select(table_of(Variant).c.id)).scalars()]


def fill(ctx: ServiceContext, variants: list[int], receipts: int, orders: int) -> None:
    rng = random.Random(11)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    names = [f"Nhà cung cấp số {i}" for i in range(SUPPLIERS)]
    weights = [1 / (i + 1) for i in range(SUPPLIERS)]
    suppliers = [{"id": i + 1, "code": f"NCC{i + 1:06d}", "name": n, "name_key": fold(n),
                  "search_text": fold(n), "is_active": True, "created_at": start,
                  "updated_at": start} for i, n in enumerate(names)]  # fmt: skip
    skus = {v: f"SKU{v}" for v in variants}
    receipt_rows, receipt_lines = [], []
    for n, owner in enumerate(rng.choices(range(1, SUPPLIERS + 1), weights, k=receipts), 1):
        receipt_rows.append({"id": n, "code": f"PN{n:06d}", "supplier": names[owner - 1],
                             "supplier_id": owner, "search_text": f"pn{n:06d}", "lines": 5,
                             "units": 50, "total_cost": 3_000_000,
                             "created_at": start + timedelta(minutes=n)})  # fmt: skip
        for vid in rng.sample(variants, 5):
            receipt_lines.append({"receipt_id": n, "variant_id": vid, "sku": skus[vid],
                                  "product_name": "x", "quantity": 10,
                                  "unit_cost": 60_000})  # fmt: skip
    order_rows, order_lines = [], []
    for n, owner in enumerate(rng.choices(range(1, SUPPLIERS + 1), weights, k=orders), 1):
        done = n <= orders - OPEN
        order_rows.append({"id": n, "code": f"DHN{n:06d}", "supplier_id": owner,
                           "supplier": names[owner - 1], "search_text": f"dhn{n:06d}",
                           "lines": 5, "units": 50, "received_units": 50 if done else 0,
                           "total_cost": 3_000_000,
                           "created_at": start + timedelta(minutes=2 * n)})  # fmt: skip
        for vid in rng.sample(variants, 5):
            order_lines.append({"order_id": n, "variant_id": vid, "sku": skus[vid],
                                "product_name": "x", "quantity": 10, "unit_cost": 60_000,
                                "received": 10 if done else 0})  # fmt: skip
    with ctx.engine.begin() as conn:
        conn.execute(sa.insert(table_of(Supplier)), suppliers)
        conn.execute(sa.insert(table_of(GoodsReceipt)), receipt_rows)
        conn.execute(sa.insert(table_of(GoodsReceiptLine)), receipt_lines)
        conn.execute(sa.insert(table_of(PurchaseOrder)), order_rows)
        conn.execute(sa.insert(table_of(PurchaseOrderLine)), order_lines)


def product_keys(ctx: ServiceContext) -> list[int]:
    with ctx.engine.connect() as conn:
        return list(conn.execute(sa.select(table_of(Variant).c.product_id).distinct()).scalars())


def returns_to_cancel(ctx: ServiceContext, variants: list[int], runs: int) -> Callable[[], object]:
    """`runs` returns of 5 lines made now (not timed); each call cancels the next one."""
    made = []
    for n in range(runs):
        receipt = gr.receive_goods(ctx, gr.ReceiptDraft(
            [gr.ReceiptLine(v, 10, 50_000) for v in variants[n * 5:n * 5 + 5]],
            supplier="NCC000002"))  # fmt: skip
        lines = {ln.id: 2 for ln in gr.receipt_lines(ctx, receipt.id)}
        made.append(sr.return_to_supplier(ctx, sr.ReturnDraft(receipt.id, lines, "vỡ")).id)
    ids = iter(made)
    return lambda: sr.cancel_return(ctx, next(ids), "nhầm")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--receipts", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = set_up_shop(Path(tmp) / "shop")
        variants = products(ctx)
        fill(ctx, variants, args.receipts, args.orders)
        busiest = "NCC000001"
        print(f"{len(variants):,} SKUs, {SUPPLIERS} suppliers, {args.receipts:,} receipts, "
              f"{args.orders:,} purchase orders ({OPEN} open); the busiest supplier should be "
              f"asked for {len(po.suggested_lines(ctx, busiest)):,} SKUs")  # fmt: skip
        record("the open orders", timed_ms(args.runs, lambda: po.list_orders(ctx, state="open")),
               "ms")  # fmt: skip
        record("all orders (newest 500)", timed_ms(args.runs, lambda: po.list_orders(ctx)), "ms")
        sku = f"SKU{variants[7]}"
        record("search the orders by a SKU",
               timed_ms(args.runs, lambda: po.list_orders(ctx, sku)), "ms")  # fmt: skip
        record("what to order from the busiest supplier",
               timed_ms(args.runs, lambda: po.suggested_lines(ctx, busiest)), "ms")  # fmt: skip
        product_ids = product_keys(ctx)
        record("an order of all 200 products (Products list → Order…)",
               timed_ms(args.runs, lambda: po.products_to_order(ctx, product_ids)), "ms")
        with ctx.engine.connect() as conn:
            record("a Products list page of 100 rows, with On order", timed_ms(
                args.runs, lambda: fetch_rows(conn, PRODUCTS_SPEC, product_ids[:100])), "ms")
        record("cancel a return of 5 lines to a supplier",
               timed_ms(args.runs, returns_to_cancel(ctx, variants, args.runs)), "ms")
        lines = [po.OrderLine(v, 12, 60_000) for v in variants[:50]]
        created: list[po.OrderRow] = []
        record("save an order of 50 lines", timed_ms(args.runs, lambda: created.append(
            po.create_order(ctx, po.OrderDraft(busiest, lines)))), "ms")  # fmt: skip
        receipt = [gr.ReceiptLine(v, 12, 60_000) for v in variants[:50]]
        targets = iter(created)
        record("receive 50 lines against an order", timed_ms(args.runs, lambda: gr.receive_goods(
            ctx, gr.ReceiptDraft(receipt, purchase_order_id=next(targets).id))), "ms")  # fmt: skip
    print_summary()


if __name__ == "__main__":
    main()
