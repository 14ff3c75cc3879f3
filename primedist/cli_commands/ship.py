"""`primedist ship ORDER… [--account NAME] [--note …] [--send] [--json]`: ship orders with
the shop's GHN / J&T account, as the Orders tab's *Ship…* does."""

from __future__ import annotations

import argparse
from typing import Any

from primedist.cli import EXIT_ERROR, EXIT_OK, as_owner, emit, open_context
from primedist.config import Settings

NOTES = ("view", "try", "no-view")


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "ship",
        help="ship orders with the shop's GHN / J&T account",
        description="Check each order (the shop's own sale, pending or confirmed, no live "
        "shipment; its address placed on GHN's map by province and ward; its parcel within "
        "the carrier's limits: 30 kg, 10,000,000 đ cash on delivery), then queue a shipment "
        "for each one that is ready (each item weighed at its variant's Weight (g), 500 g "
        "for an item with none; cash on delivery for COD orders). --send sends them at once "
        "(else the app's delivery job does). Exits 1 when an order could not be shipped: "
        "each is named with the reason.",
    )
    p.add_argument("orders", nargs="+", metavar="ORDER", help="order numbers, as listed")
    p.add_argument("--account", help="the carrier account's name (needed when there are several)")
    p.add_argument("--note", choices=NOTES, default="view",
                   help="before paying, the recipient may look (view), try the goods (try) "
                   "or neither (no-view); default: view")  # fmt: skip
    p.add_argument("--send", action="store_true", help="send the shipments to the carrier now")
    p.add_argument("--check", action="store_true", help="only check the orders; ship nothing")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ship)


def cmd_ship(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.carriers.base import RequiredNote
    from primedist.services import bulk_shipping as bulk
    from primedist.services import shipping

    notes = {"view": RequiredNote.VIEW, "try": RequiredNote.TRY, "no-view": RequiredNote.NO_VIEW}
    ctx = as_owner(open_context(settings))
    account = _account(shipping.list_accounts(ctx), args.account)
    found = bulk.orders_by_number(ctx, args.orders)
    unknown = [number for number, ids in found.items() if not ids]
    ids = [order_id for ids in found.values() for order_id in ids]
    plan = bulk.plan_shipments(ctx, ids, account.id, required_note=notes[args.note])
    report = bulk.BulkShipReport() if args.check else bulk.ship_planned(ctx, plan)
    sent = shipping.deliver_carrier_outbox(ctx) if args.send and report.created else None
    views = {v.order_id: v for v in report.created}
    if sent is not None:  # the carrier's codes
        views = {o: next((s for s in shipping.order_shipments(ctx, o) if s.id == v.id), v)
                 for o, v in views.items()}  # fmt: skip
    refused = {order_id: why for order_id, _number, why in report.refused}
    rows = [_row(p, views.get(p.order_id), refused.get(p.order_id)) for p in plan]
    rows += [{"order": n, "state": "unknown", "detail": "no such order"} for n in unknown]
    data: dict[str, Any] = {"account": account.name, "orders": rows}
    if sent is not None:
        data["send"] = dict(sent.__dict__)
    lines = [f"{r['order']}  {r['state']}" + (f" — {r['detail']}" if r["detail"] else "")
             for r in rows]  # fmt: skip
    if sent is not None:
        lines.append(f"Sent {sent.delivered}, to retry {sent.retrying}, refused {sent.failed}"
                     + (" (the carrier cannot be reached)" if sent.offline else ""))  # fmt: skip
    emit(args, data, "\n".join(lines))
    stuck = any(r["state"] in ("problem", "refused", "unknown") for r in rows)
    return EXIT_ERROR if stuck or (sent is not None and sent.failed) else EXIT_OK


def _account(accounts: list[Any], name: str | None) -> Any:
    """The account to ship with (ValidationError saying why none can be chosen)."""
    from primedist.errors import ValidationError

    active = [a for a in accounts if a.status == "active"]
    if name is not None:
        match = [a for a in active if a.name.casefold() == name.strip().casefold()]
        if match:
            return match[0]
        raise ValidationError(f"no active carrier account named {name!r} (have: {_names(active)})")
    if len(active) == 1:
        return active[0]
    if not active:
        raise ValidationError("no carrier account: add one in Settings → Logistics")
    raise ValidationError(f"several carrier accounts: choose one with --account ({_names(active)})")


def _names(accounts: list[Any]) -> str:
    return ", ".join(a.name for a in accounts) or "none"


def _row(plan: Any, view: Any, refused: str | None) -> dict[str, Any]:
    if plan.problem:
        return {"order": plan.external_id, "state": "problem", "detail": plan.problem}
    if refused:
        return {"order": plan.external_id, "state": "refused", "detail": refused}
    if view is None:  # --check
        return {"order": plan.external_id, "state": "ready", "detail": plan.place}
    code = view.carrier_order_code
    return {"order": plan.external_id, "state": "sent" if code else "queued",
            "detail": code or view.client_order_code, "place": plan.place}  # fmt: skip
