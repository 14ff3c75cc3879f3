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
"""

from __future__ import annotations

import sqlalchemy as sa

from primedist.domain.audit import AuditEvent
from primedist.domain.base import table_of
from primedist.domain.order import Order, OrderStatusChange
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
