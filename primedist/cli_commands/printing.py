"""`primedist print receipt|invoice|packing-slip ORDER_ID`: print from the command line.

Rendering needs Qt: `primedist.ui.printing` is imported inside the command (never at
module level) and a headless Qt application is created when none runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK, Parser, as_owner, emit, open_context, positive_int
from primedist.config import Settings

DOCUMENTS = {"receipt": "receipt", "invoice": "invoice", "packing-slip": "packing_slip"}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    cmd = sub.add_parser("print", help="print an order's receipt, invoice or packing slip")
    kinds = cmd.add_subparsers(dest="document", required=True, parser_class=Parser)
    for name in DOCUMENTS:
        p = kinds.add_parser(
            name,
            help=f"print the {name.replace('-', ' ')} of an order",
            description="Print with the document's settings (Settings → Printers & "
            "templates), or to the printer, PDF file or ESC/POS address given.",
        )
        p.add_argument("order_id", type=positive_int, metavar="ORDER_ID")
        p.add_argument("--template", metavar="NAME",
                       help="template to use (receipt_80, receipt_58, invoice_a4, invoice_a5, "
                            "packing_slip); its paper comes with it")  # fmt: skip
        where = p.add_mutually_exclusive_group()
        where.add_argument("--printer", metavar="NAME", help="a system printer (queue) name")
        where.add_argument("--pdf", metavar="FILE", help="write a PDF file instead")
        where.add_argument("--escpos", metavar="HOST:PORT",
                           help="an ESC/POS network printer (raw TCP, port 9100)")  # fmt: skip
        p.add_argument("--lang", choices=("vi", "en"), default="vi", help="document language")
        p.add_argument("--json", action="store_true", help="print the result as JSON")
        p.set_defaults(func=cmd_print)


def cmd_print(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.printing.model import DocumentType, PrintTarget, TargetKind, parse_host_port
    from primedist.ui.printing.jobs import ensure_app, print_orders

    ensure_app()
    ctx = as_owner(open_context(settings))
    target = None
    if args.printer:
        target = PrintTarget(TargetKind.SYSTEM, name=args.printer)
    elif args.escpos:
        target = parse_host_port(args.escpos)
    pdf = Path(args.pdf).resolve() if args.pdf else None
    doc_type = DocumentType(DOCUMENTS[args.document])
    result = print_orders(
        ctx, [args.order_id], doc_type, template=args.template, target=target, pdf=pdf,
        lang=args.lang,
    )  # fmt: skip
    emit(
        args,
        {"order_id": args.order_id, "document": doc_type.value, "printed_to": result.where},
        f"Printed the {args.document.replace('-', ' ')} of order {args.order_id} "
        f"to {result.where}.",
    )
    return EXIT_OK
