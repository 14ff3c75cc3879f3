"""Home's activity feed: events posted by the services that make them.

An event keeps its figures and names as JSON (`args`), so the UI words it in its own
language (ui/home/activity_text.py); `message` is the same event as an English sentence
for the CLI and for rows written before `args` existed. The keys per kind:

- orders_synced: `new`, `updated` (a sync run of one shop that brought orders)
- sync_failed: `outcome` (error | needs_reauth | paused), `reason`, `reason_args` (the
  reason's `core.messages.stored_args`: None for the platform's own words)
- low_stock: `products` (active products low on stock, as Home's card)
- ranks_updated: `up`, `down`, `levels`
- import: `what` (orders | customers | products), `file`, `created`, `updated`, `rejected`
- info: `event` ("demo_generated" with `orders`, `customers`; "goods_received" with
  `code`, `supplier`, `lines`, `units`; "price_schedule" with `stage` (started | ended |
  failed), `name`, `count` (variants changed / given their price back), `kept`, `why`)
- shipment: `code`, `order`, `order_id`, `carrier`, `status` (the carrier's status word:
  lost, damage, exception, return); or `problem` "token" (the carrier refused an
  account's token while tracking) with `account_id`, `account`, `carrier`, `reason`,
  `reason_args` (as sync_failed)
- backup: `outcome` (failed: the daily backup), `reason`, `reason_args` (as sync_failed;
  never the backup's file), `folder` (the backups folder; missing in older rows, whose
  reason names the file: `services.backup.posted_failure` reads both)
- backup_copy: `reason`, `reason_args`, `folder` (the second folder the backup was not
  copied to; the backup itself was made)
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from primedist.domain.audit import ActivityEvent
from primedist.domain.enums import ActivityKind

MESSAGE_MAX = 255

_FAILURES = {
    "error": "Sync failed",
    "needs_reauth": "Authorisation lost: re-authorise the shop",
    "paused": "Daily API limit reached (paused)",
}


def english(kind: ActivityKind | str, args: dict[str, Any]) -> str:
    """The event as an English sentence (the shop's name, if any, is shown apart)."""
    kind = ActivityKind(kind)
    if kind is ActivityKind.ORDERS_SYNCED:
        text = f"{args['new']:,} new order(s) synced"
        return text + (f", {args['updated']:,} updated" if args.get("updated") else "")
    if kind is ActivityKind.SYNC_FAILED:
        return f"{_FAILURES.get(args['outcome'], 'Sync failed')}: {args['reason']}"
    if kind is ActivityKind.LOW_STOCK:
        return f"{args['products']:,} product(s) low on stock"
    if kind is ActivityKind.RANKS_UPDATED:
        text = f"Ranks updated: {args['up']:,} up, {args['down']:,} down"
        return text + (f", {args['levels']:,} up a level" if args.get("levels") else "")
    if kind is ActivityKind.IMPORT:
        text = (
            f"Imported {args['created']:,} new and {args['updated']:,} updated "
            f"{args['what']} from {args['file']}"
        )
        return text + (f" ({args['rejected']:,} rejected)" if args.get("rejected") else "")
    if kind is ActivityKind.BACKUP_COPY:
        return f"The backup was not copied to {args['folder']}: {args['reason']}"
    if kind is ActivityKind.BACKUP and args.get("folder"):
        return f"The daily backup to {args['folder']} failed: {args['reason']}"
    if kind is ActivityKind.BACKUP:
        return f"The daily backup failed: {args['reason']}"
    if kind is ActivityKind.SHIPMENT and args.get("problem") == "token":
        return (f"{args['carrier']} account {args['account']} can no longer track parcels: "
                f"{args['reason']} Update its token in Settings → Logistics.")  # fmt: skip
    if kind is ActivityKind.SHIPMENT:
        return f"{args['carrier']} parcel {args['code']} of order {args['order']}: {args['status']}"
    if args.get("event") == "demo_generated":
        return f"Demo data generated: {args['orders']:,} orders, {args['customers']:,} customers"
    if args.get("event") == "goods_received":
        source = f" from {args['supplier']}" if args.get("supplier") else ""
        return (f"Goods received{source}: {args['code']}, {args['lines']:,} SKU(s), "
                f"{args['units']:,} unit(s)")  # fmt: skip
    if args.get("event") == "price_schedule":
        return _price_schedule(args)
    return str(args.get("text", ""))


def _price_schedule(args: dict[str, Any]) -> str:
    name, stage = args["name"], args["stage"]
    if stage == "started":
        return f"Price change “{name}” started: {args['count']:,} variant(s) changed"
    if stage == "ended":
        kept = f", {args['kept']:,} kept a price set by hand" if args.get("kept") else ""
        back = f"{args['count']:,} variant(s) have their price back"
        return f"Price change “{name}” ended: {back}{kept}"
    return f"Price change “{name}” could not start: {args['why']}. No price changed."


def stored(kind: ActivityKind, args: dict[str, Any]) -> tuple[str, str]:
    """The `message` and `args` columns of one event (for `post` or a bulk insert)."""
    return english(kind, args)[:MESSAGE_MAX], json.dumps(args, ensure_ascii=False)


def post(
    session: Session,
    kind: ActivityKind,
    now: datetime,
    *,
    shop_id: int | None = None,
    **args: Any,
) -> ActivityEvent:
    """Add one event to the feed, in the caller's transaction."""
    message, raw = stored(kind, args)
    event = ActivityEvent(kind=kind, shop_id=shop_id, message=message, args=raw, created_at=now)
    session.add(event)
    return event


def event_args(raw: str | None) -> dict[str, Any]:
    """The stored `args` (an empty dict for an older row or a damaged value)."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
