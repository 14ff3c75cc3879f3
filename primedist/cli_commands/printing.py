"""`primedist print receipt|invoice|packing-slip ORDER`, `primedist print labels` and
`primedist print goods-receipt|supplier-return|purchase-order|customer-payment|supplier-payment
CODE`: print from the command line.

Rendering needs Qt: `primedist.ui.printing` is imported inside the command (never at
module level) and a headless Qt application is created when none runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from primedist.cli import EXIT_OK, Parser, as_owner, counted, emit, open_context, positive_int
from primedist.config import Settings

DOCUMENTS = {"receipt": "receipt", "invoice": "invoice", "packing-slip": "packing_slip"}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    from primedist.printing.model import DocumentType, templates_for

    cmd = sub.add_parser("print", help="print an order's receipt, invoice or packing slip")
    kinds = cmd.add_subparsers(dest="document", required=True, parser_class=Parser)
    for name, doc_type in DOCUMENTS.items():
        what = name.replace("-", " ")
        templates = ", ".join(templates_for(DocumentType(doc_type)))
        p = kinds.add_parser(
            name,
            help=f"print the {what} of an order",
            description="Print with the document's settings (Settings → Printers & "
            "templates), or to the printer, PDF file or ESC/POS address given.",
        )
        p.add_argument("order", metavar="ORDER",
                       help="the order number, as listed and on the receipt (e.g. "
                            "DH261204-0001; any case), or the order's id")  # fmt: skip
        p.add_argument("--template", metavar="NAME",
                       help=f"the {what}'s template to use ({templates}); "
                            "its paper comes with it")  # fmt: skip
        where = _destination(p)
        where.add_argument("--escpos", metavar="HOST:PORT",
                           help="an ESC/POS network printer (raw TCP, port 9100)")  # fmt: skip
        p.set_defaults(func=cmd_print)
    register_labels(kinds)
    for name, what, code, func in GOODS_DOCUMENTS:
        p = kinds.add_parser(
            name, help=f"print {what} to sign",
            description=f"Print {what} on the invoice's printer and paper (Settings → "
            "Printers & templates; A4 when that is a roll), or on the printer or into the PDF "
            "file given.",
        )  # fmt: skip
        p.add_argument("code", metavar="CODE", help=f"its code, e.g. {code}")
        _destination(p)
        p.set_defaults(func=func)
    p = kinds.add_parser(
        "customer-payment", help="print a customer's payment receipt (phiếu thu)",
        description="Print a payment a customer made towards what they owe (sales on "
        "account) on the receipt's printer and paper (the till's), or on the printer or "
        "into the PDF file given.",
    )  # fmt: skip
    p.add_argument("code", metavar="CODE", help="its code, e.g. PT000012")
    _destination(p)
    p.set_defaults(func=cmd_customer_payment)
    p = kinds.add_parser(
        "supplier-payment", help="print a payment to a supplier (phiếu chi)",
        description="Print money the shop paid a supplier (with a goods receipt or later "
        "against what is owed) on the receipt's printer and paper (the till's), or on the "
        "printer or into the PDF file given.",
    )  # fmt: skip
    p.add_argument("code", metavar="CODE", help="its code, e.g. PC000012")
    _destination(p)
    p.set_defaults(func=cmd_supplier_payment)


def _destination(p: argparse.ArgumentParser, lang_help: str = "document language") -> Any:
    """--printer | --pdf (the group, for more choices), --lang and --json."""
    where = p.add_mutually_exclusive_group()
    where.add_argument("--printer", metavar="NAME", help="a system printer (queue) name")
    where.add_argument("--pdf", metavar="FILE", help="write a PDF file instead")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help=lang_help)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    return where


def pdf_file(text: str | None) -> Path | None:
    """The --pdf FILE as an absolute path, its folder tried first: Qt cannot say why it
    could not write a PDF (a read-only folder, a full disk), so a file is made there and
    removed again, and the system's reason refuses the job before anything is rendered."""
    import tempfile

    from primedist.core.messages import msg
    from primedist.errors import PrimedistError
    from primedist.io.xlsx_writer import os_reason

    if not text:
        return None
    path = Path(text).expanduser().resolve()
    if path.parent.is_dir() and not path.is_dir():  # the renderer names those two itself
        try:
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".", suffix=".part"):
                pass
        except OSError as exc:
            raise PrimedistError(
                msg("Cannot write {name}: {reason}", name=path.name, reason=os_reason(exc))
            ) from exc
    return path


