"""Suppliers benchmark: what the shop owes, over years of deliveries. Prints medians.

    .venv/bin/python benchmarks/bench_suppliers.py [--runs 7] [--suppliers 300]
        [--receipts 30000]

A fresh store with `--suppliers` suppliers and `--receipts` goods receipts spread over
them (Zipf-like: the first supplier delivers the most), each paid in part with the delivery,
one later payment per three receipts, goods sent back from one receipt in ten, 5 lines a
receipt over 2,000 SKUs and an opening balance per supplier (written with plain SQL: the
figures are about reading). Measured, each `--runs` times:

* the suppliers list (every figure: receipts, bought, paid, owed, last delivery) and the
  total owed — what the Suppliers page loads;
* a search ('duc minh') and the *only those owed money* filter;
* the account (ledger with running balance) of the busiest supplier, and what it
  delivered (one row a SKU, from its receipts' lines);
* the goods receipts list (newest 500, each with what was paid with it);
* recording a payment (`pay_supplier`, one transaction with its audit row).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlalchemy as sa  # noqa: E402
from bench_support import print_summary, record, set_up_shop, timed_ms  # noqa: E402

from primedist.core.search_keys import search_text  # noqa: E402
from primedist.core.text import fold  # noqa: E402
from primedist.domain.base import table_of  # noqa: E402
from primedist.domain.goods_receipt import GoodsReceipt, GoodsReceiptLine  # noqa: E402
from primedist.domain.supplier import (  # noqa: E402
    Supplier,
    SupplierAdjustment,
    SupplierPayment,
    SupplierReturn,
)
from primedist.services import goods_receipts as gr  # noqa: E402
from primedist.services import suppliers as sup  # noqa: E402
from primedist.services.context import ServiceContext  # noqa: E402


def fill(ctx: ServiceContext, suppliers: int, receipts: int) -> int:
    """Write the suppliers, receipts and payments; the busiest supplier's id."""
    rng = random.Random(11)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    names = [f"Công ty Đức Minh {i}" if i % 10 == 0 else f"Nhà cung cấp số {i}"
             for i in range(suppliers)]  # fmt: skip
    supplier_rows = [{"id": i + 1, "code": f"NCC{i + 1:06d}", "name": n,
                      "name_key": fold(n), "phone": f"09{i:08d}",
                      "search_text": search_text(f"NCC{i + 1:06d}", n, phones=[f"09{i:08d}"]),
                      "is_active": True, "created_at": start, "updated_at": start}
                     for i, n in enumerate(names)]  # fmt: skip
    weights = [1 / (i + 1) for i in range(suppliers)]
    owners = rng.choices(range(1, suppliers + 1), weights, k=receipts)
    receipt_rows, payment_rows, return_rows, line_rows = [], [], [], []
    for n, supplier_id in enumerate(owners, 1):
        at = start + timedelta(minutes=int(n * 1_000_000 / receipts))
        total = rng.randrange(10, 500) * 10_000
        receipt_rows.append({"id": n, "code": f"PN{n:06d}", "supplier": names[supplier_id - 1],
                             "supplier_id": supplier_id, "search_text": f"pn{n:06d}",
                             "lines": 5, "units": 50, "total_cost": total,
                             "created_at": at})  # fmt: skip
        for k in range(5):
            sku = (supplier_id * 37 + n * 7 + k * 101) % 2_000
            line_rows.append({"receipt_id": n, "sku": f"SP{sku:05d}", "quantity": 10,
                              "product_name": f"Sản phẩm {sku}",
                              "unit_cost": total // 50})  # fmt: skip
        payment_rows.append({"supplier_id": supplier_id, "receipt_id": n,
                             "amount": total // 2 or 1, "method": "cash",
                             "paid_at": at})  # fmt: skip
        if n % 10 == 0:
            return_rows.append({"code": f"TH{n:06d}", "receipt_id": n, "supplier_id": supplier_id,
                                "reason": "Lỗi", "units": 2, "total": total // 10,
                                "refund": total // 20, "method": "cash",
                                "created_at": at + timedelta(days=2)})  # fmt: skip
        if n % 3 == 0:
            payment_rows.append({"supplier_id": supplier_id, "receipt_id": None,
                                 "amount": total // 3 or 1, "method": "bank_transfer",
                                 "paid_at": at + timedelta(days=7)})  # fmt: skip
    with ctx.engine.begin() as conn:
        conn.execute(sa.insert(table_of(Supplier)), supplier_rows)
        conn.execute(sa.insert(table_of(GoodsReceipt)), receipt_rows)
        conn.execute(sa.insert(table_of(SupplierPayment)), payment_rows)
        conn.execute(sa.insert(table_of(SupplierReturn)), return_rows)
        conn.execute(sa.insert(table_of(GoodsReceiptLine)), line_rows)
        conn.execute(sa.insert(table_of(SupplierAdjustment)), [
            {"supplier_id": i + 1, "amount": 1_000_000, "reason": "Nợ cũ", "created_at": start}
            for i in range(suppliers)])  # fmt: skip
    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--suppliers", type=int, default=300)
    parser.add_argument("--receipts", type=int, default=30_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = set_up_shop(Path(tmp) / "shop")
        busiest = fill(ctx, args.suppliers, args.receipts)
        ledger = sup.supplier_ledger(ctx, busiest)
        print(f"{args.suppliers:,} suppliers, {args.receipts:,} receipts; the busiest has "
              f"{len(ledger):,} entries on its account")  # fmt: skip
        record("the suppliers list with every figure",
               timed_ms(args.runs, lambda: sup.list_suppliers(ctx)), "ms")  # fmt: skip
        record("the total owed to suppliers",
               timed_ms(args.runs, lambda: sup.total_owed(ctx)), "ms")  # fmt: skip
        record("search the suppliers ('duc minh')",
               timed_ms(args.runs, lambda: sup.list_suppliers(ctx, "duc minh")), "ms")  # fmt: skip
        record("only those owed money",
               timed_ms(args.runs, lambda: sup.list_suppliers(ctx, owing=True)), "ms")  # fmt: skip
        record("the busiest supplier's account (running balance)",
               timed_ms(args.runs, lambda: sup.supplier_ledger(ctx, busiest)), "ms")  # fmt: skip
        record("what the busiest supplier delivered (per SKU)",
               timed_ms(args.runs, lambda: sup.supplied_products(ctx, busiest)), "ms")  # fmt: skip
        record("the goods receipts list (newest 500, with paid)",
               timed_ms(args.runs, lambda: gr.list_receipts(ctx)), "ms")  # fmt: skip
        record("record a payment",
               timed_ms(args.runs, lambda: sup.pay_supplier(ctx, 2, 100_000)), "ms")  # fmt: skip
    print_summary()


if __name__ == "__main__":
    main()
