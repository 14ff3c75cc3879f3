"""`primedist price-schedule add | list | stop | run`: bulk price changes that start at a set
time and may end at another (see `services.price_schedule`)."""

from __future__ import annotations

import argparse
from datetime import datetime
from decimal import Decimal
from typing import Any

from primedist.cli import (
    EXIT_OK,
    as_owner,
    counted,
    emit,
    money,
    open_context,
    positive_int,
)
from primedist.cli_commands.prices import FIELDS, parse_change
from primedist.config import Settings


def local_time(text: str) -> datetime:
    """'YYYY-MM-DD HH:MM' in the shop's time zone (a day alone: its start), as UTC."""
    from primedist.core.clock import shop_tz

    try:
        when = datetime.fromisoformat(text.strip().replace("T", " "))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time (YYYY-MM-DD HH:MM, the shop's time)") from None  # fmt: skip
    if when.tzinfo is None:
        when = when.replace(tzinfo=shop_tz())
    return when


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "price-schedule",
        help="price changes that start (and end) at a set time, e.g. a weekend sale",
        description="Schedule a bulk price change (the CHANGE of `primedist prices`) to start "
        "at a time and, if --to is given, to end at another: then each variant it changed "
        "gets its price from before back, unless its price was changed by hand meanwhile. "
        "The app (or `primedist sync --loop`) applies them every minute; `run` does it now.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="schedule a change")
    add.add_argument("name", help='what the change is called, e.g. "Sale 12.12"')
    add.add_argument("change", metavar="CHANGE",
                     help="=150000 (or =150k), +10%%, -5%%, +5000, -2k, 20%%off or "
                     "remove")  # fmt: skip
    add.add_argument("--field", choices=tuple(FIELDS), default="price",
                     help="which price (default: the selling price)")  # fmt: skip
    which = add.add_mutually_exclusive_group(required=True)
    which.add_argument("--sku", action="append", default=[], metavar="SKU",
                       help="a product by one of its SKUs; repeat for several")  # fmt: skip
    which.add_argument("--all", action="store_true", help="every product (not deleted)")
    add.add_argument("--round", type=money, default=1, metavar="N", dest="round_to",
                     help="round each new price to the nearest multiple of N")  # fmt: skip
    at = "'YYYY-MM-DD HH:MM'"
    add.add_argument("--from", type=local_time, required=True, dest="starts_at", metavar=at,
                     help="when it starts (the shop's time)")  # fmt: skip
    add.add_argument("--to", type=local_time, dest="ends_at", metavar=at,
                     help="when the prices go back (none: the new prices stay)")  # fmt: skip
    add.add_argument("--json", action="store_true", help="print the result as JSON")
    add.set_defaults(func=cmd_add)
    listing = actions.add_parser("list", help="the changes waiting or running")
    listing.add_argument("--all", action="store_true", help="also those over")
    listing.add_argument("--json", action="store_true", help="print the result as JSON")
    listing.set_defaults(func=cmd_list)
    stop = actions.add_parser("stop", help="cancel a waiting change, or end a running one now")
    stop.add_argument("id", type=positive_int, metavar="ID")
    stop.add_argument("--json", action="store_true", help="print the result as JSON")
    stop.set_defaults(func=cmd_stop)
    run = actions.add_parser("run", help="start and end the changes whose time has come, now")
    run.add_argument("--json", action="store_true", help="print the result as JSON")
    run.set_defaults(func=cmd_run)


def _data(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "rule": row.description, "products": row.products,
            "starts_at": _utc(row.starts_at), "ends_at": _utc(row.ends_at),
            "ended_at": _utc(row.ended_at), "state": str(row.state), "changed": row.changed,
            "restored": row.restored, "kept": row.kept, "message": row.message}  # fmt: skip


def _utc(value: datetime | None) -> str | None:
    """A moment in UTC, as the other --json outputs give times (`add` hands back the time
    as given, in the shop's zone; `list` reads it back from the database in UTC)."""
    from datetime import UTC

    from primedist.core.clock import as_utc

    return None if value is None else as_utc(value).astimezone(UTC).isoformat()


def _when(value: datetime | None) -> str:
    """A moment in the shop's time, as --from/--to take it."""
    from primedist.core.clock import shop_tz

    return "—" if value is None else value.astimezone(shop_tz()).strftime("%Y-%m-%d %H:%M")


def _text(row: Any) -> str:
    tail = f"  ({row.message})" if row.message else ""
    # Once done, when it ended (earlier than planned after a `stop`).
    times = f"{_when(row.starts_at)} → {_when(row.end)}"
    if row.ended_early:
        times += f" (ended early; planned {_when(row.ends_at)})"
    return (f"#{row.id}  {row.name}  [{row.state}]  {times}  {row.description}, "
            f"{counted(row.products, 'product')}{tail}")  # fmt: skip


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import UsageError, _usage_error
    from primedist.services import price_change as pc
    from primedist.services import price_schedule as ps

    try:
        mode, value = parse_change(args.change)
    except ValueError as exc:
        return _usage_error(str(exc))
    if args.ends_at is not None and args.ends_at <= args.starts_at:
        raise UsageError(f"--to {_when(args.ends_at)} is not after --from {_when(args.starts_at)}")
    rule = pc.PriceRule(pc.PriceField(FIELDS[args.field]), pc.PriceMode(mode), Decimal(value),
                        args.round_to)  # fmt: skip
    ctx = as_owner(open_context(settings))
    product_ids = pc.products_for(ctx, skus=args.sku, every=args.all)
    row = ps.schedule_prices(ctx, args.name, product_ids, rule, args.starts_at, args.ends_at)
    emit(args, _data(row), f"Scheduled {_text(row)}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import price_schedule as ps

    rows = ps.list_schedules(as_owner(open_context(settings)), finished=args.all)
    text = "\n".join(_text(r) for r in rows) or "No price changes are waiting or running."
    emit(args, {"schedules": [_data(r) for r in rows]}, text)
    return EXIT_OK


def cmd_stop(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import price_schedule as ps

    row = ps.stop_schedule(as_owner(open_context(settings)), args.id)
    emit(args, _data(row), f"Stopped {_text(row)}")
    return EXIT_OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import price_schedule as ps

    report = ps.run_due(as_owner(open_context(settings)))
    data = {"started": list(report.started), "ended": list(report.ended),
            "failed": list(report.failed)}  # fmt: skip
    parts = [f"{k}: {', '.join(v)}" for k, v in data.items() if v]
    emit(args, data, "; ".join(parts) or "Nothing was due.")
    return EXIT_OK
