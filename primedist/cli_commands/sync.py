"""`primedist sync [--shop NAME] [--from DATE --to DATE] [--json] [--loop]` and
`primedist outbox [--deliver] [--json]`."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta
from typing import Any

from primedist.cli import EXIT_ERROR, EXIT_OK, as_owner, counted, emit, local_date, open_context
from primedist.config import Settings
from primedist.core.messages import msg
from primedist.errors import StoreError


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "sync",
        help="pull the orders of the linked marketplace shops",
        description="Pull the orders changed since the last sync of each linked shop "
        "(or of --shop), or those updated in --from..--to again. Exits 1 when a shop failed "
        "or needs re-authorisation. A shop that syncs now elsewhere (the app's schedule or "
        "Sync now, on this PC or another) is not synced again meanwhile: it is listed as "
        "busy, naming that PC, and that is no failure (exit 0).",
    )
    p.add_argument("--shop", metavar="NAME", help="only this shop")
    p.add_argument("--from", dest="date_from", type=local_date, metavar="YYYY-MM-DD",
                   help="re-fetch the orders updated from this day (with --shop)")  # fmt: skip
    p.add_argument("--to", dest="date_to", type=local_date, metavar="YYYY-MM-DD",
                   help="... to this day, inclusive (default: today)")  # fmt: skip
    p.add_argument("--loop", action="store_true",
                   help="keep running: pull, deliver the outbox and refresh tokens on "
                   "schedule until Ctrl+C")  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("outbox", help="list (or deliver) the actions waiting for a marketplace")
    p.add_argument("--deliver", action="store_true",
                   help="send the waiting actions now, not at their next try")  # fmt: skip
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_outbox)


def _day_range(start: date, end: date | None) -> tuple[datetime, datetime]:
    from primedist.core.clock import shop_tz, to_utc

    tz = shop_tz()
    end = end or datetime.now(tz).date()
    return (
        to_utc(datetime.combine(start, time.min), tz),
        to_utc(datetime.combine(end + timedelta(days=1), time.min), tz),
    )


def _check_options(args: argparse.Namespace) -> None:
    """The options that do not go together, before the store is opened (exit 2). A
    reversed --from/--to is refused for every command by `primedist.cli`."""
    from primedist.cli import UsageError
    from primedist.core.clock import shop_tz

    if args.loop:
        given = [o for o, v in (("--shop", args.shop), ("--from", args.date_from),
                                ("--to", args.date_to)) if v is not None]  # fmt: skip
        if given:
            raise UsageError(f"--loop syncs every shop on schedule: it takes no {given[0]}.")
        return
    if args.date_to is not None and args.date_from is None:
        raise UsageError("--to needs --from.")
    if args.date_from is not None:
        if args.shop is None:
            raise UsageError("Re-fetching a date range needs --shop NAME.")
        today = datetime.now(shop_tz()).date()
        if args.date_from > today:
            raise UsageError(f"--from {args.date_from:%Y-%m-%d} is in the future.")


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import sync
    from primedist.services.channels import shop_id_by_name

    _check_options(args)
    ctx = as_owner(open_context(settings))
    if args.loop:
        return _loop(ctx, settings)
    shop_ids = [shop_id_by_name(ctx, args.shop)] if args.shop else None
    if args.date_from is not None:
        assert shop_ids is not None
        start, end = _day_range(args.date_from, args.date_to)
        end = min(end, ctx.clock.now())
        reports = [sync.refetch_range(ctx, shop_ids[0], start, end)]
    elif shop_ids is not None:
        # Tried even when flagged for re-authorisation: tokens that work make it active again.
        reports = sync.sync_all(ctx, shop_ids=shop_ids)
    else:
        # The scheduler skips a shop to re-authorise; a run asked for here names it (and
        # fails), else a cron `primedist sync || alert` would go quiet when one must act.
        reports = sync.sync_all(ctx) + [
            sync.needs_reauth_report(shop_id, name)
            for shop_id, name in sync.shops_needing_reauth(ctx)
        ]
    text = "\n".join(r.summary() for r in reports) or "No linked marketplace shop to sync."
    emit(args, {"shops": [r.as_dict() for r in reports]}, text)
    # Busy: the shop syncs elsewhere now (the report names the PC); not a failure to alert.
    return EXIT_OK if all(r.outcome in ("ok", "busy") for r in reports) else EXIT_ERROR


def _loop(ctx: Any, settings: Settings) -> int:
    """The app's scheduler without its window: it holds the app's lock, as the window does
    (two schedulers would run every sync and delivery twice; restore waits for it)."""
    from primedist.core.app_lock import AppLock
    from primedist.core.logging_setup import setup_logging
    from primedist.jobs.scheduler import run_forever

    lock = AppLock(settings.data_dir)
    if not lock.acquire():
        raise StoreError(msg("The app or another `primedist sync --loop` is running on this "
                             "data ({data_dir}): it already syncs on schedule.",
                             data_dir=str(settings.data_dir)))  # fmt: skip
    try:
        # Nobody watches a headless loop: its jobs' failures go where the app's would.
        log_path = setup_logging(settings.log_dir) or "stderr"  # None: the file is unwritable
        print(f"Syncing on schedule (log: {log_path}); press Ctrl+C to stop.",  # noqa: T201
              file=sys.stderr)  # fmt: skip
        run_forever(ctx)
    finally:
        lock.release()
    return EXIT_OK


def cmd_outbox(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import outbox_delivery as od

    ctx = as_owner(open_context(settings))
    data: dict[str, Any] = {}
    lines: list[str] = []
    status = EXIT_OK
    if args.deliver:
        report = od.deliver_outbox(ctx)
        data["delivery"] = dict(report.__dict__)
        lines.append(f"Delivery: {report.summary()}")
        lines += [f"  {m}" for m in report.messages]
        if report.failed:
            status = EXIT_ERROR
    rows = od.list_actions(ctx)
    data["actions"] = [
        {**row.__dict__, "status": row.status.value, "created_at": row.created_at.isoformat(),
         "next_attempt_at": row.next_attempt_at.isoformat()}
        for row in rows
    ]  # fmt: skip
    for row in rows:
        error = f" — {row.last_error}" if row.last_error else ""
        lines.append(f"#{row.id} {row.shop} {row.kind} {row.describe()} [{row.status.value}, "
                     f"{counted(row.attempts, 'try', 'tries')}]{error}")  # fmt: skip
    if not rows:
        lines.append("No actions waiting.")
    emit(args, data, "\n".join(lines))
    return status
