"""Queueing marketplace messages in the outbox, one live message per intent.

A message is identified by its intent key (unique): queueing again for the same intent
replaces the payload of the message already there and makes it pending again, so a
delivered or failed message is sent once more with the latest payload, and a pending one
is sent once, with the latest payload.

Only what the shop's channel can carry out is queued (`channel_can`): a Tiki stock push or
a Lazada order confirmation would only end "failed: NotSupported" in the Sync panel, so the
local change is made alone and nothing waits to be sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.connectors import channel_capabilities
from primedist.connectors.base import Action
from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.enums import Channel, OutboxStatus
from primedist.domain.shop import Shop
from primedist.domain.sync import OutboxMessage

outbox_t = table_of(OutboxMessage)
shops_t = table_of(Shop)

#: The connector action each marketplace message kind is delivered with.
KIND_ACTIONS: dict[str, Action] = {
    "order.confirm": Action.CONFIRM,
    "order.cancel": Action.CANCEL,
    "stock.push": Action.PUSH_STOCK,
    "listing.upsert": Action.PUSH_PRICE,  # delivered as a price push
}


def channel_can(channel: Channel | str, action: Action) -> bool:
    """Whether a shop on `channel` can have `action` carried out from the app."""
    return action in channel_capabilities(channel)


def _deliverable(
    conn: sa.Connection, kind: str, rows: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The rows whose shop's channel can carry out `kind` (kinds that are no marketplace
    action, e.g. carrier messages, pass through)."""
    action = KIND_ACTIONS.get(kind)
    if action is None:
        return dict(rows)
    shop_ids = sorted({int(r["shop_id"]) for r in rows.values() if r.get("shop_id") is not None})
    able: set[int] = set()
    for chunk in chunks(shop_ids):
        stmt = sa.select(shops_t.c.id, shops_t.c.channel).where(shops_t.c.id.in_(chunk))
        able.update(sid for sid, channel in conn.execute(stmt) if channel_can(channel, action))
    return {k: r for k, r in rows.items() if r.get("shop_id") in able}


def queue_coalesced(
    conn: sa.Connection, kind: str, rows: Mapping[str, dict[str, Any]], now: datetime
) -> int:
    """Queue a `kind` message per intent key of `rows` ({intent key: {"intent_key",
    "shop_id", "payload_json"}}), coalescing with the messages already queued for those
    intents. Rows for a shop whose channel cannot carry out `kind` are left out.
    Returns how many messages were written."""
    rows = _deliverable(conn, kind, rows)
    if not rows:
        return 0
    keys = list(rows)
    existing: set[str] = set()
    for chunk in chunks(keys):
        existing.update(
            conn.execute(
                sa.select(outbox_t.c.intent_key).where(outbox_t.c.intent_key.in_(chunk))
            ).scalars()
        )
    new = [
        {**rows[k], "kind": kind, "status": OutboxStatus.PENDING, "attempts": 0,
         "next_attempt_at": now, "created_at": now, "updated_at": now}
        for k in keys if k not in existing
    ]  # fmt: skip
    if new:
        conn.execute(sa.insert(outbox_t), new)
    if existing:
        stmt = (
            sa.update(outbox_t)
            .where(outbox_t.c.intent_key == sa.bindparam("b_key"))
            .values(payload_json=sa.bindparam("b_payload"), status=OutboxStatus.PENDING,
                    attempts=0, last_error=None, delivered_at=None, next_attempt_at=now,
                    updated_at=now)
        )  # fmt: skip
        conn.execute(stmt, [{"b_key": k, "b_payload": rows[k]["payload_json"]} for k in existing])
    return len(rows)
