"""The filters of `primedist export orders|products|customers`: the filter chips of the
Orders, Products and Customers lists as options, built into the same filter objects the
lists use (queries.orders.OrderFilter, queries.products.ProductFilter,
queries.customers.CustomerFilter), so a file holds what the list shows.

Not a command module (cli.py adds these options to its export parsers). A bad value is a
usage error naming its option (exit 2) and nothing is written: argparse checks what it
can (an amount typed as on the screens, a day, a status), `check_*` the ranges before the
store is opened, and the names the store knows (shops, categories, segments…) are looked
up before the export starts.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from primedist.cli import (
    UsageError,
    check_range,
    local_date,
    non_negative_int,
    non_negative_money,
    whole_int,
)
from primedist.errors import ValidationError

AMOUNT_HELP = "an amount as on the screens: 150000, 150.000, 150k, 1,5tr"


# Value types (argparse) ------------------------------------------------------------------
def payment_method(text: str) -> str:
    from primedist.domain.enums import PaymentMethod

    values = [m.value for m in PaymentMethod]
    if text not in values:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a payment method (one of {', '.join(values)})"
        )
    return text


#: Rank names the CLI also accepts: the lowest rank is stored "copper" and shown "Bronze".
RANK_ALIASES = {"bronze": "copper"}


def rank(text: str) -> str:
    from primedist.domain.enums import Rank

    values = [r.value for r in Rank]
    text = RANK_ALIASES.get(text, text)
    if text not in values:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rank (one of {', '.join(values)})")
    return text


def gender(text: str) -> str:
    from primedist.domain.enums import Gender

    values = [g.value for g in Gender]
    if text not in values:
        raise argparse.ArgumentTypeError(f"{text!r} is not a gender (one of {', '.join(values)})")
    return text


def percent(text: str) -> float:
    """A percentage 0–100 read as the Customers list's rate filter reads it (`92`, `92%`,
    `92,5`)."""
    try:
        value = float(text.replace("%", "").replace(",", ".").strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage from 0 to 100")
    return value


# Shared ----------------------------------------------------------------------------------
def _range(p: argparse.ArgumentParser, name: str, what: str, kind: str = "money") -> None:
    """`--min-NAME` / `--max-NAME`, both ends included; `what` has `{end}` for "at least"
    or "at most"."""
    types: dict[str, Any] = {
        "money": non_negative_money, "count": non_negative_int, "stock": whole_int,
        "percent": percent,
    }  # fmt: skip
    metavars = {"money": "AMOUNT", "count": "N", "stock": "N", "percent": "PCT"}
    for end, word in (("min", "at least"), ("max", "at most")):
        tail = f" ({AMOUNT_HELP})" if kind == "money" and end == "min" else ""
        p.add_argument(
            f"--{end}-{name}",
            dest=f"{end}_{name.replace('-', '_')}",
            type=types[kind],
            metavar=metavars[kind],
            help=what.format(end=word) + tail,
        )


def check_amounts(args: argparse.Namespace, *names: str) -> None:
    """A --min-X above its --max-X is a usage error (before the store is opened)."""
    for name in names:
        key = name.replace("-", "_")
        low, high = getattr(args, f"min_{key}", None), getattr(args, f"max_{key}", None)
        if low is not None and high is not None and low > high:
            raise UsageError(f"--min-{name} {low:,} is above --max-{name} {high:,}")


@contextmanager
def named_in(option: str) -> Iterator[None]:
    """A name the store does not know (a shop, a category, a tag…), given to `option`: a
    usage error naming the option and the value (exit 2), like a value argparse refuses."""
    try:
        yield
    except ValidationError as exc:
        raise UsageError(f"argument {option}: {exc.user_message}") from None


def _shops(ctx: Any, names: Sequence[str] | None) -> tuple[int, ...]:
    from primedist.services import order_export

    with named_in("--shop"):
        return order_export.shop_ids_by_name(ctx, names or [])


# Orders ----------------------------------------------------------------------------------
def add_order_filters(p: argparse.ArgumentParser) -> None:
    """The Orders tab's search and filter chips beyond --status/--from/--to/--shop."""
    p.add_argument(
        "--search", metavar="TEXT", help="order ID, customer name or phone (accents optional)"
    )
    _range(p, "total", "orders whose total is {end} this")
    p.add_argument(
        "--payment",
        action="append",
        type=payment_method,
        metavar="METHOD",
        help="paid by cod, cash, bank_transfer, e_wallet, card, other or on_account; repeat "
        "for several (any of them)",
    )
    p.add_argument("--flagged", action="store_true", help="only flagged orders")
    p.add_argument(
        "--returning",
        action="store_true",
        help="only returns still under way (not those already returned)",
    )


