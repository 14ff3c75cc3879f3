"""Whether the shop's data changed since the last look: the lists of the main window
follow changes made elsewhere (another PC on the same PostgreSQL database, `primedist
sync --loop` or a CLI import on the same SQLite file, another window).

`change_stamp` is read every few seconds by every open window, so it reads only the ends
of three primary keys (no table scan at any size):
* `audit_events`: every service action writes an audit row, whichever PC runs it (a
  sale, an order edit or status change, a customer edit, a stock change, an import);
* `orders`: a sync stores new orders without an audit row, with new ids;
* `order_status_changes`: a sync changing an order's status (cancelled or delivered on
  the marketplace) writes its history row, again without an audit row.

Of each, the largest id and how many of the `RECENT` ids below it exist: on PostgreSQL
an id is taken when the row is written, not when its transaction commits, so a slower
PC's row may appear below the largest id already seen; it still changes that count.

An open detail then looks at its own record (`order_stamp`, `customer_stamp`): a few
columns read by primary key (and a few rows by an indexed foreign key) that move with
whatever the detail shows, and the record's newest audit row (by the (entity_type,
entity_id, id) index), which names the PC that changed it; for a customer, the newer of
their own and their most recently changed order's (a sale, an order's edit, confirm or
cancel at another PC is written as the order's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from primedist.core.clock import as_utc
from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.carrier import Shipment
from primedist.domain.enums import Module
from primedist.domain.order import Order, OrderStatusChange
from primedist.queries.customers import OWED
from primedist.queries.customers import customers as customers_t
from primedist.services.context import ServiceContext

#: For each table: its largest id and the number of rows among the RECENT ids up to it
#: (0, 0 for an empty table). Compared whole: any difference is a change.
ChangeStamp = tuple[int, ...]

#: How far below the largest id a row committed late is still seen: far more than the
#: rows of the transactions that can be open at once (one writer at a time: `session_scope`).
RECENT = 1000

_TABLES = (table_of(AuditEvent), table_of(Order), table_of(OrderStatusChange))


def _ends(table: sa.Table) -> list[sa.ScalarSelect[int]]:
    """The largest id, and the rows among the RECENT ids up to it: both read from the end
    of the primary key's index (the LIMIT keeps PostgreSQL there: it cannot tell how many
    rows the bound leaves when it plans)."""
    newest = sa.select(sa.func.max(table.c.id)).scalar_subquery()
    bound = sa.select(sa.func.max(table.c.id)).scalar_subquery() - sa.literal_column(str(RECENT))
    top = (
        sa.select(table.c.id).where(table.c.id > bound)
        .order_by(table.c.id.desc()).limit(RECENT).subquery()
    )  # fmt: skip
    return [newest, sa.select(sa.func.count()).select_from(top).scalar_subquery()]


_STAMP = sa.select(*(end for t in _TABLES for end in _ends(t)))


def change_stamp(ctx: ServiceContext) -> ChangeStamp:
    """The stamp of the data as it stands now (see the module docstring): it differs from
    an earlier one once anything was changed since. A read for any signed-in user (it says
    nothing of the data itself), and no audit row: nothing is done."""
    with ctx.uow() as session:
        row = session.connection().execute(_STAMP).one()
    return tuple(int(v or 0) for v in row)


# One record ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordStamp:
    """One record as its open detail shows it: `state` differs once anything shown
    changed; `changed_at` is the latest time the record itself says it changed (None: it
    says none); `gone`: the record no longer exists (deleted, merged). `audit_id`: the
    record's newest audit row (None: none; a customer's: see `_CUSTOMER_AUDIT`); `pc`: the
    PC that wrote it when that is another PC (None: this PC, or not known: a row from
    before PCs were named)."""

    state: tuple[object, ...]
    changed_at: datetime | None = None
    gone: bool = False
    audit_id: int | None = None
    pc: str | None = None


def _latest(*times: datetime | None) -> datetime | None:
    known = [as_utc(t) for t in times if t is not None]
    return max(known) if known else None


_orders, _history, _shipments = table_of(Order), table_of(OrderStatusChange), table_of(Shipment)
_o, _h, _s, _k = _orders.c, _history.c, _shipments.c, customers_t.c
_a = table_of(AuditEvent).c


def _newest_audit(column: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """`column` of the record's newest audit row (`entity_id` bound as text): one seek
    down the (entity_type, entity_id, id) index. Part of the stamp's own statement, so
    it is read in the same snapshot as the record (PostgreSQL)."""
    return (
        sa.select(column)
        .where(_a.entity_type == sa.bindparam("entity_type"),
               _a.entity_id == sa.bindparam("entity_id"))
        .order_by(_a.id.desc()).limit(1).scalar_subquery()
    )  # fmt: skip


#: The last two columns of a record's stamp statement: its newest audit row, and its PC.
_AUDIT = (_newest_audit(_a.id), _newest_audit(_a.pc))


def _stamp(ctx: ServiceContext, row: Sequence[Any], changed_at: datetime | None) -> RecordStamp:
    """The stamp of a record read with `_AUDIT` last: its PC named when it is another's."""
    shown, (audit_id, pc) = row[:-2], row[-2:]
    state = tuple(as_utc(v) if isinstance(v, datetime) else v for v in shown)
    return RecordStamp(state, changed_at, audit_id=audit_id, pc=pc if pc != ctx.pc else None)


