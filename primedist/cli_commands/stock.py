"""`primedist receive FILE`: a goods receipt from a supplier's delivery list; with
`--order CODE`, against a purchase order (without FILE: everything it still awaits)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK, as_owner, counted, emit, money, open_context
from primedist.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "receive",
        help="receive goods: a goods receipt from a delivery list (.xlsx/.csv) or an order",
        description="Read a delivery list (columns sku — or barcode —, quantity and, "
        "optionally, unit_cost; a SKU on several rows adds up) and receive it as one goods "
        "receipt (Products → Goods receipts): every line's stock in one transaction. A bad "
        "row is an error naming its row and column, and nothing is received. With --order, "
        "the receipt is made against that purchase order (its supplier; its lines count "
        "what came; a line without a unit_cost costs what the order expected); without "
        "FILE, everything the order still awaits comes in, at its expected costs.",
    )
    p.add_argument("file", nargs="?", metavar="FILE",
                   help="the delivery list (.xlsx, .csv or .txt); optional with "
                   "--order")  # fmt: skip
    p.add_argument("--order", metavar="CODE",
                   help="the purchase order (DHN000012) the goods were ordered with")  # fmt: skip
    p.add_argument("--supplier", default="", metavar="NAME_OR_CODE",
                   help="who delivered: a supplier's name (a new one is added) or code "
                   "(with --order: the order's supplier, its code or name now, by "
                   "default)")  # fmt: skip
    p.add_argument("--note", default="", metavar="TEXT", help="e.g. the delivery note number")
    p.add_argument("--paid", type=money, default=None, metavar="AMOUNT",
                   help="paid to the supplier with the delivery (default: the whole cost; "
                   "less leaves the rest owed; without a supplier nothing is "
                   "paid)")  # fmt: skip
    p.add_argument("--method", choices=("cash", "bank_transfer", "other"), default="cash",
                   help="how it was paid (default: cash)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_receive)


def cmd_receive(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import _usage_error
    from primedist.domain.enums import PaymentMethod
    from primedist.services import goods_receipts as gr
    from primedist.services import purchase_orders as po

    if not args.file and not args.order:
        return _usage_error("Name the delivery list FILE, or --order CODE to receive what "
                            "the order still awaits.")  # fmt: skip
    ctx = as_owner(open_context(settings))
    order_id = po.order_id_by_code(ctx, args.order) if args.order else None
    lines = _lines(ctx, args.file, order_id)
    over_before = _over(ctx, order_id)
    draft = gr.ReceiptDraft(
        [gr.ReceiptLine(ln.hit.variant_id, ln.quantity, ln.unit_cost) for ln in lines],
        supplier=args.supplier, note=args.note, paid=args.paid,
        method=PaymentMethod(args.method), purchase_order_id=order_id,
    )  # fmt: skip
    row = gr.receive_goods(ctx, draft)
    order = po.get_order(ctx, order_id) if order_id is not None else None
    over = _came_over(over_before, _over(ctx, order_id))
    data = {"id": row.id, "code": row.code, "supplier": row.supplier, "note": row.note,
            "lines": row.lines, "units": row.units, "total_cost": row.total_cost,
            "supplier_id": row.supplier_id, "paid": row.paid, "owed": row.owed,
            "purchase_order": order.code if order else None,
            "over": [{"sku": sku, "units": n} for sku, n in over],
            "over_units": sum(n for _sku, n in over)}  # fmt: skip
    who = f" from {row.supplier}" if row.supplier else ""
    owed = f" ({row.owed:,} left owed)" if row.owed else ""
    emit(args, data, f"Received {row.code}{who}: {counted(row.lines, 'line')}, "
                     f"{counted(row.units, 'unit')}, cost {row.total_cost:,}{owed}."
                     f"{_order_now(order)}{_over_text(order, over)}")  # fmt: skip
    return EXIT_OK


def _over(ctx: Any, order_id: int | None) -> dict[int, tuple[str, int]]:
    """{order line id: (its SKU, units of it that came beyond what it ordered)} (nothing
    off an order)."""
    from primedist.services import purchase_orders as po

    if order_id is None:
        return {}
    return {ln.id: (ln.sku, ln.over) for ln in po.order_lines(ctx, order_id)}


def _came_over(before: dict[int, tuple[str, int]],
               after: dict[int, tuple[str, int]]) -> list[tuple[str, int]]:  # fmt: skip
    """(SKU, units) the receipt brought above what the order still awaited of it, line by
    line: what each line's over grew by (as `purchase-orders show` counts it)."""
    grown = ((sku, n - before.get(line, (sku, 0))[1]) for line, (sku, n) in after.items())
    return [(sku, n) for sku, n in grown if n > 0]


def _over_text(order: Any, over: list[tuple[str, int]]) -> str:
    """The sentence ` Over what DHN… still awaited: 2 units of DEN-L.` ('' when nothing
    came over)."""
    if order is None or not over:
        return ""
    skus = ", ".join(f"{counted(n, 'unit')} of {sku}" for sku, n in over)
    return f" Over what {order.code} still awaited: {skus}."


def _lines(ctx: Any, file: str | None, order_id: int | None) -> list[Any]:
    """The delivery list's lines, else what the order still awaits (both give the variant
    found, the quantity and the unit cost)."""
    from primedist.services import goods_receipts as gr
    from primedist.services import purchase_orders as po

    if file:
        return list(gr.read_receipt_file(ctx, Path(file)))
    assert order_id is not None  # without FILE, --order is required (cmd_receive)
    return list(po.to_receive(ctx, order_id)[1])


def _order_now(order: Any) -> str:
    """What the order awaits after the receipt (nothing without one)."""
    from primedist.cli_commands.purchase_orders import state_text

    if order is None:
        return ""
    to_come = (
        f": {counted(order.awaited_units, 'unit')} still to come" if order.awaited_units else ""
    )
    return f" {order.code} is {state_text(order)}{to_come}."