def check_order_filters(args: argparse.Namespace) -> None:
    check_amounts(args, "total")


def order_filter(ctx: Any, args: argparse.Namespace) -> Any:
    """The OrderFilter of the options (shops looked up by name)."""
    from primedist.domain.enums import PaymentMethod
    from primedist.queries.orders import OrderFilter

    return OrderFilter(
        shop_ids=_shops(ctx, args.shop),
        min_total=args.min_total,
        max_total=args.max_total,
        payment_methods=tuple(PaymentMethod(m) for m in dict.fromkeys(args.payment or ())),
        date_from=args.date_from,
        date_to=args.date_to,
        flagged_only=args.flagged,
        returns_under_way=args.returning,
    )


# Products --------------------------------------------------------------------------------
def add_product_filters(p: argparse.ArgumentParser) -> None:
    """The Products list's filter chips beyond --status/--shop."""
    p.add_argument("--category", metavar="NAME", help="only products of this category")
    _range(p, "price", "products with a variant priced {end} this")
    _range(p, "discount", "products with a discount price {end} this")
    _range(p, "stock", "products with {end} this much stock available", kind="stock")


def check_product_filters(args: argparse.Namespace) -> None:
    check_amounts(args, "price", "discount", "stock")


def product_filter(ctx: Any, args: argparse.Namespace) -> Any:
    """The ProductFilter of the options (shops and the category looked up by name)."""
    from primedist.queries.products import ProductFilter
    from primedist.services import product_export

    category = None
    if args.category is not None:
        with named_in("--category"):
            category = product_export.category_by_name(ctx, args.category)
    return ProductFilter(
        shop_ids=_shops(ctx, args.shop),
        price_min=args.min_price,
        price_max=args.max_price,
        discount_min=args.min_discount,
        discount_max=args.max_discount,
        stock_min=args.min_stock,
        stock_max=args.max_stock,
        statuses=tuple(dict.fromkeys(args.status or ())),
        category=category,
    )


# Customers -------------------------------------------------------------------------------
#: The Customers list's quick filters as on/off options: {option: CustomerFilter field}.
#: "Female" is --gender female.
CUSTOMER_FLAGS = {
    "--five-plus-orders": ("five_plus_orders", "customers with 5 orders or more"),
    "--created-this-month": ("created_this_month", "customers added this month"),
    "--birthday-this-month": ("birthday_this_month", "customers born this month"),
    "--gold-and-above": ("gold_and_above", "customers ranked gold or diamond"),
    "--often-returns": ("often_returns", "customers tagged as often returning orders"),
    "--owes-money": ("owes_money", "customers who owe for sales on account"),
    "--hide-anonymous": (
        "hide_anonymous", "leave out anonymous marketplace buyers (masked name, no phone)"
    ),
}


