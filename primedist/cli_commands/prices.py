"""`primedist prices CHANGE (--sku SKU … | --all)`: change the prices of many products at
once (see `services.price_change`), or only show what would change (`--dry-run`)."""

from __future__ import annotations

import argparse
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from primedist.cli import EXIT_OK, as_owner, counted, emit, money, open_context
from primedist.config import Settings
from primedist.core.money import parse_money

FIELDS = {"price": "price", "discount": "discount_price", "cost": "cost"}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "prices",
        help="change the prices of many products at once (e.g. +10%%, rounded to 1,000)",
        description="Change one price — the selling price (default), the discount price or "
        "the cost — of every active variant of the products chosen: those of the SKUs "
        "named, or all products. CHANGE is =AMOUNT (set), +N% or -N% (a percentage), +AMOUNT "
        "or -AMOUNT (money; an AMOUNT as on the screens: 5000, 5.000 or 5k), for the "
        "discount price also N%off (that much off the selling price) or remove. All or "
        "nothing: a variant that cannot take its new price (below 0, a discount price above "
        "the selling price) is named and nothing changes. Changed selling and discount prices "
        "are pushed to the marketplaces the products are on.",
    )
    p.add_argument("change", metavar="CHANGE",
                   help="=150000 (or =150k), +10%%, -5%%, +5000, -2k, 20%%off or "
                   "remove")  # fmt: skip
    p.add_argument("--field", choices=tuple(FIELDS), default="price",
                   help="which price (default: the selling price)")  # fmt: skip
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--sku", action="append", default=[], metavar="SKU",
                       help="a product by one of its SKUs (all its variants change); "
                       "repeat for several")  # fmt: skip
    which.add_argument("--all", action="store_true", help="every product (not deleted)")
    p.add_argument("--round", type=money, default=1, metavar="N", dest="round_to",
                   help="round each new price to the nearest multiple of N, e.g. 1000")  # fmt: skip
    p.add_argument("--dry-run", action="store_true",
                   help="only list each variant's price now and after; change nothing")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_prices)


def parse_change(text: str) -> tuple[str, Decimal]:
    """CHANGE → (mode, value) of `services.price_change.PriceMode`; ValueError when it is
    none of the forms."""
    t = text.strip().lower().replace(" ", "").replace(",", "")
    if t == "remove":
        return "remove", Decimal(0)
    forms = ((r"(\d+(?:\.\d+)?)%off", "percent_off"), (r"=(\d+)", "set"),
             (r"([+-]\d+(?:\.\d+)?)%", "percent"), (r"([+-]\d+)", "amount"))  # fmt: skip
    for pattern, mode in forms:
        found = re.fullmatch(pattern, t)
        if found:
            try:
                return mode, Decimal(found.group(1))
            except InvalidOperation:
                break
    shorthand = _money_change(text.strip())
    if shorthand is not None:
        return shorthand
    raise ValueError(f"{text!r} is not a price change: use =150000, =150k, +10%, -5%, +5000, "
                     "-2k, 20%off or remove")  # fmt: skip


def _money_change(text: str) -> tuple[str, Decimal] | None:
    """=AMOUNT or ±AMOUNT with the amount typed as on the screens (=150k, +1,5k, -2.000đ);
    None when it is not that."""
    set_to = text.startswith("=")
    amount = text[1:].strip() if set_to else text
    signed = amount[:1] in ("+", "-", "\u2212")
    if not amount or signed == set_to:  # =AMOUNT is unsigned, ±AMOUNT signed
        return None
    try:
        return ("set" if set_to else "amount"), Decimal(parse_money(amount))
    except ValueError:
        return None


def cmd_prices(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import _usage_error
    from primedist.services import price_change as pc

    try:
        mode, value = parse_change(args.change)
    except ValueError as exc:
        return _usage_error(str(exc))
    rule = pc.PriceRule(pc.PriceField(FIELDS[args.field]), pc.PriceMode(mode), value,
                        args.round_to)  # fmt: skip
    ctx = as_owner(open_context(settings))
    product_ids = pc.products_for(ctx, skus=args.sku, every=args.all)
    if args.dry_run:
        rows = pc.preview_prices(ctx, product_ids, rule)
        data: dict[str, Any] = {"rule": str(pc.describe_rule(rule)),
                "variants": [{"sku": r.sku, "name": r.name, "old": r.old, "new": r.new,
                              "problem": r.problem} for r in rows]}  # fmt: skip
        emit(args, data, _preview_text(rule, rows))
        return EXIT_OK
    report = pc.change_prices(ctx, product_ids, rule)
    data = {"rule": str(pc.describe_rule(rule)), "changed": report.changed,
            "unchanged": report.unchanged, "products": report.products,
            "marketplace_pushes": report.pushes}  # fmt: skip
    pushes = (f"; {counted(report.pushes, 'marketplace price push', 'marketplace price pushes')}"
              " queued" if report.pushes else "")  # fmt: skip
    emit(args, data, f"{_first_up(pc.describe_rule(rule))}: "
                     f"{counted(report.changed, 'variant')} changed, {report.unchanged:,} "
                     f"already so{pushes}.")  # fmt: skip
    return EXIT_OK


def _preview_text(rule: Any, rows: list[Any]) -> str:
    from primedist.services.price_change import describe_rule

    def money(value: int | None) -> str:
        return "—" if value is None else f"{value:,}"

    lines = [f"{r.sku:<20} {money(r.old):>14} → {money(r.new):<14} {r.name}"
             + (f"   ✗ {r.problem}" if r.problem else "") for r in rows]  # fmt: skip
    changed = sum(1 for r in rows if r.changed)
    bad = sum(1 for r in rows if r.problem)
    tail = f"; {bad:,} cannot take it: nothing would change" if bad else ""
    return "\n".join([*lines, f"{_first_up(describe_rule(rule))}: {changed:,} of "
                              f"{counted(len(rows), 'variant')} would change{tail} "
                              "(dry run)."])  # fmt: skip


def _first_up(text: str) -> str:
    return text[:1].upper() + text[1:]
