"""`primedist purchase-orders …`: ordering from suppliers (*đặt hàng nhập*): list, add
(lines typed or suggested), show, cancel, close. `primedist receive --order CODE` receives
the goods of an order; `primedist print purchase-order CODE` prints one."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from primedist.cli import (
    EXIT_OK,
    Parser,
    as_owner,
    counted,
    emit,
    local_date,
    non_negative_money,
    open_context,
)
from primedist.cli import PURCHASE_ORDER_STATES as STATES
from primedist.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("purchase-orders", help="orders to suppliers (đặt hàng nhập)")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    p = actions.add_parser("list", help="the newest orders first (at most 500)")
    p.add_argument("--state", choices=STATES, help="open = still awaiting goods")
    p.add_argument("--supplier", metavar="NAME_OR_CODE", help="only this supplier's orders")
    p.add_argument("--search", default="", metavar="TEXT",
                   help="code, supplier or note (accents optional), or a SKU ordered")  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = actions.add_parser(
        "add", help="order goods from a supplier (no stock moves until they come)",
        description="Record a purchase order (DHN000012): --line for each SKU (or barcode), "
        "and/or --suggested for what the supplier's low-stock SKUs need, and/or --like an "
        "earlier order's lines (a --line of the same SKU replaces a suggestion, a suggestion "
        "the earlier order's line). A supplier name not known yet adds a supplier.",
    )  # fmt: skip
    p.add_argument("--supplier", metavar="NAME_OR_CODE",
                   help="required, unless --like names an order: its supplier then")  # fmt: skip
    p.add_argument("--like", metavar="CODE",
                   help="start from the lines of that order (e.g. DHN000012) as they were "
                   "ordered: the same goods again")  # fmt: skip
    p.add_argument("--line", dest="lines", type=order_line, action="append", default=[],
                   metavar="SKU:QTY[:UNIT_COST]",
                   help="a SKU or barcode, how many, and the unit cost agreed "
                   "(repeatable)")  # fmt: skip
    p.add_argument("--suggested", action="store_true",
                   help="add the suggested lines: the SKUs the supplier delivered before that "
                   "are low on stock now")  # fmt: skip
    p.add_argument("--expected", type=local_date, metavar="YYYY-MM-DD",
                   help="the day the goods are expected")  # fmt: skip
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_add)
    p = actions.add_parser("show", help="an order, its lines with what came, its receipts")
    p.add_argument("code", metavar="CODE", help="the order's code, e.g. DHN000012")
    p.add_argument("--chat", action="store_true",
                   help="the order as the text to paste into the chat with the supplier "
                   "(Zalo, Messenger…)")  # fmt: skip
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="the --chat text's language")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)
    for action, help_text in (("cancel", "cancel an order nothing came of yet"),
                              ("close", "end an order partly received: the rest will not "
                               "come")):  # fmt: skip
        p = actions.add_parser(action, help=help_text)
        p.add_argument("code", metavar="CODE", help="the order's code, e.g. DHN000012")
        p.add_argument("--reason", required=True, metavar="TEXT")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=cmd_end)


def order_line(text: str) -> tuple[str, int, int | None]:
    """`SKU:QTY` or `SKU:QTY:UNIT_COST` (a SKU may hold colons; the cost typed as on the
    screens: 30000, 30.000, 30,000, 30_000 or 30k) → (SKU, quantity, unit cost or None)."""
    head, _sep, last = text.rpartition(":")
    sku, _sep, middle = head.rpartition(":")
    quantity, cost = _whole(middle), _cost(last)
    if sku and quantity is not None and cost is not None:
        return sku, quantity, cost
    count = _whole(last)
    if head and count is not None:  # SKU:QTY: the last number is the quantity
        return head, count, None
    raise argparse.ArgumentTypeError(f"{text!r} is not SKU:QTY[:UNIT_COST] (e.g. COC-1:10:30000 "
                                     "or COC-1:10:30k)")  # fmt: skip


def _whole(text: str) -> int | None:
    digits = text.replace(",", "").replace("_", "")
    return int(digits) if digits.isascii() and digits.isdigit() else None


def _cost(text: str) -> int | None:
    """A unit cost of 0 or more, as `money` reads it; None when it is not one."""
    try:
        return non_negative_money(text)
    except argparse.ArgumentTypeError:
        return None


def _data(row: Any) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "created_at": row.created_at.isoformat(),
            "supplier_id": row.supplier_id, "supplier": row.supplier,
            "expected_on": _iso(row.expected_on),
            "note": row.note, "state": row.state.value, "lines": row.lines, "units": row.units,
            "received_units": row.received_units, "awaited_units": row.awaited_units,
            "total_cost": row.total_cost, "ordered_by": row.ordered_by,
            "cancelled_at": _iso(row.cancelled_at), "cancel_reason": row.cancel_reason or None,
            "closed_at": _iso(row.closed_at), "close_reason": row.close_reason or None}  # fmt: skip


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _local(value: Any) -> str:
    """A stored time as the shop's clock shows it."""
    from primedist.core.clock import shop_tz, to_local

    return to_local(value, shop_tz()).strftime("%Y-%m-%d %H:%M")