def add_customer_filters(p: argparse.ArgumentParser) -> None:
    """The Customers list's filter chips and quick filters beyond --search."""
    p.add_argument(
        "--shop",
        action="append",
        metavar="NAME",
        help="customers who bought in this shop (by name); repeat for several shops",
    )
    _range(p, "spent", "customers whose total expenses are {end} this")
    _range(p, "orders", "customers with {end} this many successful orders", kind="count")
    _range(p, "success-rate", "customers whose success rate is {end} this %%", kind="percent")
    for option, what in (("--segment", "in this segment"), ("--tag", "with this tag")):
        p.add_argument(
            option,
            action="append",
            metavar="NAME",
            help=f"customers {what} (by name); repeat for several (any of them)",
        )
    p.add_argument(
        "--rank",
        action="append",
        type=rank,
        metavar="RANK",
        help="bronze (or copper), silver, gold or diamond; repeat for several",
    )
    p.add_argument(
        "--group",
        action="append",
        metavar="NAME_OR_CODE",
        help="customers in this customer group; repeat for several",
    )
    p.add_argument("--no-group", action="store_true", help="customers in no customer group")
    p.add_argument(
        "--gender",
        action="append",
        type=gender,
        metavar="G",
        help="female, male, other or unknown; repeat for several",
    )
    p.add_argument(
        "--source",
        action="append",
        metavar="NAME",
        help="customers of this source (as the app lists them); repeat for several",
    )
    p.add_argument("--referrer", metavar="CODE", help="customers referred by this customer")
    for name, what in (("last-order", "last ordered"), ("created", "added")):
        for end, word in (("from", "on or after"), ("to", "on or before")):
            p.add_argument(
                f"--{name}-{end}",
                dest=f"{name.replace('-', '_')}_{end}",
                type=local_date,
                metavar="YYYY-MM-DD",
                help=f"customers {what} {word} this day (shop time)",
            )
    for option, (field, what) in CUSTOMER_FLAGS.items():
        p.add_argument(option, dest=field, action="store_true", help=f"only {what}")


def check_customer_filters(args: argparse.Namespace) -> None:
    check_amounts(args, "spent", "orders")
    low, high = args.min_success_rate, args.max_success_rate
    if low is not None and high is not None and low > high:
        raise UsageError(f"--min-success-rate {low:g} is above --max-success-rate {high:g}")
    check_range(args.last_order_from, args.last_order_to, "--last-order-from", "--last-order-to")
    check_range(args.created_from, args.created_to, "--created-from", "--created-to")


def customer_filter(ctx: Any, args: argparse.Namespace) -> Any:
    """The CustomerFilter of the options (shops, segments, tags, groups, sources and the
    referrer looked up)."""
    from primedist.domain.enums import Gender, Rank
    from primedist.queries.customers import NO_GROUP, CustomerFilter
    from primedist.services import customer_export

    ids: dict[str, tuple[int, ...]] = {}
    for kind in customer_export.NAMED_KINDS:
        with named_in(f"--{kind}"):
            ids[kind] = customer_export.filter_ids(ctx, kind, getattr(args, kind) or [])
    with named_in("--source"):
        sources = customer_export.sources_by_name(ctx, args.source or [])
    referrer = None
    if args.referrer is not None:
        with named_in("--referrer"):
            referrer = customer_export.referrer_by_code(ctx, args.referrer)
    levels = ids["group"] + ((NO_GROUP,) if args.no_group else ())
    flags = {field: getattr(args, field) for field, _what in CUSTOMER_FLAGS.values()}
    return CustomerFilter(
        shop_ids=_shops(ctx, args.shop),
        expenses_min=args.min_spent,
        expenses_max=args.max_spent,
        successful_min=args.min_orders,
        successful_max=args.max_orders,
        success_rate_min=args.min_success_rate,
        success_rate_max=args.max_success_rate,
        segment_ids=ids["segment"],
        ranks=tuple(Rank(r) for r in dict.fromkeys(args.rank or ())),
        level_ids=levels,
        tag_ids=ids["tag"],
        genders=tuple(Gender(g) for g in dict.fromkeys(args.gender or ())),
        sources=sources,
        referrer_id=referrer,
        last_order_from=args.last_order_from,
        last_order_to=args.last_order_to,
        created_from=args.created_from,
        created_to=args.created_to,
        **flags,
    )
