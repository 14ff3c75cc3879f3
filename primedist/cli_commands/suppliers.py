"""`primedist suppliers …`: the suppliers, what the shop owes them, paying them."""

from __future__ import annotations

import argparse
from typing import Any

from primedist.cli import EXIT_OK, Parser, as_owner, counted, emit, money, open_context
from primedist.config import Settings

METHODS = ("cash", "bank_transfer", "other")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("suppliers", help="suppliers and what the shop owes them")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    p = actions.add_parser(
        "list", help="the suppliers with what they delivered, were paid and are owed"
    )
    p.add_argument("--search", default="", metavar="TEXT",
                   help="code, name, phone, email or tax code (accents optional)")  # fmt: skip
    p.add_argument("--owing", action="store_true", help="only those owed money")
    p.add_argument("--archived", action="store_true", help="the archived suppliers instead")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = actions.add_parser("add", help="add a supplier (only the name is required)")
    p.add_argument("name", metavar="NAME")
    for field in ("phone", "email", "address", "tax-code", "note"):
        p.add_argument(f"--{field}", default="", metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_add)
    p = actions.add_parser("pay", help="record money paid to a supplier against its balance")
    p.add_argument("supplier", metavar="SUPPLIER", help="its code (NCC000012) or name")
    p.add_argument("amount", type=money, metavar="AMOUNT",
                   help="in đồng, e.g. 1500000, 1.500.000 or 1500k")  # fmt: skip
    p.add_argument("--method", choices=METHODS, default="cash")
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pay)
    p = actions.add_parser(
        "adjust", help="change what the shop owes a supplier by hand (an opening debt, …)"
    )
    p.add_argument("supplier", metavar="SUPPLIER", help="its code (NCC000012) or name")
    p.add_argument("amount", type=money, metavar="AMOUNT",
                   help="in đồng: + the shop owes more (e.g. a debt from before the app), "
                   "- less (e.g. a discount granted)")  # fmt: skip
    p.add_argument("--reason", required=True, metavar="TEXT", help="why the balance changes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_adjust)
    p = actions.add_parser(
        "return", help="send goods of a goods receipt back to its supplier",
        description="Take the quantities back out of stock and record the return (TH000012): "
        "the supplier is owed their cost less, or gives the money back (--refund).",
    )  # fmt: skip
    p.add_argument("receipt", metavar="RECEIPT", help="the goods receipt's code (PN000123)")
    p.add_argument("lines", nargs="+", metavar="SKU:QTY", help="a SKU of the receipt and how "
                   "many of it go back")  # fmt: skip
    p.add_argument("--reason", required=True, metavar="TEXT", help="why they go back")
    p.add_argument("--refund", type=money, default=0, metavar="AMOUNT",
                   help="money the supplier gave back for them (default 0: it comes off what "
                   "the shop owes)")  # fmt: skip
    p.add_argument("--method", choices=METHODS, default="cash", help="how it came back")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_return)
    p = actions.add_parser(
        "cancel-return", help="cancel a return to a supplier entered by mistake",
        description="Bring its goods back into stock; it stops counting in what the shop "
        "owes the supplier (the money given back with it too: then the owner or a manager "
        "only).",
    )  # fmt: skip
    p.add_argument("code", metavar="RETURN", help="the return's code (TH000012)")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why it is cancelled")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cancel_return)


def _data(row: Any) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "name": row.name, "phone": row.phone,
            "email": row.email, "address": row.address, "tax_code": row.tax_code,
            "note": row.note, "active": row.is_active, "receipts": row.receipts,
            "bought": row.bought, "paid": row.paid, "adjusted": row.adjusted, "debt": row.debt,
            "last_delivery": row.last_delivery}  # fmt: skip


def _balance_now(debt: int) -> str:
    """`owed now 300,000`, or `now 200,000 paid in advance` (a balance below nothing is
    money the supplier holds for the shop, not a debt)."""
    return f"owed now {debt:,}" if debt >= 0 else f"now {-debt:,} paid in advance"


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import suppliers as sup

    ctx = as_owner(open_context(settings))
    rows = sup.list_suppliers(ctx, args.search, archived=args.archived, owing=args.owing)
    owed = sup.total_owed(ctx)
    # The suppliers listed, counted as the total is: one paid in advance is not netted off.
    listed = sum(max(r.debt, 0) for r in rows)
    lines = [f"{r.code}  {r.name:<40.40}  {r.phone:<12}  bought {r.bought:>14,}  "
             f"owed {r.debt:>14,}" for r in rows]  # fmt: skip
    lines.append(f"{counted(len(rows), 'supplier')} listed, owed {listed:,}; owed to all "
                 f"suppliers (archived too): {owed:,}")  # fmt: skip
    data = {"suppliers": [_data(r) for r in rows], "listed_owed": listed, "total_owed": owed}
    emit(args, data, "\n".join(lines))
    return EXIT_OK


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import suppliers as sup

    ctx = as_owner(open_context(settings))
    draft = sup.SupplierDraft(args.name, phone=args.phone, email=args.email,
                              address=args.address, tax_code=args.tax_code,
                              note=args.note)  # fmt: skip
    row = sup.create_supplier(ctx, draft)
    emit(args, _data(row), f"Added supplier {row.code}: {row.name}.")
    return EXIT_OK