def state_text(row: Any) -> str:
    """An order's state in words ("partly received")."""
    return str(row.state.value).replace("_", " ")


def _summary(row: Any) -> str:
    expected = f"  expected {row.expected_on.isoformat()}" if row.expected_on else ""
    return (f"{row.code}  {_local(row.created_at)}  {row.supplier:<30.30}  {state_text(row):<15}  "
            f"{row.received_units:,}/{counted(row.units, 'unit')}  cost {row.total_cost:>12,}"
            f"{expected}")  # fmt: skip


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import purchase_orders as po
    from primedist.services import suppliers as sup

    ctx = as_owner(open_context(settings))
    supplier_id = sup.supplier_id_by_name(ctx, args.supplier) if args.supplier else None
    rows = po.list_orders(ctx, args.search, args.state, supplier_id)
    text = [_summary(r) for r in rows] + [counted(len(rows), "purchase order")]
    emit(args, {"orders": [_data(r) for r in rows]}, "\n".join(text))
    return EXIT_OK


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import _usage_error
    from primedist.core.messages import msg
    from primedist.errors import ValidationError
    from primedist.services import purchase_orders as po
    from primedist.services import suppliers as sup

    if not args.lines and not args.suggested and not args.like:
        return _usage_error("Name what to order: --line SKU:QTY[:UNIT_COST], --suggested or "
                            "--like CODE.")  # fmt: skip
    if not args.supplier and not args.like:
        return _usage_error("Name the supplier: --supplier NAME_OR_CODE.")
    ctx = as_owner(open_context(settings))
    lines: dict[int, Any] = {}  # variant → line; a later source replaces an earlier one
    supplier = args.supplier
    if args.like:
        earlier, again = po.order_again(ctx, po.order_id_by_code(ctx, args.like))
        # By its code: the order's supplier record, whatever it is called now.
        supplier = supplier or sup.get_supplier(ctx, earlier.supplier_id).code
        lines.update((t.hit.variant_id, po.OrderLine(t.hit.variant_id, t.quantity, t.unit_cost))
                     for t in again)  # fmt: skip
    if args.suggested:
        lines.update((s.hit.variant_id, po.OrderLine(s.hit.variant_id, s.quantity, s.unit_cost))
                     for s in _suggested(ctx, supplier))  # fmt: skip
    typed = _typed_lines(ctx, args.lines)  # as typed: a SKU typed twice is refused
    if args.suggested and not lines and not typed:
        raise ValidationError(msg("Nothing {supplier} delivered before is low on stock: there "
                                  "is nothing to suggest.", supplier=_named(ctx, supplier)),
                              field="lines")  # fmt: skip
    for line in typed:
        lines.pop(line.variant_id, None)
    draft = po.OrderDraft(supplier, [*lines.values(), *typed], args.expected, args.note)
    row = po.create_order(ctx, draft)
    emit(args, _data(row), f"Ordered {row.code} from {row.supplier}: "
                           f"{counted(row.lines, 'line')}, {counted(row.units, 'unit')}, "
                           f"cost {row.total_cost:,}.")  # fmt: skip
    return EXIT_OK


def _named(ctx: Any, supplier: str) -> str:
    """The supplier typed (or taken from --like) by its name, not its code; a name no
    supplier has yet as typed."""
    from primedist.errors import NotFound
    from primedist.services import suppliers as sup

    try:
        return str(sup.get_supplier(ctx, sup.supplier_id_by_name(ctx, supplier)).name)
    except NotFound:
        return supplier.strip()


def _suggested(ctx: Any, supplier: str) -> list[Any]:
    """The supplier's suggested lines; none for a name no supplier has yet (a new supplier
    delivered nothing). A code no supplier has stays an error: it is a typo."""
    from primedist.errors import NotFound
    from primedist.services import purchase_orders as po
    from primedist.services import suppliers as sup

    try:
        return list(po.suggested_lines(ctx, supplier))
    except NotFound:
        if sup.looks_like_code(supplier):
            raise
        return []


