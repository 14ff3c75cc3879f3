"""`primedist shipments [--send] [--track] [--json]`: the shop's own GHN / J&T shipments."""

from __future__ import annotations

import argparse
from typing import Any

from primedist.cli import EXIT_ERROR, EXIT_OK, as_owner, emit, open_context
from primedist.config import Settings


def register(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser(
        "shipments",
        help="the shop's own GHN / J&T shipments still on the way",
        description="List the shipments not delivered or returned yet. --send sends the "
        "shipment creates and cancels waiting in the outbox; --track asks the carriers "
        "where each parcel is and moves its order (as the app does every 15 minutes). "
        "Exits 1 when a carrier refused an action or could not be asked.",
    )
    p.add_argument("--send", action="store_true", help="send the waiting creates and cancels")
    p.add_argument("--track", action="store_true", help="read every open parcel's status now")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_shipments)


def cmd_shipments(args: argparse.Namespace, settings: Settings) -> int:
    from primedist.services import shipping

    ctx = as_owner(open_context(settings))
    data: dict[str, Any] = {}
    lines: list[str] = []
    status = EXIT_OK
    if args.send:
        sent = shipping.deliver_carrier_outbox(ctx)
        data["send"] = dict(sent.__dict__)
        lines.append(f"Sent {sent.delivered}, to retry {sent.retrying}, refused {sent.failed}"
                     + (" (a carrier cannot be reached)" if sent.offline else ""))  # fmt: skip
        lines += [f"  {m}" for m in sent.messages]
        status = EXIT_ERROR if sent.failed else status
    if args.track:
        tracked = shipping.poll_shipments(ctx)
        data["track"] = dict(tracked.__dict__)
        lines.append(f"Tracked {tracked.checked}, {tracked.changed} moved on")
        lines += [f"  {e}" for e in tracked.errors]
        status = EXIT_ERROR if tracked.errors else status
    rows = shipping.open_shipments(ctx)
    data["shipments"] = [
        {"order": row.order, "carrier": row.view.carrier.value, "account": row.view.account_name,
         "code": row.view.carrier_order_code, "status": row.view.status, "fee": row.view.fee,
         "cod": row.view.cod_amount, "last_error": row.view.last_error}
        for row in rows
    ]  # fmt: skip
    for row in rows:
        view = row.view
        carrier = shipping.CARRIER_NAMES[view.carrier]
        error = f" — {view.last_error}" if view.last_error else ""
        lines.append(f"{row.order}  {carrier}  {view.carrier_order_code or '(not sent yet)'}  "
                     f"{view.status}{error}")  # fmt: skip
    if not rows:
        lines.append("No shipment on the way.")
    emit(args, data, "\n".join(lines))
    return status
