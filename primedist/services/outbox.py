"""Queueing marketplace messages in the outbox, one live message per intent.

A message is identified by its intent key (unique): queueing again for the same intent
replaces the payload of the message already there and makes it pending again, so a
delivered or failed message is sent once more with the latest payload, and a pending one
is sent once, with the latest payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.db.product_summary import chunks
from primedist.domain.base import table_of
from primedist.domain.enums import OutboxStatus
from primedist.domain.sync import OutboxMessage

outbox_t = table_of(OutboxMessage)


def queue_coalesced(
    conn: sa.Connection, kind: str, rows: Mapping[str, dict[str, Any]], now: datetime
) -> int:
    """Queue a `kind` message per intent key of `rows` ({intent key: {"intent_key",
    "shop_id", "payload_json"}}), coalescing with the messages already queued for those
    intents. Returns how many messages were written."""
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
