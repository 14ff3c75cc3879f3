"""Whether this PC's clock agrees with the database server's.

Each PC stamps what it writes (orders, status changes, payments, stock movements, audit
rows) with its own clock (`ctx.clock`); only the job leases use the server's. A PC whose
clock is off writes its sales at the wrong time, silently: the end-of-day report, Home's
"today", the order list's order and the audit log go wrong. The main window's status bar
compares the two clocks (`clock_skew`) and warns beyond `SKEW_LIMIT`.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from primedist.core.clock import as_utc
from primedist.services.context import ServiceContext

#: Beyond this the status bar warns (a PC synced with the internet's time is within a
#: second; a few seconds of a clock left to itself are no wrong day or order).
SKEW_LIMIT = timedelta(minutes=2)


def clock_skew(ctx: ServiceContext) -> timedelta | None:
    """The database server's clock minus this PC's (`ctx.clock`, the clock its writes are
    stamped with): positive when this PC is behind. None on SQLite (one PC, one clock).

    One `SELECT clock_timestamp()` (the server's time as it runs, not its transaction's
    start) outside a transaction, so one round trip; compared with the midpoint of this
    PC's time before and after it, the network's delay does not count."""
    if ctx.engine.dialect.name != "postgresql":
        return None
    with ctx.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")  # no BEGIN round trip
        before = ctx.clock.now()
        server = conn.execute(sa.select(sa.func.clock_timestamp())).scalar_one()
        after = ctx.clock.now()
    return as_utc(server) - (before + (after - before) / 2)


def skew_matters(skew: timedelta | None) -> bool:
    """Whether the clocks differ by more than `SKEW_LIMIT`, either way."""
    return skew is not None and abs(skew) > SKEW_LIMIT