def cmd_pay(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.domain.enums import PaymentMethod
    from primedist.services import suppliers as sup

    ctx = as_owner(open_context(settings))
    supplier_id = sup.supplier_id_by_name(ctx, args.supplier)
    entry = sup.pay_supplier(ctx, supplier_id, args.amount, PaymentMethod(args.method), args.note)
    row = sup.get_supplier(ctx, supplier_id)
    data = {"payment": entry.code, "supplier": row.code, "name": row.name,
            "amount": entry.amount, "method": args.method, "debt": row.debt}  # fmt: skip
    emit(args, data, f"{entry.code}: paid {entry.amount:,} to {row.name} ({row.code}); "
                     f"{_balance_now(row.debt)}.")  # fmt: skip
    return EXIT_OK


def cmd_return(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import _usage_error
    from primedist.domain.enums import PaymentMethod
    from primedist.errors import NotFound
    from primedist.services import goods_receipts as gr
    from primedist.services import supplier_returns as sr

    wanted: list[tuple[str, int]] = []
    for item in args.lines:  # before the store is opened, as every usage error
        sku, _sep, count = item.rpartition(":")
        if not sku or not count.isdigit():
            return _usage_error(f"{item!r} is not SKU:QTY (e.g. COC-1:3)")
        wanted.append((sku, int(count)))
    ctx = as_owner(open_context(settings))
    receipt_id = gr.receipt_id_by_code(ctx, args.receipt)
    receipt_lines = gr.receipt_lines(ctx, receipt_id)
    by_sku = {line.sku.lower(): line.id for line in receipt_lines}
    quantities: dict[int, int] = {}
    for sku, count in wanted:
        if sku.lower() not in by_sku:  # the data refuses it, not the command line: exit 1
            skus = ", ".join(line.sku for line in receipt_lines)
            raise NotFound(f"{args.receipt.upper()} has no SKU {sku} (its SKUs: {skus}).")
        line = by_sku[sku.lower()]
        quantities[line] = quantities.get(line, 0) + count
    draft = sr.ReturnDraft(receipt_id, quantities, args.reason, refund=args.refund,
                           method=PaymentMethod(args.method))  # fmt: skip
    row = sr.return_to_supplier(ctx, draft)
    data = {"code": row.code, "receipt": row.receipt_code, "units": row.units,
            "total": row.total, "refund": row.refund, "method": args.method}  # fmt: skip
    back = f"; {row.refund:,} given back" if row.refund else ""
    units = counted(row.units, "unit")
    emit(args, data, f"{row.code}: {units} of {row.receipt_code} back to the supplier, worth "
                     f"{row.total:,}{back}.")  # fmt: skip
    return EXIT_OK


def cmd_cancel_return(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import supplier_returns as sr
    from primedist.services import suppliers as sup

    ctx = as_owner(open_context(settings))
    row = sr.cancel_return(ctx, sr.return_id_by_code(ctx, args.code), args.reason)
    debt = sup.get_supplier(ctx, row.supplier_id).debt if row.supplier_id else None
    data = {"code": row.code, "receipt": row.receipt_code, "units": row.units,
            "reason": row.cancel_reason, "debt": debt}  # fmt: skip
    owed = "" if debt is None else f" {row.supplier} is owed {debt:,} now." if debt >= 0 \
        else f" {row.supplier}: {-debt:,} paid in advance now."  # fmt: skip
    units = counted(row.units, "unit")
    emit(args, data, f"{row.code} cancelled: {units} of {row.receipt_code} back in stock."
                     f"{owed}")  # fmt: skip
    return EXIT_OK


def cmd_adjust(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import suppliers as sup

    ctx = as_owner(open_context(settings))
    supplier_id = sup.supplier_id_by_name(ctx, args.supplier)
    entry = sup.adjust_balance(ctx, supplier_id, args.amount, args.reason)
    row = sup.get_supplier(ctx, supplier_id)
    data = {"adjustment": entry.code, "supplier": row.code, "name": row.name,
            "amount": args.amount, "debt": row.debt}  # fmt: skip
    change = f"{abs(args.amount):,} {'more' if args.amount > 0 else 'less'}"
    emit(args, data, f"{entry.code}: {row.name} ({row.code}) owed {change}; "
                     f"{_balance_now(row.debt)}.")  # fmt: skip
    return EXIT_OK
