"""`primedist report dashboard|analytics|rebuild`: the Home and Analytics figures as the
screens show them (the same service functions), and the summaries' rebuild."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from primedist.config import Settings
from primedist.core.clock import shop_tz, to_local
from primedist.errors import PrimedistError

#: Without --from/--to: the last 7 days up to today, as the app opens Home and Analytics.
DEFAULT_DAYS = 7
#: --compare: the previous period as Home and Analytics choose it for their ranges
#: (services.reports.COMPARES): the word shown → the service's name, and what it means.
COMPARE = {"days": "span", "week": "week", "month": "month", "year": "year"}
AGAINST = {
    "days": "the same number of days just before",
    "week": "the same days of the week before",
    "month": "the same days of the month before",
    "year": "the same dates a year before",
}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    from primedist.cli import Parser, local_date, non_negative_money, positive_int

    p = sub.add_parser("report", help="dashboard figures (Home, Analytics) and their summaries")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser, required=True)
    for name, func, help_text in (
        ("dashboard", cmd_dashboard, "Home: to-do counts, revenue, new orders, marketplaces"),
        ("analytics", cmd_analytics, "Analytics: revenue, orders, products sold, repeat rate, "
                                     "top locations and carriers, product rank"),
    ):  # fmt: skip
        a = actions.add_parser(name, help=help_text)
        a.add_argument("--from", dest="date_from", type=local_date, metavar="YYYY-MM-DD",
                       help="first day (shop time), included (default: 6 days before --to, "
                            "as the app's Last 7 days)")  # fmt: skip
        a.add_argument("--to", dest="date_to", type=local_date, metavar="YYYY-MM-DD",
                       help="last day (shop time), included (default: today)")  # fmt: skip
        a.add_argument("--shop", action="append", metavar="NAME",
                       help="only these shops (repeat for several; default: all)")  # fmt: skip
        a.add_argument("--compare", choices=tuple(COMPARE), default="days",
                       help="the period each change is against, as the app's ranges: days = "
                            "the same number of days just before (Today, Yesterday, Last 7/30 "
                            "days, Custom; the default); week = the same days of the week "
                            "before (This week, Last week); month = the same days of the month "
                            "before, a month's last day against the month before's (This "
                            "month, Last month); year = the same dates a year before (This "
                            "year)")  # fmt: skip
        if name == "analytics":
            a.add_argument("--top", type=positive_int, default=10, metavar="N",
                           help="products in the product rank (default 10)")  # fmt: skip
        a.add_argument("--json", action="store_true")
        a.set_defaults(func=func)
    e = actions.add_parser(
        "end-of-day",
        help="the end-of-day report: sales by payment method and shop, refunds, cash in "
        "the drawer, products sold",
    )
    e.add_argument("--date", dest="day", type=local_date, metavar="YYYY-MM-DD",
                   help="the day (shop time; default: today)")  # fmt: skip
    e.add_argument("--shop", action="append", metavar="NAME",
                   help="only these shops (repeat for several; default: all)")  # fmt: skip
    e.add_argument("--staff", metavar="EMAIL",
                   help="only the orders made and refunds given by this staff member")  # fmt: skip
    e.add_argument("--counted", type=non_negative_money, metavar="DONG",
                   help="close the till: record the cash counted (and --float)")  # fmt: skip
    e.add_argument("--float", dest="opening_float", type=non_negative_money, metavar="DONG",
                   help="with --counted: the till's opening float (default 0)")  # fmt: skip
    e.add_argument("--note", metavar="TEXT", help="with --counted: a note with the count")
    e.add_argument("--xlsx", metavar="FILE", help="also write it to an Excel file")
    where = e.add_mutually_exclusive_group()
    where.add_argument("--print", dest="print_it", action="store_true",
                       help="also print it on the receipt printer")  # fmt: skip
    where.add_argument("--pdf", metavar="FILE", help="also write it as a PDF file")
    e.add_argument("--lang", choices=("vi", "en"), default="vi",
                   help="language of the Excel file and the printout")  # fmt: skip
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_end_of_day)
    r = actions.add_parser(
        "rebuild", help="rewrite the dashboards' daily summaries from the orders"
    )
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_rebuild)


def _scope(args: argparse.Namespace, settings: Settings) -> tuple[Any, date, date, tuple[int, ...]]:
    from datetime import datetime

    from primedist.cli import UsageError, as_owner, open_context
    from primedist.services.order_export import shop_ids_by_name

    today = datetime.now(shop_tz()).date()
    if args.date_to is None and args.date_from is not None and args.date_from > today:
        raise UsageError(f"--from {args.date_from} is after --to (default: today, {today})")
    ctx = as_owner(open_context(settings))
    last = args.date_to or to_local(ctx.clock.now(), shop_tz()).date()
    first = args.date_from or last - timedelta(days=DEFAULT_DAYS - 1)
    return ctx, first, last, shop_ids_by_name(ctx, args.shop or [])


def _period_line(first: date, last: date, period: Any, compare: str) -> str:
    """The range and the dates its changes are against (a range ending today: up to the
    same time of day, as the app's tooltip says)."""
    until = ""
    if period.prev_until is not None:
        until = f" until {to_local(period.prev_until, shop_tz()).strftime('%H:%M')}"
    return (f"{first.isoformat()} … {last.isoformat()} (previous {period.prev_from} … "
            f"{period.prev_to}{until}: {AGAINST[compare]})")  # fmt: skip


def _json(args: argparse.Namespace, data: dict[str, Any]) -> dict[str, Any]:
    """A report's JSON with the --compare it was read with, beside the dates compared."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        out[key] = value
        if key == "previous_until":
            out["compare"] = args.compare
    return out


def _pct(value: float | None, unit: str = "%") -> str:
    """A change: signed ("+6.52%", "-0.11 pt"), "0%" for none, "—" with nothing before."""
    if value is None:
        return "—"
    return f"0{unit}" if value == 0 else f"{value:+.2f}{unit}"


def _rate_text(repeat: int, buyers: int, pct: float | None) -> str:
    return f"{repeat:,}/{buyers:,} customers ({'—' if pct is None else f'{pct:.2f}%'})"


def _names_line(label: str, rows: list[Any]) -> str:
    """A top list's line: each name with its orders, "none" when the list is empty."""
    names = ", ".join(f"{r.label or '?'} {r.orders.current:,}" for r in rows)
    return f"{label}: {names or 'none'}"


def _money_line(label: str, figure: Any) -> str:
    return f"{label}: {figure.current:,} (previous {figure.previous:,}, {_pct(figure.change_pct)})"


def cmd_dashboard(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import EXIT_OK, emit
    from primedist.services.reports import dashboard

    ctx, first, last, shops = _scope(args, settings)
    d = dashboard(ctx, first, last, shops, compare=COMPARE[args.compare])
    # The user's modules leave out what they may not see (README § Report JSON).
    lines = [
        _period_line(first, last, d.period, args.compare),
        *(["To do: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in d.todo.items())]
          if d.todo else []),
        *([] if d.revenue is None else [_money_line("Revenue", d.revenue)]),
        *([] if d.profit is None else [_money_line("Gross profit", d.profit)]),
        *([] if d.new_orders is None else [_money_line("New orders", d.new_orders)]),
    ]  # fmt: skip
    if d.revenue is None and not d.todo and d.owing is None:
        lines.append("No shop figures for this account (its modules show none of them).")
    for row in d.channels or ():
        shops_text = _shops_text(row)
        lines.append(f"  {row.channel.value}: {row.revenue.current:,} "
                     f"({_pct(row.revenue.change_pct)}), {shops_text}")  # fmt: skip
    emit(args, _json(args, d.to_json()), "\n".join(lines))
    return EXIT_OK


def _shops_text(row: Any) -> str:
    """A channel's linked shops as Home shows them: "—" for the shop's own counter (or
    web store), which has nothing to link."""
    if not row.channel.is_marketplace:
        return "—"
    if row.shops_total:
        return f"{row.shops_linked}/{row.shops_total} shop"
    return "not linked yet"


def cmd_analytics(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import EXIT_OK, emit
    from primedist.services.reports import analytics

    ctx, first, last, shops = _scope(args, settings)
    a = analytics(ctx, first, last, shops, top_products=args.top,
                  compare=COMPARE[args.compare])  # fmt: skip
    rate = a.repeat_rate
    lines = [
        _period_line(first, last, a.period, args.compare),
        _money_line("Revenue", a.revenue),
        _money_line("Total orders", a.orders),
        _money_line("Products sold", a.units),
        _money_line("Gross profit", a.profit),
        f"Repeat purchase rate: {_rate_text(rate.repeat, rate.buyers, rate.current_pct)} "
        f"(previous {_rate_text(rate.previous_repeat, rate.previous_buyers, rate.previous_pct)}"
        f", {_pct(rate.change_points, ' pt')})",
        _names_line("Top locations", a.top_locations_by_orders),
        _names_line("Top shipping providers", a.top_carriers),
    ]
    # The rank under its own heading; an unnamed row is the items whose product is gone
    # (the Analytics page's words, not "?").
    lines.append("Product rank:" if a.products else "Product rank: none")
    for i, r in enumerate(a.products, 1):
        assert r.units is not None
        profit = f", profit {r.profit.current:,}" if r.profit is not None else ""
        name = r.label or "Items no longer in the catalogue"
        lines.append(f"  {i}. {name}: {r.units.current:,} sold, {r.revenue.current:,}{profit}")
    emit(args, _json(args, a.to_json()), "\n".join(lines))
    return EXIT_OK


def cmd_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.cli import EXIT_OK, as_owner, counted, emit, open_context
    from primedist.services.reports import rebuild

    ctx = as_owner(open_context(settings))
    report = rebuild(ctx)
    emit(
        args,
        {"orders": report.orders, "seconds": round(report.seconds, 3)},
        f"Rebuilt the dashboards' summaries of {counted(report.orders, 'order')} in "
        f"{report.seconds:.1f} s",
    )
    return EXIT_OK


def cmd_end_of_day(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from primedist.cli import EXIT_OK, UsageError, as_owner, emit, open_context
    from primedist.cli_commands.printing import pdf_file
    from primedist.services import end_of_day as eod
    from primedist.services.order_export import shop_ids_by_name
    from primedist.services.till import close_till

    if args.counted is None:
        alone = [o for o, given in (("--float", args.opening_float is not None),
                                    ("--note", args.note is not None)) if given]  # fmt: skip
        if alone:
            raise UsageError(f"{' and '.join(alone)} go{'es' if len(alone) == 1 else ''} "
                             "with --counted (the cash counted in the till)")  # fmt: skip
    pdf = pdf_file(args.pdf)  # before the count is recorded or the .xlsx written
    ctx = as_owner(open_context(settings))
    user_id = eod.user_id_by_email(ctx, args.staff) if args.staff else None
    shop_ids = shop_ids_by_name(ctx, args.shop or [])
    report = eod.end_of_day(ctx, args.day, shop_ids=shop_ids, user_id=user_id)
    data = report.as_dict()
    count = None
    if args.counted is not None:
        _check_outputs(ctx, args)  # a count is recorded once: refuse a bad output before it
        count = close_till(ctx, report.day, opening_float=args.opening_float or 0,
                           counted=args.counted, shop_ids=shop_ids, staff_id=user_id,
                           note=args.note)  # fmt: skip
        data["till"] = {k: v for k, v in asdict(count).items() if k not in ("day", "shops")}
        data["till"]["created_at"] = count.created_at.isoformat()
    try:
        if args.xlsx:
            done = eod.export_end_of_day(ctx, report, Path(args.xlsx), eod.texts_for(args.lang),
                                         till=count)  # fmt: skip
            data["xlsx"] = str(done.path)
        if args.print_it or args.pdf:
            from primedist.ui.printing.jobs import ensure_app, print_end_of_day

            ensure_app()
            data["printed_to"] = print_end_of_day(ctx, report, pdf=pdf, lang=args.lang,
                                                  till=count).where  # fmt: skip
    except (PrimedistError, OSError) as exc:
        if count is None:
            raise
        raise PrimedistError(_count_recorded_anyway(count, exc)) from exc
    emit(args, data, _end_of_day_text(report, data))
    return EXIT_OK


def _check_outputs(ctx: Any, args: argparse.Namespace) -> None:
    """Refuse an --xlsx or --pdf file that cannot be written, or --print without a printer
    to print on, as far as that can be known before writing or printing."""
    import os
    from pathlib import Path

    from primedist.errors import ValidationError
    from primedist.services.export_support import check_target

    files = []
    if args.xlsx:
        files.append(check_target(Path(args.xlsx)))
    if args.pdf:
        pdf = Path(args.pdf).expanduser().absolute()
        if not pdf.parent.is_dir():
            raise ValidationError(f"The folder {str(pdf.parent)!r} does not exist.")
        if pdf.is_dir():
            raise ValidationError(f"{str(pdf)!r} is a folder, not a file.")
        files.append(pdf)
    for file in files:
        if not os.access(file.parent, os.W_OK | os.X_OK):
            raise ValidationError(f"The folder {str(file.parent)!r} cannot be written to.")
    if args.print_it:
        from primedist.printing.model import DocumentType
        from primedist.ui.printing import render
        from primedist.ui.printing.jobs import ensure_app, resolve_profile

        target = resolve_profile(ctx, DocumentType.RECEIPT).target
        if not target.is_escpos:  # an ESC/POS printer answers only when printed to
            ensure_app()
            render.check_printer(target.name)


def _count_recorded_anyway(count: Any, exc: BaseException) -> str:
    """The error of an output that failed after the till count was recorded: that it was,
    so that it is not counted again."""
    why = exc.user_message if isinstance(exc, PrimedistError) else str(exc)
    return (
        f"{why.rstrip('.')}. The till count of {count.day.isoformat()} WAS recorded (counted "
        f"{count.counted:,}, expected {count.expected:,}, difference {count.difference:+,}): "
        "do not count it again; run without --counted to write or print the report."
    )


def _end_of_day_text(report: Any, data: dict[str, Any]) -> str:
    """Every figure of the --json output, as lines. In English whatever --lang says (it is
    the Excel file's and the printout's): a payment method by the English export's label."""
    from primedist.cli import counted
    from primedist.services.end_of_day import texts_for

    methods = texts_for("en").methods
    scope = ", ".join(report.shops) or "all shops"
    if report.staff:
        scope += f"; staff {report.staff}"
    lines = [
        f"End of day {report.day.isoformat()} ({scope}), made {_local(report.made_at)}",
        f"Sales: {counted(report.orders, 'order')}, {counted(report.items, 'item')}, "
        f"{report.sales:,} (goods {report.goods:,}, discounts {report.discounts:,}, "
        f"shipping {report.shipping:,})",
        f"Refunds: {report.refunds:,} ({counted(report.refunded_items, 'item')}, "
        f"{counted(report.exchanges, 'exchange')}), {report.refunded:,}",
        f"Net: {report.net:,}; cash in drawer: {report.cash_in_drawer:,}"
        + ("" if report.gross_profit is None else f"; gross profit: {report.gross_profit:,}"),
        f"Debts collected: {report.collected:,}; cash paid to suppliers: {report.supplier_cash:,}",
        f"Cancelled: {counted(report.cancelled_orders, 'order')}, {report.cancelled_total:,}",
    ]
    for p in report.payments:
        method = methods.get(p.method.value, p.method.value)
        lines.append(f"  {method}: {counted(p.orders, 'order')} {p.total:,}, "
                     f"{counted(p.refunds, 'refund')} {p.refunded:,}, net {p.net:,}, debts "
                     f"collected {p.collected:,}")  # fmt: skip
    for s in report.by_shop:
        lines.append(f"  {s.name} ({s.channel.value}): {counted(s.orders, 'order')} {s.total:,}")
    for p in report.products:
        lines.append(f"  {p.sku or '—'} {p.name}: {p.units:,} sold, {p.revenue:,}")
    if "till" in data:
        t = data["till"]
        lines.append(f"Till counted: float {t['opening_float']:,}, cash sales "
                     f"{t['cash_sales']:,}, cash refunds {t['cash_refunds']:,}, debts collected "
                     f"in cash {t['cash_collected']:,}, cash paid to suppliers "
                     f"{t['cash_paid_out']:,}; expected {t['expected']:,}, counted "
                     f"{t['counted']:,}, difference {t['difference']:+,}")  # fmt: skip
        by = f"by {t['counted_by']} " if t["counted_by"] else ""
        note = f"; note: {t['note']}" if t["note"] else ""
        lines.append(f"  counted {by}at {_local(t['created_at'])}{note}")
    if "xlsx" in data:
        lines.append(f"Written to {data['xlsx']}")
    if "printed_to" in data:
        lines.append(f"Printed to {data['printed_to']}")
    return "\n".join(lines)


def _local(when: Any) -> str:
    """A moment (datetime or ISO text) in shop time, to the minute."""
    from datetime import datetime

    moment = datetime.fromisoformat(when) if isinstance(when, str) else when
    return f"{to_local(moment, shop_tz()):%Y-%m-%d %H:%M}"
