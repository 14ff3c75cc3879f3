"""`primedist customers debtors|account|pay|adjust|cancel-payment`: sales on account, what
customers owe and their payments. Registered on the `customers` command of `primedist.cli`."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from primedist.cli import EXIT_ERROR, EXIT_OK, as_owner, emit, money, open_context
from primedist.config import Settings

METHODS = ("cash", "bank_transfer", "card", "e_wallet", "other")


def register_actions(actions: argparse._SubParsersAction[Any]) -> None:
    p = actions.add_parser("debtors", help="the customers who owe money, who owes most first")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_debtors)
    p = actions.add_parser(
        "account", help="what a customer owes: their sales on account, refunds and payments"
    )
    p.add_argument("customer", metavar="CUSTOMER", help="the customer's code (KH000012)")
    p.add_argument(
        "--chat",
        action="store_true",
        help="print a reminder of what they owe to paste into Zalo / Messenger",
    )
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="the reminder's language")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_account)
    p = actions.add_parser("pay", help="record money a customer paid towards what they owe")
    p.add_argument("customer", metavar="CUSTOMER", help="the customer's code (KH000012)")
    p.add_argument("amount", type=money, metavar="AMOUNT",
                   help="in đồng, e.g. 200000, 200.000 or 200k")  # fmt: skip
    p.add_argument("--method", choices=METHODS, default="cash")
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pay)
    p = actions.add_parser(
        "adjust", help="change what a customer owes by hand (a debt from before the app, …; "
        "owner or manager)",
    )  # fmt: skip
    p.add_argument("customer", metavar="CUSTOMER", help="the customer's code (KH000012)")
    p.add_argument("amount", type=money, metavar="AMOUNT",
                   help="in đồng: + the customer owes more (e.g. a debt from before the app), "
                   "- less (e.g. an amount written off)")  # fmt: skip
    p.add_argument("--reason", required=True, metavar="TEXT", help="why the balance changes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_adjust)
    p = actions.add_parser(
        "cancel-payment", help="cancel a customer payment entered by mistake (owner or manager)"
    )
    p.add_argument("payment", metavar="PAYMENT", help="the payment's code (PT000012)")
    p.add_argument("--reason", required=True, metavar="TEXT", help="why it is cancelled")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cancel_payment)
    p = actions.add_parser(
        "delete", help="delete customers (their orders stay; owner or manager; those who owe "
        "money, or whom the shop owes money, are kept)",
    )  # fmt: skip
    p.add_argument("customers", nargs="+", metavar="CUSTOMER", help="customer codes (KH000012)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_delete)


def _customer(ctx: Any, code: str) -> Any:
    from primedist.core.messages import msg
    from primedist.errors import NotFound
    from primedist.services.customer_detail import find_customer_by_code

    found = find_customer_by_code(ctx, code)
    if found is None:
        raise NotFound(msg("No customer has the code {code}.", code=code.strip().upper()))
    return found


def _owes(owed: int) -> str:
    """What a customer's balance means: below 0 the shop owes them (a deposit, an
    overpayment), not a debt of "-100,000"."""
    return f"owes {owed:,}" if owed >= 0 else f"the shop owes them {-owed:,} (credit)"


def _shop_time(value: datetime) -> str:
    """A stored (UTC) time as the shop's clock shows it, as the README promises."""
    from primedist.core.clock import as_utc, shop_tz, to_local

    return to_local(as_utc(value), shop_tz()).strftime("%Y-%m-%d %H:%M")


def _iso(value: datetime | None) -> str | None:
    """A stored time as JSON gives times: ISO 8601 in UTC with its offset (as `made_at`)."""
    from primedist.core.clock import as_utc

    return None if value is None else as_utc(value).astimezone(UTC).isoformat()


