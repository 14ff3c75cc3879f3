"""`primedist suppliers …`: the suppliers, what the shop owes them, paying them."""

from __future__ import annotations

import argparse
from typing import Any

from primedist.cli import EXIT_OK, Parser, as_owner, emit, open_context
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
    p.add_argument("amount", type=int, metavar="AMOUNT", help="in đồng, e.g. 1500000")
    p.add_argument("--method", choices=METHODS, default="cash")
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pay)


def _data(row: Any) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "name": row.name, "phone": row.phone,
            "email": row.email, "address": row.address, "tax_code": row.tax_code,
            "note": row.note, "active": row.is_active, "receipts": row.receipts,
            "bought": row.bought, "paid": row.paid, "debt": row.debt,
            "last_delivery": row.last_delivery}  # fmt: skip


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import suppliers as sup

    ctx = as_owner(open_context(settings))
    rows = sup.list_suppliers(ctx, args.search, archived=args.archived, owing=args.owing)
    owed = sup.total_owed(ctx)
    lines = [f"{r.code}  {r.name:<40.40}  {r.phone:<12}  bought {r.bought:>14,}  "
             f"owed {r.debt:>14,}" for r in rows]  # fmt: skip
    lines.append(f"{len(rows):,} suppliers; owed to suppliers in all: {owed:,}")
    emit(args, {"suppliers": [_data(r) for r in rows], "total_owed": owed}, "\n".join(lines))
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
                     f"owed now {row.debt:,}.")  # fmt: skip
    return EXIT_OK