def cmd_print(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.printing.model import (
        DocumentType,
        PrintTarget,
        TargetKind,
        parse_host_port,
        template_for,
    )
    from primedist.ui.printing.jobs import ensure_app, print_orders

    doc_type = DocumentType(DOCUMENTS[args.document])
    if args.template:  # the command names the document: another one's template is refused
        template_for(doc_type, args.template)
    pdf = pdf_file(args.pdf)
    ensure_app()
    ctx = as_owner(open_context(settings))
    order_id, number = _order(ctx, args.order)
    target = None
    if args.printer:
        target = PrintTarget(TargetKind.SYSTEM, name=args.printer)
    elif args.escpos:
        target = parse_host_port(args.escpos)
    # A reprint: never the cash drawer (print_orders opens it only when asked).
    result = print_orders(
        ctx, [order_id], doc_type, template=args.template, target=target, pdf=pdf,
        lang=args.lang,
    )  # fmt: skip
    emit(
        args,
        {"order_id": order_id, "order": number, "document": doc_type.value,
         "printed_to": result.where},
        f"Printed the {doc_type.value.replace('_', ' ')} of order {number} to {result.where}.",
    )  # fmt: skip
    return EXIT_OK


def _order(ctx: Any, typed: str) -> tuple[int, str]:
    """The id and number of the order ORDER names: its number as typed, else in capitals
    (ours are; a receipt read out is often typed in lower case), as the till's F8 finds
    it; else, for a whole number, its id. NotFound names what was typed."""
    from primedist.cli import MAX_WHOLE
    from primedist.core.messages import msg
    from primedist.errors import NotFound, ValidationError
    from primedist.services import orders

    text = typed.strip()
    ids: list[int] = []
    for spelling in dict.fromkeys([text, text.upper()]):
        ids = ids or orders.order_ids_by_number(ctx, spelling)
    if len(ids) > 1:  # two shops' own numbering met
        raise ValidationError(msg("Several orders are numbered {number}: print one by its "
                                  "id ({ids}).",
                                  number=text, ids=[str(i) for i in ids]))  # fmt: skip
    if not ids and text.isascii() and text.isdigit() and int(text) <= MAX_WHOLE:
        ids = [int(text)]  # the order's id, as before numbers were taken
    unknown = NotFound(msg("There is no order {number}.", number=text))
    if not ids:
        raise unknown
    try:
        return ids[0], orders.order_detail(ctx, ids[0]).order.external_id
    except NotFound:  # an id no order has: it never existed, or was deleted
        raise unknown from None


def register_labels(kinds: argparse._SubParsersAction[Any]) -> None:
    from primedist.printing.labels import DEFAULT_STOCK, STOCKS

    p = kinds.add_parser(
        "labels",
        help="print barcode labels for products",
        description="Print barcode labels (the variant's barcode, else its SKU; the name, "
        "variant and price) on the label printer remembered by Products → Print labels, "
        "or on the printer or into the PDF file given.",
    )
    p.add_argument("skus", nargs="*", metavar="SKU[:N]",
                   help="a SKU or barcode, with N copies (default 1, or --from-stock)")  # fmt: skip
    p.add_argument("--product", type=positive_int, action="append", default=[], metavar="ID",
                   help="every active variant of this product (repeatable)")  # fmt: skip
    p.add_argument("--from-stock", action="store_true",
                   help="as many labels as each variant has in stock (unless SKU:N)")  # fmt: skip
    p.add_argument("--paper", choices=list(STOCKS), metavar="PAPER",
                   help=f"label paper: {', '.join(STOCKS)} (default: the remembered one, "
                        f"else {DEFAULT_STOCK})")  # fmt: skip
    p.add_argument("--start", type=positive_int, default=1, metavar="N",
                   help="A4 sheets only: start at label N (1 to the labels on a "
                        "sheet) of the first sheet, the labels before it used")  # fmt: skip
    p.add_argument("--no-price", action="store_true", help="leave the price off")
    p.add_argument("--no-shop", action="store_true", help="leave the shop name off")
    _destination(p, "price format")
    p.set_defaults(func=cmd_labels)


def cmd_labels(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from primedist.cli import _usage_error
    from primedist.printing import store
    from primedist.services import labels as svc
    from primedist.ui.printing.jobs import ensure_app
    from primedist.ui.printing.labels import LabelJob, labels_to_pdf, print_labels

    if not args.skus and not args.product:
        return _usage_error("Name the labels to print: SKU[:N] arguments or --product ID.")
    pdf = pdf_file(args.pdf)
    ctx = as_owner(open_context(settings))
    _check_label_counts(ctx, args.skus)
    default = None if args.from_stock else 1
    wanted = [svc.parse_sku_copies(text, default) for text in args.skus]
    items = svc.items_for_skus(ctx, wanted) if wanted else []
    items += svc.items_for_products(ctx, args.product, copies=default) if args.product else []
    saved = svc.load_settings(ctx)
    options = replace(
        saved.options, stock=args.paper or saved.options.stock, skip=args.start - 1,
        show_price=saved.options.show_price and not args.no_price,
        show_shop=saved.options.show_shop and not args.no_shop,
    )  # fmt: skip
    job = LabelJob(items, options, store.load_shop_details(ctx).name, args.lang)
    ensure_app()
    if pdf is not None:
        result = labels_to_pdf(job, pdf)
    else:
        result = print_labels(job, args.printer or saved.printer)
    emit(
        args,
        {"labels": result.labels, "pages": result.pages, "paper": options.stock,
         "printed_to": result.where},
        f"Printed {counted(result.labels, 'label')} on {counted(result.pages, 'page')} "
        f"({options.stock}) "
        f"to {result.where}.",
    )  # fmt: skip
    return EXIT_OK


def _check_label_counts(ctx: Any, texts: list[str]) -> None:
    """`SKU:abc` is a usage error (N is a number of labels), not an unknown SKU; unless a
    SKU or barcode is that whole text (a colon may be part of one)."""
    from primedist.cli import UsageError
    from primedist.errors import ValidationError
    from primedist.services import labels as svc

    for text in texts:
        _sku, sep, count = text.rpartition(":")
        if not sep or count.strip().isdigit():
            continue
        try:
            svc.items_for_skus(ctx, [svc.SkuCopies(text.strip())])
        except ValidationError:
            raise UsageError(
                f"{text}: N in SKU:N must be a whole number of labels, not '{count}'"
            ) from None


def cmd_goods_receipt(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import goods_receipts
    from primedist.ui.printing.jobs import print_goods_receipt

    return _print_by_code(args, settings, goods_receipts.receipt_id_by_code,
                          print_goods_receipt, "goods receipt")  # fmt: skip


def cmd_supplier_return(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import supplier_returns
    from primedist.ui.printing.jobs import print_supplier_return

    return _print_by_code(args, settings, supplier_returns.return_id_by_code,
                          print_supplier_return, "the return")  # fmt: skip


def cmd_purchase_order(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import purchase_orders
    from primedist.ui.printing.jobs import print_purchase_order

    return _print_by_code(args, settings, purchase_orders.order_id_by_code,
                          print_purchase_order, "the purchase order")  # fmt: skip


#: The goods documents printed by their code, as a goods receipt is: (command, what it
#: prints, a code for the help, its function).
GOODS_DOCUMENTS: tuple[tuple[str, str, str, Callable[[argparse.Namespace, Settings], int]], ...] = (
    ("goods-receipt", "a goods receipt (phiếu nhập kho)", "PN000012", cmd_goods_receipt),
    ("supplier-return", "goods sent back to a supplier (phiếu trả hàng)", "TH000012",
     cmd_supplier_return),
    ("purchase-order", "a purchase order (đơn đặt hàng) for its supplier", "DHN000012",
     cmd_purchase_order),
)  # fmt: skip


def cmd_customer_payment(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import customer_account
    from primedist.ui.printing.jobs import print_customer_payment

    # A reprint: never the cash drawer, even for a cash payment.
    return _print_by_code(args, settings, customer_account.payment_id_by_code,
                          partial(print_customer_payment, open_drawer=False),
                          "the payment")  # fmt: skip


def cmd_supplier_payment(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import suppliers
    from primedist.ui.printing.jobs import print_supplier_payment

    # A reprint: never the cash drawer (print_supplier_payment opens it only when asked).
    return _print_by_code(args, settings, suppliers.payment_id_by_code, print_supplier_payment,
                          "the payment")  # fmt: skip


def _print_by_code(
    args: argparse.Namespace, settings: Settings, id_by_code: Callable[[Any, str], int],
    print_job: Callable[..., Any], what: str,
) -> int:  # fmt: skip
    """Print the document `args.code` names (`id_by_code` finds it, `print_job` prints it)
    to --printer or --pdf, else on its own printer."""
    from primedist.printing.model import PrintTarget, TargetKind
    from primedist.ui.printing.jobs import ensure_app

    pdf = pdf_file(args.pdf)
    ctx = as_owner(open_context(settings))
    doc_id = id_by_code(ctx, args.code)
    target = PrintTarget(TargetKind.SYSTEM, name=args.printer) if args.printer else None
    ensure_app()
    result = print_job(ctx, doc_id, target=target,
                       pdf=pdf,
                       lang=args.lang)  # fmt: skip
    code = args.code.strip().upper()
    emit(args, {"code": code, "printed_to": result.where},
         f"Printed {what} {code} to {result.where}.")  # fmt: skip
    return EXIT_OK