def _typed_lines(ctx: Any, items: Sequence[tuple[str, int, int | None]]) -> list[Any]:
    """The --line items as order lines, each SKU found as `receive` finds it (a barcode,
    else a SKU, of a variant goods can come in for); the unknown ones named together."""
    from primedist.core.messages import msg
    from primedist.errors import NotFound
    from primedist.services import goods_receipts as gr
    from primedist.services import purchase_orders as po

    hits = [(gr.find_variant(ctx, sku), sku, quantity, cost) for sku, quantity, cost in items]
    unknown = [sku for hit, sku, _q, _c in hits if hit is None]
    if unknown:
        raise NotFound(msg("No product has the SKU or barcode {codes}.", codes=unknown))
    return [po.OrderLine(hit.variant_id, quantity, cost)
            for hit, _sku, quantity, cost in hits if hit is not None]  # fmt: skip


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import purchase_orders as po

    ctx = as_owner(open_context(settings))
    order_id = po.order_id_by_code(ctx, args.code)
    if args.chat:
        text = po.order_text(ctx, order_id, lang=args.lang)
        emit(args, {"text": text}, text)
        return EXIT_OK
    row = po.get_order(ctx, order_id)
    lines = po.order_lines(ctx, order_id)
    receipts = po.order_receipts(ctx, order_id)
    data = {
        "order": _data(row),
        "lines": [{"sku": ln.sku, "product": ln.product_name, "variant": ln.variant_name,
                   "quantity": ln.quantity, "unit_cost": ln.unit_cost, "amount": ln.amount,
                   "received": ln.received, "over": ln.over, "remaining": ln.remaining}
                  for ln in lines],
        "receipts": [{"code": code, "created_at": at.isoformat(), "cancelled": cancelled}
                     for code, at, cancelled in receipts],
    }  # fmt: skip
    emit(args, data, "\n".join(_shown(row, lines, receipts)))
    return EXIT_OK


def _shown(row: Any, lines: Sequence[Any], receipts: Sequence[tuple[str, Any, bool]]) -> list[str]:
    """`show`'s text: the head, a line per SKU, the totals, the receipts."""
    ended = row.cancel_reason or row.close_reason
    text = [f"{row.code}  {row.supplier}  {state_text(row)}" + (f" ({ended})" if ended else ""),
            f"Ordered {_local(row.created_at)} by {row.ordered_by or '-'}"
            + (f"; expected {row.expected_on.isoformat()}" if row.expected_on else "")
            + (f"; note: {row.note}" if row.note else ""),
            f"{'SKU':<20}  {'Product':<40}  {'Ordered':>8}  {'Received':>14}  {'To come':>8}  "
            f"{'Unit cost':>12}"]  # fmt: skip
    for ln in lines:
        name = ln.product_name + (f" — {ln.variant_name}" if ln.variant_name else "")
        cost = "-" if ln.unit_cost is None else f"{ln.unit_cost:,}"
        text.append(f"{ln.sku:<20.20}  {name:<40.40}  {ln.quantity:>8,}  {_came(ln):>14}  "
                    f"{ln.remaining:>8,}  {cost:>12}")  # fmt: skip
    over = sum(ln.over for ln in lines)
    text.append(f"{counted(row.lines, 'line')}, {counted(row.units, 'unit')} "
                f"({row.received_units:,} received, {row.awaited_units:,} to come"
                + (f", {over:,} over" if over else "")
                + f"), cost {row.total_cost:,}")  # fmt: skip
    made = [f"{code} {_local(at)}" + (" (cancelled)" if cancelled else "")
            for code, at, cancelled in receipts]  # fmt: skip
    text.append("Receipts: " + (", ".join(made) if made else "none yet"))
    return text


def _came(line: Any) -> str:
    """What came of a line: up to what it ordered (as the totals count it), then what came
    beyond it, e.g. `5 (2 over)`."""
    return f"{line.received:,}" + (f" ({line.over:,} over)" if line.over else "")


def cmd_end(args: argparse.Namespace, settings: Settings) -> int:
    """`cancel` (nothing came yet) or `close` (the rest will not come), with the reason."""
    from primedist.services import purchase_orders as po

    ctx = as_owner(open_context(settings))
    order_id = po.order_id_by_code(ctx, args.code)
    end = po.cancel_order if args.action == "cancel" else po.close_order
    row = end(ctx, order_id, args.reason)
    came = f"{row.received_units:,} of {counted(row.units, 'unit')} came"
    emit(args, _data(row), f"{row.code} {state_text(row)}: {args.reason.strip()} ({came}).")
    return EXIT_OK
