"""`primedist ranks recompute [--dry-run] [--json]`: recompute customer ranks now."""

from __future__ import annotations

import argparse
from typing import Any

from primedist.cli import EXIT_OK, as_owner, emit, open_context
from primedist.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    ranks = sub.add_parser("ranks", help="customer ranks (Settings → Customer ranking)")
    actions = ranks.add_subparsers(dest="ranks_command", metavar="ACTION", required=True)
    p = actions.add_parser(
        "recompute",
        help="recompute every customer's rank and level now (the nightly job's work)",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="report how many customers would move up and down; change nothing",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_recompute)


#: How the report names the ranking's settings (Settings → Customer ranking).
BASIS_WORDS = {"expenses": "money spent", "orders": "number of orders"}
WINDOW_WORDS = {"all_time": "over all orders", "12_months": "over the last 12 months"}


def _settings_line(report: Any) -> str:
    return f"Ranked by {BASIS_WORDS[report.basis.value]}, {WINDOW_WORDS[report.window.value]}."


#: Ranks as the text names them: the lowest is stored "copper" (the JSON's key) and shown
#: "bronze", as in the app.
SHOWN = {"copper": "bronze"}


def _text(report: Any) -> str:
    verb = "would move" if report.dry_run else "moved"
    lines = [report.summary(), _settings_line(report)]
    for rank, (up, down) in report.by_rank().items():
        n, shown = report.counts[rank], SHOWN.get(rank.value, rank.value)
        lines.append(f"  {shown:<8} {n:>10,} {'customer' if n == 1 else 'customers':<9}"
                     f"   ({up:,} {verb} up into it, {down:,} down)")  # fmt: skip
    for name, n in report.level_moves.items():
        lines.append(f"  level {name}: {n:,} {verb} up")
    lines.append(f"{report.seconds:.2f} s")
    return "\n".join(lines)


def cmd_recompute(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services.loyalty.ranks import recompute_ranks

    ctx = as_owner(open_context(settings))
    report = recompute_ranks(ctx, dry_run=args.dry_run)
    emit(args, report.as_dict(), _text(report))
    return EXIT_OK