def _of_order(column: sa.ColumnElement[Any], table: sa.Table) -> sa.ScalarSelect[Any]:
    return sa.select(column).where(table.c.order_id == _o.id).scalar_subquery()


_ORDER_STAMP = (
    sa.select(
        # What an edit's conflict check compares (`order_edit.update_order`), and what
        # moves without it: a flag (`set_flag`), the outbox sending the order's action.
        _o.updated_at, _o.status, _o.flagged, _o.outbox_pending,
        # Its history (a sync's status change), its shipments (the carrier's news).
        _of_order(sa.func.max(_h.id), _history), _of_order(sa.func.max(_h.changed_at), _history),
        _of_order(sa.func.count(), _shipments), _of_order(sa.func.max(_s.updated_at), _shipments),
        # The customer shown on it (renamed, deleted).
        _k.name, _k.deleted_at,
        *_AUDIT,
    )
    .select_from(_orders.outerjoin(customers_t, _k.id == _o.customer_id))
    .where(_o.id == sa.bindparam("order_id"))
)  # fmt: skip


def order_stamp(ctx: ServiceContext, order_id: int) -> RecordStamp:
    """The order as its open detail shows it (see `RecordStamp`): by primary key, its
    history and shipments through their order index. Writes nothing."""
    ctx.require(Module.ORDERS)
    keys = {"order_id": order_id, "entity_type": "order", "entity_id": str(order_id)}
    with ctx.engine.connect() as conn:
        row = conn.execute(_ORDER_STAMP, keys).first()
    if row is None:
        return RecordStamp((), gone=True)
    updated, history_at, shipped_at = row[0], row[5], row[7]
    return _stamp(ctx, row, _latest(updated, history_at, shipped_at))


#: How many of a customer's newest orders (by date) are looked at for the one changed last
#: (`_changed_order`): a change of an older one still reloads the detail, said "elsewhere".
RECENT_ORDERS = 100


def _changed_order() -> sa.ScalarSelect[Any]:
    """The id (as text, as `entity_id` holds it) of the customer's most recently changed
    order among their RECENT_ORDERS newest: those walked down the end of their
    `ix_orders_customer_stats` entries, then RECENT_ORDERS rows read for `updated_at`. No
    index holds a customer's orders by `updated_at`: all of them would be read, thousands
    for a regular buyer, at every change another PC makes while their detail is open."""
    recent = (
        sa.select(_o.id, _o.updated_at)
        .where(_o.customer_id == sa.bindparam("customer_id"))
        .order_by(_o.created_at.desc()).limit(RECENT_ORDERS).subquery("recent_orders")
    )  # fmt: skip
    return (
        sa.select(sa.cast(recent.c.id, sa.String))
        .order_by(recent.c.updated_at.desc(), recent.c.id.desc()).limit(1).scalar_subquery()
    )  # fmt: skip


def _newest_row(entity_type: str, entity_id: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """The id of the entity's newest audit row: one seek down the (entity_type,
    entity_id, id) index."""
    return (
        sa.select(_a.id)
        .where(_a.entity_type == entity_type, _a.entity_id == entity_id)
        .order_by(_a.id.desc()).limit(1).scalar_subquery()
    )  # fmt: skip


#: The customer's newest change with an audit row: the newer of their own newest row and
#: the newest row of their most recently changed order (a counter sale, an order's edit,
#: confirm or cancel is written as the order's). Its id and PC, read once (a derived
#: table, not a scalar per column: the orders' walk is not done twice).
_picked = table_of(AuditEvent).alias("picked").c
_CUSTOMER_AUDIT = (
    sa.select(_picked.id, _picked.pc)
    .where(_picked.id.in_([_newest_row("customer", sa.bindparam("entity_id")),
                           _newest_row("order", _changed_order())]))
    .order_by(_picked.id.desc()).limit(1).subquery("newest_audit")
)  # fmt: skip

_CUSTOMER_STAMP = (
    sa.select(
        # Every edit of the detail's own (note, tags, addresses, staff) moves `updated_at`,
        # and so does a new or changed order of theirs (`customer_stats.refresh`).
        _k.updated_at, _k.name, _k.rank, _k.level_id, _k.rank_pinned,
        _k.points_balance, _k.points_earned, _k.total_orders, _k.successful_orders,
        _k.cancelled_orders, _k.returned_orders, _k.total_expenses, _k.last_order_at,
        _k.deleted_at, _k.merged_into_id,
        # What they owe: a payment taken or cancelled, an adjustment (its partial indexes).
        OWED,
        # Last, as `_stamp` reads them; in the same statement (one snapshot on PostgreSQL).
        _CUSTOMER_AUDIT.c.id, _CUSTOMER_AUDIT.c.pc,
    )
    .select_from(customers_t.outerjoin(_CUSTOMER_AUDIT, sa.true()))
    .where(_k.id == sa.bindparam("customer_id"))
)  # fmt: skip


def customer_stamp(ctx: ServiceContext, customer_id: int) -> RecordStamp:
    """The customer as their open detail shows them, statistics and account included
    (see `RecordStamp`): by primary key. Writes nothing."""
    ctx.require(Module.CUSTOMERS)
    keys = {"customer_id": customer_id, "entity_id": str(customer_id)}
    with ctx.engine.connect() as conn:
        row = conn.execute(_CUSTOMER_STAMP, keys).first()
    if row is None or row.deleted_at is not None or row.merged_into_id is not None:
        return RecordStamp((), gone=True)
    return _stamp(ctx, row, _latest(row.updated_at))