def cmd_debtors(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import customer_account as account

    ctx = as_owner(open_context(settings))
    rows = account.debtors(ctx)
    data = {"customers": [{"code": d.code, "name": d.name, "phone": d.phone, "owed": d.owed,
                           "orders": d.orders, "last_sale_at": _iso(d.last_sale_at)}
                          for d in rows],
            "owed": sum(d.owed for d in rows)}  # fmt: skip
    lines = [f"{d.code}  {d.name}  {d.phone or '-'}  owes {d.owed:,} ({d.orders} on account)"
             for d in rows]  # fmt: skip
    who = "1 customer owes" if len(rows) == 1 else f"{len(rows)} customers owe"
    total = f"{who} {data['owed']:,} in all." if rows else "Nobody owes anything."
    emit(args, data, "\n".join([*lines, total]))
    return EXIT_OK


def cmd_account(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import customer_account as account

    ctx = as_owner(open_context(settings))
    who = _customer(ctx, args.customer)
    if args.chat:
        from primedist.printing.documents import account_reminder

        text = account_reminder(ctx, who.id, lang=args.lang)
        emit(args, {"code": who.code, "text": text}, text)
        return EXIT_OK
    balance = account.get_balance(ctx, who.id)
    entries = account.account_entries(ctx, who.id)
    data = {"code": who.code, "name": who.name, "owed": balance.owed, "sold": balance.sold,
            "paid": balance.paid,
            "entries": [{"when": _iso(e.when), "kind": e.kind, "reference": e.reference,
                         "amount": e.amount, "method": e.method.value if e.method else None,
                         "note": e.note, "by": e.by, "cancelled": not e.standing,
                         "cancel_reason": e.cancel_reason} for e in entries]}  # fmt: skip
    lines = [f"{_shop_time(e.when)}  {e.reference:<16} {e.kind:<8} {e.amount:>+14,}"
             + ("" if e.standing else f"  (cancelled: {e.cancel_reason})")
             for e in entries]  # fmt: skip
    emit(args, data, "\n".join([f"{who.code} {who.name}: {_owes(balance.owed)}", *lines]))
    return EXIT_OK


def cmd_pay(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.domain.enums import PaymentMethod
    from primedist.services import customer_account as account

    ctx = as_owner(open_context(settings))
    who = _customer(ctx, args.customer)
    entry = account.receive_payment(ctx, who.id, args.amount, PaymentMethod(args.method),
                                    args.note)  # fmt: skip
    owed = account.get_balance(ctx, who.id).owed
    data = {"payment": entry.reference, "customer": who.code, "name": who.name,
            "amount": -entry.amount, "method": args.method, "owed": owed}  # fmt: skip
    emit(args, data, f"{entry.reference}: {who.name} ({who.code}) paid {-entry.amount:,}; "
                     f"{_owes(owed)} now.")  # fmt: skip
    return EXIT_OK


def cmd_adjust(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import customer_account as account

    ctx = as_owner(open_context(settings))
    who = _customer(ctx, args.customer)
    entry = account.adjust_balance(ctx, who.id, args.amount, args.reason)
    owed = account.get_balance(ctx, who.id).owed
    data = {"adjustment": entry.reference, "customer": who.code, "amount": entry.amount,
            "owed": owed}  # fmt: skip
    emit(args, data, f"{entry.reference}: what {who.name} ({who.code}) owes changed by "
                     f"{entry.amount:+,}; {_owes(owed)} now.")  # fmt: skip
    return EXIT_OK


def cmd_cancel_payment(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import customer_account as account

    ctx = as_owner(open_context(settings))
    payment_id = account.payment_id_by_code(ctx, args.payment)
    account.cancel_payment(ctx, payment_id, args.reason)
    code = account.payment_code(payment_id)
    emit(args, {"payment": code, "cancelled": True}, f"{code} cancelled.")
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services.customer_delete import delete_customers

    ctx = as_owner(open_context(settings))
    ids = [_customer(ctx, code).id for code in args.customers]
    report = delete_customers(ctx, ids)
    data = {"deleted": report.deleted,
            "kept_owing": [{"code": d.code, "name": d.name, "owed": d.owed}
                           for d in report.owing],
            "kept_owed_by_shop": [{"code": d.code, "name": d.name, "shop_owes": -d.owed}
                                  for d in report.owed_by_shop]}  # fmt: skip
    emit(args, data, str(report.summary()))
    return EXIT_OK if not report.kept else EXIT_ERROR
