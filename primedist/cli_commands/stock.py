"""`primedist receive FILE`: a goods receipt from a supplier's delivery list."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK, as_owner, emit, open_context
from primedist.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "receive",
        help="receive goods: a goods receipt from a delivery list (.xlsx/.csv)",
        description="Read a delivery list (columns sku — or barcode —, quantity and, "
        "optionally, unit_cost; a SKU on several rows adds up) and receive it as one goods "
        "receipt (Products → Goods receipts): every line's stock in one transaction. A bad "
        "row is an error naming its row and column, and nothing is received.",
    )
    p.add_argument("file", metavar="FILE", help="the delivery list (.xlsx, .csv or .txt)")
    p.add_argument("--supplier", default="", metavar="NAME", help="who delivered")
    p.add_argument("--note", default="", metavar="TEXT", help="e.g. the delivery note number")
    p.add_argument("--paid", type=int, default=None, metavar="AMOUNT",
                   help="paid to the supplier with the delivery (default: the whole cost; "
                   "less leaves the rest owed)")  # fmt: skip
    p.add_argument("--method", choices=("cash", "bank_transfer", "other"), default="cash",
                   help="how it was paid (default: cash)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_receive)


def cmd_receive(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.domain.enums import PaymentMethod
    from primedist.services import goods_receipts as gr

    ctx = as_owner(open_context(settings))
    lines = gr.read_receipt_file(ctx, Path(args.file))
    draft = gr.ReceiptDraft(
        [gr.ReceiptLine(ln.hit.variant_id, ln.quantity, ln.unit_cost) for ln in lines],
        supplier=args.supplier, note=args.note, paid=args.paid,
        method=PaymentMethod(args.method),
    )  # fmt: skip
    row = gr.receive_goods(ctx, draft)
    data = {"id": row.id, "code": row.code, "supplier": row.supplier, "note": row.note,
            "lines": row.lines, "units": row.units, "total_cost": row.total_cost,
            "supplier_id": row.supplier_id, "paid": row.paid, "owed": row.owed}  # fmt: skip
    who = f" from {row.supplier}" if row.supplier else ""
    owed = f" ({row.owed:,} left owed)" if row.owed else ""
    emit(args, data, f"Received {row.code}{who}: {row.lines:,} lines, {row.units:,} units, "
                     f"cost {row.total_cost:,}{owed}.")  # fmt: skip
    return EXIT_OK
